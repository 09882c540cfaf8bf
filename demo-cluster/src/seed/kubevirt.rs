//! Seeded KubeVirt VMs in two namespaces. `vms`: `vm-running` (Always), `vm-stopped`
//! (Halted), `vm-hung` (Always; its guest ignores ACPI shutdown and has a 3600 s grace
//! period, so a graceful stop or restart hangs until forced) and `vm-paused` (Always,
//! its VMI seeded running and paused). `lab`: `build-agent` (legacy `spec.running:
//! true`), `dev-desktop` (RerunOnFailure) and `scratch` (Manual, started by a pending
//! Start request as virt-api would leave it).

use serde_json::{Value, json};

use super::put;
use crate::controllers::kubevirt::power::{GUEST_IGNORES_SHUTDOWN, start_request};
use crate::controllers::kubevirt::{FINALIZER, vmi};
use crate::error::Result;
use crate::kinds::res;
use crate::store::Store;

/// How a seeded VM runs.
enum Run {
    Strategy(&'static str),
    /// Legacy `spec.running`.
    Running(bool),
}

/// A VM of `cores` CPUs and `memory` booting `image`; `grace` is its
/// `terminationGracePeriodSeconds` (absent: KubeVirt's 180 s).
struct Vm {
    ns: &'static str,
    name: &'static str,
    run: Run,
    image: &'static str,
    cores: i64,
    memory: &'static str,
    grace: Option<i64>,
    ignores_shutdown: bool,
}

impl Vm {
    fn object(&self) -> Value {
        let mut spec = json!({
            "domain": {
                "cpu": { "cores": self.cores },
                "memory": { "guest": self.memory },
                "resources": { "requests": { "memory": self.memory } },
                "devices": {
                    "disks": [{ "name": "root", "disk": { "bus": "virtio" } }],
                    "interfaces": [{ "name": "default", "masquerade": {} }],
                },
            },
            "networks": [{ "name": "default", "pod": {} }],
            "volumes": [{ "name": "root", "containerDisk": { "image": self.image } }],
        });
        if let Some(g) = self.grace {
            spec["terminationGracePeriodSeconds"] = json!(g);
        }
        let mut template = json!({
            "metadata": { "labels": { "kubevirt.io/vm": self.name, "app": self.name } },
            "spec": spec,
        });
        if self.ignores_shutdown {
            template["metadata"]["annotations"] = json!({ GUEST_IGNORES_SHUTDOWN: "true" });
        }
        let mut vm = json!({
            "metadata": {
                "name": self.name, "namespace": self.ns,
                "labels": { "app": self.name },
                "finalizers": [FINALIZER],
            },
            "spec": { "template": template },
        });
        match self.run {
            Run::Strategy(s) => vm["spec"]["runStrategy"] = json!(s),
            Run::Running(r) => vm["spec"]["running"] = json!(r),
        }
        vm
    }
}

const FEDORA: &str = "quay.io/containerdisks/fedora:40";
const UBUNTU: &str = "quay.io/containerdisks/ubuntu:24.04";
const DEBIAN: &str = "quay.io/containerdisks/debian:12";
const CENTOS: &str = "quay.io/containerdisks/centos-stream:9";

fn vm(ns: &'static str, name: &'static str, run: Run, image: &'static str) -> Vm {
    Vm {
        ns,
        name,
        run,
        image,
        cores: 2,
        memory: "2Gi",
        grace: None,
        ignores_shutdown: false,
    }
}

pub fn kubevirt(store: &Store) -> Result<()> {
    let always = || Run::Strategy("Always");
    put(
        store,
        res::VMS,
        Vm {
            grace: Some(30),
            ..vm("vms", "vm-running", always(), FEDORA)
        }
        .object(),
    )?;
    put(
        store,
        res::VMS,
        vm("vms", "vm-stopped", Run::Strategy("Halted"), UBUNTU).object(),
    )?;
    put(
        store,
        res::VMS,
        Vm {
            grace: Some(3600),
            ignores_shutdown: true,
            ..vm("vms", "vm-hung", always(), CENTOS)
        }
        .object(),
    )?;
    let paused = put(
        store,
        res::VMS,
        Vm {
            cores: 1,
            memory: "1Gi",
            ..vm("vms", "vm-paused", always(), FEDORA)
        }
        .object(),
    )?;
    paused_vmi(store, &paused)?;
    put(
        store,
        res::VMS,
        Vm {
            cores: 4,
            memory: "8Gi",
            ..vm("lab", "build-agent", Run::Running(true), DEBIAN)
        }
        .object(),
    )?;
    put(
        store,
        res::VMS,
        Vm {
            memory: "4Gi",
            ..vm(
                "lab",
                "dev-desktop",
                Run::Strategy("RerunOnFailure"),
                UBUNTU,
            )
        }
        .object(),
    )?;
    let mut scratch = Vm {
        cores: 1,
        memory: "1Gi",
        ..vm("lab", "scratch", Run::Strategy("Manual"), FEDORA)
    }
    .object();
    scratch["status"] = json!({ "stateChangeRequests": [start_request(false)] });
    put(store, res::VMS, scratch)?;
    Ok(())
}

/// `vms/vm-paused`'s VMI: booted on node-2, then paused by a user.
fn paused_vmi(store: &Store, vm: &Value) -> Result<()> {
    let mut vmi = vmi::new_vmi(vm, false);
    vmi["metadata"]["labels"]["kubevirt.io/nodeName"] = json!("node-2");
    vmi["status"] = vmi::running_status(&vmi, "node-2", true);
    put(store, res::VMIS, vmi)?;
    Ok(())
}
