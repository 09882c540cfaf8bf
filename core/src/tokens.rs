//! API tokens for automation: shown once at creation, stored only as a SHA-256 hash, each
//! with an expiry and a scope (`read` never changes anything).

use bosun_model::{DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, TokenInfo, TokenScope};
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
    pub scope: TokenScope,
    /// RFC 3339.
    pub expires_at: String,
}

/// A token's wishes at creation: label, scope and life in days.
#[derive(Debug, Clone, Default)]
pub struct TokenOptions {
    pub label: Option<String>,
    /// [`TokenScope::Role`] when `None`.
    pub scope: Option<TokenScope>,
    /// [`DEFAULT_TOKEN_DAYS`] when `None`; 1 to [`MAX_TOKEN_DAYS`].
    pub expires_days: Option<u32>,
}

/// What a valid token grants: its user, and whether it may only read.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub id: i64,
    pub user: User,
    pub scope: TokenScope,
    /// Its first use this (UTC) day: such a use is audited, later ones that day are not.
    pub first_use_today: bool,
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
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
pub async fn create(
    db: &SqlitePool,
    username: &str,
    options: &TokenOptions,
) -> Result<CreatedToken> {
    let label = options.label.as_deref().unwrap_or("").trim();
    if label.len() > 128 {
        return Err(Error::BadRequest(
            "token label is too long: at most 128 bytes".into(),
        ));
    }
    let days = options.expires_days.unwrap_or(DEFAULT_TOKEN_DAYS);
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(Error::BadRequest(format!(
            "a token lives 1 to {MAX_TOKEN_DAYS} days, not {days}"
        )));
    }
    let scope = options.scope.unwrap_or(TokenScope::Role);
    let user = users::find(db, username).await?;
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let secret = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let expires_at =
        rfc3339(time::OffsetDateTime::now_utc() + time::Duration::days(i64::from(days)));
    let id = sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, label, token_hash, created_at, epoch, expires_at, scope) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(user.id)
    .bind(label)
    .bind(digest(&secret))
    .bind(now_rfc3339())
    .bind(user.session_epoch)
    .bind(&expires_at)
    .bind(scope.as_str())
    .fetch_one(db)
    .await?;
    Ok(CreatedToken {
        id,
        secret,
        scope,
        expires_at,
    })
}

/// Tokens, newest first: one user's (`Some(user_id)`) or everyone's.
pub async fn list(db: &SqlitePool, user_id: Option<i64>) -> Result<Vec<TokenInfo>> {
    let rows: Vec<TokenRow> = sqlx::query_as(
        "SELECT t.id, u.username, t.label, t.scope, t.created_at, t.expires_at, t.last_used_at, \
                t.revoked_at, (t.epoch = u.session_epoch AND u.disabled = 0) AS current \
         FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE (? IS NULL OR t.user_id = ?) ORDER BY t.id DESC",
    )
    .bind(user_id)
    .bind(user_id)
    .fetch_all(db)
    .await?;
    let now = now_rfc3339();
    Ok(rows.into_iter().map(|row| row.info(&now)).collect())
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    username: String,
    label: String,
    scope: String,
    created_at: String,
    expires_at: Option<String>,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
    current: bool,
}

impl TokenRow {
    fn info(self, now: &str) -> TokenInfo {
        let expired = self.expires_at.as_deref().is_some_and(|at| at <= now);
        TokenInfo {
            id: self.id,
            username: self.username,
            label: self.label,
            scope: self.scope.parse().unwrap_or(TokenScope::Read),
            active: self.revoked_at.is_none() && !expired && self.current,
            created_at: self.created_at,
            expires_at: self.expires_at,
            last_used_at: self.last_used_at,
            revoked_at: self.revoked_at,
        }
    }
}

/// The user a token belongs to, for a person revoking their own.
pub async fn owner(db: &SqlitePool, id: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT user_id FROM api_tokens WHERE id = ?")
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
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
pub async fn authenticate(db: &SqlitePool, secret: &str) -> Result<Option<TokenGrant>> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let now = time::OffsetDateTime::now_utc();
    let found: Option<(i64, i64, i64, String, Option<String>)> = sqlx::query_as(
        "SELECT id, user_id, epoch, scope, last_used_at FROM api_tokens \
         WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
    )
    .bind(digest(secret))
    .bind(rfc3339(now))
    .fetch_optional(db)
    .await?;
    let Some((id, user_id, epoch, scope, last_used)) = found else {
        return Ok(None);
    };
    let Some(user) = users::find_by_id(db, user_id).await? else {
        return Ok(None);
    };
    if user.disabled || user.session_epoch != epoch {
        return Ok(None);
    }
    // The last use is kept to the minute: a script calling in a loop costs no write per call.
    let minute_ago = rfc3339(now - time::Duration::minutes(1));
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
    )
    .bind(now_rfc3339())
    .bind(id)
    .bind(minute_ago)
    .execute(db)
    .await?;
    let today = &rfc3339(now)[..10];
    let first_use_today = last_used.as_deref().is_none_or(|at| !at.starts_with(today));
    Ok(Some(TokenGrant {
        id,
        user,
        scope: scope.parse().unwrap_or(TokenScope::Read),
        first_use_today,
    }))
}
