//! The `operations` table: one row per tracked operation, its transitions as JSON, and an
//! `active_key` that lets the database itself refuse a second running operation on the
//! same VM.

use bosun_model::{
    Action, KindId, ObjectRef, OperationItem, OperationOptions, OperationState, OperationView,
    Transition,
};
use sqlx::Row;

use crate::auth::{AuthMethod, Caller};
use crate::request::Invocation;
use crate::{Error, Result};

/// An operation as stored, with what the runner needs beyond the public view.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub view: OperationView,
    pub invocation: Invocation,
    pub old_instance: String,
    pub stop_deadline: Option<String>,
    pub start_deadline: Option<String>,
}

pub(crate) fn active_key(target: &ObjectRef) -> String {
    format!("{}/{}/{}", target.cluster, target.namespace, target.name)
}

fn action_of(name: &str) -> Result<Action> {
    Action::ALL
        .into_iter()
        .find(|a| a.name() == name)
        .ok_or_else(|| Error::Internal(format!("stored operation has unknown action {name:?}")))
}

fn source_of(name: &str) -> bosun_model::Source {
    match name {
        "api" => bosun_model::Source::Api,
        "cli" => bosun_model::Source::Cli,
        _ => bosun_model::Source::Ui,
    }
}

const COLUMNS: &str = "id, action, cluster, namespace, kind, name, user_id, username, role, source, trace_id, \
    state, options, fallback, message, old_instance, stop_deadline, start_deadline, transitions, \
    created_at, updated_at, finished_at, items";

fn stored(row: &sqlx::sqlite::SqliteRow) -> Result<Stored> {
    let kind: String = row.try_get("kind")?;
    let kind: KindId = kind
        .parse()
        .map_err(|e: bosun_model::kinds::UnknownKind| Error::Internal(e.to_string()))?;
    let target = ObjectRef::new(
        &row.try_get::<String, _>("cluster")?,
        &row.try_get::<String, _>("namespace")?,
        kind,
        &row.try_get::<String, _>("name")?,
    );
    let state: String = row.try_get("state")?;
    let state = OperationState::parse(&state)
        .ok_or_else(|| Error::Internal(format!("stored operation has unknown state {state:?}")))?;
    let options: String = row.try_get("options")?;
    let transitions: String = row.try_get("transitions")?;
    let items: String = row.try_get("items")?;
    let username: String = row.try_get("username")?;
    let role: String = row.try_get("role")?;
    let source: String = row.try_get("source")?;
    let user_id: Option<i64> = row.try_get("user_id")?;
    let caller = Caller {
        user_id: user_id.unwrap_or_default(),
        username: username.clone(),
        role: role.parse().map_err(|e| Error::Internal(format!("{e}")))?,
        via: AuthMethod::Session,
        must_change_password: false,
    };
    let finished_at: Option<String> = row.try_get("finished_at")?;
    Ok(Stored {
        view: OperationView {
            id: row.try_get("id")?,
            action: action_of(&row.try_get::<String, _>("action")?)?,
            target,
            user: username,
            finished: finished_at.is_some(),
            state,
            options: serde_json::from_str(&options)
                .map_err(|e| Error::Internal(format!("stored operation options: {e}")))?,
            fallback: row.try_get("fallback")?,
            message: row.try_get("message")?,
            created: row.try_get("created_at")?,
            updated: row.try_get("updated_at")?,
            finished_at,
            transitions: serde_json::from_str(&transitions)
                .map_err(|e| Error::Internal(format!("stored operation transitions: {e}")))?,
            items: serde_json::from_str(&items)
                .map_err(|e| Error::Internal(format!("stored operation items: {e}")))?,
        },
        invocation: Invocation {
            caller: Some(caller),
            source: source_of(&source),
            trace_id: row.try_get("trace_id")?,
        },
        old_instance: row.try_get("old_instance")?,
        stop_deadline: row.try_get("stop_deadline")?,
        start_deadline: row.try_get("start_deadline")?,
    })
}

/// What a new operation is: its id, action, target and options, the state it starts in.
pub(crate) struct NewOperation<'a> {
    pub id: &'a str,
    pub action: Action,
    pub target: &'a ObjectRef,
    pub options: OperationOptions,
    pub state: OperationState,
    /// What it works through (a drain's pods), from the start.
    pub items: &'a [OperationItem],
    /// RFC 3339; a drain's deadline.
    pub start_deadline: Option<&'a str>,
}

