//! The audit log: one row per mutating action (and per refusal), with who, from where,
//! what, on what, with which parameters, and how it ended. Rows are written only by
//! [`crate::actions`]; everything else reads.

use bosun_model::{Action, AuditEntry, AuditQuery, Outcome, Page};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use crate::Result;
use crate::authz::Target;
use crate::db::now_rfc3339;
use crate::request::Invocation;

/// Most rows one query returns.
pub const MAX_ROWS: u32 = 1000;

/// One action to write to the log.
pub(crate) struct Record<'a> {
    pub invocation: &'a Invocation,
    /// Overrides the invocation's caller name (a successful sign-in is by the user who
    /// just proved who they are, although the request was anonymous).
    pub user: Option<&'a str>,
    pub action: Action,
    pub target: &'a Target,
    pub parameters: &'a serde_json::Value,
    pub outcome: Outcome,
    pub error: &'a str,
}

/// Appends one record. A failure to write is logged loudly and swallowed: the action it
/// describes has already happened and must not be reported as failed because of the log.
pub(crate) async fn insert(db: &SqlitePool, rec: Record<'_>) {
    let inv = rec.invocation;
    let user = rec.user.unwrap_or_else(|| inv.actor());
    let parameters = if rec.parameters.is_null() {
        String::new()
    } else {
        rec.parameters.to_string()
    };
    let written = sqlx::query(
        "INSERT INTO audit_log (at, user, source, cluster, namespace, kind, name, action, parameters, outcome, error, trace_id) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(now_rfc3339())
    .bind(user)
    .bind(inv.source.as_str())
    .bind(&rec.target.cluster)
    .bind(&rec.target.namespace)
    .bind(&rec.target.kind)
    .bind(&rec.target.name)
    .bind(rec.action.name())
    .bind(&parameters)
    .bind(rec.outcome.as_str())
    .bind(rec.error)
    .bind(&inv.trace_id)
    .execute(db)
    .await;
    tracing::info!(
        user,
        source = inv.source.as_str(),
        action = rec.action.name(),
        cluster = %rec.target.cluster,
        namespace = %rec.target.namespace,
        kind = %rec.target.kind,
        name = %rec.target.name,
        outcome = rec.outcome.as_str(),
        trace_id = %inv.trace_id,
        "audit"
    );
    if let Err(e) = written {
        tracing::error!(trace_id = %inv.trace_id, action = rec.action.name(), "audit write failed: {e}");
    }
}

const COLUMNS: &str = "id, at, user, source, cluster, namespace, kind, name, action, parameters, outcome, error, trace_id";

fn entry(row: &sqlx::sqlite::SqliteRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        user: row.try_get("user")?,
        source: row.try_get("source")?,
        cluster: row.try_get("cluster")?,
        namespace: row.try_get("namespace")?,
        kind: row.try_get("kind")?,
        name: row.try_get("name")?,
        action: row.try_get("action")?,
        parameters: row.try_get("parameters")?,
        outcome: row.try_get("outcome")?,
        error: row.try_get("error")?,
        trace_id: row.try_get("trace_id")?,
    })
}

/// Records matching every given filter, newest first, one page at a time (the
/// continue token is the id to go below).
pub(crate) async fn query(db: &SqlitePool, q: &AuditQuery) -> Result<Page<AuditEntry>> {
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_ROWS);
    let filters: [(&str, &Option<String>); 8] = [
        ("cluster", &q.cluster),
        ("namespace", &q.namespace),
        ("kind", &q.kind),
        ("name", &q.name),
        ("user", &q.user),
        ("action", &q.action),
        ("outcome", &q.outcome),
        ("source", &q.source),
    ];
    let mut total = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM audit_log WHERE 1 = 1");
    let mut page =
        QueryBuilder::<Sqlite>::new(format!("SELECT {COLUMNS} FROM audit_log WHERE 1 = 1"));
    for builder in [&mut total, &mut page] {
        for (column, value) in filters {
            if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                builder
                    .push(format!(" AND {column} = "))
                    .push_bind(value.to_string());
            }
        }
    }
    if let Some(before) = q.before {
        page.push(" AND id < ").push_bind(before);
    }
    page.push(" ORDER BY id DESC LIMIT ")
        .push_bind(i64::from(limit) + 1);
    let total: i64 = total.build_query_scalar().fetch_one(db).await?;
    let rows = page.build().fetch_all(db).await?;
    let mut items = rows.iter().map(entry).collect::<Result<Vec<_>>>()?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let continue_token = more
        .then(|| items.last().map(|e| e.id.to_string()))
        .flatten();
    Ok(Page {
        items,
        total: usize::try_from(total).unwrap_or(0),
        continue_token,
        warnings: Vec::new(),
    })
}
