use serde::{Deserialize, Serialize};

/// One cluster as the Clusters page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSummary {
    pub name: String,
    /// The API server's URL (never credentials).
    pub server: String,
    /// `v1.32.0` and the like, when the cluster answered.
    pub version: Option<String>,
    pub health: ClusterHealth,
    /// From the watch cache; `None` until the first list completed.
    pub nodes: Option<NodeCounts>,
    pub namespaces: Option<usize>,
}

/// Whether Bosun can talk to a cluster right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "reason", rename_all = "lowercase")]
pub enum ClusterHealth {
    Reachable,
    Unreachable(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeCounts {
    pub total: usize,
    pub ready: usize,
    pub unschedulable: usize,
}
