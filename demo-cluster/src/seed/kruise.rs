//! Seeded OpenKruise objects: CloneSet `shop/cart` mid-canary under Rollout
//! `shop/cart-rollout`, paused at step 1 waiting for approval.

use serde_json::json;

use super::{container, put, template};
use crate::error::Result;
use crate::kinds::{res, storage_def};
use crate::store::Store;
use crate::{defaults, meta};

pub fn kruise(store: &Store) -> Result<()> {
    let def = storage_def(res::CLONESETS);
    let mk = |image: &str| {
        let mut cs = json!({
            "metadata": { "name": "cart", "namespace": "shop", "labels": { "app": "cart" } },
            "spec": {
                "replicas": 4,
                "selector": { "matchLabels": { "app": "cart" } },
                "template": template("cart", json!([container("cart", image, 8080)])),
                "updateStrategy": { "type": "ReCreate", "partition": 3, "maxUnavailable": 1 },
            },
        });
        if let Some(d) = def {
            defaults::apply(d, &mut cs);
        }
        cs
    };
    let stable = mk("ghcr.io/bosun/cart:1.4.0");
    let mut canary = mk("ghcr.io/bosun/cart:1.5.0");
    let h1 = meta::template_hash(&stable["spec"]["template"]);
    let h2 = meta::template_hash(&canary["spec"]["template"]);
    canary["metadata"]["annotations"] = json!({ "rollouts.kruise.io/in-progressing": "{}" });
    canary["status"] =
        json!({ "currentRevision": format!("cart-{h1}"), "updateRevision": format!("cart-{h2}") });
    let cs = put(store, res::CLONESETS, canary)?;
    let mut t1 = stable["spec"]["template"].clone();
    let mut labels = t1["metadata"]["labels"].clone();
    labels["controller-revision-hash"] = json!(h1);
    t1["$patch"] = json!("replace");
    put(
        store,
        res::CONTROLLER_REVISIONS,
        json!({
            "metadata": {
                "name": format!("cart-{h1}"), "namespace": "shop", "labels": labels,
                "ownerReferences": [meta::owner_ref(&cs)],
            },
            "data": { "spec": { "template": t1 } },
            "revision": 1,
        }),
    )?;
    // An Advanced StatefulSet, restarted with a merge patch as Kruise workloads are.
    put(
        store,
        res::KRUISE_STATEFULSETS,
        json!({
            "metadata": { "name": "redis", "namespace": "shop", "labels": { "app": "redis" } },
            "spec": {
                "replicas": 2,
                "serviceName": "redis",
                "selector": { "matchLabels": { "app": "redis" } },
                "template": template("redis", json!([container("redis", "redis:7.4", 6379)])),
            },
        }),
    )?;
    let now = crate::clock::now_rfc3339();
    put(
        store,
        res::ROLLOUTS,
        json!({
            "metadata": {
                "name": "cart-rollout", "namespace": "shop",
                "annotations": { "rollouts.kruise.io/rolling-style": "partition" },
            },
            "spec": {
                "workloadRef": { "apiVersion": "apps.kruise.io/v1alpha1", "kind": "CloneSet", "name": "cart" },
                "strategy": { "canary": { "steps": [
                    { "replicas": 1, "pause": {} },
                    { "replicas": "50%", "pause": { "duration": 30 } },
                    { "replicas": "100%" },
                ] } },
            },
            "status": {
                "observedGeneration": 1,
                "phase": "Progressing",
                "message": "Rollout is in step(1/3), and you need manually confirm to enter the next step",
                "stableRevision": format!("cart-{h1}"),
                "canaryStatus": {
                    "currentStepIndex": 1, "currentStepState": "StepPaused",
                    "canaryRevision": format!("cart-{h2}"), "stableRevision": format!("cart-{h1}"),
                    "podTemplateHash": h2,
                    "canaryReplicas": 1, "canaryReadyReplicas": 1, "message": "", "lastUpdateTime": now,
                },
            },
        }),
    )?;
    Ok(())
}
