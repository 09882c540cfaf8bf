//! `start`, `stop` and `restart` of a VirtualMachine, with virt-api's checks per run
//! strategy. Always and Once VMs are started and stopped by rewriting the run strategy
//! (`spec.runStrategy`, or legacy `spec.running`); Manual and RerunOnFailure VMs, and
//! every restart, by state change requests on the VM's status, which the VM controller
//! consumes. A stop's `gracePeriod` becomes the VMI's `terminationGracePeriodSeconds`
//! (0: the VMI is removed at once); a restart takes no grace period but 0 (forced: the
//! VMI is removed at once, even one already shutting down).

use std::sync::Arc;

use serde_json::{Value, json};

use super::Call;
use crate::controllers::kubevirt::power::{self, run_strategy};
use crate::kinds::res;
use crate::meta;
use crate::status::{ApiError, ApiResult};

const VM: &str = "virtualmachine";
const NOT_RUNNING: &str = "VM is not running";
const UNDERWAY: &str = "unable to complete request: stop/start already underway";

fn vm(call: &Call) -> ApiResult<Arc<Value>> {
    call.app
        .store
        .get(res::VMS, call.ns, call.name)
        .ok_or_else(|| call.not_found(VM))
}

fn vmi(call: &Call) -> Option<Arc<Value>> {
    call.app.store.get(res::VMIS, call.ns, call.name)
}

/// A grace period field of the body: absent, or a number (anything else is a 400).
fn seconds(call: &Call, field: &str) -> ApiResult<Option<i64>> {
    match call.body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| {
            ApiError::bad_request(format!(
                "Can not unmarshal Request body to struct, error: {field} must be an integer"
            ))
        }),
    }
}

pub fn start(call: &Call) -> ApiResult<()> {
    let vm = vm(call)?;
    let vmi = vmi(call);
    let paused = call.body["paused"].as_bool().unwrap_or(false);
    let phase = vmi
        .as_deref()
        .map_or("", |v| meta::s(v, &["status", "phase"]));
    if vmi.as_deref().is_some_and(|v| !power::is_final(v)) && !matches!(phase, "" | "Unknown") {
        return Err(call.conflict(VM, "VM is already running"));
    }
    let strategy = run_strategy(&vm);
    match strategy.as_str() {
        "Halted" => {
            if !call.dry_run() {
                // One write: a paused start must not boot unpaused in between.
                let paused_start = paused.then(|| vec![power::start_request(true)]);
                change_vm(call, |o| {
                    if let Some(r) = &paused_start {
                        push(call, o, r.clone())?;
                    }
                    set_running(o, true);
                    Ok(())
                })?;
            }
        }
        "Manual" | "RerunOnFailure" => {
            let failed = vmi
                .as_deref()
                .is_some_and(|v| meta::s(v, &["status", "phase"]) == "Failed");
            if strategy == "RerunOnFailure" && failed {
                return Err(call.conflict(
                    VM,
                    "RerunOnFailure does not support starting VM from failed state",
                ));
            }
            let mut requests = Vec::new();
            if let Some(v) = vmi.as_deref().filter(|v| power::is_final(v)) {
                requests.push(power::stop_request(meta::uid(v)));
            }
            requests.push(power::start_request(paused));
            if !call.dry_run() {
                change_vm(call, |o| push(call, o, requests.clone()))?;
            }
        }
        other => {
            return Err(call.conflict(
                VM,
                &format!("{other} does not support manual start requests"),
            ));
        }
    }
    Ok(())
}

