//! Virtual machines: lists and details from the watch caches, and lifecycle actions as
//! tracked operations, each request authorized and audited by the one action call.

use bosun_model::{
    Action, DEFAULT_START_TIMEOUT_SECONDS, DEFAULT_STOP_TIMEOUT_SECONDS, KindId,
    MAX_TIMEOUT_SECONDS, ObjectRef, OperationAccepted, OperationView, Page, VmActionOptions,
    VmDetail, VmQuery, VmRow,
};
use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::actions::{perform, read};
use crate::authz::Target;
use crate::operations::{Plan, check_room, start};
use crate::request::Invocation;
use crate::workloads::{validate_ref, visibility};
use crate::{Context, Error, Result};

/// KubeVirt's default grace period when a VM sets none.
const KUBEVIRT_DEFAULT_GRACE: i64 = 180;

pub use bosun_model::VmCommand;

/// The action a request asks for. A stop or restart with `gracePeriodSeconds: 0` is the
/// forced one, whether or not it says `force`: it is audited, authorized and refused as
/// what it does.
fn action_of(command: VmCommand, options: &VmActionOptions) -> Result<Action> {
    let zero_grace = options.grace_period_seconds == Some(0)
        && matches!(command, VmCommand::Stop | VmCommand::Restart);
    command
        .action(options.force || zero_grace)
        .map_err(Error::BadRequest)
}

fn vm_ref(object: &ObjectRef) -> Result<()> {
    if object.kind != KindId::VirtualMachine {
        return Err(Error::BadRequest(format!(
            "{} is not a virtual machine",
            object.describe()
        )));
    }
    validate_ref(object)
}

/// A page of VMs, joined with their instances.
pub async fn list(ctx: &Context, inv: &Invocation, query: &VmQuery) -> Result<Page<VmRow>> {
    let target = Target::scope(
        query.cluster.as_deref().unwrap_or(""),
        query.namespace.as_deref().unwrap_or(""),
    );
    read(ctx, inv, target, async {
        ctx.clusters.vms(query, &visibility(inv))
    })
    .await
}

/// One VM with its instance.
pub async fn detail(ctx: &Context, inv: &Invocation, object: &ObjectRef) -> Result<VmDetail> {
    read(ctx, inv, Target::object(object), async {
        vm_ref(object)?;
        ctx.clusters.vm(object)
    })
    .await
}

/// The VM now, then again each time it or its instance changes (pushed from the watch
/// caches), for as long as it exists.
pub async fn follow(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
) -> Result<impl Stream<Item = Result<VmDetail>> + Send + 'static> {
    let instance = ObjectRef {
        kind: KindId::VirtualMachineInstance,
        ..object.clone()
    };
    // Subscribed before the first view, so a change in between is not taken as seen; the
    // view's error (not found, forbidden) comes first.
    let receivers = [
        ctx.clusters.changes(object),
        ctx.clusters.changes(&instance),
    ];
    let first = detail(ctx, inv, object).await?;
    let receivers = receivers.into_iter().collect::<Result<Vec<_>>>()?;
    let backend = ctx.clusters.clone();
    let target = object.clone();
    Ok(crate::live::follow(
        object.cluster.clone(),
        receivers,
        first,
        move || backend.vm(&target),
    ))
}

/// The VM's operations, newest first: its restart history.
pub async fn history(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
) -> Result<Vec<OperationView>> {
    vm_ref(object)?;
    crate::operations::of_object(ctx, inv, object, 100).await
}

fn check_timeout(name: &str, value: Option<i64>) -> Result<()> {
    match value {
        Some(v) if !(1..=MAX_TIMEOUT_SECONDS).contains(&v) => Err(Error::BadRequest(format!(
            "{name} must be between 1 and {MAX_TIMEOUT_SECONDS} seconds (got {v})"
        ))),
        _ => Ok(()),
    }
}

/// The options with their defaults, checked; and the grace period a stop sends.
fn resolve(
    action: Action,
    options: &VmActionOptions,
    vm: &VmDetail,
) -> Result<(VmActionOptions, i64)> {
    check_timeout("stopTimeoutSeconds", options.stop_timeout_seconds)?;
    check_timeout("startTimeoutSeconds", options.start_timeout_seconds)?;
    let grace = options.grace_period_seconds;
    match (action, grace) {
        (_, Some(g)) if !(0..=MAX_TIMEOUT_SECONDS).contains(&g) => {
            return Err(Error::BadRequest(format!(
                "gracePeriodSeconds must be between 0 and {MAX_TIMEOUT_SECONDS} (got {g})"
            )));
        }
        (Action::VmRestart | Action::VmForceRestart, Some(g)) if g != 0 => {
            return Err(Error::BadRequest(format!(
                "gracePeriodSeconds {g} is not accepted for a restart: KubeVirt takes only 0 (a forced restart); use stopTimeoutSeconds for how long to wait for the guest"
            )));
        }
        (Action::VmStart | Action::VmPause | Action::VmUnpause, Some(_)) => {
            return Err(Error::BadRequest(format!(
                "gracePeriodSeconds does not apply to {}",
                action.name()
            )));
        }
        _ => {}
    }
    // The console never forces a stop before the grace period it sent has run out.
    let stop_timeout = match (options.stop_timeout_seconds, grace) {
        (Some(timeout), Some(g)) if g > timeout => {
            return Err(Error::BadRequest(format!(
                "stopTimeoutSeconds {timeout} is shorter than gracePeriodSeconds {g}: the console would force the stop before the guest's grace period ends"
            )));
        }
        (Some(timeout), _) => timeout,
        (None, Some(g)) => DEFAULT_STOP_TIMEOUT_SECONDS.max(g),
        (None, None) => DEFAULT_STOP_TIMEOUT_SECONDS,
    };
    let start_timeout = options
        .start_timeout_seconds
        .unwrap_or(DEFAULT_START_TIMEOUT_SECONDS);
    // A stop always carries a grace period: the one asked for, else no longer than the
    // console waits and never longer than the guest's own.
    let own = vm
        .termination_grace_seconds
        .unwrap_or(KUBEVIRT_DEFAULT_GRACE);
    let grace = match action {
        Action::VmForceStop | Action::VmForceRestart => 0,
        // At least 1 s: a graceful stop is never silently a forced one.
        _ => grace.unwrap_or_else(|| stop_timeout.min(own).max(1)),
    };
    let force = matches!(action, Action::VmForceStop | Action::VmForceRestart);
    Ok((
        VmActionOptions {
            force,
            grace_period_seconds: matches!(action, Action::VmStop | Action::VmForceStop)
                .then_some(grace),
            stop_timeout_seconds: Some(stop_timeout),
            start_timeout_seconds: Some(start_timeout),
        },
        grace,
    ))
}

