//! Summary rows and detail views of cached objects. Kinds differ in the shape of their
//! status (the table's `StatusShape`), not in code: one function per shape.

use std::collections::BTreeMap;

use bosun_model::kinds::{KindInfo, StatusShape};
use bosun_model::{
    Condition, ContainerSpec, ContainerState, Health, KindId, PodDetail, PodRow, WorkloadDetail,
    WorkloadRow,
};
use kube::api::DynamicObject;
use serde_json::Value;

use crate::json;
use crate::selector::LabelSelector;

/// The annotation OpenKruise Rollout puts on a workload while a canary runs.
const ROLLOUT_IN_PROGRESS: &str = "rollouts.kruise.io/in-progressing";

/// An object as one JSON value (`metadata` included), the way the table's pointers read it.
#[must_use]
pub fn as_json(obj: &DynamicObject) -> Value {
    serde_json::to_value(obj).unwrap_or(Value::Null)
}

fn created(obj: &DynamicObject) -> String {
    obj.metadata
        .creation_timestamp
        .as_ref()
        .map(|t| t.0.to_string())
        .unwrap_or_default()
}

/// The pod template of a workload, by the table's pointers.
#[must_use]
pub fn pod_template<'a>(info: &KindInfo, obj: &'a Value) -> Option<&'a Value> {
    json::first_object(obj, info.pod_template)
}

/// The images of a pod spec's containers, in order.
fn images(pod_spec: Option<&Value>) -> Vec<String> {
    pod_spec
        .map(|s| json::array(s, "/containers"))
        .unwrap_or_default()
        .iter()
        .map(|c| json::str(c, "/image").to_string())
        .collect()
}

/// A condition's status, type and message.
fn condition<'a>(obj: &'a Value, type_: &str) -> Option<&'a Value> {
    json::array(obj, "/status/conditions")
        .iter()
        .find(|c| json::str(c, "/type") == type_)
}

/// How a workload is doing, and why when it is not simply healthy.
fn health(info: &KindInfo, obj: &Value, ready: i64, desired: i64) -> (Health, Option<String>) {
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
        StatusShape::Pod => (Health::Healthy, None),
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
fn counts(info: &KindInfo, obj: &Value) -> (i64, i64) {
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
        StatusShape::Pod | StatusShape::Phase => (0, 0),
    }
}

/// The Workloads page's row of an object.
#[must_use]
pub fn workload_row(cluster: &str, kind: KindId, obj: &DynamicObject) -> WorkloadRow {
    let info = kind.info();
    let value = as_json(obj);
    let (ready, desired) = counts(info, &value);
    let (health, reason) = health(info, &value, ready, desired);
    WorkloadRow {
        cluster: cluster.to_string(),
        namespace: obj.metadata.namespace.clone().unwrap_or_default(),
        kind,
        name: obj.metadata.name.clone().unwrap_or_default(),
        ready,
        desired,
        images: images(pod_template(info, &value).and_then(|t| t.get("spec"))),
        created: created(obj),
        health,
        reason,
    }
}

/// The selector a workload uses for its pods.
#[must_use]
pub fn selector_of(obj: &Value) -> LabelSelector {
    obj.pointer("/spec/selector")
        .map(LabelSelector::from_spec)
        .unwrap_or_default()
}

fn conditions(obj: &Value) -> Vec<Condition> {
    json::array(obj, "/status/conditions")
        .iter()
        .map(|c| Condition {
            type_: json::str(c, "/type").to_string(),
            status: json::str(c, "/status").to_string(),
            reason: json::str(c, "/reason").to_string(),
            message: json::str(c, "/message").to_string(),
            last_transition: json::str(c, "/lastTransitionTime").to_string(),
        })
        .collect()
}

