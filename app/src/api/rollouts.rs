//! Rollouts: lists, detail and history for the pages. Live updates come from the REST
//! status stream (`?watch=true`), which the watch cache drives.

use bosun_model::{
    EventRow, ObjectRef, Page, RolloutDetail, RolloutHistory, RolloutQuery, RolloutRow,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;

/// A page of rollouts from the watch caches.
#[server(prefix = "/rpc", endpoint = "rollouts/list", input = Json)]
pub async fn list_rollouts(query: RolloutQuery) -> Result<Page<RolloutRow>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::rollouts::list(&ui.ctx, &ui.inv, &query)
        .await
        .map_err(fail)
}

/// One rollout.
#[server(prefix = "/rpc", endpoint = "rollouts/get", input = Json)]
pub async fn fetch_rollout(object: ObjectRef) -> Result<RolloutDetail, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::rollouts::detail(&ui.ctx, &ui.inv, &object)
        .await
        .map_err(fail)
}

/// The workload's revisions and the console's past actions on the rollout.
#[server(prefix = "/rpc", endpoint = "rollouts/history", input = Json)]
pub async fn fetch_rollout_history(object: ObjectRef) -> Result<RolloutHistory, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::rollouts::history(&ui.ctx, &ui.inv, &object)
        .await
        .map_err(fail)
}

/// Events about the rollout.
#[server(prefix = "/rpc", endpoint = "rollouts/events", input = Json)]
pub async fn rollout_events(object: ObjectRef) -> Result<Vec<EventRow>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::workloads::events(&ui.ctx, &ui.inv, &object)
        .await
        .map_err(fail)
}

/// The REST stream that pushes the rollout each time it changes.
#[must_use]
pub fn status_stream_url(object: &ObjectRef) -> String {
    format!(
        "/api/v1/clusters/{}/namespaces/{}/rollouts/{}/status?watch=true",
        object.cluster, object.namespace, object.name
    )
}
