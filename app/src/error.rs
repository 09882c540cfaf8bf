//! The error every server function returns, carried to the browser as JSON.

use bosun_model::ErrorCode;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A failure as the browser sees it: a kind (which decided the HTTP status) and a message
/// meant for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// For throttled sign-ins: seconds until another attempt is accepted.
    pub retry_after_secs: Option<u64>,
}

impl AppError {
    #[must_use]
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after_secs: None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let code = match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => ErrorCode::BadRequest,
            ServerFnErrorErr::Request(_) => ErrorCode::Unavailable,
            _ => ErrorCode::InternalError,
        };
        AppError::new(code, value.to_string())
    }
}
