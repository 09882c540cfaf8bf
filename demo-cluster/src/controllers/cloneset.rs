//! OpenKruise CloneSet controller: like a ReplicaSet that owns its revisions. Pods carry
//! `controller-revision-hash`; `spec.updateStrategy.partition` keeps that many pods on
//! the current revision and `spec.updateStrategy.paused` stops updating, which is what a
//! Kruise Rollout drives during a canary.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Ctx, delete_pod, pod_from_template, revisions, write_status};
use crate::kinds::res;
use crate::{meta, selectors};

const HASH: &str = "controller-revision-hash";

fn rev_of(p: &Value) -> &str {
    meta::labels(p)
        .and_then(|l| l.get(HASH))
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub fn reconcile(ctx: &mut Ctx) {
    for cs in ctx.store.all(res::CLONESETS) {
        if !meta::is_terminating(&cs) {
            reconcile_one(ctx, &cs);
        }
    }
}

fn reconcile_one(ctx: &mut Ctx, cs: &Arc<Value>) {
    let (update_rev, _) = revisions::ensure(ctx, cs);
    let current_rev = match meta::s(cs, &["status", "currentRevision"]) {
        "" => update_rev.clone(),
        r => r.to_string(),
    };
    let replicas = meta::i(cs, &["spec", "replicas"]);
    let partition = meta::int_or_percent(
        cs.pointer("/spec/updateStrategy/partition"),
        replicas,
        "0",
        true,
    )
    .clamp(0, replicas);
    let paused = meta::b(cs, &["spec", "updateStrategy", "paused"]);
    let expected_updated = replicas.saturating_sub(partition);
    let pods = ctx.owned_pods(cs);
    let revs = revisions::owned(ctx, cs);
    let template_for = |rev: &str| -> Value {
        revs.iter()
            .find(|r| meta::name(r) == rev)
            .map(|r| revisions::template_of(r))
            .unwrap_or_else(|| cs.pointer("/spec/template").cloned().unwrap_or(json!({})))
    };
    let mut updated = pods.iter().filter(|p| rev_of(p) == update_rev).count() as i64;
    let have = pods.len() as i64;
    if have < replicas {
        for _ in have..replicas {
            if !ctx.take_burst() {
                break;
            }
            let rev = if updated < expected_updated || paused && current_rev == update_rev {
                update_rev.clone()
            } else {
                current_rev.clone()
            };
            if rev == update_rev {
                updated += 1;
            }
            let name = format!("{}-{}", meta::name(cs), ctx.state.suffix());
            let pod = pod_from_template(cs, &template_for(&rev), &name, &[(HASH, rev)]);
            super::create_pod(ctx.store, cs, pod, "cloneset-controller");
        }
    } else if have > replicas {
        let mut ranked: Vec<&Arc<Value>> = pods.iter().collect();
        ranked.sort_by_key(|p| (rev_of(p) == update_rev, meta::pod_ready(p)));
        for p in ranked.into_iter().take((have - replicas) as usize) {
            delete_pod(ctx.store, p);
        }
    } else if !paused && updated < expected_updated {
        let all_ready = pods.iter().all(|p| meta::pod_ready(p));
        if all_ready {
            // Recreate update: the replacement is created at the update revision.
            if let Some(p) = pods.iter().find(|p| rev_of(p) != update_rev) {
                delete_pod(ctx.store, p);
            }
        }
    }
    let ready = pods.iter().filter(|p| meta::pod_ready(p)).count() as i64;
    let updated_pods: Vec<&Arc<Value>> = pods.iter().filter(|p| rev_of(p) == update_rev).collect();
    let updated_ready = updated_pods.iter().filter(|p| meta::pod_ready(p)).count() as i64;
    let done = updated_pods.len() as i64 == replicas && replicas == have;
    let selector = cs
        .pointer("/spec/selector")
        .map(selectors::selector_string)
        .unwrap_or_default();
    let status = json!({
        "observedGeneration": meta::i(cs, &["metadata", "generation"]),
        "replicas": have,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "updatedReplicas": updated_pods.len(),
        "updatedReadyReplicas": updated_ready,
        "expectedUpdatedReplicas": expected_updated,
        "updateRevision": update_rev,
        "currentRevision": if done { update_rev.clone() } else { current_rev.clone() },
        "labelSelector": selector,
    });
    write_status(ctx.store, res::CLONESETS, cs, status);
    revisions::prune(ctx, cs, &[&update_rev, &current_rev]);
}
