//! Label and field selectors with the API server's syntax, evaluated against cached
//! objects so a filtered list never needs a call to the cluster.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::json;

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed label selector (`app=web,tier in (front,back),!canary`). Empty matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(Vec<Requirement>);

fn check_key(key: &str, whole: &str) -> Result<String, String> {
    let key = key.trim();
    let valid = !key.is_empty()
        && key.len() <= 317
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if valid {
        Ok(key.to_string())
    } else {
        Err(format!(
            "invalid label selector {whole:?}: {key:?} is not a label key"
        ))
    }
}

fn check_value(value: &str, whole: &str) -> Result<String, String> {
    let value = value.trim();
    let valid = value.len() <= 63
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(value.to_string())
    } else {
        Err(format!(
            "invalid label selector {whole:?}: {value:?} is not a label value"
        ))
    }
}

/// Splits on commas that are not inside parentheses.
fn split_terms(raw: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in raw.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(&raw[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&raw[start..]);
    terms
}

impl LabelSelector {
    /// Parses the selector syntax of `kubectl get -l`.
    ///
    /// # Errors
    /// A message naming the selector and the part that is wrong.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut reqs = Vec::new();
        if raw.trim().is_empty() {
            return Ok(Self(reqs));
        }
        for term in split_terms(raw) {
            let term = term.trim();
            if term.is_empty() {
                return Err(format!("invalid label selector {raw:?}: empty requirement"));
            }
            let lower = term.to_ascii_lowercase();
            let set_op = [" notin ", " in "]
                .into_iter()
                .find_map(|op| lower.find(op).map(|i| (op, i)));
            if let Some((op, i)) = set_op {
                let key = check_key(&term[..i], raw)?;
                let rest = term[i + op.len()..].trim();
                let inner = rest
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .ok_or_else(|| format!("invalid label selector {raw:?}: values of {key:?} must be in parentheses"))?;
                let values = inner
                    .split(',')
                    .map(|v| check_value(v, raw))
                    .collect::<Result<Vec<_>, _>>()?;
                reqs.push(if op.trim() == "in" {
                    Requirement::In(key, values)
                } else {
                    Requirement::NotIn(key, values)
                });
            } else if let Some((k, v)) = term.split_once("!=") {
                reqs.push(Requirement::NotEquals(
                    check_key(k, raw)?,
                    check_value(v, raw)?,
                ));
            } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                reqs.push(Requirement::Equals(
                    check_key(k, raw)?,
                    check_value(v, raw)?,
                ));
            } else if let Some(k) = term.strip_prefix('!') {
                reqs.push(Requirement::NotExists(check_key(k, raw)?));
            } else {
                reqs.push(Requirement::Exists(check_key(term, raw)?));
            }
        }
        Ok(Self(reqs))
    }

    /// A workload's `spec.selector` (`matchLabels` and `matchExpressions`).
    #[must_use]
    pub fn from_spec(selector: &Value) -> Self {
        let mut reqs: Vec<Requirement> = json::string_map(selector, "/matchLabels")
            .into_iter()
            .map(|(k, v)| Requirement::Equals(k, v))
            .collect();
        for expr in json::array(selector, "/matchExpressions") {
            let key = json::str(expr, "/key").to_string();
            let values: Vec<String> = json::array(expr, "/values")
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            reqs.push(match json::str(expr, "/operator") {
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "DoesNotExist" => Requirement::NotExists(key),
                _ => Requirement::Exists(key),
            });
        }
        Self(reqs)
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `labels` satisfy every requirement.
    #[must_use]
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|l| vs.contains(l)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|l| !vs.contains(l)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::NotExists(k) => !labels.contains_key(k),
        })
    }

    /// The selector in the API server's syntax, for `labelSelector=` and for display.
    #[must_use]
    pub fn to_query(&self) -> String {
        self.0
            .iter()
            .map(|r| match r {
                Requirement::Equals(k, v) => format!("{k}={v}"),
                Requirement::NotEquals(k, v) => format!("{k}!={v}"),
                Requirement::In(k, vs) => format!("{k} in ({})", vs.join(",")),
                Requirement::NotIn(k, vs) => format!("{k} notin ({})", vs.join(",")),
                Requirement::Exists(k) => k.clone(),
                Requirement::NotExists(k) => format!("!{k}"),
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The pod fields the API server accepts in a field selector, with where they live.
const POD_FIELDS: &[(&str, &str)] = &[
    ("metadata.name", "/metadata/name"),
    ("metadata.namespace", "/metadata/namespace"),
    ("spec.nodeName", "/spec/nodeName"),
    ("spec.restartPolicy", "/spec/restartPolicy"),
    ("spec.schedulerName", "/spec/schedulerName"),
    ("spec.serviceAccountName", "/spec/serviceAccountName"),
    ("spec.hostNetwork", "/spec/hostNetwork"),
    ("status.phase", "/status/phase"),
    ("status.podIP", "/status/podIP"),
    ("status.nominatedNodeName", "/status/nominatedNodeName"),
];

/// A parsed pod field selector (`spec.nodeName=node-1,status.phase!=Running`).
#[derive(Debug, Clone, Default)]
pub struct FieldSelector(Vec<(&'static str, bool, String)>);

impl FieldSelector {
    /// Parses a field selector over the fields the API server supports for pods.
    ///
    /// # Errors
    /// An unsupported field is refused as the API server refuses it.
    pub fn parse_for_pods(raw: &str) -> Result<Self, String> {
        let mut terms = Vec::new();
        for term in raw.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (field, equal, value) = if let Some((f, v)) = term.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                (f, true, v)
            } else {
                return Err(format!(
                    "invalid field selector {raw:?}: {term:?} needs =, == or !="
                ));
            };
            let field = field.trim();
            let pointer = POD_FIELDS
                .iter()
                .find(|(name, _)| *name == field)
                .map(|(_, p)| *p)
                .ok_or_else(|| format!("field label not supported: {field}"))?;
            terms.push((pointer, equal, value.trim().to_string()));
        }
        Ok(Self(terms))
    }

    /// Whether a cached pod satisfies every term, read in place (metadata fields from the
    /// metadata, the rest from spec and status).
    #[must_use]
    pub fn matches_object(&self, pod: &kube::api::DynamicObject) -> bool {
        self.0.iter().all(|(pointer, equal, value)| {
            let actual = match *pointer {
                "/metadata/name" => pod.metadata.name.clone().unwrap_or_default(),
                "/metadata/namespace" => pod.metadata.namespace.clone().unwrap_or_default(),
                _ => match pod.data.pointer(pointer) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Bool(b)) => b.to_string(),
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                },
            };
            (actual == *value) == *equal
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn label_selectors_follow_the_api_syntax() {
        let sel = LabelSelector::parse("app=web, tier in (front,back),!canary").unwrap();
        assert!(sel.matches(&labels(&[("app", "web"), ("tier", "front")])));
        assert!(!sel.matches(&labels(&[
            ("app", "web"),
            ("tier", "front"),
            ("canary", "")
        ])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("tier", "db")])));
        assert_eq!(sel.to_query(), "app=web,tier in (front,back),!canary");
        assert!(
            LabelSelector::parse("app==web")
                .unwrap()
                .matches(&labels(&[("app", "web")]))
        );
        assert!(
            LabelSelector::parse("app!=web")
                .unwrap()
                .matches(&labels(&[]))
        );
        assert!(LabelSelector::parse("app in web").is_err());
        assert!(LabelSelector::parse("a b=c").is_err());
        assert!(LabelSelector::parse("").unwrap().is_empty());
    }

    #[test]
    fn pod_field_selectors_allow_only_supported_fields() {
        let pod: kube::api::DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-1", "namespace": "shop"},
            "spec": {"nodeName": "node-1"}, "status": {"phase": "Running"}}))
        .unwrap();
        let sel = FieldSelector::parse_for_pods(
            "spec.nodeName=node-1,status.phase!=Pending,metadata.namespace=shop",
        )
        .unwrap();
        assert!(sel.matches_object(&pod));
        for other in [
            "spec.nodeName=node-2",
            "metadata.name!=web-1",
            "spec.hostNetwork=true",
        ] {
            assert!(
                !FieldSelector::parse_for_pods(other)
                    .unwrap()
                    .matches_object(&pod),
                "{other}"
            );
        }
        let err = FieldSelector::parse_for_pods("spec.containers=x").unwrap_err();
        assert_eq!(err, "field label not supported: spec.containers");
    }
}
