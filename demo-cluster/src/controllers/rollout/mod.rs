//! OpenKruise Rollout controller (canary on a CloneSet), following Kruise Rollout's
//! v1beta1 status. A template change of a Healthy rollout's workload starts a run:
//! phase Progressing, condition `Progressing` True (`InRolling`), and the steps of
//! `spec.strategy.canary.steps` (`steps.rs`). The run ends one of two ways:
//!
//! - Completed: after the last step every pod is upgraded (`Finalising`), then the phase
//!   returns to Healthy with `Progressing` False (`Completed`) and `Succeeded` True.
//! - Cancelled: the workload's template went back to the stable revision (Bosun's
//!   "undo" rolls the CloneSet back to its previous ControllerRevision). The partition is
//!   released, the canary status dropped, `Progressing` False (`Completed`, "cancelled")
//!   and `Succeeded` False.
//!
//! While a run is active the workload carries `rollouts.kruise.io/in-progressing` and
//! its `spec.updateStrategy.partition` holds back the pods a step has not reached yet.
//! `spec.strategy.paused` freezes the run (condition reason `Paused`); approvals patched
//! onto the status meanwhile stay and take effect on resume.
//!
//! The status is written from this pass' read of the rollout and only if the rollout
//! did not change since (`write_status`), so an approval that lands mid-pass is never
//! undone by a status computed before it.

mod steps;

use serde_json::{Value, json};

use super::{Ctx, events, set_condition, write_status};
use crate::clock::now_rfc3339;
use crate::kinds::res;
use crate::meta;

/// The workload annotation Kruise sets while a rollout run is active.
pub const IN_PROGRESSING: &str = "rollouts.kruise.io/in-progressing";

/// What a rollout reads of its CloneSet.
struct Workload {
    name: String,
    total: i64,
    /// The revision (`{name}-{hash}`) of the current template.
    revision: String,
    template_hash: String,
    update_revision: String,
    current_revision: String,
    updated_replicas: i64,
    updated_ready: i64,
}

impl Workload {
    fn of(cs: &Value) -> Self {
        let template = cs.pointer("/spec/template").cloned().unwrap_or(json!({}));
        let hash = meta::template_hash(&template);
        Self {
            name: meta::name(cs).to_string(),
            total: meta::i(cs, &["spec", "replicas"]),
            revision: format!("{}-{hash}", meta::name(cs)),
            template_hash: hash,
            update_revision: meta::s(cs, &["status", "updateRevision"]).to_string(),
            current_revision: meta::s(cs, &["status", "currentRevision"]).to_string(),
            updated_replicas: meta::i(cs, &["status", "updatedReplicas"]),
            updated_ready: meta::i(cs, &["status", "updatedReadyReplicas"]),
        }
    }
}

/// How the workload should be held after this pass: its partition and whether it is
/// annotated as in a rollout. `None` leaves it as it is.
type Hold = Option<(i64, bool)>;

pub fn reconcile(ctx: &mut Ctx) {
    for ro in ctx.store.all(res::ROLLOUTS) {
        if !meta::is_terminating(&ro) {
            reconcile_one(ctx, &ro);
        }
    }
}

fn reconcile_one(ctx: &mut Ctx, ro: &Value) {
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
    let w = Workload::of(&cs);
    let stable = stable_revision(&status);
    let hold = match meta::s(&status, &["phase"]) {
        "" | "Initial" | "Disabled" => {
            status["phase"] = json!("Healthy");
            status["stableRevision"] = json!(w.revision);
            status["message"] = json!("rollout is healthy");
            None
        }
        "Healthy" if stable.is_empty() => {
            status["stableRevision"] = json!(w.revision);
            None
        }
        "Healthy" if stable != w.revision => start_run(ctx, ro, &mut status, &w, &stable),
        "Progressing" if w.revision == stable => cancel(ctx, ro, &mut status, &w, &stable),
        "Progressing" => steps::progress(ctx, ro, &mut status, &w),
        _ => None,
    };
    mirror_step(&mut status);
    if let Some((partition, in_progress)) = hold {
        set_partition(ctx, &cs, partition, in_progress);
    }
    write_status(ctx.store, res::ROLLOUTS, ro, status);
}

/// The revision the last completed run left (`canaryStatus.stableRevision`, else the
/// top-level one).
fn stable_revision(status: &Value) -> String {
    match meta::s(status, &["canaryStatus", "stableRevision"]) {
        "" => meta::s(status, &["stableRevision"]).to_string(),
        s => s.to_string(),
    }
}

