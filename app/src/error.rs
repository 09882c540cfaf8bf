//! The error every server function returns, carried to the browser as JSON.

use bosun_model::ErrorCode;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A failure as the browser sees it: a kind (which decided the HTTP status), a message
/// meant for a person, and the cluster's own reason when a cluster refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// For throttled requests: seconds until another attempt is accepted.
    pub retry_after_secs: Option<u64>,
    /// The Kubernetes `Status` reason (`Forbidden`, `NotFound`) when a cluster answered.
    #[serde(default)]
    pub reason: Option<String>,
}

impl AppError {
    #[must_use]
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after_secs: None,
            reason: None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Failures of the server-function machinery itself: arguments that do not decode
    /// are the caller's mistake (400; the server turns the code into the status), a
    /// request that never reached the server is "unavailable".
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let code = match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => ErrorCode::BadRequest,
            ServerFnErrorErr::Request(_) => ErrorCode::Unavailable,
            _ => ErrorCode::InternalError,
        };
        AppError::new(code, value.to_string())
    }
}
