//! ReplicaSet controller: keeps `spec.replicas` pods from the template and reports
//! replicas / ready / available.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Ctx, delete_pod, pod_from_template, ready_count, write_status};
use crate::kinds::res;
use crate::meta;

/// Creates or deletes pods so that `want` active pods exist; surplus goes not-ready first,
/// then newest first, as the ReplicaSet controller ranks them.
pub fn scale_pods(
    ctx: &mut Ctx,
    owner: &Value,
    template: &Value,
    pods: &[Arc<Value>],
    want: i64,
    labels: &[(&str, String)],
) {
    let have = pods.len() as i64;
    if have < want {
        for _ in have..want {
            if !ctx.take_burst() {
                break;
            }
            let name = format!("{}-{}", meta::name(owner), ctx.state.suffix());
            let pod = pod_from_template(owner, template, &name, labels);
            super::create_pod(ctx.store, owner, pod, "replicaset-controller");
        }
    } else if have > want {
        let mut ranked: Vec<&Arc<Value>> = pods.iter().collect();
        ranked.sort_by_key(|p| {
            (
                meta::pod_ready(p),
                std::cmp::Reverse(meta::s(p, &["metadata", "creationTimestamp"]).to_string()),
            )
        });
        for p in ranked.into_iter().take((have - want) as usize) {
            delete_pod(ctx.store, p);
        }
    }
}

pub fn reconcile(ctx: &mut Ctx) {
    for rs in ctx.store.all(res::REPLICASETS) {
        if meta::is_terminating(&rs) {
            continue;
        }
        let pods = ctx.owned_pods(&rs);
        let want = meta::i(&rs, &["spec", "replicas"]);
        let template = rs.pointer("/spec/template").cloned().unwrap_or(json!({}));
        scale_pods(ctx, &rs, &template, &pods, want, &[]);
        let ready = ready_count(&pods);
        let mut status = json!({
            "replicas": pods.len(),
            "fullyLabeledReplicas": pods.len(),
            "readyReplicas": ready,
            "availableReplicas": ready,
            "observedGeneration": meta::i(&rs, &["metadata", "generation"]),
        });
        if ready == 0 {
            status.as_object_mut().map(|m| m.remove("readyReplicas"));
            status
                .as_object_mut()
                .map(|m| m.remove("availableReplicas"));
        }
        write_status(ctx.store, res::REPLICASETS, &rs, status);
    }
}
