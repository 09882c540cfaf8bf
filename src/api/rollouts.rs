//! Rollouts over the API: lists, detail, live status, history and the actions, each a
//! thin adapter over `bosun_core::rollouts`.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::rollouts::{self as domain, RolloutCommand};
use bosun_model::{
    ActionReply, EventRow, KindId, Page, RolloutDetail, RolloutHistory, RolloutQuery, RolloutRow,
};
use serde::Deserialize;

use super::paths::{NamedPath, ScopePath, WatchParams};
use super::workloads::{PageParams, all_or, optional_body};
use super::{Api, ApiError, ApiPath, ApiQuery, Data, data, ndjson};
use crate::server::AppState;

/// The kind every route here serves.
const KIND: KindId = KindId::Rollout;

/// `?active=true&q=&limit=&continue=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(default)]
    active: bool,
    q: Option<String>,
    limit: Option<usize>,
    #[serde(rename = "continue")]
    continue_token: Option<String>,
}

/// `GET /clusters/{cluster}/namespaces/{ns}/rollouts`
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ScopePath>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Data<Page<RolloutRow>>, ApiError> {
    let query = RolloutQuery {
        cluster: all_or(&path.cluster),
        namespace: all_or(&path.ns),
        active: params.active,
        q: params.q,
        limit: params.limit,
        continue_token: params.continue_token,
    };
    Ok(data(domain::list(&state.ctx, &inv, &query).await?))
}

/// `GET .../rollouts/{name}`
pub async fn get(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
) -> Result<Data<RolloutDetail>, ApiError> {
    Ok(data(
        domain::detail(&state.ctx, &inv, &path.object(KIND)).await?,
    ))
}

/// `GET .../rollouts/{name}/status`: the rollout's state (the detail without its YAML);
/// with `?watch=true`, one JSON line per change, pushed from the watch cache.
pub async fn status(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
    ApiQuery(params): ApiQuery<WatchParams>,
) -> Result<Response, ApiError> {
    let object = path.object(KIND);
    let strip = |mut d: RolloutDetail| {
        d.yaml.clear();
        d
    };
    if !params.watch {
        let detail = domain::detail(&state.ctx, &inv, &object).await?;
        return Ok(data(strip(detail)).into_response());
    }
    let updates = domain::follow(&state.ctx, &inv, &object).await?;
    Ok(ndjson(futures::StreamExt::map(updates, move |u| {
        u.map(strip)
    })))
}

/// `GET .../rollouts/{name}/history`: the workload's revisions and the console's past
/// actions on the rollout.
pub async fn history(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
) -> Result<Data<RolloutHistory>, ApiError> {
    Ok(data(
        domain::history(&state.ctx, &inv, &path.object(KIND)).await?,
    ))
}

/// `GET .../rollouts/{name}/events`
pub async fn events(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Data<Page<EventRow>>, ApiError> {
    let events = bosun_core::workloads::events(&state.ctx, &inv, &path.object(KIND)).await?;
    Ok(data(params.page(events)?))
}

async fn command(
    state: &AppState,
    inv: &bosun_core::Invocation,
    path: &NamedPath,
    command: RolloutCommand,
) -> Result<Data<ActionReply>, ApiError> {
    Ok(data(
        domain::command(&state.ctx, inv, &path.object(KIND), command).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    step: Option<i64>,
}

/// `POST .../rollouts/{name}/approve` `{"step": N}` (optional: with it, a rollout at
/// another step answers 409).
pub async fn approve(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
    body: Bytes,
) -> Result<Data<ActionReply>, ApiError> {
    let ApproveBody { step } = optional_body(&body)?;
    command(&state, &inv, &path, RolloutCommand::Approve { step }).await
}

/// `POST .../rollouts/{name}/pause`
pub async fn pause(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
) -> Result<Data<ActionReply>, ApiError> {
    command(&state, &inv, &path, RolloutCommand::Pause).await
}

/// `POST .../rollouts/{name}/resume`
pub async fn resume(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
) -> Result<Data<ActionReply>, ApiError> {
    command(&state, &inv, &path, RolloutCommand::Resume).await
}

/// `POST .../rollouts/{name}/undo`
pub async fn undo(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
) -> Result<Data<ActionReply>, ApiError> {
    command(&state, &inv, &path, RolloutCommand::Undo).await
}

/// `POST .../rollouts/{name}/restart`
pub async fn restart(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
) -> Result<Data<ActionReply>, ApiError> {
    command(&state, &inv, &path, RolloutCommand::Restart).await
}
