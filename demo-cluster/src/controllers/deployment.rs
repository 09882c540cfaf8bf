//! Deployment controller: one ReplicaSet per distinct template (`pod-template-hash`),
//! numbered by `deployment.kubernetes.io/revision`, rolled with maxSurge/maxUnavailable,
//! old ones pruned to `revisionHistoryLimit`, and the status `kubectl rollout status` reads
//! (its `Progressing` condition and progress deadline live in `progress`).

mod progress;

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{Ctx, set_condition, write_status};
use crate::kinds::{self, res};
use crate::meta;
use progress::{Counts, NewReplicaSet, Rollout};

const REVISION: &str = "deployment.kubernetes.io/revision";
/// Annotations of the Deployment that are not copied to its ReplicaSets.
const NOT_COPIED: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
];

fn revision(rs: &Value) -> i64 {
    meta::annotation(rs, REVISION)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn copied_annotations(d: &Value) -> Map<String, Value> {
    d.pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !NOT_COPIED.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Annotations the newest ReplicaSet carries on every sync: the Deployment's own (e.g.
/// `kubernetes.io/change-cause`) and the desired/max replica figures.
fn new_rs_annotations(d: &Value, desired: i64, max_surge: i64) -> Map<String, Value> {
    let mut ann = copied_annotations(d);
    ann.insert(
        "deployment.kubernetes.io/desired-replicas".into(),
        json!(desired.to_string()),
    );
    ann.insert(
        "deployment.kubernetes.io/max-replicas".into(),
        json!(desired.saturating_add(max_surge).to_string()),
    );
    ann
}

fn sync_new_rs_annotations(ctx: &Ctx, rs: &Value, want: Map<String, Value>) {
    let current = rs
        .pointer("/metadata/annotations")
        .and_then(Value::as_object);
    if want
        .iter()
        .all(|(k, v)| current.and_then(|c| c.get(k)) == Some(v))
    {
        return;
    }
    super::update(ctx.store, res::REPLICASETS, rs, |o| {
        for (k, v) in want {
            meta::set(o, &["metadata", "annotations", &k], v);
        }
    });
}

fn new_replicaset(d: &Value, hash: &str, rev: i64, replicas: i64, max_surge: i64) -> Value {
    let mut template = d.pointer("/spec/template").cloned().unwrap_or(json!({}));
    meta::set(
        &mut template,
        &["metadata", "labels", "pod-template-hash"],
        json!(hash),
    );
    let mut selector = d.pointer("/spec/selector").cloned().unwrap_or(json!({}));
    meta::set(
        &mut selector,
        &["matchLabels", "pod-template-hash"],
        json!(hash),
    );
    let desired = meta::i(d, &["spec", "replicas"]);
    let mut ann = new_rs_annotations(d, desired, max_surge);
    ann.insert(REVISION.into(), json!(rev.to_string()));
    let mut rs = json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": format!("{}-{hash}", meta::name(d)),
            "namespace": meta::namespace(d),
            "labels": template["metadata"]["labels"].clone(),
            "annotations": ann,
            "ownerReferences": [meta::owner_ref(d)],
        },
        "spec": { "replicas": replicas, "selector": selector, "template": template },
    });
    if let Some(def) = kinds::storage_def(res::REPLICASETS) {
        crate::defaults::apply(def, &mut rs);
    }
    rs
}

fn set_replicas(ctx: &Ctx, d: &Value, rs: &Value, n: i64) {
    let old = meta::i(rs, &["spec", "replicas"]);
    if old != n {
        // As read: a ReplicaSet changed meanwhile is scaled next pass, from its new state.
        let scaled = ctx.store.update(res::REPLICASETS, rs, |o| {
            meta::set(o, &["spec", "replicas"], json!(n));
        });
        if scaled.is_err() {
            return;
        }
        let verb = if n > old { "up" } else { "down" };
        let msg = format!(
            "Scaled {verb} replica set {} from {old} to {n}",
            meta::name(rs)
        );
        super::events::record(
            ctx.store,
            d,
            "Normal",
            "ScalingReplicaSet",
            &msg,
            "deployment-controller",
        );
    }
}

pub fn reconcile(ctx: &mut Ctx) {
    for d in ctx.store.all(res::DEPLOYMENTS) {
        if !meta::is_terminating(&d) {
            reconcile_one(ctx, &d);
        }
    }
}

