//! Apply tasks: a template rendered with values and applied to one or more clusters and
//! namespaces. A task is a row first (pending), then runs on its own so a closed tab does
//! not stop it; each target's documents go through the one apply path (each one an audited
//! `object.apply`), and the row records every result as it comes in. History is kept and
//! searchable; a task can be re-run, and what it created can be deleted again.

mod store;

use std::collections::BTreeMap;
use std::time::Duration;

use bosun_model::{
    Action, ApplyOptions, ApplyOutcome, CleanupResult, ObjectRef, Page, TargetResult, Task,
    TaskQuery, TaskRequest, TaskRow, TaskState, TaskTarget,
};
use serde_json::json;

use crate::actions::{perform, read};
use crate::apply::documents;
use crate::authz::Target;
use crate::backend::Operation;
use crate::db::now_rfc3339;
use crate::request::Invocation;
use crate::{Context, Error, Result};

pub use store::MAX_PAGE;

/// Most targets one task applies to.
pub const MAX_TARGETS: usize = 50;

/// How long starting a task waits for it to finish before answering "running".
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

fn not_found(id: i64) -> Error {
    Error::NotFound(format!("no task with id {id}"))
}

fn task_target(id: i64) -> Target {
    Target::stored("task", &id.to_string())
}

/// A page of the task history, newest first.
pub async fn list(ctx: &Context, inv: &Invocation, query: &TaskQuery) -> Result<Page<TaskRow>> {
    read(
        ctx,
        inv,
        Target::stored("task", ""),
        store::search(ctx, query),
    )
    .await
}

/// One task with its rendered YAML and every result.
pub async fn get(ctx: &Context, inv: &Invocation, id: i64) -> Result<Task> {
    read(ctx, inv, task_target(id), async {
        store::load(ctx, id).await?.ok_or_else(|| not_found(id))
    })
    .await
}

/// Distinct, valid targets in the order given.
fn checked_targets(targets: &[TaskTarget]) -> Result<Vec<TaskTarget>> {
    if targets.is_empty() {
        return Err(Error::BadRequest(
            "a task needs at least one target: {\"cluster\", \"namespace\"}".into(),
        ));
    }
    if targets.len() > MAX_TARGETS {
        return Err(Error::BadRequest(format!(
            "too many targets: at most {MAX_TARGETS} per task (got {})",
            targets.len()
        )));
    }
    let mut seen = Vec::new();
    for target in targets {
        crate::clusters::validate_cluster_name(&target.cluster)?;
        if !target.namespace.is_empty() {
            crate::clusters::validate_namespace(&target.namespace)?;
        }
        if !seen.contains(target) {
            seen.push(target.clone());
        }
    }
    Ok(seen)
}

/// Renders the template and starts the task (operators and up; audited as `task.run`,
/// and each document as `object.apply`). Answers when the task has finished, or after
/// ten seconds with it still running.
pub async fn run(ctx: &Context, inv: &Invocation, request: &TaskRequest) -> Result<Task> {
    // Detached: once the row is written, the task must start even if the caller leaves.
    let (ctx, inv, request) = (ctx.clone(), inv.clone(), request.clone());
    crate::actions::detached(async move { run_now(&ctx, &inv, &request).await }).await
}

async fn run_now(ctx: &Context, inv: &Invocation, request: &TaskRequest) -> Result<Task> {
    // Value names only: a value may be something its giver would not want in the log.
    let params = json!({
        "template_id": request.template_id,
        "targets": request.targets,
        "values": request.values.keys().collect::<Vec<_>>(),
        "dry_run": request.dry_run,
    });
    let target = Target::stored("template", &request.template_id.to_string());
    let task = perform(
        ctx,
        inv,
        Action::TaskRun,
        &target,
        params,
        |caller| async move {
            let template = crate::templates::load(ctx, request.template_id).await?;
            let targets = checked_targets(&request.targets)?;
            let rendered = crate::templates::render(&template, &request.values)?;
            let task = pending(
                inv,
                Some(template.id),
                template.name,
                request.values.clone(),
                targets,
                request.dry_run,
                rendered,
                None,
            );
            store::insert(ctx, &task, caller.map(|c| c.user_id)).await
        },
    )
    .await?;
    start(ctx, inv, task).await
}

