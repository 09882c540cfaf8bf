//! Server-side plumbing shared by the server functions: the request's domain invocation
//! (caller, source `ui`, trace id) and turning domain errors into the browser's.

use bosun_core::{Context, Invocation, RequestCaller};
use bosun_model::Source;
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::AppError;

/// What a server function needs about its request.
pub struct Ui {
    pub ctx: Context,
    pub inv: Invocation,
    /// The client's address as the server trusts it (behind proxies: the forwarded one).
    pub client: Option<std::net::IpAddr>,
}

/// The current request's context and invocation, whoever is calling. Authorization is
/// the domain call's job (every one authorizes its action and target).
pub fn ui() -> Result<Ui, AppError> {
    let ctx = use_context::<Context>()
        .ok_or_else(|| fail(bosun_core::Error::Internal("server context missing".into())))?;
    let parts = use_context::<Parts>()
        .ok_or_else(|| fail(bosun_core::Error::Internal("request parts missing".into())))?;
    let caller = parts
        .extensions
        .get::<RequestCaller>()
        .and_then(|c| c.0.clone());
    Ok(Ui {
        ctx,
        inv: Invocation::http(caller, Source::Ui),
        client: parts
            .extensions
            .get::<bosun_core::request::ClientAddr>()
            .map(|c| c.0),
    })
}

/// Converts a domain error into the browser's error, setting the HTTP status (and
/// `Retry-After` for throttling) on the response. Internal details go to the log only.
pub fn fail(err: bosun_core::Error) -> AppError {
    let code = err.code();
    if let Some(response) = use_context::<ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(code.http_status()) {
            response.set_status(status);
        }
        if let Some(wait) = err.retry_after() {
            response.insert_header(http::header::RETRY_AFTER, wait.as_secs().max(1).into());
        }
    }
    if code == bosun_core::ErrorCode::InternalError {
        tracing::error!(trace_id = %bosun_core::request::current_trace_id(), "server function failed: {err}");
    }
    AppError {
        code,
        message: err.public_message(),
        retry_after_secs: err.retry_after().map(|d| d.as_secs().max(1)),
        reason: err.reason().map(str::to_string),
    }
}

/// The request's session (the sign-in, password and sign-out calls change it).
pub async fn session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|e| {
            fail(bosun_core::Error::Internal(format!(
                "session layer missing: {e}"
            )))
        })
}
