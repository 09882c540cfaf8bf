//! The audit log over the API.

use axum::extract::State;
use bosun_model::{AuditEntry, AuditQuery, Page};
use serde::Deserialize;

use super::{Api, ApiError, ApiQuery, Data, data};
use crate::server::AppState;

/// `?cluster=&namespace=&kind=&name=&user=&action=&outcome=&source=&limit=&before=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    cluster: Option<String>,
    namespace: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    user: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    source: Option<String>,
    limit: Option<u32>,
    before: Option<i64>,
}

/// `GET /api/v1/audit`: newest first, filtered on any column; `continue` is the next
/// `before`.
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Data<Page<AuditEntry>>, ApiError> {
    let query = AuditQuery {
        cluster: p.cluster,
        namespace: p.namespace,
        kind: p.kind,
        name: p.name,
        user: p.user,
        action: p.action,
        outcome: p.outcome,
        source: p.source,
        before: p.before,
        limit: p.limit,
    };
    Ok(data(
        bosun_core::actions::audit_log(&state.ctx, &inv, &query).await?,
    ))
}
