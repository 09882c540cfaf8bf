//! Workloads, pods and what the console shows and sends about them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::KindId;

/// One object in one cluster: the target of an action or a detail page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjectRef {
    pub cluster: String,
    pub namespace: String,
    pub kind: KindId,
    pub name: String,
}

impl ObjectRef {
    #[must_use]
    pub fn new(cluster: &str, namespace: &str, kind: KindId, name: &str) -> Self {
        Self {
            cluster: cluster.to_string(),
            namespace: namespace.to_string(),
            kind,
            name: name.to_string(),
        }
    }

    /// `deployments shop/web`, the way messages and toasts name an object.
    #[must_use]
    pub fn describe(&self) -> String {
        if self.namespace.is_empty() {
            format!("{} {}", self.kind.route(), self.name)
        } else {
            format!("{} {}/{}", self.kind.route(), self.namespace, self.name)
        }
    }
}

/// How a workload is doing, in the four states the Workloads page colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Healthy,
    Progressing,
    Paused,
    Failed,
}

impl Health {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Progressing => "progressing",
            Health::Paused => "paused",
            Health::Failed => "failed",
        }
    }
}

/// One row of the Workloads page: summary fields only, never the whole object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadRow {
    pub cluster: String,
    pub namespace: String,
    pub kind: KindId,
    pub name: String,
    /// Ready pods (for schedules: active runs).
    pub ready: i64,
    /// Desired pods (for schedules: 0; for jobs: completions).
    pub desired: i64,
    pub images: Vec<String>,
    /// RFC 3339.
    pub created: String,
    pub health: Health,
    /// Why the workload is failed, paused or progressing, when the cluster says.
    pub reason: Option<String>,
}

impl WorkloadRow {
    #[must_use]
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef::new(&self.cluster, &self.namespace, self.kind, &self.name)
    }
}

/// A condition as the cluster reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
    /// RFC 3339, or empty.
    pub last_transition: String,
}

/// A container of a pod template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    /// `cpu=100m memory=128Mi`, or empty.
    pub requests: String,
    pub limits: String,
    /// `8080/TCP`, comma-separated.
    pub ports: String,
}

/// The Workloads detail page's header and Overview tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadDetail {
    pub row: WorkloadRow,
    pub uid: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// The label selector, as `kubectl` prints it (`app=web`).
    pub selector: String,
    /// Further facts for the kind: strategy, schedule, revision, completions.
    pub facts: Vec<(String, String)>,
    pub conditions: Vec<Condition>,
    pub containers: Vec<ContainerSpec>,
    /// The object as YAML, without `managedFields` (read-only here).
    pub yaml: String,
}

/// One revision in a workload's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionRow {
    pub revision: i64,
    /// `kubernetes.io/change-cause`, or `<none>` as `kubectl rollout history` shows it.
    pub change_cause: String,
    pub images: Vec<String>,
    /// RFC 3339.
    pub created: String,
    /// Whether the workload runs this revision now.
    pub current: bool,
    /// The pod template of the revision as YAML, hash labels removed, for diffs.
    pub template: String,
}

/// One pod, as pod lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodRow {
    pub cluster: String,
    pub namespace: String,
    pub name: String,
    /// `Running`, `Pending`, `CrashLoopBackOff`, `Terminating`... as `kubectl get pods` shows.
    pub status: String,
    /// Ready containers.
    pub ready: i64,
    pub containers: i64,
    pub restarts: i64,
    pub node: String,
    pub ip: String,
    /// RFC 3339.
    pub created: String,
    /// `ReplicaSet/web-5d8f…`, or empty.
    pub owner: String,
}

/// A container of a running pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerState {
    pub name: String,
    pub image: String,
    pub ready: bool,
    pub restarts: i64,
    /// `running since …`, `waiting: CrashLoopBackOff`, `terminated: Completed (exit 0)`.
    pub state: String,
    /// The previous run's end, when the container has restarted.
    pub last_state: Option<String>,
    /// Whether `--previous` logs exist.
    pub has_previous: bool,
}

/// The pod detail page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodDetail {
    pub row: PodRow,
    pub labels: BTreeMap<String, String>,
    pub conditions: Vec<Condition>,
    pub containers: Vec<ContainerState>,
    pub yaml: String,
}

/// An event about an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    /// Where it happened (filled by lists that span clusters and namespaces).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub type_: String,
    pub reason: String,
    pub message: String,
    pub count: i64,
    /// `Pod/web-5d8f…`.
    pub object: String,
    /// RFC 3339 of the last occurrence.
    pub last_seen: String,
    pub source: String,
}

/// Where a rollout stands, in `kubectl rollout status` terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutStatus {
    /// The rollout is complete.
    pub done: bool,
    /// The rollout failed (progress deadline exceeded, or the console's deadline passed).
    pub failed: bool,
    /// kubectl's sentence: `Waiting for deployment "web" rollout to finish: ...`.
    pub message: String,
    pub desired: i64,
    pub updated: i64,
    pub ready: i64,
    pub available: i64,
    /// RFC 3339 of the last restart Bosun (or kubectl) requested, if any.
    pub restarted_at: Option<String>,
}

impl RolloutStatus {
    /// 0 to 100, for a progress bar: the least of updated, ready and available.
    #[must_use]
    pub fn percent(&self) -> u8 {
        if self.done || self.desired <= 0 {
            return 100;
        }
        let least = self.updated.min(self.ready).min(self.available).max(0);
        ((least * 100) / self.desired).clamp(0, 100) as u8
    }
}

/// The answer to an action, as the seed's restart API gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionReply {
    /// `deployments default/nginx restarted successfully`.
    pub message: String,
    /// RFC 3339.
    pub timestamp: String,
    pub success: bool,
    /// For a restart: the time it was stamped with (the template annotation or the
    /// containers' `RESTARTED_AT`), so a follower can tell when the cluster has seen it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restarted_at: Option<String>,
    /// For a VM action: the tracked operation carrying it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
}

/// How one item of a batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchStatus {
    Restarted,
    Skipped,
    Failed,
}

/// One item of a batch restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchItem {
    pub cluster: String,
    pub namespace: String,
    pub kind: KindId,
    pub name: String,
    pub success: bool,
    pub status: BatchStatus,
    pub message: String,
    /// As [`ActionReply::restarted_at`], for restarted items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restarted_at: Option<String>,
}

/// Options of a log request, as `kubectl logs` takes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogOptions {
    pub container: Option<String>,
    pub tail_lines: Option<i64>,
    pub since_seconds: Option<i64>,
    pub timestamps: bool,
    pub previous: bool,
    pub follow: bool,
}