fn resources(map: Option<&Value>) -> String {
    map.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    format!(
                        "{k}={}",
                        v.as_str().map_or_else(|| v.to_string(), str::to_string)
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

fn container_specs(pod_spec: Option<&Value>) -> Vec<ContainerSpec> {
    pod_spec
        .map(|s| json::array(s, "/containers"))
        .unwrap_or_default()
        .iter()
        .map(|c| ContainerSpec {
            name: json::str(c, "/name").to_string(),
            image: json::str(c, "/image").to_string(),
            requests: resources(c.pointer("/resources/requests")),
            limits: resources(c.pointer("/resources/limits")),
            ports: json::array(c, "/ports")
                .iter()
                .map(|p| {
                    let proto = json::str(p, "/protocol");
                    format!(
                        "{}/{}",
                        json::int(p, "/containerPort"),
                        if proto.is_empty() { "TCP" } else { proto }
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect()
}

/// Facts worth a line in the Overview tab, per kind: (label, JSON pointer).
fn fact_fields(kind: KindId) -> &'static [(&'static str, &'static str)] {
    match kind {
        KindId::Deployment => &[
            ("Strategy", "/spec/strategy/type"),
            ("Max surge", "/spec/strategy/rollingUpdate/maxSurge"),
            (
                "Max unavailable",
                "/spec/strategy/rollingUpdate/maxUnavailable",
            ),
            ("Progress deadline (s)", "/spec/progressDeadlineSeconds"),
            (
                "Revision",
                "/metadata/annotations/deployment.kubernetes.io~1revision",
            ),
            ("Paused", "/spec/paused"),
        ],
        KindId::StatefulSet | KindId::AdvancedStatefulSet => &[
            ("Service", "/spec/serviceName"),
            ("Update strategy", "/spec/updateStrategy/type"),
            ("Partition", "/spec/updateStrategy/rollingUpdate/partition"),
            ("Pod management", "/spec/podManagementPolicy"),
            ("Current revision", "/status/currentRevision"),
            ("Update revision", "/status/updateRevision"),
        ],
        KindId::DaemonSet | KindId::AdvancedDaemonSet => &[
            ("Update strategy", "/spec/updateStrategy/type"),
            (
                "Max unavailable",
                "/spec/updateStrategy/rollingUpdate/maxUnavailable",
            ),
            ("Current scheduled", "/status/currentNumberScheduled"),
            ("Misscheduled", "/status/numberMisscheduled"),
        ],
        KindId::Job | KindId::BroadcastJob => &[
            ("Completions", "/spec/completions"),
            ("Parallelism", "/spec/parallelism"),
            ("Backoff limit", "/spec/backoffLimit"),
            ("Active", "/status/active"),
            ("Failed", "/status/failed"),
            ("Started", "/status/startTime"),
            ("Completed", "/status/completionTime"),
        ],
        KindId::CronJob => &[
            ("Schedule", "/spec/schedule"),
            ("Suspended", "/spec/suspend"),
            ("Concurrency", "/spec/concurrencyPolicy"),
            ("Last schedule", "/status/lastScheduleTime"),
            ("Last success", "/status/lastSuccessfulTime"),
        ],
        KindId::AdvancedCronJob => &[
            ("Schedule", "/spec/schedule"),
            ("Paused", "/spec/paused"),
            ("Concurrency", "/spec/concurrencyPolicy"),
            ("Last schedule", "/status/lastScheduleTime"),
        ],
        KindId::CloneSet => &[
            ("Update strategy", "/spec/updateStrategy/type"),
            ("Partition", "/spec/updateStrategy/partition"),
            ("Max unavailable", "/spec/updateStrategy/maxUnavailable"),
            ("Paused", "/spec/updateStrategy/paused"),
            ("Current revision", "/status/currentRevision"),
            ("Update revision", "/status/updateRevision"),
        ],
        KindId::Pod => &[],
        KindId::Rollout => &[("Phase", "/status/phase"), ("Message", "/status/message")],
        KindId::VirtualMachine => &[
            ("Status", "/status/printableStatus"),
            ("Run strategy", "/spec/runStrategy"),
        ],
    }
}

fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.len().to_string(),
        other => other.to_string(),
    }
}

/// The object as YAML for the read-only YAML tab (managedFields already stripped).
#[must_use]
pub fn yaml(obj: &DynamicObject) -> String {
    serde_yaml::to_string(obj).unwrap_or_else(|e| format!("# cannot render YAML: {e}\n"))
}

/// The detail page of a workload.
#[must_use]
pub fn workload_detail(cluster: &str, kind: KindId, obj: &DynamicObject) -> WorkloadDetail {
    let info = kind.info();
    let value = as_json(obj);
    let template = pod_template(info, &value);
    let mut annotations: BTreeMap<String, String> =
        obj.metadata.annotations.clone().unwrap_or_default();
    annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
    WorkloadDetail {
        row: workload_row(cluster, kind, obj),
        uid: obj.metadata.uid.clone().unwrap_or_default(),
        labels: obj.metadata.labels.clone().unwrap_or_default(),
        annotations,
        selector: selector_of(&value).to_query(),
        facts: fact_fields(kind)
            .iter()
            .filter_map(|(label, pointer)| {
                value
                    .pointer(pointer)
                    .map(|v| ((*label).to_string(), display(v)))
            })
            .collect(),
        conditions: conditions(&value),
        containers: container_specs(template.and_then(|t| t.get("spec"))),
        yaml: yaml(obj),
    }
}

/// `Running`, `CrashLoopBackOff`, `Terminating`...: the STATUS column of `kubectl get pods`.
fn pod_status(pod: &Value) -> String {
    if pod
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
    {
        return "Terminating".into();
    }
    for c in json::array(pod, "/status/containerStatuses") {
        let waiting = json::str(c, "/state/waiting/reason");
        if !waiting.is_empty() {
            return waiting.to_string();
        }
        let terminated = json::str(c, "/state/terminated/reason");
        if !terminated.is_empty() && json::str(pod, "/status/phase") != "Succeeded" {
            return terminated.to_string();
        }
    }
    let phase = json::str(pod, "/status/phase");
    if phase.is_empty() {
        "Pending".into()
    } else {
        phase.to_string()
    }
}

/// A pod's row.
#[must_use]
pub fn pod_row(cluster: &str, obj: &DynamicObject) -> PodRow {
    let pod = as_json(obj);
    let statuses = json::array(&pod, "/status/containerStatuses");
    let owner = obj
        .metadata
        .owner_references
        .as_ref()
        .and_then(|o| {
            o.iter()
                .find(|r| r.controller == Some(true))
                .or_else(|| o.first())
        })
        .map(|r| format!("{}/{}", r.kind, r.name))
        .unwrap_or_default();
    PodRow {
        cluster: cluster.to_string(),
        namespace: obj.metadata.namespace.clone().unwrap_or_default(),
        name: obj.metadata.name.clone().unwrap_or_default(),
        status: pod_status(&pod),
        ready: statuses.iter().filter(|c| json::bool(c, "/ready")).count() as i64,
        containers: json::array(&pod, "/spec/containers").len() as i64,
        restarts: statuses.iter().map(|c| json::int(c, "/restartCount")).sum(),
        node: json::str(&pod, "/spec/nodeName").to_string(),
        ip: json::str(&pod, "/status/podIP").to_string(),
        created: created(obj),
        owner,
    }
}

fn state_text(state: &Value) -> Option<String> {
    if let Some(r) = state.get("running") {
        return Some(format!("running since {}", json::str(r, "/startedAt")));
    }
    if let Some(w) = state.get("waiting") {
        let reason = json::str(w, "/reason");
        let message = json::str(w, "/message");
        return Some(if message.is_empty() {
            format!("waiting: {reason}")
        } else {
            format!("waiting: {reason} ({message})")
        });
    }
    state.get("terminated").map(|t| {
        format!(
            "terminated: {} (exit {}) at {}",
            json::str(t, "/reason"),
            json::int(t, "/exitCode"),
            json::str(t, "/finishedAt")
        )
    })
}

/// A pod's detail page.
#[must_use]
pub fn pod_detail(cluster: &str, obj: &DynamicObject) -> PodDetail {
    let pod = as_json(obj);
    let statuses = json::array(&pod, "/status/containerStatuses");
    let containers = json::array(&pod, "/spec/containers")
        .iter()
        .map(|spec| {
            let name = json::str(spec, "/name");
            let status = statuses.iter().find(|s| json::str(s, "/name") == name);
            let last = status.and_then(|s| s.get("lastState")).and_then(state_text);
            ContainerState {
                name: name.to_string(),
                image: json::str(spec, "/image").to_string(),
                ready: status.is_some_and(|s| json::bool(s, "/ready")),
                restarts: status.map_or(0, |s| json::int(s, "/restartCount")),
                state: status
                    .and_then(|s| s.get("state"))
                    .and_then(state_text)
                    .unwrap_or_else(|| "waiting: ContainerCreating".into()),
                has_previous: last.is_some(),
                last_state: last,
            }
        })
        .collect();
    PodDetail {
        row: pod_row(cluster, obj),
        labels: obj.metadata.labels.clone().unwrap_or_default(),
        conditions: conditions(&pod),
        containers,
        yaml: yaml(obj),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> DynamicObject {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_deployment_past_its_progress_deadline_is_failed_with_the_reason() {
        let d = object(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "stuck", "namespace": "shop", "generation": 2},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "stuck"}},
                     "template": {"spec": {"containers": [{"name": "c", "image": "bad:1"}]}}},
            "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 0,
                       "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                                       "message": "ReplicaSet \"stuck-1\" has timed out progressing."}]}
        }));
        let row = workload_row("demo", KindId::Deployment, &d);
        assert_eq!((row.ready, row.desired), (0, 2));
        assert_eq!(row.health, Health::Failed);
        assert_eq!(
            row.reason.as_deref(),
            Some("ReplicaSet \"stuck-1\" has timed out progressing.")
        );
        assert_eq!(row.images, ["bad:1"]);
    }

    #[test]
    fn paused_and_suspended_workloads_say_so() {
        let d = object(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "ledger", "namespace": "payments"},
            "spec": {"paused": true, "replicas": 1}, "status": {"readyReplicas": 1}
        }));
        assert_eq!(
            workload_row("demo", KindId::Deployment, &d).health,
            Health::Paused
        );
        let cj = object(json!({
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "backup", "namespace": "data"},
            "spec": {"suspend": true, "schedule": "* * * * *",
                     "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "b:1"}]}}}}}
        }));
        let row = workload_row("demo", KindId::CronJob, &cj);
        assert_eq!(
            (row.health, row.images.clone()),
            (Health::Paused, vec!["b:1".to_string()])
        );
    }

    #[test]
    fn pod_rows_read_like_kubectl_get_pods() {
        let p = object(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-1", "namespace": "shop", "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc", "uid": "u", "controller": true}]},
            "spec": {"nodeName": "node-2", "containers": [{"name": "a"}, {"name": "b"}]},
            "status": {"phase": "Running", "podIP": "10.0.0.1", "containerStatuses": [
                {"name": "a", "ready": true, "restartCount": 2, "state": {"running": {}}},
                {"name": "b", "ready": false, "restartCount": 1, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}
        }));
        let row = pod_row("demo", &p);
        assert_eq!(row.status, "CrashLoopBackOff");
        assert_eq!((row.ready, row.containers, row.restarts), (1, 2, 3));
        assert_eq!(row.owner, "ReplicaSet/web-abc");
    }
}
