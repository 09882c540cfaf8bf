//! Strategic merge patch for built-in kinds: like a merge patch, but lists of known
//! fields merge element-wise by a key (containers by name, ports by containerPort...) and
//! `$patch`, `$retainKeys`, `$setElementOrder/..` and `$deleteFromPrimitiveList/..`
//! directives are honoured.

use serde_json::{Map, Value};

/// Merge key of a list field, or `None` when the list is replaced atomically.
fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "tolerations" => "key",
        "hostAliases" => "ip",
        "ownerReferences" => "uid",
        "conditions" => "type",
        "topologySpreadConstraints" => "topologyKey",
        "ports" => {
            if items.iter().any(|i| i.get("containerPort").is_some()) {
                "containerPort"
            } else {
                "port"
            }
        }
        _ => return None,
    })
}

/// Primitive lists whose strategy is "merge" (union) rather than replace.
fn is_primitive_merge(field: &str) -> bool {
    field == "finalizers"
}

/// Removes patch directives from a value that is inserted as-is.
fn strip(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .filter(|x| x.get("$patch").is_none())
                .map(strip)
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Applies a strategic merge patch to `target` in place.
pub fn apply(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        merge_map(t, p);
    }
}

fn merge_map(t: &mut Map<String, Value>, p: &Map<String, Value>) {
    match p.get("$patch").and_then(Value::as_str) {
        Some("replace") => {
            if let Value::Object(m) = strip(&Value::Object(p.clone())) {
                *t = m;
            }
            return;
        }
        Some("delete") => {
            t.clear();
            return;
        }
        _ => {}
    }
    for (k, v) in p {
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(cur)), Some(del)) = (t.get_mut(field), v.as_array()) {
                cur.retain(|x| !del.contains(x));
            }
            continue;
        }
        if k.starts_with('$') {
            continue;
        }
        if v.is_null() {
            t.remove(k);
            continue;
        }
        match v {
            Value::Object(pm) => {
                if pm.get("$patch").and_then(Value::as_str) == Some("delete") {
                    t.remove(k);
                    continue;
                }
                let entry = t
                    .entry(k.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !entry.is_object() {
                    *entry = Value::Object(Map::new());
                }
                if let Value::Object(tm) = entry {
                    merge_map(tm, pm);
                }
            }
            Value::Array(pa) => {
                let cur = t.remove(k);
                t.insert(k.clone(), merge_list(k, cur, pa));
            }
            other => {
                t.insert(k.clone(), other.clone());
            }
        }
    }
    if let Some(keep) = p.get("$retainKeys").and_then(Value::as_array) {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        t.retain(|k, _| keep.contains(&k.as_str()));
    }
}

fn merge_list(field: &str, cur: Option<Value>, patch: &[Value]) -> Value {
    let mut cur = match cur {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    if patch
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        return strip(&Value::Array(patch.to_vec()));
    }
    if is_primitive_merge(field) {
        for x in patch {
            if !cur.contains(x) {
                cur.push(x.clone());
            }
        }
        return Value::Array(cur);
    }
    let Some(key) = merge_key(field, patch) else {
        return strip(&Value::Array(patch.to_vec()));
    };
    for item in patch {
        let Value::Object(pm) = item else { continue };
        let id = pm.get(key).cloned().unwrap_or(Value::Null);
        let pos = cur.iter().position(|c| c.get(key) == Some(&id));
        if pm.get("$patch").and_then(Value::as_str) == Some("delete") {
            if let Some(i) = pos {
                cur.remove(i);
            }
            continue;
        }
        match pos {
            Some(i) => {
                if let Value::Object(cm) = &mut cur[i] {
                    merge_map(cm, pm);
                }
            }
            None => cur.push(strip(item)),
        }
    }
    Value::Array(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn containers_merge_by_name() {
        let mut t = json!({"spec": {"containers": [
            {"name": "a", "image": "a:1", "env": [{"name": "X", "value": "1"}]},
            {"name": "b", "image": "b:1"}
        ]}});
        apply(
            &mut t,
            &json!({"spec": {
            "$setElementOrder/containers": [{"name": "a"}, {"name": "b"}],
            "containers": [
                {"name": "a", "image": "a:2", "env": [{"name": "Y", "value": "2"}]},
                {"name": "b", "$patch": "delete"}
            ]}}),
        );
        assert_eq!(
            t,
            json!({"spec": {"containers": [
                {"name": "a", "image": "a:2", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]}
            ]}})
        );
    }

    #[test]
    fn null_deletes_and_replace_directive() {
        let mut t = json!({"spec": {"unschedulable": true, "template": {"a": 1, "b": 2}}});
        apply(
            &mut t,
            &json!({"spec": {"unschedulable": null, "template": {"$patch": "replace", "c": 3}}}),
        );
        assert_eq!(t, json!({"spec": {"template": {"c": 3}}}));
    }
}
