//! The JSON envelope of the REST API: `{"data": ...}` on success and
//! `{"code", "message", "trace_id"}` (plus the cluster's `reason`, when a cluster answered)
//! on failure, with the status the code implies; and the extractors every handler uses.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::response::{IntoResponse, Response};
use bosun_core::request::current_trace_id;
use bosun_core::{Invocation, RequestCaller};
use bosun_model::Source;
use http::StatusCode;
use http::request::Parts;
use serde::Serialize;

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

/// Wraps a handler's result in the envelope.
pub fn data<T>(value: T) -> Data<T> {
    Data { data: value }
}

/// An answer whose parts may each succeed or fail (an apply's documents): 200 when all
/// did, 207 Multi-Status when some did not, the body the same either way.
pub fn per_part<T: Serialize>(all_succeeded: bool, value: T) -> Response {
    let status = if all_succeeded {
        StatusCode::OK
    } else {
        StatusCode::MULTI_STATUS
    };
    (status, data(value)).into_response()
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
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
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
            reason: self.0.reason(),
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
        if rejection.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError(crate::http::limits::too_large(None));
        }
        ApiError(bosun_core::Error::BadRequest(format!(
            "invalid JSON body: {}",
            rejection.body_text()
        )))
    }
}

/// Query parameters whose rejection is a 400 in the API's format.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError(bosun_core::Error::BadRequest(format!(
            "invalid query: {}",
            rejection.body_text()
        )))
    }
}

/// The domain invocation of a REST request: the authenticated caller (if any), source
/// `api`, the request's trace id.
pub struct Api(pub Invocation);

impl<S: Send + Sync> FromRequestParts<S> for Api {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let caller = parts
            .extensions
            .get::<RequestCaller>()
            .and_then(|c| c.0.clone());
        Ok(Api(Invocation::http(caller, Source::Api)))
    }
}

/// Path parameters whose rejection is a 400 in the API's format.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::PathRejection) -> Self {
        ApiError(bosun_core::Error::BadRequest(format!(
            "invalid path: {}",
            rejection.body_text()
        )))
    }
}

/// A stream of results as newline-delimited JSON: each item `{"data": ...}`, an error
/// `{"code", "message"}` (after which the stream ends). What `?watch=true` answers.
pub fn ndjson<T, S>(updates: S) -> Response
where
    T: Serialize,
    S: futures::Stream<Item = bosun_core::Result<T>> + Send + 'static,
{
    use futures::StreamExt;
    let lines = updates.map(|update| {
        let line = match update {
            Ok(value) => serde_json::json!({ "data": value }),
            Err(e) => {
                serde_json::json!({ "code": e.code().as_str(), "message": e.public_message() })
            }
        };
        Ok::<_, std::convert::Infallible>(format!("{line}\n"))
    });
    (
        [(http::header::CONTENT_TYPE, "application/x-ndjson")],
        axum::body::Body::from_stream(lines),
    )
        .into_response()
}
