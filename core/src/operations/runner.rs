//! The state machine of a VM lifecycle operation. The first request to the cluster is
//! sent while the person waits (so a refusal reaches them); the rest runs in a task that
//! follows the VM and its instance through the watch caches:
//!
//! - restart: Requested → Stopping → (ForceStopping, when the guest does not stop within
//!   the stop deadline) → Starting → Running | Failed | TimedOut. A stopped VM is started.
//! - stop: Requested → Stopping → (ForceStopping) → Stopped.
//! - start: Requested → Starting → Running | TimedOut.
//! - pause / unpause: Requested → Paused / Running.

use std::time::Duration;

use bosun_model::{
    Action, KindId, ObjectRef, OperationAccepted, OperationOptions, OperationState, Transition,
    VmActionOptions, VmDetail,
};
use serde_json::json;
use time::OffsetDateTime;

use super::store::{self, Stored};
use crate::authz::Target;
use crate::backend::Operation;
use crate::request::Invocation;
use crate::{Context, Error, Result};

/// How long the instance may linger after a forced stop before the operation fails.
const FORCE_WAIT: Duration = Duration::from_secs(30);
/// How often deadlines are checked when nothing changes in the caches.
const TICK: Duration = Duration::from_millis(500);
/// How long past its deadline an operation waits to see its VM again (cluster
/// unreachable, caches syncing after a restart) before it gives up: no deadline decision
/// is taken on a VM the console cannot see.
const UNSEEN_LIMIT: i64 = 300;
/// Attempts at writing a state change before it is only logged.
const SAVE_ATTEMPTS: u32 = 3;

/// What a new operation does: decided by the VM domain from the request and the options
/// with their defaults filled in.
pub(crate) struct Plan {
    pub action: Action,
    pub target: ObjectRef,
    pub options: VmActionOptions,
    /// The grace period a stop sends.
    pub grace: i64,
}

pub(super) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub(super) fn stamp(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub(super) fn parse(raw: Option<&str>) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(raw?, &time::format_description::well_known::Rfc3339).ok()
}

pub(super) fn after(seconds: i64) -> String {
    stamp(now() + time::Duration::seconds(seconds))
}

fn is_restart(action: Action) -> bool {
    matches!(action, Action::VmRestart | Action::VmForceRestart)
}

fn who(target: &ObjectRef) -> String {
    if target.kind == KindId::VirtualMachine {
        format!("virtual machine {}/{}", target.namespace, target.name)
    } else {
        target.describe()
    }
}

/// One operation being carried out: its record, and how it is written. The VM state
/// machine is below; a drain uses the same record keeping (`super::drain`).
pub(super) struct Runner {
    pub ctx: Context,
    pub op: Stored,
    /// The stored record was closed by someone else (a forced action took over, a person
    /// cancelled it): this runner stops and writes nothing more.
    pub closed: bool,
}

impl Runner {
    fn options(&self) -> VmActionOptions {
        self.op.view.options.vm()
    }

    fn stop_timeout(&self) -> i64 {
        self.options()
            .stop_timeout_seconds
            .unwrap_or(bosun_model::DEFAULT_STOP_TIMEOUT_SECONDS)
    }

    fn start_timeout(&self) -> i64 {
        self.options()
            .start_timeout_seconds
            .unwrap_or(bosun_model::DEFAULT_START_TIMEOUT_SECONDS)
    }

    /// Records a new state (or a note in the same state) and tells followers.
    pub(super) async fn enter(&mut self, state: OperationState, message: String) {
        let at = crate::db::now_rfc3339();
        let view = &mut self.op.view;
        view.transitions.push(Transition {
            state,
            at: at.clone(),
            message: message.clone(),
        });
        view.state = state;
        view.message = message;
        view.updated = at;
        self.save().await;
        self.ctx.operations.notify();
    }

