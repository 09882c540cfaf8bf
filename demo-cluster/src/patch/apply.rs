//! Server-side apply, approximated: the applied configuration is merged into the live
//! object with strategic-merge rules (built-ins) or merge-patch rules (custom resources),
//! and a `managedFields` entry records the field manager and the fields it set. Changing
//! a field another manager owns is a conflict unless forced ([`super::ownership`]).

use serde_json::{Map, Value, json};

use super::ownership;
use crate::clock::now_rfc3339;
use crate::status::ApiResult;

/// Merges `applied` into `live` and records `manager` in managedFields.
///
/// # Errors
/// 409 `Conflict` naming each field another manager owns that this apply would change,
/// unless `force`, which takes those fields over.
pub fn apply(
    live: &mut Value,
    applied: &Value,
    manager: &str,
    custom: bool,
    force: bool,
) -> ApiResult<()> {
    let mut cfg = applied.clone();
    if let Some(md) = cfg.get_mut("metadata").and_then(Value::as_object_mut) {
        // A resourceVersion in the configuration stays: it is the caller's precondition
        // (an edit of a stale copy is refused with 409), as the API server does.
        for f in ["uid", "creationTimestamp", "managedFields", "generation"] {
            md.remove(f);
        }
    }
    let mut merged = live.clone();
    if custom {
        super::merge::apply(&mut merged, &cfg);
    } else {
        super::strategic::apply(&mut merged, &cfg);
    }
    let taken = ownership::conflicts(live, &merged, &owned_fields(applied), manager);
    if !taken.is_empty() && !force && !ownership::all_from_last_applied(live, &taken) {
        return Err(ownership::refusal(live, &taken));
    }
    ownership::disown(&mut merged, &taken);
    *live = merged;
    record(live, applied, manager, "Apply");
    Ok(())
}

/// The fields a configuration sets, as its manager comes to own them (identity aside).
fn owned_fields(applied: &Value) -> Value {
    let mut fields = field_set(applied);
    if let Some(m) = fields.as_object_mut() {
        m.remove("f:apiVersion");
        m.remove("f:kind");
        if let Some(md) = m.get_mut("f:metadata").and_then(Value::as_object_mut) {
            md.remove("f:name");
            md.remove("f:namespace");
            md.remove("f:resourceVersion");
        }
    }
    fields
}

/// Adds or replaces the managedFields entry of `manager`.
pub fn record(obj: &mut Value, applied: &Value, manager: &str, operation: &str) {
    let api_version = applied.get("apiVersion").cloned().unwrap_or(json!(""));
    let fields = owned_fields(applied);
    let entry = managed_entry(manager, operation, api_version, fields);
    let md = &mut obj["metadata"];
    if !md["managedFields"].is_array() {
        md["managedFields"] = json!([]);
    }
    if let Some(list) = md["managedFields"].as_array_mut() {
        list.retain(|e| !(e["manager"] == manager && e["operation"] == operation));
        list.push(entry);
    }
}

/// One `managedFields` entry, stamped now.
fn managed_entry(manager: &str, operation: &str, api_version: Value, fields: Value) -> Value {
    json!({
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": now_rfc3339(),
        "fieldsType": "FieldsV1",
        "fieldsV1": fields,
    })
}

/// Records an update (`PUT`, or a patch other than apply) by `manager`: the fields it
/// changed become its own (an `Update` entry) and leave every other manager's set, and
/// the fields it removed leave every set, as the API server's field manager does.
pub fn record_update(old: &Value, new: &mut Value, manager: &str) {
    let (changed, removed) = ownership::changes(old, new);
    if changed.is_empty() && removed.is_empty() {
        return;
    }
    let api_version = new.get("apiVersion").cloned().unwrap_or(json!(""));
    if !new["metadata"]["managedFields"].is_array() {
        let kept = &old["metadata"]["managedFields"];
        new["metadata"]["managedFields"] = if kept.is_array() {
            kept.clone()
        } else {
            json!([])
        };
    }
    let Some(entries) = new["metadata"]["managedFields"].as_array_mut() else {
        return;
    };
    for entry in entries.iter_mut() {
        let mine = entry["manager"] == manager && entry["operation"] == "Update";
        for field in removed
            .iter()
            .chain(if mine { [].iter() } else { changed.iter() })
        {
            ownership::remove(&mut entry["fieldsV1"], field);
        }
    }
    entries.retain(|e| e["fieldsV1"].as_object().is_some_and(|m| !m.is_empty()));
    if changed.is_empty() {
        return;
    }
    let position = entries
        .iter()
        .position(|e| e["manager"] == manager && e["operation"] == "Update");
    let mut fields = position.map_or(json!({}), |i| entries[i]["fieldsV1"].clone());
    for field in &changed {
        ownership::insert(&mut fields, field);
    }
    let entry = managed_entry(manager, "Update", api_version, fields);
    match position {
        Some(i) => entries[i] = entry,
        None => entries.push(entry),
    }
}

/// FieldsV1 set of a configuration: `f:<name>` per field, `k:{..}` for keyed list items.
pub(super) fn field_set(v: &Value) -> Value {
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
