//! YAML templates over the API: list, view, create, change, delete, and check (a dry
//! run of the rendered YAML on one cluster and namespace).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::templates as domain;
use bosun_model::{CheckRequest, Template, TemplateInput};
use http::StatusCode;
use serde::Deserialize;

use super::{Api, ApiError, ApiJson, ApiPath, Data, data};
use crate::server::AppState;

/// `/templates/{id}`
#[derive(Debug, Deserialize)]
pub struct IdPath {
    pub(super) id: i64,
}

/// `GET /templates`: every template, by name.
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
) -> Result<Data<Vec<Template>>, ApiError> {
    Ok(data(domain::list(&state.ctx, &inv).await?))
}

/// `GET /templates/{id}`
pub async fn get(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<IdPath>,
) -> Result<Data<Template>, ApiError> {
    Ok(data(domain::get(&state.ctx, &inv, path.id).await?))
}

/// `POST /templates` `{"name", "description", "yaml"}` → 201 with the template (its `id`).
pub async fn create(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<Response, ApiError> {
    let template = domain::create(&state.ctx, &inv, &input).await?;
    Ok((StatusCode::CREATED, data(template)).into_response())
}

/// `PUT /templates/{id}` `{"name", "description", "yaml"}`
pub async fn update(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<IdPath>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<Data<Template>, ApiError> {
    Ok(data(
        domain::update(&state.ctx, &inv, path.id, &input).await?,
    ))
}

/// `DELETE /templates/{id}`: the tasks that used it keep their rendered YAML.
pub async fn delete(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<IdPath>,
) -> Result<Data<serde_json::Value>, ApiError> {
    domain::delete(&state.ctx, &inv, path.id).await?;
    Ok(data(serde_json::json!({ "deleted": true })))
}

/// `POST /templates/{id}/check` `{"cluster", "namespace", "values"}`: the rendered YAML
/// and a dry-run result per document; 200 when all pass, 207 when some do not.
pub async fn check(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<IdPath>,
    ApiJson(request): ApiJson<CheckRequest>,
) -> Result<Response, ApiError> {
    let checked = domain::check(&state.ctx, &inv, path.id, &request).await?;
    Ok(super::per_part(checked.report.succeeded(), checked))
}
