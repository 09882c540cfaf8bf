//! What every request handler needs from the process: the database, the login throttle,
//! the clusters and the key that protects their credentials.

use std::sync::Arc;

use sqlx::SqlitePool;

use crate::backend::ClusterBackend;
use crate::operations::Hub;
use crate::secrets::SecretBox;
use crate::throttle::LoginThrottle;

/// Limits an administrator can change with server settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Highest replica count a scale may ask for.
    pub max_replicas: i64,
    /// Targets of one batch action at most.
    pub max_batch: usize,
    /// Items of a batch carried out at the same time.
    pub batch_concurrency: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_replicas: 1000,
            max_batch: 500,
            batch_concurrency: 8,
        }
    }
}

/// Shared, cheaply cloned handles to the server's state. Handlers receive it by value.
#[derive(Clone)]
pub struct Context {
    pub db: SqlitePool,
    pub throttle: Arc<LoginThrottle>,
    pub clusters: Arc<dyn ClusterBackend>,
    pub secrets: Arc<SecretBox>,
    pub limits: Limits,
    /// The tracked operations running in this process.
    pub operations: Arc<Hub>,
    /// The latest usage reading of each cluster, and how usage is sampled.
    pub metrics: Arc<crate::metrics::MetricsHub>,
    pub sampling: crate::metrics::Sampling,
}

impl Context {
    #[must_use]
    pub fn new(db: SqlitePool, clusters: Arc<dyn ClusterBackend>, secrets: Arc<SecretBox>) -> Self {
        Self {
            db,
            throttle: Arc::new(LoginThrottle::default()),
            clusters,
            secrets,
            limits: Limits::default(),
            operations: Arc::new(Hub::default()),
            metrics: Arc::default(),
            sampling: crate::metrics::Sampling::default(),
        }
    }
}
