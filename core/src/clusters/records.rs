//! Stored clusters: the rows, their connections with credentials decrypted, and keeping
//! the backend's connections in step with the rows.

use bosun_model::{Environment, SourceKind};
use sqlx::Row;

use crate::backend::{Connection, Secret};
use crate::db::now_rfc3339;
use crate::{Context, Error, Result};

use super::DEMO_NAME;

const DEMO_ADDED_SETTING: &str = "demo_cluster_added";

pub(super) struct Stored {
    pub(super) name: String,
    pub(super) description: String,
    pub(super) environment: Environment,
    pub(super) default_namespace: String,
    pub(super) source: SourceKind,
    pub(super) context: Option<String>,
    pub(super) credentials: Option<Vec<u8>>,
    pub(super) id: i64,
    pub(super) revision: i64,
}

const COLUMNS: &str =
    "id, name, description, environment, default_namespace, source, context, credentials, revision";

fn stored(row: &sqlx::sqlite::SqliteRow) -> Result<Stored> {
    let environment: String = row.try_get("environment")?;
    let source: String = row.try_get("source")?;
    Ok(Stored {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        environment: environment.parse().map_err(Error::Internal)?,
        default_namespace: row.try_get("default_namespace")?,
        source: source.parse().map_err(Error::Internal)?,
        context: row.try_get("context")?,
        credentials: row.try_get("credentials")?,
        revision: row.try_get("revision")?,
    })
}

pub(super) async fn load_all(ctx: &Context) -> Result<Vec<Stored>> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM clusters ORDER BY name"))
        .fetch_all(&ctx.db)
        .await?;
    rows.iter().map(stored).collect()
}

pub(super) async fn load(ctx: &Context, name: &str) -> Result<Stored> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM clusters WHERE name = ?"))
        .bind(name)
        .fetch_optional(&ctx.db)
        .await?;
    match row {
        Some(row) => stored(&row),
        None => Err(Error::NotFound(format!("no cluster named {name:?}"))),
    }
}

/// The connection of a stored cluster, its credentials decrypted.
pub(super) fn connection(ctx: &Context, s: &Stored) -> Result<Connection> {
    let kubeconfig = match &s.credentials {
        Some(sealed) => {
            let plain = ctx.secrets.open(sealed, &s.name)?;
            Some(Secret(String::from_utf8(plain).map_err(|_| {
                Error::Internal(format!("stored kubeconfig of {} is not text", s.name))
            })?))
        }
        None => None,
    };
    Ok(Connection {
        name: s.name.clone(),
        description: s.description.clone(),
        environment: s.environment,
        default_namespace: s.default_namespace.clone(),
        source: s.source,
        context: s.context.clone(),
        kubeconfig,
        revision: format!("{}:{}", s.id, s.revision),
    })
}

/// Brings the backend's connections in line with the stored clusters: new and changed
/// ones are (re)connected, removed ones disconnected. Run at start-up and periodically.
pub async fn sync(ctx: &Context) -> Result<()> {
    let stored = load_all(ctx).await?;
    let connected = ctx.clusters.connected();
    for s in &stored {
        let revision = format!("{}:{}", s.id, s.revision);
        let current = connected
            .iter()
            .find(|(name, _)| *name == s.name)
            .map(|(_, r)| r);
        if current == Some(&revision) {
            continue;
        }
        match connection(ctx, s) {
            Ok(conn) => ctx.clusters.connect(&conn).await?,
            Err(e) => tracing::error!(cluster = %s.name, "cannot connect: {e}"),
        }
    }
    for (name, _) in connected {
        if !stored.iter().any(|s| s.name == name) {
            ctx.clusters.disconnect(&name);
        }
    }
    Ok(())
}

/// On the first start with the demo cluster enabled, adds it as `demo` (once: if an admin
/// removes it later, it stays removed).
pub async fn add_demo_once(ctx: &Context) -> Result<()> {
    let already: Option<Vec<u8>> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(DEMO_ADDED_SETTING)
        .fetch_optional(&ctx.db)
        .await?;
    if already.is_some() {
        return Ok(());
    }
    let now = now_rfc3339();
    sqlx::query(
        "INSERT OR IGNORE INTO clusters (name, description, environment, default_namespace, source, created_at, updated_at) \
         VALUES (?, 'The built-in demo cluster: an in-process Kubernetes API emulator', 'dev', 'shop', 'demo', ?, ?)",
    )
    .bind(DEMO_NAME)
    .bind(&now)
    .bind(&now)
    .execute(&ctx.db)
    .await?;
    sqlx::query("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)")
        .bind(DEMO_ADDED_SETTING)
        .bind(now.as_bytes())
        .execute(&ctx.db)
        .await?;
    Ok(())
}
