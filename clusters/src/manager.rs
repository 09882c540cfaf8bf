//! The cluster client manager: every connected cluster by name, and the implementation of
//! the domain's [`ClusterBackend`]. The kube client never leaves this crate, so nothing
//! can reach a cluster without going through the domain's authorization and audit.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use bosun_core::backend::{LogStream, Visible};
use bosun_core::{ClusterBackend, ClusterMetrics, Connection, Error, Operation, Result};
use bosun_model::{
    ActionReply, ApplyResult, ClusterSummary, ConnectionCheck, EventQuery, EventRow, KindId,
    LogOptions, NodeDetail, NodeQuery, NodeRow, NodeUsage, ObjectRef, Page, PodDetail, PodQuery,
    PodRow, PodUsage, ResourceDetail, ResourceQuery, ResourceRow, RevisionRow, RolloutDetail,
    RolloutQuery, RolloutRow, RolloutStatus, SchemaVerdict, SecretValue, VmDetail, VmQuery, VmRow,
    WorkloadDetail, WorkloadQuery, WorkloadRow,
};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::LogParams;
use serde_json::Value;

use crate::cluster::Cluster;
use crate::config::ACTION_DEADLINE;
use crate::error::{from_kube, with_deadline};
use crate::history;
use crate::{config, json, ops, query, raw, rows, status};

/// Largest log a non-followed request returns (the newest part when cut).
const MAX_LOG_BYTES: i64 = 8 * 1024 * 1024;

/// Every cluster Bosun is connected to.
pub struct ClusterManager {
    clusters: RwLock<BTreeMap<String, Arc<Cluster>>>,
    /// The built-in demo cluster's kubeconfig, when this server runs one.
    demo_kubeconfig: RwLock<Option<String>>,
    /// Whether connections watch their clusters (the server) or only act (the CLI).
    watch: bool,
}

impl Default for ClusterManager {
    fn default() -> Self {
        Self::new()
    }
}

impl ClusterManager {
    /// The server's manager: every connection watches its cluster.
    #[must_use]
    pub fn new() -> Self {
        Self {
            clusters: RwLock::default(),
            demo_kubeconfig: RwLock::default(),
            watch: true,
        }
    }

    /// A manager for one-shot commands: connections test and act, but start no watches
    /// (a CLI run would otherwise list every pod of a cluster to print one line).
    #[must_use]
    pub fn without_watches() -> Self {
        Self {
            watch: false,
            ..Self::new()
        }
    }

    /// Tells the manager where the built-in demo cluster is, for clusters whose source
    /// is `demo`.
    pub fn set_demo_kubeconfig(&self, kubeconfig: Option<String>) {
        *self
            .demo_kubeconfig
            .write()
            .unwrap_or_else(|e| e.into_inner()) = kubeconfig;
    }

    fn demo(&self) -> Option<String> {
        self.demo_kubeconfig
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn all(&self) -> Vec<Arc<Cluster>> {
        self.clusters
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    fn get(&self, name: &str) -> Result<Arc<Cluster>> {
        self.clusters
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("no cluster named {name:?}")))
    }

    /// A workload object read live (detail pages and actions want the newest state; the
    /// cache answers lists).
    async fn live_object(&self, cluster: &Cluster, object: &ObjectRef) -> Result<Value> {
        let resource = cluster.resource(object.kind)?;
        let path = raw::path(&resource, Some(&object.namespace), Some(&object.name), None);
        let client = &cluster.clients()?.action;
        with_deadline(
            cluster.name(),
            ACTION_DEADLINE,
            raw::get(client, cluster.name(), &path),
        )
        .await
        .map_err(|e| match e {
            Error::Cluster { status: 404, .. } => query::not_found(object),
            other => other,
        })
    }
}

#[async_trait]
impl ClusterBackend for ClusterManager {
    async fn connect(&self, connection: &Connection) -> Result<()> {
        let demo = self.demo();
        let cluster = Cluster::connect(connection, demo.as_deref(), self.watch).await;
        self.clusters
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(connection.name.clone(), cluster);
        Ok(())
    }

    fn disconnect(&self, name: &str) {
        self.clusters
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
    }

    fn connected(&self) -> Vec<(String, String)> {
        self.all()
            .iter()
            .map(|c| (c.name().to_string(), c.connection.revision.clone()))
            .collect()
    }

