//! Clusters over the API: list and read (viewers), add, change, remove and test (admins).

use axum::extract::State;
use bosun_core::clusters;
use bosun_model::{
    ClusterInput, ClusterSaved, ClusterSummary, ClusterUpdate, ConnectionCheck, Page,
};

use super::{Api, ApiError, ApiJson, ApiPath, Data, data};
use crate::server::AppState;

/// `GET /api/v1/clusters`: every cluster with health, version and counts.
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
) -> Result<Data<Page<ClusterSummary>>, ApiError> {
    let all = clusters::list(&state.ctx, &inv).await?;
    Ok(data(Page::slice(all, 0, bosun_model::MAX_PAGE)))
}

/// `POST /api/v1/clusters` `{"name","kubeconfig","context"?,"environment","description"?,"default_namespace"?}`
pub async fn add(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiJson(body): ApiJson<ClusterInput>,
) -> Result<Data<ClusterSaved>, ApiError> {
    Ok(data(clusters::add(&state.ctx, &inv, body).await?))
}

/// `GET /api/v1/clusters/{cluster}`
pub async fn get(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(name): ApiPath<String>,
) -> Result<Data<ClusterSummary>, ApiError> {
    Ok(data(clusters::get(&state.ctx, &inv, &name).await?))
}

/// `PUT /api/v1/clusters/{cluster}` `{"description"?,"environment"?,"default_namespace"?,"kubeconfig"?,"context"?}`
pub async fn update(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<ClusterUpdate>,
) -> Result<Data<ClusterSaved>, ApiError> {
    Ok(data(clusters::update(&state.ctx, &inv, &name, body).await?))
}

/// `DELETE /api/v1/clusters/{cluster}`
pub async fn remove(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(name): ApiPath<String>,
) -> Result<Data<serde_json::Value>, ApiError> {
    clusters::remove(&state.ctx, &inv, &name).await?;
    Ok(data(serde_json::json!({ "name": name, "removed": true })))
}

/// `POST /api/v1/clusters/{cluster}/test`
pub async fn test(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(name): ApiPath<String>,
) -> Result<Data<ConnectionCheck>, ApiError> {
    Ok(data(clusters::test(&state.ctx, &inv, &name).await?))
}
