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
    /// The error was Bosun's own failure, not the person's or the cluster's.
    pub internal: bool,
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
        "INSERT INTO audit_log (at, user, source, cluster, namespace, kind, name, action, parameters, outcome, error, trace_id, internal) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    .bind(rec.internal)
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

const COLUMNS: &str = "id, at, user, source, cluster, namespace, kind, name, action, parameters, outcome, error, trace_id, internal";

/// Who reads the log, which decides what of it they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    /// Everything.
    Admins,
    /// Everything but the names typed at failed sign-ins (often a password typed into
    /// the wrong field) and the text of internal errors (paths, SQL): those rows are
    /// listed with the words replaced, and a filter on a user or name never matches them,
    /// so it cannot be used to guess what was hidden.
    Everyone,
}

/// What a non-admin reads in place of a hidden value.
pub const HIDDEN: &str = "(hidden: admins only)";

fn entry(row: &sqlx::sqlite::SqliteRow, readers: Readers) -> Result<AuditEntry> {
    let mut entry = plain_entry(row)?;
    if readers == Readers::Everyone {
        if entry.action == Action::SignIn.name() && entry.outcome != Outcome::Succeeded.as_str() {
            entry.name = HIDDEN.to_string();
        }
        if row.try_get::<bool, _>("internal")? {
            entry.error = format!("internal error ({HIDDEN}; trace id {})", entry.trace_id);
        }
    }
    Ok(entry)
}

fn plain_entry(row: &sqlx::sqlite::SqliteRow) -> Result<AuditEntry> {
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
pub(crate) async fn query(
    db: &SqlitePool,
    q: &AuditQuery,
    readers: Readers,
) -> Result<Page<AuditEntry>> {
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
    let given = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .is_some_and(|v| !v.is_empty())
    };
    let hides_names = readers == Readers::Everyone && (given(&q.name) || given(&q.user));
    for builder in [&mut total, &mut page] {
        for (column, value) in filters {
            if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                builder
                    .push(format!(" AND {column} = "))
                    .push_bind(value.to_string());
            }
        }
        // Failed sign-ins: their target name is whatever was typed as the user name.
        if hides_names {
            builder
                .push(" AND NOT (action = ")
                .push_bind(Action::SignIn.name())
                .push(" AND outcome <> ")
                .push_bind(Outcome::Succeeded.as_str())
                .push(")");
        }
    }
    if let Some(before) = q.before {
        page.push(" AND id < ").push_bind(before);
    }
    page.push(" ORDER BY id DESC LIMIT ")
        .push_bind(i64::from(limit) + 1);
    let total: i64 = total.build_query_scalar().fetch_one(db).await?;
    let rows = page.build().fetch_all(db).await?;
    let mut items = rows
        .iter()
        .map(|row| entry(row, readers))
        .collect::<Result<Vec<_>>>()?;
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
