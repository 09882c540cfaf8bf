//! The canary steps of an active run. Each step upgrades its `replicas` share of the
//! workload (StepUpgrade), then pauses (StepPaused): for `pause.duration` simulated
//! seconds, or until someone approves by patching the status to StepReady. StepReady
//! moves to the next step; after the last one the run is Completed and finalises (every
//! pod upgraded) before the phase returns to Healthy.
//!
//! `canaryStatus.lastUpdateTime` is the time the current state was entered, so while a
//! step is StepPaused it says when the pause began (a console shows the time left of a
//! timed pause from it).

use serde_json::{Value, json};

use super::{Hold, Workload, conditions};
use crate::clock::now_rfc3339;
use crate::controllers::{Ctx, events, set_condition};
use crate::meta;

/// Number of canary steps.
pub fn count(ro: &Value) -> i64 {
    ro.pointer("/spec/strategy/canary/steps")
        .and_then(Value::as_array)
        .map_or(0, Vec::len) as i64
}

/// Kruise's `nextStepIndex`: the step after `idx`, or -1 after the last.
pub fn next_index(idx: i64, steps: i64) -> i64 {
    if idx < steps { idx + 1 } else { -1 }
}

/// Canary replicas of step `idx` (1-based) for a workload of `total` replicas.
pub fn step_replicas(ro: &Value, idx: i64, total: i64) -> i64 {
    let step = ro.pointer(&format!("/spec/strategy/canary/steps/{}", idx - 1));
    match step.and_then(|s| s.get("replicas")) {
        Some(v) => meta::int_or_percent(Some(v), total, "1", true).clamp(1, total.max(1)),
        None => 1.min(total),
    }
}

/// Kruise's message while a step upgrades pods.
pub fn upgrading(idx: i64, steps: i64) -> String {
    format!("Rollout is in step({idx}/{steps}), and upgrade workload to new version")
}

fn awaiting_approval(idx: i64, steps: i64) -> String {
    format!(
        "Rollout is in step({idx}/{steps}), and you need manually confirm to enter the next step"
    )
}

