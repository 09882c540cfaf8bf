//! The Kruise Dashboard backend API (seed 004), served for the default cluster so tools
//! and that dashboard's front end work against Bosun unchanged: the same routes, type
//! names and payloads, Bosun's authentication, and the same domain calls (and audit) as
//! every other transport. Action semantics are kubectl-kruise's, not that backend's.

use axum::extract::State;
use bosun_core::rollouts::RolloutCommand;
use bosun_core::{Error, Invocation, Operation};
use bosun_model::{KindId, ObjectRef};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Api, ApiError, ApiPath, ApiQuery, Data, data};
use crate::server::AppState;

/// The dashboard's workload types, in the order it lists them, with Bosun's kinds.
const TYPES: &[(&str, KindId)] = &[
    ("deployment", KindId::Deployment),
    ("cloneset", KindId::CloneSet),
    ("statefulset", KindId::AdvancedStatefulSet),
    ("daemonset", KindId::AdvancedDaemonSet),
    ("broadcastjob", KindId::BroadcastJob),
    ("advancedcronjob", KindId::AdvancedCronJob),
];

fn kind_of(type_name: &str) -> Result<KindId, ApiError> {
    TYPES
        .iter()
        .find(|(t, _)| *t == type_name)
        .map(|(_, k)| *k)
        .ok_or_else(|| {
            Error::BadRequest(format!(
                "unsupported workload type: {type_name} (use one of deployment, cloneset, statefulset, daemonset, broadcastjob, advancedcronjob)"
            ))
            .into()
        })
}

async fn default_cluster(state: &AppState) -> Result<String, ApiError> {
    Ok(bosun_core::clusters::default_name(&state.ctx).await?)
}

#[derive(Debug, Deserialize)]
pub struct NsPath {
    namespace: String,
}

#[derive(Debug, Deserialize)]
pub struct TypePath {
    namespace: String,
    #[serde(rename = "type")]
    type_name: String,
}

#[derive(Debug, Deserialize)]
pub struct WorkloadPath {
    namespace: String,
    #[serde(rename = "type")]
    type_name: String,
    name: String,
}

impl WorkloadPath {
    async fn object(&self, state: &AppState) -> Result<ObjectRef, ApiError> {
        Ok(ObjectRef::new(
            &default_cluster(state).await?,
            &self.namespace,
            kind_of(&self.type_name)?,
            &self.name,
        ))
    }
}

#[derive(Debug, Deserialize)]
pub struct NamePath {
    namespace: String,
    name: String,
}

impl NamePath {
    async fn rollout(&self, state: &AppState) -> Result<ObjectRef, ApiError> {
        Ok(ObjectRef::new(
            &default_cluster(state).await?,
            &self.namespace,
            KindId::Rollout,
            &self.name,
        ))
    }
}

/// `GET /namespaces`: the default cluster's namespace names.
pub async fn namespaces(
    State(state): State<AppState>,
    Api(inv): Api,
) -> Result<Data<Vec<String>>, ApiError> {
    let cluster = default_cluster(&state).await?;
    let page = bosun_core::clusters::namespaces(&state.ctx, &inv, &cluster).await?;
    Ok(data(page.items))
}

fn percent_text(value: Option<f64>) -> String {
    format!("{}%", value.unwrap_or(0.0).round())
}

/// `GET /cluster/metrics`: the seed's fields (`nodes`, `cpu_usage`: "45%", ...) and the
/// dashboard front end's (`totalNodes`, `cpuUsage`: 45.0, ...), both.
pub async fn metrics(
    State(state): State<AppState>,
    Api(inv): Api,
) -> Result<Data<Value>, ApiError> {
    let cluster = default_cluster(&state).await?;
    let m = bosun_core::objects::metrics(&state.ctx, &inv, &cluster).await?;
    Ok(data(json!({
        "nodes": m.total_nodes,
        "cpu_usage": percent_text(m.cpu_percent),
        "memory_usage": percent_text(m.memory_percent),
        "pod_count": m.total_pods,
        "cpuUsage": m.cpu_percent.unwrap_or(0.0),
        "memoryUsage": m.memory_percent.unwrap_or(0.0),
        "storageUsage": 0.0,
        "networkUsage": 0.0,
        "totalNodes": m.total_nodes,
        "readyNodes": m.ready_nodes,
        "totalPods": m.total_pods,
        "runningPods": m.running_pods,
    })))
}

