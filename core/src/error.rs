//! The one error type of the domain. Every variant knows its [`ErrorCode`], so the REST API,
//! the server functions and the CLI all show the same status and message for one failure.

use std::time::Duration;

use bosun_model::ErrorCode;

/// Why a domain operation failed, with the words a person needs to fix it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadRequest(String),
    #[error("sign in first")]
    Unauthorized,
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("too many failed sign-ins; try again in {} s", retry_after.as_secs().max(1))]
    TooManyAttempts { retry_after: Duration },
    #[error("{0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("session store error: {0}")]
    Session(String),
    #[error("{0}")]
    Internal(String),
}

/// Results of domain operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The kind of failure, which decides the HTTP status.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::BadRequest(_) => ErrorCode::BadRequest,
            Error::Unauthorized | Error::BadCredentials => ErrorCode::Unauthorized,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::TooManyAttempts { .. } => ErrorCode::TooManyRequests,
            Error::Unavailable(_) => ErrorCode::Unavailable,
            Error::Database(_) | Error::Migration(_) | Error::Session(_) | Error::Internal(_) => {
                ErrorCode::InternalError
            }
        }
    }

    /// How long the client should wait before retrying, for throttled requests.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::TooManyAttempts { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// The message safe to show to the caller. Internal failures are logged in full by
    /// the caller of this and shown only as a generic sentence, so no SQL or path leaks.
    #[must_use]
    pub fn public_message(&self) -> String {
        match self.code() {
            ErrorCode::InternalError => "internal error; the server log has details".to_string(),
            _ => self.to_string(),
        }
    }
}

impl From<tower_sessions::session::Error> for Error {
    fn from(err: tower_sessions::session::Error) -> Self {
        Error::Session(err.to_string())
    }
}
