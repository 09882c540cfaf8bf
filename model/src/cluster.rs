//! Clusters as the Clusters page, the pickers and the REST API show them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::KindId;

/// The environment tag of a cluster; `prod` makes destructive actions ask for the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Prod,
    Stage,
    #[default]
    Dev,
    Test,
}

impl Environment {
    pub const ALL: [Environment; 4] = [
        Environment::Prod,
        Environment::Stage,
        Environment::Dev,
        Environment::Test,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Prod => "prod",
            Environment::Stage => "stage",
            Environment::Dev => "dev",
            Environment::Test => "test",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Environment {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Environment::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown environment {s:?}: expected prod, stage, dev or test"))
    }
}

/// Where a cluster's connection comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A kubeconfig pasted, uploaded or given to the CLI (stored encrypted).
    Kubeconfig,
    /// The service account of the pod Bosun runs in.
    InCluster,
    /// The built-in demo cluster.
    Demo,
}

impl SourceKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Kubeconfig => "kubeconfig",
            SourceKind::InCluster => "in-cluster",
            SourceKind::Demo => "demo",
        }
    }
}

impl FromStr for SourceKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "kubeconfig" => Ok(SourceKind::Kubeconfig),
            "in-cluster" | "incluster" => Ok(SourceKind::InCluster),
            "demo" => Ok(SourceKind::Demo),
            other => Err(format!(
                "unknown cluster source {other:?}: expected kubeconfig, in-cluster or demo"
            )),
        }
    }
}

/// One cluster as the Clusters page shows it. Never carries credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSummary {
    pub name: String,
    pub description: String,
    pub environment: Environment,
    pub default_namespace: String,
    pub source: SourceKind,
    /// The kubeconfig context in use, when the source is a kubeconfig.
    pub context: Option<String>,
    /// The API server's URL.
    pub server: String,
    /// `v1.32.0` and the like, once the cluster answered.
    pub version: Option<String>,
    pub health: ClusterHealth,
    /// The last failure to reach the cluster and when it happened (RFC 3339).
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    /// When the cluster last answered (RFC 3339).
    pub last_reachable_at: Option<String>,
    /// From the watch cache; `None` until the first list completed.
    pub nodes: Option<NodeCounts>,
    pub namespaces: Option<usize>,
    pub workloads: Option<WorkloadCounts>,
    /// The optional kinds (OpenKruise...) this cluster serves.
    pub optional_kinds: Vec<KindId>,
    /// Watches that failed, with the reason (forbidden, not found...).
    pub watch_errors: Vec<WatchError>,
    /// The default cluster: the one the Kruise Dashboard compatible API serves.
    #[serde(default)]
    pub default: bool,
}

/// Whether Bosun can talk to a cluster right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "reason", rename_all = "lowercase")]
pub enum ClusterHealth {
    /// Not checked yet (just added or just started).
    Unknown,
    Reachable,
    Unreachable(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeCounts {
    pub total: usize,
    pub ready: usize,
    pub unschedulable: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadCounts {
    pub healthy: usize,
    pub total: usize,
}

/// A watch that is not delivering, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchError {
    /// The watched resource, e.g. `deployments.apps`.
    pub resource: String,
    pub reason: String,
}

/// What an admin gives to add a cluster (`POST /api/v1/clusters`).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterInput {
    pub name: String,
    /// `kubeconfig` (default when a kubeconfig is given), `in-cluster` or `demo`.
    #[serde(default)]
    pub source: Option<String>,
    /// The kubeconfig's text; required for the kubeconfig source.
    #[serde(default)]
    pub kubeconfig: Option<String>,
    /// The context to use; the kubeconfig's current context when absent.
    #[serde(default)]
    pub context: Option<String>,
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub default_namespace: Option<String>,
}

// The kubeconfig holds credentials: never print it.
impl fmt::Debug for ClusterInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClusterInput")
            .field("name", &self.name)
            .field("source", &self.source)
            .field("context", &self.context)
            .field("environment", &self.environment)
            .finish_non_exhaustive()
    }
}

/// What an admin may change on a cluster (`PUT /api/v1/clusters/{cluster}`); a new
/// kubeconfig replaces the stored credentials.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterUpdate {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default)]
    pub default_namespace: Option<String>,
    #[serde(default)]
    pub kubeconfig: Option<String>,
    #[serde(default)]
    pub context: Option<String>,
    /// `true` makes this the default cluster; `false` stops it being the default.
    #[serde(default)]
    pub default: Option<bool>,
}

impl fmt::Debug for ClusterUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClusterUpdate")
            .field("description", &self.description)
            .field("environment", &self.environment)
            .field("default_namespace", &self.default_namespace)
            .field("context", &self.context)
            .field("default", &self.default)
            .finish_non_exhaustive()
    }
}

/// The result of testing a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionCheck {
    pub reachable: bool,
    pub server: String,
    pub version: Option<String>,
    pub error: Option<String>,
}

/// The answer to adding or changing a cluster: the cluster and how its connection test went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSaved {
    pub cluster: ClusterSummary,
    pub connection: ConnectionCheck,
}
