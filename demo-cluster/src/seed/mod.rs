//! The deterministic demo world: namespaces, nodes, workloads of every supported kind,
//! CloneSets under canary Rollouts (one paused at step 1), and VMs in `vms` and `lab`. Workloads
//! are created as specs; the controllers bring up their pods.

mod config;
mod crds;
mod cron_history;
mod kruise;
mod kubevirt;
mod rollouts;
mod workloads;

use std::sync::Arc;

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::kinds::{Res, res, storage_def};
use crate::store::Store;
use crate::{defaults, meta};

/// Creates an object with kind defaults applied.
pub fn put(store: &Store, r: Res, mut obj: Value) -> Result<Arc<Value>> {
    if let Some(def) = storage_def(r) {
        obj["apiVersion"] = json!(def.api_version());
        obj["kind"] = json!(def.kind);
        defaults::apply(def, &mut obj);
    }
    let what = format!("{}/{}", r.1, meta::name(&obj));
    store.create(r, obj).map_err(|e| Error::Seed {
        what,
        message: e.message,
    })
}

fn ns_obj(name: &str) -> Value {
    json!({ "metadata": { "name": name } })
}

/// A Node with capacity, Ready condition and kubelet info.
pub fn node(name: &str, control_plane: bool) -> Value {
    let mut labels = json!({
        "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
        "topology.kubernetes.io/zone": if name.ends_with('3') { "zone-b" } else { "zone-a" },
    });
    let mut taints = json!([]);
    if control_plane {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
        taints =
            json!([{ "key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule" }]);
    } else {
        labels["node-role.kubernetes.io/worker"] = json!("");
    }
    let idx = name.rsplit('-').next().unwrap_or("0");
    let now = crate::clock::now_rfc3339();
    let cond = |t: &str, s: &str, r: &str| json!({ "type": t, "status": s, "reason": r, "message": "", "lastHeartbeatTime": now, "lastTransitionTime": now });
    json!({
        "metadata": { "name": name, "labels": labels },
        "spec": { "podCIDR": format!("10.244.{idx}.0/24"), "taints": taints },
        "status": {
            "capacity": { "cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "100Gi" },
            "allocatable": { "cpu": "7800m", "memory": "31Gi", "pods": "110", "ephemeral-storage": "95Gi" },
            "conditions": [
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory"),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure"),
                cond("PIDPressure", "False", "KubeletHasSufficientPID"),
                cond("Ready", "True", "KubeletReady"),
            ],
            "addresses": [
                { "type": "InternalIP", "address": format!("192.168.49.{}", 10 + idx.parse::<u32>().unwrap_or(0)) },
                { "type": "Hostname", "address": name },
            ],
            "nodeInfo": {
                "kubeletVersion": "v1.32.0", "kubeProxyVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12 (bookworm)",
                "kernelVersion": "6.1.0-demo", "containerRuntimeVersion": "containerd://1.7.22",
                "operatingSystem": "linux", "architecture": "amd64",
                "machineID": format!("{:032x}", meta::fnv(name.as_bytes())), "systemUUID": "", "bootID": "",
            },
        },
    })
}

/// A container with one named port and small requests.
pub fn container(name: &str, image: &str, port: i64) -> Value {
    json!({
        "name": name, "image": image,
        "ports": [{ "containerPort": port, "name": "http" }],
        "resources": { "requests": { "cpu": "100m", "memory": "128Mi" } },
    })
}

/// A pod template with app label and the given containers.
pub fn template(app: &str, containers: Value) -> Value {
    json!({ "metadata": { "labels": { "app": app } }, "spec": { "containers": containers } })
}

/// A Deployment of `app`.
pub fn deployment(ns: &str, name: &str, replicas: i64, image: &str) -> Value {
    json!({
        "metadata": { "name": name, "namespace": ns, "labels": { "app": name } },
        "spec": {
            "replicas": replicas,
            "selector": { "matchLabels": { "app": name } },
            "template": template(name, json!([container(name, image, 8080)])),
        },
    })
}

/// A Service selecting `app=name`.
pub fn service(ns: &str, name: &str, port: i64, headless: bool) -> Value {
    let mut s = json!({
        "metadata": { "name": name, "namespace": ns, "labels": { "app": name } },
        "spec": { "selector": { "app": name }, "ports": [{ "name": "http", "port": port, "targetPort": 8080 }] },
    });
    if headless {
        s["spec"]["clusterIP"] = json!("None");
    }
    s
}

/// Seeds the whole demo world.
pub fn seed(store: &Store) -> Result<()> {
    for ns in [
        "default",
        "kube-system",
        "kube-public",
        "kruise-system",
        "shop",
        "payments",
        "data",
        "vms",
        "lab",
    ] {
        put(store, res::NAMESPACES, ns_obj(ns))?;
        put(
            store,
            ("", "serviceaccounts"),
            json!({ "metadata": { "name": "default", "namespace": ns } }),
        )?;
    }
    put(store, res::NODES, node("node-1", true))?;
    put(store, res::NODES, node("node-2", false))?;
    put(store, res::NODES, node("node-3", false))?;
    workloads::workloads(store)?;
    kruise::kruise(store)?;
    rollouts::rollouts(store)?;
    kubevirt::kubevirt(store)?;
    config::config(store)?;
    crds::crds(store)?;
    Ok(())
}
