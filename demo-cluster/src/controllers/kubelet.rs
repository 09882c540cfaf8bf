//! Kubelet: scheduled pods start after a short (simulated) delay and become Running and
//! Ready; pods of Jobs (restartPolicy Never/OnFailure) succeed a little later; terminating
//! pods disappear after their grace period (capped so demos stay snappy).

use serde_json::{Value, json};

use super::Ctx;
use crate::clock::now_rfc3339;
use crate::kinds::res;
use crate::meta;

/// Simulated seconds from scheduling to Running/Ready.
pub const START_SECS: f64 = 1.5;
/// Simulated seconds a run-to-completion pod runs.
const RUN_SECS: f64 = 3.0;
/// Upper bound on the simulated graceful termination.
const MAX_GRACE_SECS: f64 = 2.0;

/// The IP a pod gets on a node (stable per pod name).
pub fn pod_ip(node: &str, pod: &Value) -> String {
    let idx: u64 = node
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(9);
    let h = meta::fnv(format!("{}/{}", meta::namespace(pod), meta::name(pod)).as_bytes());
    format!("10.244.{}.{}", idx, 2 + h % 250)
}

/// Status of a pod that is Running and Ready on `node`.
pub fn running_status(pod: &Value, node: &str, now: &str) -> Value {
    let statuses: Vec<Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    let name = c["name"].as_str().unwrap_or("");
                    let image = c["image"].as_str().unwrap_or("");
                    json!({
                        "name": name,
                        "image": image,
                        "imageID": format!("docker.io/library/{image}@sha256:{:016x}", meta::fnv(image.as_bytes())),
                        "containerID": format!("containerd://{:016x}", meta::fnv(format!("{}/{name}", meta::uid(pod)).as_bytes())),
                        "ready": true,
                        "started": true,
                        "restartCount": 0,
                        "state": { "running": { "startedAt": now } },
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let ip = pod_ip(node, pod);
    let cond = |t: &str| json!({ "type": t, "status": "True", "lastProbeTime": null, "lastTransitionTime": now });
    json!({
        "phase": "Running",
        "hostIP": format!("192.168.49.{}", 10 + node.rsplit('-').next().and_then(|n| n.parse::<u32>().ok()).unwrap_or(0)),
        "podIP": ip,
        "podIPs": [{ "ip": ip }],
        "startTime": now,
        "qosClass": "BestEffort",
        "conditions": [cond("PodReadyToStartContainers"), cond("Initialized"), cond("Ready"), cond("ContainersReady"), cond("PodScheduled")],
        "containerStatuses": statuses,
    })
}

fn succeeded_status(pod: &Value) -> Value {
    let now = now_rfc3339();
    let mut st = pod
        .get("status")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or(json!({}));
    st["phase"] = json!("Succeeded");
    if let Some(cs) = st
        .get_mut("containerStatuses")
        .and_then(Value::as_array_mut)
    {
        for c in cs {
            let started = c
                .pointer("/state/running/startedAt")
                .cloned()
                .unwrap_or(json!(now));
            c["ready"] = json!(false);
            c["started"] = json!(false);
            c["state"] = json!({ "terminated": { "exitCode": 0, "reason": "Completed", "startedAt": started, "finishedAt": now } });
        }
    }
    if let Some(conds) = st.get_mut("conditions").and_then(Value::as_array_mut) {
        for c in conds {
            if c["type"] == "Ready" || c["type"] == "ContainersReady" {
                c["status"] = json!("False");
                c["reason"] = json!("PodCompleted");
            }
        }
    }
    st
}

fn started_events(ctx: &Ctx, pod: &Value) {
    for c in pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (name, image) = (
            c["name"].as_str().unwrap_or(""),
            c["image"].as_str().unwrap_or(""),
        );
        let rec = |reason: &str, msg: String| {
            super::events::record(ctx.store, pod, "Normal", reason, &msg, "kubelet")
        };
        rec(
            "Pulled",
            format!("Container image \"{image}\" already present on machine"),
        );
        rec("Created", format!("Created container {name}"));
        rec("Started", format!("Started container {name}"));
    }
}

pub fn reconcile(ctx: &mut Ctx) {
    for pod in ctx.store.all(res::PODS) {
        let node = meta::s(&pod, &["spec", "nodeName"]).to_string();
        let uid = meta::uid(&pod).to_string();
        let (ns, name) = (
            meta::namespace(&pod).to_string(),
            meta::name(&pod).to_string(),
        );
        if meta::is_terminating(&pod) {
            let grace = meta::i(&pod, &["metadata", "deletionGracePeriodSeconds"]) as f64;
            let key = format!("term/{uid}");
            if !node.is_empty() && !ctx.state.has(&key) {
                for c in pod
                    .pointer("/spec/containers")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let msg = format!("Stopping container {}", c["name"].as_str().unwrap_or(""));
                    super::events::record(ctx.store, &pod, "Normal", "Killing", &msg, "kubelet");
                }
            }
            if node.is_empty() || ctx.after(&key, grace.min(MAX_GRACE_SECS)) {
                ctx.store.remove(res::PODS, &ns, &name);
                ctx.state.forget(&key);
                ctx.state.forget(&format!("start/{uid}"));
                ctx.state.forget(&format!("run/{uid}"));
            }
            continue;
        }
        if node.is_empty() {
            continue;
        }
        match meta::s(&pod, &["status", "phase"]) {
            "Pending" | "" if ctx.after(&format!("start/{uid}"), START_SECS) => {
                let status = running_status(&pod, &node, &now_rfc3339());
                started_events(ctx, &pod);
                let _ = ctx.store.modify(res::PODS, &ns, &name, |o| {
                    o["status"] = status;
                    Ok(())
                });
            }
            "Running" => {
                let run_to_completion = meta::s(&pod, &["spec", "restartPolicy"]) != "Always";
                if run_to_completion && ctx.after(&format!("run/{uid}"), RUN_SECS) {
                    let status = succeeded_status(&pod);
                    let _ = ctx.store.modify(res::PODS, &ns, &name, |o| {
                        o["status"] = status;
                        Ok(())
                    });
                }
            }
            _ => {}
        }
    }
}
