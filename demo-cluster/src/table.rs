//! Server-side `meta.k8s.io/v1` Tables, so `kubectl get` prints the real columns.

use serde_json::{Value, json};

use crate::clock::{age_secs, human_duration};
use crate::kinds::KindDef;
use crate::meta::{get, i, s};

type CellFn = fn(&Value) -> Value;

struct Col {
    name: &'static str,
    ty: &'static str,
    priority: u8,
    cell: CellFn,
}

const fn col(name: &'static str, ty: &'static str, priority: u8, cell: CellFn) -> Col {
    Col {
        name,
        ty,
        priority,
        cell,
    }
}

fn name_cell(o: &Value) -> Value {
    json!(crate::meta::name(o))
}

fn age_cell(o: &Value) -> Value {
    json!(human_duration(age_secs(s(
        o,
        &["metadata", "creationTimestamp"]
    ))))
}

fn str_or_none(v: &str) -> Value {
    json!(if v.is_empty() { "<none>" } else { v })
}

fn pod_ready(o: &Value) -> Value {
    let cs = get(o, &["status", "containerStatuses"]).and_then(Value::as_array);
    let total = get(o, &["spec", "containers"])
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let ready = cs.map_or(0, |c| c.iter().filter(|x| x["ready"] == true).count());
    json!(format!("{ready}/{total}"))
}

fn pod_status(o: &Value) -> Value {
    if crate::meta::is_terminating(o) {
        return json!("Terminating");
    }
    if let Some(cs) = get(o, &["status", "containerStatuses"]).and_then(Value::as_array) {
        for c in cs {
            if let Some(r) = c.pointer("/state/waiting/reason").and_then(Value::as_str) {
                return json!(r);
            }
        }
        if s(o, &["status", "phase"]) == "Succeeded" {
            return json!("Completed");
        }
    }
    json!(s(o, &["status", "phase"]))
}

/// `3 (45s ago)`: restarts and the age of the latest one, as the real printer shows them.
fn pod_restarts(o: &Value) -> Value {
    let statuses = get(o, &["status", "containerStatuses"])
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let n: i64 = statuses
        .iter()
        .map(|x| x["restartCount"].as_i64().unwrap_or(0))
        .sum();
    let last = statuses
        .iter()
        .filter_map(|x| x.pointer("/lastState/terminated/finishedAt")?.as_str())
        .max();
    json!(match last {
        Some(t) if n > 0 => format!("{n} ({} ago)", human_duration(age_secs(t))),
        _ => n.to_string(),
    })
}

fn ready_of(o: &Value, ready: &[&str], total: &[&str]) -> Value {
    json!(format!("{}/{}", i(o, ready), i(o, total)))
}

