//! Account administration over the API (admins only).

use axum::Extension;
use axum::extract::{Path, State};
use bosun_app::api::ssr::RequestCaller;
use bosun_core::audit;
use bosun_core::{Role, auth, users};
use bosun_model::UserSummary;
use serde::Deserialize;

use super::{ApiError, ApiJson, Data};
use crate::http::trace::current_trace_id;
use crate::server::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    username: String,
    password: String,
    role: Role,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    role: Option<Role>,
    disabled: Option<bool>,
}

async fn audit_change(
    state: &AppState,
    actor: &str,
    action: &str,
    target: &str,
    result: Result<(), &bosun_core::Error>,
) {
    audit::record_result(
        &state.ctx.db,
        actor,
        action,
        target,
        &current_trace_id(),
        result,
    )
    .await;
}

/// `GET /api/v1/users`
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<RequestCaller>,
) -> Result<Data<Vec<UserSummary>>, ApiError> {
    auth::require(caller.0.as_ref(), Role::Admin)?;
    let all = users::list(&state.ctx.db).await?;
    Ok(Data {
        data: all.iter().map(users::User::summary).collect(),
    })
}

/// `POST /api/v1/users` `{"username","password","role"}`
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<RequestCaller>,
    ApiJson(body): ApiJson<CreateUser>,
) -> Result<Data<UserSummary>, ApiError> {
    let caller = auth::require(caller.0.as_ref(), Role::Admin)?;
    let created = users::create(&state.ctx.db, &body.username, &body.password, body.role).await;
    let target = users::audit_target(&body.username);
    audit_change(
        &state,
        &caller.username,
        "user.create",
        &target,
        created.as_ref().map(|_| ()),
    )
    .await;
    Ok(Data {
        data: created?.summary(),
    })
}

/// `PATCH /api/v1/users/{name}` `{"role"?, "disabled"?}`
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<RequestCaller>,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> Result<Data<UserSummary>, ApiError> {
    let caller = auth::require(caller.0.as_ref(), Role::Admin)?.clone();
    let target = users::audit_target(&name);
    if body.role.is_none() && body.disabled.is_none() {
        return Err(bosun_core::Error::BadRequest(
            "nothing to change: give role and/or disabled".into(),
        )
        .into());
    }
    let mut user = users::find(&state.ctx.db, &name).await?;
    if let Some(role) = body.role {
        let changed = users::change_role(&state.ctx.db, &caller, &name, role).await;
        audit_change(
            &state,
            &caller.username,
            "user.set_role",
            &format!("{target} role={role}"),
            changed.as_ref().map(|_| ()),
        )
        .await;
        user = changed?;
    }
    if let Some(disabled) = body.disabled {
        let changed = users::change_disabled(&state.ctx.db, &caller, &name, disabled).await;
        let action = users::disabled_action(disabled);
        audit_change(
            &state,
            &caller.username,
            action,
            &target,
            changed.as_ref().map(|_| ()),
        )
        .await;
        user = changed?;
    }
    Ok(Data {
        data: user.summary(),
    })
}