    /// Writes the record, retrying a failed write (a finished operation that is not saved
    /// would keep its VM busy); notices a record closed by someone else.
    pub(super) async fn save(&mut self) {
        for attempt in 1..=SAVE_ATTEMPTS {
            match store::save(&self.ctx.db, &self.op).await {
                Ok(true) => return,
                Ok(false) => {
                    tracing::info!(operation = %self.op.view.id, "the operation was closed meanwhile (taken over); stopping");
                    self.closed = true;
                    return;
                }
                Err(e) if attempt < SAVE_ATTEMPTS => {
                    tracing::warn!(operation = %self.op.view.id, attempt, "saving an operation failed, retrying: {e}");
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                }
                Err(e) => {
                    tracing::error!(operation = %self.op.view.id, "saving an operation failed: {e}");
                }
            }
        }
    }

    /// Ends the operation and writes its end to the audit log.
    pub(super) async fn finish(&mut self, state: OperationState, message: String) {
        if self.closed {
            return;
        }
        self.op.view.finished = true;
        self.op.view.finished_at = Some(crate::db::now_rfc3339());
        self.enter(state, message.clone()).await;
        if self.closed {
            return;
        }
        let view = &self.op.view;
        let parameters = json!({
            "operation_id": view.id,
            "action": view.action.name(),
            "state": state.as_str(),
            "fallback": view.fallback,
        });
        let failure = Error::Conflict(message);
        let result = if state.succeeded() {
            Ok(())
        } else {
            Err(&failure)
        };
        crate::actions::log(
            &self.ctx,
            &self.op.invocation,
            Action::OperationEnd,
            &Target::object(&view.target),
            &parameters,
            result,
        )
        .await;
    }

    async fn send(&self, operation: &Operation) -> Result<()> {
        self.ctx.clusters.execute(operation).await.map(|_| ())
    }

    /// Sends the first request and enters the state it leads to.
    async fn begin(&mut self, vm: &VmDetail, grace: i64) -> Result<()> {
        let target = self.op.view.target.clone();
        let action = self.op.view.action;
        let running = vm.row.has_instance;
        let stop_timeout = self.stop_timeout();
        match action {
            Action::VmStart => self.start_vm(&target, "start requested").await,
            Action::VmRestart | Action::VmForceRestart if !running => {
                self.start_vm(&target, "the VM was stopped: starting it")
                    .await
            }
            Action::VmRestart | Action::VmStop => {
                self.op.old_instance = instance_uid(vm);
                let (request, what) = if action == Action::VmRestart {
                    let request = Operation::RestartVm {
                        target,
                        force: false,
                    };
                    (request, "graceful restart requested".to_string())
                } else {
                    let request = Operation::StopVm {
                        target,
                        grace_period_seconds: grace,
                    };
                    (
                        request,
                        format!("stop requested with a grace period of {grace} s"),
                    )
                };
                self.send(&request).await?;
                self.op.stop_deadline = Some(after(stop_timeout));
                let message =
                    format!("{what}; waiting up to {stop_timeout} s for the guest to stop");
                self.enter(OperationState::Stopping, message).await;
                Ok(())
            }
            Action::VmForceRestart | Action::VmForceStop => {
                self.op.old_instance = instance_uid(vm);
                let message = if action == Action::VmForceRestart {
                    "forced restart requested (gracePeriodSeconds 0)"
                } else {
                    "forced stop requested (gracePeriod 0)"
                };
                self.force(&target, message).await
            }
            Action::VmPause | Action::VmUnpause => {
                let paused = action == Action::VmPause;
                self.send(&Operation::SetVmPaused { target, paused })
                    .await?;
                let (state, message) = if paused {
                    (OperationState::Paused, "paused")
                } else {
                    (OperationState::Running, "unpaused")
                };
                self.finish(state, message.to_string()).await;
                Ok(())
            }
            other => Err(Error::Internal(format!(
                "{} is not a tracked VM operation",
                other.name()
            ))),
        }
    }

    async fn start_vm(&mut self, target: &ObjectRef, message: &str) -> Result<()> {
        self.send(&Operation::StartVm {
            target: target.clone(),
        })
        .await?;
        self.op.start_deadline = Some(after(self.start_timeout()));
        let message = format!(
            "{message}; waiting up to {} s for it to be Running and Ready",
            self.start_timeout()
        );
        self.enter(OperationState::Starting, message).await;
        Ok(())
    }

