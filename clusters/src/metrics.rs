//! Cluster-wide usage, as the Kruise Dashboard's metrics card shows it: node and pod
//! counts from the watch caches, CPU and memory in use from the metrics API (when the
//! cluster serves it) against the nodes' allocatable capacity.

use bosun_core::{ClusterMetrics, Result};
use bosun_model::KindId;
use http::Method;
use serde_json::Value;

use crate::cluster::Cluster;
use crate::config::ACTION_DEADLINE;
use crate::error::with_deadline;
use crate::{json, quantity, raw, rows};

fn sum(values: &[Value], pointer: &str) -> f64 {
    values
        .iter()
        .filter_map(|v| quantity::parse(json::str(v, pointer)))
        .sum()
}

fn percent(used: f64, capacity: f64) -> Option<f64> {
    (capacity > 0.0).then(|| (used / capacity * 1000.0).round() / 10.0)
}

/// The metrics of one cluster.
pub async fn metrics(cluster: &Cluster) -> Result<ClusterMetrics> {
    let nodes: Vec<Value> = cluster
        .node_objects()?
        .iter()
        .map(|n| rows::as_json(n))
        .collect();
    let pods = cluster
        .cache(KindId::Pod)?
        .objects()
        .map_err(|s| cluster.not_ready("pods", &s))?;
    let ready_nodes = nodes
        .iter()
        .filter(|n| {
            json::array(n, "/status/conditions")
                .iter()
                .any(|c| json::str(c, "/type") == "Ready" && json::str(c, "/status") == "True")
        })
        .count();
    let running_pods = pods
        .iter()
        .filter(|p| json::str(&rows::as_json(p), "/status/phase") == "Running")
        .count();
    let client = &cluster.clients()?.action;
    // Usage is optional: a cluster without metrics-server still has counts.
    let usage = with_deadline(
        cluster.name(),
        ACTION_DEADLINE,
        raw::send(
            client,
            cluster.name(),
            Method::GET,
            "/apis/metrics.k8s.io/v1beta1/nodes",
            None,
            None,
        ),
    )
    .await
    .ok();
    let (cpu_percent, memory_percent) = match usage {
        Some(list) => {
            let items = json::array(&list, "/items");
            (
                percent(
                    sum(items, "/usage/cpu"),
                    sum(&nodes, "/status/allocatable/cpu"),
                ),
                percent(
                    sum(items, "/usage/memory"),
                    sum(&nodes, "/status/allocatable/memory"),
                ),
            )
        }
        None => (None, None),
    };
    Ok(ClusterMetrics {
        total_nodes: nodes.len(),
        ready_nodes,
        total_pods: pods.len(),
        running_pods,
        cpu_percent,
        memory_percent,
    })
}
