//! The one error type of the domain. Every variant knows its [`ErrorCode`], so the REST API,
//! the server functions and the CLI all show the same status and message for one failure.

use std::time::Duration;

use bosun_model::ErrorCode;

/// Why a domain operation failed, with the words a person needs to fix it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadRequest(String),
    /// The action does not apply to the target's kind (restarting a Job): a 400, and in a
    /// batch a "skipped" item rather than a failure.
    #[error("{0}")]
    NotApplicable(String),
    #[error("sign in first")]
    Unauthorized,
    #[error("wrong user name or password")]
    BadCredentials,
    /// Bosun's own authorization refused the caller (audited as `denied`).
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The target is paused, so the action would do nothing (a paused Deployment's
    /// restart): a 409, and in a batch a "skipped" item.
    #[error("{0}")]
    Paused(String),
    /// A request body over the limit of its route.
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("too many failed sign-ins; try again in {} s", retry_after.as_secs().max(1))]
    TooManyAttempts { retry_after: Duration },
    #[error("{0}")]
    Unavailable(String),
    /// The cluster answered an action with an error `Status`. The status code, reason and
    /// message are the API server's, kept so the person sees exactly what it said.
    #[error("{message}")]
    Cluster {
        cluster: String,
        status: u16,
        reason: String,
        message: String,
        retry_after: Option<Duration>,
    },
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
            Error::BadRequest(_) | Error::NotApplicable(_) => ErrorCode::BadRequest,
            Error::Unauthorized | Error::BadCredentials => ErrorCode::Unauthorized,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Conflict(_) | Error::Paused(_) => ErrorCode::Conflict,
            Error::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            Error::TooManyAttempts { .. } => ErrorCode::TooManyRequests,
            Error::Unavailable(_) => ErrorCode::Unavailable,
            Error::Cluster { status, .. } => cluster_status_code(*status),
            Error::Database(_) | Error::Migration(_) | Error::Session(_) | Error::Internal(_) => {
                ErrorCode::InternalError
            }
        }
    }

    /// How long the client should wait before retrying: throttled sign-ins, and a
    /// cluster's own 429 (its `Retry-After` is passed on).
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::TooManyAttempts { retry_after } => Some(*retry_after),
            Error::Cluster { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The Kubernetes `Status` reason when the cluster gave one (`NotFound`, `Forbidden`).
    #[must_use]
    pub fn reason(&self) -> Option<&str> {
        match self {
            Error::Cluster { reason, .. } if !reason.is_empty() => Some(reason),
            _ => None,
        }
    }

    /// Whether Bosun's own authorization refused the request (as opposed to the cluster's
    /// RBAC, which is an ordinary failure of the action).
    #[must_use]
    pub fn is_denial(&self) -> bool {
        matches!(self, Error::Forbidden(_))
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

/// The console's answer to a cluster's error status. A 401 means the cluster no longer
/// accepts Bosun's own credentials: that is the console being unable to reach the
/// cluster (503), not the person lacking a right. Server errors are the same.
fn cluster_status_code(status: u16) -> ErrorCode {
    match status {
        400 | 415 | 422 => ErrorCode::BadRequest,
        403 => ErrorCode::Forbidden,
        404 | 410 => ErrorCode::NotFound,
        409 => ErrorCode::Conflict,
        429 => ErrorCode::TooManyRequests,
        _ => ErrorCode::Unavailable,
    }
}

impl From<tower_sessions::session::Error> for Error {
    fn from(err: tower_sessions::session::Error) -> Self {
        Error::Session(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(status: u16) -> Error {
        Error::Cluster {
            cluster: "prod".into(),
            status,
            reason: "X".into(),
            message: "m".into(),
            retry_after: None,
        }
    }

    #[test]
    fn cluster_refusals_keep_their_meaning() {
        assert_eq!(cluster(403).code(), ErrorCode::Forbidden);
        assert!(
            !cluster(403).is_denial(),
            "the cluster's RBAC is not a Bosun denial"
        );
        assert_eq!(cluster(401).code(), ErrorCode::Unavailable);
        assert_eq!(cluster(404).code(), ErrorCode::NotFound);
        assert_eq!(cluster(422).code(), ErrorCode::BadRequest);
        assert_eq!(cluster(429).code(), ErrorCode::TooManyRequests);
        assert_eq!(cluster(500).code(), ErrorCode::Unavailable);
        assert!(Error::Forbidden("no".into()).is_denial());
    }
}
