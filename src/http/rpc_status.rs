//! Gives server-function errors the HTTP status their error code means. Leptos answers
//! every server-function error with 500, including ones raised before the function body
//! runs (undecodable arguments); the error body carries our code, so the status is set
//! from it here, in one place.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use bosun_model::ErrorCode;
use http::StatusCode;

/// Server-function error bodies are small; anything larger is left alone.
const MAX_ERROR_BODY: usize = 64 * 1024;

#[derive(serde::Deserialize)]
struct ErrorBody {
    code: ErrorCode,
}

pub async fn rpc_status(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if !response.headers().contains_key("serverfnerror") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        parts.status = StatusCode::INTERNAL_SERVER_ERROR;
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<ErrorBody>(&bytes)
        && let Ok(status) = StatusCode::from_u16(error.code.http_status())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}
