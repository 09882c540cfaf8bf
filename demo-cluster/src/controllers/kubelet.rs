//! Kubelet: scheduled pods start after a short (simulated) delay and become Running and
//! Ready; pods of Jobs (restartPolicy Never/OnFailure) succeed a little later; terminating
//! pods disappear after their grace period (capped so demos stay snappy). Started pods'
//! containers may crash and restart (`crash_loop`) or never get their image
//! (`image_pull`).

mod crash_loop;
mod image_pull;
mod pod_status;

use serde_json::{Value, json};

use super::Ctx;
use crate::clock::now_rfc3339;
use crate::kinds::res;
use crate::meta;

pub use pod_status::started_status;

/// Simulated seconds from scheduling to Running/Ready.
pub const START_SECS: f64 = 1.5;
/// Simulated seconds a run-to-completion pod runs.
const RUN_SECS: f64 = 3.0;
/// Upper bound on the simulated graceful termination.
const MAX_GRACE_SECS: f64 = 2.0;

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
        if image_pull::fails(image) {
            image_pull::record_events(ctx, pod, image, image_pull::ERR_IMAGE_PULL);
            continue;
        }
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

/// Whether the kubelet already started the pod (it reported container statuses).
fn started(pod: &Value) -> bool {
    pod.pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty())
}

/// Crash loops and image pull back-offs of a started pod's containers.
fn sync_containers(ctx: &mut Ctx, pod: &Value) {
    // Most pods have neither: skip the status copy (a bulk world has 10,000 pods).
    let specs = pod.pointer("/spec/containers").and_then(Value::as_array);
    let eventful = specs.into_iter().flatten().any(|c| {
        crash_loop::crash_period(c).is_some()
            || image_pull::fails(c["image"].as_str().unwrap_or(""))
    });
    if !eventful {
        return;
    }
    let Some(mut status) = pod.get("status").cloned() else {
        return;
    };
    let since_start = ctx.state.since(&format!("start/{}", meta::uid(pod)));
    let pulling_for = ctx.clock.sim_elapsed(since_start).as_secs_f64() - START_SECS;
    let mut changed = crash_loop::sync(ctx, pod, &mut status);
    changed |= image_pull::sync(ctx, pod, &mut status, pulling_for);
    if changed {
        super::update(ctx.store, res::PODS, pod, |o| o["status"] = status);
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
            "Pending" | "" if started(&pod) => sync_containers(ctx, &pod),
            "Pending" | "" if ctx.after(&format!("start/{uid}"), START_SECS) => {
                let status = started_status(&pod, &node, &now_rfc3339());
                // Started once: a pod changed meanwhile starts next pass.
                if ctx
                    .store
                    .update(res::PODS, &pod, |o| o["status"] = status)
                    .is_ok()
                {
                    started_events(ctx, &pod);
                }
            }
            "Running" => {
                sync_containers(ctx, &pod);
                let run_to_completion = meta::s(&pod, &["spec", "restartPolicy"]) != "Always";
                if run_to_completion && ctx.after(&format!("run/{uid}"), RUN_SECS) {
                    let status = succeeded_status(&pod);
                    super::update(ctx.store, res::PODS, &pod, |o| o["status"] = status);
                }
            }
            _ => {}
        }
    }
}
