//! Where a rollout stands, in the words of `kubectl rollout status` (kubectl
//! `pkg/polymorphichelpers/rollout_status.go`), computed from the watch cache.
//!
//! Deployments fail on their own progress deadline. Kinds without one get a console-side
//! deadline counted from the last restart, so "following a restart" always ends.

use std::time::Duration;

use bosun_model::kinds::{RestartMethod, StatusShape};
use bosun_model::{KindId, RolloutStatus};
use serde_json::Value;

use crate::json;
use crate::rows::pod_template;

/// How long a restart of a kind without a progress deadline may take before the console
/// calls it failed.
pub const CONSOLE_DEADLINE: Duration = Duration::from_secs(600);

/// The annotation `kubectl rollout restart` sets on the pod template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";
/// The environment variable `kubectl-kruise rollout restart` sets on every container.
pub const RESTARTED_AT_ENV: &str = "RESTARTED_AT";

/// When the workload was last restarted, by annotation or environment variable.
#[must_use]
pub fn restarted_at(kind: KindId, obj: &Value) -> Option<String> {
    let info = kind.info();
    let template = pod_template(info, obj)?;
    match info.restart {
        RestartMethod::ContainerEnv => {
            json::array(template, "/spec/containers")
                .first()
                .and_then(|c| {
                    json::array(c, "/env")
                        .iter()
                        .find(|e| json::str(e, "/name") == RESTARTED_AT_ENV)
                        .map(|e| json::str(e, "/value").to_string())
                })
        }
        _ => template
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(RESTARTED_AT))
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}

struct Counts {
    desired: i64,
    updated: i64,
    ready: i64,
    available: i64,
    replicas: i64,
}

fn counts(shape: StatusShape, obj: &Value) -> Counts {
    match shape {
        StatusShape::DaemonSet => Counts {
            desired: json::int(obj, "/status/desiredNumberScheduled"),
            updated: json::int(obj, "/status/updatedNumberScheduled"),
            ready: json::int(obj, "/status/numberReady"),
            available: json::int(obj, "/status/numberAvailable"),
            replicas: json::int(obj, "/status/currentNumberScheduled"),
        },
        _ => Counts {
            desired: json::opt_int(obj, "/spec/replicas").unwrap_or(1),
            updated: json::int(obj, "/status/updatedReplicas"),
            ready: json::int(obj, "/status/readyReplicas"),
            available: json::int(obj, "/status/availableReplicas"),
            replicas: json::int(obj, "/status/replicas"),
        },
    }
}

/// The rollout status of a workload object. `following_since` is when someone began to
/// follow this rollout (the restart they made, or the start of a watch): only then does
/// the console's deadline apply, counted from the later of that and the last restart; a
/// plain status question gets kubectl's answer.
#[must_use]
pub fn rollout_status(
    kind: KindId,
    obj: &Value,
    now: time::OffsetDateTime,
    following_since: Option<time::OffsetDateTime>,
) -> RolloutStatus {
    let info = kind.info();
    let name = json::str(obj, "/metadata/name");
    let c = counts(info.shape, obj);
    let generation = json::int(obj, "/metadata/generation");
    let observed = json::opt_int(obj, "/status/observedGeneration").unwrap_or(0);
    let (done, failed, message) = match (kind, info.shape) {
        (
            _,
            StatusShape::Job | StatusShape::BroadcastJob | StatusShape::Schedule | StatusShape::Pod,
        ) => (
            true,
            false,
            format!("no status viewer has been implemented for {}", kind.route()),
        ),
        (KindId::Deployment, _) => deployment(name, obj, &c, generation, observed),
        (_, StatusShape::DaemonSet) => daemon_set(name, obj, &c, generation, observed),
        (KindId::StatefulSet | KindId::AdvancedStatefulSet, _) => {
            stateful_set(obj, &c, generation, observed)
        }
        _ => replicas(kind, name, &c, generation, observed),
    };
    let restarted = restarted_at(kind, obj);
    let started = match (
        following_since,
        restarted.as_deref().and_then(json::parse_time),
    ) {
        (Some(since), Some(restart)) => Some(since.max(restart)),
        (since, _) => since,
    };
    let (failed, message) = match started {
        Some(t) if !done && !failed && !info.progress_deadline && now - t > CONSOLE_DEADLINE => (
            true,
            format!(
                "{} {name:?} did not finish rolling out within {} minutes ({message})",
                kind.info().label,
                CONSOLE_DEADLINE.as_secs() / 60
            ),
        ),
        _ => (failed, message),
    };
    RolloutStatus {
        done,
        failed,
        message,
        desired: c.desired,
        updated: c.updated,
        ready: c.ready,
        available: c.available,
        restarted_at: restarted,
    }
}

