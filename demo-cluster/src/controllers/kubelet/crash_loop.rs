//! Containers that crash: a container whose env sets `DEMO_CRASH_EVERY_SECONDS=N` exits
//! with code 1 every N simulated seconds and is restarted at once (pods with
//! `restartPolicy: Never` are left alone), so the demo has restart counts, a
//! `lastState.terminated` and previous logs to show.

use serde_json::{Value, json};

use super::pod_status::container_id;
use crate::clock::now_rfc3339;
use crate::controllers::{Ctx, events};
use crate::meta;

/// The env variable that makes a container crash periodically.
pub const CRASH_ENV: &str = "DEMO_CRASH_EVERY_SECONDS";

/// Simulated seconds between crashes of a container spec, if it crashes.
pub fn crash_period(spec: &Value) -> Option<f64> {
    spec.get("env")?
        .as_array()?
        .iter()
        .find(|e| e["name"] == CRASH_ENV)?["value"]
        .as_str()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n > 0.0)
}

/// Restarts the running containers whose time is up. Returns whether `status` changed.
pub fn sync(ctx: &mut Ctx, pod: &Value, status: &mut Value) -> bool {
    if meta::s(pod, &["spec", "restartPolicy"]) == "Never" {
        return false;
    }
    let specs = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut changed = false;
    for spec in &specs {
        let Some(period) = crash_period(spec) else {
            continue;
        };
        let name = spec["name"].as_str().unwrap_or("");
        let Some(c) = status
            .get_mut("containerStatuses")
            .and_then(Value::as_array_mut)
            .and_then(|cs| cs.iter_mut().find(|c| c["name"] == name))
        else {
            continue;
        };
        if c.pointer("/state/running").is_none() {
            continue;
        }
        let key = format!("crash/{}/{name}", meta::uid(pod));
        if !ctx.after(&key, period) {
            continue;
        }
        ctx.state.forget(&key);
        ctx.state.since(&key);
        restart(c, pod, name);
        let msg = format!(
            "Back-off restarting failed container {name} in pod {}_{}({})",
            meta::name(pod),
            meta::namespace(pod),
            meta::uid(pod)
        );
        events::record(ctx.store, pod, "Warning", "BackOff", &msg, "kubelet");
        let msg = format!("Started container {name}");
        events::record(ctx.store, pod, "Normal", "Started", &msg, "kubelet");
        changed = true;
    }
    changed
}

/// The current run becomes `lastState.terminated` and a new run starts now.
fn restart(c: &mut Value, pod: &Value, name: &str) {
    let now = now_rfc3339();
    let runs = c["restartCount"].as_i64().unwrap_or(0) + 1;
    let started = c
        .pointer("/state/running/startedAt")
        .cloned()
        .unwrap_or(json!(now));
    c["lastState"] = json!({ "terminated": {
        "exitCode": 1,
        "reason": "Error",
        "startedAt": started,
        "finishedAt": now,
        "containerID": c["containerID"].clone(),
    } });
    c["restartCount"] = json!(runs);
    c["containerID"] = json!(container_id(pod, name, runs));
    c["state"] = json!({ "running": { "startedAt": now } });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_positive_period_crashes() {
        let spec = |v: &str| json!({ "name": "w", "env": [{ "name": CRASH_ENV, "value": v }] });
        assert_eq!(crash_period(&spec("45")), Some(45.0));
        assert_eq!(crash_period(&spec("0")), None);
        assert_eq!(crash_period(&spec("soon")), None);
        assert_eq!(crash_period(&json!({ "name": "w" })), None);
    }

    #[test]
    fn a_restart_keeps_the_previous_run_as_last_state() {
        let pod = json!({ "metadata": { "uid": "u" } });
        let mut c = json!({ "name": "w", "restartCount": 0, "containerID": "containerd://a",
            "state": { "running": { "startedAt": "2026-01-01T00:00:00Z" } } });
        restart(&mut c, &pod, "w");
        assert_eq!(c["restartCount"], 1);
        let last = &c["lastState"]["terminated"];
        assert_eq!(
            (last["exitCode"].as_i64(), last["reason"].as_str()),
            (Some(1), Some("Error"))
        );
        assert_eq!(last["startedAt"], "2026-01-01T00:00:00Z");
        assert_eq!(last["containerID"], "containerd://a");
        assert_eq!(c["state"]["running"]["startedAt"], last["finishedAt"]);
        assert_ne!(c["containerID"], "containerd://a");
    }
}