fn reconcile_one(ctx: &mut Ctx, d: &Arc<Value>) {
    let ns = meta::namespace(d);
    let uid = meta::uid(d);
    let owned = |ctx: &Ctx| -> Vec<Arc<Value>> {
        let mut v: Vec<Arc<Value>> = ctx
            .store
            .list(res::REPLICASETS, Some(ns))
            .0
            .into_iter()
            .filter(|r| meta::controller_uid(r) == Some(uid))
            .collect();
        v.sort_by_key(|r| revision(r));
        v
    };
    let template = d.pointer("/spec/template").cloned().unwrap_or(json!({}));
    let hash = meta::template_hash(&template);
    let desired = meta::i(d, &["spec", "replicas"]);
    let paused = meta::b(d, &["spec", "paused"]);
    let recreate = meta::s(d, &["spec", "strategy", "type"]) == "Recreate";
    let surge = meta::int_or_percent(
        d.pointer("/spec/strategy/rollingUpdate/maxSurge"),
        desired,
        "25%",
        true,
    );
    // What the new ReplicaSet may surge to (Recreate never surges).
    let max_surge = if recreate { 0 } else { surge };
    let mut rss = owned(ctx);
    let max_rev = rss.iter().map(|r| revision(r)).max().unwrap_or(0);
    let new_pos = rss.iter().position(|r| {
        meta::template_hash(r.pointer("/spec/template").unwrap_or(&Value::Null)) == hash
    });
    let mut new_rs_event = NewReplicaSet::Unchanged;
    // A paused Deployment still gets its first ReplicaSet, so a seeded paused one has pods.
    if !paused || rss.is_empty() {
        match new_pos {
            None => {
                let initial = if rss.iter().all(|r| meta::i(r, &["spec", "replicas"]) == 0) {
                    desired
                } else {
                    0
                };
                let rs = new_replicaset(d, &hash, max_rev.saturating_add(1), initial, max_surge);
                let rs_name = meta::name(&rs).to_string();
                let created = ctx.store.create(res::REPLICASETS, rs).is_ok();
                if created {
                    new_rs_event = NewReplicaSet::Created;
                }
                if created && initial > 0 {
                    let msg = format!("Scaled up replica set {rs_name} from 0 to {initial}");
                    super::events::record(
                        ctx.store,
                        d,
                        "Normal",
                        "ScalingReplicaSet",
                        &msg,
                        "deployment-controller",
                    );
                }
                rss = owned(ctx);
            }
            Some(i) if revision(&rss[i]) < max_rev => {
                let anns = copied_annotations(d);
                super::update(ctx.store, res::REPLICASETS, &rss[i], |o| {
                    for (k, v) in anns {
                        meta::set(o, &["metadata", "annotations", &k], v);
                    }
                    meta::set(
                        o,
                        &["metadata", "annotations", REVISION],
                        json!(max_rev.saturating_add(1).to_string()),
                    );
                });
                new_rs_event = NewReplicaSet::Found;
                rss = owned(ctx);
            }
            Some(_) => {}
        }
    }
    let new_rs = rss
        .iter()
        .find(|r| meta::template_hash(r.pointer("/spec/template").unwrap_or(&Value::Null)) == hash)
        .cloned();
    let olds: Vec<Arc<Value>> = rss
        .iter()
        .filter(|r| Some(meta::uid(r)) != new_rs.as_ref().map(|n| meta::uid(n)))
        .cloned()
        .collect();
    if let Some(n) = &new_rs {
        sync_new_rs_annotations(ctx, n, new_rs_annotations(d, desired, max_surge));
    }
    let mut unavail = meta::int_or_percent(
        d.pointer("/spec/strategy/rollingUpdate/maxUnavailable"),
        desired,
        "25%",
        false,
    );
    if surge == 0 && unavail == 0 {
        unavail = 1;
    }
    if paused {
        // A paused Deployment only follows replica changes on its current ReplicaSet.
        if let Some(n) = &new_rs
            && olds.iter().all(|o| meta::i(o, &["spec", "replicas"]) == 0)
        {
            set_replicas(ctx, d, n, desired);
        }
    } else if let Some(n) = &new_rs {
        if recreate {
            let old_running: i64 = olds
                .iter()
                .map(|o| meta::i(o, &["status", "replicas"]))
                .sum();
            for o in &olds {
                set_replicas(ctx, d, o, 0);
            }
            if old_running == 0 {
                set_replicas(ctx, d, n, desired);
            }
        } else {
            rolling(ctx, d, n, &olds, desired, surge, unavail);
        }
    }
    prune(ctx, d, &owned(ctx), new_rs.as_ref());
    update_status(
        ctx,
        d,
        &owned(ctx),
        new_rs.as_ref().map(|n| meta::name(n).to_string()),
        unavail,
        new_rs_event,
    );
}

