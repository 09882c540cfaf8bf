//! Clusters over the API.

use axum::Extension;
use axum::extract::State;
use bosun_app::api::ssr::RequestCaller;
use bosun_core::{Role, auth};
use bosun_model::ClusterSummary;

use super::{ApiError, Data};
use crate::server::AppState;

/// `GET /api/v1/clusters`: every cluster with health, version and node counts.
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<RequestCaller>,
) -> Result<Data<Vec<ClusterSummary>>, ApiError> {
    auth::require(caller.0.as_ref(), Role::Viewer)?;
    Ok(Data {
        data: bosun_clusters::summary::summarize_all(&state.clusters).await,
    })
}
