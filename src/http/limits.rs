//! What one request may cost the server: a body limit per route (1 MiB; 4 MiB where a
//! kubeconfig is uploaded), answered 413 in the API's error format before the body is
//! read, and a panic in a handler turned into a 500 with the trace id instead of a
//! dropped connection.

use std::panic::AssertUnwindSafe;

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::FutureExt;
use http::{Method, header};

use crate::api::ApiError;

/// The body limit of every route that does not upload a file.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// The body limit where a kubeconfig is pasted or uploaded (certificates and several
/// contexts can make one large; none is near this).
pub const UPLOAD_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The limit of one route.
fn body_limit(method: &Method, path: &str) -> usize {
    let kubeconfig_upload = match *method {
        Method::POST => {
            matches!(
                path,
                "/api/v1/clusters"
                    | "/rpc/clusters/add"
                    | "/rpc/clusters/update"
                    | "/rpc/clusters/contexts"
                    | "/rpc/resources/apply"
            ) || path
                .strip_prefix("/api/v1/clusters/")
                .and_then(|rest| rest.strip_suffix("/apply"))
                .is_some_and(|name| !name.is_empty() && !name.contains('/'))
        }
        Method::PUT => path
            .strip_prefix("/api/v1/clusters/")
            .is_some_and(|name| !name.is_empty() && !name.contains('/')),
        _ => false,
    };
    if kubeconfig_upload {
        UPLOAD_BODY_LIMIT
    } else {
        DEFAULT_BODY_LIMIT
    }
}

/// The refusal of a body over the limit; `limit` when known.
#[must_use]
pub fn too_large(limit: Option<usize>) -> bosun_core::Error {
    let what = limit.map_or_else(
        || "the limit of this route".to_string(),
        |l| format!("{} KiB, the limit of this route", l / 1024),
    );
    bosun_core::Error::PayloadTooLarge(format!("the request body is larger than {what}"))
}

/// Refuses a declared body over the route's limit at once, and caps a body of unknown
/// length (chunked) so reading past the limit fails instead of filling memory.
pub async fn limit_bodies(req: Request, next: Next) -> Response {
    let limit = body_limit(req.method(), req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return ApiError(too_large(Some(limit))).into_response();
    }
    let (parts, body) = req.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// Turns a panic while answering into a 500 that carries the trace id (the log line has
/// the panic), so the client gets an answer and the server goes on serving.
pub async fn catch_panics(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    match AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".to_string());
            tracing::error!(
                trace_id = %bosun_core::request::current_trace_id(),
                %method,
                %path,
                "a request handler panicked: {what}"
            );
            ApiError(bosun_core::Error::Internal(format!("panic: {what}"))).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::{get, post};
    use tower::ServiceExt;

    fn app() -> Router {
        Router::new()
            .route("/boom", get(boom))
            .route("/ok", get(|| async { "ok" }))
            .route(
                "/echo",
                post(|body: axum::body::Bytes| async move { body.len().to_string() }),
            )
            .layer(axum::middleware::from_fn(limit_bodies))
            .layer(axum::middleware::from_fn(catch_panics))
    }

    async fn boom() -> &'static str {
        panic!("test panic")
    }

    async fn call(app: &Router, req: Request) -> (u16, String) {
        let res = app.clone().oneshot(req).await.expect("answer");
        let status = res.status().as_u16();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&body).to_string())
    }

    #[tokio::test]
    async fn a_panic_is_a_500_with_a_trace_id_and_the_next_request_is_served() {
        let app = app();
        let req = Request::get("/boom").body(Body::empty()).unwrap();
        let (status, body) =
            bosun_core::request::with_trace_id("trace-123".into(), call(&app, req)).await;
        assert_eq!(status, 500, "{body}");
        assert!(body.contains("\"trace_id\":\"trace-123\""), "{body}");
        assert!(body.contains("INTERNAL_ERROR"), "{body}");
        assert!(
            !body.contains("test panic"),
            "the panic text stays in the log: {body}"
        );
        let req = Request::get("/ok").body(Body::empty()).unwrap();
        assert_eq!(call(&app, req).await, (200, "ok".to_string()));
    }

    #[tokio::test]
    async fn a_chunked_body_over_the_limit_is_refused_while_read() {
        let app = app();
        let chunks = futures::stream::iter(
            (0..3).map(|_| Ok::<_, std::io::Error>(vec![b'x'; DEFAULT_BODY_LIMIT / 2])),
        );
        let req = Request::post("/echo")
            .body(Body::from_stream(chunks))
            .unwrap();
        let (status, _) = call(&app, req).await;
        assert_eq!(status, 413);
        let req = Request::post("/echo")
            .body(Body::from(vec![b'x'; 1000]))
            .unwrap();
        assert_eq!(call(&app, req).await, (200, "1000".to_string()));
    }

    #[test]
    fn kubeconfig_uploads_get_the_larger_limit() {
        assert_eq!(
            body_limit(&Method::POST, "/api/v1/clusters"),
            UPLOAD_BODY_LIMIT
        );
        assert_eq!(
            body_limit(&Method::PUT, "/api/v1/clusters/prod"),
            UPLOAD_BODY_LIMIT
        );
        assert_eq!(
            body_limit(&Method::POST, "/rpc/clusters/add"),
            UPLOAD_BODY_LIMIT
        );
        assert_eq!(
            body_limit(
                &Method::PUT,
                "/api/v1/clusters/prod/namespaces/a/deployments/b/scale"
            ),
            DEFAULT_BODY_LIMIT
        );
        assert_eq!(
            body_limit(&Method::POST, "/api/v1/login"),
            DEFAULT_BODY_LIMIT
        );
    }
}
