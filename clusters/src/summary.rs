//! A cluster's health at a glance: does it answer, which version, how many nodes are ready.

use std::time::Duration;

use bosun_model::{ClusterHealth, ClusterSummary, NodeCounts};
use k8s_openapi::api::core::v1::Node;

use crate::Cluster;

/// How long the version probe may take before the cluster counts as unreachable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Whether a node reports the `Ready` condition as `True`.
#[must_use]
pub fn node_is_ready(node: &Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|conditions| {
            conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
        })
}

/// Probes the API server and reads node and namespace counts from the watch caches.
pub async fn summarize(cluster: &Cluster) -> ClusterSummary {
    let probe = tokio::time::timeout(PROBE_TIMEOUT, cluster.client.apiserver_version()).await;
    let (version, health) = match probe {
        Ok(Ok(info)) => (Some(info.git_version), ClusterHealth::Reachable),
        Ok(Err(e)) => (None, ClusterHealth::Unreachable(e.to_string())),
        Err(_) => (
            None,
            ClusterHealth::Unreachable(format!("no answer within {} s", PROBE_TIMEOUT.as_secs())),
        ),
    };
    let nodes = cluster.nodes.snapshot().map(|nodes| NodeCounts {
        total: nodes.len(),
        ready: nodes.iter().filter(|n| node_is_ready(n)).count(),
        unschedulable: nodes
            .iter()
            .filter(|n| {
                n.spec
                    .as_ref()
                    .and_then(|s| s.unschedulable)
                    .unwrap_or(false)
            })
            .count(),
    });
    ClusterSummary {
        name: cluster.name.clone(),
        server: cluster.server.clone(),
        version,
        health,
        nodes,
        namespaces: cluster.namespaces.snapshot().map(|ns| ns.len()),
    }
}

/// Summaries of every registered cluster, probed concurrently so one slow cluster costs
/// its own timeout, not the sum of all.
pub async fn summarize_all(registry: &crate::ClusterRegistry) -> Vec<ClusterSummary> {
    let clusters = registry.all();
    futures::future::join_all(clusters.iter().map(|c| summarize(c))).await
}
