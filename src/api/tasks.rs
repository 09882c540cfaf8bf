//! Apply tasks over the API: the searchable history, one task, starting one, re-running
//! one, and deleting what one created.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::tasks as domain;
use bosun_model::{Page, Task, TaskQuery, TaskRequest, TaskRow};
use http::StatusCode;

use super::templates::IdPath;
use super::{Api, ApiError, ApiJson, ApiPath, ApiQuery, Data, data};
use crate::server::AppState;

/// 201 with a finished task, 202 with one still running (follow it at `GET /tasks/{id}`).
fn started(task: Task) -> Response {
    let status = if task.state.finished() {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    (status, data(task)).into_response()
}

/// `GET /tasks?q=&state=&template_id=&limit=&continue=`: newest first.
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiQuery(query): ApiQuery<TaskQuery>,
) -> Result<Data<Page<TaskRow>>, ApiError> {
    Ok(data(domain::list(&state.ctx, &inv, &query).await?))
}

/// `GET /tasks/{id}`: the task with its rendered YAML and a result per document per target.
pub async fn get(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<IdPath>,
) -> Result<Data<Task>, ApiError> {
    Ok(data(domain::get(&state.ctx, &inv, path.id).await?))
}

/// `POST /tasks` `{"template_id", "targets": [{"cluster", "namespace"}], "values", "dry_run"}`
pub async fn create(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiJson(request): ApiJson<TaskRequest>,
) -> Result<Response, ApiError> {
    Ok(started(domain::run(&state.ctx, &inv, &request).await?))
}

/// `POST /tasks/{id}/rerun`: the same rendered YAML on the same targets, as a new task.
pub async fn rerun(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<IdPath>,
) -> Result<Response, ApiError> {
    Ok(started(domain::rerun(&state.ctx, &inv, path.id).await?))
}

/// `POST /tasks/{id}/cleanup`: deletes the objects the task created.
pub async fn cleanup(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<IdPath>,
) -> Result<Data<Task>, ApiError> {
    Ok(data(domain::cleanup(&state.ctx, &inv, path.id).await?))
}