/// Inserts a new operation. `Ok(None)` when another operation already runs on the same
/// object (the database's unique key refused it).
pub(crate) async fn insert(
    db: &sqlx::SqlitePool,
    new: &NewOperation<'_>,
    invocation: &Invocation,
    message: &str,
) -> Result<Option<()>> {
    let NewOperation {
        id,
        action,
        target,
        options,
        state,
        items,
        start_deadline,
    } = *new;
    let now = crate::db::now_rfc3339();
    let transitions = vec![Transition {
        state,
        at: now.clone(),
        message: message.to_string(),
    }];
    let caller = invocation.caller.as_ref();
    let inserted = sqlx::query(
        "INSERT INTO operations (id, action, cluster, namespace, kind, name, user_id, username, role, source, trace_id, \
         state, options, message, transitions, items, start_deadline, created_at, updated_at, active_key) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(action.name())
    .bind(&target.cluster)
    .bind(&target.namespace)
    .bind(target.kind.route())
    .bind(&target.name)
    .bind(caller.map(|c| c.user_id))
    .bind(invocation.actor())
    .bind(caller.map_or("viewer", |c| c.role.as_str()))
    .bind(invocation.source.as_str())
    .bind(&invocation.trace_id)
    .bind(state.as_str())
    .bind(serde_json::to_string(&options).unwrap_or_default())
    .bind(message)
    .bind(serde_json::to_string(&transitions).unwrap_or_default())
    .bind(serde_json::to_string(items).unwrap_or_default())
    .bind(start_deadline)
    .bind(&now)
    .bind(&now)
    .bind(active_key(target))
    .execute(db)
    .await;
    match inserted {
        Ok(_) => Ok(Some(())),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The running operation on a VM, if any.
pub(crate) async fn running_on(
    db: &sqlx::SqlitePool,
    target: &ObjectRef,
) -> Result<Option<Stored>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM operations WHERE active_key = ?"
    ))
    .bind(active_key(target))
    .fetch_optional(db)
    .await?;
    row.as_ref().map(stored).transpose()
}

pub(crate) async fn load(db: &sqlx::SqlitePool, id: &str) -> Result<Option<Stored>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM operations WHERE id = ?"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(stored).transpose()
}

/// The operations on one object, newest first.
pub(crate) async fn of_object(
    db: &sqlx::SqlitePool,
    target: &ObjectRef,
    limit: i64,
) -> Result<Vec<Stored>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM operations WHERE cluster = ? AND namespace = ? AND kind = ? AND name = ? \
         ORDER BY created_at DESC, rowid DESC LIMIT ?"
    ))
    .bind(&target.cluster)
    .bind(&target.namespace)
    .bind(target.kind.route())
    .bind(&target.name)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter().map(stored).collect()
}

/// The operations a previous run left unfinished. A row that cannot be read (written by
/// a newer version, or damaged) is closed as interrupted with the reason and logged, so
/// one bad row neither stops start-up nor blocks its VM.
pub(crate) async fn unfinished(db: &sqlx::SqlitePool) -> Result<Vec<Stored>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM operations WHERE finished_at IS NULL ORDER BY created_at"
    ))
    .fetch_all(db)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        match stored(row) {
            Ok(op) => out.push(op),
            Err(e) => {
                let id: String = row.try_get("id")?;
                tracing::error!(operation = %id, "an unfinished operation cannot be read; closing it as interrupted: {e}");
                close_unreadable(db, &id, &e.public_message()).await?;
            }
        }
    }
    Ok(out)
}

async fn close_unreadable(db: &sqlx::SqlitePool, id: &str, why: &str) -> Result<()> {
    let now = crate::db::now_rfc3339();
    sqlx::query(
        "UPDATE operations SET state = ?, message = ?, updated_at = ?, finished_at = ?, active_key = NULL          WHERE id = ? AND finished_at IS NULL",
    )
    .bind(OperationState::Interrupted.as_str())
    .bind(format!("the console could not read this operation after a restart: {why}"))
    .bind(&now)
    .bind(&now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Writes the operation's current state, deadlines, fallback and transitions; a finished
/// operation frees its VM for the next one. `false` when the row was already finished
/// (closed by a forced action that took over): a closed record is never reopened.
pub(crate) async fn save(db: &sqlx::SqlitePool, op: &Stored) -> Result<bool> {
    let v = &op.view;
    let saved = sqlx::query(
        "UPDATE operations SET state = ?, message = ?, fallback = ?, old_instance = ?, stop_deadline = ?, \
         start_deadline = ?, transitions = ?, items = ?, updated_at = ?, finished_at = ?, \
         active_key = CASE WHEN ? THEN NULL ELSE active_key END WHERE id = ? AND finished_at IS NULL",
    )
    .bind(v.state.as_str())
    .bind(&v.message)
    .bind(&v.fallback)
    .bind(&op.old_instance)
    .bind(&op.stop_deadline)
    .bind(&op.start_deadline)
    .bind(serde_json::to_string(&v.transitions).unwrap_or_default())
    .bind(serde_json::to_string(&v.items).unwrap_or_default())
    .bind(&v.updated)
    .bind(&v.finished_at)
    .bind(v.finished)
    .bind(&v.id)
    .execute(db)
    .await?;
    Ok(saved.rows_affected() > 0)
}
