//! Tracked operations over the API.

use super::paths::WatchParams;
use super::{Api, ApiError, ApiPath, ApiQuery, data, ndjson};
use crate::server::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::operations as domain;

/// `GET /operations/{id}`: the state, every transition with its time, and whether and
/// why a forced fallback fired; with `?watch=true`, a JSON line per change until it ends.
pub async fn get(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<WatchParams>,
) -> Result<Response, ApiError> {
    if params.watch {
        return Ok(ndjson(domain::follow(&state.ctx, &inv, &id).await?));
    }
    Ok(data(domain::get(&state.ctx, &inv, &id).await?).into_response())
}

/// `POST /operations/{id}/cancel`: stops a running drain; answers with the operation as
/// it ended.
pub async fn cancel(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(id): ApiPath<String>,
) -> Result<super::Data<bosun_model::OperationView>, ApiError> {
    Ok(data(domain::cancel(&state.ctx, &inv, &id).await?))
}
