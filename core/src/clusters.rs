//! Cluster management: the stored clusters (credentials encrypted), the admin actions on
//! them, and keeping the backend's connections in step with what is stored, including
//! changes made by the CLI or another server on the same database.

use bosun_model::{
    Action, ClusterInput, ClusterSaved, ClusterSummary, ClusterUpdate, ConnectionCheck,
    Environment, Page, SourceKind,
};
use serde_json::json;
use sqlx::Row;

use crate::actions::perform;
use crate::authz::Target;
use crate::backend::{Connection, Secret};
use crate::db::now_rfc3339;
use crate::request::Invocation;
use crate::{Context, Error, Result};

/// The name the built-in demo cluster is added under on first start.
pub const DEMO_NAME: &str = "demo";
/// Largest kubeconfig accepted.
pub const MAX_KUBECONFIG_BYTES: usize = 1024 * 1024;
const DEMO_ADDED_SETTING: &str = "demo_cluster_added";

/// Checks a cluster name: a DNS label (it appears in URLs and kubeconfig-like places).
pub fn validate_cluster_name(name: &str) -> Result<()> {
    dns_label(name)
        .map_err(|why| Error::BadRequest(format!("cluster name {name:?} is invalid: {why}")))
}

/// Checks a namespace name (a DNS label, as the API server requires).
pub fn validate_namespace(name: &str) -> Result<()> {
    dns_label(name)
        .map_err(|why| Error::BadRequest(format!("namespace {name:?} is invalid: {why}")))
}

fn dns_label(name: &str) -> std::result::Result<(), &'static str> {
    if name.is_empty() || name.len() > 63 {
        return Err("use 1 to 63 characters");
    }
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let ok_ends = !name.starts_with('-') && !name.ends_with('-');
    if ok_chars && ok_ends {
        Ok(())
    } else {
        Err("use lower-case letters, digits and '-', starting and ending with a letter or digit")
    }
}

struct Stored {
    name: String,
    description: String,
    environment: Environment,
    default_namespace: String,
    source: SourceKind,
    context: Option<String>,
    credentials: Option<Vec<u8>>,
    id: i64,
    revision: i64,
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

async fn load_all(ctx: &Context) -> Result<Vec<Stored>> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM clusters ORDER BY name"))
        .fetch_all(&ctx.db)
        .await?;
    rows.iter().map(stored).collect()
}

