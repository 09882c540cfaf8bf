//! How a workload is doing, by the shape of its status.

use bosun_model::Health;
use bosun_model::kinds::{KindInfo, StatusShape};
use serde_json::Value;

use crate::json;

/// The annotation OpenKruise Rollout puts on a workload while a canary runs.
const ROLLOUT_IN_PROGRESS: &str = "rollouts.kruise.io/in-progressing";

/// A condition's status, type and message.
fn condition<'a>(obj: &'a Value, type_: &str) -> Option<&'a Value> {
    json::array(obj, "/status/conditions")
        .iter()
        .find(|c| json::str(c, "/type") == type_)
}

/// How a workload is doing, and why when it is not simply healthy.
pub(super) fn health(
    info: &KindInfo,
    obj: &Value,
    ready: i64,
    desired: i64,
) -> (Health, Option<String>) {
    let generation = json::int(obj, "/metadata/generation");
    let observed = json::opt_int(obj, "/status/observedGeneration").unwrap_or(generation);
    let paused = json::bool(obj, "/spec/paused")
        || json::bool(obj, "/spec/updateStrategy/paused")
        || json::bool(obj, "/spec/updateStrategy/rollingUpdate/paused");
    match info.shape {
        StatusShape::Replicas | StatusShape::DaemonSet => {
            if let Some(c) = condition(obj, "Progressing")
                .filter(|c| json::str(c, "/reason") == "ProgressDeadlineExceeded")
            {
                return (Health::Failed, Some(json::str(c, "/message").to_string()));
            }
            if let Some(c) =
                condition(obj, "ReplicaFailure").filter(|c| json::str(c, "/status") == "True")
            {
                return (Health::Failed, Some(json::str(c, "/message").to_string()));
            }
            if paused {
                return (Health::Paused, Some("rollout paused".into()));
            }
            let (updated, available) = match info.shape {
                StatusShape::DaemonSet => (
                    json::int(obj, "/status/updatedNumberScheduled"),
                    json::int(obj, "/status/numberAvailable"),
                ),
                _ => (
                    json::int(obj, "/status/updatedReplicas"),
                    json::int(obj, "/status/availableReplicas"),
                ),
            };
            let in_canary = obj
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(ROLLOUT_IN_PROGRESS))
                .is_some();
            if in_canary {
                return (
                    Health::Progressing,
                    Some("canary rollout in progress".into()),
                );
            }
            if observed < generation || updated < desired || ready < desired || available < desired
            {
                let why = format!("{ready} of {desired} ready, {updated} updated");
                return (Health::Progressing, Some(why));
            }
            (Health::Healthy, None)
        }
        StatusShape::Job => {
            if let Some(c) = condition(obj, "Failed").filter(|c| json::str(c, "/status") == "True")
            {
                let why = format!("{}: {}", json::str(c, "/reason"), json::str(c, "/message"));
                return (Health::Failed, Some(why));
            }
            if condition(obj, "Complete").is_some_and(|c| json::str(c, "/status") == "True") {
                return (Health::Healthy, Some("complete".into()));
            }
            if json::bool(obj, "/spec/suspend") {
                return (Health::Paused, Some("suspended".into()));
            }
            (Health::Progressing, Some("running".into()))
        }
        StatusShape::BroadcastJob => match json::str(obj, "/status/phase") {
            "completed" | "Completed" => (Health::Healthy, Some("complete".into())),
            "failed" | "Failed" => (
                Health::Failed,
                Some(json::str(obj, "/status/message").to_string()),
            ),
            _ if paused => (Health::Paused, Some("paused".into())),
            _ => (Health::Progressing, Some("running".into())),
        },
        StatusShape::Schedule => {
            let suspended = info
                .suspend_field
                .is_some_and(|field| json::bool(obj, field));
            if suspended {
                (Health::Paused, Some("suspended".into()))
            } else {
                (Health::Healthy, None)
            }
        }
        StatusShape::Pod | StatusShape::Node | StatusShape::Summary => (Health::Healthy, None),
        StatusShape::Phase => {
            let phase = [
                json::str(obj, "/status/phase"),
                json::str(obj, "/status/printableStatus"),
            ]
            .into_iter()
            .find(|p| !p.is_empty())
            .unwrap_or("");
            let health = match phase {
                "Healthy" | "Running" => Health::Healthy,
                "Stopped" | "Paused" | "Disabled" | "Disabling" | "Terminating" => Health::Paused,
                p if p.starts_with("Error") || p == "CrashLoopBackOff" || p == "Unknown" => {
                    Health::Failed
                }
                _ => Health::Progressing,
            };
            (health, (!phase.is_empty()).then(|| phase.to_string()))
        }
    }
}

/// Ready and desired counts by status shape.
pub(super) fn counts(info: &KindInfo, obj: &Value) -> (i64, i64) {
    match info.shape {
        StatusShape::Replicas => (
            json::int(obj, "/status/readyReplicas"),
            json::opt_int(obj, "/spec/replicas").unwrap_or(1),
        ),
        StatusShape::DaemonSet => (
            json::int(obj, "/status/numberReady"),
            json::int(obj, "/status/desiredNumberScheduled"),
        ),
        StatusShape::Job => (
            json::int(obj, "/status/succeeded"),
            json::opt_int(obj, "/spec/completions").unwrap_or(1),
        ),
        StatusShape::BroadcastJob => (
            json::int(obj, "/status/succeeded"),
            json::int(obj, "/status/desired"),
        ),
        StatusShape::Schedule => (json::array(obj, "/status/active").len() as i64, 0),
        StatusShape::Pod | StatusShape::Phase | StatusShape::Node | StatusShape::Summary => (0, 0),
    }
}
