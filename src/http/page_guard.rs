//! Sends anonymous visitors of console pages to the sign-in page, and signed-in visitors
//! of the sign-in page to the console, before any HTML is rendered. This keeps pages
//! correct without JavaScript; server functions and the REST API check roles themselves.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use bosun_core::RequestCaller;
use http::Method;

/// Whether `path` is a page of the app (not an asset, API call or probe).
fn is_page(path: &str) -> bool {
    const NOT_PAGES: [&str; 4] = ["/api/", "/rpc/", "/pkg/", "/healthz"];
    if NOT_PAGES.iter().any(|p| path.starts_with(p)) || path == "/readyz" {
        return false;
    }
    // Files (favicon.ico, robots.txt) have a dot in their last segment.
    !path.rsplit('/').next().unwrap_or("").contains('.')
}

/// The one page someone who must replace a generated password may see.
const PASSWORD_PAGE: &str = "/account";

pub async fn page_guard(req: Request, next: Next) -> Response {
    if req.method() == Method::GET && is_page(req.uri().path()) {
        let caller = req
            .extensions()
            .get::<RequestCaller>()
            .and_then(|c| c.0.as_ref());
        let path = req.uri().path();
        match caller {
            Some(c) if c.must_change_password && path != PASSWORD_PAGE => {
                return Redirect::to(PASSWORD_PAGE).into_response();
            }
            Some(_) if path == "/login" => return Redirect::to("/").into_response(),
            None if path != "/login" => return Redirect::to("/login").into_response(),
            _ => {}
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::is_page;

    #[test]
    fn pages_are_told_apart_from_assets_and_apis() {
        assert!(is_page("/"));
        assert!(is_page("/admin"));
        assert!(is_page("/no-such-page"));
        assert!(!is_page("/pkg/bosun.js"));
        assert!(!is_page("/api/v1/me"));
        assert!(!is_page("/rpc/me"));
        assert!(!is_page("/favicon.ico"));
        assert!(!is_page("/healthz"));
    }
}
