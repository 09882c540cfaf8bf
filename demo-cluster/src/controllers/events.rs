//! Events the controllers record (`Scheduled`, `Started`, `ScalingReplicaSet`, ...), so
//! `kubectl describe` and a console's event views have something real to show. Old events
//! are pruned to a fixed budget.

use serde_json::{Value, json};

use crate::clock::now_rfc3339;
use crate::kinds::res;
use crate::meta;
use crate::store::Store;

/// Events kept; older ones are deleted first.
const MAX_EVENTS: usize = 1000;

/// Records a core/v1 Event about `obj`.
pub fn record(store: &Store, obj: &Value, ty: &str, reason: &str, message: &str, component: &str) {
    let ns = match meta::namespace(obj) {
        "" => "default",
        ns => ns,
    };
    let now = now_rfc3339();
    let name = format!(
        "{}.{:016x}",
        meta::name(obj),
        meta::fnv(uuid::Uuid::new_v4().as_bytes())
    );
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
