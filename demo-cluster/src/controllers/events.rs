//! Events the controllers record (`Scheduled`, `Started`, `ScalingReplicaSet`, ...), so
//! `kubectl describe` and a console's event views have something real to show. A repeat of
//! an event (same object, type, reason, message and source) bumps its `count` and
//! `lastTimestamp`, as client-go's event correlator does, so a crash loop is one line
//! "(x12 over 9m)" rather than a flood. Old events are pruned to a fixed budget.

use serde_json::{Value, json};

use crate::clock::now_rfc3339;
use crate::kinds::res;
use crate::meta;
use crate::store::Store;

/// Events kept; older ones are deleted first.
const MAX_EVENTS: usize = 1000;

/// Records a core/v1 Event about `obj`, or counts a repeat of one.
pub fn record(store: &Store, obj: &Value, ty: &str, reason: &str, message: &str, component: &str) {
    let ns = match meta::namespace(obj) {
        "" => "default",
        ns => ns,
    };
    let now = now_rfc3339();
    // Named after what makes events the same, so a repeat is one lookup away.
    let identity = [
        meta::uid(obj),
        meta::name(obj),
        ty,
        reason,
        message,
        component,
    ]
    .join("\u{0}");
    let name = format!(
        "{}.{:016x}",
        meta::name(obj),
        meta::fnv(identity.as_bytes())
    );
    if store.get(res::EVENTS, ns, &name).is_some() {
        let _ = store.modify(res::EVENTS, ns, &name, |o| {
            o["count"] = json!(meta::i(o, &["count"]).max(1) + 1);
            o["lastTimestamp"] = json!(now);
            Ok(())
        });
        return;
    }
    let event = json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": { "name": name, "namespace": ns },
        "involvedObject": {
            "apiVersion": meta::s(obj, &["apiVersion"]),
            "kind": meta::s(obj, &["kind"]),
            "name": meta::name(obj),
            "namespace": meta::namespace(obj),
            "uid": meta::uid(obj),
            "resourceVersion": meta::s(obj, &["metadata", "resourceVersion"]),
        },
        "reason": reason,
        "message": message,
        "type": ty,
        "count": 1,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "source": { "component": component },
        "reportingComponent": component,
        "reportingInstance": "bosun-demo",
    });
    let _ = store.create(res::EVENTS, event);
}

/// Deletes the oldest events beyond the budget.
pub fn prune(store: &Store) {
    let mut events = store.all(res::EVENTS);
    if events.len() <= MAX_EVENTS {
        return;
    }
    events.sort_by_key(|e| {
        meta::s(e, &["metadata", "resourceVersion"])
            .parse::<u64>()
            .unwrap_or(0)
    });
    for e in &events[..events.len() - MAX_EVENTS] {
        store.remove(res::EVENTS, meta::namespace(e), meta::name(e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_counted_not_duplicated() {
        let store = Store::new(100);
        let pod = json!({ "apiVersion": "v1", "kind": "Pod", "metadata": { "name": "p", "namespace": "shop", "uid": "u" } });
        record(&store, &pod, "Warning", "BackOff", "back-off", "kubelet");
        record(&store, &pod, "Warning", "BackOff", "back-off", "kubelet");
        record(&store, &pod, "Normal", "Started", "started", "kubelet");
        let events = store.all(res::EVENTS);
        assert_eq!(events.len(), 2);
        let backoff = events
            .iter()
            .find(|e| e["reason"] == "BackOff")
            .expect("BackOff event");
        assert_eq!(backoff["count"], 2);
    }
}
