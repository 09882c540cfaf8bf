//! The crate's one error type.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why the demo cluster could not start or write its kubeconfig.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("failed to write kubeconfig {}: {source}", path.display())]
    WriteKubeconfig {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("failed to seed {what}: {message}")]
    Seed { what: String, message: String },
    #[error("failed to set up TLS: {message}")]
    Tls { message: String },
}

/// Result with the crate's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