async fn load(ctx: &Context, name: &str) -> Result<Stored> {
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
fn connection(ctx: &Context, s: &Stored) -> Result<Connection> {
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

/// Every cluster with health and counts, from memory.
pub async fn list(ctx: &Context, inv: &Invocation) -> Result<Vec<ClusterSummary>> {
    perform(
        ctx,
        inv,
        Action::Read,
        &Target::cluster(""),
        json!(null),
        |_| async {
            let visible = crate::workloads::visibility(inv);
            Ok(ctx
                .clusters
                .summaries()
                .into_iter()
                .filter(|c| visible(&c.name, ""))
                .collect())
        },
    )
    .await
}

/// One cluster.
pub async fn get(ctx: &Context, inv: &Invocation, name: &str) -> Result<ClusterSummary> {
    perform(
        ctx,
        inv,
        Action::Read,
        &Target::cluster(name),
        json!(null),
        |_| async { summary(ctx, name) },
    )
    .await
}

fn summary(ctx: &Context, name: &str) -> Result<ClusterSummary> {
    ctx.clusters
        .summaries()
        .into_iter()
        .find(|c| c.name == name)
        .ok_or_else(|| Error::NotFound(format!("no cluster named {name:?}")))
}

/// The namespaces of a cluster, from its watch cache.
pub async fn namespaces(ctx: &Context, inv: &Invocation, name: &str) -> Result<Page<String>> {
    perform(
        ctx,
        inv,
        Action::Read,
        &Target::cluster(name),
        json!(null),
        |_| async {
            let all = ctx.clusters.namespaces(name)?;
            Ok(Page::slice(all, 0, bosun_model::MAX_PAGE))
        },
    )
    .await
}

/// The input's fields, checked, with the kubeconfig validated by the backend.
struct Checked {
    source: SourceKind,
    environment: Environment,
    description: String,
    default_namespace: String,
    context: Option<String>,
    kubeconfig: Option<String>,
}

fn check_input(ctx: &Context, input: &ClusterInput) -> Result<Checked> {
    validate_cluster_name(&input.name)?;
    let source = match (input.source.as_deref(), &input.kubeconfig) {
        (Some(raw), _) => raw.parse().map_err(Error::BadRequest)?,
        (None, Some(_)) => SourceKind::Kubeconfig,
        (None, None) => {
            return Err(Error::BadRequest(
                "give a kubeconfig, or \"source\": \"in-cluster\" or \"demo\"".into(),
            ));
        }
    };
    let environment = parse_environment(input.environment.as_deref())?;
    let description = check_description(input.description.as_deref())?;
    let default_namespace = check_default_namespace(input.default_namespace.as_deref())?;
    let (kubeconfig, context) = match source {
        SourceKind::Kubeconfig => {
            let text = input.kubeconfig.as_deref().unwrap_or("");
            let context = check_kubeconfig(ctx, text, input.context.as_deref())?;
            (Some(text.to_string()), context)
        }
        _ if input.kubeconfig.is_some() => {
            return Err(Error::BadRequest(format!(
                "a kubeconfig is only used with the kubeconfig source, not {}",
                source.as_str()
            )));
        }
        _ => (None, None),
    };
    Ok(Checked {
        source,
        environment,
        description,
        default_namespace,
        context,
        kubeconfig,
    })
}

fn parse_environment(raw: Option<&str>) -> Result<Environment> {
    match raw.map(str::trim).filter(|e| !e.is_empty()) {
        None => Ok(Environment::default()),
        Some(raw) => raw.parse().map_err(Error::BadRequest),
    }
}

fn check_description(raw: Option<&str>) -> Result<String> {
    let description = raw.unwrap_or("").trim().to_string();
    if description.chars().count() > 500 {
        return Err(Error::BadRequest(
            "description is too long: at most 500 characters".into(),
        ));
    }
    Ok(description)
}

fn check_default_namespace(raw: Option<&str>) -> Result<String> {
    let ns = raw
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    validate_namespace(ns)?;
    Ok(ns.to_string())
}

/// Parses the kubeconfig and picks the context: the given one must exist; without one the
/// kubeconfig's current context is used (recorded as `None`).
fn check_kubeconfig(ctx: &Context, text: &str, context: Option<&str>) -> Result<Option<String>> {
    if text.trim().is_empty() {
        return Err(Error::BadRequest("kubeconfig is empty".into()));
    }
    if text.len() > MAX_KUBECONFIG_BYTES {
        return Err(Error::BadRequest(format!(
            "kubeconfig is too large: at most {} KiB",
            MAX_KUBECONFIG_BYTES / 1024
        )));
    }
    let contexts = ctx.clusters.contexts(text)?;
    match context.map(str::trim).filter(|c| !c.is_empty()) {
        Some(chosen) if contexts.iter().any(|c| c == chosen) => Ok(Some(chosen.to_string())),
        Some(chosen) => Err(Error::BadRequest(format!(
            "kubeconfig has no context {chosen:?}; it has: {}",
            contexts.join(", ")
        ))),
        None => Ok(None),
    }
}

/// The contexts of a pasted kubeconfig, so an admin can choose one before adding it.
pub async fn contexts(ctx: &Context, inv: &Invocation, kubeconfig: &str) -> Result<Vec<String>> {
    // Reading a kubeconfig changes nothing; it needs what testing a connection needs.
    crate::actions::permit(
        ctx,
        inv,
        Action::ClusterTest,
        &Target::cluster(""),
        &json!(null),
    )
    .await?;
    if kubeconfig.len() > MAX_KUBECONFIG_BYTES {
        return Err(Error::BadRequest(format!(
            "kubeconfig is too large: at most {} KiB",
            MAX_KUBECONFIG_BYTES / 1024
        )));
    }
    ctx.clusters.contexts(kubeconfig)
}

/// Adds a cluster. The connection is tested and the result returned, but an unreachable
/// cluster is saved all the same: it turns healthy when it answers.
pub async fn add(ctx: &Context, inv: &Invocation, input: ClusterInput) -> Result<ClusterSaved> {
    let (ctx, inv) = (ctx.clone(), inv.clone());
    crate::actions::detached(async move { add_now(&ctx, &inv, input).await }).await
}

async fn add_now(ctx: &Context, inv: &Invocation, input: ClusterInput) -> Result<ClusterSaved> {
    let params = json!({
        "source": input.source.as_deref().unwrap_or(if input.kubeconfig.is_some() { "kubeconfig" } else { "" }),
        "context": input.context,
        "environment": input.environment,
        "default_namespace": input.default_namespace,
    });
    let name = input.name.trim().to_string();
    perform(ctx, inv, Action::ClusterAdd, &Target::cluster(&name), params, |_| async {
        let mut input = input;
        input.name = name.clone();
        let checked = check_input(ctx, &input)?;
        let credentials = checked
            .kubeconfig
            .as_deref()
            .map(|k| ctx.secrets.seal(k.as_bytes(), &name))
            .transpose()?;
        let now = now_rfc3339();
        let inserted = sqlx::query(
            "INSERT INTO clusters (name, description, environment, default_namespace, source, context, credentials, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&name)
        .bind(&checked.description)
        .bind(checked.environment.as_str())
        .bind(&checked.default_namespace)
        .bind(checked.source.as_str())
        .bind(&checked.context)
        .bind(&credentials)
        .bind(&now)
        .bind(&now)
        .execute(&ctx.db)
        .await;
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(Error::Conflict(format!("a cluster named {name:?} already exists")));
            }
            Err(e) => return Err(e.into()),
        }
        connect_and_check(ctx, &name).await
    })
    .await
}

async fn connect_and_check(ctx: &Context, name: &str) -> Result<ClusterSaved> {
    let conn = connection(ctx, &load(ctx, name).await?)?;
    ctx.clusters.connect(&conn).await?;
    let check = ctx.clusters.check(&conn).await;
    Ok(ClusterSaved {
        cluster: summary(ctx, name)?,
        connection: check,
    })
}

/// Changes a cluster's description, environment, default namespace or credentials.
pub async fn update(
    ctx: &Context,
    inv: &Invocation,
    name: &str,
    change: ClusterUpdate,
) -> Result<ClusterSaved> {
    let (ctx, inv, name) = (ctx.clone(), inv.clone(), name.to_string());
    crate::actions::detached(async move { update_now(&ctx, &inv, &name, change).await }).await
}

async fn update_now(
    ctx: &Context,
    inv: &Invocation,
    name: &str,
    change: ClusterUpdate,
) -> Result<ClusterSaved> {
    let params = json!({
        "description": change.description,
        "environment": change.environment,
        "default_namespace": change.default_namespace,
        "context": change.context,
        "kubeconfig_replaced": change.kubeconfig.is_some(),
    });
    perform(ctx, inv, Action::ClusterUpdate, &Target::cluster(name), params, |_| async {
        let old = load(ctx, name).await?;
        let environment = match change.environment.as_deref() {
            Some(raw) => parse_environment(Some(raw))?,
            None => old.environment,
        };
        let description = match change.description.as_deref() {
            Some(raw) => check_description(Some(raw))?,
            None => old.description.clone(),
        };
        let default_namespace = match change.default_namespace.as_deref() {
            Some(raw) => check_default_namespace(Some(raw))?,
            None => old.default_namespace.clone(),
        };
        let (credentials, context) = match (&change.kubeconfig, old.source) {
            (Some(text), SourceKind::Kubeconfig) => {
                let context = check_kubeconfig(ctx, text, change.context.as_deref())?;
                (Some(ctx.secrets.seal(text.as_bytes(), name)?), context)
            }
            (Some(_), other) => {
                return Err(Error::BadRequest(format!(
                    "cluster {name:?} connects with the {} source; a kubeconfig does not apply",
                    other.as_str()
                )));
            }
            (None, SourceKind::Kubeconfig) if change.context.is_some() => {
                let current = connection(ctx, &old)?;
                let text = current.kubeconfig.map(|k| k.0).unwrap_or_default();
                let context = check_kubeconfig(ctx, &text, change.context.as_deref())?;
                (old.credentials.clone(), context)
            }
            (None, _) => (old.credentials.clone(), old.context.clone()),
        };
        sqlx::query(
            "UPDATE clusters SET description = ?, environment = ?, default_namespace = ?, context = ?, credentials = ?, \
             updated_at = ?, revision = revision + 1 WHERE name = ?",
        )
        .bind(&description)
        .bind(environment.as_str())
        .bind(&default_namespace)
        .bind(&context)
        .bind(&credentials)
        .bind(now_rfc3339())
        .bind(name)
        .execute(&ctx.db)
        .await?;
        connect_and_check(ctx, name).await
    })
    .await
}

/// Removes a cluster: its record, its credentials and its connection.
pub async fn remove(ctx: &Context, inv: &Invocation, name: &str) -> Result<()> {
    let (ctx, inv, name) = (ctx.clone(), inv.clone(), name.to_string());
    crate::actions::detached(async move { remove_now(&ctx, &inv, &name).await }).await
}

async fn remove_now(ctx: &Context, inv: &Invocation, name: &str) -> Result<()> {
    perform(
        ctx,
        inv,
        Action::ClusterRemove,
        &Target::cluster(name),
        json!(null),
        |_| async {
            let done = sqlx::query("DELETE FROM clusters WHERE name = ?")
                .bind(name)
                .execute(&ctx.db)
                .await?;
            if done.rows_affected() == 0 {
                return Err(Error::NotFound(format!("no cluster named {name:?}")));
            }
            ctx.clusters.disconnect(name);
            Ok(())
        },
    )
    .await
}

/// Tests a stored cluster's connection now.
pub async fn test(ctx: &Context, inv: &Invocation, name: &str) -> Result<ConnectionCheck> {
    perform(
        ctx,
        inv,
        Action::ClusterTest,
        &Target::cluster(name),
        json!(null),
        |_| async {
            let conn = connection(ctx, &load(ctx, name).await?)?;
            Ok(ctx.clusters.check(&conn).await)
        },
    )
    .await
}

/// Every stored cluster's name and source, for the CLI's list (no live state needed).
pub async fn stored_names(
    ctx: &Context,
    inv: &Invocation,
) -> Result<Vec<(String, String, String)>> {
    perform(
        ctx,
        inv,
        Action::Read,
        &Target::cluster(""),
        json!(null),
        |_| async {
            Ok(load_all(ctx)
                .await?
                .into_iter()
                .map(|s| {
                    (
                        s.name,
                        s.source.as_str().to_string(),
                        s.environment.as_str().to_string(),
                    )
                })
                .collect())
        },
    )
    .await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_names_are_dns_labels() {
        assert!(validate_cluster_name("prod-eu-1").is_ok());
        assert!(validate_cluster_name("Prod").is_err());
        assert!(validate_cluster_name("-x").is_err());
        assert!(validate_cluster_name("").is_err());
        assert!(validate_cluster_name(&"a".repeat(64)).is_err());
        assert!(validate_cluster_name("_all").is_err());
    }
}
