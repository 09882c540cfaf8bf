//! The audit log over the API.

use axum::Extension;
use axum::extract::{Query, State};
use bosun_app::api::ssr::RequestCaller;
use bosun_core::{Role, auth};
use bosun_model::AuditEntry;
use serde::Deserialize;

use super::{ApiError, Data};
use crate::server::AppState;

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    limit: Option<u32>,
}

/// `GET /api/v1/audit?limit=N`: newest first, at most 1000.
pub async fn recent(
    State(state): State<AppState>,
    Extension(caller): Extension<RequestCaller>,
    Query(query): Query<AuditQuery>,
) -> Result<Data<Vec<AuditEntry>>, ApiError> {
    auth::require(caller.0.as_ref(), Role::Viewer)?;
    let entries = bosun_core::audit::recent(&state.ctx.db, query.limit.unwrap_or(100)).await?;
    Ok(Data { data: entries })
}