type Verdict = (bool, bool, String);

fn deployment(name: &str, obj: &Value, c: &Counts, generation: i64, observed: i64) -> Verdict {
    if generation > observed {
        return (
            false,
            false,
            "Waiting for deployment spec update to be observed...".into(),
        );
    }
    let deadline_exceeded = json::array(obj, "/status/conditions").iter().any(|cond| {
        json::str(cond, "/type") == "Progressing"
            && json::str(cond, "/reason") == "ProgressDeadlineExceeded"
    });
    if deadline_exceeded {
        return (
            false,
            true,
            format!("deployment {name:?} exceeded its progress deadline"),
        );
    }
    if c.updated < c.desired {
        return (
            false,
            false,
            format!(
                "Waiting for deployment {name:?} rollout to finish: {} out of {} new replicas have been updated...",
                c.updated, c.desired
            ),
        );
    }
    if c.replicas > c.updated {
        return (
            false,
            false,
            format!(
                "Waiting for deployment {name:?} rollout to finish: {} old replicas are pending termination...",
                c.replicas - c.updated
            ),
        );
    }
    if c.available < c.updated {
        return (
            false,
            false,
            format!(
                "Waiting for deployment {name:?} rollout to finish: {} of {} updated replicas are available...",
                c.available, c.updated
            ),
        );
    }
    (
        true,
        false,
        format!("deployment {name:?} successfully rolled out"),
    )
}

fn daemon_set(name: &str, obj: &Value, c: &Counts, generation: i64, observed: i64) -> Verdict {
    let strategy = json::str(obj, "/spec/updateStrategy/type");
    if !strategy.is_empty() && strategy != "RollingUpdate" {
        return (
            true,
            false,
            "rollout status is only available for RollingUpdate strategy type".into(),
        );
    }
    if generation > observed {
        return (
            false,
            false,
            "Waiting for daemon set spec update to be observed...".into(),
        );
    }
    if c.updated < c.desired {
        return (
            false,
            false,
            format!(
                "Waiting for daemon set {name:?} rollout to finish: {} out of {} new pods have been updated...",
                c.updated, c.desired
            ),
        );
    }
    if c.available < c.desired {
        return (
            false,
            false,
            format!(
                "Waiting for daemon set {name:?} rollout to finish: {} of {} updated pods are available...",
                c.available, c.desired
            ),
        );
    }
    (
        true,
        false,
        format!("daemon set {name:?} successfully rolled out"),
    )
}

fn stateful_set(obj: &Value, c: &Counts, generation: i64, observed: i64) -> Verdict {
    let strategy = json::str(obj, "/spec/updateStrategy/type");
    if strategy == "OnDelete" {
        return (
            true,
            false,
            "rollout status is only available for RollingUpdate strategy type".into(),
        );
    }
    if observed == 0 || generation > observed {
        return (
            false,
            false,
            "Waiting for statefulset spec update to be observed...".into(),
        );
    }
    if c.ready < c.desired {
        return (
            false,
            false,
            format!("Waiting for {} pods to be ready...", c.desired - c.ready),
        );
    }
    let partition = json::int(obj, "/spec/updateStrategy/rollingUpdate/partition");
    if partition > 0 {
        let want = c.desired - partition;
        if c.updated < want {
            return (
                false,
                false,
                format!(
                    "Waiting for partitioned roll out to finish: {} out of {want} new pods have been updated...",
                    c.updated
                ),
            );
        }
        return (
            true,
            false,
            format!(
                "partitioned roll out complete: {} new pods have been updated...",
                c.updated
            ),
        );
    }
    let update_revision = json::str(obj, "/status/updateRevision");
    if update_revision != json::str(obj, "/status/currentRevision") {
        return (
            false,
            false,
            format!(
                "waiting for statefulset rolling update to complete {} pods at revision {update_revision}...",
                c.updated
            ),
        );
    }
    (
        true,
        false,
        format!(
            "statefulset rolling update complete {} pods at revision {update_revision}...",
            c.ready
        ),
    )
}

