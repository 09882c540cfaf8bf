//! Virtual machines over the API: lists, detail, restart history, and lifecycle actions
//! that answer with the tracked operation carrying them out.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::vms::{self as domain, VmBatchItem, VmCommand};
use bosun_model::{
    EventRow, KindId, ObjectRef, OperationView, Page, VmActionOptions, VmDetail, VmQuery, VmRow,
};
use futures::StreamExt;
use http::StatusCode;
use serde::{Deserialize, Serialize};

use super::paths::{NamedPath, ScopePath, WatchParams};
use super::workloads::{PageParams, all_or, optional_body};
use super::{Api, ApiError, ApiJson, ApiPath, ApiQuery, Data, data, ndjson};
use crate::server::AppState;

/// The kind every route here serves.
const KIND: KindId = KindId::VirtualMachine;

/// `?q=&status=&limit=&continue=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    q: Option<String>,
    status: Option<String>,
    limit: Option<usize>,
    #[serde(rename = "continue")]
    continue_token: Option<String>,
}

/// `GET /clusters/{cluster}/namespaces/{ns}/virtualmachines`
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ScopePath>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Data<Page<VmRow>>, ApiError> {
    let query = VmQuery {
        cluster: all_or(&path.cluster),
        namespace: all_or(&path.ns),
        q: params.q,
        status: params.status,
        limit: params.limit,
        continue_token: params.continue_token,
    };
    Ok(data(domain::list(&state.ctx, &inv, &query).await?))
}

/// `GET .../virtualmachines/{name}`; with `?watch=true`, a JSON line each time the VM or
/// its instance changes.
pub async fn get(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
    ApiQuery(params): ApiQuery<WatchParams>,
) -> Result<Response, ApiError> {
    let object = path.object(KIND);
    if params.watch {
        return Ok(ndjson(domain::follow(&state.ctx, &inv, &object).await?));
    }
    let detail: VmDetail = domain::detail(&state.ctx, &inv, &object).await?;
    Ok(data(detail).into_response())
}

/// `GET .../virtualmachines/{name}/history`: its operations, newest first.
pub async fn history(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
) -> Result<Data<Vec<OperationView>>, ApiError> {
    Ok(data(
        domain::history(&state.ctx, &inv, &path.object(KIND)).await?,
    ))
}

/// `GET .../virtualmachines/{name}/events`
pub async fn events(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Data<Page<EventRow>>, ApiError> {
    let events = bosun_core::workloads::events(&state.ctx, &inv, &path.object(KIND)).await?;
    Ok(data(params.page(events)?))
}

/// Runs one lifecycle command; 202 with `{"data": {"operation_id", "state", "message"}}`.
async fn command(
    state: &AppState,
    inv: &bosun_core::Invocation,
    path: &NamedPath,
    command: VmCommand,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let options: VmActionOptions = optional_body(body)?;
    let accepted = domain::command(&state.ctx, inv, &path.object(KIND), command, options).await?;
    Ok((StatusCode::ACCEPTED, data(accepted)).into_response())
}

macro_rules! vm_command {
    ($name:ident, $command:expr, $doc:literal) => {
        #[doc = $doc]
        pub async fn $name(
            State(state): State<AppState>,
            Api(inv): Api,
            ApiPath(path): ApiPath<NamedPath>,
            body: Bytes,
        ) -> Result<Response, ApiError> {
            command(&state, &inv, &path, $command, &body).await
        }
    };
}

vm_command!(
    start,
    VmCommand::Start,
    "`PUT .../virtualmachines/{name}/start`"
);
vm_command!(
    stop,
    VmCommand::Stop,
    "`PUT .../virtualmachines/{name}/stop` `{\"force\", \"gracePeriodSeconds\", \"stopTimeoutSeconds\"}`"
);
vm_command!(
    restart,
    VmCommand::Restart,
    "`PUT .../virtualmachines/{name}/restart` `{\"force\", \"stopTimeoutSeconds\", \"startTimeoutSeconds\"}`"
);
vm_command!(
    pause,
    VmCommand::Pause,
    "`PUT .../virtualmachines/{name}/pause`"
);
vm_command!(
    unpause,
    VmCommand::Unpause,
    "`PUT .../virtualmachines/{name}/unpause`"
);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BatchBody {
    targets: Vec<ObjectRef>,
    action: VmCommand,
    #[serde(default)]
    force: bool,
    grace_period_seconds: Option<i64>,
    stop_timeout_seconds: Option<i64>,
    start_timeout_seconds: Option<i64>,
}

/// The answer to a bulk action: every item in the order given, and counts.
#[derive(Debug, Serialize)]
pub struct BatchResult {
    items: Vec<VmBatchItem>,
    total: usize,
    accepted: usize,
    failed: usize,
}

/// `POST /batch/vm` `{"targets": [...], "action": "start|stop|restart|pause|unpause", "force"?, ...}`
pub async fn batch(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiJson(body): ApiJson<BatchBody>,
) -> Result<Data<BatchResult>, ApiError> {
    let options = VmActionOptions {
        force: body.force,
        grace_period_seconds: body.grace_period_seconds,
        stop_timeout_seconds: body.stop_timeout_seconds,
        start_timeout_seconds: body.start_timeout_seconds,
    };
    domain::check_batch(&state.ctx, &inv, &body.targets, body.action, &options).await?;
    let order = body.targets.clone();
    let mut items: Vec<VmBatchItem> =
        domain::batch(&state.ctx, &inv, body.targets, body.action, options)
            .collect()
            .await;
    items.sort_by_key(|i| {
        order
            .iter()
            .position(|t| *t == i.target)
            .unwrap_or(usize::MAX)
    });
    let accepted = items.iter().filter(|i| i.success).count();
    Ok(data(BatchResult {
        total: items.len(),
        failed: items.len() - accepted,
        accepted,
        items,
    }))
}
