//! A node's drain as a tracked operation: the pods to evict are worked through at once
//! (as `kubectl drain` does), each one retried while a PodDisruptionBudget refuses it
//! (429, every 5 s) and then followed until it is gone or replaced. Every pod's state is
//! part of the record, so a page shows per-pod progress and a console restart picks the
//! drain up where it was.
//!
//! States: Running → Succeeded | Failed | TimedOut | Cancelled (| Interrupted).

use std::time::Duration;

use bosun_model::{
    Action, DrainOptions, ItemState, KindId, ObjectRef, OperationAccepted, OperationItem,
    OperationOptions, OperationState,
};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use time::OffsetDateTime;
use tokio::sync::mpsc;

use super::runner::{Runner, after, now, parse};
use super::store::{self, NewOperation, Stored};
use crate::backend::Operation;
use crate::request::Invocation;
use crate::{Context, Error, Result};

/// How long a refused eviction waits before it is asked again (kubectl's wait).
const RETRY_AFTER_BUDGET: Duration = Duration::from_secs(5);
/// How often an evicted pod is looked for when the cache says nothing.
const LOOK_AGAIN: Duration = Duration::from_secs(1);

/// A drain to start: the node, the options in force, and the pods with their first state
/// (`Pending` to evict, `Skipped` with the reason).
pub(crate) struct DrainPlan {
    pub node: ObjectRef,
    pub options: DrainOptions,
    pub items: Vec<OperationItem>,
    pub timeout_seconds: i64,
}

/// One pod's progress, sent from its task to the runner.
struct Progress {
    index: usize,
    state: ItemState,
    message: String,
    attempts: u32,
}

fn deadline_of(op: &Stored) -> OffsetDateTime {
    parse(op.start_deadline.as_deref()).unwrap_or_else(|| now() + time::Duration::hours(1))
}

/// Records the drain and starts working through its pods in the background. The node
/// was cordoned by the caller before this.
pub(crate) async fn start(
    ctx: &Context,
    inv: &Invocation,
    id: String,
    plan: DrainPlan,
) -> Result<OperationAccepted> {
    let to_evict = plan
        .items
        .iter()
        .filter(|i| i.state == ItemState::Pending)
        .count();
    let message = format!(
        "node {} cordoned; evicting {to_evict} pod(s) ({} left alone)",
        plan.node.name,
        plan.items.len() - to_evict
    );
    let deadline = after(plan.timeout_seconds);
    let new = NewOperation {
        id: &id,
        action: Action::NodeDrain,
        target: &plan.node,
        options: OperationOptions::Drain(plan.options),
        state: OperationState::Running,
        items: &plan.items,
        start_deadline: Some(&deadline),
    };
    if store::insert(&ctx.db, &new, inv, &message).await?.is_none() {
        return Err(Error::Conflict(format!(
            "another operation started on node {} meanwhile; try again",
            plan.node.name
        )));
    }
    let op = store::load(&ctx.db, &id)
        .await?
        .ok_or_else(|| Error::Internal(format!("operation {id} vanished after insert")))?;
    let runner = Runner {
        ctx: ctx.clone(),
        op,
        closed: false,
    };
    ctx.operations.notify();
    let accepted = OperationAccepted {
        operation_id: id,
        state: OperationState::Running,
        message,
    };
    spawn(ctx, runner);
    Ok(accepted)
}

/// Picks up a drain a previous run left unfinished: pods not yet settled are evicted (a
/// pod already gone answers 404, which counts as evicted) and followed again.
pub(super) async fn resume(ctx: &Context, op: Stored) {
    let mut runner = Runner {
        ctx: ctx.clone(),
        op,
        closed: false,
    };
    runner
        .enter(
            OperationState::Running,
            "the console restarted while this ran; going on (deadline kept)".into(),
        )
        .await;
    spawn(ctx, runner);
}

fn spawn(ctx: &Context, runner: Runner) {
    let id = runner.op.view.id.clone();
    let task = tokio::spawn(run(runner));
    ctx.operations.track(&id, task);
}

fn pod_ref(node: &ObjectRef, item: &OperationItem) -> ObjectRef {
    ObjectRef::new(&node.cluster, &item.namespace, KindId::Pod, &item.name)
}