    async fn check(&self, connection: &Connection) -> ConnectionCheck {
        let demo = self.demo();
        let base = match config::base_config(connection, demo.as_deref()).await {
            Ok(base) => base,
            Err(e) => {
                return ConnectionCheck {
                    reachable: false,
                    server: String::new(),
                    version: None,
                    error: Some(e.to_string()),
                };
            }
        };
        let server = base.cluster_url.to_string();
        let outcome = match config::action_client(&base) {
            Err(e) => Err(e.to_string()),
            Ok(client) => match tokio::time::timeout(
                std::time::Duration::from_secs(5),
                client.apiserver_version(),
            )
            .await
            {
                Ok(Ok(info)) => Ok(info.git_version),
                Ok(Err(e)) => Err(from_kube(&connection.name, e).to_string()),
                Err(_) => Err(format!(
                    "cluster {} did not answer within 5 s",
                    connection.name
                )),
            },
        };
        ConnectionCheck {
            reachable: outcome.is_ok(),
            server,
            version: outcome.as_ref().ok().cloned(),
            error: outcome.err(),
        }
    }

    fn contexts(&self, kubeconfig: &str) -> Result<Vec<String>> {
        config::contexts(kubeconfig)
    }

    fn summaries(&self) -> Vec<ClusterSummary> {
        self.all().iter().map(|c| c.summary()).collect()
    }

    fn namespaces(&self, cluster: &str) -> Result<Vec<String>> {
        self.get(cluster)?.namespace_names()
    }

    fn nodes(&self, q: &NodeQuery, visible: &Visible<'_>) -> Result<Page<NodeRow>> {
        query::nodes(&self.all(), q, visible)
    }

    fn node(&self, object: &ObjectRef) -> Result<NodeDetail> {
        let cluster = self.get(&object.cluster)?;
        let node = query::workload_object(&cluster, object)?;
        let pods = query::pods_on_node(&cluster, &object.name)?;
        let pods: Vec<&kube::api::DynamicObject> = pods.iter().map(AsRef::as_ref).collect();
        Ok(rows::node_detail(cluster.name(), &node, &pods))
    }

    async fn pods_on_node(&self, node: &ObjectRef) -> Result<Vec<Value>> {
        let cluster = self.get(&node.cluster)?;
        // The node must exist: an unknown name lists no pods, which is not a drain.
        self.live_object(&cluster, node).await?;
        with_deadline(
            cluster.name(),
            ACTION_DEADLINE,
            ops::node::pods_on_node(&cluster, &node.name),
        )
        .await
    }

    fn workloads(&self, q: &WorkloadQuery, visible: &Visible<'_>) -> Result<Page<WorkloadRow>> {
        query::workloads(&self.all(), q, visible)
    }

    async fn workload(&self, object: &ObjectRef) -> Result<WorkloadDetail> {
        let cluster = self.get(&object.cluster)?;
        let obj = query::workload_object(&cluster, object)?;
        Ok(rows::workload_detail(cluster.name(), object.kind, &obj))
    }

    fn workload_pods(&self, object: &ObjectRef) -> Result<Vec<PodRow>> {
        let cluster = self.get(&object.cluster)?;
        let mut pods: Vec<PodRow> = query::pods_of(&cluster, object)?
            .iter()
            .map(|p| rows::pod_row(cluster.name(), p))
            .collect();
        pods.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(pods)
    }

    async fn revisions(&self, object: &ObjectRef) -> Result<Vec<RevisionRow>> {
        let cluster = self.get(&object.cluster)?;
        if let Some(refusal) = object.kind.info().refusal(bosun_model::Action::Rollback) {
            return Err(Error::NotApplicable(refusal));
        }
        let workload = self.live_object(&cluster, object).await?;
        let client = &cluster.clients()?.action;
        let revisions = with_deadline(
            cluster.name(),
            ACTION_DEADLINE,
            history::load(client, cluster.name(), object.kind, &workload),
        )
        .await?;
        Ok(history::rows(object.kind, &workload, &revisions))
    }

    async fn events(&self, object: &ObjectRef) -> Result<Vec<EventRow>> {
        let cluster = self.get(&object.cluster)?;
        crate::events::about(
            &cluster,
            object.kind.info().kind,
            &object.namespace,
            &object.name,
        )
        .await
    }

    fn rollout_status(
        &self,
        object: &ObjectRef,
        following_since: Option<&str>,
    ) -> Result<RolloutStatus> {
        let cluster = self.get(&object.cluster)?;
        let obj = query::workload_object(&cluster, object)?;
        let since = match following_since {
            None => None,
            Some(raw) => Some(json::parse_time(raw).ok_or_else(|| {
                Error::BadRequest(format!("since {raw:?} is not an RFC 3339 time"))
            })?),
        };
        Ok(status::rollout_status(
            object.kind,
            &rows::as_json(&obj),
            time::OffsetDateTime::now_utc(),
            since,
        ))
    }

