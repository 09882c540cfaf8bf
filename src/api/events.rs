//! Events over the API: a page of one or every cluster's events, or the page followed
//! live (`?watch=true`, one JSON line each time it changes).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::events as domain;
use bosun_model::EventQuery;
use serde::Deserialize;

use super::{Api, ApiError, ApiPath, ApiQuery, data};
use crate::server::AppState;

/// `/clusters/{cluster}/namespaces/{ns}/events` (`_all` for either).
#[derive(Debug, Deserialize)]
pub struct ScopePath {
    cluster: String,
    ns: String,
}

/// `?type=&reason=&kind=&name=&q=&limit=&continue=&watch=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventParams {
    #[serde(rename = "type")]
    type_: Option<String>,
    reason: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    q: Option<String>,
    limit: Option<usize>,
    #[serde(rename = "continue")]
    continue_token: Option<String>,
    #[serde(default)]
    watch: bool,
}

/// `GET /clusters/{c}/namespaces/{ns}/events`: warnings first, then the newest.
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ScopePath>,
    ApiQuery(p): ApiQuery<EventParams>,
) -> Result<Response, ApiError> {
    let query = EventQuery {
        cluster: Some(path.cluster),
        namespace: Some(path.ns),
        type_: p.type_,
        reason: p.reason,
        kind: p.kind,
        name: p.name,
        q: p.q,
        limit: p.limit,
        continue_token: p.continue_token,
    };
    if p.watch {
        return Ok(super::ndjson(
            domain::follow(&state.ctx, &inv, &query).await?,
        ));
    }
    Ok(data(domain::list(&state.ctx, &inv, &query).await?).into_response())
}
