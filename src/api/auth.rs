//! Sign-in, sign-out and "who am I" for API clients.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use bosun_app::api::ssr::RequestCaller;
use bosun_core::{Role, auth};
use bosun_model::Me;
use serde::Deserialize;
use tower_sessions::Session;

use super::{ApiError, ApiJson, Data};
use axum::response::{IntoResponse, Response};

use crate::http::trace::{LoggedUser, current_trace_id};
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
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    session: Session,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let user = auth::sign_in(
        &state.ctx,
        &body.username,
        &body.password,
        Some(client.ip()),
        &current_trace_id(),
    )
    .await?;
    bosun_core::session::establish(&session, &user).await?;
    let mut response = Data {
        data: Me {
            username: user.username.clone(),
            role: user.role,
        },
    }
    .into_response();
    response.extensions_mut().insert(LoggedUser(user.username));
    Ok(response)
}

/// `POST /api/v1/logout`: ends the session (a no-op without one).
pub async fn logout(session: Session) -> Result<Data<serde_json::Value>, ApiError> {
    bosun_core::session::end(&session).await?;
    Ok(Data {
        data: serde_json::json!({}),
    })
}

/// `GET /api/v1/me`: the caller's name and role.
pub async fn me(Extension(caller): Extension<RequestCaller>) -> Result<Data<Me>, ApiError> {
    let caller = auth::require(caller.0.as_ref(), Role::Viewer)?;
    Ok(Data { data: caller.me() })
}
