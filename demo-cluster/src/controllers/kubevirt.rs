//! KubeVirt: a VirtualMachine's run strategy decides whether its VirtualMachineInstance
//! exists; VMIs go Pending → Scheduled → Running (Ready) and stop gracefully in about ten
//! simulated seconds — except VMs with "hung" in their name, whose guests ignore graceful
//! shutdown, so only a forced stop (grace period 0) removes them.

use serde_json::{Value, json};

use super::{Ctx, set_condition, write_status};
use crate::clock::now_rfc3339;
use crate::kinds::res;
use crate::meta;

/// Seconds a graceful guest shutdown takes.
pub const GRACEFUL_STOP_SECS: f64 = 10.0;

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

fn new_vmi(vm: &Value) -> Value {
    let t = vm.pointer("/spec/template").cloned().unwrap_or(json!({}));
    json!({
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachineInstance",
        "metadata": {
            "name": meta::name(vm),
            "namespace": meta::namespace(vm),
            "labels": t.pointer("/metadata/labels").cloned().unwrap_or(json!({})),
            "ownerReferences": [meta::owner_ref(vm)],
            "finalizers": ["kubevirt.io/virtualMachineControllerFinalize"],
        },
        "spec": t.get("spec").cloned().unwrap_or(json!({})),
        "status": { "phase": "Pending" },
    })
}

pub fn reconcile(ctx: &mut Ctx) {
    vmis(ctx);
    for vm in ctx.store.all(res::VMS) {
        if meta::is_terminating(&vm) {
            continue;
        }
        let (ns, name) = (
            meta::namespace(&vm).to_string(),
            meta::name(&vm).to_string(),
        );
        let strategy = run_strategy(&vm);
        let vmi = ctx.store.get(res::VMIS, &ns, &name);
        let once_key = format!("once/{}", meta::uid(&vm));
        let want = match strategy.as_str() {
            "Always" | "RerunOnFailure" => Some(true),
            "Halted" => Some(false),
            "Once" => Some(vmi.is_some() || !ctx.state.has(&once_key)),
            _ => None, // Manual: only the start/stop subresources act
        };
        match (want, &vmi) {
            (Some(true), None) => {
                ctx.state.since(&once_key);
                if ctx.store.create(res::VMIS, new_vmi(&vm)).is_ok() {
                    let msg = format!(
                        "Started the virtual machine by creating the new virtual machine instance {name}"
                    );
                    super::events::record(
                        ctx.store,
                        &vm,
                        "Normal",
                        "SuccessfulCreate",
                        &msg,
                        "virtualmachine-controller",
                    );
                }
            }
            (Some(false), Some(v)) if !meta::is_terminating(v) => {
                let _ = ctx.store.modify(res::VMIS, &ns, &name, |o| {
                    meta::set(o, &["metadata", "deletionTimestamp"], json!(now_rfc3339()));
                    meta::set(o, &["metadata", "deletionGracePeriodSeconds"], json!(30));
                    Ok(())
                });
            }
            _ => {}
        }
        let vmi = ctx.store.get(res::VMIS, &ns, &name);
        let (printable, ready) = match &vmi {
            None => ("Stopped", false),
            Some(v) if meta::is_terminating(v) => ("Stopping", false),
            Some(v) => match meta::s(v, &["status", "phase"]) {
                "Running" => ("Running", true),
                "Succeeded" | "Failed" => ("Stopped", false),
                _ => ("Starting", false),
            },
        };
        let mut status = vm
            .get("status")
            .cloned()
            .filter(Value::is_object)
            .unwrap_or(json!({}));
        let mut conds: Vec<Value> = status["conditions"].as_array().cloned().unwrap_or_default();
        if ready {
            set_condition(&mut conds, "Ready", "True", "", "");
        } else {
            set_condition(
                &mut conds,
                "Ready",
                "False",
                "VMINotRunning",
                "VMI is not running",
            );
        }
        status["conditions"] = json!(conds);
        status["printableStatus"] = json!(printable);
        status["ready"] = json!(ready);
        status["created"] = json!(vmi.is_some());
        status["runStrategy"] = json!(strategy);
        write_status(ctx.store, res::VMS, &vm, status);
    }
}

fn vmis(ctx: &mut Ctx) {
    let nodes: Vec<String> = ctx
        .store
        .all(res::NODES)
        .iter()
        .filter(|n| !meta::b(n, &["spec", "unschedulable"]))
        .map(|n| meta::name(n).to_string())
        .collect();
    for vmi in ctx.store.all(res::VMIS) {
        let (ns, name) = (
            meta::namespace(&vmi).to_string(),
            meta::name(&vmi).to_string(),
        );
        let uid = meta::uid(&vmi).to_string();
        if meta::is_terminating(&vmi) {
            let key = format!("vmi-stop/{uid}");
            let hung = name.contains("hung");
            if !hung && ctx.after(&key, GRACEFUL_STOP_SECS) {
                ctx.store.remove(res::VMIS, &ns, &name);
                ctx.state.forget(&key);
            }
            continue;
        }
        let phase = meta::s(&vmi, &["status", "phase"]).to_string();
        let now = now_rfc3339();
        match phase.as_str() {
            "Pending" | "" if ctx.after(&format!("vmi-sched/{uid}"), 1.0) && !nodes.is_empty() => {
                let node =
                    nodes[(meta::fnv(name.as_bytes()) % nodes.len() as u64) as usize].clone();
                let _ = ctx.store.modify(res::VMIS, &ns, &name, |o| {
                    meta::set(o, &["status", "phase"], json!("Scheduled"));
                    meta::set(o, &["status", "nodeName"], json!(node));
                    meta::set(
                        o,
                        &["metadata", "labels", "kubevirt.io/nodeName"],
                        json!(node),
                    );
                    Ok(())
                });
            }
            "Scheduled" if ctx.after(&format!("vmi-run/{uid}"), 2.0) => {
                let ip = format!("10.244.9.{}", 2 + meta::fnv(name.as_bytes()) % 250);
                let _ = ctx.store.modify(res::VMIS, &ns, &name, |o| {
                        meta::set(o, &["status", "phase"], json!("Running"));
                        meta::set(o, &["status", "interfaces"], json!([{ "name": "default", "ipAddress": ip, "ipAddresses": [ip] }]));
                        meta::set(o, &["status", "conditions"], json!([{ "type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": now }]));
                        meta::set(o, &["status", "guestOSInfo"], json!({ "name": "Fedora Linux", "version": "40" }));
                        Ok(())
                    });
            }
            _ => {}
        }
    }
}
