//! An OpenKruise Rollout's row and detail. Reads v1beta1 (`spec.workloadRef`, steps'
//! `traffic`) and v1alpha1 (`spec.objectRef.workloadRef`, steps' `weight`), whichever the
//! cluster serves.

use bosun_model::{
    KindId, RolloutDetail, RolloutRow, RolloutStep, STEP_PAUSED, StepPause, WorkloadRef,
};
use kube::api::DynamicObject;
use serde_json::Value;

use super::{as_json, conditions, created, yaml};
use crate::json;

/// The annotation a workload carries while a rollout run is active.
pub const IN_PROGRESSING: &str = "rollouts.kruise.io/in-progressing";

/// `spec.workloadRef` (v1beta1) or `spec.objectRef.workloadRef` (v1alpha1).
#[must_use]
pub fn workload_ref(ro: &Value) -> Option<WorkloadRef> {
    let r = json::first_object(ro, &["/spec/workloadRef", "/spec/objectRef/workloadRef"])?;
    let kind = json::str(r, "/kind").to_string();
    let name = json::str(r, "/name").to_string();
    if kind.is_empty() || name.is_empty() {
        return None;
    }
    let api_version = json::str(r, "/apiVersion");
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    Some(WorkloadRef {
        kind_id: KindId::workload_of(group, &kind),
        kind,
        name,
    })
}

/// The steps of the strategy in use (canary or blue-green).
fn raw_steps(ro: &Value) -> &[Value] {
    let canary = json::array(ro, "/spec/strategy/canary/steps");
    if canary.is_empty() {
        json::array(ro, "/spec/strategy/blueGreen/steps")
    } else {
        canary
    }
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn step(index: usize, raw: &Value) -> RolloutStep {
    let traffic = match raw.get("traffic") {
        Some(t) => text(Some(t)),
        // v1alpha1 spells it as a weight in percent.
        None => raw
            .get("weight")
            .and_then(Value::as_i64)
            .map(|w| format!("{w}%"))
            .unwrap_or_default(),
    };
    // A step's pause is a struct in Kruise: absent or without a duration, the step waits
    // for an approval.
    let pause = match raw.pointer("/pause/duration").and_then(Value::as_i64) {
        Some(seconds) => StepPause::Timed { seconds },
        None => StepPause::Manual,
    };
    RolloutStep {
        index: i64::try_from(index).unwrap_or(i64::MAX).saturating_add(1),
        traffic,
        replicas: text(raw.get("replicas")),
        pause,
    }
}

/// The steps, 1-based, as the detail page draws them.
#[must_use]
pub fn steps(ro: &Value) -> Vec<RolloutStep> {
    raw_steps(ro)
        .iter()
        .enumerate()
        .map(|(i, s)| step(i, s))
        .collect()
}

fn canary_status(ro: &Value) -> &Value {
    json::first_object(ro, &["/status/canaryStatus", "/status/blueGreenStatus"])
        .unwrap_or(&Value::Null)
}

/// A rollout's row. `workload_rolling` says whether its workload carries the
/// in-progressing annotation (the other sign of an active run).
#[must_use]
pub fn rollout_row(cluster: &str, obj: &DynamicObject, workload_rolling: bool) -> RolloutRow {
    let ro = as_json(obj);
    let status = canary_status(&ro);
    let phase = json::str(&ro, "/status/phase").to_string();
    let steps = raw_steps(&ro);
    let running = !status.is_null() && phase == "Progressing";
    let step = if running {
        json::int(status, "/currentStepIndex")
    } else {
        0
    };
    let traffic = usize::try_from(step)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| steps.get(i))
        .map(|s| self::step(0, s).traffic)
        .unwrap_or_default();
    RolloutRow {
        cluster: cluster.to_string(),
        namespace: obj.metadata.namespace.clone().unwrap_or_default(),
        name: obj.metadata.name.clone().unwrap_or_default(),
        workload: workload_ref(&ro),
        active: phase == "Progressing" || workload_rolling,
        step_state: if running {
            json::str(status, "/currentStepState").to_string()
        } else {
            String::new()
        },
        step,
        steps: i64::try_from(steps.len()).unwrap_or(i64::MAX),
        canary_ready: json::int(status, "/canaryReadyReplicas"),
        canary_replicas: json::int(status, "/canaryReplicas"),
        traffic,
        message: json::str(&ro, "/status/message").to_string(),
        created: created(obj),
        paused: json::bool(&ro, "/spec/strategy/paused"),
        phase,
    }
}

