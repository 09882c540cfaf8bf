//! Field ownership under server-side apply, as the API server's structured-merge-diff
//! decides it: an apply that would change a field another manager owns is a conflict,
//! refused with 409 unless forced; forced, the applier takes the field over and the other
//! manager's entry loses it.
//!
//! Caveat: ownership is read from `managedFields` as recorded here (applies and creates);
//! objects the demo seeds have none, so nothing conflicts on them until someone applies.

use serde_json::{Map, Value};

use crate::status::ApiError;

/// A field in FieldsV1 keys: `["f:spec", "f:replicas"]`,
/// `["f:spec", "f:containers", "k:{\"name\":\"web\"}", "f:image"]`.
pub type FieldPath = Vec<String>;

/// A field another manager owns that an apply would change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Position of the owner's entry in `metadata.managedFields`.
    pub entry: usize,
    pub field: FieldPath,
}

/// The leaves of a FieldsV1 set: the fields it owns (`"."` owns the node itself).
pub fn leaves(set: &Value) -> Vec<FieldPath> {
    fn walk(node: &Value, path: &mut FieldPath, out: &mut Vec<FieldPath>) {
        let Some(map) = node.as_object() else { return };
        if map.is_empty() {
            out.push(path.clone());
            return;
        }
        for (key, child) in map {
            if key == "." {
                out.push(path.clone());
                continue;
            }
            path.push(key.clone());
            walk(child, path, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(set, &mut Vec::new(), &mut out);
    out
}

/// Whether a FieldsV1 set holds `field`.
fn owns(set: &Value, field: &[String]) -> bool {
    let mut node = set;
    for key in field {
        match node.get(key) {
            Some(child) => node = child,
            None => return false,
        }
    }
    true
}

/// The value at `field` in an object; a keyed list item is the one whose keys match.
fn value_at<'a>(obj: &'a Value, field: &[String]) -> Option<&'a Value> {
    let mut node = obj;
    for key in field {
        node = if let Some(name) = key.strip_prefix("f:") {
            node.get(name)?
        } else if let Some(keys) = key.strip_prefix("k:") {
            let keys: Map<String, Value> = serde_json::from_str(keys).ok()?;
            node.as_array()?
                .iter()
                .find(|item| keys.iter().all(|(k, v)| item.get(k) == Some(v)))?
        } else {
            return None;
        };
    }
    Some(node)
}

/// A field as the API server prints it: `.spec.template.spec.containers[name="web"].image`.
pub fn display(field: &[String]) -> String {
    let mut out = String::new();
    for key in field {
        if let Some(name) = key.strip_prefix("f:") {
            out.push('.');
            out.push_str(name);
        } else if let Some(keys) = key.strip_prefix("k:") {
            let keys: Map<String, Value> = serde_json::from_str(keys).unwrap_or_default();
            let parts: Vec<String> = keys.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(&format!("[{}]", parts.join(",")));
        } else if let Some(value) = key.strip_prefix("v:") {
            out.push_str(&format!("[={value}]"));
        } else {
            out.push_str(&format!(".{key}"));
        }
    }
    out
}

/// The fields of `applied` (a FieldsV1 set) that the apply changes (`live` → `merged`)
/// and that a manager other than `manager` owns.
pub fn conflicts(live: &Value, merged: &Value, applied: &Value, manager: &str) -> Vec<Conflict> {
    let Some(entries) = live["metadata"]["managedFields"].as_array() else {
        return Vec::new();
    };
    let changed: Vec<FieldPath> = leaves(applied)
        .into_iter()
        .filter(|f| value_at(live, f) != value_at(merged, f))
        .collect();
    let mut out = Vec::new();
    for (entry, owner) in entries.iter().enumerate() {
        if owner["manager"] == manager {
            continue;
        }
        for field in &changed {
            if owns(&owner["fieldsV1"], field) {
                out.push(Conflict {
                    entry,
                    field: field.clone(),
                });
            }
        }
    }
    out
}

/// Whether every conflict is a field client-side `kubectl apply` set and no one changed
/// since: its live value is still the one in the last-applied annotation. The API server
/// lets an apply take those over (its last-applied manager), so moving from client-side
/// to server-side apply does not stop at the fields the client-side apply owned.
pub fn all_from_last_applied(live: &Value, conflicts: &[Conflict]) -> bool {
    let Some(last) =
        live["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .as_str()
            .and_then(|text| serde_json::from_str::<Value>(text).ok())
    else {
        return false;
    };
    conflicts.iter().all(|c| {
        let was = value_at(&last, &c.field);
        was.is_some() && was == value_at(live, &c.field)
    })
}

/// How the API server names a manager in a conflict: an applier by name, an updater
/// with the version it wrote and when.
fn manager_label(entry: &Value) -> String {
    let name = serde_json::to_string(entry["manager"].as_str().unwrap_or("")).unwrap_or_default();
    if entry["operation"] != "Update" {
        return name;
    }
    let version = entry["apiVersion"].as_str().unwrap_or("");
    match entry["time"].as_str() {
        Some(time) => format!("{name} using {version} at {time}"),
        None => format!("{name} using {version}"),
    }
}

/// The API server's refusal (`apierrors.NewApplyConflict`): 409 `Conflict`, one cause per
/// field, and the message kubectl prints.
pub fn refusal(live: &Value, conflicts: &[Conflict]) -> ApiError {
    let entries = live["metadata"]["managedFields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let label = |c: &Conflict| manager_label(&entries[c.entry]);
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|c| {
            serde_json::json!({
                "reason": "FieldManagerConflict",
                "message": format!("conflict with {}", label(c)),
                "field": display(&c.field),
            })
        })
        .collect();
    let message = if let [only] = conflicts {
        format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            label(only),
            display(&only.field)
        )
    } else {
        let mut labels: Vec<String> = conflicts.iter().map(label).collect();
        labels.sort();
        labels.dedup();
        let mut lines = Vec::new();
        for manager in labels {
            lines.push(format!("conflicts with {manager}:"));
            for c in conflicts.iter().filter(|c| label(c) == manager) {
                lines.push(format!("- {}", display(&c.field)));
            }
        }
        format!(
            "Apply failed with {} conflicts: {}",
            conflicts.len(),
            lines.join("\n")
        )
    };
    ApiError::apply_conflict(message, causes)
}

/// Takes the conflicting fields out of their owners' entries (a forced apply); an entry
/// left owning nothing is dropped.
pub fn disown(obj: &mut Value, conflicts: &[Conflict]) {
    let Some(entries) = obj["metadata"]["managedFields"].as_array_mut() else {
        return;
    };
    for c in conflicts {
        if let Some(entry) = entries.get_mut(c.entry) {
            remove(&mut entry["fieldsV1"], &c.field);
        }
    }
    entries.retain(|e| e["fieldsV1"].as_object().is_some_and(|m| !m.is_empty()));
}

/// Adds `field` to a FieldsV1 set.
pub fn insert(set: &mut Value, field: &[String]) {
    let mut node = set;
    for key in field {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        node = node
            .as_object_mut()
            .map(|m| {
                m.entry(key.clone())
                    .or_insert_with(|| Value::Object(Map::new()))
            })
            .expect("made an object above");
    }
}

/// Fields that only the server sets, which no manager owns.
const SERVER_SET: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "generation",
    "uid",
    "creationTimestamp",
    "selfLink",
];

