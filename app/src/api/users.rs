//! Account administration: admins list, create, re-role and disable users.

use bosun_model::UserSummary;
use leptos::prelude::*;

use crate::AppError;

/// Every account, for the admin page.
#[server(prefix = "/rpc", endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    use crate::api::ssr::{authorize, fail};
    let (_, scope) = authorize(bosun_model::Role::Admin)?;
    let users = bosun_core::users::list(&scope.ctx.db).await.map_err(fail)?;
    Ok(users.iter().map(bosun_core::users::User::summary).collect())
}

/// Creates an account with a role.
#[server(prefix = "/rpc", endpoint = "users/create")]
pub async fn create_user(
    username: String,
    password: String,
    role: String,
) -> Result<UserSummary, AppError> {
    use crate::api::ssr::{authorize, fail};
    let (_, scope) = authorize(bosun_model::Role::Admin)?;
    let role = parse_role(&role)?;
    let result = bosun_core::users::create(&scope.ctx.db, &username, &password, role).await;
    let target = bosun_core::users::audit_target(&username);
    scope
        .audit("user.create", &target, result.as_ref().map(|_| ()))
        .await;
    result.map(|u| u.summary()).map_err(fail)
}

/// Gives an account another role (admins cannot demote themselves).
#[server(prefix = "/rpc", endpoint = "users/role")]
pub async fn set_user_role(username: String, role: String) -> Result<UserSummary, AppError> {
    use crate::api::ssr::{authorize, fail};
    let (caller, scope) = authorize(bosun_model::Role::Admin)?;
    let role = parse_role(&role)?;
    let result = bosun_core::users::change_role(&scope.ctx.db, &caller, &username, role).await;
    scope
        .audit(
            "user.set_role",
            &format!("{} role={role}", bosun_core::users::audit_target(&username)),
            result.as_ref().map(|_| ()),
        )
        .await;
    result.map(|u| u.summary()).map_err(fail)
}

/// Disables or re-enables an account. Admins cannot disable themselves.
#[server(prefix = "/rpc", endpoint = "users/disabled")]
pub async fn set_user_disabled(username: String, disabled: bool) -> Result<UserSummary, AppError> {
    use crate::api::ssr::{authorize, fail};
    let (caller, scope) = authorize(bosun_model::Role::Admin)?;
    let result =
        bosun_core::users::change_disabled(&scope.ctx.db, &caller, &username, disabled).await;
    let action = bosun_core::users::disabled_action(disabled);
    scope
        .audit(
            action,
            &bosun_core::users::audit_target(&username),
            result.as_ref().map(|_| ()),
        )
        .await;
    result.map(|u| u.summary()).map_err(fail)
}

/// Roles arrive as form text; an unknown one is the caller's mistake (400), named.
#[cfg(feature = "ssr")]
fn parse_role(raw: &str) -> Result<bosun_model::Role, AppError> {
    raw.parse::<bosun_model::Role>()
        .map_err(|e| crate::api::ssr::fail(bosun_core::Error::BadRequest(e.to_string())))
}
