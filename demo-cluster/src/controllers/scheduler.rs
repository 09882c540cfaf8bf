//! Scheduler: binds pending pods to the least-loaded Ready node that is not cordoned and
//! whose NoSchedule taints the pod tolerates.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::Ctx;
use crate::clock::now_rfc3339;
use crate::kinds::res;
use crate::meta;

fn tolerates(pod: &Value, taint: &Value) -> bool {
    let tols = pod.pointer("/spec/tolerations").and_then(Value::as_array);
    tols.is_some_and(|ts| {
        ts.iter().any(|t| {
            let key_ok = t["operator"] == "Exists"
                && t.get("key")
                    .is_none_or(|k| k.is_null() || *k == taint["key"])
                || t["key"] == taint["key"];
            let effect_ok = t
                .get("effect")
                .is_none_or(|e| e.is_null() || *e == taint["effect"] || e == "");
            key_ok && effect_ok
        })
    })
}

fn fits(pod: &Value, node: &Value) -> bool {
    if meta::b(node, &["spec", "unschedulable"]) {
        return false;
    }
    if let Some(sel) = pod.pointer("/spec/nodeSelector").and_then(Value::as_object) {
        let labels = meta::labels(node);
        if !sel
            .iter()
            .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
        {
            return false;
        }
    }
    let taints = node.pointer("/spec/taints").and_then(Value::as_array);
    taints.is_none_or(|ts| {
        ts.iter()
            .filter(|t| t["effect"] == "NoSchedule")
            .all(|t| tolerates(pod, t))
    })
}

pub fn reconcile(ctx: &mut Ctx) {
    let nodes = ctx.store.all(res::NODES);
    let pods = ctx.store.all(res::PODS);
    let mut load: HashMap<String, usize> = nodes
        .iter()
        .map(|n| (meta::name(n).to_string(), 0))
        .collect();
    for p in &pods {
        if let Some(c) = load.get_mut(meta::s(p, &["spec", "nodeName"])) {
            *c += 1;
        }
    }
    for p in pods
        .iter()
        .filter(|p| meta::s(p, &["spec", "nodeName"]).is_empty() && !meta::is_terminating(p))
    {
        let best = nodes.iter().filter(|n| fits(p, n)).min_by_key(|n| {
            (
                load.get(meta::name(n)).copied().unwrap_or(0),
                meta::name(n).to_string(),
            )
        });
        let Some(node) = best else { continue };
        let nn = meta::name(node).to_string();
        *load.entry(nn.clone()).or_default() += 1;
        // Bound only as read: a pod changed meanwhile is looked at again next pass.
        super::update(ctx.store, res::PODS, p, |o| {
            meta::set(o, &["spec", "nodeName"], json!(nn));
            meta::set(
                o,
                &["status", "conditions"],
                json!([{ "type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": now_rfc3339() }]),
            );
        });
        let msg = format!(
            "Successfully assigned {}/{} to {nn}",
            meta::namespace(p),
            meta::name(p)
        );
        super::events::record(
            ctx.store,
            p,
            "Normal",
            "Scheduled",
            &msg,
            "default-scheduler",
        );
    }
}