/// When a timed pause of the current step ends.
fn pause_until(row: &RolloutRow, steps: &[RolloutStep], since: &str) -> Option<String> {
    if row.step_state != STEP_PAUSED {
        return None;
    }
    let index = usize::try_from(row.step).ok()?.checked_sub(1)?;
    let StepPause::Timed { seconds } = steps.get(index)?.pause else {
        return None;
    };
    let end = json::parse_time(since)? + time::Duration::seconds(seconds);
    end.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// A rollout's detail page.
#[must_use]
pub fn rollout_detail(cluster: &str, obj: &DynamicObject, workload_rolling: bool) -> RolloutDetail {
    let ro = as_json(obj);
    let row = rollout_row(cluster, obj, workload_rolling);
    let status = canary_status(&ro);
    let steps = steps(&ro);
    let step_since = json::str(status, "/lastUpdateTime").to_string();
    let stable = match json::str(status, "/stableRevision") {
        "" => json::str(&ro, "/status/stableRevision"),
        s => s,
    };
    RolloutDetail {
        uid: obj.metadata.uid.clone().unwrap_or_default(),
        strategy: if ro.pointer("/spec/strategy/blueGreen").is_some() {
            "blueGreen".into()
        } else {
            "canary".into()
        },
        pause_until: pause_until(&row, &steps, &step_since),
        stable_revision: stable.to_string(),
        canary_revision: json::str(status, "/canaryRevision").to_string(),
        step_since,
        conditions: conditions(&ro),
        yaml: yaml(obj),
        steps,
        row,
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
    fn reads_a_paused_canary_and_its_countdown() {
        let ro = object(json!({
            "apiVersion": "rollouts.kruise.io/v1beta1", "kind": "Rollout",
            "metadata": { "name": "cart", "namespace": "shop" },
            "spec": {
                "workloadRef": { "apiVersion": "apps.kruise.io/v1alpha1", "kind": "CloneSet", "name": "cart" },
                "strategy": { "canary": { "steps": [
                    { "replicas": 1, "traffic": "10%", "pause": {} },
                    { "replicas": "50%", "traffic": "50%", "pause": { "duration": 30 } },
                    { "replicas": "100%" },
                ] } },
            },
            "status": {
                "phase": "Progressing",
                "canaryStatus": {
                    "currentStepIndex": 2, "currentStepState": "StepPaused",
                    "canaryReplicas": 2, "canaryReadyReplicas": 1,
                    "lastUpdateTime": "2026-11-22T10:00:00Z",
                },
            },
        }));
        let d = rollout_detail("demo", &ro, false);
        assert_eq!((d.row.step, d.row.steps), (2, 3));
        assert_eq!(d.row.traffic, "50%");
        assert!(d.row.active);
        assert_eq!(
            d.row.workload.as_ref().unwrap().kind_id,
            Some(KindId::CloneSet)
        );
        assert_eq!(d.steps[0].pause, StepPause::Manual);
        assert_eq!(d.steps[1].pause, StepPause::Timed { seconds: 30 });
        assert_eq!(d.steps[2].replicas, "100%");
        assert_eq!(d.pause_until.as_deref(), Some("2026-11-22T10:00:30Z"));
    }

    #[test]
    fn reads_v1alpha1_weights_and_an_idle_rollout() {
        let ro = object(json!({
            "apiVersion": "rollouts.kruise.io/v1alpha1", "kind": "Rollout",
            "metadata": { "name": "api", "namespace": "shop" },
            "spec": {
                "objectRef": { "workloadRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "api" } },
                "strategy": { "canary": { "steps": [{ "weight": 20 }] } },
            },
            "status": { "phase": "Healthy" },
        }));
        let row = rollout_row("demo", &ro, false);
        assert_eq!(row.workload.unwrap().kind_id, Some(KindId::Deployment));
        assert!(!row.active);
        assert_eq!((row.step, row.step_state.as_str()), (0, ""));
        assert_eq!(steps(&as_json(&ro))[0].traffic, "20%");
    }
}
