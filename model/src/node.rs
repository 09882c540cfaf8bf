use serde::{Deserialize, Serialize};

use crate::PodRow;

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
    /// How many taints it has (the detail page lists them).
    #[serde(default)]
    pub taints: usize,
    /// Pods bound to it, finished ones excluded.
    #[serde(default)]
    pub pods: usize,
}

impl NodeRow {
    /// "Ready", "Ready, cordoned", "NotReady", "NotReady, cordoned", as kubectl's STATUS.
    #[must_use]
    pub fn status(&self) -> &'static str {
        match (self.ready, self.schedulable) {
            (true, true) => "Ready",
            (true, false) => "Ready,SchedulingDisabled",
            (false, true) => "NotReady",
            (false, false) => "NotReady,SchedulingDisabled",
        }
    }
}

/// Filters of the node list: `?q=` (name contains), `?labelSelector=`, paging.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeQuery {
    pub cluster: Option<String>,
    pub q: Option<String>,
    pub label_selector: Option<String>,
    /// `name`, `cluster`, `age`, `status`, `pods`; `-` in front for descending.
    pub sort: Option<String>,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
}

/// A node taint, as `spec.taints` holds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Taint {
    pub key: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: String,
    /// RFC 3339; set by the API server for `NoExecute` taints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_added: Option<String>,
}

impl Taint {
    /// The effects a taint may have.
    pub const EFFECTS: [&'static str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    /// `key=value:Effect`, as `kubectl taint` spells it.
    #[must_use]
    pub fn spec(&self) -> String {
        if self.value.is_empty() {
            format!("{}:{}", self.key, self.effect)
        } else {
            format!("{}={}:{}", self.key, self.value, self.effect)
        }
    }
}

/// One condition of a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeCondition {
    pub kind: String,
    pub status: String,
    pub reason: String,
    pub message: String,
    /// RFC 3339.
    pub since: String,
}

/// Capacity, allocatable and what the node's pods request and limit, for one resource.
/// Quantities in base units (millicores for CPU, bytes for memory, a count for pods) so
/// the page draws bars; `shown_*` are the human forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceFigures {
    /// `cpu`, `memory` or `pods`.
    pub resource: String,
    pub capacity: i64,
    pub allocatable: i64,
    pub requested: i64,
    pub limits: i64,
    pub shown_capacity: String,
    pub shown_allocatable: String,
    pub shown_requested: String,
    pub shown_limits: String,
}

impl ResourceFigures {
    /// Requested as a share of allocatable, in percent (0 when nothing is allocatable).
    #[must_use]
    pub fn requested_percent(&self) -> i64 {
        if self.allocatable <= 0 {
            0
        } else {
            self.requested.saturating_mul(100) / self.allocatable
        }
    }
}

/// A node, whole, for its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeDetail {
    pub row: NodeRow,
    pub conditions: Vec<NodeCondition>,
    pub taints: Vec<Taint>,
    pub labels: Vec<(String, String)>,
    pub addresses: Vec<(String, String)>,
    pub os_image: String,
    pub architecture: String,
    pub container_runtime: String,
    pub resources: Vec<ResourceFigures>,
    /// The pods bound to it.
    pub pods: Vec<PodRow>,
    /// The object as the API server returns it (managedFields dropped), for the YAML tab.
    pub yaml: String,
}
