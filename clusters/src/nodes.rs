//! Nodes, read from each cluster's watch cache.

use bosun_model::NodeRow;
use k8s_openapi::api::core::v1::Node;

use crate::summary::node_is_ready;
use crate::{Cluster, ClusterRegistry};

const ROLE_LABEL_PREFIX: &str = "node-role.kubernetes.io/";

fn row(cluster: &Cluster, node: &Node) -> NodeRow {
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let roles: Vec<&str> = labels
        .keys()
        .filter_map(|k| k.strip_prefix(ROLE_LABEL_PREFIX))
        .collect();
    let status = node.status.as_ref();
    let capacity = status.and_then(|s| s.capacity.as_ref());
    let quantity = |key: &str| {
        capacity
            .and_then(|c| c.get(key))
            .map(|q| q.0.clone())
            .unwrap_or_default()
    };
    NodeRow {
        cluster: cluster.name.clone(),
        name: node.metadata.name.clone().unwrap_or_default(),
        ready: node_is_ready(node),
        schedulable: !node
            .spec
            .as_ref()
            .and_then(|s| s.unschedulable)
            .unwrap_or(false),
        roles: roles.join(","),
        kubelet_version: status
            .and_then(|s| s.node_info.as_ref())
            .map(|i| i.kubelet_version.clone())
            .unwrap_or_default(),
        cpu: quantity("cpu"),
        memory: quantity("memory"),
        created: node
            .metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.to_string())
            .unwrap_or_default(),
    }
}

/// Every node of every cluster whose cache is filled, sorted by cluster and name.
/// Clusters still loading are skipped rather than waited for.
#[must_use]
pub fn all_nodes(registry: &ClusterRegistry) -> Vec<NodeRow> {
    let mut rows: Vec<NodeRow> = registry
        .all()
        .iter()
        .flat_map(|cluster| {
            cluster
                .nodes
                .snapshot()
                .unwrap_or_default()
                .iter()
                .map(|node| row(cluster, node))
                .collect::<Vec<_>>()
        })
        .collect();
    rows.sort_by(|a, b| (&a.cluster, &a.name).cmp(&(&b.cluster, &b.name)));
    rows
}