/// The workload left its stable revision: a new run starts at step 1.
fn start_run(ctx: &Ctx, ro: &Value, status: &mut Value, w: &Workload, stable: &str) -> Hold {
    let steps = steps::count(ro);
    status["phase"] = json!("Progressing");
    status["canaryStatus"] = json!({
        "currentStepIndex": 1,
        "nextStepIndex": steps::next_index(1, steps),
        "currentStepState": "StepUpgrade",
        "canaryRevision": w.revision,
        "stableRevision": stable,
        "podTemplateHash": w.template_hash,
        "canaryReplicas": 0,
        "canaryReadyReplicas": 0,
        "lastUpdateTime": now_rfc3339(),
    });
    let message = steps::upgrading(1, steps);
    status["canaryStatus"]["message"] = json!(message);
    status["message"] = json!(message);
    let mut conds = conditions(status);
    conds.retain(|c| c["type"] != "Succeeded");
    set_condition(
        &mut conds,
        "Progressing",
        "True",
        "InRolling",
        "Rollout is in Progressing",
    );
    status["conditions"] = json!(conds);
    events::record(
        ctx.store,
        ro,
        "Normal",
        "Progressing",
        &format!(
            "upgrade CloneSet {} to revision {} in {steps} steps",
            w.name, w.revision
        ),
        "rollout-controller",
    );
    Some((w.total - steps::step_replicas(ro, 1, w.total), true))
}

/// The workload is back at the stable revision mid-run (an undo): the run is cancelled
/// and the workload released to finish the roll back by itself.
fn cancel(ctx: &Ctx, ro: &Value, status: &mut Value, w: &Workload, stable: &str) -> Hold {
    status["phase"] = json!("Healthy");
    status["stableRevision"] = json!(stable);
    if let Some(m) = status.as_object_mut() {
        m.remove("canaryStatus");
    }
    let message = format!(
        "The workload has been rolled back to the stable revision {stable}; the rollout was cancelled"
    );
    status["message"] = json!(message);
    let mut conds = conditions(status);
    set_condition(
        &mut conds,
        "Progressing",
        "False",
        "Completed",
        "Rollout progressing has been cancelled",
    );
    set_condition(
        &mut conds,
        "Succeeded",
        "False",
        "Cancelled",
        "The workload was rolled back to the stable revision",
    );
    status["conditions"] = json!(conds);
    events::record(
        ctx.store,
        ro,
        "Normal",
        "Progressing",
        &format!(
            "workload {} has been rolled back to {stable}, then rollout is canceled",
            w.name
        ),
        "rollout-controller",
    );
    Some((0, false))
}

/// The status' conditions as a list (empty when absent or malformed).
fn conditions(status: &Value) -> Vec<Value> {
    status["conditions"].as_array().cloned().unwrap_or_default()
}

/// v1beta1 mirrors the canary step at the top of the status.
fn mirror_step(status: &mut Value) {
    let step = status
        .get("canaryStatus")
        .filter(|c| c.is_object())
        .map(|c| (c["currentStepIndex"].clone(), c["currentStepState"].clone()));
    match (step, status.as_object_mut()) {
        (Some((idx, state)), Some(m)) => {
            m.insert("currentStepIndex".into(), idx);
            m.insert("currentStepState".into(), state);
        }
        (None, Some(m)) => {
            m.remove("currentStepIndex");
            m.remove("currentStepState");
        }
        _ => {}
    }
}

/// Holds the CloneSet at `partition` and (un)marks it as in a rollout, as read this pass:
/// a workload changed meanwhile (a restart, an undo) is looked at again next pass.
fn set_partition(ctx: &Ctx, cs: &Value, partition: i64, in_progress: bool) {
    let annotated = meta::annotation(cs, IN_PROGRESSING).is_some();
    let current = cs.pointer("/spec/updateStrategy/partition").cloned();
    if current == Some(json!(partition)) && annotated == in_progress {
        return;
    }
    super::update(ctx.store, res::CLONESETS, cs, |o| {
        meta::set(
            o,
            &["spec", "updateStrategy", "partition"],
            json!(partition),
        );
        if in_progress {
            meta::set(o, &["metadata", "annotations", IN_PROGRESSING], json!("{}"));
        } else if let Some(a) = o
            .pointer_mut("/metadata/annotations")
            .and_then(Value::as_object_mut)
        {
            a.remove(IN_PROGRESSING);
        }
    });
}

#[cfg(test)]
mod tests;