async fn list_kind(
    state: &AppState,
    inv: &Invocation,
    cluster: &str,
    namespace: &str,
    kind: KindId,
) -> Result<Vec<Value>, ApiError> {
    Ok(bosun_core::objects::list(&state.ctx, inv, cluster, Some(namespace), kind).await?)
}

/// `GET /workload/{namespace}`: every type's objects, keyed by plural (`clonesets`...);
/// a type the cluster does not serve is an empty list.
pub async fn all_workloads(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NsPath>,
) -> Result<Data<Value>, ApiError> {
    let cluster = default_cluster(&state).await?;
    let mut out = serde_json::Map::new();
    for (type_name, kind) in TYPES {
        let items = match list_kind(&state, &inv, &cluster, &path.namespace, *kind).await {
            Ok(items) => items,
            Err(ApiError(Error::NotFound(_))) => Vec::new(),
            Err(e) => return Err(e),
        };
        out.insert(format!("{type_name}s"), Value::Array(items));
    }
    Ok(data(Value::Object(out)))
}

/// `GET /workload/{namespace}/{type}`: a Kubernetes list object (`CloneSetList`).
pub async fn list_workloads(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<TypePath>,
) -> Result<Data<Value>, ApiError> {
    let kind = kind_of(&path.type_name)?;
    let cluster = default_cluster(&state).await?;
    let items = list_kind(&state, &inv, &cluster, &path.namespace, kind).await?;
    let info = kind.info();
    let api_version = items
        .first()
        .and_then(|i| i.get("apiVersion"))
        .and_then(Value::as_str)
        .map_or_else(
            || format!("{}/{}", info.group, info.versions[0]),
            str::to_string,
        );
    Ok(data(json!({
        "apiVersion": api_version,
        "kind": format!("{}List", info.kind),
        "metadata": {},
        "items": items,
    })))
}

/// `GET /workload/{namespace}/{type}/{name}`: the object.
pub async fn get_workload(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<WorkloadPath>,
) -> Result<Data<Value>, ApiError> {
    let object = path.object(&state).await?;
    Ok(data(
        bosun_core::objects::get(&state.ctx, &inv, &object).await?,
    ))
}

/// `GET /workload/{namespace}/{type}/{name}/pods`: `{"workload": obj, "pods": [...]}`.
pub async fn workload_pods(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<WorkloadPath>,
) -> Result<Data<Value>, ApiError> {
    let object = path.object(&state).await?;
    let workload = bosun_core::objects::get(&state.ctx, &inv, &object).await?;
    let pods = bosun_core::objects::pods_of(&state.ctx, &inv, &object).await?;
    Ok(data(json!({ "workload": workload, "pods": pods })))
}

#[derive(Debug, Default, Deserialize)]
pub struct ScaleParams {
    replicas: Option<String>,
}

/// `POST /workload/{namespace}/{type}/{name}/scale?replicas=N`
pub async fn scale(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<WorkloadPath>,
    ApiQuery(params): ApiQuery<ScaleParams>,
) -> Result<Data<Value>, ApiError> {
    let raw = params
        .replicas
        .ok_or_else(|| Error::BadRequest("replicas parameter is required".into()))?;
    let replicas: i64 = raw.trim().parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
        Error::BadRequest(format!(
            "replicas must be a non-negative integer (got {raw:?})"
        ))
    })?;
    let target = path.object(&state).await?;
    let op = Operation::Scale { target, replicas };
    bosun_core::workloads::act(&state.ctx, &inv, op).await?;
    Ok(data(json!({
        "message": format!("Successfully scaled {} {} to {replicas} replicas", path.type_name, path.name),
        "replicas": replicas,
    })))
}

/// `POST /workload/{namespace}/{type}/{name}/restart`
pub async fn restart(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<WorkloadPath>,
) -> Result<Data<Value>, ApiError> {
    let target = path.object(&state).await?;
    let op = Operation::Restart {
        target,
        force: false,
    };
    bosun_core::workloads::act(&state.ctx, &inv, op).await?;
    Ok(data(json!({
        "message": format!("Successfully restarted {} {}", path.type_name, path.name),
    })))
}

