//! The audit log: one call records who did what to what, and how it ended. Every mutating
//! action in Bosun goes through [`record`], whether it succeeded or not.

use bosun_model::AuditEntry;
use sqlx::{Row, SqlitePool};

use crate::Result;
use crate::db::now_rfc3339;

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// One action to write to the log.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    /// User name, or `anonymous`.
    pub actor: &'a str,
    /// A stable dotted verb: `user.create`, `session.login`, `deployment.restart`.
    pub action: &'a str,
    /// What was acted on: `user/alice`, `cluster/demo/ns/shop/deployment/web`.
    pub target: &'a str,
    pub outcome: Outcome,
    /// Free text for a person: the new role, the error message.
    pub detail: &'a str,
    /// The request's trace id, so a log line and an audit row can be matched.
    pub trace_id: &'a str,
}

/// Appends one record. Handlers use [`record_result`], which logs a failed write loudly
/// instead of failing an action that has already happened.
pub async fn record(db: &SqlitePool, rec: Record<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, outcome, detail, trace_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(now_rfc3339())
    .bind(rec.actor)
    .bind(rec.action)
    .bind(rec.target)
    .bind(rec.outcome.as_str())
    .bind(rec.detail)
    .bind(rec.trace_id)
    .execute(db)
    .await?;
    tracing::info!(
        actor = rec.actor,
        action = rec.action,
        target = rec.target,
        outcome = rec.outcome.as_str(),
        trace_id = rec.trace_id,
        "audit"
    );
    Ok(())
}

/// The newest `limit` records, newest first.
pub async fn recent(db: &SqlitePool, limit: u32) -> Result<Vec<AuditEntry>> {
    let rows = sqlx::query(
        "SELECT id, at, actor, action, target, outcome, detail, trace_id FROM audit_log ORDER BY id DESC LIMIT ?",
    )
    .bind(i64::from(limit.clamp(1, 1000)))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(AuditEntry {
                id: row.try_get("id")?,
                at: row.try_get("at")?,
                actor: row.try_get("actor")?,
                action: row.try_get("action")?,
                target: row.try_get("target")?,
                outcome: row.try_get("outcome")?,
                detail: row.try_get("detail")?,
                trace_id: row.try_get("trace_id")?,
            })
        })
        .collect()
}

/// Records how an action ended, deriving the outcome from its result (a 403 is `denied`,
/// any other error `failure`). This is the call handlers make; a failure to write the
/// log is logged loudly but does not undo an action that already happened.
pub async fn record_result(
    db: &SqlitePool,
    actor: &str,
    action: &str,
    target: &str,
    trace_id: &str,
    result: std::result::Result<(), &crate::Error>,
) {
    let (outcome, detail) = match result {
        Ok(()) => (Outcome::Success, String::new()),
        Err(e) if e.code() == bosun_model::ErrorCode::Forbidden => (Outcome::Denied, e.to_string()),
        Err(e) => (Outcome::Failure, e.to_string()),
    };
    let rec = Record {
        actor,
        action,
        target,
        outcome,
        detail: &detail,
        trace_id,
    };
    if let Err(e) = record(db, rec).await {
        tracing::error!(trace_id, action, target, "audit write failed: {e}");
    }
}
