//! How the domain reaches clusters: a trait, so this crate keeps no Kubernetes dependency.
//! `bosun-clusters` implements it with kube-rs; the domain decides who may do what, the
//! backend only knows how.

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use bosun_model::{
    Action, ActionReply, ApplyResult, ClusterSummary, ConnectionCheck, Environment, EventRow,
    KindId, LogOptions, NodeDetail, NodeQuery, NodeRow, ObjectRef, Page, PodDetail, PodQuery,
    PodRow, ResourceDetail, ResourceQuery, ResourceRow, RevisionRow, RolloutDetail, RolloutQuery,
    RolloutRow, RolloutStatus, SchemaVerdict, SecretValue, SourceKind, Taint, VmDetail, VmQuery,
    VmRow, WorkloadDetail, WorkloadQuery, WorkloadRow,
};
use futures::stream::BoxStream;
use serde::Serialize;

use crate::Result;

/// A change to make in a cluster. Each variant names its target and parameters, so the
/// one audited action call can authorize and record it without knowing what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "operation", rename_all = "snake_case")]
pub enum Operation {
    /// `kubectl rollout restart` (or kubectl-kruise's); `force` then deletes the current
    /// pods so replacements start at once.
    Restart {
        #[serde(skip)]
        target: ObjectRef,
        force: bool,
    },
    Scale {
        #[serde(skip)]
        target: ObjectRef,
        replicas: i64,
    },
    /// `kubectl rollout undo --to-revision`; 0 is the previous revision.
    Rollback {
        #[serde(skip)]
        target: ObjectRef,
        revision: i64,
    },
    Delete {
        #[serde(skip)]
        target: ObjectRef,
    },
    /// Suspends (`true`) or resumes a schedule.
    SetSuspended {
        #[serde(skip)]
        target: ObjectRef,
        suspend: bool,
    },
    /// `kubectl create job --from=cronjob/NAME`, with `job_name` or a generated name.
    RunNow {
        #[serde(skip)]
        target: ObjectRef,
        job_name: Option<String>,
    },
    DeletePod {
        #[serde(skip)]
        target: ObjectRef,
    },
    /// kubectl-kruise's approve: the current step's state set to `StepReady` on the
    /// status subresource. With `step`, only if the rollout is at that step.
    ApproveRollout {
        #[serde(skip)]
        target: ObjectRef,
        step: Option<i64>,
    },
    /// `spec.strategy.paused`, as kubectl-kruise's pause and resume set it.
    SetRolloutPaused {
        #[serde(skip)]
        target: ObjectRef,
        paused: bool,
    },
    /// Rolls the rollout's workload back to its previous revision.
    UndoRollout {
        #[serde(skip)]
        target: ObjectRef,
    },
    /// Restarts the rollout's workload.
    RestartRollout {
        #[serde(skip)]
        target: ObjectRef,
    },
    /// The VM's `start` subresource.
    StartVm {
        #[serde(skip)]
        target: ObjectRef,
    },
    /// The VM's `stop` subresource, always with an explicit grace period (0 forces).
    StopVm {
        #[serde(skip)]
        target: ObjectRef,
        grace_period_seconds: i64,
    },
    /// The VM's `restart` subresource; `force` sends `gracePeriodSeconds: 0`.
    RestartVm {
        #[serde(skip)]
        target: ObjectRef,
        force: bool,
    },
    /// The instance's `pause` (`true`) or `unpause` subresource.
    SetVmPaused {
        #[serde(skip)]
        target: ObjectRef,
        paused: bool,
    },
    /// `kubectl cordon` (`true`) or `uncordon`.
    SetUnschedulable {
        #[serde(skip)]
        target: ObjectRef,
        unschedulable: bool,
    },
    /// `kubectl taint`: taints added (or replaced, by key and effect) and removed
    /// (`key` or `key:Effect`).
    ChangeTaints {
        #[serde(skip)]
        target: ObjectRef,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        add: Vec<Taint>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        remove: Vec<String>,
    },
    /// `kubectl label`: labels set and removed, on an object of any kind.
    ChangeLabels {
        #[serde(skip)]
        target: ObjectRef,
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        set: BTreeMap<String, String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        remove: Vec<String>,
    },
    /// Creates a namespace (`kubectl create namespace`, with labels).
    CreateNamespace {
        #[serde(skip)]
        target: ObjectRef,
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        labels: BTreeMap<String, String>,
    },
    /// One pod's eviction, as part of a node's drain.
    Evict {
        #[serde(skip)]
        target: ObjectRef,
        grace_period_seconds: Option<i64>,
    },
}