fn rolling(
    ctx: &Ctx,
    d: &Value,
    new_rs: &Value,
    olds: &[Arc<Value>],
    desired: i64,
    surge: i64,
    unavail: i64,
) {
    let spec = |r: &Value| meta::i(r, &["spec", "replicas"]);
    let avail = |r: &Value| meta::i(r, &["status", "availableReplicas"]);
    let total: i64 = spec(new_rs) + olds.iter().map(|o| spec(o)).sum::<i64>();
    let mut new_count = spec(new_rs);
    if new_count < desired {
        let room = desired.saturating_add(surge).saturating_sub(total);
        if room > 0 {
            new_count = desired.min(new_count + room);
        }
    } else if new_count > desired {
        new_count = desired;
    }
    set_replicas(ctx, d, new_rs, new_count);
    let total_avail: i64 = avail(new_rs) + olds.iter().map(|o| avail(o)).sum::<i64>();
    let mut can_down = total_avail - (desired - unavail);
    for o in olds {
        let mut n = spec(o);
        // Replicas that are not available can go at once.
        let unhealthy = (n - avail(o)).max(0);
        n -= unhealthy;
        let take = n.min(can_down.max(0));
        n -= take;
        can_down -= take;
        set_replicas(ctx, d, o, n);
    }
}

fn prune(ctx: &Ctx, d: &Value, rss: &[Arc<Value>], new_rs: Option<&Arc<Value>>) {
    let limit = meta::get(d, &["spec", "revisionHistoryLimit"])
        .and_then(Value::as_i64)
        .unwrap_or(10)
        .max(0) as usize;
    let dead: Vec<&Arc<Value>> = rss
        .iter()
        .filter(|r| Some(meta::uid(r)) != new_rs.map(|n| meta::uid(n)))
        .filter(|r| {
            meta::i(r, &["spec", "replicas"]) == 0 && meta::i(r, &["status", "replicas"]) == 0
        })
        .collect();
    if dead.len() > limit {
        for r in &dead[..dead.len() - limit] {
            ctx.store
                .remove(res::REPLICASETS, meta::namespace(r), meta::name(r));
        }
    }
}

fn update_status(
    ctx: &Ctx,
    d: &Value,
    rss: &[Arc<Value>],
    new_name: Option<String>,
    unavail: i64,
    new_rs_event: NewReplicaSet,
) {
    let desired = meta::i(d, &["spec", "replicas"]);
    let sum = |f: &str| -> i64 { rss.iter().map(|r| meta::i(r, &["status", f])).sum() };
    let replicas = sum("replicas");
    let ready = sum("readyReplicas");
    let available = sum("availableReplicas");
    let new_rs = new_name.and_then(|n| rss.iter().find(|r| meta::name(r) == n));
    let updated = new_rs.map_or(0, |r| meta::i(r, &["status", "replicas"]));
    let mut conds: Vec<Value> = d
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if available >= desired - unavail {
        set_condition(
            &mut conds,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
        );
    } else {
        set_condition(
            &mut conds,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        );
    }
    progress::update(
        &mut conds,
        &Rollout {
            deployment: d,
            new_rs: new_rs.map(|r| meta::name(r)),
            new_rs_event,
            desired,
            paused: meta::b(d, &["spec", "paused"]),
            before: Counts::of_status(d),
            now: Counts {
                replicas,
                updated,
                ready,
                available,
            },
            time_scale: ctx.clock.scale(),
        },
    );
    let mut status = json!({
        "observedGeneration": meta::i(d, &["metadata", "generation"]),
        "replicas": replicas,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": available,
        "conditions": conds,
    });
    if desired - available > 0 {
        status["unavailableReplicas"] = json!(desired - available);
    }
    if let Some(m) = status.as_object_mut() {
        for k in [
            "replicas",
            "updatedReplicas",
            "readyReplicas",
            "availableReplicas",
        ] {
            if m[k] == 0 {
                m.remove(k);
            }
        }
    }
    write_status(ctx.store, res::DEPLOYMENTS, d, status);
    if let Some(r) = new_rs {
        let rev = meta::annotation(r, REVISION).unwrap_or("").to_string();
        if meta::annotation(d, REVISION) != Some(rev.as_str()) {
            let _ = ctx
                .store
                .modify(res::DEPLOYMENTS, meta::namespace(d), meta::name(d), |o| {
                    meta::set(o, &["metadata", "annotations", REVISION], json!(rev));
                    Ok(())
                });
        }
    }
}
