//! Account administration: admins list, create, re-role and disable users.

use bosun_model::UserSummary;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;

/// Every account, for the admin page.
#[server(prefix = "/rpc", endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::accounts::list(&ui.ctx, &ui.inv)
        .await
        .map_err(fail)
}

/// Creates an account with a role.
#[server(prefix = "/rpc", endpoint = "users/create")]
pub async fn create_user(
    username: String,
    password: String,
    role: String,
) -> Result<UserSummary, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    let role = parse_role(&role)?;
    bosun_core::accounts::create_user(&ui.ctx, &ui.inv, &username, &password, role)
        .await
        .map(|u| u.summary())
        .map_err(fail)
}

/// Gives an account another role (admins cannot demote themselves).
#[server(prefix = "/rpc", endpoint = "users/role")]
pub async fn set_user_role(username: String, role: String) -> Result<UserSummary, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    let role = parse_role(&role)?;
    bosun_core::accounts::set_role(&ui.ctx, &ui.inv, &username, role)
        .await
        .map(|u| u.summary())
        .map_err(fail)
}

/// Disables or re-enables an account. Admins cannot disable themselves.
#[server(prefix = "/rpc", endpoint = "users/disabled")]
pub async fn set_user_disabled(username: String, disabled: bool) -> Result<UserSummary, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::accounts::set_disabled(&ui.ctx, &ui.inv, &username, disabled)
        .await
        .map(|u| u.summary())
        .map_err(fail)
}

/// Ends every session and API token of an account (a lost phone, a shared laptop).
#[server(prefix = "/rpc", endpoint = "users/sessions/end")]
pub async fn end_user_sessions(username: String) -> Result<UserSummary, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::accounts::end_sessions(&ui.ctx, &ui.inv, &username)
        .await
        .map(|u| u.summary())
        .map_err(fail)
}

/// Every account's API tokens, for the admin page (never their secrets).
#[server(prefix = "/rpc", endpoint = "tokens/list")]
pub async fn list_all_tokens() -> Result<Vec<bosun_model::TokenInfo>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::accounts::list_tokens(&ui.ctx, &ui.inv)
        .await
        .map_err(fail)
}

/// An admin revokes anyone's token (a leaked one, or one of someone who left).
#[server(prefix = "/rpc", endpoint = "tokens/revoke", input = Json)]
pub async fn revoke_any_token(id: i64) -> Result<(), AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::accounts::revoke_token(&ui.ctx, &ui.inv, id)
        .await
        .map_err(fail)
}

/// Roles arrive as form text; an unknown one is the caller's mistake (400), named.
#[cfg(feature = "ssr")]
fn parse_role(raw: &str) -> Result<bosun_model::Role, AppError> {
    raw.parse::<bosun_model::Role>()
        .map_err(|e| crate::api::ssr::fail(bosun_core::Error::BadRequest(e.to_string())))
}
