//! Rollout actions, exactly as kubectl-kruise sends them (`../shared/REFERENCE.md`):
//! approve is a merge patch of the status subresource, pause and resume a merge patch of
//! `spec.strategy.paused`; undo and restart act on the workload the rollout drives.

use bosun_core::{Error, Result};
use bosun_model::{Action, ActionReply, ObjectRef, RolloutRow};
use kube::api::DynamicObject;
use serde_json::json;

use super::{locate, reply, restart, rollback};
use crate::cluster::Cluster;
use crate::{query, raw, rows};

/// The rollout as the API server has it now (actions decide on the newest state, not the
/// cache's), as a row.
async fn live_row(cluster: &Cluster, target: &ObjectRef) -> Result<RolloutRow> {
    let at = locate(cluster, target)?;
    let value = raw::get(at.client, at.cluster, &at.path).await?;
    let obj: DynamicObject = serde_json::from_value(value)
        .map_err(|e| Error::Internal(format!("rollout {}: {e}", target.name)))?;
    let rolling = query::workload_rolling(cluster, &target.namespace, &obj);
    Ok(rows::rollout_row(cluster.name(), &obj, rolling))
}

fn refuse_if_not(row: &RolloutRow, action: Action) -> Result<()> {
    match row.refusal(action) {
        Some(why) => Err(Error::Conflict(why)),
        None => Ok(()),
    }
}

/// `kubectl-kruise rollout approve`, only in `StepPaused`; with `step`, only at that step
/// (a page showing an older step must not approve a newer one).
pub(super) async fn approve(
    cluster: &Cluster,
    target: &ObjectRef,
    step: Option<i64>,
) -> Result<ActionReply> {
    let row = live_row(cluster, target).await?;
    refuse_if_not(&row, Action::RolloutApprove)?;
    if let Some(asked) = step.filter(|s| *s != row.step) {
        return Err(Error::Conflict(format!(
            "rollout {}/{} is at step {} of {}, not step {asked}: it moved on since the page was loaded; look again before approving",
            target.namespace, target.name, row.step, row.steps
        )));
    }
    let at = locate(cluster, target)?;
    let body = json!({"status": {"canaryStatus": {"currentStepState": "StepReady"}}});
    raw::patch(
        at.client,
        at.cluster,
        &format!("{}/status", at.path),
        raw::MERGE,
        &body,
    )
    .await?;
    Ok(reply(format!(
        "rollout {}/{}: step {} of {} approved",
        target.namespace, target.name, row.step, row.steps
    )))
}

/// `kubectl-kruise rollout pause` / `resume`.
pub(super) async fn set_paused(
    cluster: &Cluster,
    target: &ObjectRef,
    paused: bool,
) -> Result<ActionReply> {
    let row = live_row(cluster, target).await?;
    let action = if paused {
        Action::RolloutPause
    } else {
        Action::RolloutResume
    };
    refuse_if_not(&row, action)?;
    let at = locate(cluster, target)?;
    let body = json!({"spec": {"strategy": {"paused": paused}}});
    raw::patch(at.client, at.cluster, &at.path, raw::MERGE, &body).await?;
    Ok(reply(format!(
        "rollout {}/{} {}",
        target.namespace,
        target.name,
        if paused { "paused" } else { "resumed" }
    )))
}

/// The workload the rollout drives, as an object the console can act on.
async fn workload(cluster: &Cluster, target: &ObjectRef, action: Action) -> Result<ObjectRef> {
    let row = live_row(cluster, target).await?;
    refuse_if_not(&row, action)?;
    row.workload_ref()
        .ok_or_else(|| Error::Internal("a rollout's workload vanished between checks".into()))
}

/// Undo: the workload rolled back to its previous revision, as `kubectl rollout undo`.
pub(super) async fn undo(cluster: &Cluster, target: &ObjectRef) -> Result<ActionReply> {
    let workload = workload(cluster, target, Action::RolloutUndo).await?;
    let done = rollback::rollback(cluster, &workload, 0).await?;
    Ok(reply(format!(
        "rollout {}/{}: {}",
        target.namespace, target.name, done.message
    )))
}

/// Restart: the workload restarted as its reference tool does; a new run starts.
pub(super) async fn restart(cluster: &Cluster, target: &ObjectRef) -> Result<ActionReply> {
    let workload = workload(cluster, target, Action::RolloutRestart).await?;
    let mut done = restart::restart(cluster, &workload, false).await?;
    done.message = format!(
        "rollout {}/{}: {}",
        target.namespace, target.name, done.message
    );
    Ok(done)
}
