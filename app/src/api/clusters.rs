//! Clusters: which ones Bosun knows and how they are doing.

use bosun_model::ClusterSummary;
use leptos::prelude::*;

use crate::AppError;

/// Every cluster with its health, version and node counts (from the watch caches).
#[server(prefix = "/rpc", endpoint = "clusters/list")]
pub async fn list_clusters() -> Result<Vec<ClusterSummary>, AppError> {
    use crate::api::ssr::{authorize, cluster_registry};
    authorize(bosun_model::Role::Viewer)?;
    let registry = cluster_registry()?;
    Ok(bosun_clusters::summary::summarize_all(&registry).await)
}
