//! Seeded KubeVirt VMs: running, stopped, and one whose guest ignores graceful shutdown.

use serde_json::{Value, json};

use super::put;
use crate::error::Result;
use crate::kinds::res;
use crate::store::Store;

fn vm(name: &str, strategy: &str) -> Value {
    json!({
        "metadata": { "name": name, "namespace": "vms", "labels": { "app": name } },
        "spec": {
            "runStrategy": strategy,
            "template": {
                "metadata": { "labels": { "kubevirt.io/vm": name } },
                "spec": {
                    "domain": {
                        "cpu": { "cores": 2 }, "memory": { "guest": "2Gi" },
                        "devices": { "disks": [{ "name": "root", "disk": { "bus": "virtio" } }] },
                    },
                    "volumes": [{ "name": "root", "containerDisk": { "image": "quay.io/containerdisks/fedora:40" } }],
                    "terminationGracePeriodSeconds": 30,
                },
            },
        },
    })
}

pub fn kubevirt(store: &Store) -> Result<()> {
    put(store, res::VMS, vm("vm-running", "Always"))?;
    put(store, res::VMS, vm("vm-stopped", "Halted"))?;
    put(store, res::VMS, vm("vm-hung", "Always"))?;
    Ok(())
}
