//! Failures of cluster access, each mapped to the console's error kinds in one place.

/// Why a cluster call failed, naming the cluster.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("kubeconfig {path}: {reason}")]
    Kubeconfig { path: String, reason: String },
    #[error("no cluster named {0:?}")]
    UnknownCluster(String),
    #[error("a cluster named {0:?} is already registered")]
    DuplicateCluster(String),
    #[error("cluster {cluster} is unreachable: {reason}")]
    Unreachable { cluster: String, reason: String },
    #[error("cluster {cluster}: {message}")]
    Api {
        cluster: String,
        code: u16,
        message: String,
    },
}

/// Results of cluster access.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Classifies a kube-rs error: API answers keep their status; anything that never got
    /// an answer (connection refused, TLS, timeout) means the cluster is unreachable.
    #[must_use]
    pub fn from_kube(cluster: &str, err: kube::Error) -> Self {
        match err {
            kube::Error::Api(status) => Error::Api {
                cluster: cluster.to_string(),
                code: status.code,
                message: status.message.clone(),
            },
            other => Error::Unreachable {
                cluster: cluster.to_string(),
                reason: other.to_string(),
            },
        }
    }
}

impl From<Error> for bosun_core::Error {
    fn from(err: Error) -> Self {
        let message = err.to_string();
        match err {
            Error::Kubeconfig { .. } => bosun_core::Error::BadRequest(message),
            Error::UnknownCluster(_) => bosun_core::Error::NotFound(message),
            Error::DuplicateCluster(_) => bosun_core::Error::Conflict(message),
            Error::Unreachable { .. } => bosun_core::Error::Unavailable(message),
            Error::Api { code, .. } => match code {
                400 | 422 => bosun_core::Error::BadRequest(message),
                401 | 403 => bosun_core::Error::Forbidden(message),
                404 => bosun_core::Error::NotFound(message),
                409 => bosun_core::Error::Conflict(message),
                429 => bosun_core::Error::Unavailable(message),
                _ => bosun_core::Error::Unavailable(message),
            },
        }
    }
}