/// Carries out a lifecycle action as a tracked operation: authorized, checked against
/// the VM's state (a refusal names it, 409), its first request sent while the caller
/// waits, the rest followed in the background. The audit record names the operation.
pub async fn command(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
    command: VmCommand,
    options: VmActionOptions,
) -> Result<OperationAccepted> {
    let action = action_of(command, &options)?;
    let id = uuid::Uuid::new_v4().to_string();
    let mut parameters = serde_json::to_value(options).unwrap_or_default();
    parameters["operation_id"] = json!(id);
    let (ctx, inv, object) = (ctx.clone(), inv.clone(), object.clone());
    crate::actions::detached(async move {
        perform(
            &ctx,
            &inv,
            action,
            &Target::object(&object),
            parameters,
            |_| async {
                vm_ref(&object)?;
                if let Some(refusal) = object.kind.info().refusal(action) {
                    return Err(Error::NotApplicable(refusal));
                }
                let vm = ctx.clusters.vm(&object)?;
                // A running operation explains a VM's state better than the state does.
                check_room(&ctx, &object, action).await?;
                if let Some(why) = vm.row.refusal(action) {
                    return Err(Error::Conflict(why));
                }
                let (options, grace) = resolve(action, &options, &vm)?;
                let plan = Plan {
                    action,
                    target: object.clone(),
                    options,
                    grace,
                };
                start(&ctx, &inv, id, plan, &vm).await
            },
        )
        .await
    })
    .await
}

/// One item of a bulk VM action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmBatchItem {
    pub target: ObjectRef,
    pub success: bool,
    pub operation_id: Option<String>,
    pub state: Option<bosun_model::OperationState>,
    pub message: String,
}

/// Runs one command on many VMs with bounded concurrency, yielding each result as it
/// comes; each item is authorized, checked and audited on its own.
pub fn batch<'a>(
    ctx: &'a Context,
    inv: &'a Invocation,
    targets: Vec<ObjectRef>,
    command: VmCommand,
    options: VmActionOptions,
) -> impl Stream<Item = VmBatchItem> + 'a {
    futures::stream::iter(targets)
        .map(move |target| async move {
            match self::command(ctx, inv, &target, command, options).await {
                Ok(accepted) => VmBatchItem {
                    target,
                    success: true,
                    operation_id: Some(accepted.operation_id),
                    state: Some(accepted.state),
                    message: accepted.message,
                },
                Err(e) => VmBatchItem {
                    target,
                    success: false,
                    operation_id: None,
                    state: None,
                    message: e.public_message(),
                },
            }
        })
        .buffer_unordered(ctx.limits.batch_concurrency.max(1))
}

/// Checks a bulk request before any item runs: neither empty nor too large, only VMs,
/// and the caller may do the action somewhere.
pub async fn check_batch(
    ctx: &Context,
    inv: &Invocation,
    targets: &[ObjectRef],
    command: VmCommand,
    options: &VmActionOptions,
) -> Result<()> {
    let action = action_of(command, options)?;
    if let Some(first) = targets.first() {
        let allowed = targets.iter().any(|t| {
            crate::authz::authorize(inv.caller.as_ref(), action, &Target::object(t)).is_ok()
        });
        if !allowed {
            let params = json!({ "targets": targets.len() });
            crate::actions::permit(ctx, inv, action, &Target::object(first), &params).await?;
        }
    }
    if targets.is_empty() {
        return Err(Error::BadRequest(
            "targets is empty: select at least one virtual machine".into(),
        ));
    }
    if targets.len() > ctx.limits.max_batch {
        return Err(Error::BadRequest(format!(
            "too many targets: at most {} per batch (got {})",
            ctx.limits.max_batch,
            targets.len()
        )));
    }
    if let Some(other) = targets.iter().find(|t| t.kind != KindId::VirtualMachine) {
        return Err(Error::BadRequest(format!(
            "{} is not a virtual machine",
            other.describe()
        )));
    }
    Ok(())
}
