//! What happens to a guest, shared by the controller and the lifecycle API: run
//! strategies, grace periods, shutdown and kill, pause, and the VM's
//! `status.stateChangeRequests`, through which virt-api asks the VM controller to stop
//! and start a VM that keeps its run strategy (a restart is `[Stop(uid), Start]`).

use serde_json::{Value, json};

use crate::clock::now_rfc3339;
use crate::controllers::events;
use crate::kinds::res;
use crate::meta;
use crate::status::ApiResult;
use crate::store::Store;

/// Template (and so VMI) annotation of a guest that ignores ACPI shutdown: its VMI stays
/// terminating until its grace period runs out or a forced stop or restart removes it.
pub const GUEST_IGNORES_SHUTDOWN: &str = "demo.bosun.dev/guest-ignores-shutdown";

/// KubeVirt's default `terminationGracePeriodSeconds`.
pub const DEFAULT_GRACE_SECS: i64 = 180;

/// Simulated seconds a guest that honours ACPI shutdown takes to power off.
pub const GRACEFUL_STOP_SECS: i64 = 10;

/// Event sources, as KubeVirt's components report them.
pub const CONTROLLER: &str = "virtualmachine-controller";
pub const HANDLER: &str = "virt-handler";

/// The effective run strategy (`spec.runStrategy`, else legacy `spec.running`).
pub fn run_strategy(vm: &Value) -> String {
    match meta::s(vm, &["spec", "runStrategy"]) {
        "" => {
            if meta::b(vm, &["spec", "running"]) {
                "Always".into()
            } else {
                "Halted".into()
            }
        }
        s => s.to_string(),
    }
}

/// The grace period a stop gives the guest: the VMI's own, else KubeVirt's default.
pub fn grace_of(vmi: &Value) -> i64 {
    meta::get(vmi, &["spec", "terminationGracePeriodSeconds"])
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_GRACE_SECS)
        .max(0)
}

/// Succeeded or Failed: the guest is gone for good.
pub fn is_final(vmi: &Value) -> bool {
    matches!(meta::s(vmi, &["status", "phase"]), "Succeeded" | "Failed")
}

pub fn is_running(vmi: &Value) -> bool {
    meta::s(vmi, &["status", "phase"]) == "Running"
}

/// Whether the VMI has condition `type` with status True.
pub fn has_condition(vmi: &Value, ty: &str) -> bool {
    vmi.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == ty && c["status"] == "True"))
}

pub fn is_paused(vmi: &Value) -> bool {
    has_condition(vmi, "Paused")
}

/// The readiness a running guest reports: Ready, or (paused) not Ready plus Paused, as
/// the launcher pod's `kubevirt.io/virtual-machine-unpaused` readiness gate makes it.
pub fn running_conditions(paused: bool, now: &str) -> Value {
    if !paused {
        return json!([{ "type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": now }]);
    }
    json!([
        {
            "type": "Ready", "status": "False", "reason": "PodNotReady",
            "message": "The status of pod readiness gate \"kubevirt.io/virtual-machine-unpaused\" is not \"True\", but False",
            "lastProbeTime": null, "lastTransitionTime": now,
        },
        {
            "type": "Paused", "status": "True", "reason": "PausedByUser",
            "message": "VMI was paused by user",
            "lastProbeTime": null, "lastTransitionTime": now,
        },
    ])
}

/// Pauses or unpauses a running VMI's guest (its conditions say which).
pub fn set_paused(vmi: &mut Value, paused: bool) {
    meta::set(
        vmi,
        &["status", "conditions"],
        running_conditions(paused, &now_rfc3339()),
    );
}

/// The VM's pending `status.stateChangeRequests`.
pub fn requests(vm: &Value) -> Vec<Value> {
    vm.pointer("/status/stateChangeRequests")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Stores `requests` as the pending state changes of a VM `status` (none: the field goes).
pub fn set_requests(status: &mut Value, requests: Vec<Value>) {
    if requests.is_empty() {
        if let Some(s) = status.as_object_mut() {
            s.remove("stateChangeRequests");
        }
    } else {
        meta::set(status, &["stateChangeRequests"], json!(requests));
    }
}

pub fn stop_request(vmi_uid: &str) -> Value {
    json!({ "action": "Stop", "uid": vmi_uid })
}

pub fn start_request(paused: bool) -> Value {
    if paused {
        json!({ "action": "Start", "data": { "paused": "true" } })
    } else {
        json!({ "action": "Start" })
    }
}

/// Asks the guest to shut down within `grace` seconds: the VMI gets its
/// `deletionTimestamp` and `deletionGracePeriodSeconds`. A shutdown already under way
/// keeps its start and only ever gets a shorter grace period.
pub fn shut_down(store: &Store, vmi: &Value, grace: i64) -> ApiResult<()> {
    let (ns, name) = (meta::namespace(vmi), meta::name(vmi));
    let uid = meta::uid(vmi).to_string();
    store.modify(res::VMIS, ns, name, |o| {
        if meta::uid(o) != uid {
            return Ok(());
        }
        if !meta::is_terminating(o) {
            meta::set(o, &["metadata", "deletionTimestamp"], json!(now_rfc3339()));
            meta::set(o, &["metadata", "deletionGracePeriodSeconds"], json!(grace));
        } else if meta::i(o, &["metadata", "deletionGracePeriodSeconds"]) > grace {
            meta::set(o, &["metadata", "deletionGracePeriodSeconds"], json!(grace));
        }
        Ok(())
    })?;
    Ok(())
}

/// The VM controller's stop of a VM's VMI: a graceful shutdown with the guest's grace
/// period, recorded on the VM as KubeVirt does.
pub fn stop_vmi(store: &Store, vm: &Value, vmi: &Value) {
    if shut_down(store, vmi, grace_of(vmi)).is_ok() {
        record_stopped(store, vm, vmi);
    }
}

/// Removes a VMI at once: a forced stop or restart, or a guest killed when its grace
/// period ran out. `why` ends the VMI's `Deleted` event.
pub fn kill(store: &Store, vm: Option<&Value>, vmi: &Value, why: &str) {
    let (ns, name) = (meta::namespace(vmi), meta::name(vmi));
    if store
        .get(res::VMIS, ns, name)
        .is_none_or(|v| meta::uid(&v) != meta::uid(vmi))
    {
        return;
    }
    events::record(
        store,
        vmi,
        "Normal",
        "Deleted",
        &format!("Signaled Deletion: {why}"),
        HANDLER,
    );
    store.remove(res::VMIS, ns, name);
    if let Some(vm) = vm {
        record_stopped(store, vm, vmi);
    }
}

fn record_stopped(store: &Store, vm: &Value, vmi: &Value) {
    events::record(
        store,
        vm,
        "Normal",
        "SuccessfulDelete",
        &format!(
            "Stopped the virtual machine by deleting the virtual machine instance {}",
            meta::uid(vmi)
        ),
        CONTROLLER,
    );
}
