//! Signing in and out, and who is signed in.

use bosun_model::Me;
use leptos::prelude::*;

use crate::AppError;

/// Signs in with a user name and password, then sends the browser to the console.
#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<(), AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    let session = crate::api::ssr::session().await?;
    let client = ui.client;
    let user = bosun_core::auth::sign_in(&ui.ctx, &ui.inv, &username, &password, client)
        .await
        .map_err(fail)?;
    bosun_core::session::establish(&session, &user)
        .await
        .map_err(fail)?;
    // A generated first password must be replaced before anything else.
    leptos_axum::redirect(if user.must_change_password {
        "/account"
    } else {
        "/"
    });
    Ok(())
}

/// Ends the session and sends the browser to the sign-in page.
#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    let session = crate::api::ssr::session().await?;
    bosun_core::auth::sign_out(&ui.ctx, &ui.inv, &session)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Who is signed in, or `None`. Anonymous callers get `None`, not an error, so the app
/// can decide to show the sign-in page.
#[server(prefix = "/rpc", endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let ui = crate::api::ssr::ui()?;
    Ok(ui.inv.caller.map(|c| c.me()))
}
