//! VirtualMachineInstances, as virt-handler runs them: Pending → Scheduled (a node) →
//! Running (interfaces, guest OS, Ready) a few simulated seconds apart, and a graceful
//! shutdown once the VMI is marked for deletion. A normal guest powers off after
//! `min(GRACEFUL_STOP_SECS, grace)`; a guest annotated `GUEST_IGNORES_SHUTDOWN` does not,
//! and is killed when its grace period (`deletionGracePeriodSeconds`) runs out.

use serde_json::{Value, json};

use super::power::{self, GRACEFUL_STOP_SECS, GUEST_IGNORES_SHUTDOWN, HANDLER};
use crate::clock::now_rfc3339;
use crate::controllers::{Ctx, events, update};
use crate::kinds::res;
use crate::meta;

/// Simulated seconds from creation to scheduling, and from scheduling to a booted guest.
const SCHEDULE_SECS: f64 = 1.0;
const BOOT_SECS: f64 = 2.0;

/// A new VMI for `vm`: its template's labels, annotations and spec, owned by the VM.
/// `paused` starts the guest paused (`spec.startStrategy: Paused`).
pub fn new_vmi(vm: &Value, paused: bool) -> Value {
    let t = vm.pointer("/spec/template").cloned().unwrap_or(json!({}));
    let mut vmi = json!({
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachineInstance",
        "metadata": {
            "name": meta::name(vm),
            "namespace": meta::namespace(vm),
            "labels": t.pointer("/metadata/labels").cloned().filter(Value::is_object).unwrap_or(json!({})),
            "ownerReferences": [meta::owner_ref(vm)],
            "finalizers": ["kubevirt.io/virtualMachineControllerFinalize"],
        },
        "spec": t.get("spec").cloned().filter(Value::is_object).unwrap_or(json!({})),
        "status": { "phase": "Pending" },
    });
    if let Some(a) = t.pointer("/metadata/annotations").filter(|a| a.is_object()) {
        vmi["metadata"]["annotations"] = a.clone();
    }
    if paused {
        vmi["spec"]["startStrategy"] = json!("Paused");
    }
    vmi
}

/// The status of a booted guest on `node`.
pub fn running_status(vmi: &Value, node: &str, paused: bool) -> Value {
    let name = meta::name(vmi);
    let n = meta::fnv(format!("{}/{name}", meta::namespace(vmi)).as_bytes());
    let ip = format!("10.244.9.{}", 2 + n % 250);
    json!({
        "phase": "Running",
        "nodeName": node,
        "qosClass": "Burstable",
        "interfaces": [{
            "name": "default", "interfaceName": "eth0", "ipAddress": ip, "ipAddresses": [ip],
            "mac": format!("02:42:0a:f4:09:{:02x}", 2 + n % 250), "infoSource": "domain, guest-agent",
        }],
        "conditions": power::running_conditions(paused, &now_rfc3339()),
        "guestOSInfo": guest_os(vmi),
    })
}

