//! StatefulSet controller: ordinal pods `name-0..N-1` created in order (each waits for the
//! previous to be Ready), ControllerRevisions, and rolling updates from the highest
//! ordinal down to `partition`, one pod at a time.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Ctx, delete_pod, pod_from_template, ready_count, revisions, write_status};
use crate::kinds::res;
use crate::meta;

const HASH: &str = "controller-revision-hash";

pub fn reconcile(ctx: &mut Ctx) {
    // OpenKruise's Advanced StatefulSet behaves the same for the demo.
    for r in [res::STATEFULSETS, res::KRUISE_STATEFULSETS] {
        for sts in ctx.store.all(r) {
            if !meta::is_terminating(&sts) {
                reconcile_one(ctx, r, &sts);
            }
        }
    }
}

fn ordinal(sts: &Value, pod: &Value) -> Option<i64> {
    meta::name(pod)
        .strip_prefix(&format!("{}-", meta::name(sts)))?
        .parse()
        .ok()
}

fn revision_label(p: &Value) -> &str {
    meta::labels(p)
        .and_then(|l| l.get(HASH))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn reconcile_one(ctx: &mut Ctx, r: crate::kinds::Res, sts: &Arc<Value>) {
    let (update_rev, _) = revisions::ensure(ctx, sts);
    let current_rev = match meta::s(sts, &["status", "currentRevision"]) {
        "" => update_rev.clone(),
        r => r.to_string(),
    };
    let replicas = meta::i(sts, &["spec", "replicas"]);
    let partition = meta::i(
        sts,
        &["spec", "updateStrategy", "rollingUpdate", "partition"],
    );
    let on_delete = meta::s(sts, &["spec", "updateStrategy", "type"]) == "OnDelete";
    let parallel = meta::s(sts, &["spec", "podManagementPolicy"]) == "Parallel";
    let pods = ctx.owned_pods(sts);
    let all_pods_terminating = ctx
        .store
        .list(res::PODS, Some(meta::namespace(sts)))
        .0
        .iter()
        .any(|p| {
            meta::is_terminating(p)
                && ordinal(sts, p).is_some()
                && meta::controller_uid(p) == Some(meta::uid(sts))
        });
    let revs = revisions::owned(ctx, sts);
    let template_for = |rev: &str| -> Value {
        revs.iter()
            .find(|r| meta::name(r) == rev)
            .map(|r| revisions::template_of(r))
            .unwrap_or_else(|| sts.pointer("/spec/template").cloned().unwrap_or(json!({})))
    };
    // Scale down: highest ordinal first.
    let mut surplus: Vec<&Arc<Value>> = pods
        .iter()
        .filter(|p| ordinal(sts, p).is_none_or(|o| o >= replicas))
        .collect();
    surplus.sort_by_key(|p| std::cmp::Reverse(ordinal(sts, p)));
    if let Some(p) = surplus.first() {
        if parallel {
            for p in &surplus {
                delete_pod(ctx.store, p);
            }
        } else if !all_pods_terminating {
            delete_pod(ctx.store, p);
        }
    }
    // Scale up in order.
    for i in 0..replicas {
        let name = format!("{}-{i}", meta::name(sts));
        if pods.iter().any(|p| meta::name(p) == name) {
            continue;
        }
        if ctx
            .store
            .get(res::PODS, meta::namespace(sts), &name)
            .is_some()
        {
            break; // the previous incarnation is still terminating
        }
        let predecessors_ready = pods
            .iter()
            .filter(|p| ordinal(sts, p).is_some_and(|o| o < i))
            .filter(|p| meta::pod_ready(p))
            .count() as i64
            == i;
        if !parallel && !predecessors_ready {
            break;
        }
        let rev = if i < partition {
            current_rev.clone()
        } else {
            update_rev.clone()
        };
        let template = template_for(&rev);
        let mut pod = pod_from_template(
            sts,
            &template,
            &name,
            &[
                (HASH, rev.clone()),
                ("statefulset.kubernetes.io/pod-name", name.clone()),
            ],
        );
        meta::set(&mut pod, &["spec", "hostname"], json!(name));
        if let Some(svc) = sts.pointer("/spec/serviceName") {
            meta::set(&mut pod, &["spec", "subdomain"], svc.clone());
        }
        super::create_pod(ctx.store, sts, pod, "statefulset-controller");
        if !parallel {
            break;
        }
    }
    // Rolling update, highest ordinal first, only when everything is Ready.
    let healthy =
        pods.len() as i64 == replicas && ready_count(&pods) == replicas && !all_pods_terminating;
    if !on_delete && healthy {
        let mut outdated: Vec<&Arc<Value>> = pods
            .iter()
            .filter(|p| {
                ordinal(sts, p).is_some_and(|o| o >= partition) && revision_label(p) != update_rev
            })
            .collect();
        outdated.sort_by_key(|p| std::cmp::Reverse(ordinal(sts, p)));
        if let Some(p) = outdated.first() {
            delete_pod(ctx.store, p);
        }
    }
    let updated = pods
        .iter()
        .filter(|p| revision_label(p) == update_rev)
        .count() as i64;
    let current = pods
        .iter()
        .filter(|p| revision_label(p) == current_rev)
        .count() as i64;
    let ready = ready_count(&pods);
    let done = updated == replicas && ready == replicas;
    let status = json!({
        "observedGeneration": meta::i(sts, &["metadata", "generation"]),
        "replicas": pods.len(),
        "readyReplicas": ready,
        "availableReplicas": ready,
        "currentReplicas": if done { updated } else { current },
        "updatedReplicas": updated,
        "currentRevision": if done { update_rev.clone() } else { current_rev.clone() },
        "updateRevision": update_rev,
        "collisionCount": 0,
    });
    write_status(ctx.store, r, sts, status);
    revisions::prune(ctx, sts, &[&update_rev, &current_rev]);
}
