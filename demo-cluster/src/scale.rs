//! A world of N pods for load tests and the benchmark, spread the way a large cluster is:
//! over namespaces of up to 1,000 pods, over nodes of up to 100 pods, and over workloads of
//! every kind. Deployments (nearly all the pods) are written directly in steady state
//! (ReplicaSets and Running/Ready pods bound to nodes) so 50,000 pods exist within
//! seconds; each namespace's StatefulSet and Job and the node agent DaemonSet are left to
//! the simulated controllers, which start their few pods within moments.

use serde_json::json;

use crate::ScaleSpec;
use crate::clock::now_rfc3339;
use crate::controllers::kubelet::started_status;
use crate::error::Result;
use crate::kinds::res;
use crate::meta;
use crate::seed::{container, deployment, node, put, template};

/// Most pods a generated namespace holds.
const PODS_PER_NAMESPACE: usize = 1000;
/// Most pods a generated node runs (the kubelet's default `maxPods` is 110).
const PODS_PER_NODE: usize = 100;
/// Replicas of each generated Deployment (the last one of a namespace takes the rest).
const DEPLOYMENT_REPLICAS: usize = 10;
/// Replicas of each namespace's StatefulSet.
const STATEFULSET_REPLICAS: usize = 3;
/// The label that keeps the node agent DaemonSet on the generated nodes.
const POOL_LABEL: &str = "bosun.dev/pool";

/// How the N pods divide: one node agent pod per node, a StatefulSet and a Job per
/// namespace when there is room, Deployments for the rest.
#[derive(Debug, PartialEq, Eq)]
struct Plan {
    nodes: usize,
    namespaces: usize,
    daemon_pods: usize,
    /// Whether each namespace gets a StatefulSet and a Job.
    extras: bool,
    /// Pods of Deployments in each namespace, in order.
    deployment_pods: Vec<usize>,
}

impl Plan {
    fn new(pods: usize) -> Self {
        let nodes = pods.div_ceil(PODS_PER_NODE).max(2);
        let namespaces = pods.div_ceil(PODS_PER_NAMESPACE).max(1);
        let extra_per_ns = STATEFULSET_REPLICAS + 1;
        let extras = pods >= 2 * (nodes + namespaces * extra_per_ns);
        let daemon_pods = if extras { nodes } else { 0 };
        let fixed = daemon_pods + if extras { namespaces * extra_per_ns } else { 0 };
        let rest = pods - fixed;
        let deployment_pods = (0..namespaces)
            .map(|i| rest / namespaces + usize::from(i < rest % namespaces))
            .collect();
        Self {
            nodes,
            namespaces,
            daemon_pods,
            extras,
            deployment_pods,
        }
    }
}

/// Adds `spec.pods` pods (and their nodes, namespaces and workloads) to the store.
pub fn generate(store: &crate::store::Store, spec: ScaleSpec) -> Result<()> {
    if spec.pods == 0 {
        return Ok(());
    }
    let plan = Plan::new(spec.pods);
    let nodes: Vec<String> = (0..plan.nodes)
        .map(|i| format!("load-node-{i:04}"))
        .collect();
    for (i, name) in nodes.iter().enumerate() {
        let mut n = node(name, false);
        n["metadata"]["labels"][POOL_LABEL] = json!("load");
        n["spec"]["podCIDR"] = json!(format!("10.{}.{}.0/24", 100 + i / 256, i % 256));
        n["status"]["addresses"][0]["address"] = json!(format!("10.0.{}.{}", i / 256, i % 256));
        put(store, res::NODES, n)?;
    }
    if plan.extras {
        put(
            store,
            res::NAMESPACES,
            json!({ "metadata": { "name": "load-system" } }),
        )?;
        let mut agent = template(
            "node-agent",
            json!([container("agent", "ghcr.io/bosun/node-agent:1.0.0", 9100)]),
        );
        agent["spec"]["nodeSelector"] = json!({ POOL_LABEL: "load" });
        put(
            store,
            res::DAEMONSETS,
            json!({
                "metadata": { "name": "node-agent", "namespace": "load-system", "labels": { "app": "node-agent" } },
                "spec": { "selector": { "matchLabels": { "app": "node-agent" } }, "template": agent },
            }),
        )?;
    }
    let now = now_rfc3339();
    let mut placed = 0usize;
    for (i, pods) in plan.deployment_pods.iter().enumerate() {
        let ns = format!("load-{i:03}");
        put(
            store,
            res::NAMESPACES,
            json!({ "metadata": { "name": ns } }),
        )?;
        if plan.extras {
            extras(store, &ns)?;
        }
        let count = pods.div_ceil(DEPLOYMENT_REPLICAS);
        for j in 0..count {
            let replicas = DEPLOYMENT_REPLICAS.min(pods - j * DEPLOYMENT_REPLICAS);
            let name = format!("app-{j:03}");
            steady_deployment(store, &ns, &name, replicas, &nodes, &mut placed, &now)?;
        }
    }
    Ok(())
}

