//! Refuses state-changing requests that a page on another site made the browser send.
//!
//! SameSite=Strict cookies already keep the session off cross-site requests; this check is
//! the second lock, and it also covers bearer-token requests made from a hostile page.
//! Without a public URL the console only knows it is meant for this machine, so a
//! state-changing request must name a loopback `Host`: a hostile DNS name rebound to the
//! console's address is refused (DNS rebinding).

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

/// Whether `host` (a `Host` header: name or address, with an optional port) names this
/// machine's loopback interface.
#[must_use]
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else if host.matches(':').count() > 1 {
        host.as_str()
    } else {
        host.split(':').next().unwrap_or("")
    };
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    name.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// 403 for a state-changing request whose `Origin` is foreign (or `null`), or, without a
/// public URL, whose `Host` is not a loopback name. Requests with no `Origin` at all come
/// from non-browser clients (curl, automation) and pass the Origin check.
pub async fn check_origin(
    State(allowed): State<AllowedOrigin>,
    req: Request,
    next: Next,
) -> Response {
    if !is_safe(req.method()) {
        if allowed.0.is_none() {
            let host = req
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("");
            if !is_loopback_host(host) {
                return ApiError(bosun_core::Error::Forbidden(format!(
                    "request refused: Host {host:?} is not this machine's loopback address, and no public URL is set; start the console with --public-url (BOSUN_PUBLIC_URL) naming the address browsers use"
                )))
                .into_response();
            }
        }
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

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn loopback_hosts_are_names_and_addresses_of_this_machine() {
        for host in [
            "localhost",
            "localhost:3000",
            "app.localhost:3000",
            "127.0.0.1",
            "127.0.0.1:3000",
            "127.1.2.3:80",
            "[::1]:3000",
            "::1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:3000",
            "localhost.evil.example",
            "10.0.0.5:3000",
            "[2001:db8::1]:3000",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