    /// The forced stop or restart, as asked for or as the fallback.
    async fn force(&mut self, target: &ObjectRef, message: &str) -> Result<()> {
        let operation = if is_restart(self.op.view.action) {
            Operation::RestartVm {
                target: target.clone(),
                force: true,
            }
        } else {
            Operation::StopVm {
                target: target.clone(),
                grace_period_seconds: 0,
            }
        };
        self.send(&operation).await?;
        self.op.stop_deadline = Some(after(FORCE_WAIT.as_secs() as i64));
        self.enter(OperationState::ForceStopping, message.to_string())
            .await;
        Ok(())
    }

    /// The guest did not stop in time: force it, and say so in the audit log.
    async fn fall_back(&mut self) {
        let target = self.op.view.target.clone();
        let what = if is_restart(self.op.view.action) {
            "restart"
        } else {
            "stop"
        };
        let reason = format!(
            "the guest did not stop within {} s of the graceful {what}",
            self.stop_timeout()
        );
        let forced_action = if what == "restart" {
            Action::VmForceRestart
        } else {
            Action::VmForceStop
        };
        let message = format!("{reason}: forcing it (grace period 0)");
        let result = self.force(&target, &message).await;
        let parameters = json!({
            "operation_id": self.op.view.id,
            "fallback": reason,
        });
        crate::actions::log(
            &self.ctx,
            &self.op.invocation,
            forced_action,
            &Target::object(&target),
            &parameters,
            result.as_ref().map(|_| ()),
        )
        .await;
        match result {
            Ok(()) => {
                self.op.view.fallback = Some(reason);
                self.save().await;
            }
            Err(e) => {
                self.op.view.fallback = Some(reason.clone());
                self.finish(
                    OperationState::Failed,
                    format!("{reason}; the forced {what} failed: {}", e.public_message()),
                )
                .await;
            }
        }
    }

    /// Looks at the VM once and moves on if it is time; `true` once finished.
    async fn step(&mut self) -> bool {
        let target = self.op.view.target.clone();
        let vm = match self.ctx.clusters.vm(&target) {
            Ok(vm) => Some(vm),
            Err(Error::NotFound(_)) => {
                self.finish(
                    OperationState::Failed,
                    format!("{} no longer exists", who(&target)),
                )
                .await;
                return true;
            }
            // Unreachable or syncing: decide nothing on a VM that cannot be seen.
            Err(e) => return self.unseen(&e).await,
        };
        let now = now();
        let stop_due = parse(self.op.stop_deadline.as_deref()).is_some_and(|d| now >= d);
        let start_due = parse(self.op.start_deadline.as_deref()).is_some_and(|d| now >= d);
        let action = self.op.view.action;
        match self.op.view.state {
            OperationState::Stopping | OperationState::ForceStopping => {
                let gone = vm.as_ref().map(|vm| {
                    if is_restart(action) {
                        vm.instance
                            .as_ref()
                            .is_none_or(|i| i.uid != self.op.old_instance)
                    } else {
                        vm.instance.is_none()
                    }
                });
                if gone == Some(true) {
                    if is_restart(action) {
                        self.op.start_deadline = Some(after(self.start_timeout()));
                        let message = format!(
                            "the guest stopped; waiting up to {} s for the new instance to be Running and Ready",
                            self.start_timeout()
                        );
                        self.enter(OperationState::Starting, message).await;
                        return false;
                    }
                    self.finish(OperationState::Stopped, "the VM is stopped".into())
                        .await;
                    return true;
                }
                if stop_due {
                    if self.op.view.state == OperationState::Stopping {
                        self.fall_back().await;
                        return self.op.view.finished;
                    }
                    self.finish(
                        OperationState::Failed,
                        format!(
                            "the instance was still there {} s after the forced {}",
                            FORCE_WAIT.as_secs(),
                            if is_restart(action) {
                                "restart"
                            } else {
                                "stop"
                            }
                        ),
                    )
                    .await;
                    return true;
                }
                false
            }
            OperationState::Starting => {
                if let Some(vm) = &vm {
                    let fresh = vm.instance.as_ref().is_some_and(|i| {
                        i.uid != self.op.old_instance && i.deleting_since.is_none()
                    });
                    if fresh && vm.row.ready {
                        let node = vm.row.node.clone();
                        self.finish(
                            OperationState::Running,
                            format!("the VM is Running and Ready on {node}"),
                        )
                        .await;
                        return true;
                    }
                }
                if start_due {
                    let status = vm.map_or_else(|| "unknown".to_string(), |vm| vm.row.status);
                    let message = format!(
                        "the VM was not Running and Ready within {} s (status {status})",
                        self.start_timeout()
                    );
                    self.finish(OperationState::TimedOut, message).await;
                    return true;
                }
                false
            }
            state if state.finished(self.op.view.action) => true,
            _ => {
                self.finish(
                    OperationState::Interrupted,
                    "the console stopped before the cluster confirmed the request; look at the VM before trying again".into(),
                )
                .await;
                true
            }
        }
    }

