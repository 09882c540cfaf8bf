//! Virtual machines and their operations for the pages. An operation's progress is
//! pushed by the REST stream `GET /api/v1/operations/{id}?watch=true`.

use bosun_model::{
    ObjectRef, OperationView, Page, VmActionOptions, VmCommand, VmDetail, VmQuery, VmRow,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// A page of VMs from the watch caches.
#[server(prefix = "/rpc", endpoint = "vms/list", input = Json)]
pub async fn list_vms(query: VmQuery) -> Result<Page<VmRow>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::vms::list(&ui.ctx, &ui.inv, &query)
        .await
        .map_err(fail)
}

/// One VM with its instance.
#[server(prefix = "/rpc", endpoint = "vms/get", input = Json)]
pub async fn fetch_vm(object: ObjectRef) -> Result<VmDetail, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::vms::detail(&ui.ctx, &ui.inv, &object)
        .await
        .map_err(fail)
}

/// The VM's operations, newest first.
#[server(prefix = "/rpc", endpoint = "vms/history", input = Json)]
pub async fn vm_history(object: ObjectRef) -> Result<Vec<OperationView>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::vms::history(&ui.ctx, &ui.inv, &object)
        .await
        .map_err(fail)
}

/// The answer for one VM of a bulk action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmBatchResult {
    pub target: ObjectRef,
    pub success: bool,
    pub operation_id: Option<String>,
    pub message: String,
}

/// One command on several VMs; every item authorized, carried out and audited alone.
#[server(prefix = "/rpc", endpoint = "vms/batch", input = Json)]
pub async fn vm_batch(
    targets: Vec<ObjectRef>,
    command: VmCommand,
    options: VmActionOptions,
) -> Result<Vec<VmBatchResult>, AppError> {
    use crate::api::ssr::{fail, ui};
    use futures::StreamExt;
    let ui = ui()?;
    bosun_core::vms::check_batch(&ui.ctx, &ui.inv, &targets, command, &options)
        .await
        .map_err(fail)?;
    Ok(
        bosun_core::vms::batch(&ui.ctx, &ui.inv, targets, command, options)
            .map(|item| VmBatchResult {
                target: item.target,
                success: item.success,
                operation_id: item.operation_id,
                message: item.message,
            })
            .collect()
            .await,
    )
}

/// The REST stream that pushes the VM each time it or its instance changes.
#[must_use]
pub fn vm_stream_url(object: &ObjectRef) -> String {
    format!(
        "/api/v1/clusters/{}/namespaces/{}/virtualmachines/{}?watch=true",
        object.cluster, object.namespace, object.name
    )
}

/// The REST stream that pushes an operation each time it changes.
#[must_use]
pub fn operation_stream_url(id: &str) -> String {
    format!("/api/v1/operations/{id}?watch=true")
}
