//! JSON merge patch (RFC 7386).

use serde_json::{Map, Value};

/// Applies a merge patch in place: objects merge recursively, `null` deletes, anything
/// else replaces.
pub fn apply(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                apply(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_merge_and_null_deletes() {
        let mut t = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1]});
        apply(
            &mut t,
            &json!({"b": {"c": 5, "d": null}, "e": [2], "f": true}),
        );
        assert_eq!(t, json!({"a": 1, "b": {"c": 5}, "e": [2], "f": true}));
    }
}
