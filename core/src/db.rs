//! Opening the SQLite database: the data directory, WAL mode and migrations.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::{Error, Result};

/// The migrations in the repository's `migrations/` folder, embedded at build time so the
/// binary carries its own schema.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// The database file inside a data directory.
#[must_use]
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("bosun.db")
}

/// Creates the data directory if needed (owner-only) and proves it is writable, so that
/// a bad `BOSUN_DATA_DIR` fails at start-up with its name rather than at the first write.
pub fn prepare_data_dir(data_dir: &Path) -> Result<()> {
    create_private_dir(data_dir).map_err(|e| {
        Error::BadRequest(format!(
            "data dir {} cannot be created: {e}",
            data_dir.display()
        ))
    })?;
    let probe = data_dir.join(".bosun-write-probe");
    std::fs::write(&probe, b"ok").map_err(|e| {
        Error::BadRequest(format!(
            "data dir {} is not writable: {e}",
            data_dir.display()
        ))
    })?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Creates an empty owner-only file unless it exists (SQLite gives its WAL and shared
/// memory files the database file's mode).
pub fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// The files of a data directory that must be the owner's alone: the database (sessions,
/// audit log, sealed credentials), its WAL, the key that unseals the credentials, and the
/// demo cluster's kubeconfig (its admin token).
pub const PRIVATE_FILES: &[&str] = &[
    "bosun.db",
    "bosun.db-wal",
    "bosun.db-shm",
    crate::secrets::KEY_FILE,
    "demo.kubeconfig",
    crate::bootstrap::FIRST_PASSWORD_FILE,
];

/// Makes the data directory 0700 and its private files 0600, saying so when an existing
/// one was looser (or could not be tightened, e.g. owned by someone else). Run at start-up
/// once the files exist.
pub fn restrict_data_dir(data_dir: &Path) {
    restrict(data_dir, 0o700);
    for name in PRIVATE_FILES {
        restrict(&data_dir.join(name), 0o600);
    }
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let current = meta.permissions().mode() & 0o777;
    if current & !mode == 0 {
        return;
    }
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
        Ok(()) => tracing::warn!(
            "{} was mode {current:o}, open to other users; tightened to {mode:o}",
            path.display()
        ),
        Err(e) => tracing::error!(
            "{} is mode {current:o}, open to other users, and could not be tightened to {mode:o}: {e}",
            path.display()
        ),
    }
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) {}

/// Opens (creating if missing) the database in `data_dir` and applies pending migrations.
pub async fn open(data_dir: &Path) -> Result<SqlitePool> {
    prepare_data_dir(data_dir)?;
    create_private_file(&database_path(data_dir)).map_err(|e| {
        Error::BadRequest(format!(
            "database {} cannot be created: {e}",
            database_path(data_dir).display()
        ))
    })?;
    let url = format!("sqlite://{}", database_path(data_dir).display());
    let options = SqliteConnectOptions::from_str(&url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// The current time in RFC 3339, the format every timestamp column uses.
#[must_use]
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
