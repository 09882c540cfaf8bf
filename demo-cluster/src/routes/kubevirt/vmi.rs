//! `pause` and `unpause` of a running VirtualMachineInstance: the guest's Paused
//! condition (reason PausedByUser) comes and goes, and the VM's `printableStatus` follows
//! (Paused). Checked against the VMI as stored at the moment of the write, so two
//! pauses cannot both succeed.

use serde_json::Value;

use super::Call;
use crate::controllers::events;
use crate::controllers::kubevirt::power::{self, HANDLER};
use crate::kinds::res;
use crate::status::{ApiError, ApiResult};

const VMI: &str = "virtualmachineinstance";

pub fn pause(call: &Call) -> ApiResult<()> {
    set_paused(call, true)
}

pub fn unpause(call: &Call) -> ApiResult<()> {
    set_paused(call, false)
}

/// Why the VMI cannot be (un)paused now, if it cannot.
fn refusal(call: &Call, vmi: &Value, pause: bool) -> Option<ApiError> {
    let why = if !power::is_running(vmi) {
        "VMI is not running"
    } else if pause && power::is_paused(vmi) {
        "VMI is already paused"
    } else if !pause && !power::is_paused(vmi) {
        "VMI is not paused"
    } else {
        return None;
    };
    Some(call.conflict(VMI, why))
}

fn set_paused(call: &Call, pause: bool) -> ApiResult<()> {
    let store = &call.app.store;
    let vmi = store
        .get(res::VMIS, call.ns, call.name)
        .ok_or_else(|| call.not_found(VMI))?;
    if let Some(e) = refusal(call, &vmi, pause) {
        return Err(e);
    }
    if call.dry_run() {
        return Ok(());
    }
    let stored = store.modify(res::VMIS, call.ns, call.name, |o| {
        if let Some(e) = refusal(call, o, pause) {
            return Err(e);
        }
        power::set_paused(o, pause);
        Ok(())
    })?;
    let (reason, message) = if pause {
        ("Paused", "VMI was paused by user")
    } else {
        ("Unpaused", "VMI was unpaused by user")
    };
    events::record(store, &stored, "Normal", reason, message, HANDLER);
    Ok(())
}
