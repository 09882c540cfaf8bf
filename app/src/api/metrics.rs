//! The usage charts' server functions: what the console's sampler keeps for a cluster's
//! nodes and pods. Each is one domain call that authorizes the read.

use bosun_model::{NodeUsage, PodUsage, PodUsageQuery, UsageReport};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;

/// Nodes' usage and history (one node with `name`).
#[server(prefix = "/rpc", endpoint = "metrics/nodes", input = Json)]
pub async fn fetch_node_usage(
    cluster: String,
    name: Option<String>,
) -> Result<UsageReport<NodeUsage>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::metrics::nodes(&ui.ctx, &ui.inv, &cluster, name.as_deref())
        .await
        .map_err(fail)
}

/// Pods' usage, busiest first; one pod with its history.
#[server(prefix = "/rpc", endpoint = "metrics/pods", input = Json)]
pub async fn fetch_pod_usage(
    cluster: String,
    query: PodUsageQuery,
) -> Result<UsageReport<PodUsage>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::metrics::pods(&ui.ctx, &ui.inv, &cluster, &query)
        .await
        .map_err(fail)
}
