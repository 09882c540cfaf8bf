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

/// Creates the data directory if needed and proves it is writable, so that a bad
/// `BOSUN_DATA_DIR` fails at start-up with its name rather than at the first write.
pub fn prepare_data_dir(data_dir: &Path) -> Result<()> {
    std::fs::create_dir_all(data_dir).map_err(|e| {
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

/// Opens (creating if missing) the database in `data_dir` and applies pending migrations.
pub async fn open(data_dir: &Path) -> Result<SqlitePool> {
    prepare_data_dir(data_dir)?;
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