impl Operation {
    /// The action this operation is, for authorization and the audit log.
    #[must_use]
    pub fn action(&self) -> Action {
        match self {
            Operation::Restart { .. } => Action::Restart,
            Operation::Scale { .. } => Action::Scale,
            Operation::Rollback { .. } => Action::Rollback,
            Operation::Delete { .. } => Action::Delete,
            Operation::SetSuspended { suspend: true, .. } => Action::Suspend,
            Operation::SetSuspended { suspend: false, .. } => Action::Resume,
            Operation::RunNow { .. } => Action::RunNow,
            Operation::DeletePod { .. } => Action::PodDelete,
            Operation::ApproveRollout { .. } => Action::RolloutApprove,
            Operation::SetRolloutPaused { paused: true, .. } => Action::RolloutPause,
            Operation::SetRolloutPaused { paused: false, .. } => Action::RolloutResume,
            Operation::UndoRollout { .. } => Action::RolloutUndo,
            Operation::RestartRollout { .. } => Action::RolloutRestart,
            Operation::StartVm { .. } => Action::VmStart,
            Operation::StopVm {
                grace_period_seconds: 0,
                ..
            } => Action::VmForceStop,
            Operation::StopVm { .. } => Action::VmStop,
            Operation::RestartVm { force: true, .. } => Action::VmForceRestart,
            Operation::RestartVm { force: false, .. } => Action::VmRestart,
            Operation::SetVmPaused { paused: true, .. } => Action::VmPause,
            Operation::SetVmPaused { paused: false, .. } => Action::VmUnpause,
            Operation::SetUnschedulable {
                unschedulable: true,
                ..
            } => Action::NodeCordon,
            Operation::SetUnschedulable { .. } => Action::NodeUncordon,
            Operation::ChangeTaints { .. } => Action::NodeTaint,
            Operation::ChangeLabels { .. } => Action::Label,
            Operation::Evict { .. } => Action::NodeDrain,
            Operation::CreateNamespace { .. } => Action::NamespaceCreate,
        }
    }

    /// The object acted on.
    #[must_use]
    pub fn object(&self) -> &ObjectRef {
        match self {
            Operation::Restart { target, .. }
            | Operation::Scale { target, .. }
            | Operation::Rollback { target, .. }
            | Operation::Delete { target }
            | Operation::SetSuspended { target, .. }
            | Operation::RunNow { target, .. }
            | Operation::DeletePod { target }
            | Operation::ApproveRollout { target, .. }
            | Operation::SetRolloutPaused { target, .. }
            | Operation::UndoRollout { target }
            | Operation::RestartRollout { target }
            | Operation::StartVm { target }
            | Operation::StopVm { target, .. }
            | Operation::RestartVm { target, .. }
            | Operation::SetVmPaused { target, .. }
            | Operation::SetUnschedulable { target, .. }
            | Operation::ChangeTaints { target, .. }
            | Operation::ChangeLabels { target, .. }
            | Operation::Evict { target, .. }
            | Operation::CreateNamespace { target, .. } => target,
        }
    }

    /// The parameters as recorded in the audit log (`{"force":true}`); the target has
    /// its own columns.
    #[must_use]
    pub fn parameters(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.remove("operation");
            map.retain(|_, v| !v.is_null());
        }
        match value.as_object() {
            Some(map) if map.is_empty() => serde_json::Value::Null,
            _ => value,
        }
    }
}

/// A secret string (kubeconfig text) that never appears in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Everything needed to connect to one cluster, as stored (credentials decrypted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub name: String,
    pub description: String,
    pub environment: Environment,
    pub default_namespace: String,
    pub source: SourceKind,
    pub context: Option<String>,
    pub kubeconfig: Option<Secret>,
    /// Changes whenever the stored record changes, so a running server can tell that a
    /// connection made by the CLI or another replica needs re-connecting.
    pub revision: String,
}

/// A stream of log text, in chunks as the container writes them.
pub type LogStream = BoxStream<'static, Result<String>>;

/// Whether the caller may see objects of a cluster and namespace. Lists ask it of every
/// object, so what authorization allows (a role today, team grants later) narrows them
/// without the backend knowing who asks.
pub type Visible<'a> = dyn Fn(&str, &str) -> bool + Sync + 'a;

