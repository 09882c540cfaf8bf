//! Tracked operations: VM lifecycle actions and node drains, which run on after their
//! request. Each one is a row (state, deadlines, every transition, a drain's pods) and,
//! while it runs, a task following it through the watch caches. A console restart resumes
//! unfinished rows or closes them as interrupted; nothing is forgotten.

mod drain;
mod runner;
mod store;

use std::collections::HashMap;
use std::sync::Mutex;

use bosun_model::{Action, KindId, ObjectRef, OperationState, OperationView};
use futures::Stream;
use tokio::task::JoinHandle;

use crate::actions::read;
use crate::authz::Target;
use crate::request::Invocation;
use crate::{Context, Error, Result};

pub(crate) use drain::{DrainPlan, start as start_drain};
pub(crate) use runner::{Plan, check_room, start};

/// The running operations of this process and a signal that any operation changed, so
/// followers wake on changes instead of polling the database.
pub struct Hub {
    changed: tokio::sync::watch::Sender<u64>,
    running: Mutex<HashMap<String, JoinHandle<()>>>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            changed: tokio::sync::watch::channel(0).0,
            running: Mutex::default(),
        }
    }
}

impl Hub {
    fn notify(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    fn track(&self, id: &str, task: JoinHandle<()>) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|_, t| !t.is_finished());
        running.insert(id.to_string(), task);
    }

    /// Stops following an operation (a forced action took over).
    fn stop(&self, id: &str) {
        if let Some(task) = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)
        {
            task.abort();
        }
    }

    /// Stops every runner (server shutdown): their rows stay unfinished and are resumed
    /// by the next start.
    pub fn shutdown(&self) {
        for (_, task) in self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
        {
            task.abort();
        }
    }
}

fn not_found(id: &str) -> Error {
    Error::NotFound(format!("no operation {id:?}"))
}

/// One operation, for anyone who may read its VM.
pub async fn get(ctx: &Context, inv: &Invocation, id: &str) -> Result<OperationView> {
    let stored = store::load(&ctx.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let target = Target::object(&stored.view.target);
    read(ctx, inv, target, async { Ok(stored.view) }).await
}

/// How long one request follows an operation at most.
const FOLLOW_AT_MOST: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// The operation now, then each time it changes, until it has finished.
pub async fn follow(
    ctx: &Context,
    inv: &Invocation,
    id: &str,
) -> Result<impl Stream<Item = Result<OperationView>> + Send + 'static> {
    // Subscribed before the first read, so a change in between is not taken as seen.
    let changes = ctx.operations.subscribe();
    let first = get(ctx, inv, id).await?;
    let db = ctx.db.clone();
    let id = id.to_string();
    let give_up = tokio::time::Instant::now() + FOLLOW_AT_MOST;
    Ok(futures::stream::unfold(
        (changes, Some(first), None::<OperationView>),
        move |(mut changes, pending, last)| {
            let db = db.clone();
            let id = id.clone();
            async move {
                if let Some(first) = pending {
                    return Some((Ok(first.clone()), (changes, None, Some(first))));
                }
                if last.as_ref().is_some_and(|l| l.finished) {
                    return None;
                }
                loop {
                    // A periodic look as well: another server on the same database may
                    // run the operation.
                    let woke =
                        tokio::time::timeout(std::time::Duration::from_secs(2), changes.changed());
                    if tokio::time::Instant::now() >= give_up {
                        return None;
                    }
                    let _ = woke.await;
                    match store::load(&db, &id).await {
                        Ok(Some(now)) if last.as_ref() == Some(&now.view) => {}
                        Ok(Some(now)) => {
                            let view = now.view;
                            return Some((Ok(view.clone()), (changes, None, Some(view))));
                        }
                        Ok(None) => return Some((Err(not_found(&id)), (changes, None, last))),
                        Err(e) => return Some((Err(e), (changes, None, last))),
                    }
                }
            }
        },
    ))
}

/// The operations on one VM, newest first: its restart history.
pub async fn of_object(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
    limit: i64,
) -> Result<Vec<OperationView>> {
    read(ctx, inv, Target::object(object), async {
        Ok(store::of_object(&ctx.db, object, limit.clamp(1, 500))
            .await?
            .into_iter()
            .map(|s| s.view)
            .collect())
    })
    .await
}

/// The latest operation on an object, if any (for Quick actions cards), unauthorized:
/// the caller checked that the object may be read.
pub(crate) async fn latest(ctx: &Context, object: &ObjectRef) -> Result<Option<OperationView>> {
    Ok(store::of_object(&ctx.db, object, 1)
        .await?
        .into_iter()
        .next()
        .map(|s| s.view))
}

/// Picks up, at start-up, the operations a previous run of the console left unfinished:
/// each is followed on from where it was (deadlines that passed meanwhile take effect at
/// once), or, when it cannot be followed, closed as interrupted with the reason.
pub async fn resume_unfinished(ctx: &Context) -> Result<usize> {
    let unfinished = store::unfinished(&ctx.db).await?;
    let count = unfinished.len();
    for stored in unfinished {
        tracing::info!(
            operation = %stored.view.id,
            state = %stored.view.state,
            target = %stored.view.target.describe(),
            "resuming an operation left unfinished by the previous run"
        );
        if stored.view.action == Action::NodeDrain {
            drain::resume(ctx, stored).await;
        } else {
            runner::resume(ctx, stored).await;
        }
    }
    Ok(count)
}

/// Whether a kind has tracked operations.
#[must_use]
pub fn tracked(kind: KindId) -> bool {
    matches!(kind, KindId::VirtualMachine | KindId::Node)
}

/// Cancels a running drain at a person's request (an operator who may act on its node):
/// its work stops, the evictions already sent stay, and the end is audited.
///
/// # Errors
/// `NotFound` for an unknown id, `BadRequest` for an operation that cannot be cancelled,
/// `Conflict` when it has already ended.
pub async fn cancel(ctx: &Context, inv: &Invocation, id: &str) -> Result<OperationView> {
    // Who may cancel nothing at all is told so before learning whether the id exists.
    let anywhere = Target::cluster("");
    if crate::authz::authorize(inv.caller.as_ref(), Action::OperationCancel, &anywhere).is_err() {
        let parameters = serde_json::json!({ "operation_id": id });
        crate::actions::permit(ctx, inv, Action::OperationCancel, &anywhere, &parameters).await?;
    }
    let stored = store::load(&ctx.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let target = Target::object(&stored.view.target);
    let parameters = serde_json::json!({ "operation_id": id });
    crate::actions::perform(
        ctx,
        inv,
        Action::OperationCancel,
        &target,
        parameters,
        |_| async {
            if stored.view.action != Action::NodeDrain {
                return Err(Error::BadRequest(format!(
                    "operation {id} is a {}; only drains can be cancelled",
                    stored.view.action.name()
                )));
            }
            if stored.view.finished {
                return Err(Error::Conflict(format!(
                    "operation {id} has already ended ({})",
                    stored.view.state
                )));
            }
            drain::cancel(ctx, stored, inv.actor()).await?;
            let now = store::load(&ctx.db, id)
                .await?
                .ok_or_else(|| not_found(id))?;
            Ok(now.view)
        },
    )
    .await
}

/// The state a finished operation of `action` ends in when all went well.
#[must_use]
pub fn goal(action: Action) -> OperationState {
    match action {
        Action::VmStop | Action::VmForceStop => OperationState::Stopped,
        Action::VmPause => OperationState::Paused,
        _ => OperationState::Running,
    }
}
