//! First start: an empty database gets an `admin` account so someone can sign in.
//!
//! A generated password goes to an owner-only file in the data directory, never to the
//! log (logs are shipped and kept), and must be replaced at first sign-in before the
//! account may do anything else: whoever could read the file could otherwise act as admin.

use std::path::{Path, PathBuf};

use bosun_model::Role;
use rand::Rng;
use rand::distributions::Alphanumeric;
use sqlx::SqlitePool;

use crate::{Result, users};

/// Name of the account created on first start.
pub const FIRST_ADMIN: &str = "admin";

/// The file in the data directory that holds a generated first password until it is
/// replaced.
pub const FIRST_PASSWORD_FILE: &str = "first-admin-password";

/// What first start did about the admin account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstAdmin {
    /// Accounts already existed; nothing was done.
    AlreadySetUp,
    /// Created with the password from `BOSUN_ADMIN_PASSWORD`.
    CreatedWithGivenPassword,
    /// Created with a random password, written to this owner-only file.
    CreatedWithGeneratedPassword(PathBuf),
}

/// Creates the first admin if there are no accounts at all. Once accounts exist, removes
/// a generated password's file whose password has since been replaced.
pub async fn ensure_first_admin(
    db: &SqlitePool,
    given_password: Option<&str>,
    data_dir: &Path,
) -> Result<FirstAdmin> {
    let file = data_dir.join(FIRST_PASSWORD_FILE);
    if users::count(db).await? > 0 {
        forget_replaced_password(db, &file).await?;
        return Ok(FirstAdmin::AlreadySetUp);
    }
    if let Some(password) = given_password {
        users::create(db, FIRST_ADMIN, password, Role::Admin).await?;
        return Ok(FirstAdmin::CreatedWithGivenPassword);
    }
    let password: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    // A file left by an earlier database is stale: replace it, never append to it.
    remove_if_present(&file)?;
    crate::secrets::write_private(&file, &format!("{password}\n"))?;
    users::create(db, FIRST_ADMIN, &password, Role::Admin).await?;
    users::require_password_change(db, FIRST_ADMIN).await?;
    Ok(FirstAdmin::CreatedWithGeneratedPassword(file))
}

/// The generated password stops being a secret worth keeping once replaced.
async fn forget_replaced_password(db: &SqlitePool, file: &Path) -> Result<()> {
    if !file.exists() {
        return Ok(());
    }
    let still_needed = match users::find(db, FIRST_ADMIN).await {
        Ok(admin) => admin.must_change_password,
        Err(crate::Error::NotFound(_)) => false,
        Err(e) => return Err(e),
    };
    if !still_needed {
        remove_if_present(file)?;
        tracing::info!(
            "removed {}: the password it held has been replaced",
            file.display()
        );
    }
    Ok(())
}

fn remove_if_present(file: &Path) -> Result<()> {
    match std::fs::remove_file(file) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(crate::Error::Internal(format!(
            "{} cannot be removed: {e}",
            file.display()
        ))),
    }
}
