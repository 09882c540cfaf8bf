//! Just enough Kubernetes protobuf decoding for kubectl's imperative generators
//! (`create namespace|configmap|secret|serviceaccount|deployment|job|cronjob|service|
//! role|rolebinding|clusterrole|clusterrolebinding`, `expose`, `auth can-i`),
//! which send typed objects as `application/vnd.kubernetes.protobuf` instead of JSON.
//! Bodies are the `runtime.Unknown` envelope (`k8s\0` magic); the inner object is decoded
//! with small field tables below. Fields outside the tables are skipped, and defaulting
//! fills the rest, as for a JSON object that omitted them.

use base64::Engine as _;
use serde_json::{Map, Value, json};

/// How one field is decoded.
#[derive(Clone, Copy)]
enum Ty {
    Str,
    Int,
    Bool,
    Msg(&'static [F]),
    MapStr,
    MapBytes,
    MapQuantity,
    IntOrStr,
}

/// A field: number, JSON name, type, repeated.
#[derive(Clone, Copy)]
struct F(u32, &'static str, Ty, bool);

const fn one(n: u32, name: &'static str, ty: Ty) -> F {
    F(n, name, ty, false)
}

const fn rep(n: u32, name: &'static str, ty: Ty) -> F {
    F(n, name, ty, true)
}

const OBJECT_META: &[F] = &[
    one(1, "name", Ty::Str),
    one(2, "generateName", Ty::Str),
    one(3, "namespace", Ty::Str),
    one(11, "labels", Ty::MapStr),
    one(12, "annotations", Ty::MapStr),
    rep(14, "finalizers", Ty::Str),
];
const REQUIREMENT: &[F] = &[
    one(1, "key", Ty::Str),
    one(2, "operator", Ty::Str),
    rep(3, "values", Ty::Str),
];
const LABEL_SELECTOR: &[F] = &[
    one(1, "matchLabels", Ty::MapStr),
    rep(2, "matchExpressions", Ty::Msg(REQUIREMENT)),
];
const CONTAINER_PORT: &[F] = &[
    one(1, "name", Ty::Str),
    one(2, "hostPort", Ty::Int),
    one(3, "containerPort", Ty::Int),
    one(4, "protocol", Ty::Str),
];
const ENV_VAR: &[F] = &[one(1, "name", Ty::Str), one(2, "value", Ty::Str)];
const RESOURCES: &[F] = &[
    one(1, "limits", Ty::MapQuantity),
    one(2, "requests", Ty::MapQuantity),
];
const CONTAINER: &[F] = &[
    one(1, "name", Ty::Str),
    one(2, "image", Ty::Str),
    rep(3, "command", Ty::Str),
    rep(4, "args", Ty::Str),
    one(5, "workingDir", Ty::Str),
    rep(6, "ports", Ty::Msg(CONTAINER_PORT)),
    rep(7, "env", Ty::Msg(ENV_VAR)),
    one(8, "resources", Ty::Msg(RESOURCES)),
    one(13, "terminationMessagePath", Ty::Str),
    one(14, "imagePullPolicy", Ty::Str),
    one(20, "terminationMessagePolicy", Ty::Str),
];
const POD_SPEC: &[F] = &[
    rep(2, "containers", Ty::Msg(CONTAINER)),
    one(3, "restartPolicy", Ty::Str),
    one(4, "terminationGracePeriodSeconds", Ty::Int),
    one(6, "dnsPolicy", Ty::Str),
    one(7, "nodeSelector", Ty::MapStr),
    one(8, "serviceAccountName", Ty::Str),
];
const POD_TEMPLATE: &[F] = &[
    one(1, "metadata", Ty::Msg(OBJECT_META)),
    one(2, "spec", Ty::Msg(POD_SPEC)),
];
const DEPLOYMENT_SPEC: &[F] = &[
    one(1, "replicas", Ty::Int),
    one(2, "selector", Ty::Msg(LABEL_SELECTOR)),
    one(3, "template", Ty::Msg(POD_TEMPLATE)),
    one(5, "minReadySeconds", Ty::Int),
    one(6, "revisionHistoryLimit", Ty::Int),
    one(7, "paused", Ty::Bool),
    one(9, "progressDeadlineSeconds", Ty::Int),
];
const JOB_SPEC: &[F] = &[
    one(1, "parallelism", Ty::Int),
    one(2, "completions", Ty::Int),
    one(3, "activeDeadlineSeconds", Ty::Int),
    one(4, "selector", Ty::Msg(LABEL_SELECTOR)),
    one(6, "template", Ty::Msg(POD_TEMPLATE)),
    one(7, "backoffLimit", Ty::Int),
];
const JOB_TEMPLATE: &[F] = &[
    one(1, "metadata", Ty::Msg(OBJECT_META)),
    one(2, "spec", Ty::Msg(JOB_SPEC)),
];
const CRONJOB_SPEC: &[F] = &[
    one(1, "schedule", Ty::Str),
    one(2, "startingDeadlineSeconds", Ty::Int),
    one(3, "concurrencyPolicy", Ty::Str),
    one(4, "suspend", Ty::Bool),
    one(5, "jobTemplate", Ty::Msg(JOB_TEMPLATE)),
    one(6, "successfulJobsHistoryLimit", Ty::Int),
    one(7, "failedJobsHistoryLimit", Ty::Int),
];
const SERVICE_PORT: &[F] = &[
    one(1, "name", Ty::Str),
    one(2, "protocol", Ty::Str),
    one(3, "port", Ty::Int),
    one(4, "targetPort", Ty::IntOrStr),
    one(5, "nodePort", Ty::Int),
];
const SERVICE_SPEC: &[F] = &[
    rep(1, "ports", Ty::Msg(SERVICE_PORT)),
    one(2, "selector", Ty::MapStr),
    one(3, "clusterIP", Ty::Str),
    one(4, "type", Ty::Str),
];
const POLICY_RULE: &[F] = &[
    rep(1, "verbs", Ty::Str),
    rep(2, "apiGroups", Ty::Str),
    rep(3, "resources", Ty::Str),
    rep(4, "resourceNames", Ty::Str),
    rep(5, "nonResourceURLs", Ty::Str),
];
const SUBJECT: &[F] = &[
    one(1, "kind", Ty::Str),
    one(2, "apiGroup", Ty::Str),
    one(3, "name", Ty::Str),
    one(4, "namespace", Ty::Str),
];
const ROLE_REF: &[F] = &[
    one(1, "apiGroup", Ty::Str),
    one(2, "kind", Ty::Str),
    one(3, "name", Ty::Str),
];
const RESOURCE_ATTRIBUTES: &[F] = &[
    one(1, "namespace", Ty::Str),
    one(2, "verb", Ty::Str),
    one(3, "group", Ty::Str),
    one(4, "version", Ty::Str),
    one(5, "resource", Ty::Str),
    one(6, "subresource", Ty::Str),
    one(7, "name", Ty::Str),
];
const NON_RESOURCE_ATTRIBUTES: &[F] = &[one(1, "path", Ty::Str), one(2, "verb", Ty::Str)];
const ACCESS_REVIEW_SPEC: &[F] = &[
    one(1, "resourceAttributes", Ty::Msg(RESOURCE_ATTRIBUTES)),
    one(2, "nonResourceAttributes", Ty::Msg(NON_RESOURCE_ATTRIBUTES)),
];
const NAMESPACE_SPEC: &[F] = &[rep(1, "finalizers", Ty::Str)];
/// Pointer fields where an explicit 0 means something.
const KEEP_ZERO: &[&str] = &["replicas", "completions", "parallelism", "backoffLimit"];
const META: F = one(1, "metadata", Ty::Msg(OBJECT_META));

/// Top-level field table of a kind.
fn schema(kind: &str) -> Option<Vec<F>> {
    Some(match kind {
        "Namespace" => vec![META, one(2, "spec", Ty::Msg(NAMESPACE_SPEC))],
        "ConfigMap" => vec![
            META,
            one(2, "data", Ty::MapStr),
            one(3, "binaryData", Ty::MapBytes),
            one(4, "immutable", Ty::Bool),
        ],
        "Secret" => vec![
            META,
            one(2, "data", Ty::MapBytes),
            one(3, "type", Ty::Str),
            one(4, "stringData", Ty::MapStr),
            one(5, "immutable", Ty::Bool),
        ],
        "ServiceAccount" => vec![META],
        "Deployment" => vec![META, one(2, "spec", Ty::Msg(DEPLOYMENT_SPEC))],
        "Job" => vec![META, one(2, "spec", Ty::Msg(JOB_SPEC))],
        "CronJob" => vec![META, one(2, "spec", Ty::Msg(CRONJOB_SPEC))],
        "Service" => vec![META, one(2, "spec", Ty::Msg(SERVICE_SPEC))],
        "SelfSubjectAccessReview" => vec![META, one(2, "spec", Ty::Msg(ACCESS_REVIEW_SPEC))],
        "Role" | "ClusterRole" => vec![META, rep(2, "rules", Ty::Msg(POLICY_RULE))],
        "RoleBinding" | "ClusterRoleBinding" => {
            vec![
                META,
                rep(2, "subjects", Ty::Msg(SUBJECT)),
                one(3, "roleRef", Ty::Msg(ROLE_REF)),
            ]
        }
        _ => return None,
    })
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Option<u64> {
        let mut out = 0u64;
        for shift in (0..64).step_by(7) {
            let (b, rest) = self.0.split_first()?;
            self.0 = rest;
            out |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(out);
            }
        }
        None
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }

    /// Next (field number, wire value); `None` at the end or on malformed input.
    fn field(&mut self) -> Option<(u32, Wire<'a>)> {
        let key = self.varint()?;
        let num = u32::try_from(key >> 3).ok()?;
        let wire = match key & 7 {
            0 => Wire::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Wire::Skip
            }
            2 => {
                let len = usize::try_from(self.varint()?).ok()?;
                Wire::Bytes(self.take(len)?)
            }
            5 => {
                self.take(4)?;
                Wire::Skip
            }
            _ => return None,
        };
        Some((num, wire))
    }
}

enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Skip,
}

fn string(b: &[u8]) -> Value {
    json!(String::from_utf8_lossy(b))
}

fn map_entry(b: &[u8], value: impl Fn(&[u8]) -> Value) -> Option<(String, Value)> {
    let mut r = Reader(b);
    let (mut k, mut v) = (String::new(), Value::String(String::new()));
    while !r.0.is_empty() {
        match r.field()? {
            (1, Wire::Bytes(x)) => k = String::from_utf8_lossy(x).into_owned(),
            (2, Wire::Bytes(x)) => v = value(x),
            _ => {}
        }
    }
    Some((k, v))
}

fn int_or_str(b: &[u8]) -> Option<Value> {
    let mut r = Reader(b);
    let (mut ty, mut i, mut s) = (0, 0i64, String::new());
    while !r.0.is_empty() {
        match r.field()? {
            (1, Wire::Varint(v)) => ty = v,
            (2, Wire::Varint(v)) => i = v as i64,
            (3, Wire::Bytes(x)) => s = String::from_utf8_lossy(x).into_owned(),
            _ => {}
        }
    }
    Some(if ty == 1 { json!(s) } else { json!(i) })
}

fn message(b: &[u8], fields: &[F]) -> Option<Value> {
    let mut out = Map::new();
    let mut r = Reader(b);
    while !r.0.is_empty() {
        let (num, wire) = r.field()?;
        let Some(&F(_, name, ty, repeated)) = fields.iter().find(|f| f.0 == num) else {
            continue;
        };
        let value = match (ty, wire) {
            // Go's generated marshallers emit empty strings and zero numbers of
            // non-pointer fields; JSON would omit them, so do we.
            (Ty::Str, Wire::Bytes(x)) if x.is_empty() && !repeated => continue,
            (Ty::Int, Wire::Varint(0)) if !KEEP_ZERO.contains(&name) => continue,
            (Ty::Str, Wire::Bytes(x)) => string(x),
            (Ty::Int, Wire::Varint(v)) => json!(v as i64 as i32),
            (Ty::Bool, Wire::Varint(v)) => json!(v != 0),
            (Ty::Msg(sub), Wire::Bytes(x)) => message(x, sub)?,
            (Ty::IntOrStr, Wire::Bytes(x)) => int_or_str(x)?,
            (Ty::MapStr | Ty::MapBytes | Ty::MapQuantity, Wire::Bytes(x)) => {
                let (k, v) = map_entry(x, |v| match ty {
                    Ty::MapBytes => json!(base64::engine::general_purpose::STANDARD.encode(v)),
                    Ty::MapQuantity => {
                        message(v, &[one(1, "s", Ty::Str)]).map_or(Value::Null, |q| q["s"].clone())
                    }
                    _ => string(v),
                })?;
                let m = out.entry(name).or_insert_with(|| json!({}));
                m[k] = v;
                continue;
            }
            _ => continue,
        };
        if repeated {
            let list = out.entry(name).or_insert_with(|| json!([]));
            if let Some(a) = list.as_array_mut() {
                a.push(value);
            }
        } else {
            out.insert(name.to_string(), value);
        }
    }
    Some(Value::Object(out))
}

