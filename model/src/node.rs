use serde::{Deserialize, Serialize};

/// One node as the Nodes page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeRow {
    pub cluster: String,
    pub name: String,
    pub ready: bool,
    /// `false` when cordoned.
    pub schedulable: bool,
    /// From the `node-role.kubernetes.io/*` labels, comma-separated; empty when none.
    pub roles: String,
    pub kubelet_version: String,
    pub cpu: String,
    pub memory: String,
    /// RFC 3339.
    pub created: String,
}