    fn changes(&self, object: &ObjectRef) -> Result<tokio::sync::watch::Receiver<u64>> {
        Ok(self.get(&object.cluster)?.cache(object.kind)?.changes())
    }

    fn rollouts(&self, q: &RolloutQuery, visible: &Visible<'_>) -> Result<Page<RolloutRow>> {
        query::rollouts(&self.all(), q, visible)
    }

    fn rollout(&self, object: &ObjectRef) -> Result<RolloutDetail> {
        let cluster = self.get(&object.cluster)?;
        let obj = query::workload_object(&cluster, object)?;
        let rolling = query::workload_rolling(&cluster, &object.namespace, &obj);
        Ok(rows::rollout_detail(cluster.name(), &obj, rolling))
    }

    fn vms(&self, q: &VmQuery, visible: &Visible<'_>) -> Result<Page<VmRow>> {
        query::vms(&self.all(), q, visible)
    }

    fn vm(&self, object: &ObjectRef) -> Result<VmDetail> {
        let cluster = self.get(&object.cluster)?;
        let obj = query::workload_object(&cluster, object)?;
        let vmi = query::vm_instance(&cluster, &object.namespace, &object.name)?;
        Ok(rows::vm_detail(cluster.name(), &obj, vmi.as_deref()))
    }

    async fn event_list(&self, q: &EventQuery, visible: &Visible<'_>) -> Result<Page<EventRow>> {
        crate::events::list(&self.all(), q, visible).await
    }

    async fn access(&self, q: &bosun_model::AccessQuery) -> Result<bosun_model::AccessReport> {
        crate::access::access(&*self.get(&q.cluster)?, q).await
    }

    fn event_list_now(&self, q: &EventQuery, visible: &Visible<'_>) -> Result<Page<EventRow>> {
        crate::events::list_now(&self.all(), q, visible)
    }

    async fn resources(
        &self,
        q: &ResourceQuery,
        visible: &Visible<'_>,
    ) -> Result<Page<ResourceRow>> {
        crate::resources::list(&self.all(), q, visible).await
    }

    fn resources_now(&self, q: &ResourceQuery, visible: &Visible<'_>) -> Result<Page<ResourceRow>> {
        crate::resources::list_now(&self.all(), q, visible)
    }

    async fn resource(&self, object: &ObjectRef) -> Result<ResourceDetail> {
        crate::resources::detail(&*self.get(&object.cluster)?, object).await
    }

    async fn secret_value(&self, object: &ObjectRef, key: &str) -> Result<SecretValue> {
        let cluster = self.get(&object.cluster)?;
        with_deadline(
            cluster.name(),
            ACTION_DEADLINE,
            crate::resources::secret_value(&cluster, object, key),
        )
        .await
    }

    async fn apply(
        &self,
        object: &ObjectRef,
        manifest: &Value,
        dry_run: bool,
        force: bool,
    ) -> Result<ApplyResult> {
        let cluster = self.get(&object.cluster)?;
        with_deadline(
            cluster.name(),
            ACTION_DEADLINE,
            crate::apply::apply(&cluster, object, manifest, dry_run, force),
        )
        .await
    }

    fn raw_object(&self, object: &ObjectRef) -> Result<Value> {
        let cluster = self.get(&object.cluster)?;
        let obj = query::workload_object(&cluster, object)?;
        Ok(rows::as_json(&obj))
    }

    fn raw_objects(
        &self,
        cluster: &str,
        namespace: Option<&str>,
        kind: KindId,
    ) -> Result<Vec<Value>> {
        let cluster = self.get(cluster)?;
        let cache = cluster.cache(kind)?;
        let objects = cache
            .objects()
            .map_err(|s| cluster.not_ready(kind.route(), &s))?;
        let mut out: Vec<&Arc<kube::api::DynamicObject>> = objects
            .iter()
            .filter(|o| namespace.is_none_or(|ns| o.metadata.namespace.as_deref() == Some(ns)))
            .collect();
        out.sort_by(|a, b| {
            (&a.metadata.namespace, &a.metadata.name)
                .cmp(&(&b.metadata.namespace, &b.metadata.name))
        });
        Ok(out.into_iter().map(|o| rows::as_json(o)).collect())
    }

    fn raw_pods_of(&self, object: &ObjectRef) -> Result<Vec<Value>> {
        let cluster = self.get(&object.cluster)?;
        let mut pods = query::pods_of(&cluster, object)?;
        pods.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        Ok(pods.iter().map(|p| rows::as_json(p)).collect())
    }