/// What the Kruise Dashboard's cluster metrics report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClusterMetrics {
    pub total_nodes: usize,
    pub ready_nodes: usize,
    pub total_pods: usize,
    pub running_pods: usize,
    /// Percent of the nodes' allocatable CPU and memory in use (metrics API), when the
    /// cluster serves metrics.
    pub cpu_percent: Option<f64>,
    pub memory_percent: Option<f64>,
}

/// The clusters, as the domain sees them.
#[async_trait]
pub trait ClusterBackend: Send + Sync {
    /// Connects (or reconnects with new settings) a cluster. Never fails because the
    /// cluster is unreachable: the connection then reports that in its health.
    async fn connect(&self, connection: &Connection) -> Result<()>;
    /// Forgets a cluster and stops watching it.
    fn disconnect(&self, name: &str);
    /// The connections in use and their revisions, to compare with what is stored.
    fn connected(&self) -> Vec<(String, String)>;
    /// Tries a connection without keeping it: does the cluster answer, and which version.
    async fn check(&self, connection: &Connection) -> ConnectionCheck;
    /// The contexts of a kubeconfig, checking that it parses.
    fn contexts(&self, kubeconfig: &str) -> Result<Vec<String>>;

    /// Every connected cluster's health and counts, from memory (no call to a cluster).
    fn summaries(&self) -> Vec<ClusterSummary>;
    fn namespaces(&self, cluster: &str) -> Result<Vec<String>>;
    /// A page of nodes across clusters (or of one), from the node caches.
    fn nodes(&self, query: &NodeQuery, visible: &Visible<'_>) -> Result<Page<NodeRow>>;
    /// A node with its conditions, taints, resources and the pods bound to it.
    fn node(&self, object: &ObjectRef) -> Result<NodeDetail>;
    /// The pods bound to a node, listed live from the cluster as `kubectl drain` lists
    /// them (a drain must not miss a pod the cache has not seen yet).
    async fn pods_on_node(&self, node: &ObjectRef) -> Result<Vec<serde_json::Value>>;

    fn workloads(&self, query: &WorkloadQuery, visible: &Visible<'_>) -> Result<Page<WorkloadRow>>;
    async fn workload(&self, object: &ObjectRef) -> Result<WorkloadDetail>;
    fn workload_pods(&self, object: &ObjectRef) -> Result<Vec<PodRow>>;
    async fn revisions(&self, object: &ObjectRef) -> Result<Vec<RevisionRow>>;
    async fn events(&self, object: &ObjectRef) -> Result<Vec<EventRow>>;
    /// A page of events of one or every cluster (the Events page), from a watch cache.
    async fn event_list(
        &self,
        q: &bosun_model::EventQuery,
        visible: &Visible<'_>,
    ) -> Result<Page<EventRow>>;
    /// What an RBAC subject may do in a namespace, from the bindings ("who can").
    async fn access(&self, q: &bosun_model::AccessQuery) -> Result<bosun_model::AccessReport>;
    /// [`ClusterBackend::event_list`] from the caches as they are, without waiting.
    fn event_list_now(
        &self,
        q: &bosun_model::EventQuery,
        visible: &Visible<'_>,
    ) -> Result<Page<EventRow>>;
    /// `following_since` (RFC 3339): when the caller began following, which starts the
    /// console's deadline for kinds without a progress deadline.
    fn rollout_status(
        &self,
        object: &ObjectRef,
        following_since: Option<&str>,
    ) -> Result<RolloutStatus>;
    /// A receiver that changes whenever the cached objects of `object`'s kind change, so
    /// a rollout can be followed without polling the cluster.
    fn changes(&self, object: &ObjectRef) -> Result<tokio::sync::watch::Receiver<u64>>;

    fn rollouts(&self, query: &RolloutQuery, visible: &Visible<'_>) -> Result<Page<RolloutRow>>;
    fn rollout(&self, object: &ObjectRef) -> Result<RolloutDetail>;
    fn vms(&self, query: &VmQuery, visible: &Visible<'_>) -> Result<Page<VmRow>>;
    /// A VM and its instance, from the caches (what the operation runner follows).
    fn vm(&self, object: &ObjectRef) -> Result<VmDetail>;

    /// A page of one Resources kind (services, secrets, roles…) across clusters, from
    /// its cache (started on the first look, which waits for its first list).
    async fn resources(
        &self,
        query: &ResourceQuery,
        visible: &Visible<'_>,
    ) -> Result<Page<ResourceRow>>;
    /// [`ClusterBackend::resources`] from the caches as they are, without waiting.
    fn resources_now(
        &self,
        query: &ResourceQuery,
        visible: &Visible<'_>,
    ) -> Result<Page<ResourceRow>>;
    /// One object of a Resources kind with its sections and YAML (Secret values hidden).
    async fn resource(&self, object: &ObjectRef) -> Result<ResourceDetail>;
    /// What the cluster's OpenAPI schema says of an object (its `apiVersion` and `kind`
    /// already checked against the kind table).
    async fn schema_check(
        &self,
        cluster: &str,
        manifest: &serde_json::Value,
    ) -> Result<SchemaVerdict>;
    /// The kinds the cluster serves that the kind table does not know (from discovery).
    async fn api_kinds(&self, cluster: &str) -> Result<Vec<bosun_model::ApiKind>>;
    /// A page of a discovered kind, listed by the API server (these kinds are not watched).
    async fn custom_list(
        &self,
        kind: &bosun_model::ApiKindRef,
        query: &bosun_model::CustomQuery,
        visible: &Visible<'_>,
    ) -> Result<bosun_model::CustomList>;
    /// One object of a discovered kind.
    async fn custom_object(
        &self,
        kind: &bosun_model::ApiKindRef,
        namespace: &str,
        name: &str,
    ) -> Result<bosun_model::CustomObject>;
    /// One value of a Secret, read from the cluster now.
    async fn secret_value(&self, object: &ObjectRef, key: &str) -> Result<SecretValue>;
    /// Server-side apply of one object whose kind, namespace and name are `object`'s.
    async fn apply(
        &self,
        object: &ObjectRef,
        manifest: &serde_json::Value,
        dry_run: bool,
        force: bool,
    ) -> Result<ApplyResult>;

    /// Server-side apply of one object of a kind discovery found (a custom resource):
    /// `namespace` is ignored when the kind is cluster-scoped.
    async fn apply_discovered(
        &self,
        kind: &bosun_model::ApiKindRef,
        namespace: &str,
        name: &str,
        manifest: &serde_json::Value,
        dry_run: bool,
        force: bool,
    ) -> Result<ApplyResult>;

    /// An object as the API server returns it (from the cache; `managedFields` dropped),
    /// for APIs that promise raw objects.
    fn raw_object(&self, object: &ObjectRef) -> Result<serde_json::Value>;
    /// Every cached object of a kind in one namespace (or all), sorted by name.
    fn raw_objects(
        &self,
        cluster: &str,
        namespace: Option<&str>,
        kind: KindId,
    ) -> Result<Vec<serde_json::Value>>;
    /// The pods of a workload, as raw objects.
    fn raw_pods_of(&self, object: &ObjectRef) -> Result<Vec<serde_json::Value>>;
    /// Node and pod counts from the caches, usage from the metrics API when served.
    async fn metrics(&self, cluster: &str) -> Result<ClusterMetrics>;
    /// Every node's and running pod's CPU and memory in use now (`metrics.k8s.io`), with
    /// allocatable capacity, requests and limits from the caches. `Unavailable` when the
    /// cluster serves no metrics API.
    async fn usage(
        &self,
        cluster: &str,
    ) -> Result<(Vec<bosun_model::NodeUsage>, Vec<bosun_model::PodUsage>)>;

    fn pods(&self, query: &PodQuery, visible: &Visible<'_>) -> Result<Page<PodRow>>;
    async fn pod(&self, object: &ObjectRef) -> Result<PodDetail>;
    async fn logs(&self, object: &ObjectRef, options: &LogOptions) -> Result<LogStream>;

    /// Carries out one change. Answers within the action deadline or fails with
    /// `Unavailable` naming the cluster.
    async fn execute(&self, operation: &Operation) -> Result<ActionReply>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_model::KindId;

    #[test]
    fn parameters_leave_the_target_to_its_own_columns() {
        let target = ObjectRef::new("demo", "shop", KindId::Deployment, "web");
        let restart = Operation::Restart {
            target: target.clone(),
            force: true,
        };
        assert_eq!(restart.parameters(), serde_json::json!({"force": true}));
        assert_eq!(restart.action(), Action::Restart);
        let delete = Operation::Delete { target };
        assert_eq!(delete.parameters(), serde_json::Value::Null);
        assert_eq!(format!("{:?}", Secret("token: abc".into())), "Secret(…)");
    }
}
