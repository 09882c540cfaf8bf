//! A KubeVirt VirtualMachine's row and detail, joined with its VirtualMachineInstance
//! (same namespace and name) for node, address, phase and readiness.

use bosun_model::{VmDetail, VmInstance, VmRow};
use kube::api::DynamicObject;
use serde_json::Value;

use super::{as_json, conditions, created, yaml};
use crate::json;

/// The effective run strategy: `spec.runStrategy`, else the legacy `spec.running`.
fn run_strategy(vm: &Value) -> String {
    match json::str(vm, "/spec/runStrategy") {
        "" => match vm.pointer("/spec/running").and_then(Value::as_bool) {
            Some(true) => "Always".into(),
            Some(false) => "Halted".into(),
            None => json::str(vm, "/status/runStrategy").to_string(),
        },
        s => s.to_string(),
    }
}

/// Virtual CPUs: cores × sockets × threads, or the CPU request.
fn cpu(domain: &Value) -> String {
    let part = |p: &str| json::opt_int(domain, p);
    match (
        part("/cpu/cores"),
        part("/cpu/sockets"),
        part("/cpu/threads"),
    ) {
        (None, None, None) => json::str(domain, "/resources/requests/cpu").to_string(),
        (c, s, t) => (c.unwrap_or(1) * s.unwrap_or(1) * t.unwrap_or(1)).to_string(),
    }
}

fn memory(domain: &Value) -> String {
    match json::str(domain, "/memory/guest") {
        "" => json::str(domain, "/resources/requests/memory").to_string(),
        m => m.to_string(),
    }
}

fn is_true(conds: &[Value], ty: &str) -> bool {
    conds
        .iter()
        .any(|c| json::str(c, "/type") == ty && json::str(c, "/status") == "True")
}

fn ips(vmi: &Value) -> Vec<String> {
    json::array(vmi, "/status/interfaces")
        .iter()
        .map(|i| json::str(i, "/ipAddress").to_string())
        .filter(|ip| !ip.is_empty())
        .collect()
}

/// The printable status, from the VM when it says, else from the instance.
fn printable(vm: &Value, vmi: Option<&Value>) -> String {
    let stated = json::str(vm, "/status/printableStatus");
    if !stated.is_empty() {
        return stated.to_string();
    }
    match vmi {
        None => "Stopped".into(),
        Some(i) if i.pointer("/metadata/deletionTimestamp").is_some() => "Stopping".into(),
        Some(i) if is_true(json::array(i, "/status/conditions"), "Paused") => "Paused".into(),
        Some(i) => match json::str(i, "/status/phase") {
            "Running" => "Running".into(),
            "Succeeded" | "Failed" => "Stopped".into(),
            _ => "Starting".into(),
        },
    }
}

/// A VM's row; `vmi` is its instance, if one exists.
#[must_use]
pub fn vm_row(cluster: &str, vm: &DynamicObject, vmi: Option<&DynamicObject>) -> VmRow {
    let v = as_json(vm);
    let i = vmi.map(as_json);
    let domain = v
        .pointer("/spec/template/spec/domain")
        .unwrap_or(&Value::Null);
    let ready = i.as_ref().is_some_and(|i| {
        json::str(i, "/status/phase") == "Running"
            && is_true(json::array(i, "/status/conditions"), "Ready")
    });
    VmRow {
        cluster: cluster.to_string(),
        namespace: vm.metadata.namespace.clone().unwrap_or_default(),
        name: vm.metadata.name.clone().unwrap_or_default(),
        status: printable(&v, i.as_ref()),
        run_strategy: run_strategy(&v),
        node: i
            .as_ref()
            .map(|i| json::str(i, "/status/nodeName").to_string())
            .unwrap_or_default(),
        ip: i
            .as_ref()
            .and_then(|i| ips(i).into_iter().next())
            .unwrap_or_default(),
        cpu: cpu(domain),
        memory: memory(domain),
        created: created(vm),
        ready,
        has_instance: vmi.is_some(),
    }
}

fn instance(vmi: &DynamicObject) -> VmInstance {
    let i = as_json(vmi);
    let os = format!(
        "{} {}",
        json::str(&i, "/status/guestOSInfo/name"),
        json::str(&i, "/status/guestOSInfo/version")
    );
    VmInstance {
        uid: vmi.metadata.uid.clone().unwrap_or_default(),
        phase: json::str(&i, "/status/phase").to_string(),
        node: json::str(&i, "/status/nodeName").to_string(),
        ips: ips(&i),
        guest_os: os.trim().to_string(),
        conditions: conditions(&i),
        created: created(vmi),
        deleting_since: vmi
            .metadata
            .deletion_timestamp
            .as_ref()
            .map(|t| t.0.to_string()),
    }
}

/// A VM's detail page.
#[must_use]
pub fn vm_detail(cluster: &str, vm: &DynamicObject, vmi: Option<&DynamicObject>) -> VmDetail {
    let v = as_json(vm);
    VmDetail {
        row: vm_row(cluster, vm, vmi),
        uid: vm.metadata.uid.clone().unwrap_or_default(),
        labels: json::string_map(&v, "/metadata/labels"),
        annotations: json::string_map(&v, "/metadata/annotations"),
        conditions: conditions(&v),
        instance: vmi.map(instance),
        termination_grace_seconds: json::opt_int(
            &v,
            "/spec/template/spec/terminationGracePeriodSeconds",
        ),
        yaml: yaml(vm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> DynamicObject {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn joins_the_instance_for_node_address_and_readiness() {
        let vm = object(json!({
            "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
            "metadata": { "name": "db", "namespace": "vms" },
            "spec": { "running": true, "template": { "spec": { "domain": {
                "cpu": { "cores": 2, "sockets": 2 }, "memory": { "guest": "4Gi" },
            } } } },
            "status": { "printableStatus": "Running" },
        }));
        let vmi = object(json!({
            "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
            "metadata": { "name": "db", "namespace": "vms", "uid": "u1" },
            "status": {
                "phase": "Running", "nodeName": "node-2",
                "interfaces": [{ "name": "default", "ipAddress": "10.0.0.7" }],
                "conditions": [{ "type": "Ready", "status": "True" }],
            },
        }));
        let row = vm_row("demo", &vm, Some(&vmi));
        assert_eq!(row.run_strategy, "Always");
        assert_eq!((row.cpu.as_str(), row.memory.as_str()), ("4", "4Gi"));
        assert_eq!((row.node.as_str(), row.ip.as_str()), ("node-2", "10.0.0.7"));
        assert!(row.ready && row.has_instance);
        let stopped = vm_row(
            "demo",
            &object(json!({
                "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
                "metadata": { "name": "db", "namespace": "vms" },
                "spec": { "runStrategy": "Halted" },
            })),
            None,
        );
        assert_eq!(stopped.status, "Stopped");
        assert!(!stopped.has_instance);
    }
}
