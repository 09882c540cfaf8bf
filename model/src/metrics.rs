//! CPU and memory usage from `metrics.k8s.io`, now and over the last hours: what the node
//! and pod pages chart against allocatable capacity, requests and limits.

use serde::{Deserialize, Serialize};

/// One sample: when (Unix seconds), CPU in cores, memory in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UsagePoint {
    pub at: i64,
    pub cpu: f64,
    pub memory: f64,
}

/// A node's usage now against what it can give pods, and its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeUsage {
    pub cluster: String,
    pub name: String,
    /// Cores in use.
    pub cpu: f64,
    /// Bytes in use.
    pub memory: f64,
    pub cpu_allocatable: f64,
    pub memory_allocatable: f64,
    #[serde(default)]
    pub history: Vec<UsagePoint>,
}

/// A pod's usage now against its containers' requests and limits (summed; 0 when unset),
/// and its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PodUsage {
    pub cluster: String,
    pub namespace: String,
    pub name: String,
    pub cpu: f64,
    pub memory: f64,
    pub cpu_requests: f64,
    pub cpu_limits: f64,
    pub memory_requests: f64,
    pub memory_limits: f64,
    #[serde(default)]
    pub history: Vec<UsagePoint>,
}

/// Usage of a cluster's nodes or pods: `available` is false when the cluster serves no
/// metrics API (then `message` says so and the items are empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageReport<T> {
    pub available: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// When the figures were read (Unix seconds), 0 before the first sample.
    pub sampled_at: i64,
    /// How often the console samples, so a chart can say what a point stands for.
    pub every_seconds: u64,
    pub items: Vec<T>,
}

/// `GET /clusters/{c}/metrics/pods` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodUsageQuery {
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub limit: Option<usize>,
}