/// What an update changed, as FieldsV1 leaves: the fields it set or changed, and the
/// fields it removed (status and server-set metadata aside).
pub fn changes(old: &Value, new: &Value) -> (Vec<FieldPath>, Vec<FieldPath>) {
    let mut changed = Vec::new();
    let mut removed = Vec::new();
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("status");
            m.remove("apiVersion");
            m.remove("kind");
        }
        if let Some(md) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            for f in SERVER_SET {
                md.remove(*f);
            }
        }
        v
    };
    diff(
        &strip(old),
        &strip(new),
        &mut Vec::new(),
        &mut changed,
        &mut removed,
    );
    (changed, removed)
}

/// A keyed list item's FieldsV1 key (`k:{"name":"web"}`), for lists of named items.
fn item_key(item: &Value) -> Option<String> {
    let name = item.get("name")?;
    Some(format!("k:{}", serde_json::json!({ "name": name })))
}

fn diff(
    old: &Value,
    new: &Value,
    path: &mut FieldPath,
    changed: &mut Vec<FieldPath>,
    removed: &mut Vec<FieldPath>,
) {
    let set_all = |path: &FieldPath, value: &Value, changed: &mut Vec<FieldPath>| {
        for leaf in leaves(&super::apply::field_set(value)) {
            changed.push(path.iter().cloned().chain(leaf).collect());
        }
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                path.push(format!("f:{k}"));
                match a.get(k) {
                    Some(was) => diff(was, v, path, changed, removed),
                    None => set_all(path, v, changed),
                }
                path.pop();
            }
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                removed.push(path.iter().cloned().chain([format!("f:{k}")]).collect());
            }
        }
        (Value::Array(a), Value::Array(b)) if a.iter().chain(b).all(|i| item_key(i).is_some()) => {
            for item in b {
                let key = item_key(item).unwrap_or_default();
                path.push(key.clone());
                match a
                    .iter()
                    .find(|i| item_key(i).as_deref() == Some(key.as_str()))
                {
                    Some(was) => diff(was, item, path, changed, removed),
                    None => set_all(path, item, changed),
                }
                path.pop();
            }
            for item in a {
                let key = item_key(item).unwrap_or_default();
                if !b
                    .iter()
                    .any(|i| item_key(i).as_deref() == Some(key.as_str()))
                {
                    removed.push(path.iter().cloned().chain([key]).collect());
                }
            }
        }
        _ if old != new => set_all(path, new, changed),
        _ => {}
    }
}