/// CloneSets and other kinds with the replica counts of a Deployment.
fn replicas(kind: KindId, name: &str, c: &Counts, generation: i64, observed: i64) -> Verdict {
    let what = kind.info().label.to_lowercase();
    if generation > observed {
        return (
            false,
            false,
            format!("Waiting for {what} spec update to be observed..."),
        );
    }
    if c.updated < c.desired {
        return (
            false,
            false,
            format!(
                "Waiting for {what} {name:?} rollout to finish: {} out of {} new replicas have been updated...",
                c.updated, c.desired
            ),
        );
    }
    if c.available.max(c.ready) < c.desired {
        return (
            false,
            false,
            format!(
                "Waiting for {what} {name:?} rollout to finish: {} of {} updated replicas are available...",
                c.available.max(c.ready),
                c.desired
            ),
        );
    }
    (
        true,
        false,
        format!("{what} {name:?} successfully rolled out"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> time::OffsetDateTime {
        json::parse_time("2026-11-22T12:00:00Z").unwrap()
    }

    #[test]
    fn deployment_messages_follow_kubectl() {
        let mut d = json!({
            "metadata": {"name": "web", "generation": 3},
            "spec": {"replicas": 3, "template": {"metadata": {"annotations": {RESTARTED_AT: "2026-11-22T11:59:00Z"}}}},
            "status": {"observedGeneration": 3, "replicas": 4, "updatedReplicas": 1, "readyReplicas": 3, "availableReplicas": 3}
        });
        let s = rollout_status(KindId::Deployment, &d, now(), None);
        assert_eq!(
            s.message,
            "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated..."
        );
        assert!(!s.done && !s.failed);
        assert_eq!(s.restarted_at.as_deref(), Some("2026-11-22T11:59:00Z"));
        d["status"] = json!({"observedGeneration": 3, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3});
        let s = rollout_status(KindId::Deployment, &d, now(), None);
        assert_eq!(s.message, "deployment \"web\" successfully rolled out");
        assert!(s.done);
        assert_eq!(s.percent(), 100);
        d["status"]["conditions"] = json!([{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]);
        d["status"]["updatedReplicas"] = json!(1);
        let s = rollout_status(KindId::Deployment, &d, now(), None);
        assert!(s.failed);
        assert_eq!(
            s.message,
            "deployment \"web\" exceeded its progress deadline"
        );
    }

    #[test]
    fn kinds_without_a_progress_deadline_fail_after_the_console_deadline() {
        let sts = json!({
            "metadata": {"name": "pg", "generation": 2},
            "spec": {"replicas": 3, "template": {"metadata": {"annotations": {RESTARTED_AT: "2026-11-22T11:00:00Z"}}}},
            "status": {"observedGeneration": 2, "replicas": 3, "readyReplicas": 2, "updatedReplicas": 1}
        });
        let plain = rollout_status(KindId::StatefulSet, &sts, now(), None);
        assert!(
            !plain.failed,
            "without a follower, kubectl's answer: {plain:?}"
        );
        let since = json::parse_time("2026-11-22T11:00:00Z");
        let s = rollout_status(KindId::StatefulSet, &sts, now(), since);
        assert!(s.failed, "{s:?}");
        assert!(s.message.contains("within 10 minutes"), "{}", s.message);
    }
}
