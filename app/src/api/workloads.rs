//! Workloads: lists, details and actions. Each server function is a thin adapter over the
//! same domain call the REST API and the CLI make.

use bosun_model::{
    AuditEntry, BatchItem, EventRow, KindId, ObjectRef, Page, PodRow, RevisionRow, RolloutStatus,
    WorkloadDetail, WorkloadQuery, WorkloadRow,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// A page of workloads from the watch caches.
#[server(prefix = "/rpc", endpoint = "workloads/list", input = Json)]
pub async fn list_workloads(query: WorkloadQuery) -> Result<Page<WorkloadRow>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::workloads::list(&ui.ctx, &ui.inv, &query)
        .await
        .map_err(fail)
}

/// Everything the detail page shows at once; `pods` is the first page of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadView {
    pub detail: WorkloadDetail,
    pub pods: Page<PodRow>,
    pub status: RolloutStatus,
}

/// A workload's detail, pods and rollout status.
#[server(prefix = "/rpc", endpoint = "workloads/get", input = Json)]
pub async fn fetch_workload(object: ObjectRef) -> Result<WorkloadView, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    let (ctx, inv) = (&ui.ctx, &ui.inv);
    let detail = bosun_core::workloads::detail(ctx, inv, &object)
        .await
        .map_err(fail)?;
    let pods = bosun_core::workloads::pods_of(ctx, inv, &object)
        .await
        .map_err(fail)?;
    let pods = Page::slice(pods, 0, bosun_model::DEFAULT_PAGE);
    let status = bosun_core::workloads::status(ctx, inv, &object, None)
        .await
        .map_err(fail)?;
    Ok(WorkloadView {
        detail,
        pods,
        status,
    })
}

/// A workload's revision history, newest first.
#[server(prefix = "/rpc", endpoint = "workloads/revisions", input = Json)]
pub async fn workload_revisions(object: ObjectRef) -> Result<Vec<RevisionRow>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::workloads::revisions(&ui.ctx, &ui.inv, &object)
        .await
        .map_err(fail)
}

/// Events about an object (a workload or a pod).
#[server(prefix = "/rpc", endpoint = "workloads/events", input = Json)]
pub async fn object_events(object: ObjectRef) -> Result<Vec<EventRow>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::workloads::events(&ui.ctx, &ui.inv, &object)
        .await
        .map_err(fail)
}

/// Every Bosun action on the object (the History tab).
#[server(prefix = "/rpc", endpoint = "workloads/history", input = Json)]
pub async fn object_history(object: ObjectRef) -> Result<Page<AuditEntry>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::workloads::history(&ui.ctx, &ui.inv, &object, None)
        .await
        .map_err(fail)
}

/// Where the workload's rollout stands now, for someone following it since `since`.
#[server(prefix = "/rpc", endpoint = "workloads/status", input = Json)]
pub async fn fetch_rollout_status(
    object: ObjectRef,
    since: Option<String>,
) -> Result<RolloutStatus, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::workloads::status(&ui.ctx, &ui.inv, &object, since.as_deref())
        .await
        .map_err(fail)
}

/// Restarts a batch of workloads with bounded concurrency and answers every item. (The
/// Workloads page sends items in small groups so results appear as they complete.)
#[server(prefix = "/rpc", endpoint = "workloads/batch-restart", input = Json)]
pub async fn batch_restart(
    targets: Vec<ObjectRef>,
    force: bool,
) -> Result<Vec<BatchItem>, AppError> {
    use crate::api::ssr::{fail, ui};
    use futures::StreamExt;
    let ui = ui()?;
    bosun_core::workloads::check_batch(&ui.ctx, &ui.inv, &targets)
        .await
        .map_err(fail)?;
    Ok(
        bosun_core::workloads::restart_batch(&ui.ctx, &ui.inv, targets, force)
            .collect()
            .await,
    )
}

/// The live stream of the workload list `query` asks for.
#[must_use]
pub fn workloads_stream_url(query: &WorkloadQuery) -> String {
    let limit = query.limit.map(|l| l.to_string());
    super::list_stream_url(
        query.cluster.as_deref(),
        query.namespace.as_deref(),
        query.kind.map_or("workloads", KindId::route),
        &[
            ("labelSelector", query.label_selector.as_deref()),
            ("q", query.q.as_deref()),
            ("sort", query.sort.as_deref()),
            ("limit", limit.as_deref()),
            ("continue", query.continue_token.as_deref()),
        ],
    )
}
