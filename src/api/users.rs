//! Account administration over the API (admins only).

use axum::extract::State;
use bosun_core::accounts;
use bosun_model::{Role, UserSummary};
use serde::Deserialize;

use super::{Api, ApiError, ApiJson, ApiPath, Data, data};
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

/// `GET /api/v1/users`
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
) -> Result<Data<Vec<UserSummary>>, ApiError> {
    Ok(data(accounts::list(&state.ctx, &inv).await?))
}

/// `POST /api/v1/users` `{"username","password","role"}`
pub async fn create(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiJson(body): ApiJson<CreateUser>,
) -> Result<Data<UserSummary>, ApiError> {
    let user =
        accounts::create_user(&state.ctx, &inv, &body.username, &body.password, body.role).await?;
    Ok(data(user.summary()))
}

/// `PATCH /api/v1/users/{name}` `{"role"?, "disabled"?}`: each change is its own audited
/// action, so a refused or failed change leaves its own record.
pub async fn update(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> Result<Data<UserSummary>, ApiError> {
    let mut changed = None;
    if let Some(role) = body.role {
        changed = Some(accounts::set_role(&state.ctx, &inv, &name, role).await?);
    }
    if let Some(disabled) = body.disabled {
        changed = Some(accounts::set_disabled(&state.ctx, &inv, &name, disabled).await?);
    }
    let Some(user) = changed else {
        // Who may not change users learns that before what is wrong with the request.
        let target = bosun_core::authz::Target::user(&name);
        bosun_core::actions::permit(
            &state.ctx,
            &inv,
            bosun_model::Action::UserSetRole,
            &target,
            &serde_json::Value::Null,
        )
        .await?;
        return Err(bosun_core::Error::BadRequest(
            "nothing to change: give role and/or disabled".into(),
        )
        .into());
    };
    Ok(data(user.summary()))
}

/// `POST /api/v1/users/{name}/sessions/end`: every session and token of the account ends.
pub async fn end_sessions(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(name): ApiPath<String>,
) -> Result<Data<UserSummary>, ApiError> {
    let user = accounts::end_sessions(&state.ctx, &inv, &name).await?;
    Ok(data(user.summary()))
}
