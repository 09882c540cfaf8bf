//! OpenKruise Rollouts: lists and details from the watch caches, a live follower of one
//! rollout, its history, and its actions through the one audited action call.

use bosun_model::{
    ActionReply, AuditQuery, KindId, ObjectRef, Page, RolloutDetail, RolloutHistory, RolloutQuery,
    RolloutRow,
};
use futures::Stream;

use crate::actions::read;
use crate::authz::Target;
use crate::backend::Operation;
use crate::request::Invocation;
use crate::workloads::{act, validate_ref, visibility};
use crate::{Context, Error, Result};

/// The actions a rollout takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutCommand {
    /// Approve the current step; with a step number, only if the rollout is at it.
    Approve {
        step: Option<i64>,
    },
    Pause,
    Resume,
    Undo,
    Restart,
}

fn rollout_ref(object: &ObjectRef) -> Result<()> {
    if object.kind != KindId::Rollout {
        return Err(Error::BadRequest(format!(
            "{} is not a rollout",
            object.describe()
        )));
    }
    validate_ref(object)
}

/// A page of rollouts (only active ones with `query.active`).
pub async fn list(
    ctx: &Context,
    inv: &Invocation,
    query: &RolloutQuery,
) -> Result<Page<RolloutRow>> {
    let target = Target::scope(
        query.cluster.as_deref().unwrap_or(""),
        query.namespace.as_deref().unwrap_or(""),
    );
    read(ctx, inv, target, async {
        ctx.clusters.rollouts(query, &visibility(inv))
    })
    .await
}

/// One rollout: steps, revisions, conditions.
pub async fn detail(ctx: &Context, inv: &Invocation, object: &ObjectRef) -> Result<RolloutDetail> {
    read(ctx, inv, Target::object(object), async {
        rollout_ref(object)?;
        ctx.clusters.rollout(object)
    })
    .await
}

/// The rollout now, then again each time the cluster changes it: driven by the watch
/// cache's change notifications, not by polling the cluster. Ends when the rollout is
/// deleted or the cluster disconnected (with that error), or after half an hour.
pub async fn follow(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
) -> Result<impl Stream<Item = Result<RolloutDetail>> + Send + 'static> {
    // Subscribed before the first view, so a change in between is not taken as seen; the
    // view's error (not found, forbidden) comes first.
    let changes = ctx.clusters.changes(object);
    let first = detail(ctx, inv, object).await?;
    let changes = changes?;
    let backend = ctx.clusters.clone();
    let target = object.clone();
    Ok(crate::live::follow(
        object.cluster.clone(),
        vec![changes],
        first,
        move || backend.rollout(&target),
    ))
}

/// The workload's revisions and the console's past actions on the rollout.
pub async fn history(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
) -> Result<RolloutHistory> {
    let rollout = detail(ctx, inv, object).await?;
    let revisions = match rollout.row.workload_ref() {
        Some(workload) => crate::workloads::revisions(ctx, inv, &workload).await?,
        None => Vec::new(),
    };
    let query = AuditQuery {
        cluster: Some(object.cluster.clone()),
        namespace: Some(object.namespace.clone()),
        kind: Some(KindId::Rollout.route().to_string()),
        name: Some(object.name.clone()),
        limit: Some(100),
        ..AuditQuery::default()
    };
    let runs = crate::actions::audit_log(ctx, inv, &query).await?.items;
    Ok(RolloutHistory { revisions, runs })
}

/// Carries out a rollout action: authorized, checked against the rollout's state
/// (a refusal names the state, 409), sent as kubectl-kruise sends it, audited.
pub async fn command(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
    command: RolloutCommand,
) -> Result<ActionReply> {
    let target = object.clone();
    let op = match command {
        RolloutCommand::Approve { step } => Operation::ApproveRollout { target, step },
        RolloutCommand::Pause => Operation::SetRolloutPaused {
            target,
            paused: true,
        },
        RolloutCommand::Resume => Operation::SetRolloutPaused {
            target,
            paused: false,
        },
        RolloutCommand::Undo => Operation::UndoRollout { target },
        RolloutCommand::Restart => Operation::RestartRollout { target },
    };
    act(ctx, inv, op).await
}
