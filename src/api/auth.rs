//! Sign-in, sign-out and "who am I" for API clients.

use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::request::ClientAddr;
use bosun_model::Me;
use serde::Deserialize;
use tower_sessions::Session;

use super::{Api, ApiError, ApiJson, Data, data};
use crate::http::trace::LoggedUser;
use crate::server::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    password: String,
}

/// `POST /api/v1/login`: checks the password and sets the session cookie.
pub async fn login(
    State(state): State<AppState>,
    client: Option<Extension<ClientAddr>>,
    Api(inv): Api,
    session: Session,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let user = bosun_core::auth::sign_in(
        &state.ctx,
        &inv,
        &body.username,
        &body.password,
        client.map(|c| c.0.0),
    )
    .await?;
    bosun_core::session::establish(&session, &user).await?;
    let mut response = data(Me {
        username: user.username.clone(),
        role: user.role,
        must_change_password: user.must_change_password,
    })
    .into_response();
    response.extensions_mut().insert(LoggedUser(user.username));
    Ok(response)
}

/// `POST /api/v1/logout`: ends the session (a no-op without one).
pub async fn logout(
    State(state): State<AppState>,
    Api(inv): Api,
    session: Session,
) -> Result<Data<serde_json::Value>, ApiError> {
    bosun_core::auth::sign_out(&state.ctx, &inv, &session).await?;
    Ok(data(serde_json::json!({})))
}

/// `GET /api/v1/me`: the caller's name and role, and whether they must replace a
/// generated password first (so this answers even then: it is how a client learns it).
pub async fn me(Api(inv): Api) -> Result<Data<Me>, ApiError> {
    let caller = inv.caller.ok_or(bosun_core::Error::Unauthorized)?;
    Ok(data(caller.me()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    current: String,
    new: String,
}

/// `POST /api/v1/me/password` `{"current", "new"}`: the caller's own password. Their other
/// sessions and tokens end; this session goes on (with a new id).
pub async fn change_password(
    State(state): State<AppState>,
    Api(inv): Api,
    session: Session,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<Data<Me>, ApiError> {
    let user =
        bosun_core::accounts::change_own_password(&state.ctx, &inv, &body.current, &body.new)
            .await?;
    // A token caller gets no session; its token ended with the change.
    let via_session = inv
        .caller
        .as_ref()
        .is_some_and(|c| c.via == bosun_core::auth::AuthMethod::Session);
    if via_session {
        bosun_core::session::establish(&session, &user).await?;
    }
    Ok(data(Me {
        username: user.username,
        role: user.role,
        must_change_password: user.must_change_password,
    }))
}

/// `POST /api/v1/me/sessions/end`: "sign out everywhere", this session included.
pub async fn end_sessions(
    State(state): State<AppState>,
    Api(inv): Api,
    session: Session,
) -> Result<Data<serde_json::Value>, ApiError> {
    bosun_core::accounts::end_own_sessions(&state.ctx, &inv).await?;
    bosun_core::session::end(&session).await?;
    Ok(data(serde_json::json!({})))
}
