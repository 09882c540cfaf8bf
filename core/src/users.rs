//! Accounts: creation, look-up, role changes, disabling and password changes.

use bosun_model::{Role, UserSummary};
use sqlx::{Row, SqlitePool};

use crate::auth::Caller;
use crate::db::now_rfc3339;
use crate::{Error, Result, password};

/// Longest user name accepted.
pub const MAX_USERNAME_LEN: usize = 64;

/// An account as stored, including its password hash. Deliberately not `Serialize`: the
/// hash must never reach a response by accident. Convert with [`User::summary`].
#[derive(Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub password_hash: String,
    pub created_at: String,
    /// Sessions and tokens made at another epoch are no longer valid.
    pub session_epoch: i64,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

impl User {
    /// The view of this account that may be shown to an admin.
    #[must_use]
    pub fn summary(&self) -> UserSummary {
        UserSummary {
            id: self.id,
            username: self.username.clone(),
            role: self.role,
            disabled: self.disabled,
            created_at: self.created_at.clone(),
        }
    }
}

/// Checks a user name: 1 to 64 characters of lower-case letters, digits, `.`, `_`, `-`,
/// starting with a letter or digit. Names are case-folded so `Alice` and `alice` are one.
pub fn normalize_username(raw: &str) -> Result<String> {
    let name = raw.trim().to_ascii_lowercase();
    if name.is_empty() {
        return Err(Error::BadRequest("user name is empty".into()));
    }
    if name.len() > MAX_USERNAME_LEN {
        return Err(Error::BadRequest(format!(
            "user name is too long: at most {MAX_USERNAME_LEN} characters"
        )));
    }
    let first_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let all_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !first_ok || !all_ok {
        return Err(Error::BadRequest(format!(
            "user name {raw:?} is invalid: use letters, digits, '.', '_' or '-', starting with a letter or digit"
        )));
    }
    Ok(name)
}

fn row_to_user(row: &sqlx::sqlite::SqliteRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: role
            .parse()
            .map_err(|e| Error::Internal(format!("stored role: {e}")))?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        password_hash: row.try_get("password_hash")?,
        created_at: row.try_get("created_at")?,
        session_epoch: row.try_get("session_epoch")?,
    })
}

const USER_COLUMNS: &str = "id, username, password_hash, role, disabled, created_at, session_epoch";

/// Creates an account. A taken name is a conflict, not an overwrite.
pub async fn create(
    db: &SqlitePool,
    username: &str,
    plain_password: &str,
    role: Role,
) -> Result<User> {
    let username = normalize_username(username)?;
    password::validate(plain_password)?;
    let hash = password::hash_async(plain_password).await?;
    let now = now_rfc3339();
    let inserted = sqlx::query(
        "INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&username)
    .bind(&hash)
    .bind(role.as_str())
    .bind(&now)
    .bind(&now)
    .execute(db)
    .await;
    match inserted {
        Ok(_) => find(db, &username).await,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(Error::Conflict(format!("user {username:?} already exists")))
        }
        Err(e) => Err(e.into()),
    }
}

/// Looks up an account by name (case-insensitively).
pub async fn find(db: &SqlitePool, username: &str) -> Result<User> {
    let name = username.trim().to_ascii_lowercase();
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = ?"
    ))
    .bind(&name)
    .fetch_optional(db)
    .await?;
    match row {
        Some(row) => row_to_user(&row),
        None => Err(Error::NotFound(format!("user {name:?} not found"))),
    }
}

/// Looks up an account by id, for sessions and tokens that store only the id.
pub async fn find_by_id(db: &SqlitePool, id: i64) -> Result<Option<User>> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(row_to_user).transpose()
}

/// Every account, oldest first.
pub async fn list(db: &SqlitePool) -> Result<Vec<User>> {
    let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))
        .fetch_all(db)
        .await?;
    rows.iter().map(row_to_user).collect()
}

/// How many accounts exist; zero means first start.
pub async fn count(db: &SqlitePool) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await?)
}

/// Sets one column of an existing account and ends its sessions and tokens (every
/// column set here changes what they may do). `column` is always a constant from this
/// module.
async fn update_column<T>(db: &SqlitePool, username: &str, column: &str, value: T) -> Result<User>
where
    T: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + 'static,
{
    let user = find(db, username).await?;
    sqlx::query(&format!(
        "UPDATE users SET {column} = ?, session_epoch = session_epoch + 1, updated_at = ? WHERE id = ?"
    ))
    .bind(value)
    .bind(now_rfc3339())
    .bind(user.id)
    .execute(db)
    .await?;
    find(db, &user.username).await
}

/// Ends every session and API token of an account ("sign out everywhere").
pub async fn end_sessions(db: &SqlitePool, username: &str) -> Result<User> {
    let user = find(db, username).await?;
    sqlx::query("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ?")
        .bind(user.id)
        .execute(db)
        .await?;
    find(db, &user.username).await
}

/// Gives an account another role.
pub async fn set_role(db: &SqlitePool, username: &str, role: Role) -> Result<User> {
    update_column(db, username, "role", role.as_str().to_owned()).await
}

/// Disables or re-enables an account. A disabled account cannot sign in, and its open
/// sessions and tokens stop working at their next request.
pub async fn set_disabled(db: &SqlitePool, username: &str, disabled: bool) -> Result<User> {
    update_column(db, username, "disabled", i64::from(disabled)).await
}

/// Replaces an account's password.
pub async fn set_password(db: &SqlitePool, username: &str, plain_password: &str) -> Result<User> {
    password::validate(plain_password)?;
    let hash = password::hash_async(plain_password).await?;
    update_column(db, username, "password_hash", hash).await
}

/// An admin cannot take the admin role from themselves, so the console cannot be left
/// without anyone able to manage it by one careless click.
pub fn refuse_self_demotion(actor: &Caller, username: &str, role: Role) -> Result<()> {
    if actor.username == username.trim().to_ascii_lowercase() && role != Role::Admin {
        return Err(Error::Conflict(
            "you cannot take the admin role from yourself".into(),
        ));
    }
    Ok(())
}

/// Nobody can disable their own account.
pub fn refuse_self_disable(actor: &Caller, username: &str, disabled: bool) -> Result<()> {
    if actor.username == username.trim().to_ascii_lowercase() && disabled {
        return Err(Error::Conflict(
            "you cannot disable your own account".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_case_folded_and_checked() {
        assert_eq!(normalize_username(" Alice ").unwrap(), "alice");
        assert!(normalize_username("").is_err());
        assert!(normalize_username("-dash").is_err());
        assert!(normalize_username("a b").is_err());
        assert!(normalize_username(&"a".repeat(MAX_USERNAME_LEN + 1)).is_err());
        assert_eq!(normalize_username("ops.team_1-x").unwrap(), "ops.team_1-x");
    }
}
