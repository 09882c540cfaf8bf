//! A pod's row in pod lists and its detail page, as `kubectl get pods` reads them.

use bosun_model::{ContainerState, PodDetail, PodRow};
use kube::api::DynamicObject;
use serde_json::Value;

use super::{as_json, conditions, created, yaml};
use crate::json;

/// `Running`, `CrashLoopBackOff`, `Terminating`...: the STATUS column of `kubectl get pods`.
/// `pod` is the object without its metadata (a cached object's `data`).
fn pod_status(terminating: bool, pod: &Value) -> String {
    if terminating {
        return "Terminating".into();
    }
    for c in json::array(pod, "/status/containerStatuses") {
        let waiting = json::str(c, "/state/waiting/reason");
        if !waiting.is_empty() {
            return waiting.to_string();
        }
        let terminated = json::str(c, "/state/terminated/reason");
        if !terminated.is_empty() && json::str(pod, "/status/phase") != "Succeeded" {
            return terminated.to_string();
        }
    }
    let phase = json::str(pod, "/status/phase");
    if phase.is_empty() {
        "Pending".into()
    } else {
        phase.to_string()
    }
}

/// A pod's row.
#[must_use]
pub fn pod_row(cluster: &str, obj: &DynamicObject) -> PodRow {
    // Spec and status are read where the cache keeps them: converting the whole object
    // for each row would cost more than the rest of a 50,000-pod page.
    let pod = &obj.data;
    let statuses = json::array(pod, "/status/containerStatuses");
    let owner = obj
        .metadata
        .owner_references
        .as_ref()
        .and_then(|o| {
            o.iter()
                .find(|r| r.controller == Some(true))
                .or_else(|| o.first())
        })
        .map(|r| format!("{}/{}", r.kind, r.name))
        .unwrap_or_default();
    PodRow {
        cluster: cluster.to_string(),
        namespace: obj.metadata.namespace.clone().unwrap_or_default(),
        name: obj.metadata.name.clone().unwrap_or_default(),
        status: pod_status(obj.metadata.deletion_timestamp.is_some(), pod),
        ready: statuses.iter().filter(|c| json::bool(c, "/ready")).count() as i64,
        containers: json::array(pod, "/spec/containers").len() as i64,
        restarts: statuses.iter().map(|c| json::int(c, "/restartCount")).sum(),
        node: json::str(pod, "/spec/nodeName").to_string(),
        ip: json::str(pod, "/status/podIP").to_string(),
        created: created(obj),
        owner,
    }
}

fn state_text(state: &Value) -> Option<String> {
    if let Some(r) = state.get("running") {
        return Some(format!("running since {}", json::str(r, "/startedAt")));
    }
    if let Some(w) = state.get("waiting") {
        let reason = json::str(w, "/reason");
        let message = json::str(w, "/message");
        return Some(if message.is_empty() {
            format!("waiting: {reason}")
        } else {
            format!("waiting: {reason} ({message})")
        });
    }
    state.get("terminated").map(|t| {
        format!(
            "terminated: {} (exit {}) at {}",
            json::str(t, "/reason"),
            json::int(t, "/exitCode"),
            json::str(t, "/finishedAt")
        )
    })
}

/// A pod's detail page.
#[must_use]
pub fn pod_detail(cluster: &str, obj: &DynamicObject) -> PodDetail {
    let pod = as_json(obj);
    let statuses = json::array(&pod, "/status/containerStatuses");
    let containers = json::array(&pod, "/spec/containers")
        .iter()
        .map(|spec| {
            let name = json::str(spec, "/name");
            let status = statuses.iter().find(|s| json::str(s, "/name") == name);
            let last = status.and_then(|s| s.get("lastState")).and_then(state_text);
            ContainerState {
                name: name.to_string(),
                image: json::str(spec, "/image").to_string(),
                ready: status.is_some_and(|s| json::bool(s, "/ready")),
                restarts: status.map_or(0, |s| json::int(s, "/restartCount")),
                state: status
                    .and_then(|s| s.get("state"))
                    .and_then(state_text)
                    .unwrap_or_else(|| "waiting: ContainerCreating".into()),
                has_previous: last.is_some(),
                last_state: last,
            }
        })
        .collect();
    PodDetail {
        row: pod_row(cluster, obj),
        labels: obj.metadata.labels.clone().unwrap_or_default(),
        conditions: conditions(&pod),
        containers,
        yaml: yaml(obj),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> DynamicObject {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn pod_rows_read_like_kubectl_get_pods() {
        let p = object(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-1", "namespace": "shop", "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc", "uid": "u", "controller": true}]},
            "spec": {"nodeName": "node-2", "containers": [{"name": "a"}, {"name": "b"}]},
            "status": {"phase": "Running", "podIP": "10.0.0.1", "containerStatuses": [
                {"name": "a", "ready": true, "restartCount": 2, "state": {"running": {}}},
                {"name": "b", "ready": false, "restartCount": 1, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}
        }));
        let row = pod_row("demo", &p);
        assert_eq!(row.status, "CrashLoopBackOff");
        assert_eq!((row.ready, row.containers, row.restarts), (1, 2, 3));
        assert_eq!(row.owner, "ReplicaSet/web-abc");
    }
}
