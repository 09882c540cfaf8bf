//! KubeVirt's VM controller. A VirtualMachine's run strategy decides whether its
//! VirtualMachineInstance should exist (Always and RerunOnFailure: yes, Halted: no,
//! Manual: only `start`/`stop` decide, Once: one run), and pending
//! `status.stateChangeRequests` come first: `[Stop(uid), Start]` is a restart that keeps
//! the run strategy, consumed in order (the Stop once that VMI is gone, the Start by
//! creating a new one). Stopping a VMI is asking its guest to shut down (`power.rs`);
//! the guest's side is `vmi.rs`.
//!
//! The VM's status says what a console shows: `printableStatus` (Stopped, Starting,
//! Running, Paused, Stopping while its VMI shuts down, Terminating while the VM itself
//! is being deleted), `ready`, `created`, `runStrategy`, and conditions Ready and Paused.
//! VMs carry KubeVirt's finalizer, so a deleted VM stays Terminating until its guest is
//! gone.

pub mod power;
pub mod vmi;

use serde_json::{Value, json};

use super::{Ctx, events, set_condition, update, write_status};
use crate::kinds::res;
use crate::meta;
use power::{CONTROLLER, run_strategy};

/// The finalizer virt-controller puts on the VMs and VMIs it manages.
pub const FINALIZER: &str = "kubevirt.io/virtualMachineControllerFinalize";

pub fn reconcile(ctx: &mut Ctx) {
    vmi::reconcile(ctx);
    for vm in ctx.store.all(res::VMS) {
        reconcile_vm(ctx, &vm);
    }
}

fn has_finalizer(vm: &Value) -> bool {
    meta::get(vm, &["metadata", "finalizers"])
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|x| x == FINALIZER))
}

/// The VMI of `vm` (same name, controlled by it).
fn vmi_of(ctx: &Ctx, vm: &Value) -> Option<std::sync::Arc<Value>> {
    ctx.store
        .get(res::VMIS, meta::namespace(vm), meta::name(vm))
        .filter(|v| meta::controller_uid(v).is_none_or(|u| u == meta::uid(vm)))
}

fn reconcile_vm(ctx: &mut Ctx, vm: &Value) {
    if meta::is_terminating(vm) {
        finish_deletion(ctx, vm);
        return;
    }
    if !has_finalizer(vm) {
        // Written as read; the status follows next pass.
        update(ctx.store, res::VMS, vm, |o| {
            let mut f = meta::get(o, &["metadata", "finalizers"])
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            f.push(json!(FINALIZER));
            meta::set(o, &["metadata", "finalizers"], json!(f));
        });
        return;
    }
    let pending = apply_requests(ctx, vm);
    if pending.is_empty() {
        apply_run_strategy(ctx, vm);
    }
    let vmi = vmi_of(ctx, vm);
    let mut status = vm_status(vm, vmi.as_deref());
    power::set_requests(&mut status, pending);
    write_status(ctx.store, res::VMS, vm, status);
}

/// Works through the pending state change requests in order, as far as they can go
/// now; returns the ones still pending.
fn apply_requests(ctx: &mut Ctx, vm: &Value) -> Vec<Value> {
    let mut pending = power::requests(vm);
    while let Some(first) = pending.first() {
        let vmi = vmi_of(ctx, vm);
        match first["action"].as_str() {
            Some("Stop") => {
                let uid = first["uid"].as_str();
                match vmi {
                    Some(v) if uid.is_none_or(|u| u == meta::uid(&v)) => {
                        if !meta::is_terminating(&v) {
                            power::stop_vmi(ctx.store, vm, &v);
                        }
                        break;
                    }
                    // That VMI is gone: the stop is done.
                    _ => {
                        pending.remove(0);
                    }
                }
            }
            Some("Start") => match vmi {
                None => {
                    let paused = first.pointer("/data/paused") == Some(&json!("true"));
                    create_vmi(ctx, vm, paused);
                    pending.remove(0);
                    break;
                }
                Some(v) if !meta::is_terminating(&v) => {
                    pending.remove(0);
                }
                // The old VMI is still shutting down.
                Some(_) => break,
            },
            _ => {
                pending.remove(0);
            }
        }
    }
    pending
}

