//! CPU and memory in use from `metrics.k8s.io`, joined with what the watch caches know
//! (a node's allocatable capacity, a pod's requests and limits). Read by the console's
//! sampler, not per page view.

use std::collections::HashMap;

use bosun_core::{Error, Result};
use bosun_model::{KindId, NodeUsage, PodUsage};
use http::Method;
use serde_json::Value;

use crate::cluster::Cluster;
use crate::config::ACTION_DEADLINE;
use crate::error::with_deadline;
use crate::{json, quantity, raw, rows};

async fn metrics_list(cluster: &Cluster, plural: &str) -> Result<Value> {
    let client = &cluster.clients()?.action;
    let path = format!("/apis/metrics.k8s.io/v1beta1/{plural}");
    with_deadline(
        cluster.name(),
        ACTION_DEADLINE,
        raw::send(client, cluster.name(), Method::GET, &path, None, None),
    )
    .await
    .map_err(|e| match e {
        Error::Cluster { status: 404, .. } => Error::Unavailable(format!(
            "cluster {} serves no metrics API (metrics.k8s.io): install metrics-server to see CPU and memory usage",
            cluster.name()
        )),
        other => other,
    })
}

fn usage_of(v: &Value) -> (f64, f64) {
    let read = |p: &str| quantity::parse(json::str(v, p)).unwrap_or(0.0);
    (read("/usage/cpu"), read("/usage/memory"))
}

/// Every node's and every running pod's usage now.
///
/// # Errors
/// `Unavailable` when the cluster serves no metrics API or its caches are not ready.
pub async fn usage(cluster: &Cluster) -> Result<(Vec<NodeUsage>, Vec<PodUsage>)> {
    let node_metrics = metrics_list(cluster, "nodes").await?;
    let pod_metrics = metrics_list(cluster, "pods").await?;
    let allocatable: HashMap<String, (f64, f64)> = cluster
        .node_objects()?
        .iter()
        .map(|n| {
            let read = |r: &str| {
                quantity::parse(json::str(&n.data, &format!("/status/allocatable/{r}")))
                    .unwrap_or(0.0)
            };
            (
                n.metadata.name.clone().unwrap_or_default(),
                (read("cpu"), read("memory")),
            )
        })
        .collect();
    let nodes = json::array(&node_metrics, "/items")
        .iter()
        .map(|m| {
            let name = json::str(m, "/metadata/name").to_string();
            let (cpu, memory) = usage_of(m);
            let (cpu_allocatable, memory_allocatable) =
                allocatable.get(&name).copied().unwrap_or_default();
            NodeUsage {
                cluster: cluster.name().to_string(),
                name,
                cpu,
                memory,
                cpu_allocatable,
                memory_allocatable,
                history: Vec::new(),
            }
        })
        .collect();
    let pod_cache = cluster
        .cache(KindId::Pod)?
        .objects()
        .map_err(|s| cluster.not_ready("pods", &s))?;
    let specs: HashMap<(String, String), &kube::api::DynamicObject> = pod_cache
        .iter()
        .map(|p| {
            (
                (
                    p.metadata.namespace.clone().unwrap_or_default(),
                    p.metadata.name.clone().unwrap_or_default(),
                ),
                &**p,
            )
        })
        .collect();
    let pods = json::array(&pod_metrics, "/items")
        .iter()
        .map(|m| {
            let namespace = json::str(m, "/metadata/namespace").to_string();
            let name = json::str(m, "/metadata/name").to_string();
            let (cpu, memory) = json::array(m, "/containers")
                .iter()
                .map(usage_of)
                .fold((0.0, 0.0), |(c, mem), (c1, m1)| (c + c1, mem + m1));
            let spec = specs.get(&(namespace.clone(), name.clone())).copied();
            // `+ 0.0` turns the empty sum's -0.0 into 0.
            let sum = |field: &str, resource: &str| {
                spec.map_or(0.0, |p| rows::pod_sum(&[p], field, resource)) + 0.0
            };
            PodUsage {
                cluster: cluster.name().to_string(),
                cpu_requests: sum("requests", "cpu"),
                cpu_limits: sum("limits", "cpu"),
                memory_requests: sum("requests", "memory"),
                memory_limits: sum("limits", "memory"),
                namespace,
                name,
                cpu,
                memory,
                history: Vec::new(),
            }
        })
        .collect();
    Ok((nodes, pods))
}
