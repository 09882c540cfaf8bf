//! A workload's row on the Workloads page and its detail page.

use std::collections::BTreeMap;

use bosun_model::{ContainerSpec, KindId, WorkloadDetail, WorkloadRow};
use kube::api::DynamicObject;
use serde_json::Value;

use super::health::{counts, health};
use super::{as_json, conditions, created, pod_template, selector_of, yaml};
use crate::json;

/// The images of a pod spec's containers, in order.
fn images(pod_spec: Option<&Value>) -> Vec<String> {
    pod_spec
        .map(|s| json::array(s, "/containers"))
        .unwrap_or_default()
        .iter()
        .map(|c| json::str(c, "/image").to_string())
        .collect()
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
        // Pods, rollouts, VMs and nodes have detail pages of their own.
        KindId::Pod
        | KindId::Rollout
        | KindId::VirtualMachine
        | KindId::VirtualMachineInstance
        | KindId::Node => &[],
        // The Resources kinds have sections of their own (`rows::sections`).
        _ => &[],
    }
}

fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.len().to_string(),
        other => other.to_string(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_model::Health;
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
}