/// Decodes a `k8s\0`-framed protobuf object into its JSON form, or explains why not.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let inner = body
        .strip_prefix(b"k8s\0")
        .ok_or("missing k8s protobuf magic")?;
    let mut r = Reader(inner);
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), &[][..]);
    while !r.0.is_empty() {
        match r.field().ok_or("malformed protobuf envelope")? {
            (1, Wire::Bytes(tm)) => {
                let mut t = Reader(tm);
                while !t.0.is_empty() {
                    match t.field().ok_or("malformed TypeMeta")? {
                        (1, Wire::Bytes(x)) => {
                            api_version = String::from_utf8_lossy(x).into_owned()
                        }
                        (2, Wire::Bytes(x)) => kind = String::from_utf8_lossy(x).into_owned(),
                        _ => {}
                    }
                }
            }
            (2, Wire::Bytes(x)) => raw = x,
            _ => {}
        }
    }
    let fields = schema(&kind)
        .ok_or_else(|| format!("protobuf bodies of kind {kind:?} are not supported; send JSON"))?;
    let mut obj = message(raw, &fields).ok_or("malformed protobuf object")?;
    obj["apiVersion"] = json!(api_version);
    obj["kind"] = json!(kind);
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(num: u8, bytes: &[u8]) -> Vec<u8> {
        let mut v = vec![(num << 3) | 2, u8::try_from(bytes.len()).unwrap()];
        v.extend_from_slice(bytes);
        v
    }

    #[test]
    fn decodes_a_namespace_envelope() {
        let type_meta = [ld(1, b"v1"), ld(2, b"Namespace")].concat();
        let label = [ld(1, b"team"), ld(2, b"demo")].concat();
        let meta = [ld(1, b"x"), ld(2, b""), ld(11, &label)].concat();
        let raw = ld(1, &meta);
        let body = [b"k8s\0".to_vec(), ld(1, &type_meta), ld(2, &raw)].concat();
        let v = decode(&body).unwrap();
        assert_eq!(
            v,
            json!({ "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": "x", "labels": { "team": "demo" } } })
        );
    }

    #[test]
    fn rejects_garbage_and_unknown_kinds() {
        assert!(decode(b"{}").is_err());
        assert!(decode(b"k8s\0\x0a\xff").is_err());
        let type_meta = [ld(1, b"v1"), ld(2, b"Pod")].concat();
        assert!(decode(&[b"k8s\0".to_vec(), ld(1, &type_meta)].concat()).is_err());
    }
}
