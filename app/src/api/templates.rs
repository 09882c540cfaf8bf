//! The Templates and Tasks pages' server functions: templates listed, read, saved,
//! deleted and checked; tasks listed, read, started, re-run and cleaned up. Each is one
//! domain call that authorizes and, for changes, audits.

use bosun_model::{
    CheckReport, CheckRequest, Page, Task, TaskQuery, TaskRequest, TaskRow, Template, TemplateInput,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;

/// Every template, by name.
#[server(prefix = "/rpc", endpoint = "templates/list", input = Json)]
pub async fn list_templates() -> Result<Vec<Template>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::templates::list(&ui.ctx, &ui.inv)
        .await
        .map_err(fail)
}

/// One template.
#[server(prefix = "/rpc", endpoint = "templates/get", input = Json)]
pub async fn fetch_template(id: i64) -> Result<Template, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::templates::get(&ui.ctx, &ui.inv, id)
        .await
        .map_err(fail)
}

/// Creates a template (`id` none) or changes one.
#[server(prefix = "/rpc", endpoint = "templates/save", input = Json)]
pub async fn save_template(id: Option<i64>, input: TemplateInput) -> Result<Template, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    match id {
        Some(id) => bosun_core::templates::update(&ui.ctx, &ui.inv, id, &input).await,
        None => bosun_core::templates::create(&ui.ctx, &ui.inv, &input).await,
    }
    .map_err(fail)
}

/// Deletes a template.
#[server(prefix = "/rpc", endpoint = "templates/delete", input = Json)]
pub async fn delete_template(id: i64) -> Result<(), AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::templates::delete(&ui.ctx, &ui.inv, id)
        .await
        .map_err(fail)
}

/// Renders a template and dry-runs it on one cluster and namespace.
#[server(prefix = "/rpc", endpoint = "templates/check", input = Json)]
pub async fn check_template(id: i64, request: CheckRequest) -> Result<CheckReport, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::templates::check(&ui.ctx, &ui.inv, id, &request)
        .await
        .map_err(fail)
}

/// A page of the task history.
#[server(prefix = "/rpc", endpoint = "tasks/list", input = Json)]
pub async fn list_tasks(query: TaskQuery) -> Result<Page<TaskRow>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::tasks::list(&ui.ctx, &ui.inv, &query)
        .await
        .map_err(fail)
}

/// One task with every result.
#[server(prefix = "/rpc", endpoint = "tasks/get", input = Json)]
pub async fn fetch_task(id: i64) -> Result<Task, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::tasks::get(&ui.ctx, &ui.inv, id)
        .await
        .map_err(fail)
}

/// Applies a template to its targets (answers within ten seconds, finished or running).
#[server(prefix = "/rpc", endpoint = "tasks/run", input = Json)]
pub async fn run_task(request: TaskRequest) -> Result<Task, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::tasks::run(&ui.ctx, &ui.inv, &request)
        .await
        .map_err(fail)
}

/// Runs a task again as it ran.
#[server(prefix = "/rpc", endpoint = "tasks/rerun", input = Json)]
pub async fn rerun_task(id: i64) -> Result<Task, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::tasks::rerun(&ui.ctx, &ui.inv, id)
        .await
        .map_err(fail)
}

/// Deletes what a task created.
#[server(prefix = "/rpc", endpoint = "tasks/cleanup", input = Json)]
pub async fn clean_up_task(id: i64) -> Result<Task, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::tasks::cleanup(&ui.ctx, &ui.inv, id)
        .await
        .map_err(fail)
}