/// `DELETE /workload/{namespace}/{type}/{name}`
pub async fn delete(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<WorkloadPath>,
) -> Result<Data<Value>, ApiError> {
    let target = path.object(&state).await?;
    bosun_core::workloads::act(&state.ctx, &inv, Operation::Delete { target }).await?;
    Ok(data(json!({
        "message": format!("Successfully deleted {} {}", path.type_name, path.name),
    })))
}

/// `GET /rollout/{namespace}/{name}` and `GET /rollout/status/{namespace}/{name}`: the
/// Rollout object.
pub async fn get_rollout(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamePath>,
) -> Result<Data<Value>, ApiError> {
    let object = path.rollout(&state).await?;
    Ok(data(
        bosun_core::objects::get(&state.ctx, &inv, &object).await?,
    ))
}

/// `GET /rollout/history/{namespace}/{name}`: `status.history`, or `{"history": null}`
/// when the rollout keeps none (Kruise does not).
pub async fn rollout_history(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamePath>,
) -> Result<Data<Value>, ApiError> {
    let object = path.rollout(&state).await?;
    let rollout = bosun_core::objects::get(&state.ctx, &inv, &object).await?;
    Ok(data(match rollout.pointer("/status/history") {
        Some(history) => history.clone(),
        None => json!({ "history": null }),
    }))
}

async fn rollouts(
    state: &AppState,
    inv: &Invocation,
    namespace: &str,
) -> Result<Vec<Value>, ApiError> {
    let cluster = default_cluster(state).await?;
    Ok(
        bosun_core::objects::list(&state.ctx, inv, &cluster, Some(namespace), KindId::Rollout)
            .await?,
    )
}

/// `GET /rollout/list/{namespace}`: `{"rollouts": [...], "total": N, "namespace": ns}`,
/// the shape the dashboard's front end reads.
pub async fn list_rollouts(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NsPath>,
) -> Result<Data<Value>, ApiError> {
    let items = rollouts(&state, &inv, &path.namespace).await?;
    Ok(data(json!({
        "total": items.len(),
        "rollouts": items,
        "namespace": path.namespace,
    })))
}

/// `GET /rollout/active/{namespace}`: the rollouts with a run in progress.
pub async fn active_rollouts(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NsPath>,
) -> Result<Data<Vec<Value>>, ApiError> {
    let cluster = default_cluster(&state).await?;
    let query = bosun_model::RolloutQuery {
        cluster: Some(cluster),
        namespace: Some(path.namespace.clone()),
        active: true,
        limit: Some(bosun_model::MAX_PAGE),
        ..Default::default()
    };
    let active = bosun_core::rollouts::list(&state.ctx, &inv, &query).await?;
    let all = rollouts(&state, &inv, &path.namespace).await?;
    Ok(data(
        all.into_iter()
            .filter(|o| {
                let name = o.pointer("/metadata/name").and_then(Value::as_str);
                active.items.iter().any(|r| Some(r.name.as_str()) == name)
            })
            .collect(),
    ))
}

async fn rollout_action(
    state: &AppState,
    inv: &Invocation,
    path: &NamePath,
    command: RolloutCommand,
    done: &str,
) -> Result<Data<Value>, ApiError> {
    let object = path.rollout(state).await?;
    bosun_core::rollouts::command(&state.ctx, inv, &object, command).await?;
    Ok(data(json!({ "message": done })))
}

macro_rules! rollout_action {
    ($name:ident, $route:literal, $command:expr, $done:literal) => {
        #[doc = concat!("`POST /rollout/", $route, "/{namespace}/{name}`")]
        pub async fn $name(
            State(state): State<AppState>,
            Api(inv): Api,
            ApiPath(path): ApiPath<NamePath>,
        ) -> Result<Data<Value>, ApiError> {
            rollout_action(&state, &inv, &path, $command, $done).await
        }
    };
}

rollout_action!(
    pause,
    "pause",
    RolloutCommand::Pause,
    "Rollout paused successfully"
);
rollout_action!(
    resume,
    "resume",
    RolloutCommand::Resume,
    "Rollout resumed successfully"
);
rollout_action!(
    undo,
    "undo",
    RolloutCommand::Undo,
    "Rollout undone successfully"
);
rollout_action!(
    restart_rollout,
    "restart",
    RolloutCommand::Restart,
    "Rollout restarted successfully"
);
rollout_action!(
    approve,
    "approve",
    RolloutCommand::Approve { step: None },
    "Rollout approved successfully"
);