pub fn stop(call: &Call) -> ApiResult<()> {
    let vm = vm(call)?;
    let grace = seconds(call, "gracePeriod")?;
    let vmi = vmi(call).filter(|v| !power::is_final(v));
    let strategy = run_strategy(&vm);
    let stop_request = match (strategy.as_str(), vmi.as_deref()) {
        ("Halted" | "Manual" | "RerunOnFailure", None) => {
            return Err(call.conflict(VM, NOT_RUNNING));
        }
        ("Halted", Some(v)) => {
            // A Halted VM still shutting down may only be hurried along.
            let old =
                meta::get(v, &["spec", "terminationGracePeriodSeconds"]).and_then(Value::as_i64);
            if grace.is_none() || old.is_some_and(|o| grace >= Some(o)) {
                return Err(call.conflict(
                    VM,
                    "Halted only supports manual stop requests with a shorter graceperiod",
                ));
            }
            Some(power::stop_request(meta::uid(v)))
        }
        ("Manual" | "RerunOnFailure", Some(v)) => Some(power::stop_request(meta::uid(v))),
        _ => None,
    };
    if call.dry_run() {
        return Ok(());
    }
    // The grace period first, so the controller's shutdown already uses it.
    if let (Some(v), Some(g)) = (vmi.as_deref(), grace.filter(|g| *g > 0)) {
        set_grace(call, v, g)?;
    }
    change_vm(call, |o| {
        match &stop_request {
            Some(r) => power::set_requests(&mut o["status"], vec![r.clone()]),
            None => set_running(o, false),
        }
        Ok(())
    })?;
    if let (Some(v), Some(0)) = (vmi.as_deref(), grace) {
        power::kill(
            &call.app.store,
            Some(&vm),
            v,
            "forced stop (grace period 0)",
        );
    }
    Ok(())
}

pub fn restart(call: &Call) -> ApiResult<()> {
    let forced = match seconds(call, "gracePeriodSeconds")? {
        Some(g) if g > 0 => {
            return Err(ApiError::bad_request(
                "For force restart, only gracePeriod=0 is supported for now",
            ));
        }
        Some(g) if g < 0 => {
            return Err(ApiError::bad_request(
                "gracePeriod has to be greater or equal to 0",
            ));
        }
        Some(_) => true,
        None => false,
    };
    let vm = vm(call)?;
    let strategy = run_strategy(&vm);
    if matches!(strategy.as_str(), "Halted" | "Once") {
        // (sic: virt-api's spelling)
        return Err(call.conflict(
            VM,
            &format!("RunStategy {strategy} does not support manual restart requests"),
        ));
    }
    let Some(v) = vmi(call) else {
        return Err(call.conflict(VM, NOT_RUNNING));
    };
    if call.dry_run() {
        return Ok(());
    }
    let restart = vec![
        power::stop_request(meta::uid(&v)),
        power::start_request(false),
    ];
    // A forced restart overrides a graceful one still waiting for its guest.
    if forced {
        change_vm(call, |o| {
            power::set_requests(&mut o["status"], restart.clone());
            Ok(())
        })?;
        power::kill(
            &call.app.store,
            Some(&vm),
            &v,
            "forced restart (grace period 0)",
        );
    } else {
        change_vm(call, |o| push(call, o, restart.clone()))?;
    }
    Ok(())
}

/// One atomic change of the VM as stored now (`f` runs again after a lost race).
fn change_vm(call: &Call, f: impl FnMut(&mut Value) -> ApiResult<()>) -> ApiResult<()> {
    call.app.store.modify(res::VMS, call.ns, call.name, f)?;
    Ok(())
}

/// Sets the run strategy (or legacy `spec.running`) to run or halt the VM.
fn set_running(vm: &mut Value, running: bool) {
    if meta::get(vm, &["spec", "running"]).is_some_and(Value::is_boolean) {
        meta::set(vm, &["spec", "running"], json!(running));
    } else {
        let strategy = if running { "Always" } else { "Halted" };
        meta::set(vm, &["spec", "runStrategy"], json!(strategy));
    }
}

/// Adds state change requests, refused (409) while others are still pending.
fn push(call: &Call, vm: &mut Value, requests: Vec<Value>) -> ApiResult<()> {
    if !power::requests(vm).is_empty() {
        return Err(call.conflict(VM, UNDERWAY));
    }
    power::set_requests(&mut vm["status"], requests);
    Ok(())
}

/// A stop's grace period becomes the VMI's; a shutdown under way gets the shorter one.
fn set_grace(call: &Call, vmi: &Value, grace: i64) -> ApiResult<()> {
    let uid = meta::uid(vmi).to_string();
    call.app.store.modify(res::VMIS, call.ns, call.name, |o| {
        if meta::uid(o) != uid {
            return Ok(());
        }
        meta::set(o, &["spec", "terminationGracePeriodSeconds"], json!(grace));
        if meta::is_terminating(o)
            && meta::i(o, &["metadata", "deletionGracePeriodSeconds"]) > grace
        {
            meta::set(o, &["metadata", "deletionGracePeriodSeconds"], json!(grace));
        }
        Ok(())
    })?;
    Ok(())
}
