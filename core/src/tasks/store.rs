//! The tasks table: one row per task, its per-target results written as they come in so a
//! reader sees progress and a restart loses nothing that was done.

use bosun_model::{CleanupResult, Page, TargetResult, Task, TaskQuery, TaskRow, TaskState};
use sqlx::Row;

use crate::db::now_rfc3339;
use crate::{Context, Error, Result};

/// Most rows per page of the history.
pub const MAX_PAGE: usize = 200;
const DEFAULT_PAGE: usize = 50;

fn json_column<T: serde::de::DeserializeOwned>(
    row: &sqlx::sqlite::SqliteRow,
    column: &str,
) -> Result<T> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text)
        .map_err(|e| Error::Internal(format!("task column {column} does not read back: {e}")))
}

fn task_of(row: &sqlx::sqlite::SqliteRow) -> Result<Task> {
    let state: String = row.try_get("state")?;
    Ok(Task {
        id: row.try_get("id")?,
        template_id: row.try_get("template_id")?,
        template_name: row.try_get("template_name")?,
        values: json_column(row, "values")?,
        targets: json_column(row, "targets")?,
        dry_run: row.try_get("dry_run")?,
        rendered: row.try_get("rendered")?,
        state: state.parse().map_err(Error::Internal)?,
        results: json_column(row, "results")?,
        message: row.try_get("message")?,
        rerun_of: row.try_get("rerun_of")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        finished_at: row.try_get("finished_at")?,
        cleanup: json_column(row, "cleanup")?,
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(format!("cannot store a task: {e}")))
}

/// Writes a new pending task and answers it with its id.
pub async fn insert(ctx: &Context, task: &Task, user_id: Option<i64>) -> Result<Task> {
    let id: i64 = sqlx::query_scalar(
        r#"INSERT INTO tasks (template_id, template_name, "values", targets, dry_run, rendered, state,
                              message, rerun_of, user_id, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"#,
    )
    .bind(task.template_id)
    .bind(&task.template_name)
    .bind(to_json(&task.values)?)
    .bind(to_json(&task.targets)?)
    .bind(task.dry_run)
    .bind(&task.rendered)
    .bind(task.state.name())
    .bind(&task.message)
    .bind(task.rerun_of)
    .bind(user_id)
    .bind(&task.created_by)
    .bind(&task.created_at)
    .fetch_one(&ctx.db)
    .await?;
    Ok(Task { id, ..task.clone() })
}

pub async fn load(ctx: &Context, id: i64) -> Result<Option<Task>> {
    sqlx::query("SELECT * FROM tasks WHERE id = ?")
        .bind(id)
        .fetch_optional(&ctx.db)
        .await?
        .as_ref()
        .map(task_of)
        .transpose()
}

/// Records progress: the state and the results so far.
pub async fn progress(
    ctx: &Context,
    id: i64,
    state: TaskState,
    results: &[TargetResult],
    message: &str,
) -> Result<()> {
    let finished = state.finished().then(now_rfc3339);
    sqlx::query(
        "UPDATE tasks SET state = ?, results = ?, message = ?, finished_at = ? WHERE id = ?",
    )
    .bind(state.name())
    .bind(to_json(&results)?)
    .bind(message)
    .bind(finished)
    .bind(id)
    .execute(&ctx.db)
    .await?;
    Ok(())
}

/// Claims a task's clean-up for this caller: false when another has it (or had it).
pub async fn claim_cleanup(ctx: &Context, id: i64) -> Result<bool> {
    let marker = [CleanupResult {
        cluster: String::new(),
        namespace: String::new(),
        kind: String::new(),
        name: String::new(),
        deleted: false,
        message: "deleting what the task created…".into(),
    }];
    let claimed = sqlx::query("UPDATE tasks SET cleanup = ? WHERE id = ? AND cleanup = '[]'")
        .bind(to_json(&marker)?)
        .bind(id)
        .execute(&ctx.db)
        .await?;
    Ok(claimed.rows_affected() == 1)
}

pub async fn set_cleanup(ctx: &Context, id: i64, cleanup: &[CleanupResult]) -> Result<()> {
    sqlx::query("UPDATE tasks SET cleanup = ? WHERE id = ?")
        .bind(to_json(&cleanup)?)
        .bind(id)
        .execute(&ctx.db)
        .await?;
    Ok(())
}

/// Closes one task as failed unless it has finished, keeping its results.
pub async fn fail_unfinished(ctx: &Context, id: i64, message: &str) -> Result<()> {
    sqlx::query(
        "UPDATE tasks SET state = ?, message = ?, finished_at = ? WHERE id = ? AND finished_at IS NULL",
    )
    .bind(TaskState::Failed.name())
    .bind(message)
    .bind(now_rfc3339())
    .bind(id)
    .execute(&ctx.db)
    .await?;
    Ok(())
}

/// Tasks a previous run of the console left unfinished, closed as failed with what they
/// had done.
pub async fn close_unfinished(ctx: &Context) -> Result<usize> {
    let done = sqlx::query(
        "UPDATE tasks SET state = ?, finished_at = ?,
                message = 'the console stopped while this task ran: the results show the targets it finished; re-run it for the rest'
         WHERE finished_at IS NULL",
    )
    .bind(TaskState::Failed.name())
    .bind(now_rfc3339())
    .execute(&ctx.db)
    .await?;
    Ok(usize::try_from(done.rows_affected()).unwrap_or(usize::MAX))
}

/// `%` and `_` match themselves in a search.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A page of the history, newest first.
pub async fn search(ctx: &Context, query: &TaskQuery) -> Result<Page<TaskRow>> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let offset: usize = match query.continue_token.as_deref() {
        None | Some("") => 0,
        Some(token) => token.parse().map_err(|_| {
            Error::BadRequest(format!(
                "continue token {token:?} is not one this list gave"
            ))
        })?,
    };
    let text = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(like_pattern);
    let filter = r#"(?1 IS NULL OR template_name LIKE ?1 ESCAPE '\' OR created_by LIKE ?1 ESCAPE '\'
                     OR targets LIKE ?1 ESCAPE '\' OR "values" LIKE ?1 ESCAPE '\' OR message LIKE ?1 ESCAPE '\')
                    AND (?2 IS NULL OR state = ?2)
                    AND (?3 IS NULL OR template_id = ?3)"#;
    let state = query.state.map(TaskState::name);
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM tasks WHERE {filter}"))
        .bind(&text)
        .bind(state)
        .bind(query.template_id)
        .fetch_one(&ctx.db)
        .await?;
    let rows = sqlx::query(&format!(
        "SELECT * FROM tasks WHERE {filter} ORDER BY id DESC LIMIT ?4 OFFSET ?5"
    ))
    .bind(&text)
    .bind(state)
    .bind(query.template_id)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .bind(i64::try_from(offset).unwrap_or(i64::MAX))
    .fetch_all(&ctx.db)
    .await?;
    let items = rows
        .iter()
        .map(|r| task_of(r).map(|t| t.row()))
        .collect::<Result<Vec<_>>>()?;
    let total = usize::try_from(total).unwrap_or(0);
    let next = offset + items.len();
    Ok(Page {
        continue_token: (next < total).then(|| next.to_string()),
        total,
        items,
        warnings: Vec::new(),
    })
}
