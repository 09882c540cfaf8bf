//! First start: an empty database gets an `admin` account so someone can sign in.

use bosun_model::Role;
use rand::Rng;
use rand::distributions::Alphanumeric;
use sqlx::SqlitePool;

use crate::{Result, users};

/// Name of the account created on first start.
pub const FIRST_ADMIN: &str = "admin";

/// What first start did about the admin account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstAdmin {
    /// Accounts already existed; nothing was done.
    AlreadySetUp,
    /// Created with the password from `BOSUN_ADMIN_PASSWORD`.
    CreatedWithGivenPassword,
    /// Created with this random password, to be printed exactly once.
    CreatedWithGeneratedPassword(String),
}

/// Creates the first admin if there are no accounts at all.
pub async fn ensure_first_admin(
    db: &SqlitePool,
    given_password: Option<&str>,
) -> Result<FirstAdmin> {
    if users::count(db).await? > 0 {
        return Ok(FirstAdmin::AlreadySetUp);
    }
    match given_password {
        Some(password) => {
            users::create(db, FIRST_ADMIN, password, Role::Admin).await?;
            Ok(FirstAdmin::CreatedWithGivenPassword)
        }
        None => {
            let password: String = rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(24)
                .map(char::from)
                .collect();
            users::create(db, FIRST_ADMIN, &password, Role::Admin).await?;
            Ok(FirstAdmin::CreatedWithGeneratedPassword(password))
        }
    }
}