/// One pass over an active run whose workload is not at the stable revision.
pub fn progress(ctx: &mut Ctx, ro: &Value, status: &mut Value, w: &Workload) -> Hold {
    let now = now_rfc3339();
    let steps = count(ro);
    if !status["canaryStatus"].is_object() {
        status["canaryStatus"] = json!({});
    }
    let cstat = &mut status["canaryStatus"];
    cstat["canaryReplicas"] = json!(w.updated_replicas);
    cstat["canaryReadyReplicas"] = json!(w.updated_ready);
    if meta::s(cstat, &["canaryRevision"]) != w.revision {
        // The template changed again mid-run (continuous release): start over at step 1.
        cstat["canaryRevision"] = json!(w.revision);
        cstat["podTemplateHash"] = json!(w.template_hash);
        cstat["currentStepIndex"] = json!(1);
        cstat["currentStepState"] = json!("StepUpgrade");
        cstat["lastUpdateTime"] = json!(now);
        events::record(
            ctx.store,
            ro,
            "Normal",
            "Progressing",
            "workload continuous publishing canaryRevision, then restart publishing",
            "rollout-controller",
        );
    }
    let mut conds = conditions(status);
    if meta::b(ro, &["spec", "strategy", "paused"]) {
        let message = "Rollout has been paused, you can resume it by kube-cli";
        set_condition(&mut conds, "Progressing", "True", "Paused", message);
        status["conditions"] = json!(conds);
        status["message"] = json!(message);
        return None;
    }
    let cstat = &mut status["canaryStatus"];
    let idx = meta::i(cstat, &["currentStepIndex"]).max(1);
    let state = meta::s(cstat, &["currentStepState"]).to_string();
    let timer = format!("rollout/{}/{idx}", meta::uid(ro));
    let mut finished = false;
    let mut hold = Some((w.total - step_replicas(ro, idx, w.total), true));
    let message = match state.as_str() {
        "StepUpgrade" | "BeforeStepUpgrade" | "StepTrafficRouting" | "StepMetricsAnalysis" => {
            let want = step_replicas(ro, idx, w.total);
            if w.update_revision == w.revision && w.updated_ready >= want {
                cstat["currentStepState"] = json!("StepPaused");
                cstat["lastUpdateTime"] = json!(now);
                ctx.state.forget(&timer);
                pause_message(ro, idx, steps)
            } else {
                upgrading(idx, steps)
            }
        }
        "StepPaused" => match pause_duration(ro, idx) {
            Some(d) if ctx.after(&timer, d) => {
                cstat["currentStepState"] = json!("StepReady");
                cstat["lastUpdateTime"] = json!(now);
                ctx.state.forget(&timer);
                format!("Rollout is in step({idx}/{steps}), and the pause has ended")
            }
            _ => pause_message(ro, idx, steps),
        },
        "StepReady" if idx < steps => {
            let next = idx.saturating_add(1);
            cstat["currentStepIndex"] = json!(next);
            cstat["currentStepState"] = json!("StepUpgrade");
            cstat["lastUpdateTime"] = json!(now);
            hold = Some((w.total - step_replicas(ro, next, w.total), true));
            upgrading(next, steps)
        }
        "StepReady" => {
            cstat["currentStepState"] = json!("Completed");
            cstat["lastUpdateTime"] = json!(now);
            hold = Some((0, true));
            "Rollout is in finalising".to_string()
        }
        "Completed" => {
            finished = w.updated_ready >= w.total && w.current_revision == w.revision;
            hold = Some((0, !finished));
            if finished {
                "Rollout progressing has been completed".to_string()
            } else {
                "Rollout is in finalising".to_string()
            }
        }
        _ => String::new(),
    };
    let idx = meta::i(cstat, &["currentStepIndex"]);
    cstat["nextStepIndex"] = json!(next_index(idx, steps));
    cstat["message"] = json!(message);
    status["message"] = json!(message);
    let completing = meta::s(&status["canaryStatus"], &["currentStepState"]) == "Completed";
    if finished {
        complete(ctx, ro, status, &mut conds, w);
    } else if completing {
        set_condition(
            &mut conds,
            "Progressing",
            "True",
            "Finalising",
            "Rollout is in finalising",
        );
    } else {
        set_condition(
            &mut conds,
            "Progressing",
            "True",
            "InRolling",
            "Rollout is in Progressing",
        );
    }
    status["conditions"] = json!(conds);
    hold
}

/// Every pod runs the canary revision: it becomes the stable one and the run ends.
fn complete(ctx: &Ctx, ro: &Value, status: &mut Value, conds: &mut Vec<Value>, w: &Workload) {
    status["phase"] = json!("Healthy");
    status["stableRevision"] = json!(w.revision);
    status["canaryStatus"]["stableRevision"] = json!(w.revision);
    set_condition(
        conds,
        "Progressing",
        "False",
        "Completed",
        "Rollout progressing has been completed",
    );
    set_condition(
        conds,
        "Succeeded",
        "True",
        "Completed",
        "Rollout has been completed, and succeed",
    );
    events::record(
        ctx.store,
        ro,
        "Normal",
        "Progressing",
        &format!("rollout of CloneSet {} to {} completed", w.name, w.revision),
        "rollout-controller",
    );
}

/// `pause.duration` of step `idx`, in simulated seconds (`None`: wait for approval).
fn pause_duration(ro: &Value, idx: i64) -> Option<f64> {
    ro.pointer(&format!(
        "/spec/strategy/canary/steps/{}/pause/duration",
        idx - 1
    ))
    .and_then(Value::as_f64)
}

fn pause_message(ro: &Value, idx: i64, steps: i64) -> String {
    match pause_duration(ro, idx) {
        Some(d) => format!(
            "Rollout is in step({idx}/{steps}), and wait duration({d} seconds) to enter the next step"
        ),
        None => awaiting_approval(idx, steps),
    }
}