/// A namespace's StatefulSet and Job, for the controllers to bring up.
fn extras(store: &crate::store::Store, ns: &str) -> Result<()> {
    put(
        store,
        res::STATEFULSETS,
        json!({
            "metadata": { "name": "db", "namespace": ns, "labels": { "app": "db" } },
            "spec": {
                "replicas": STATEFULSET_REPLICAS, "serviceName": "db", "podManagementPolicy": "Parallel",
                "selector": { "matchLabels": { "app": "db" } },
                "template": template("db", json!([container("db", "ghcr.io/bosun/db:16", 5432)])),
            },
        }),
    )?;
    let mut job = template(
        "migrate",
        json!([container("migrate", "ghcr.io/bosun/migrate:1.0.0", 8080)]),
    );
    job["spec"]["restartPolicy"] = json!("Never");
    put(
        store,
        res::JOBS,
        json!({
            "metadata": { "name": "migrate", "namespace": ns, "labels": { "app": "migrate" } },
            "spec": { "completions": 1, "parallelism": 1, "backoffLimit": 2, "template": job },
        }),
    )?;
    Ok(())
}

/// A Deployment with its ReplicaSet and Running, Ready pods, as the controllers would
/// leave them, so nothing needs reconciling.
fn steady_deployment(
    store: &crate::store::Store,
    ns: &str,
    name: &str,
    replicas: usize,
    nodes: &[String],
    placed: &mut usize,
    now: &str,
) -> Result<()> {
    let d = put(
        store,
        res::DEPLOYMENTS,
        deployment(ns, name, replicas as i64, "ghcr.io/bosun/load:1.0.0"),
    )?;
    let mut template = d["spec"]["template"].clone();
    let hash = meta::template_hash(&template);
    template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
    let rs = json!({
        "metadata": {
            "name": format!("{name}-{hash}"), "namespace": ns,
            "labels": template["metadata"]["labels"].clone(),
            "annotations": { "deployment.kubernetes.io/revision": "1" },
            "ownerReferences": [meta::owner_ref(&d)],
        },
        "spec": { "replicas": replicas, "selector": { "matchLabels": { "app": name, "pod-template-hash": hash } }, "template": template.clone() },
        "status": { "replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas, "fullyLabeledReplicas": replicas, "observedGeneration": 1 },
    });
    let rs = put(store, res::REPLICASETS, rs)?;
    for k in 0..replicas {
        let node = &nodes[*placed % nodes.len()];
        *placed += 1;
        let pod_name = format!(
            "{name}-{hash}-{}",
            meta::safe_encode(meta::fnv(format!("{ns}/{name}/{k}").as_bytes()), 5)
        );
        let mut pod = crate::controllers::pod_from_template(&rs, &template, &pod_name, &[]);
        pod["spec"]["nodeName"] = json!(node);
        pod["status"] = started_status(&pod, node, now);
        // Already whole from the template (apiVersion, kind, spec defaults): stored as
        // is, without `put` defaulting 50,000 pods a second time.
        store
            .create(res::PODS, pod)
            .map_err(|e| crate::Error::Seed {
                what: pod_name,
                message: e.message,
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(plan: &Plan) -> usize {
        let extras = if plan.extras {
            plan.namespaces * (STATEFULSET_REPLICAS + 1)
        } else {
            0
        };
        plan.daemon_pods + extras + plan.deployment_pods.iter().sum::<usize>()
    }

    #[test]
    fn every_size_adds_up_to_exactly_the_pods_asked_for() {
        for pods in [1, 7, 50, 99, 100, 500, 1001, 10_000, 50_000, 123_457] {
            let plan = Plan::new(pods);
            assert_eq!(total(&plan), pods, "{pods} pods: {plan:?}");
            assert!(plan.nodes * PODS_PER_NODE >= pods);
            assert!(
                plan.deployment_pods
                    .iter()
                    .all(|p| *p <= PODS_PER_NAMESPACE)
            );
        }
        let big = Plan::new(50_000);
        assert_eq!((big.nodes, big.namespaces, big.daemon_pods), (500, 50, 500));
        assert!(big.extras);
        assert!(
            !Plan::new(7).extras,
            "too small for a StatefulSet per namespace"
        );
    }
}
