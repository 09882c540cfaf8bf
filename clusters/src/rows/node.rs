//! Nodes: their rows, and their page with what the pods bound to them request.

use bosun_model::{NodeCondition, NodeDetail, NodeRow, PodRow, ResourceFigures, Taint};
use kube::api::DynamicObject;
use serde_json::Value;

use super::{created, pod_row, yaml};
use crate::{json, quantity};

/// Whether a pod still holds its node's resources (kubectl describe node leaves finished
/// pods out of "Allocated resources" too).
#[must_use]
pub fn pod_is_active(pod: &DynamicObject) -> bool {
    !matches!(
        json::str(&pod.data, "/status/phase"),
        "Succeeded" | "Failed"
    )
}

/// Whether a node's Ready condition is True.
#[must_use]
pub fn node_ready(node: &DynamicObject) -> bool {
    json::array(&node.data, "/status/conditions")
        .iter()
        .any(|c| json::str(c, "/type") == "Ready" && json::str(c, "/status") == "True")
}

/// Whether a node is cordoned.
#[must_use]
pub fn node_cordoned(node: &DynamicObject) -> bool {
    json::bool(&node.data, "/spec/unschedulable")
}

/// A node's row; `pods` is how many active pods are bound to it.
#[must_use]
pub fn node_row(cluster: &str, node: &DynamicObject, pods: usize) -> NodeRow {
    let n = &node.data;
    let mut roles: Vec<&str> = node
        .metadata
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
        .collect();
    roles.sort_unstable();
    NodeRow {
        cluster: cluster.to_string(),
        name: node.metadata.name.clone().unwrap_or_default(),
        ready: node_ready(node),
        schedulable: !node_cordoned(node),
        roles: roles.join(","),
        kubelet_version: json::str(n, "/status/nodeInfo/kubeletVersion").to_string(),
        cpu: json::str(n, "/status/capacity/cpu").to_string(),
        memory: json::str(n, "/status/capacity/memory").to_string(),
        created: created(node),
        taints: json::array(n, "/spec/taints").len(),
        pods,
    }
}

/// The taints of a node's `spec.taints`, in order.
#[must_use]
pub fn taints(node: &Value) -> Vec<Taint> {
    json::array(node, "/spec/taints")
        .iter()
        .filter_map(|t| serde_json::from_value(t.clone()).ok())
        .collect()
}

/// Sums a resource over the containers of pods, from `resources.requests` or `.limits`.
#[must_use]
pub fn pod_sum(pods: &[&DynamicObject], field: &str, resource: &str) -> f64 {
    pods.iter()
        .flat_map(|p| json::array(&p.data, "/spec/containers"))
        .filter_map(|c| c.pointer(&format!("/resources/{field}/{resource}")))
        .filter_map(Value::as_str)
        .filter_map(quantity::parse)
        .sum()
}

fn shown(resource: &str, base: i64) -> String {
    match resource {
        "cpu" if base % 1000 == 0 => format!("{}", base / 1000),
        "cpu" => format!("{base}m"),
        "memory" => {
            const UNITS: [(&str, i64); 3] = [("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)];
            UNITS
                .iter()
                .find(|(_, size)| base >= *size)
                .map(|(unit, size)| {
                    let value = base as f64 / *size as f64;
                    if value.fract() == 0.0 {
                        format!("{value:.0}{unit}")
                    } else {
                        format!("{value:.1}{unit}")
                    }
                })
                .unwrap_or_else(|| base.to_string())
        }
        _ => base.to_string(),
    }
}

/// CPU in millicores, anything else in its base unit.
fn base(resource: &str, value: f64) -> i64 {
    let scaled = if resource == "cpu" {
        value * 1000.0
    } else {
        value
    };
    scaled.round() as i64
}

fn figures(node: &Value, pods: &[&DynamicObject], resource: &str) -> ResourceFigures {
    let read = |pointer: &str| {
        base(
            resource,
            quantity::parse(json::str(node, &format!("{pointer}/{resource}"))).unwrap_or(0.0),
        )
    };
    let (requested, limits) = if resource == "pods" {
        (pods.len() as i64, 0)
    } else {
        (
            base(resource, pod_sum(pods, "requests", resource)),
            base(resource, pod_sum(pods, "limits", resource)),
        )
    };
    let capacity = read("/status/capacity");
    let allocatable = read("/status/allocatable");
    ResourceFigures {
        resource: resource.to_string(),
        capacity,
        allocatable,
        requested,
        limits,
        shown_capacity: shown(resource, capacity),
        shown_allocatable: shown(resource, allocatable),
        shown_requested: shown(resource, requested),
        shown_limits: shown(resource, limits),
    }
}

/// A node's page: its facts, and the pods bound to it (`pods`, every phase).
#[must_use]
pub fn node_detail(cluster: &str, node: &DynamicObject, pods: &[&DynamicObject]) -> NodeDetail {
    let n = &node.data;
    let active: Vec<&DynamicObject> = pods.iter().copied().filter(|p| pod_is_active(p)).collect();
    let mut labels: Vec<(String, String)> = node
        .metadata
        .labels
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    labels.sort();
    let mut rows: Vec<PodRow> = pods.iter().map(|p| pod_row(cluster, p)).collect();
    rows.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    NodeDetail {
        row: node_row(cluster, node, active.len()),
        conditions: json::array(n, "/status/conditions")
            .iter()
            .map(|c| NodeCondition {
                kind: json::str(c, "/type").to_string(),
                status: json::str(c, "/status").to_string(),
                reason: json::str(c, "/reason").to_string(),
                message: json::str(c, "/message").to_string(),
                since: json::str(c, "/lastTransitionTime").to_string(),
            })
            .collect(),
        taints: taints(n),
        labels,
        addresses: json::array(n, "/status/addresses")
            .iter()
            .map(|a| {
                (
                    json::str(a, "/type").to_string(),
                    json::str(a, "/address").to_string(),
                )
            })
            .collect(),
        os_image: json::str(n, "/status/nodeInfo/osImage").to_string(),
        architecture: json::str(n, "/status/nodeInfo/architecture").to_string(),
        container_runtime: json::str(n, "/status/nodeInfo/containerRuntimeVersion").to_string(),
        resources: ["cpu", "memory", "pods"]
            .iter()
            .map(|r| figures(n, &active, r))
            .collect(),
        pods: rows,
        yaml: yaml(node),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_show_in_the_units_people_read() {
        assert_eq!(shown("cpu", 4000), "4");
        assert_eq!(shown("cpu", 1250), "1250m");
        assert_eq!(shown("memory", 8 << 30), "8Gi");
        assert_eq!(shown("memory", 1536 << 20), "1.5Gi");
        assert_eq!(shown("memory", 512), "512");
        assert_eq!(base("cpu", 0.25), 250);
    }
}
