//! Reading the audit log.

use bosun_model::{AuditEntry, AuditQuery, Page};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;

/// Audit records matching every given filter, newest first, one page at a time.
#[server(prefix = "/rpc", endpoint = "audit/list", input = Json)]
pub async fn audit_log(query: AuditQuery) -> Result<Page<AuditEntry>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::actions::audit_log(&ui.ctx, &ui.inv, &query)
        .await
        .map_err(fail)
}