/// Starts or stops the VMI as the run strategy wants it, when no request is pending.
fn apply_run_strategy(ctx: &mut Ctx, vm: &Value) {
    let vmi = vmi_of(ctx, vm);
    let once_key = format!("once/{}", meta::uid(vm));
    let want = match run_strategy(vm).as_str() {
        "Always" => Some(true),
        // Guests here never fail, so there is nothing to rerun. Without a VMI it starts
        // only when it just became RerunOnFailure (a new VM, a changed strategy): one
        // stopped by a stop request stays stopped until a start request.
        "RerunOnFailure" => match &vmi {
            Some(v) => Some(!power::is_final(v)),
            None => Some(meta::s(vm, &["status", "runStrategy"]) != "RerunOnFailure"),
        },
        "Halted" => Some(false),
        "Once" => Some(vmi.is_some() || !ctx.state.has(&once_key)),
        _ => None, // Manual: only the start/stop requests act.
    };
    match (want, vmi) {
        (Some(true), None) => {
            ctx.state.since(&once_key);
            create_vmi(ctx, vm, false);
        }
        (Some(false), Some(v)) if !meta::is_terminating(&v) && !power::is_final(&v) => {
            power::stop_vmi(ctx.store, vm, &v);
        }
        (Some(false), Some(v)) if power::is_final(&v) => {
            ctx.store
                .remove(res::VMIS, meta::namespace(&v), meta::name(&v));
        }
        _ => {}
    }
}

fn create_vmi(ctx: &Ctx, vm: &Value, paused: bool) {
    if ctx
        .store
        .create(res::VMIS, vmi::new_vmi(vm, paused))
        .is_ok()
    {
        let msg = format!(
            "Started the virtual machine by creating the new virtual machine instance {}",
            meta::name(vm)
        );
        events::record(
            ctx.store,
            vm,
            "Normal",
            "SuccessfulCreate",
            &msg,
            CONTROLLER,
        );
    }
}

/// A deleted VM: its guest shuts down gracefully, then the finalizer goes and so does
/// the VM.
fn finish_deletion(ctx: &mut Ctx, vm: &Value) {
    if let Some(v) = vmi_of(ctx, vm) {
        if !meta::is_terminating(&v) {
            power::stop_vmi(ctx.store, vm, &v);
        }
        let status = vm_status(vm, Some(&v));
        write_status(ctx.store, res::VMS, vm, status);
        return;
    }
    if !has_finalizer(vm) {
        return;
    }
    let released = ctx.store.update(res::VMS, vm, |o| {
        if let Some(f) = o
            .pointer_mut("/metadata/finalizers")
            .and_then(Value::as_array_mut)
        {
            f.retain(|x| x != FINALIZER);
        }
    });
    if let Ok(vm) = released {
        let left = meta::get(&vm, &["metadata", "finalizers"])
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if left == 0 {
            ctx.store
                .remove(res::VMS, meta::namespace(&vm), meta::name(&vm));
        }
    }
}

/// What the VM's status says of it and its VMI (pending requests are kept as read).
fn vm_status(vm: &Value, vmi: Option<&Value>) -> Value {
    let mut status = vm
        .get("status")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or(json!({}));
    let printable = match vmi {
        _ if meta::is_terminating(vm) => "Terminating",
        None => "Stopped",
        Some(v) if meta::is_terminating(v) => "Stopping",
        Some(v) if power::is_running(v) && power::is_paused(v) => "Paused",
        Some(v) if power::is_running(v) => "Running",
        Some(v) if power::is_final(v) => "Stopped",
        Some(_) => "Starting",
    };
    let ready = vmi.is_some_and(|v| {
        power::is_running(v) && !meta::is_terminating(v) && power::has_condition(v, "Ready")
    });
    let mut conds: Vec<Value> = status["conditions"].as_array().cloned().unwrap_or_default();
    match vmi {
        _ if ready => set_condition(&mut conds, "Ready", "True", "", ""),
        None => set_condition(
            &mut conds,
            "Ready",
            "False",
            "VMINotExists",
            "VMI does not exist",
        ),
        Some(v) if power::is_paused(v) => set_condition(
            &mut conds,
            "Ready",
            "False",
            "PodNotReady",
            "The status of pod readiness gate \"kubevirt.io/virtual-machine-unpaused\" is not \"True\", but False",
        ),
        Some(_) => set_condition(
            &mut conds,
            "Ready",
            "False",
            "VMINotRunning",
            "VMI is not running",
        ),
    }
    if vmi.is_some_and(power::is_paused) {
        set_condition(
            &mut conds,
            "Paused",
            "True",
            "PausedByUser",
            "VMI was paused by user",
        );
    } else {
        conds.retain(|c| c["type"] != "Paused");
    }
    status["conditions"] = json!(conds);
    status["printableStatus"] = json!(printable);
    status["ready"] = json!(ready);
    status["created"] = json!(vmi.is_some());
    status["runStrategy"] = json!(run_strategy(vm));
    status
}
