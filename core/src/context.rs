//! What every request handler needs from the process: the database and the login throttle.

use std::sync::Arc;

use sqlx::SqlitePool;

use crate::throttle::LoginThrottle;

/// Shared, cheaply cloned handles to the server's state. Handlers receive it by value.
#[derive(Clone)]
pub struct Context {
    pub db: SqlitePool,
    pub throttle: Arc<LoginThrottle>,
}

impl Context {
    #[must_use]
    pub fn new(db: SqlitePool) -> Self {
        Self {
            db,
            throttle: Arc::new(LoginThrottle::default()),
        }
    }
}
