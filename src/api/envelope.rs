//! The JSON envelope of the REST API: `{"data": ...}` on success and
//! `{"code", "message", "trace_id"}` on failure, with the status the code implies.

use axum::Json;
use axum::extract::FromRequest;
use axum::extract::rejection::JsonRejection;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;

use crate::http::trace::current_trace_id;

/// A successful response body.
#[derive(Debug, Serialize)]
pub struct Data<T> {
    pub data: T,
}

impl<T: Serialize> IntoResponse for Data<T> {
    fn into_response(self) -> Response {
        Json(self).into_response()
    }
}

/// A failed request: any domain error, rendered as the API's error body.
#[derive(Debug)]
pub struct ApiError(pub bosun_core::Error);

impl From<bosun_core::Error> for ApiError {
    fn from(err: bosun_core::Error) -> Self {
        Self(err)
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: String,
    trace_id: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.0.code();
        let trace_id = current_trace_id();
        if code == bosun_core::ErrorCode::InternalError {
            tracing::error!(trace_id = %trace_id, "request failed: {}", self.0);
        }
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            code: code.as_str(),
            message: self.0.public_message(),
            trace_id,
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(wait) = self.0.retry_after() {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, wait.as_secs().max(1).into());
        }
        response
    }
}

/// A JSON request body whose every rejection (bad syntax, wrong shape, wrong content type)
/// becomes a 400 in the API's error format, naming what was wrong.
#[derive(Debug, FromRequest)]
#[from_request(via(Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        ApiError(bosun_core::Error::BadRequest(format!(
            "invalid JSON body: {}",
            rejection.body_text()
        )))
    }
}
