//! Reading the audit log.

use bosun_model::AuditEntry;
use leptos::prelude::*;

use crate::AppError;

/// The newest audit records, newest first. Every role may read the log: it holds who did
/// what, never secrets.
#[server(prefix = "/rpc", endpoint = "audit/recent")]
pub async fn recent_audit(limit: u32) -> Result<Vec<AuditEntry>, AppError> {
    use crate::api::ssr::{authorize, fail};
    let (_, scope) = authorize(bosun_model::Role::Viewer)?;
    bosun_core::audit::recent(&scope.ctx.db, limit)
        .await
        .map_err(fail)
}
