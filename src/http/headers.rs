//! Response headers that keep a browser from being turned against the console: no
//! framing (clickjacking), no MIME sniffing, no referrer leaking object names to other
//! sites, HTTPS pinned when the console is served over it, and nothing a signed-in page
//! or API answer showed left in a shared or back-button cache.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderValue, header};

/// What varies with the deployment.
#[derive(Clone, Copy, Debug, Default)]
pub struct HeaderPolicy {
    /// The public URL is https: browsers are told to use nothing else for a year.
    pub hsts: bool,
}

/// The policy of every response that sets none of its own: framing, plugins, `<base>` and
/// form targets. Pages set theirs, which adds scripts with the response's nonce
/// (`bosun_app::page_security_policy`).
const CONTENT_SECURITY_POLICY: &str =
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'";

/// Paths whose answers are the same for everyone and may be cached: the built bundle and
/// the static files of `public/`.
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/icons/")
        || matches!(
            path,
            "/favicon.svg" | "/manifest.webmanifest" | "/robots.txt"
        )
}

/// How long a browser may keep an answer.
#[derive(Debug, PartialEq, Eq)]
enum Cacheable {
    /// The bundle under its content-hashed folder: a new build is a new URL.
    Forever,
    /// Public files: kept, but checked again (`Last-Modified`).
    Revalidate,
    /// Pages and API answers: personal, never stored.
    Never,
}

fn cacheability(path: &str) -> Cacheable {
    if !is_static(path) {
        return Cacheable::Never;
    }
    let versioned = path
        .strip_prefix("/pkg/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(folder, _)| crate::bundle::is_version(folder));
    if versioned {
        Cacheable::Forever
    } else {
        Cacheable::Revalidate
    }
}

/// Adds the security headers to every response.
pub async fn security_headers(
    State(policy): State<HeaderPolicy>,
    req: Request,
    next: Next,
) -> Response {
    let cacheable = cacheability(req.uri().path());
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    if policy.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    match cacheable {
        Cacheable::Forever => {
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
        }
        Cacheable::Revalidate => {}
        Cacheable::Never => {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::is_static;

    #[test]
    fn only_the_bundle_and_public_files_are_cacheable() {
        assert!(is_static("/pkg/bosun.wasm"));
        assert!(is_static("/icons/icon-192.png"));
        assert!(is_static("/manifest.webmanifest"));
        assert!(!is_static("/api/v1/me"));
        assert!(!is_static("/workloads"));
        assert!(!is_static("/pkgs"));
    }
}
