//! Small accessors over `serde_json::Value` objects, so controllers read like Go code.

use serde_json::{Map, Value, json};

pub fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    get(v, path).and_then(Value::as_str).unwrap_or("")
}

pub fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    Some(cur)
}

pub fn i(v: &Value, path: &[&str]) -> i64 {
    get(v, path).and_then(Value::as_i64).unwrap_or(0)
}

pub fn b(v: &Value, path: &[&str]) -> bool {
    get(v, path).and_then(Value::as_bool).unwrap_or(false)
}

/// Sets `path` to `val`, creating intermediate objects (and replacing whatever is not an
/// object on the way, so malformed user objects never make it panic).
pub fn set(v: &mut Value, path: &[&str], val: Value) {
    let Some((last, parents)) = path.split_last() else {
        *v = val;
        return;
    };
    let mut cur = v;
    for p in parents {
        if !cur.is_object() {
            *cur = json!({});
        }
        if !cur.get(*p).is_some_and(Value::is_object) {
            cur[*p] = json!({});
        }
        cur = &mut cur[*p];
    }
    if !cur.is_object() {
        *cur = json!({});
    }
    cur[*last] = val;
}

pub fn name(v: &Value) -> &str {
    s(v, &["metadata", "name"])
}

pub fn namespace(v: &Value) -> &str {
    s(v, &["metadata", "namespace"])
}

pub fn uid(v: &Value) -> &str {
    s(v, &["metadata", "uid"])
}

pub fn labels(v: &Value) -> Option<&Map<String, Value>> {
    get(v, &["metadata", "labels"]).and_then(Value::as_object)
}

pub fn annotation<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    get(v, &["metadata", "annotations", key]).and_then(Value::as_str)
}

pub fn is_terminating(v: &Value) -> bool {
    get(v, &["metadata", "deletionTimestamp"]).is_some_and(|t| !t.is_null())
}

/// Uid of the controlling owner, if any.
pub fn controller_uid(v: &Value) -> Option<&str> {
    get(v, &["metadata", "ownerReferences"])?
        .as_array()?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .and_then(|r| r.get("uid")?.as_str())
}

/// An ownerReference with controller=true pointing at `owner`.
pub fn owner_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": s(owner, &["apiVersion"]),
        "kind": s(owner, &["kind"]),
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Stable 64-bit FNV-1a hash, used for template hashes and deterministic figures.
pub fn fnv(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// Encodes a number with Kubernetes' "safe" alphabet (no vowels), `len` characters.
pub fn safe_encode(mut n: u64, len: usize) -> String {
    let mut out = String::with_capacity(len);
    for _ in 0..len {
        out.push(SAFE[(n % SAFE.len() as u64) as usize] as char);
        n /= SAFE.len() as u64;
    }
    out
}

/// Hash of a pod template ignoring `pod-template-hash`, as the revision identity.
pub fn template_hash(template: &Value) -> String {
    let mut t = template.clone();
    if let Some(l) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        l.remove("pod-template-hash");
        l.remove("controller-revision-hash");
    }
    safe_encode(fnv(canonical(&t).as_bytes()), 10)
}

/// Canonical JSON (sorted keys) for hashing.
pub fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for k in keys {
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&m[k], out);
                out.push(',');
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for x in a {
                write_canonical(x, out);
                out.push(',');
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Resolves an int-or-percent against `total`, rounding up when `round_up`.
pub fn int_or_percent(v: Option<&Value>, total: i64, default: &str, round_up: bool) -> i64 {
    let v = v.cloned().unwrap_or_else(|| json!(default));
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => {
            if let Some(p) = s.strip_suffix('%') {
                let p: f64 = p.parse().unwrap_or(0.0);
                let x = p * total as f64 / 100.0;
                (if round_up { x.ceil() } else { x.floor() }) as i64
            } else {
                s.parse().unwrap_or(0)
            }
        }
        _ => 0,
    }
}

/// Pod is Running with condition Ready=True.
pub fn pod_ready(pod: &Value) -> bool {
    get(pod, &["status", "conditions"])
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

/// Pod phase is Succeeded or Failed.
pub fn pod_finished(pod: &Value) -> bool {
    matches!(s(pod, &["status", "phase"]), "Succeeded" | "Failed")
}

/// Drops `null` members of objects recursively, as decoding into typed structs does
/// (kubectl sends `creationTimestamp: null` inside templates).
pub fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            for x in m.values_mut() {
                strip_nulls(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}
