//! Server-side apply, approximated: the applied configuration is merged into the live
//! object with strategic-merge rules (built-ins) or merge-patch rules (custom resources),
//! and a `managedFields` entry records the field manager and the fields it set.

use serde_json::{Map, Value, json};

use crate::clock::now_rfc3339;

/// Merges `applied` into `live` and records `manager` in managedFields.
pub fn apply(live: &mut Value, applied: &Value, manager: &str, custom: bool) {
    let mut cfg = applied.clone();
    if let Some(md) = cfg.get_mut("metadata").and_then(Value::as_object_mut) {
        // A resourceVersion in the configuration stays: it is the caller's precondition
        // (an edit of a stale copy is refused with 409), as the API server does.
        for f in ["uid", "creationTimestamp", "managedFields", "generation"] {
            md.remove(f);
        }
    }
    if custom {
        super::merge::apply(live, &cfg);
    } else {
        super::strategic::apply(live, &cfg);
    }
    record(live, applied, manager, "Apply");
}

/// Adds or replaces the managedFields entry of `manager`.
pub fn record(obj: &mut Value, applied: &Value, manager: &str, operation: &str) {
    let api_version = applied.get("apiVersion").cloned().unwrap_or(json!(""));
    let mut fields = field_set(applied);
    if let Some(m) = fields.as_object_mut() {
        m.remove("f:apiVersion");
        m.remove("f:kind");
        if let Some(md) = m.get_mut("f:metadata").and_then(Value::as_object_mut) {
            md.remove("f:name");
            md.remove("f:namespace");
        }
    }
    let entry = json!({
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": now_rfc3339(),
        "fieldsType": "FieldsV1",
        "fieldsV1": fields,
    });
    let md = &mut obj["metadata"];
    if !md["managedFields"].is_array() {
        md["managedFields"] = json!([]);
    }
    if let Some(list) = md["managedFields"].as_array_mut() {
        list.retain(|e| !(e["manager"] == manager && e["operation"] == operation));
        list.push(entry);
    }
}

/// FieldsV1 set of a configuration: `f:<name>` per field, `k:{..}` for keyed list items.
fn field_set(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, child) in m {
                out.insert(format!("f:{k}"), field_set(child));
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let mut out = Map::new();
            for item in items {
                if let Some(name) = item.get("name") {
                    out.insert(format!("k:{}", json!({ "name": name })), field_set(item));
                }
            }
            Value::Object(out)
        }
        _ => json!({}),
    }
}
