//! A person's own account: password, "sign out everywhere", and their API tokens.

use bosun_model::{IssuedToken, NewToken, TokenInfo};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;

/// The caller's API tokens, newest first (never a secret).
#[server(prefix = "/rpc", endpoint = "account/tokens")]
pub async fn list_my_tokens() -> Result<Vec<TokenInfo>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::accounts::list_own_tokens(&ui.ctx, &ui.inv)
        .await
        .map_err(fail)
}

/// Makes a token for the caller; its secret is in this answer only.
#[server(prefix = "/rpc", endpoint = "account/tokens/create", input = Json)]
pub async fn create_my_token(wanted: NewToken) -> Result<IssuedToken, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    let options = bosun_core::tokens::TokenOptions {
        label: Some(wanted.label),
        scope: wanted.scope,
        expires_days: wanted.expires_days,
    };
    let made = bosun_core::accounts::create_own_token(&ui.ctx, &ui.inv, &options)
        .await
        .map_err(fail)?;
    Ok(IssuedToken {
        id: made.id,
        token: made.secret,
        scope: made.scope,
        expires_at: made.expires_at,
    })
}

/// Revokes one of the caller's tokens.
#[server(prefix = "/rpc", endpoint = "account/tokens/revoke", input = Json)]
pub async fn revoke_my_token(id: i64) -> Result<(), AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::accounts::revoke_own_token(&ui.ctx, &ui.inv, id)
        .await
        .map_err(fail)
}

/// Changes the caller's password (the current one required). Every other session and
/// token of theirs ends; this one goes on under a new id.
#[server(prefix = "/rpc", endpoint = "account/password", input = Json)]
pub async fn change_my_password(current: String, new: String) -> Result<(), AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    let user = bosun_core::accounts::change_own_password(&ui.ctx, &ui.inv, &current, &new)
        .await
        .map_err(fail)?;
    let session = crate::api::ssr::session().await?;
    bosun_core::session::establish(&session, &user)
        .await
        .map_err(fail)
}

/// Ends every session and token of the caller, this one included, and sends the browser
/// to the sign-in page.
#[server(prefix = "/rpc", endpoint = "account/sign-out-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::accounts::end_own_sessions(&ui.ctx, &ui.inv)
        .await
        .map_err(fail)?;
    let session = crate::api::ssr::session().await?;
    bosun_core::session::end(&session).await.map_err(fail)?;
    leptos_axum::redirect("/login");
    Ok(())
}
