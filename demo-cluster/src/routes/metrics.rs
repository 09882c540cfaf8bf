//! Computed kinds: metrics.k8s.io node and pod metrics.

use std::sync::Arc;

use axum::response::Response;
use http::Method;
use serde_json::{Value, json};

use super::{Req, ResourcePath};
use crate::clock::now_rfc3339;
use crate::kinds::res;
use crate::selectors::LabelSelector;
use crate::status::{ApiError, ApiResult, json_response};
use crate::{Shared, meta};

/// Per-container usage: (millicores, MiB). Each container has its own level (from a
/// hash of its name) that swings by up to a third over a period of about ten minutes,
/// each with its own phase, so charts of the console show lines that move.
pub fn container_usage(pod: &Value, container: &str) -> (u64, u64) {
    let h =
        meta::fnv(format!("{}/{}/{container}", meta::namespace(pod), meta::name(pod)).as_bytes());
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let phase = (h % 628) as f64 / 100.0;
    let swing = |base: u64, period: f64| {
        let factor = 1.0 + 0.33 * (seconds / period + phase).sin();
        (base as f64 * factor).round().max(1.0) as u64
    };
    (swing(5 + h % 120, 95.0), swing(16 + (h >> 16) % 240, 140.0))
}

fn pod_metrics(pod: &Value) -> Value {
    let containers: Vec<Value> = meta::get(pod, &["spec", "containers"])
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    let n = c["name"].as_str().unwrap_or("");
                    let (cpu, mem) = container_usage(pod, n);
                    json!({ "name": n, "usage": { "cpu": format!("{cpu}m"), "memory": format!("{mem}Mi") } })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": { "name": meta::name(pod), "namespace": meta::namespace(pod), "labels": meta::labels(pod), "creationTimestamp": now_rfc3339() },
        "timestamp": now_rfc3339(), "window": "10.5s", "containers": containers,
    })
}

fn running(pod: &Value) -> bool {
    meta::s(pod, &["status", "phase"]) == "Running"
}

fn node_metrics(node: &Value, pods: &[Arc<Value>]) -> Value {
    let name = meta::name(node);
    let (mut cpu, mut mem) = (150u64, 900u64);
    for p in pods
        .iter()
        .filter(|p| meta::s(p, &["spec", "nodeName"]) == name && running(p))
    {
        for c in meta::get(p, &["spec", "containers"])
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (c1, m1) = container_usage(p, c["name"].as_str().unwrap_or(""));
            cpu += c1;
            mem += m1;
        }
    }
    json!({
        "kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": { "name": name, "labels": meta::labels(node), "creationTimestamp": now_rfc3339() },
        "timestamp": now_rfc3339(), "window": "20.05s",
        "usage": { "cpu": format!("{cpu}m"), "memory": format!("{}Ki", mem * 1024) },
    })
}

pub fn handle(app: &Arc<Shared>, rp: &ResourcePath, req: &Req) -> ApiResult<Response> {
    let def = rp.def;
    if req.method != Method::GET {
        return Err(ApiError::method_not_allowed());
    }
    let labels = LabelSelector::parse(req.query.get("labelSelector").unwrap_or(""))?;
    let pods = app.store.all(res::PODS);
    if def.kind == "NodeMetrics" {
        let nodes = app.store.all(res::NODES);
        if let Some(name) = &rp.name {
            let n = nodes
                .iter()
                .find(|n| meta::name(n) == name)
                .ok_or_else(|| ApiError::not_found(def.group, def.plural, name))?;
            return Ok(json_response(200, &node_metrics(n, &pods)));
        }
        let items: Vec<Value> = nodes
            .iter()
            .filter(|n| labels.matches(meta::labels(n)))
            .map(|n| node_metrics(n, &pods))
            .collect();
        return Ok(json_response(
            200,
            &json!({ "kind": "NodeMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items }),
        ));
    }
    let ns = rp.namespace.as_deref();
    let selected: Vec<&Arc<Value>> = pods
        .iter()
        .filter(|p| {
            ns.is_none_or(|ns| meta::namespace(p) == ns)
                && running(p)
                && labels.matches(meta::labels(p))
        })
        .collect();
    if let Some(name) = &rp.name {
        let p = selected
            .iter()
            .find(|p| meta::name(p) == name)
            .ok_or_else(|| ApiError::not_found(def.group, def.plural, name))?;
        return Ok(json_response(200, &pod_metrics(p)));
    }
    let items: Vec<Value> = selected.iter().map(|p| pod_metrics(p)).collect();
    Ok(json_response(
        200,
        &json!({ "kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items }),
    ))
}
