//! Checking an object against an OpenAPI v3 schema as the API server's strict field
//! validation does: unknown fields, values of the wrong type, and `data` that is not
//! base64. Required fields are not checked: a server-side apply may leave out what the live
//! object already has, and the server checks the merged object. Nor are `enum` lists: for
//! built-in kinds they document the usual values, while the server also takes others (an
//! empty toleration effect means every effect), and its dry run names a value it refuses.

use bosun_model::FieldIssue;
use serde_json::{Map, Value};

/// Most issues reported for one object: past that, the first ones are what to fix.
pub const MAX_ISSUES: usize = 20;
/// How deep schemas are followed (`$ref` chains and nesting): objects are finite, but a
/// malformed document could refer to itself.
const MAX_DEPTH: usize = 64;
const REF_PREFIX: &str = "#/components/schemas/";

/// The issues of `value` against `schema`, whose `$ref`s point into `components`. With
/// `redact` (a Secret), messages never quote a value.
#[must_use]
pub fn validate(
    components: &Map<String, Value>,
    schema: &Value,
    value: &Value,
    redact: bool,
) -> Vec<FieldIssue> {
    let mut walk = Walk {
        components,
        issues: Vec::new(),
        redact,
    };
    walk.node(schema, value, &mut Vec::new(), 0);
    walk.issues
}

/// One step of a field path.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// `spec.template.spec.containers[0].image`; a key holding `.` or `/` is bracketed
/// (`metadata.labels[app.kubernetes.io/name]`).
fn render(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) if k.contains(['.', '/', '[', ']']) => {
                out.push('[');
                out.push_str(k);
                out.push(']');
            }
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

struct Walk<'a> {
    components: &'a Map<String, Value>,
    issues: Vec<FieldIssue>,
    redact: bool,
}

impl<'a> Walk<'a> {
    /// A value as a message names it: `a string ("three")`, or only `a string` when
    /// values must not be quoted.
    fn describe(&self, value: &Value) -> String {
        if self.redact {
            describe_kind(value).to_string()
        } else {
            describe(value)
        }
    }

    fn report(&mut self, path: &[Step], message: String) {
        if self.issues.len() < MAX_ISSUES {
            self.issues.push(FieldIssue {
                field: render(path),
                message,
            });
        }
    }