/// Runs a task again exactly as it ran: the same rendered YAML, values and targets
/// (operators and up; audited as `task.run`).
pub async fn rerun(ctx: &Context, inv: &Invocation, id: i64) -> Result<Task> {
    let (ctx, inv) = (ctx.clone(), inv.clone());
    crate::actions::detached(async move { rerun_now(&ctx, &inv, id).await }).await
}

async fn rerun_now(ctx: &Context, inv: &Invocation, id: i64) -> Result<Task> {
    let params = json!({ "rerun_of": id });
    let task = perform(
        ctx,
        inv,
        Action::TaskRun,
        &task_target(id),
        params,
        |caller| async move {
            let old = store::load(ctx, id).await?.ok_or_else(|| not_found(id))?;
            let template_id = match old.template_id {
                Some(t) if crate::templates::load(ctx, t).await.is_ok() => Some(t),
                _ => None,
            };
            let task = pending(
                inv,
                template_id,
                old.template_name,
                old.values,
                old.targets,
                old.dry_run,
                old.rendered,
                Some(id),
            );
            store::insert(ctx, &task, caller.map(|c| c.user_id)).await
        },
    )
    .await?;
    start(ctx, inv, task).await
}

#[allow(clippy::too_many_arguments)]
fn pending(
    inv: &Invocation,
    template_id: Option<i64>,
    template_name: String,
    values: BTreeMap<String, String>,
    targets: Vec<TaskTarget>,
    dry_run: bool,
    rendered: String,
    rerun_of: Option<i64>,
) -> Task {
    Task {
        id: 0,
        template_id,
        template_name,
        values,
        targets,
        dry_run,
        rendered,
        state: TaskState::Pending,
        results: Vec::new(),
        message: String::new(),
        rerun_of,
        created_by: inv.actor().to_string(),
        created_at: now_rfc3339(),
        finished_at: None,
        cleanup: Vec::new(),
    }
}

async fn start(ctx: &Context, inv: &Invocation, task: Task) -> Result<Task> {
    let id = task.id;
    let guard_ctx = ctx.clone();
    let inner = tokio::spawn(execute(ctx.clone(), inv.clone(), task));
    // A task that dies (a panic) is closed as failed rather than left running.
    let work = tokio::spawn(async move {
        if inner.await.is_err() {
            let _ = store::fail_unfinished(
                &guard_ctx,
                id,
                "the task stopped unexpectedly; the results show what it finished",
            )
            .await;
        }
    });
    // The task goes on after this answer when it takes longer.
    let _ = tokio::time::timeout(ANSWER_WITHIN, work).await;
    store::load(ctx, id).await?.ok_or_else(|| not_found(id))
}

/// Applies the rendered YAML to each target in turn, recording each target's results.
async fn execute(ctx: Context, inv: Invocation, task: Task) {
    let mut results: Vec<TargetResult> = Vec::new();
    let total = task.targets.len();
    let record = |results: &[TargetResult], state: TaskState, message: String| {
        let ctx = ctx.clone();
        let results = results.to_vec();
        async move {
            if let Err(e) = store::progress(&ctx, task.id, state, &results, &message).await {
                tracing::warn!("task {}: cannot record its progress: {e}", task.id);
            }
        }
    };
    record(
        &results,
        TaskState::Running,
        format!("0 of {total} targets done"),
    )
    .await;
    for target in &task.targets {
        let options = ApplyOptions {
            dry_run: task.dry_run,
            force: false,
            namespace: Some(target.namespace.clone()).filter(|n| !n.is_empty()),
            ..ApplyOptions::default()
        };
        // An unknown cluster is one error for the target, not one per document.
        let outcome = match crate::clusters::ensure_connected(&ctx, &target.cluster) {
            Ok(()) => {
                crate::apply::apply(&ctx, &inv, &target.cluster, &task.rendered, &options, None)
                    .await
            }
            Err(e) => Err(e),
        };
        results.push(match outcome {
            Ok(report) => TargetResult {
                cluster: target.cluster.clone(),
                namespace: target.namespace.clone(),
                error: String::new(),
                results: report.results,
            },
            Err(e) => TargetResult {
                cluster: target.cluster.clone(),
                namespace: target.namespace.clone(),
                error: e.public_message(),
                results: Vec::new(),
            },
        });
        let done = results.len();
        record(
            &results,
            TaskState::Running,
            format!("{done} of {total} targets done"),
        )
        .await;
    }
    let (state, message) = summary(&results, task.dry_run);
    record(&results, state, message).await;
}