/// Removes `field` from a FieldsV1 set and the parents it leaves empty.
pub fn remove(set: &mut Value, field: &[String]) {
    let Some((first, rest)) = field.split_first() else {
        return;
    };
    let Some(map) = set.as_object_mut() else {
        return;
    };
    if rest.is_empty() {
        map.remove(first);
        return;
    }
    if let Some(child) = map.get_mut(first) {
        remove(child, rest);
        if child.as_object().is_some_and(Map::is_empty) {
            map.remove(first);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn live() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "metadata": {"name": "web", "managedFields": [
                {"manager": "ci", "operation": "Apply", "apiVersion": "apps/v1",
                 "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
                     "k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}}}}}}}},
                {"manager": "kubectl-edit", "operation": "Update", "apiVersion": "apps/v1",
                 "time": "2026-11-23T10:00:00Z", "fieldsV1": {"f:metadata": {"f:labels": {"f:tier": {}}}}}
            ]},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "web", "image": "web:1"}]}}}
        })
    }

    #[test]
    fn only_changed_fields_another_manager_owns_conflict() {
        let live = live();
        let mut merged = live.clone();
        merged["spec"]["replicas"] = json!(5);
        let applied = json!({"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
            "k:{\"name\":\"web\"}": {"f:image": {}, "f:name": {}}}}}}});
        let found = conflicts(&live, &merged, &applied, "bosun");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(display(&found[0].field), ".spec.replicas");
        // The same apply as the owner is no conflict.
        assert!(conflicts(&live, &merged, &applied, "ci").is_empty());
        let err = refusal(&live, &found);
        assert_eq!((err.code, err.reason), (409, "Conflict"));
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"ci\": .spec.replicas"
        );
    }

    #[test]
    fn several_conflicts_are_grouped_by_manager_and_forcing_takes_them_over() {
        let mut live = live();
        let mut merged = live.clone();
        merged["spec"]["template"]["spec"]["containers"][0]["image"] = json!("web:2");
        merged["metadata"]["labels"] = json!({"tier": "front"});
        let applied = json!({"f:metadata": {"f:labels": {"f:tier": {}}}, "f:spec": {"f:template": {"f:spec": {"f:containers": {
            "k:{\"name\":\"web\"}": {"f:image": {}}}}}}});
        let found = conflicts(&live, &merged, &applied, "bosun");
        assert_eq!(found.len(), 2);
        let message = refusal(&live, &found).message;
        assert!(message.starts_with("Apply failed with 2 conflicts: conflicts with \"ci\":\n- .spec.template.spec.containers[name=\"web\"].image\nconflicts with \"kubectl-edit\" using apps/v1 at 2026-11-23T10:00:00Z:\n- .metadata.labels.tier"), "{message}");
        disown(&mut live, &found);
        let entries = live["metadata"]["managedFields"].as_array().unwrap();
        assert_eq!(
            entries.len(),
            1,
            "the editor owned nothing else: {entries:?}"
        );
        let ci = &entries[0]["fieldsV1"];
        assert!(owns(ci, &["f:spec".into(), "f:replicas".into()]));
        assert!(!owns(
            ci,
            &[
                "f:spec".into(),
                "f:template".into(),
                "f:spec".into(),
                "f:containers".into(),
                "k:{\"name\":\"web\"}".into(),
                "f:image".into()
            ]
        ));
    }

    #[test]
    fn an_update_takes_what_it_changed_and_removals_leave_every_set() {
        let old = live();
        let mut new = old.clone();
        new["spec"]["replicas"] = json!(4);
        new["spec"]["template"]["spec"]["containers"][0]["env"] =
            json!([{"name": "A", "value": "1"}]);
        let (changed, removed) = changes(&old, &new);
        let shown: Vec<String> = changed.iter().map(|f| display(f)).collect();
        assert_eq!(
            shown,
            vec![
                ".spec.replicas",
                ".spec.template.spec.containers[name=\"web\"].env[name=\"A\"].name",
                ".spec.template.spec.containers[name=\"web\"].env[name=\"A\"].value"
            ]
        );
        assert!(removed.is_empty());
        crate::patch::apply::record_update(&old, &mut new, "kubectl-edit");
        let entries = new["metadata"]["managedFields"].as_array().unwrap();
        let ci = &entries[0]["fieldsV1"];
        assert!(!owns(ci, &["f:spec".into(), "f:replicas".into()]));
        let edit = entries
            .iter()
            .find(|e| e["manager"] == "kubectl-edit")
            .unwrap();
        assert!(owns(
            &edit["fieldsV1"],
            &["f:spec".into(), "f:replicas".into()]
        ));
        assert!(owns(
            &edit["fieldsV1"],
            &["f:metadata".into(), "f:labels".into(), "f:tier".into()]
        ));
        // An apply by ci now conflicts with the editor.
        let mut merged = new.clone();
        merged["spec"]["replicas"] = json!(2);
        let applied = json!({"f:spec": {"f:replicas": {}}});
        let found = conflicts(&new, &merged, &applied, "ci");
        assert_eq!(found.len(), 1);
        assert!(
            refusal(&new, &found)
                .message
                .contains("conflict with \"kubectl-edit\" using apps/v1 at ")
        );
    }
}
