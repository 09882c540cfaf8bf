//! Where sessions live: tower-sessions' SQLite table (`tower_sessions`, created and swept
//! of expired rows by its store), written in a way that makes an ended session final and
//! a copy of the database useless for signing in:
//!
//! - saving only updates a row that still exists: a request still in flight when its
//!   session was signed out, expired or cycled cannot write it back (the upstream store
//!   upserts);
//! - a row is keyed by the SHA-256 of the session id, and the stored record carries no
//!   id: the id exists only in the browser's cookie.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// The session store the console runs with.
#[derive(Clone, Debug)]
pub struct FinalSessionStore {
    pool: SqlitePool,
}

impl FinalSessionStore {
    #[must_use]
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

/// The row key of a session id.
#[must_use]
pub fn row_key(id: &Id) -> String {
    Sha256::digest(id.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The record as stored: everything but the id.
fn encode(record: &Record) -> session_store::Result<Vec<u8>> {
    let without_id = Record {
        id: Id(0),
        data: record.data.clone(),
        expiry_date: record.expiry_date,
    };
    rmp_serde::to_vec(&without_id).map_err(|e| session_store::Error::Encode(e.to_string()))
}

fn backend(e: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for FinalSessionStore {
    /// A new session (sign-in, or a cycled id) is the only way a row comes to be.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = encode(record)?;
        loop {
            let inserted =
                sqlx::query("INSERT INTO tower_sessions (id, data, expiry_date) VALUES (?, ?, ?)")
                    .bind(row_key(&record.id))
                    .bind(&data)
                    .bind(record.expiry_date)
                    .execute(&self.pool)
                    .await;
            match inserted {
                Ok(_) => return Ok(()),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    record.id = Id::default();
                }
                Err(e) => return Err(backend(e)),
            }
        }
    }

    /// Updates the row if it still exists; a session ended meanwhile is not revived.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sqlx::query("UPDATE tower_sessions SET data = ?, expiry_date = ? WHERE id = ?")
            .bind(encode(record)?)
            .bind(record.expiry_date)
            .bind(row_key(&record.id))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let data: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT data FROM tower_sessions WHERE id = ? AND expiry_date > ?")
                .bind(row_key(session_id))
                .bind(OffsetDateTime::now_utc())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        let Some((data,)) = data else {
            return Ok(None);
        };
        let mut record: Record = rmp_serde::from_slice(&data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        record.id = *session_id;
        Ok(Some(record))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM tower_sessions WHERE id = ?")
            .bind(row_key(session_id))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
