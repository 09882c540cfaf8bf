//! OpenKruise Rollout controller (canary on a CloneSet). A template change starts a run
//! through `spec.strategy.canary.steps`: each step upgrades `replicas` pods (StepUpgrade),
//! then pauses (StepPaused) for `pause.duration` or until someone patches the status to
//! StepReady; after the last step the run is Completed and the phase returns to Healthy.
//! `spec.strategy.paused` halts progress. The workload is annotated
//! `rollouts.kruise.io/in-progressing` while a run is active.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Ctx, write_status};
use crate::clock::now_rfc3339;
use crate::kinds::res;
use crate::meta;

const IN_PROGRESSING: &str = "rollouts.kruise.io/in-progressing";

pub fn reconcile(ctx: &mut Ctx) {
    for ro in ctx.store.all(res::ROLLOUTS) {
        if !meta::is_terminating(&ro) {
            reconcile_one(ctx, &ro);
        }
    }
}

/// Canary replicas of step `idx` (1-based) for a workload of `total` replicas.
fn step_replicas(ro: &Value, idx: i64, total: i64) -> i64 {
    let step = ro.pointer(&format!("/spec/strategy/canary/steps/{}", idx - 1));
    let v = step.and_then(|s| s.get("replicas"));
    match v {
        Some(v) => meta::int_or_percent(Some(v), total, "1", true).clamp(1, total.max(1)),
        None => 1.min(total),
    }
}

fn set_partition(ctx: &Ctx, cs: &Value, partition: i64, progressing: bool) {
    let ann = meta::annotation(cs, IN_PROGRESSING).is_some();
    let current = cs.pointer("/spec/updateStrategy/partition").cloned();
    if current == Some(json!(partition)) && ann == progressing {
        return;
    }
    let _ = ctx
        .store
        .modify(res::CLONESETS, meta::namespace(cs), meta::name(cs), |o| {
            meta::set(
                o,
                &["spec", "updateStrategy", "partition"],
                json!(partition),
            );
            if progressing {
                meta::set(o, &["metadata", "annotations", IN_PROGRESSING], json!("{}"));
            } else if let Some(a) = o
                .pointer_mut("/metadata/annotations")
                .and_then(Value::as_object_mut)
            {
                a.remove(IN_PROGRESSING);
            }
            Ok(())
        });
}

fn reconcile_one(ctx: &mut Ctx, ro: &Arc<Value>) {
    let ns = meta::namespace(ro);
    let target = meta::s(ro, &["spec", "workloadRef", "name"]);
    let kind = meta::s(ro, &["spec", "workloadRef", "kind"]);
    let mut status = ro
        .get("status")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or(json!({}));
    status["observedGeneration"] = json!(meta::i(ro, &["metadata", "generation"]));
    if meta::b(ro, &["spec", "disabled"]) {
        status["phase"] = json!("Disabled");
        write_status(ctx.store, res::ROLLOUTS, ro, status);
        return;
    }
    let Some(cs) = (kind == "CloneSet")
        .then(|| ctx.store.get(res::CLONESETS, ns, target))
        .flatten()
    else {
        status["phase"] = json!("Initial");
        status["message"] = json!(format!("workload {kind}/{target} not found"));
        write_status(ctx.store, res::ROLLOUTS, ro, status);
        return;
    };
    let total = meta::i(&cs, &["spec", "replicas"]);
    let template = cs.pointer("/spec/template").cloned().unwrap_or(json!({}));
    let workload_rev = format!("{}-{}", meta::name(&cs), meta::template_hash(&template));
    let steps = ro
        .pointer("/spec/strategy/canary/steps")
        .and_then(Value::as_array)
        .map_or(0, Vec::len) as i64;
    let now = now_rfc3339();
    let phase = meta::s(&status, &["phase"]).to_string();
    let stable = match meta::s(&status, &["canaryStatus", "stableRevision"]) {
        "" => meta::s(&status, &["stableRevision"]).to_string(),
        s => s.to_string(),
    };
    match phase.as_str() {
        "" | "Initial" | "Disabled" => {
            status["phase"] = json!("Healthy");
            status["stableRevision"] = json!(workload_rev);
            status["message"] = json!("rollout is healthy");
        }
        "Healthy" => {
            if !stable.is_empty() && stable != workload_rev {
                status["phase"] = json!("Progressing");
                status["message"] =
                    json!("Rollout is in step(1/{steps}), and upgrade workload to new version");
                status["canaryStatus"] = json!({
                    "currentStepIndex": 1,
                    "currentStepState": "StepUpgrade",
                    "canaryRevision": workload_rev,
                    "stableRevision": stable,
                    "podTemplateHash": meta::template_hash(&template),
                    "canaryReplicas": 0,
                    "canaryReadyReplicas": 0,
                    "lastUpdateTime": now,
                });
                set_partition(ctx, &cs, total - step_replicas(ro, 1, total), true);
            } else if stable.is_empty() {
                status["stableRevision"] = json!(workload_rev);
            }
        }
        "Progressing" => progress(ctx, ro, &cs, &mut status, &workload_rev, steps, total),
        _ => {}
    }
    write_status(ctx.store, res::ROLLOUTS, ro, status);
}

