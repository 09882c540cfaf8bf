//! API tokens for automation: shown once at creation, stored only as a SHA-256 hash.

use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;

use crate::db::now_rfc3339;
use crate::users::{self, User};
use crate::{Error, Result};

/// Every token starts with this, so a leaked one is easy to recognise in logs and scanners.
pub const TOKEN_PREFIX: &str = "bosun_";

/// A freshly created token. `secret` exists only here; the database keeps its hash.
#[derive(Clone)]
pub struct CreatedToken {
    pub id: i64,
    pub secret: String,
}

impl std::fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedToken")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Creates a token for `username`. A token is as strong as 256 random bits, so a fast hash
/// is enough to store it (unlike passwords, it cannot be guessed from a dictionary).
pub async fn create(db: &SqlitePool, username: &str, label: Option<&str>) -> Result<CreatedToken> {
    let user = users::find(db, username).await?;
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let secret = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let label = label.unwrap_or("").trim();
    if label.len() > 128 {
        return Err(Error::BadRequest(
            "token label is too long: at most 128 bytes".into(),
        ));
    }
    let id = sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, label, token_hash, created_at, epoch) VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(user.id)
    .bind(label)
    .bind(digest(&secret))
    .bind(now_rfc3339())
    .bind(user.session_epoch)
    .fetch_one(db)
    .await?;
    Ok(CreatedToken { id, secret })
}

/// Revokes a token by id. Revoking twice, or an unknown id, is reported as not found.
pub async fn revoke(db: &SqlitePool, id: i64) -> Result<()> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .bind(now_rfc3339())
            .bind(id)
            .execute(db)
            .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound(format!("no active token with id {id}")));
    }
    Ok(())
}

/// The enabled account a bearer token belongs to, or `None` for an unknown, revoked or
/// disabled one, or one made before its user's sessions were ended. Only a known token
/// is written to (its last use), so unknown tokens cost no database write.
pub async fn authenticate(db: &SqlitePool, secret: &str) -> Result<Option<User>> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let found: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT id, user_id, epoch FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
    )
    .bind(digest(secret))
    .fetch_optional(db)
    .await?;
    let Some((id, user_id, epoch)) = found else {
        return Ok(None);
    };
    let Some(user) = users::find_by_id(db, user_id).await? else {
        return Ok(None);
    };
    if user.disabled || user.session_epoch != epoch {
        return Ok(None);
    }
    // The last use is kept to the minute: a script calling in a loop costs no write per call.
    let now = time::OffsetDateTime::now_utc();
    let minute_ago = (now - time::Duration::minutes(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
    )
    .bind(now_rfc3339())
    .bind(id)
    .bind(minute_ago)
    .execute(db)
    .await?;
    Ok(Some(user))
}
