//! Nodes over the API: list and page from the caches, cordon, uncordon, taints, labels,
//! and the drain, which answers with the tracked operation carrying it out.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::nodes::{self as domain, node_ref};
use bosun_core::{Operation, workloads};
use bosun_model::{ActionReply, DrainOptions, NodeDetail, NodeQuery, OperationView, Taint};
use http::StatusCode;
use serde::Deserialize;

use super::workloads::{all_or, optional_body};
use super::{Api, ApiError, ApiJson, ApiPath, ApiQuery, Data, data};
use crate::server::AppState;

/// `/clusters/{cluster}/nodes`
#[derive(Debug, Deserialize)]
pub struct ClusterPath {
    cluster: String,
}

/// `/clusters/{cluster}/nodes/{name}`
#[derive(Debug, Deserialize)]
pub struct NodePath {
    cluster: String,
    name: String,
}

impl NodePath {
    fn node(&self) -> bosun_model::ObjectRef {
        node_ref(&self.cluster, &self.name)
    }
}

/// `?q=&labelSelector=&sort=&limit=&continue=&watch=`: the parameters of the lists of
/// nodes and of the Resources kinds, served from the caches (`watch`: followed live).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListParams {
    pub(super) q: Option<String>,
    pub(super) label_selector: Option<String>,
    pub(super) sort: Option<String>,
    pub(super) limit: Option<usize>,
    #[serde(rename = "continue")]
    pub(super) continue_token: Option<String>,
    #[serde(default)]
    pub(super) watch: bool,
}

/// `GET /clusters/{cluster}/nodes` (`_all` for every cluster)
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ClusterPath>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let watch = params.watch;
    let query = NodeQuery {
        cluster: all_or(&path.cluster),
        q: params.q,
        label_selector: params.label_selector,
        sort: params.sort,
        limit: params.limit,
        continue_token: params.continue_token,
    };
    if watch {
        return Ok(super::ndjson(
            domain::follow_list(&state.ctx, &inv, &query).await?,
        ));
    }
    Ok(data(domain::list(&state.ctx, &inv, &query).await?).into_response())
}

/// `GET /clusters/{cluster}/nodes/{name}`
pub async fn get(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NodePath>,
) -> Result<Data<NodeDetail>, ApiError> {
    Ok(data(domain::detail(&state.ctx, &inv, &path.node()).await?))
}

/// `GET /clusters/{cluster}/nodes/{name}/history`: its drains, newest first.
pub async fn history(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NodePath>,
) -> Result<Data<Vec<OperationView>>, ApiError> {
    let ops = bosun_core::operations::of_object(&state.ctx, &inv, &path.node(), 100).await?;
    Ok(data(ops))
}

async fn set_unschedulable(
    state: &AppState,
    inv: &bosun_core::Invocation,
    path: &NodePath,
    unschedulable: bool,
) -> Result<Data<ActionReply>, ApiError> {
    let op = Operation::SetUnschedulable {
        target: path.node(),
        unschedulable,
    };
    Ok(data(workloads::act(&state.ctx, inv, op).await?))
}

/// `POST /clusters/{cluster}/nodes/{name}/cordon`
pub async fn cordon(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NodePath>,
) -> Result<Data<ActionReply>, ApiError> {
    set_unschedulable(&state, &inv, &path, true).await
}

/// `POST /clusters/{cluster}/nodes/{name}/uncordon`
pub async fn uncordon(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NodePath>,
) -> Result<Data<ActionReply>, ApiError> {
    set_unschedulable(&state, &inv, &path, false).await
}

/// `POST /clusters/{cluster}/nodes/{name}/drain` with
/// `{"ignoreDaemonSets","deleteEmptyDirData","force","gracePeriodSeconds","timeoutSeconds"}`
/// (all optional): 202 with `{"operation_id","state"}`.
pub async fn drain(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NodePath>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let options: DrainOptions = optional_body(&body)?;
    let accepted = domain::drain(&state.ctx, &inv, &path.node(), options).await?;
    Ok((StatusCode::ACCEPTED, data(accepted)).into_response())
}

/// `{"add":[{"key","value","effect"}],"remove":["key","key:Effect"]}`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaintsBody {
    #[serde(default)]
    add: Vec<Taint>,
    #[serde(default)]
    remove: Vec<String>,
}

/// `PATCH /clusters/{cluster}/nodes/{name}/taints`
pub async fn taints(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NodePath>,
    ApiJson(body): ApiJson<TaintsBody>,
) -> Result<Data<ActionReply>, ApiError> {
    let op = Operation::ChangeTaints {
        target: path.node(),
        add: body.add,
        remove: body.remove,
    };
    Ok(data(workloads::act(&state.ctx, &inv, op).await?))
}

/// `{"set":{"k":"v"},"remove":["k"]}`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelsBody {
    #[serde(default)]
    set: BTreeMap<String, String>,
    #[serde(default)]
    remove: Vec<String>,
}

/// `PATCH /clusters/{cluster}/nodes/{name}/labels`
pub async fn node_labels(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NodePath>,
    ApiJson(body): ApiJson<LabelsBody>,
) -> Result<Data<ActionReply>, ApiError> {
    label(&state, &inv, path.node(), body).await
}

/// `PATCH /clusters/{cluster}/namespaces/{ns}/{kind}/{name}/labels`
pub async fn object_labels(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<super::workloads::ObjectPath>,
    ApiJson(body): ApiJson<LabelsBody>,
) -> Result<Data<ActionReply>, ApiError> {
    label(&state, &inv, path.object_of_any_kind()?, body).await
}

async fn label(
    state: &AppState,
    inv: &bosun_core::Invocation,
    target: bosun_model::ObjectRef,
    body: LabelsBody,
) -> Result<Data<ActionReply>, ApiError> {
    let op = Operation::ChangeLabels {
        target,
        set: body.set,
        remove: body.remove,
    };
    Ok(data(workloads::act(&state.ctx, inv, op).await?))
}
