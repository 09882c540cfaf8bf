//! Seeded Kruise Rollouts over CloneSets: `shop/cart-rollout` mid-canary (CloneSet
//! `shop/cart` from 1.4.0 to 1.5.0, paused at step 1 of 3 waiting for approval) and
//! `payments/billing-rollout`, Healthy after a completed run (CloneSet `payments/billing`
//! at 2.3.1), so "active rollouts only" leaves one of the two.

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use super::{container, put, template};
use crate::clock::{format_time, now_rfc3339};
use crate::controllers::revisions::revision_object;
use crate::controllers::rollout::IN_PROGRESSING;
use crate::error::Result;
use crate::kinds::{res, storage_def};
use crate::store::Store;
use crate::{defaults, meta};

pub fn rollouts(store: &Store) -> Result<()> {
    cart(store)?;
    billing(store)
}

/// A CloneSet of `app` running `image`, defaulted so its template hashes as stored.
fn cloneset(ns: &str, app: &str, replicas: i64, image: &str) -> Value {
    let mut cs = json!({
        "metadata": { "name": app, "namespace": ns, "labels": { "app": app } },
        "spec": {
            "replicas": replicas,
            "selector": { "matchLabels": { "app": app } },
            "template": template(app, json!([container(app, image, 8080)])),
            "updateStrategy": { "type": "ReCreate", "maxUnavailable": 1 },
        },
    });
    if let Some(d) = storage_def(res::CLONESETS) {
        defaults::apply(d, &mut cs);
    }
    cs
}

fn rollout(ns: &str, name: &str, workload: &str, steps: Value, status: Value) -> Value {
    json!({
        "metadata": {
            "name": name, "namespace": ns,
            "annotations": { "rollouts.kruise.io/rolling-style": "partition" },
        },
        "spec": {
            "workloadRef": { "apiVersion": "apps.kruise.io/v1alpha1", "kind": "CloneSet", "name": workload },
            "strategy": { "canary": { "steps": steps } },
        },
        "status": status,
    })
}

fn condition(ty: &str, status: &str, reason: &str, message: &str, at: &str) -> Value {
    json!({
        "type": ty, "status": status, "reason": reason, "message": message,
        "lastUpdateTime": at, "lastTransitionTime": at,
    })
}

/// `shop/cart`: one of four pods on 1.5.0 (partition 3), its Rollout at step 1 StepPaused.
fn cart(store: &Store) -> Result<()> {
    let stable = cloneset("shop", "cart", 4, "ghcr.io/bosun/cart:1.4.0");
    let mut canary = cloneset("shop", "cart", 4, "ghcr.io/bosun/cart:1.5.0");
    let h1 = meta::template_hash(&stable["spec"]["template"]);
    let h2 = meta::template_hash(&canary["spec"]["template"]);
    canary["spec"]["updateStrategy"]["partition"] = json!(3);
    canary["metadata"]["annotations"] = json!({ IN_PROGRESSING: "{}" });
    canary["status"] =
        json!({ "currentRevision": format!("cart-{h1}"), "updateRevision": format!("cart-{h2}") });
    let cs = put(store, res::CLONESETS, canary)?;
    put(
        store,
        res::CONTROLLER_REVISIONS,
        revision_object(&cs, &stable["spec"]["template"], 1),
    )?;
    let now = now_rfc3339();
    let message = "Rollout is in step(1/3), and you need manually confirm to enter the next step";
    let steps = json!([
        { "replicas": 1, "traffic": "10%", "pause": {} },
        { "replicas": "50%", "traffic": "50%", "pause": { "duration": 30 } },
        { "replicas": "100%", "traffic": "100%" },
    ]);
    let status = json!({
        "observedGeneration": 1,
        "phase": "Progressing",
        "message": message,
        "stableRevision": format!("cart-{h1}"),
        "currentStepIndex": 1,
        "currentStepState": "StepPaused",
        "conditions": [condition("Progressing", "True", "InRolling", "Rollout is in Progressing", &now)],
        "canaryStatus": {
            "currentStepIndex": 1, "nextStepIndex": 2, "currentStepState": "StepPaused",
            "canaryRevision": format!("cart-{h2}"), "stableRevision": format!("cart-{h1}"),
            "podTemplateHash": h2,
            "canaryReplicas": 1, "canaryReadyReplicas": 1, "message": message, "lastUpdateTime": now,
        },
    });
    put(
        store,
        res::ROLLOUTS,
        rollout("shop", "cart-rollout", "cart", steps, status),
    )?;
    Ok(())
}

/// `payments/billing`: three pods on 2.3.1, rolled out from 2.3.0 an hour ago.
fn billing(store: &Store) -> Result<()> {
    let old = cloneset("payments", "billing", 3, "ghcr.io/bosun/billing:2.3.0");
    let current = cloneset("payments", "billing", 3, "ghcr.io/bosun/billing:2.3.1");
    let hash = meta::template_hash(&current["spec"]["template"]);
    let revision = format!("billing-{hash}");
    let cs = put(store, res::CLONESETS, current)?;
    put(
        store,
        res::CONTROLLER_REVISIONS,
        revision_object(&cs, &old["spec"]["template"], 1),
    )?;
    let done = format_time(OffsetDateTime::now_utc() - Duration::hours(1));
    let message = "Rollout progressing has been completed";
    let steps = json!([
        { "replicas": 1, "traffic": "20%", "pause": {} },
        { "replicas": "100%", "traffic": "100%" },
    ]);
    let status = json!({
        "observedGeneration": 1,
        "phase": "Healthy",
        "message": message,
        "stableRevision": revision,
        "currentStepIndex": 2,
        "currentStepState": "Completed",
        "conditions": [
            condition("Progressing", "False", "Completed", message, &done),
            condition("Succeeded", "True", "Completed", "Rollout has been completed, and succeed", &done),
        ],
        "canaryStatus": {
            "currentStepIndex": 2, "nextStepIndex": -1, "currentStepState": "Completed",
            "canaryRevision": revision, "stableRevision": revision, "podTemplateHash": hash,
            "canaryReplicas": 3, "canaryReadyReplicas": 3, "message": message, "lastUpdateTime": done,
        },
    });
    put(
        store,
        res::ROLLOUTS,
        rollout("payments", "billing-rollout", "billing", steps, status),
    )?;
    Ok(())
}
