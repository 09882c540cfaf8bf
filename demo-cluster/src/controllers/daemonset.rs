//! DaemonSet controller: one pod per schedulable node matching the node selector (taints
//! other than cordoning are ignored, as DaemonSet pods tolerate them), ControllerRevisions,
//! and a rolling update that replaces one pod at a time.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Ctx, delete_pod, pod_from_template, revisions, write_status};
use crate::kinds::res;
use crate::{meta, selectors};

const HASH: &str = "controller-revision-hash";

pub fn reconcile(ctx: &mut Ctx) {
    let nodes = ctx.store.all(res::NODES);
    // OpenKruise's Advanced DaemonSet behaves the same for the demo.
    for r in [res::DAEMONSETS, res::KRUISE_DAEMONSETS] {
        for ds in ctx.store.all(r) {
            if !meta::is_terminating(&ds) {
                reconcile_one(ctx, r, &ds, &nodes);
            }
        }
    }
}

fn node_selected(ds: &Value, node: &Value) -> bool {
    let sel = ds
        .pointer("/spec/template/spec/nodeSelector")
        .cloned()
        .unwrap_or(json!({}));
    selectors::label_selector_object_matches(&json!({ "matchLabels": sel }), meta::labels(node))
}

fn reconcile_one(ctx: &mut Ctx, r: crate::kinds::Res, ds: &Arc<Value>, nodes: &[Arc<Value>]) {
    let (_, hash) = revisions::ensure(ctx, ds);
    let rev_name = format!("{}-{hash}", meta::name(ds));
    let pods = ctx.owned_pods(ds);
    let any_terminating = ctx
        .store
        .list(res::PODS, Some(meta::namespace(ds)))
        .0
        .iter()
        .any(|p| {
            meta::is_terminating(p)
                && meta::get(p, &["metadata", "ownerReferences"])
                    .is_some_and(|r| r.to_string().contains(meta::uid(ds)))
        });
    let template = ds.pointer("/spec/template").cloned().unwrap_or(json!({}));
    let mut desired = 0;
    for node in nodes {
        let nn = meta::name(node);
        let on_node: Vec<&Arc<Value>> = pods
            .iter()
            .filter(|p| meta::s(p, &["spec", "nodeName"]) == nn)
            .collect();
        let eligible = node_selected(ds, node) && !meta::b(node, &["spec", "unschedulable"]);
        if eligible || !on_node.is_empty() {
            desired += 1;
        }
        if eligible && on_node.is_empty() && !any_terminating_on(ctx, ds, nn) {
            let name = format!("{}-{}", meta::name(ds), ctx.state.suffix());
            let mut pod = pod_from_template(
                ds,
                &template,
                &name,
                &[
                    (HASH, hash.clone()),
                    (
                        "pod-template-generation",
                        meta::i(ds, &["metadata", "generation"]).to_string(),
                    ),
                ],
            );
            meta::set(&mut pod, &["spec", "nodeName"], json!(nn));
            super::create_pod(ctx.store, ds, pod, "daemonset-controller");
        }
        for extra in on_node.iter().skip(1) {
            delete_pod(ctx.store, extra);
        }
    }
    for p in &pods {
        let nn = meta::s(p, &["spec", "nodeName"]);
        if !nodes.iter().any(|n| meta::name(n) == nn) {
            delete_pod(ctx.store, p);
        }
    }
    let label = |p: &Value| {
        meta::labels(p)
            .and_then(|l| l.get(HASH))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let ready = pods.iter().filter(|p| meta::pod_ready(p)).count() as i64;
    let on_delete = meta::s(ds, &["spec", "updateStrategy", "type"]) == "OnDelete";
    if !on_delete
        && !any_terminating
        && ready == pods.len() as i64
        && let Some(p) = pods.iter().find(|p| label(p) != hash)
    {
        delete_pod(ctx.store, p);
    }
    let updated = pods.iter().filter(|p| label(p) == hash).count() as i64;
    let status = json!({
        "observedGeneration": meta::i(ds, &["metadata", "generation"]),
        "desiredNumberScheduled": desired,
        "currentNumberScheduled": pods.len(),
        "numberMisscheduled": 0,
        "numberReady": ready,
        "numberAvailable": ready,
        "numberUnavailable": (desired - ready).max(0),
        "updatedNumberScheduled": updated,
    });
    write_status(ctx.store, r, ds, status);
    revisions::prune(ctx, ds, &[&rev_name]);
}

fn any_terminating_on(ctx: &Ctx, ds: &Value, node: &str) -> bool {
    ctx.store
        .list(res::PODS, Some(meta::namespace(ds)))
        .0
        .iter()
        .any(|p| {
            meta::is_terminating(p)
                && meta::s(p, &["spec", "nodeName"]) == node
                && meta::get(p, &["metadata", "ownerReferences"])
                    .is_some_and(|r| r.to_string().contains(meta::uid(ds)))
        })
}