/// The end state and its sentence, from the documents that landed and failed.
fn summary(results: &[TargetResult], dry_run: bool) -> (TaskState, String) {
    let documents: Vec<_> = results.iter().flat_map(|t| &t.results).collect();
    let landed = documents.iter().filter(|r| r.outcome.succeeded()).count();
    let failed = documents.len() - landed + results.iter().filter(|t| !t.error.is_empty()).count();
    let state = TaskState::from_counts(landed, failed);
    let failed_targets = results.iter().filter(|t| !t.succeeded()).count();
    let verb = if dry_run {
        "passed the dry run"
    } else {
        "applied"
    };
    let message = match state {
        TaskState::Succeeded => {
            format!("{landed} document(s) {verb} on {} target(s)", results.len())
        }
        _ => format!(
            "{landed} document(s) {verb}, {failed} failed; {failed_targets} of {} target(s) not fully done",
            results.len()
        ),
    };
    (state, message)
}

/// The objects a task created (not those it only configured), last document first so
/// that what depends on another object goes before it.
fn created_objects(task: &Task) -> Vec<ObjectRef> {
    let docs = documents::split(&task.rendered);
    let mut objects = Vec::new();
    for target in &task.results {
        let explicit = !target.namespace.is_empty();
        let namespace = if explicit {
            target.namespace.as_str()
        } else {
            "default"
        };
        for result in target.results.iter().rev() {
            if result.outcome != ApplyOutcome::Created {
                continue;
            }
            let identity = docs
                .iter()
                .find(|d| d.index == result.document)
                .and_then(|d| d.parsed.as_ref().ok())
                .and_then(|v| documents::identity(v, namespace, explicit).ok());
            // Custom resources a task made are not deleted by the cleanup yet: deletes go
            // through Bosun's kind table.
            if let Some(id) = identity
                && let documents::DocKind::Known(kind) = id.kind
            {
                objects.push(ObjectRef::new(
                    &target.cluster,
                    &id.namespace,
                    kind,
                    &id.name,
                ));
            }
        }
    }
    objects
}

/// Deletes what a finished task created, each deletion an audited `workload.delete`
/// (operators and up; the request itself audited as `task.delete_created`). Objects the
/// task only configured existed before it and are left alone.
pub async fn cleanup(ctx: &Context, inv: &Invocation, id: i64) -> Result<Task> {
    let params = json!({ "id": id });
    perform(ctx, inv, Action::TaskCleanup, &task_target(id), params, |_| async {
        let task = store::load(ctx, id).await?.ok_or_else(|| not_found(id))?;
        if !task.state.finished() {
            return Err(Error::Conflict(format!(
                "task {id} is still {}: wait for it to finish",
                task.state.name()
            )));
        }
        if task.dry_run {
            return Err(Error::BadRequest(format!(
                "task {id} was a dry run: it created nothing"
            )));
        }
        if !task.cleanup.is_empty() {
            return Err(Error::Conflict(format!(
                "what task {id} created was deleted already (see its clean-up results)"
            )));
        }
        let created = created_objects(&task);
        if created.is_empty() {
            return Err(Error::BadRequest(format!(
                "task {id} created nothing: the objects it configured existed before it and are left alone"
            )));
        }
        // One clean-up per task, even when two people ask at once.
        if !store::claim_cleanup(ctx, id).await? {
            return Err(Error::Conflict(format!(
                "what task {id} created is being deleted or was deleted already"
            )));
        }
        let mut cleanup = Vec::new();
        for object in created {
            let answer = crate::workloads::act(ctx, inv, Operation::Delete {
                target: object.clone(),
            })
            .await;
            cleanup.push(CleanupResult {
                cluster: object.cluster.clone(),
                namespace: object.namespace.clone(),
                kind: object.kind.info().kind.to_string(),
                name: object.name.clone(),
                deleted: answer.is_ok(),
                message: match answer {
                    Ok(reply) => reply.message,
                    Err(e) if e.code() == bosun_model::ErrorCode::NotFound => "gone already".to_string(),
                    Err(e) => e.public_message(),
                },
            });
        }
        store::set_cleanup(ctx, id, &cleanup).await?;
        store::load(ctx, id).await?.ok_or_else(|| not_found(id))
    })
    .await
}

/// Closes the tasks a previous run left unfinished (start-up): a task is not resumed,
/// because applying again what a person asked for hours ago is their call (re-run).
pub async fn close_unfinished(ctx: &Context) -> Result<usize> {
    store::close_unfinished(ctx).await
}