    /// The VM cannot be seen right now: wait, and give up only well past the deadline of
    /// the current state, saying why.
    async fn unseen(&mut self, why: &Error) -> bool {
        let deadline = match self.op.view.state {
            OperationState::Starting => self.op.start_deadline.as_deref(),
            _ => self.op.stop_deadline.as_deref(),
        };
        let limit = parse(deadline).map(|d| d + time::Duration::seconds(UNSEEN_LIMIT));
        if limit.is_none_or(|limit| now() < limit) {
            return false;
        }
        let message = format!(
            "the VM could not be seen for {UNSEEN_LIMIT} s past the deadline ({}); look at it before trying again",
            why.public_message()
        );
        self.finish(OperationState::TimedOut, message).await;
        true
    }

    /// Follows the VM until the operation ends.
    async fn run(mut self) {
        let target = self.op.view.target.clone();
        let instance = ObjectRef {
            kind: KindId::VirtualMachineInstance,
            ..target.clone()
        };
        let mut vm_changes = None;
        let mut vmi_changes = None;
        loop {
            if self.closed {
                return;
            }
            let finished = self.step().await;
            if finished || self.closed {
                return;
            }
            if vm_changes.is_none() {
                vm_changes = self.ctx.clusters.changes(&target).ok();
            }
            if vmi_changes.is_none() {
                vmi_changes = self.ctx.clusters.changes(&instance).ok();
            }
            tokio::select! {
                () = changed(&mut vm_changes) => {}
                () = changed(&mut vmi_changes) => {}
                () = tokio::time::sleep(TICK) => {}
            }
        }
    }
}