/// Works through the pods until each is settled or the deadline passes.
async fn run(mut runner: Runner) {
    let OperationOptions::Drain(options) = runner.op.view.options else {
        runner
            .finish(OperationState::Failed, "not a drain".into())
            .await;
        return;
    };
    let deadline = deadline_of(&runner.op);
    let node = runner.op.view.target.clone();
    let (tx, mut rx) = mpsc::unbounded_channel::<Progress>();
    let mut pods: FuturesUnordered<_> = runner
        .op
        .view
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| !item.state.settled())
        .map(|(index, item)| {
            evict_one(
                runner.ctx.clone(),
                pod_ref(&node, item),
                item.uid.clone(),
                options.grace_period_seconds,
                index,
                item.attempts,
                tx.clone(),
            )
        })
        .collect();
    drop(tx);
    let left = (deadline - now()).max(time::Duration::ZERO);
    let timeout = tokio::time::sleep(Duration::from_secs_f64(left.as_seconds_f64()));
    tokio::pin!(timeout);
    loop {
        if runner.closed {
            return;
        }
        if pods.is_empty() {
            while let Ok(more) = rx.try_recv() {
                apply(&mut runner, more);
            }
            break;
        }
        tokio::select! {
            Some(progress) = rx.recv() => {
                apply(&mut runner, progress);
                // Save what else is already waiting in one write.
                while let Ok(more) = rx.try_recv() {
                    apply(&mut runner, more);
                }
                runner.save().await;
                runner.ctx.operations.notify();
            }
            Some(()) = pods.next() => {}
            () = &mut timeout => {
                let waiting = describe_unsettled(&runner.op.view.items);
                runner.finish(
                    OperationState::TimedOut,
                    format!("the drain did not finish within its timeout; still waiting for {waiting}"),
                ).await;
                return;
            }
        }
    }
    let failed: Vec<String> = runner
        .op
        .view
        .items
        .iter()
        .filter(|i| i.state == ItemState::Failed)
        .map(|i| format!("{}/{} ({})", i.namespace, i.name, i.message))
        .collect();
    let evicted = runner
        .op
        .view
        .items
        .iter()
        .filter(|i| i.state == ItemState::Evicted)
        .count();
    if failed.is_empty() {
        let message = format!("node {} drained: {evicted} pod(s) evicted", node.name);
        runner.finish(OperationState::Succeeded, message).await;
    } else {
        let message = format!(
            "node {} not drained: {} pod(s) could not be evicted: {}",
            node.name,
            failed.len(),
            failed.join("; ")
        );
        runner.finish(OperationState::Failed, message).await;
    }
}

fn apply(runner: &mut Runner, progress: Progress) {
    if let Some(item) = runner.op.view.items.get_mut(progress.index) {
        item.state = progress.state;
        item.message = progress.message;
        item.attempts = progress.attempts;
    }
    runner.op.view.updated = crate::db::now_rfc3339();
}

fn describe_unsettled(items: &[OperationItem]) -> String {
    let names: Vec<String> = items
        .iter()
        .filter(|i| !i.state.settled())
        .map(|i| format!("{}/{} ({:?})", i.namespace, i.name, i.state))
        .collect();
    if names.is_empty() {
        "nothing".into()
    } else {
        names.join(", ")
    }
}

/// Evicts one pod, asking again while a disruption budget refuses, then waits for it to
/// be gone (or replaced: a new uid under the same name).
async fn evict_one(
    ctx: Context,
    pod: ObjectRef,
    uid: String,
    grace: Option<i64>,
    index: usize,
    mut attempts: u32,
    tx: mpsc::UnboundedSender<Progress>,
) {
    let say = |state, message: String, attempts| {
        let _ = tx.send(Progress {
            index,
            state,
            message,
            attempts,
        });
    };
    loop {
        attempts += 1;
        say(ItemState::Evicting, "eviction requested".into(), attempts);
        let eviction = Operation::Evict {
            target: pod.clone(),
            grace_period_seconds: grace,
        };
        match ctx.clusters.execute(&eviction).await {
            Ok(_) => break,
            Err(Error::NotFound(_)) => {
                say(ItemState::Evicted, "already gone".into(), attempts);
                return;
            }
            Err(Error::Cluster {
                status: 429,
                message,
                ..
            }) => {
                say(
                    ItemState::Blocked,
                    format!(
                        "{message} Asking again in {} s.",
                        RETRY_AFTER_BUDGET.as_secs()
                    ),
                    attempts,
                );
                tokio::time::sleep(RETRY_AFTER_BUDGET).await;
            }
            Err(e) => {
                say(ItemState::Failed, e.public_message(), attempts);
                return;
            }
        }
    }
    say(
        ItemState::Terminating,
        "evicted; waiting for the pod to be gone".into(),
        attempts,
    );
    let mut changes = ctx.clusters.changes(&pod).ok();
    loop {
        let gone = match ctx.clusters.raw_object(&pod) {
            Err(Error::NotFound(_)) => true,
            Ok(now) => {
                let now_uid = now
                    .pointer("/metadata/uid")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("");
                !uid.is_empty() && now_uid != uid
            }
            Err(_) => false,
        };
        if gone {
            say(ItemState::Evicted, "gone".into(), attempts);
            return;
        }
        match changes.as_mut() {
            Some(rx) => {
                let _ = tokio::time::timeout(LOOK_AGAIN, rx.changed()).await;
            }
            None => tokio::time::sleep(LOOK_AGAIN).await,
        }
    }
}

/// Ends a running drain at a person's request: its work stops at once (evictions already
/// sent stay sent) and the record says who cancelled it.
pub(super) async fn cancel(ctx: &Context, op: Stored, by: &str) -> Result<()> {
    ctx.operations.stop(&op.view.id);
    let mut runner = Runner {
        ctx: ctx.clone(),
        op,
        closed: false,
    };
    let settled = runner
        .op
        .view
        .items
        .iter()
        .filter(|i| i.state == ItemState::Evicted)
        .count();
    runner
        .finish(
            OperationState::Cancelled,
            format!(
                "cancelled by {by} after {settled} pod(s) were evicted; the node stays cordoned"
            ),
        )
        .await;
    Ok(())
}
