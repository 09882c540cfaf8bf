//! Clusters: which ones Bosun knows and how they are doing.

use bosun_model::ClusterSummary;
use leptos::prelude::*;

use crate::AppError;

/// Every cluster with its health, version and node counts (from the watch caches).
#[server(prefix = "/rpc", endpoint = "clusters/list")]
pub async fn list_clusters() -> Result<Vec<ClusterSummary>, AppError> {
    use crate::api::ssr::{authorize, fail};
    authorize(bosun_model::Role::Viewer)?;
    let registry = use_context::<std::sync::Arc<bosun_clusters::ClusterRegistry>>()
        .ok_or_else(|| fail(bosun_core::Error::Internal("cluster registry missing".into())))?;
    Ok(bosun_clusters::summary::summarize_all(&registry).await)
}