fn images(o: &Value) -> Value {
    let cs = get(o, &["spec", "template", "spec", "containers"]).and_then(Value::as_array);
    json!(cs.map_or(String::new(), |c| {
        c.iter()
            .map(|x| x["image"].as_str().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(",")
    }))
}

fn node_status(o: &Value) -> Value {
    let ready = get(o, &["status", "conditions"])
        .and_then(Value::as_array)
        .is_some_and(|c| {
            c.iter()
                .any(|x| x["type"] == "Ready" && x["status"] == "True")
        });
    let mut st = if ready {
        "Ready".to_string()
    } else {
        "NotReady".to_string()
    };
    if crate::meta::b(o, &["spec", "unschedulable"]) {
        st.push_str(",SchedulingDisabled");
    }
    json!(st)
}

fn node_roles(o: &Value) -> Value {
    let roles: Vec<&str> = crate::meta::labels(o)
        .map(|l| {
            l.keys()
                .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
                .collect()
        })
        .unwrap_or_default();
    str_or_none(&roles.join(","))
}

fn svc_ports(o: &Value) -> Value {
    let ps = get(o, &["spec", "ports"]).and_then(Value::as_array);
    let txt = ps.map_or(String::new(), |p| {
        p.iter()
            .map(|x| format!("{}/{}", x["port"], x["protocol"].as_str().unwrap_or("TCP")))
            .collect::<Vec<_>>()
            .join(",")
    });
    str_or_none(&txt)
}

fn count_keys(o: &Value, field: &str) -> Value {
    json!(
        o.get(field)
            .and_then(Value::as_object)
            .map_or(0, |m| m.len())
    )
}

fn job_status(o: &Value) -> Value {
    let done = get(o, &["status", "conditions"])
        .and_then(Value::as_array)
        .is_some_and(|c| {
            c.iter()
                .any(|x| x["type"] == "Complete" && x["status"] == "True")
        });
    json!(if done { "Complete" } else { "Running" })
}

fn canary_step(o: &Value) -> Value {
    json!(i(o, &["status", "canaryStatus", "currentStepIndex"]))
}

fn columns(d: &KindDef) -> Vec<Col> {
    let name = col("Name", "string", 0, name_cell);
    let age = col("Age", "string", 0, age_cell);
    match (d.group, d.plural) {
        ("", "pods") => vec![
            name,
            col("Ready", "string", 0, pod_ready),
            col("Status", "string", 0, pod_status),
            col("Restarts", "string", 0, pod_restarts),
            age,
            col("IP", "string", 1, |o| {
                str_or_none(s(o, &["status", "podIP"]))
            }),
            col("Node", "string", 1, |o| {
                str_or_none(s(o, &["spec", "nodeName"]))
            }),
        ],
        ("", "nodes") => vec![
            name,
            col("Status", "string", 0, node_status),
            col("Roles", "string", 0, node_roles),
            age,
            col("Version", "string", 0, |o| {
                json!(s(o, &["status", "nodeInfo", "kubeletVersion"]))
            }),
        ],
        ("", "namespaces") => vec![
            name,
            col("Status", "string", 0, |o| json!(s(o, &["status", "phase"]))),
            age,
        ],
        ("", "services") => vec![
            name,
            col("Type", "string", 0, |o| json!(s(o, &["spec", "type"]))),
            col("Cluster-IP", "string", 0, |o| {
                str_or_none(s(o, &["spec", "clusterIP"]))
            }),
            col("External-IP", "string", 0, |_| json!("<none>")),
            col("Port(s)", "string", 0, svc_ports),
            age,
        ],
        ("", "endpoints") => vec![
            name,
            col("Endpoints", "string", 0, |o| {
                let mut eps = Vec::new();
                for s in o
                    .get("subsets")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let port = s.pointer("/ports/0/port").and_then(Value::as_i64);
                    for a in s
                        .get("addresses")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let ip = a["ip"].as_str().unwrap_or("");
                        eps.push(port.map_or(ip.to_string(), |p| format!("{ip}:{p}")));
                    }
                }
                let more = eps.len().saturating_sub(3);
                eps.truncate(3);
                let mut txt = eps.join(",");
                if more > 0 {
                    txt.push_str(&format!(" + {more} more..."));
                }
                str_or_none(&txt)
            }),
            age,
        ],
        ("", "configmaps") => vec![
            name,
            col("Data", "integer", 0, |o| count_keys(o, "data")),
            age,
        ],
        ("", "secrets") => vec![
            name,
            col("Type", "string", 0, |o| json!(s(o, &["type"]))),
            col("Data", "integer", 0, |o| count_keys(o, "data")),
            age,
        ],
        ("", "persistentvolumeclaims") => vec![
            name,
            col("Status", "string", 0, |o| json!(s(o, &["status", "phase"]))),
            col("Volume", "string", 0, |o| {
                json!(s(o, &["spec", "volumeName"]))
            }),
            col("Capacity", "string", 0, |o| {
                json!(s(o, &["status", "capacity", "storage"]))
            }),
            col("StorageClass", "string", 0, |o| {
                json!(s(o, &["spec", "storageClassName"]))
            }),
            age,
        ],
        ("", "events") => vec![
            col("Last Seen", "string", 0, |o| {
                json!(human_duration(age_secs(s(o, &["lastTimestamp"]))))
            }),
            col("Type", "string", 0, |o| json!(s(o, &["type"]))),
            col("Reason", "string", 0, |o| json!(s(o, &["reason"]))),
            col("Object", "string", 0, |o| {
                json!(format!(
                    "{}/{}",
                    s(o, &["involvedObject", "kind"]).to_lowercase(),
                    s(o, &["involvedObject", "name"])
                ))
            }),
            col("Message", "string", 0, |o| json!(s(o, &["message"]))),
        ],
        ("apps", "deployments") => vec![
            name,
            col("Ready", "string", 0, |o| {
                ready_of(o, &["status", "readyReplicas"], &["spec", "replicas"])
            }),
            col("Up-to-date", "integer", 0, |o| {
                json!(i(o, &["status", "updatedReplicas"]))
            }),
            col("Available", "integer", 0, |o| {
                json!(i(o, &["status", "availableReplicas"]))
            }),
            age,
            col("Images", "string", 1, images),
        ],
        ("apps", "replicasets") => vec![
            name,
            col("Desired", "integer", 0, |o| {
                json!(i(o, &["spec", "replicas"]))
            }),
            col("Current", "integer", 0, |o| {
                json!(i(o, &["status", "replicas"]))
            }),
            col("Ready", "integer", 0, |o| {
                json!(i(o, &["status", "readyReplicas"]))
            }),
            age,
            col("Images", "string", 1, images),
        ],
        ("apps", "statefulsets") => vec![
            name,
            col("Ready", "string", 0, |o| {
                ready_of(o, &["status", "readyReplicas"], &["spec", "replicas"])
            }),
            age,
        ],
        ("apps", "daemonsets") => vec![
            name,
            col("Desired", "integer", 0, |o| {
                json!(i(o, &["status", "desiredNumberScheduled"]))
            }),
            col("Current", "integer", 0, |o| {
                json!(i(o, &["status", "currentNumberScheduled"]))
            }),
            col("Ready", "integer", 0, |o| {
                json!(i(o, &["status", "numberReady"]))
            }),
            col("Up-to-date", "integer", 0, |o| {
                json!(i(o, &["status", "updatedNumberScheduled"]))
            }),
            col("Available", "integer", 0, |o| {
                json!(i(o, &["status", "numberAvailable"]))
            }),
            age,
        ],
        ("apps", "controllerrevisions") => vec![
            name,
            col("Revision", "integer", 0, |o| json!(i(o, &["revision"]))),
            age,
        ],
        ("batch", "jobs") => vec![
            name,
            col("Status", "string", 0, job_status),
            col("Completions", "string", 0, |o| {
                json!(format!(
                    "{}/{}",
                    i(o, &["status", "succeeded"]),
                    get(o, &["spec", "completions"])
                        .and_then(Value::as_i64)
                        .unwrap_or(1)
                ))
            }),
            age,
        ],
        ("batch", "cronjobs") => vec![
            name,
            col("Schedule", "string", 0, |o| {
                json!(s(o, &["spec", "schedule"]))
            }),
            col("Suspend", "boolean", 0, |o| {
                json!(crate::meta::b(o, &["spec", "suspend"]))
            }),
            col("Active", "integer", 0, |o| {
                json!(
                    get(o, &["status", "active"])
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len)
                )
            }),
            col("Last Schedule", "string", 0, |o| {
                let t = s(o, &["status", "lastScheduleTime"]);
                str_or_none(&if t.is_empty() {
                    String::new()
                } else {
                    human_duration(age_secs(t))
                })
            }),
            age,
        ],
        ("policy", "poddisruptionbudgets") => vec![
            name,
            col("Min Available", "string", 0, |o| {
                get(o, &["spec", "minAvailable"])
                    .cloned()
                    .unwrap_or(json!("N/A"))
            }),
            col("Max Unavailable", "string", 0, |o| {
                get(o, &["spec", "maxUnavailable"])
                    .cloned()
                    .unwrap_or(json!("N/A"))
            }),
            col("Allowed Disruptions", "integer", 0, |o| {
                json!(i(o, &["status", "disruptionsAllowed"]))
            }),
            age,
        ],
        ("apps.kruise.io", "clonesets") => vec![
            name,
            col("Desired", "integer", 0, |o| {
                json!(i(o, &["spec", "replicas"]))
            }),
            col("Updated", "integer", 0, |o| {
                json!(i(o, &["status", "updatedReplicas"]))
            }),
            col("Updated_Ready", "integer", 0, |o| {
                json!(i(o, &["status", "updatedReadyReplicas"]))
            }),
            col("Ready", "integer", 0, |o| {
                json!(i(o, &["status", "readyReplicas"]))
            }),
            col("Total", "integer", 0, |o| {
                json!(i(o, &["status", "replicas"]))
            }),
            age,
        ],
        ("rollouts.kruise.io", "rollouts") => vec![
            name,
            col("Status", "string", 0, |o| json!(s(o, &["status", "phase"]))),
            col("Canary_Step", "integer", 0, canary_step),
            col("Canary_State", "string", 0, |o| {
                json!(s(o, &["status", "canaryStatus", "currentStepState"]))
            }),
            col("Message", "string", 0, |o| {
                json!(s(o, &["status", "message"]))
            }),
            age,
        ],
        ("kubevirt.io", "virtualmachines") => vec![
            name,
            age,
            col("Status", "string", 0, |o| {
                json!(s(o, &["status", "printableStatus"]))
            }),
            col("Ready", "string", 0, |o| {
                json!(if crate::meta::b(o, &["status", "ready"]) {
                    "True"
                } else {
                    "False"
                })
            }),
        ],
        ("kubevirt.io", "virtualmachineinstances") => vec![
            name,
            age,
            col("Phase", "string", 0, |o| json!(s(o, &["status", "phase"]))),
            col("IP", "string", 0, |o| {
                json!(
                    o.pointer("/status/interfaces/0/ipAddress")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                )
            }),
            col("NodeName", "string", 0, |o| {
                json!(s(o, &["status", "nodeName"]))
            }),
        ],
        ("cert-manager.io", "certificates") => vec![
            name,
            col("Ready", "string", 0, ready_condition),
            col("Secret", "string", 0, |o| {
                json!(s(o, &["spec", "secretName"]))
            }),
            age,
        ],
        ("cert-manager.io", _) => vec![name, col("Ready", "string", 0, ready_condition), age],
        ("apiextensions.k8s.io", "customresourcedefinitions") => vec![
            name,
            col("Created At", "date", 0, |o| {
                json!(s(o, &["metadata", "creationTimestamp"]))
            }),
        ],
        _ => vec![name, age],
    }
}