    async fn metrics(&self, cluster: &str) -> Result<ClusterMetrics> {
        crate::metrics::metrics(&*self.get(cluster)?).await
    }

    async fn schema_check(&self, cluster: &str, manifest: &Value) -> Result<SchemaVerdict> {
        // The check keeps its own deadline, so a cluster that does not answer is
        // remembered as such.
        let cluster = self.get(cluster)?;
        Ok(crate::schema::check(&cluster, manifest).await)
    }

    async fn apply_discovered(
        &self,
        kind: &bosun_model::ApiKindRef,
        namespace: &str,
        name: &str,
        manifest: &Value,
        dry_run: bool,
        force: bool,
    ) -> Result<ApplyResult> {
        let cluster = self.get(&kind.cluster)?;
        with_deadline(
            cluster.name(),
            ACTION_DEADLINE,
            crate::apply::apply_discovered(
                &cluster, kind, namespace, name, manifest, dry_run, force,
            ),
        )
        .await
    }

    async fn api_kinds(&self, cluster: &str) -> Result<Vec<bosun_model::ApiKind>> {
        crate::custom::kinds(&*self.get(cluster)?).await
    }

    async fn custom_list(
        &self,
        kind: &bosun_model::ApiKindRef,
        query: &bosun_model::CustomQuery,
        visible: &Visible<'_>,
    ) -> Result<bosun_model::CustomList> {
        crate::custom::list(&*self.get(&kind.cluster)?, kind, query, visible).await
    }

    async fn custom_object(
        &self,
        kind: &bosun_model::ApiKindRef,
        namespace: &str,
        name: &str,
    ) -> Result<bosun_model::CustomObject> {
        crate::custom::object(&*self.get(&kind.cluster)?, kind, namespace, name).await
    }

    async fn usage(&self, cluster: &str) -> Result<(Vec<NodeUsage>, Vec<PodUsage>)> {
        crate::usage::usage(&*self.get(cluster)?).await
    }

    fn pods(&self, q: &PodQuery, visible: &Visible<'_>) -> Result<Page<PodRow>> {
        let cluster = self.get(&q.cluster)?;
        query::pods(&cluster, q, visible)
    }

    async fn pod(&self, object: &ObjectRef) -> Result<PodDetail> {
        let cluster = self.get(&object.cluster)?;
        let cache = cluster.cache(KindId::Pod)?;
        if let Some(obj) = cache.get(&object.namespace, &object.name) {
            return Ok(rows::pod_detail(cluster.name(), &obj));
        }
        let live = self.live_object(&cluster, object).await?;
        let obj: kube::api::DynamicObject = serde_json::from_value(live)
            .map_err(|e| Error::Internal(format!("pod {}: {e}", object.name)))?;
        Ok(rows::pod_detail(cluster.name(), &obj))
    }

    async fn logs(&self, object: &ObjectRef, options: &LogOptions) -> Result<LogStream> {
        let cluster = self.get(&object.cluster)?;
        let name = cluster.name().to_string();
        let clients = cluster.clients()?;
        let params = LogParams {
            container: options.container.clone().filter(|c| !c.is_empty()),
            follow: options.follow,
            limit_bytes: (!options.follow).then_some(MAX_LOG_BYTES),
            previous: options.previous,
            since_seconds: options.since_seconds,
            tail_lines: options.tail_lines,
            timestamps: options.timestamps,
            ..LogParams::default()
        };
        if !options.follow {
            let api: Api<Pod> = Api::namespaced(clients.action.clone(), &object.namespace);
            let text = with_deadline(&name, ACTION_DEADLINE, async {
                api.logs(&object.name, &params)
                    .await
                    .map_err(|e| from_kube(&name, e))
            })
            .await?;
            return Ok(futures::stream::once(async move { Ok(text) }).boxed());
        }
        let api: Api<Pod> = Api::namespaced(clients.stream.clone(), &object.namespace);
        let reader = with_deadline(&name, ACTION_DEADLINE, async {
            api.log_stream(&object.name, &params)
                .await
                .map_err(|e| from_kube(&name, e))
        })
        .await?;
        Ok(crate::logs::text_chunks(Box::pin(reader), name).boxed())
    }

    async fn execute(&self, operation: &Operation) -> Result<ActionReply> {
        let cluster = self.get(&operation.object().cluster)?;
        ops::execute(&cluster, operation)
            .await
            .map_err(|e| match e {
                Error::Cluster {
                    status: 404,
                    ref reason,
                    ..
                } if reason == "NotFound" => query::not_found(operation.object()),
                other => other,
            })
    }
}
