//! Server-side plumbing shared by the server functions: who is calling, the request's
//! trace id, and turning domain errors into HTTP responses.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use bosun_core::audit;
use bosun_core::{Caller, Context, Role};
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::AppError;

/// The authenticated caller of the current request, put in the request's extensions by
/// the server's authentication middleware (`None` for anonymous requests).
#[derive(Clone, Debug, Default)]
pub struct RequestCaller(pub Option<Caller>);

/// The current request's trace id, also printed in its log line and returned in errors.
#[derive(Clone, Debug, Default)]
pub struct TraceId(pub String);

/// Everything a server function needs about its request.
pub struct Scope {
    pub ctx: Context,
    pub caller: Option<Caller>,
    pub trace_id: String,
    pub client: Option<SocketAddr>,
}

impl Scope {
    /// The caller's name for the audit log.
    #[must_use]
    pub fn actor(&self) -> &str {
        self.caller
            .as_ref()
            .map_or("anonymous", |c| c.username.as_str())
    }

    /// Writes one audit record for an action of this request.
    pub async fn audit(&self, action: &str, target: &str, result: Result<(), &bosun_core::Error>) {
        audit::record_result(
            &self.ctx.db,
            self.actor(),
            action,
            target,
            &self.trace_id,
            result,
        )
        .await;
    }
}

/// The current request's scope, whoever is calling.
pub fn scope() -> Result<Scope, AppError> {
    let ctx = use_context::<Context>()
        .ok_or_else(|| fail(bosun_core::Error::Internal("server context missing".into())))?;
    let parts = use_context::<Parts>()
        .ok_or_else(|| fail(bosun_core::Error::Internal("request parts missing".into())))?;
    Ok(Scope {
        ctx,
        caller: parts
            .extensions
            .get::<RequestCaller>()
            .and_then(|c| c.0.clone()),
        trace_id: parts
            .extensions
            .get::<TraceId>()
            .map(|t| t.0.clone())
            .unwrap_or_default(),
        client: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0),
    })
}

/// The one-line authorization check every server function starts with: 401 when nobody
/// is signed in, 403 when the caller's role is below `required`.
pub fn authorize(required: Role) -> Result<(Caller, Scope), AppError> {
    let scope = scope()?;
    let caller = bosun_core::auth::require(scope.caller.as_ref(), required)
        .map_err(fail)?
        .clone();
    Ok((caller, scope))
}

/// The clusters Bosun knows, provided to every server function by the server.
pub fn cluster_registry() -> Result<std::sync::Arc<bosun_clusters::ClusterRegistry>, AppError> {
    use_context::<std::sync::Arc<bosun_clusters::ClusterRegistry>>().ok_or_else(|| {
        fail(bosun_core::Error::Internal(
            "cluster registry missing".into(),
        ))
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
        tracing::error!("server function failed: {err}");
    }
    AppError {
        code,
        message: err.public_message(),
        retry_after_secs: err.retry_after().map(|d| d.as_secs().max(1)),
    }
}
