//! Nodes across clusters.

use bosun_model::NodeRow;
use leptos::prelude::*;

use crate::AppError;

/// Every node of every cluster, from the watch caches (no request to the clusters).
#[server(prefix = "/rpc", endpoint = "nodes/list")]
pub async fn list_nodes() -> Result<Vec<NodeRow>, AppError> {
    use crate::api::ssr::{authorize, cluster_registry};
    authorize(bosun_model::Role::Viewer)?;
    let registry = cluster_registry()?;
    Ok(bosun_clusters::nodes::all_nodes(&registry))
}
