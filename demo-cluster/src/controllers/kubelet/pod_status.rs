//! The pod and container statuses the kubelet reports when it starts a pod.

use serde_json::{Value, json};

use super::image_pull;
use crate::meta;

/// The IP a pod gets on a node (stable per pod name).
pub fn pod_ip(node: &str, pod: &Value) -> String {
    let idx: u64 = node
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(9);
    let h = meta::fnv(format!("{}/{}", meta::namespace(pod), meta::name(pod)).as_bytes());
    format!("10.244.{}.{}", idx, 2 + h % 250)
}

/// The id of a container's `run`-th run (each restart is a new container).
pub fn container_id(pod: &Value, container: &str, run: i64) -> String {
    let seed = if run == 0 {
        format!("{}/{container}", meta::uid(pod))
    } else {
        format!("{}/{container}/{run}", meta::uid(pod))
    };
    format!("containerd://{:016x}", meta::fnv(seed.as_bytes()))
}

/// A container that runs since `now`.
fn running_container(pod: &Value, spec: &Value, now: &str) -> Value {
    let name = spec["name"].as_str().unwrap_or("");
    let image = spec["image"].as_str().unwrap_or("");
    json!({
        "name": name,
        "image": image,
        "imageID": format!("docker.io/library/{image}@sha256:{:016x}", meta::fnv(image.as_bytes())),
        "containerID": container_id(pod, name, 0),
        "ready": true,
        "started": true,
        "restartCount": 0,
        "state": { "running": { "startedAt": now } },
    })
}

/// A container whose image could not be pulled: no image id, no container.
fn pull_failed_container(spec: &Value) -> Value {
    let image = spec["image"].as_str().unwrap_or("");
    json!({
        "name": spec["name"].as_str().unwrap_or(""),
        "image": image,
        "imageID": "",
        "ready": false,
        "started": false,
        "restartCount": 0,
        "state": { "waiting": image_pull::waiting(image, image_pull::ERR_IMAGE_PULL) },
    })
}

/// Status of a pod the kubelet just started on `node`: containers whose image cannot be
/// pulled wait, the others run. The pod is Pending while any container waits (the
/// kubelet's `getPhase`) and Ready only when every container is.
pub fn started_status(pod: &Value, node: &str, now: &str) -> Value {
    let statuses: Vec<Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    if image_pull::fails(c["image"].as_str().unwrap_or("")) {
                        pull_failed_container(c)
                    } else {
                        running_container(pod, c, now)
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let unready: Vec<&str> = statuses
        .iter()
        .filter(|c| c["ready"] != true)
        .filter_map(|c| c["name"].as_str())
        .collect();
    let waiting = statuses
        .iter()
        .any(|c| c.pointer("/state/waiting").is_some());
    let ip = pod_ip(node, pod);
    let cond = |t: &str| json!({ "type": t, "status": "True", "lastProbeTime": null, "lastTransitionTime": now });
    let readiness = |t: &str| {
        if unready.is_empty() {
            cond(t)
        } else {
            json!({
                "type": t, "status": "False", "lastProbeTime": null, "lastTransitionTime": now,
                "reason": "ContainersNotReady",
                "message": format!("containers with unready status: [{}]", unready.join(" ")),
            })
        }
    };
    json!({
        "phase": if waiting { "Pending" } else { "Running" },
        "hostIP": format!("192.168.49.{}", 10 + node.rsplit('-').next().and_then(|n| n.parse::<u32>().ok()).unwrap_or(0)),
        "podIP": ip,
        "podIPs": [{ "ip": ip }],
        "startTime": now,
        "qosClass": "BestEffort",
        "conditions": [cond("PodReadyToStartContainers"), cond("Initialized"), readiness("Ready"), readiness("ContainersReady"), cond("PodScheduled")],
        "containerStatuses": statuses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_container_that_cannot_be_pulled_keeps_the_pod_pending_and_unready() {
        let pod = json!({
            "metadata": { "name": "reports-1", "namespace": "payments", "uid": "u" },
            "spec": { "containers": [
                { "name": "reports", "image": "ghcr.io/bosun/reports:does-not-exist" },
                { "name": "sidecar", "image": "fluent/fluent-bit:3.1" },
            ] },
        });
        let st = started_status(&pod, "node-2", "2026-01-01T00:00:00Z");
        assert_eq!(st["phase"], "Pending");
        assert_eq!(
            st["containerStatuses"][0]["state"]["waiting"]["reason"],
            "ErrImagePull"
        );
        assert_eq!(st["containerStatuses"][0]["started"], false);
        assert!(st["containerStatuses"][1]["state"]["running"].is_object());
        assert_eq!(st["conditions"][2]["status"], "False");
        assert_eq!(
            st["conditions"][2]["message"],
            "containers with unready status: [reports]"
        );
    }
}
