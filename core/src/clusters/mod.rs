//! Cluster management: the stored clusters (credentials encrypted), the admin actions on
//! them, and keeping the backend's connections in step with what is stored, including
//! changes made by the CLI or another server on the same database.

mod input;
mod records;

use bosun_model::{
    Action, ClusterInput, ClusterSaved, ClusterSummary, ClusterUpdate, ConnectionCheck, Page,
    SourceKind,
};
use serde_json::json;

use crate::actions::{perform, read};
use crate::authz::Target;
use crate::db::now_rfc3339;
use crate::request::Invocation;
use crate::{Context, Error, Result};

use input::{
    check_default_namespace, check_description, check_input, check_kubeconfig, parse_environment,
};
pub use input::{validate_cluster_name, validate_namespace};
pub use records::{add_demo_once, sync};
use records::{connection, load, load_all};

/// The name the built-in demo cluster is added under on first start.
pub const DEMO_NAME: &str = "demo";
/// Largest kubeconfig accepted.
pub const MAX_KUBECONFIG_BYTES: usize = 1024 * 1024;

/// Where the name of the cluster an admin marked default is kept.
const DEFAULT_SETTING: &str = "default_cluster";

async fn marked_default(ctx: &Context) -> Result<Option<String>> {
    let value: Option<Vec<u8>> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(DEFAULT_SETTING)
        .fetch_optional(&ctx.db)
        .await?;
    Ok(value.and_then(|v| String::from_utf8(v).ok()))
}

/// The default cluster (what the Kruise Dashboard compatible API serves): the one an
/// admin marked, else the built-in demo cluster.
///
/// # Errors
/// `NotFound` when no cluster is marked and there is no demo cluster.
pub async fn default_name(ctx: &Context) -> Result<String> {
    let stored = load_all(ctx).await?;
    if let Some(marked) = marked_default(ctx).await?
        && stored.iter().any(|s| s.name == marked)
    {
        return Ok(marked);
    }
    stored
        .into_iter()
        .find(|s| s.source == SourceKind::Demo)
        .map(|s| s.name)
        .ok_or_else(|| {
            Error::NotFound(
                "no default cluster: an admin marks one as default on the Clusters page (or PUT /api/v1/clusters/{name} with {\"default\": true})".into(),
            )
        })
}

/// Every cluster with health and counts, from memory.
pub async fn list(ctx: &Context, inv: &Invocation) -> Result<Vec<ClusterSummary>> {
    read(ctx, inv, Target::cluster(""), async {
        let visible = crate::workloads::visibility(inv);
        let default = default_name(ctx).await.ok();
        Ok(ctx
            .clusters
            .summaries()
            .into_iter()
            .filter(|c| visible(&c.name, ""))
            .map(|mut c| {
                c.default = default.as_deref() == Some(c.name.as_str());
                c
            })
            .collect())
    })
    .await
}

/// One cluster.
pub async fn get(ctx: &Context, inv: &Invocation, name: &str) -> Result<ClusterSummary> {
    read(ctx, inv, Target::cluster(name), summary(ctx, name)).await
}

/// 404 unless `name` is a connected cluster. Cheap (no summary is built), for calls that
/// only need to know the cluster exists before they reach it.
pub(crate) fn ensure_connected(ctx: &Context, name: &str) -> Result<()> {
    if ctx.clusters.connected().iter().any(|(n, _)| n == name) {
        Ok(())
    } else {
        Err(Error::NotFound(format!("no cluster named {name:?}")))
    }
}

async fn summary(ctx: &Context, name: &str) -> Result<ClusterSummary> {
    let mut found = ctx
        .clusters
        .summaries()
        .into_iter()
        .find(|c| c.name == name)
        .ok_or_else(|| Error::NotFound(format!("no cluster named {name:?}")))?;
    found.default = default_name(ctx).await.ok().as_deref() == Some(name);
    Ok(found)
}

/// Marks (or unmarks) a cluster as the default.
async fn set_default(ctx: &Context, name: &str, default: bool) -> Result<()> {
    if default {
        sqlx::query("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)")
            .bind(DEFAULT_SETTING)
            .bind(name.as_bytes())
            .execute(&ctx.db)
            .await?;
    } else {
        sqlx::query("DELETE FROM settings WHERE key = ? AND value = ?")
            .bind(DEFAULT_SETTING)
            .bind(name.as_bytes())
            .execute(&ctx.db)
            .await?;
    }
    Ok(())
}

/// The namespaces of a cluster, from its watch cache.
pub async fn namespaces(ctx: &Context, inv: &Invocation, name: &str) -> Result<Page<String>> {
    read(ctx, inv, Target::cluster(name), async {
        let all = ctx.clusters.namespaces(name)?;
        Ok(Page::slice(all, 0, bosun_model::MAX_PAGE))
    })
    .await
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
        cluster: summary(ctx, name).await?,
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
        "default": change.default,
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
        if let Some(default) = change.default {
            set_default(ctx, name, default).await?;
        }
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
            set_default(ctx, name, false).await?;
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
    read(ctx, inv, Target::cluster(""), async {
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
    })
    .await
}