/// The status of a `Ready` condition, as a CRD's printer column reads it.
fn ready_condition(o: &Value) -> Value {
    let status = get(o, &["status", "conditions"])
        .and_then(Value::as_array)
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
        .and_then(|c| c["status"].as_str())
        .unwrap_or("");
    json!(status)
}

/// Whether an `Accept` header asks for a Table.
pub fn wants_table(accept: &str) -> bool {
    accept.contains("as=Table")
}

/// Builds a Table for `items`. `include_object`: "None", "Metadata" (default) or "Object".
pub fn table(
    d: &KindDef,
    items: &[&Value],
    list_meta: Value,
    include_object: &str,
    with_defs: bool,
) -> Value {
    let cols = columns(d);
    let defs: Vec<Value> = cols
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "type": c.ty,
                "format": if c.name == "Name" { "name" } else { "" },
                "description": "",
                "priority": c.priority,
            })
        })
        .collect();
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let cells: Vec<Value> = cols.iter().map(|c| (c.cell)(o)).collect();
            let object = match include_object {
                "None" => Value::Null,
                "Object" => (*o).clone(),
                _ => json!({
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": o.get("metadata").cloned().unwrap_or(json!({})),
                }),
            };
            json!({ "cells": cells, "object": object })
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": if with_defs { json!(defs) } else { json!([]) },
        "rows": rows,
    })
}