    /// The schema and the ones it stands for (`$ref`, `allOf`), flattened.
    fn parts(&self, schema: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        out.push(schema);
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix(REF_PREFIX))
            .and_then(|name| self.components.get(name))
        {
            self.parts(target, out, depth + 1);
        }
        for sub in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.parts(sub, out, depth + 1);
        }
    }

    fn node(&mut self, schema: &'a Value, value: &Value, path: &mut Vec<Step>, depth: usize) {
        if depth > MAX_DEPTH || value.is_null() || self.issues.len() >= MAX_ISSUES {
            return;
        }
        let mut parts = Vec::new();
        self.parts(schema, &mut parts, depth);
        let flag = |name: &str| {
            parts
                .iter()
                .any(|p| p.get(name) == Some(&Value::Bool(true)))
        };
        let int_or_string_format = parts
            .iter()
            .any(|p| p.get("format").and_then(Value::as_str) == Some("int-or-string"));
        if flag("x-kubernetes-int-or-string") || int_or_string_format {
            if !(value.is_number() || value.is_string()) {
                self.report(
                    path,
                    format!(
                        "expected an integer or a string, got {}",
                        self.describe(value)
                    ),
                );
            }
            return;
        }
        let Some(kind) = parts
            .iter()
            .find_map(|p| p.get("type").and_then(Value::as_str))
        else {
            return;
        };
        match kind {
            "object" => self.object(
                &parts,
                flag("x-kubernetes-preserve-unknown-fields"),
                value,
                path,
                depth,
            ),
            "array" => {
                let Some(items) = value.as_array() else {
                    return self.report(
                        path,
                        format!("expected a list, got {}", self.describe(value)),
                    );
                };
                let Some(item_schema) = parts.iter().find_map(|p| p.get("items")) else {
                    return;
                };
                for (i, item) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    self.node(item_schema, item, path, depth + 1);
                    path.pop();
                }
            }
            "string" => {
                let Some(text) = value.as_str() else {
                    return self.report(
                        path,
                        format!("expected a string, got {}", self.describe(value)),
                    );
                };
                let format = parts
                    .iter()
                    .find_map(|p| p.get("format").and_then(Value::as_str));
                if format == Some("byte") && !is_base64(text) {
                    self.report(
                        path,
                        "expected base64 (to give plain text, put it under stringData)".into(),
                    );
                }
            }
            scalar => {
                let expected = match scalar {
                    "integer" if !(value.is_i64() || value.is_u64()) => "an integer",
                    "number" if !value.is_number() => "a number",
                    "boolean" if !value.is_boolean() => "true or false",
                    _ => return,
                };
                self.report(
                    path,
                    format!("expected {expected}, got {}", self.describe(value)),
                );
            }
        }
    }

    fn object(
        &mut self,
        parts: &[&'a Value],
        preserve_unknown: bool,
        value: &Value,
        path: &mut Vec<Step>,
        depth: usize,
    ) {
        let Some(fields) = value.as_object() else {
            return self.report(
                path,
                format!(
                    "expected an object (key: value lines), got {}",
                    self.describe(value)
                ),
            );
        };
        let properties: Vec<&'a Map<String, Value>> = parts
            .iter()
            .filter_map(|p| p.get("properties").and_then(Value::as_object))
            .collect();
        let additional = parts
            .iter()
            .find_map(|p| p.get("additionalProperties").filter(|a| a.is_object()));
        // An object schema that names no fields (RawExtension, say) holds anything.
        let free_form = properties.is_empty() && additional.is_none();
        for (key, field) in fields {
            let known = properties.iter().find_map(|props| props.get(key));
            path.push(Step::Key(key.clone()));
            match (known, additional) {
                (Some(schema), _) | (None, Some(schema)) => {
                    self.node(schema, field, path, depth + 1)
                }
                (None, None) if free_form || preserve_unknown => {}
                (None, None) => {
                    let names: Vec<&str> = properties
                        .iter()
                        .flat_map(|p| p.keys().map(String::as_str))
                        .collect();
                    let hint = closest(key, &names)
                        .map(|n| format!("; did you mean \"{n}\"?"))
                        .unwrap_or_default();
                    self.report(path, format!("unknown field \"{key}\"{hint}"));
                }
            }
            path.pop();
        }
    }
}

/// A value as an error message names it: `a string ("three")`.
fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => format!("a string (\"{}\")", shorten(s)),
        Value::Number(n) if n.is_f64() => format!("a decimal number ({n})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::Bool(b) => format!("{b}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
        Value::Null => "nothing".into(),
    }
}