/// Waits for a change; forever when there is no receiver (the tick then decides).
async fn changed(receiver: &mut Option<tokio::sync::watch::Receiver<u64>>) {
    match receiver {
        Some(rx) => {
            if rx.changed().await.is_err() {
                // The cluster was disconnected: fall back to the tick.
                *receiver = None;
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending::<()>().await,
    }
}

fn instance_uid(vm: &VmDetail) -> String {
    vm.instance
        .as_ref()
        .map(|i| i.uid.clone())
        .unwrap_or_default()
}

fn spawn(ctx: &Context, runner: Runner) {
    let id = runner.op.view.id.clone();
    let task = tokio::spawn(runner.run());
    ctx.operations.track(&id, task);
}

fn forced(action: Action) -> bool {
    matches!(action, Action::VmForceStop | Action::VmForceRestart)
}

/// Refuses `action` on a VM while another operation runs on it, naming that operation,
/// unless `action` is forced and the running one is not (a forced stop or restart may
/// take over from a graceful one that waits for its guest).
pub(crate) async fn check_room(ctx: &Context, target: &ObjectRef, action: Action) -> Result<()> {
    let Some(running) = store::running_on(&ctx.db, target).await? else {
        return Ok(());
    };
    let view = &running.view;
    if forced(action) && !forced(view.action) {
        return Ok(());
    }
    Err(Error::Conflict(format!(
        "operation {} ({} by {}, {}) is already running for {}; follow it at /api/v1/operations/{} and try again when it has finished",
        view.id,
        view.action.name(),
        view.user,
        view.state,
        who(target),
        view.id
    )))
}

/// Makes room for a new operation: refuses it while another runs, or closes a graceful
/// one a forced action takes over from (as interrupted, naming what took over).
async fn make_room(ctx: &Context, inv: &Invocation, id: &str, plan: &Plan) -> Result<()> {
    check_room(ctx, &plan.target, plan.action).await?;
    let Some(running) = store::running_on(&ctx.db, &plan.target).await? else {
        return Ok(());
    };
    ctx.operations.stop(&running.view.id);
    let mut superseded = Runner {
        ctx: ctx.clone(),
        op: running,
        closed: false,
    };
    superseded
        .finish(
            OperationState::Interrupted,
            format!(
                "superseded by {} (operation {id}) requested by {}",
                plan.action.name(),
                inv.actor()
            ),
        )
        .await;
    Ok(())
}

/// Starts a new operation: records it, sends its first request, and follows the rest in
/// the background. A refusal by the cluster fails the operation (and the request).
pub(crate) async fn start(
    ctx: &Context,
    inv: &Invocation,
    id: String,
    plan: Plan,
    vm: &VmDetail,
) -> Result<OperationAccepted> {
    let message = format!("{} requested by {}", plan.action.name(), inv.actor());
    let mut inserted = None;
    for _ in 0..2 {
        let new = store::NewOperation {
            id: &id,
            action: plan.action,
            target: &plan.target,
            options: OperationOptions::Vm(plan.options),
            state: OperationState::Requested,
            items: &[],
            start_deadline: None,
        };
        inserted = store::insert(&ctx.db, &new, inv, &message).await?;
        if inserted.is_some() {
            break;
        }
        make_room(ctx, inv, &id, &plan).await?;
    }
    if inserted.is_none() {
        return Err(Error::Conflict(format!(
            "another operation started on {} meanwhile; try again",
            who(&plan.target)
        )));
    }
    let op = store::load(&ctx.db, &id)
        .await?
        .ok_or_else(|| Error::Internal(format!("operation {id} vanished after insert")))?;
    ctx.operations.notify();
    let mut runner = Runner {
        ctx: ctx.clone(),
        op,
        closed: false,
    };
    if let Err(e) = runner.begin(vm, plan.grace).await {
        runner
            .finish(OperationState::Failed, e.public_message())
            .await;
        return Err(e);
    }
    if runner.closed {
        // Taken over while its first request was sent: report the record as it stands.
        if let Some(stored) = store::load(&ctx.db, &id).await? {
            runner.op = stored;
        }
    }
    let accepted = OperationAccepted {
        operation_id: id,
        state: runner.op.view.state,
        message: runner.op.view.message.clone(),
    };
    if !runner.op.view.finished && !runner.closed {
        spawn(ctx, runner);
    }
    Ok(accepted)
}

/// Follows an operation a previous run of the console left unfinished.
pub(super) async fn resume(ctx: &Context, op: Stored) {
    let connected = ctx
        .clusters
        .connected()
        .iter()
        .any(|(name, _)| *name == op.view.target.cluster);
    let mut runner = Runner {
        ctx: ctx.clone(),
        op,
        closed: false,
    };
    if !connected {
        let message = format!(
            "cluster {} is no longer configured; the operation cannot be followed",
            runner.op.view.target.cluster
        );
        runner.finish(OperationState::Interrupted, message).await;
        return;
    }
    if runner.op.view.state == OperationState::Requested {
        runner
            .finish(
                OperationState::Interrupted,
                "the console stopped before the cluster confirmed the request; look at the VM before trying again".into(),
            )
            .await;
        return;
    }
    let state = runner.op.view.state;
    runner
        .enter(
            state,
            "the console restarted while this ran; following it again (deadlines kept)".into(),
        )
        .await;
    spawn(ctx, runner);
}