fn progress(
    ctx: &mut Ctx,
    ro: &Value,
    cs: &Value,
    status: &mut Value,
    workload_rev: &str,
    steps: i64,
    total: i64,
) {
    let now = now_rfc3339();
    if !status["canaryStatus"].is_object() {
        status["canaryStatus"] = json!({});
    }
    let cstat = &mut status["canaryStatus"];
    cstat["canaryReplicas"] = json!(meta::i(cs, &["status", "updatedReplicas"]));
    cstat["canaryReadyReplicas"] = json!(meta::i(cs, &["status", "updatedReadyReplicas"]));
    if meta::s(cstat, &["canaryRevision"]) != workload_rev {
        // The template changed again mid-run: restart from step 1.
        cstat["canaryRevision"] = json!(workload_rev);
        cstat["currentStepIndex"] = json!(1);
        cstat["currentStepState"] = json!("StepUpgrade");
        cstat["lastUpdateTime"] = json!(now);
    }
    if meta::b(ro, &["spec", "strategy", "paused"]) {
        status["message"] = json!("Rollout has been paused, you can resume it by kube-cli");
        return;
    }
    let idx = meta::i(cstat, &["currentStepIndex"]).max(1);
    let state = meta::s(cstat, &["currentStepState"]).to_string();
    let timer = format!("rollout/{}/{idx}", meta::uid(ro));
    let mut message = String::new();
    match state.as_str() {
        "StepUpgrade" | "BeforeStepUpgrade" | "StepTrafficRouting" | "StepMetricsAnalysis" => {
            let want = step_replicas(ro, idx, total);
            set_partition(ctx, cs, total - want, true);
            let ready = meta::i(cs, &["status", "updatedReadyReplicas"]);
            let cs_current = meta::s(cs, &["status", "updateRevision"]) == workload_rev;
            if cs_current && ready >= want {
                cstat["currentStepState"] = json!("StepPaused");
                cstat["lastUpdateTime"] = json!(now);
                ctx.state.forget(&timer);
                message = format!(
                    "Rollout is in step({idx}/{steps}), and you need manually confirm to enter the next step"
                );
            } else {
                message = format!(
                    "Rollout is in step({idx}/{steps}), and upgrade workload to new version"
                );
            }
        }
        "StepPaused" => {
            let duration = ro
                .pointer(&format!(
                    "/spec/strategy/canary/steps/{}/pause/duration",
                    idx - 1
                ))
                .and_then(Value::as_f64);
            match duration {
                Some(d) if ctx.after(&timer, d) => {
                    cstat["currentStepState"] = json!("StepReady");
                    cstat["lastUpdateTime"] = json!(now);
                    ctx.state.forget(&timer);
                }
                Some(d) => {
                    message = format!(
                        "Rollout is in step({idx}/{steps}), and wait duration({d} seconds) to enter the next step"
                    )
                }
                None => {
                    message = format!(
                        "Rollout is in step({idx}/{steps}), and you need manually confirm to enter the next step"
                    )
                }
            }
        }
        "StepReady" => {
            if idx < steps {
                cstat["currentStepIndex"] = json!(idx.saturating_add(1));
                cstat["currentStepState"] = json!("StepUpgrade");
                message = format!(
                    "Rollout is in step({}/{steps}), and upgrade workload to new version",
                    idx.saturating_add(1)
                );
            } else {
                cstat["currentStepState"] = json!("Completed");
                message = "Rollout progressing has been completed".into();
            }
            cstat["lastUpdateTime"] = json!(now);
        }
        "Completed" => {
            set_partition(ctx, cs, 0, true);
            let done = meta::i(cs, &["status", "updatedReadyReplicas"]) >= total
                && meta::s(cs, &["status", "currentRevision"]) == workload_rev;
            if done {
                set_partition(ctx, cs, 0, false);
                status["phase"] = json!("Healthy");
                status["stableRevision"] = json!(workload_rev);
                status["canaryStatus"]["stableRevision"] = json!(workload_rev);
                message = "Rollout completed".into();
            } else {
                message = "Rollout is finalising: upgrading the remaining pods".into();
            }
        }
        _ => {}
    }
    status["message"] = json!(message);
}