/// What kind of value it is, without the value.
fn describe_kind(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Number(n) if n.is_f64() => "a decimal number",
        Value::Number(_) => "a number",
        Value::Bool(_) => "true or false",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
        Value::Null => "nothing",
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Standard base64 as Go's decoder reads `[]byte` fields: padding required, bits past
/// the last byte allowed.
fn is_base64(text: &str) -> bool {
    use base64::Engine as _;
    use base64::engine::{GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    LENIENT.decode(compact).is_ok()
}

/// The known name an unknown one is most likely a typo of (same letters ignoring case, or
/// at most two edits away).
fn closest<'n>(key: &str, names: &[&'n str]) -> Option<&'n str> {
    let lower = key.to_ascii_lowercase();
    names
        .iter()
        .map(|n| (edit_distance(&lower, &n.to_ascii_lowercase()), *n))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn components() -> Map<String, Value> {
        json!({
            "Deployment": {
                "type": "object",
                "properties": {
                    "apiVersion": { "type": "string" },
                    "metadata": { "allOf": [{ "$ref": "#/components/schemas/Meta" }] },
                    "spec": { "$ref": "#/components/schemas/Spec", "description": "d" },
                },
            },
            "Meta": {
                "type": "object",
                "properties": {
                    "name": { "type": "string" },
                    "labels": { "type": "object", "additionalProperties": { "type": "string" } },
                },
            },
            "Spec": {
                "type": "object",
                "properties": {
                    "replicas": { "type": "integer", "format": "int32" },
                    "paused": { "type": "boolean" },
                    "maxSurge": { "x-kubernetes-int-or-string": true },
                    "targetPort": { "type": "string", "format": "int-or-string" },
                    "policy": { "type": "string", "enum": ["Always", "Never"] },
                    "data": { "type": "object", "additionalProperties": { "type": "string", "format": "byte" } },
                    "raw": { "type": "object" },
                    "items": { "type": "array", "items": { "$ref": "#/components/schemas/Meta" } },
                },
            },
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    fn check(value: Value) -> Vec<(String, String)> {
        let c = components();
        validate(&c, &c["Deployment"], &value, false)
            .into_iter()
            .map(|i| (i.field, i.message))
            .collect()
    }

    #[test]
    fn a_valid_object_has_no_issues() {
        let issues = check(json!({
            "apiVersion": "apps/v1",
            "metadata": { "name": "web", "labels": { "app.kubernetes.io/name": "web" } },
            "spec": {
                "replicas": 3, "paused": null, "maxSurge": "25%", "policy": "Never", "targetPort": 8080,
                "data": { "k": "aGVsbG8=" }, "raw": { "anything": [1, 2] },
                "items": [{ "name": "a" }],
            },
        }));
        assert!(issues.is_empty(), "{issues:?}");
    }

    #[test]
    fn unknown_fields_wrong_types_and_enums_are_named_by_path() {
        let issues = check(json!({
            "metadata": { "labels": { "app.kubernetes.io/name": 7 } },
            "spec": {
                "replica": 3, "replicas": "three", "paused": "yes", "maxSurge": true,
                "policy": "Sometimes", "data": { "k": "not base64!", "j": "YR==" },
                "items": [{ "name": "a" }, { "nmae": "b" }],
            },
        }));
        let expect = [
            (
                "metadata.labels[app.kubernetes.io/name]",
                "expected a string, got a number (7)",
            ),
            (
                "spec.data.k",
                "expected base64 (to give plain text, put it under stringData)",
            ),
            (
                "spec.items[1].nmae",
                "unknown field \"nmae\"; did you mean \"name\"?",
            ),
            ("spec.maxSurge", "expected an integer or a string, got true"),
            (
                "spec.paused",
                "expected true or false, got a string (\"yes\")",
            ),
            (
                "spec.replica",
                "unknown field \"replica\"; did you mean \"replicas\"?",
            ),
            (
                "spec.replicas",
                "expected an integer, got a string (\"three\")",
            ),
        ];
        let got: Vec<(&str, &str)> = issues
            .iter()
            .map(|(f, m)| (f.as_str(), m.as_str()))
            .collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn a_decimal_is_not_an_integer_and_far_names_get_no_hint() {
        let issues = check(json!({ "spec": { "replicas": 2.5, "zzzzzz": 1 } }));
        assert_eq!(
            issues[0].1,
            "expected an integer, got a decimal number (2.5)"
        );
        assert_eq!(issues[1].1, "unknown field \"zzzzzz\"");
    }

    #[test]
    fn a_secret_s_values_are_never_quoted() {
        let c = components();
        let value = json!({ "spec": { "replicas": "hunter2" } });
        let issues = validate(&c, &c["Deployment"], &value, true);
        assert_eq!(issues[0].message, "expected an integer, got a string");
    }

    #[test]
    fn issues_stop_at_the_limit() {
        let many: Map<String, Value> = (0..50).map(|i| (format!("x{i}"), json!(1))).collect();
        assert_eq!(check(json!({ "spec": many })).len(), MAX_ISSUES);
    }
}
