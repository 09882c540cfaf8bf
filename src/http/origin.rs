//! Refuses state-changing requests that a page on another site made the browser send.
//!
//! SameSite=Strict cookies already keep the session off cross-site requests; this check is
//! the second lock, and it also covers bearer-token requests made from a hostile page.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, header};

use crate::api::ApiError;

/// The origin browsers should send: the public URL's, or (when none is set) the request's
/// own `Host` over http or https.
#[derive(Clone, Debug, Default)]
pub struct AllowedOrigin(pub Option<String>);

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether `origin` may send state-changing requests here.
#[must_use]
pub fn origin_allowed(allowed: &AllowedOrigin, headers: &HeaderMap, origin: &str) -> bool {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    if let Some(public) = &allowed.0 {
        return origin == *public;
    }
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    origin == format!("http://{host}") || origin == format!("https://{host}")
}

/// 403 for a state-changing request whose `Origin` is foreign (or `null`). Requests with
/// no `Origin` at all come from non-browser clients (curl, automation) and pass.
pub async fn check_origin(
    State(allowed): State<AllowedOrigin>,
    req: Request,
    next: Next,
) -> Response {
    if !is_safe(req.method()) {
        if let Some(origin) = req.headers().get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("");
            if !origin_allowed(&allowed, req.headers(), origin) {
                return ApiError(bosun_core::Error::Forbidden(format!(
                    "cross-origin request refused: Origin {origin:?} is not this console's origin"
                )))
                .into_response();
            }
        }
        let cross_site = req
            .headers()
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"));
        if cross_site {
            return ApiError(bosun_core::Error::Forbidden(
                "cross-site request refused".into(),
            ))
            .into_response();
        }
    }
    next.run(req).await
}
