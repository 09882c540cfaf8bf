//! Sign-in, sign-out and "who am I" for API clients.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use bosun_app::api::ssr::RequestCaller;
use bosun_core::audit;
use bosun_core::{Role, auth};
use bosun_model::Me;
use serde::Deserialize;
use tower_sessions::Session;

use super::{ApiError, ApiJson, Data};
use crate::http::trace::current_trace_id;
use crate::server::AppState;

#[derive(Debug, Deserialize)]
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
) -> Result<Data<Me>, ApiError> {
    let attempted = body.username.trim().to_ascii_lowercase();
    let verified = auth::verify_login(
        &state.ctx,
        &body.username,
        &body.password,
        Some(client.ip()),
    )
    .await;
    let target = format!("user/{attempted}");
    // Until the password is verified, the caller is nobody in particular.
    let actor = if verified.is_ok() {
        attempted.as_str()
    } else {
        "anonymous"
    };
    audit::record_result(
        &state.ctx.db,
        actor,
        "session.login",
        &target,
        &current_trace_id(),
        verified.as_ref().map(|_| ()),
    )
    .await;
    let user = verified?;
    bosun_core::session::establish(&session, &user).await?;
    Ok(Data {
        data: Me {
            username: user.username,
            role: user.role,
        },
    })
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
