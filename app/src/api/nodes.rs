//! Nodes across clusters.

use bosun_model::NodeRow;
use leptos::prelude::*;

use crate::AppError;

/// Every node of every cluster, from the watch caches (no request to the clusters).
#[server(prefix = "/rpc", endpoint = "nodes/list")]
pub async fn list_nodes() -> Result<Vec<NodeRow>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::workloads::nodes(&ui.ctx, &ui.inv)
        .await
        .map_err(fail)
}