/// What the guest agent reports, read from the container disk's image name.
fn guest_os(vmi: &Value) -> Value {
    let image = vmi
        .pointer("/spec/volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(|v| v.pointer("/containerDisk/image").and_then(Value::as_str))
        .unwrap_or("");
    let (id, name, version, kernel) = if image.contains("ubuntu") {
        ("ubuntu", "Ubuntu", "24.04", "6.8.0-31-generic")
    } else if image.contains("debian") {
        ("debian", "Debian GNU/Linux", "12", "6.1.0-21-cloud-amd64")
    } else if image.contains("centos") {
        ("centos", "CentOS Stream", "9", "5.14.0-437.el9.x86_64")
    } else {
        ("fedora", "Fedora Linux", "40", "6.8.5-301.fc40.x86_64")
    };
    json!({
        "id": id, "name": name, "version": version, "versionId": version,
        "prettyName": format!("{name} {version}"), "kernelRelease": kernel, "machine": "x86_64",
    })
}

pub fn reconcile(ctx: &mut Ctx) {
    // Guests run where a virt-launcher pod could: not on cordoned nodes, nor on ones
    // whose NoSchedule taints (the control plane's) it does not tolerate.
    let nodes: Vec<String> = ctx
        .store
        .all(res::NODES)
        .iter()
        .filter(|n| !meta::b(n, &["spec", "unschedulable"]))
        .filter(|n| {
            !n.pointer("/spec/taints")
                .and_then(Value::as_array)
                .is_some_and(|ts| ts.iter().any(|t| t["effect"] == "NoSchedule"))
        })
        .map(|n| meta::name(n).to_string())
        .collect();
    for vmi in ctx.store.all(res::VMIS) {
        if meta::is_terminating(&vmi) {
            shut_down(ctx, &vmi);
            continue;
        }
        let uid = meta::uid(&vmi).to_string();
        match meta::s(&vmi, &["status", "phase"]) {
            "Pending" | "" if ctx.after(&format!("vmi-sched/{uid}"), SCHEDULE_SECS) => {
                if nodes.is_empty() {
                    continue;
                }
                let at = meta::fnv(meta::name(&vmi).as_bytes()) % nodes.len() as u64;
                let node = nodes[at as usize].clone();
                update(ctx.store, res::VMIS, &vmi, |o| {
                    meta::set(o, &["status", "phase"], json!("Scheduled"));
                    meta::set(o, &["status", "nodeName"], json!(node));
                    meta::set(
                        o,
                        &["metadata", "labels", "kubevirt.io/nodeName"],
                        json!(node),
                    );
                });
            }
            "Scheduled" if ctx.after(&format!("vmi-run/{uid}"), BOOT_SECS) => {
                let node = meta::s(&vmi, &["status", "nodeName"]).to_string();
                let paused = meta::s(&vmi, &["spec", "startStrategy"]) == "Paused";
                let status = running_status(&vmi, &node, paused);
                if ctx
                    .store
                    .update(res::VMIS, &vmi, |o| o["status"] = status)
                    .is_ok()
                {
                    events::record(
                        ctx.store,
                        &vmi,
                        "Normal",
                        "Started",
                        "VirtualMachineInstance started.",
                        HANDLER,
                    );
                }
            }
            _ => {}
        }
    }
}

/// A VMI marked for deletion: its guest shuts down, or is killed when the grace period
/// runs out. One that never booted has nothing to shut down.
fn shut_down(ctx: &mut Ctx, vmi: &Value) {
    let uid = meta::uid(vmi).to_string();
    let grace = meta::get(vmi, &["metadata", "deletionGracePeriodSeconds"])
        .and_then(Value::as_i64)
        .unwrap_or_else(|| power::grace_of(vmi))
        .max(0);
    let stop_key = format!("vmi-stop/{uid}");
    let first_seen = !ctx.state.has(&stop_key);
    // The guest's shutdown clock starts now, whether or not it will honour it.
    ctx.state.since(&stop_key);
    if first_seen && power::is_running(vmi) && grace > 0 {
        events::record(
            ctx.store,
            vmi,
            "Normal",
            "ShuttingDown",
            "Signaled Graceful Shutdown",
            HANDLER,
        );
    }
    let honours = meta::annotation(vmi, GUEST_IGNORES_SHUTDOWN) != Some("true");
    let (ns, name) = (meta::namespace(vmi), meta::name(vmi));
    if !power::is_running(vmi) {
        ctx.store.remove(res::VMIS, ns, name);
    } else if honours && ctx.after(&stop_key, GRACEFUL_STOP_SECS.min(grace) as f64) {
        events::record(
            ctx.store,
            vmi,
            "Normal",
            "Stopped",
            "The VirtualMachineInstance was shut down.",
            HANDLER,
        );
        ctx.store.remove(res::VMIS, ns, name);
    } else if ctx.after(&format!("vmi-kill/{uid}/{grace}"), grace as f64) {
        let why = format!("the guest did not shut down within its {grace}s grace period");
        power::kill(ctx.store, None, vmi, &why);
    }
}
