//! Kruise Rollouts over HTTP as a console drives them: approvals on the status
//! subresource, a timed pause, completion, a restart that starts a new run, undo, and
//! pause/resume.

mod common;

use std::time::Duration;

use common::{Harness, call, get, start, wait_get};
use serde_json::{Value, json};

const CART_ROLLOUT: &str = "/apis/rollouts.kruise.io/v1beta1/namespaces/shop/rollouts/cart-rollout";
const CART: &str = "/apis/apps.kruise.io/v1alpha1/namespaces/shop/clonesets/cart";

fn step(ro: &Value) -> (i64, String) {
    let c = &ro["status"]["canaryStatus"];
    (
        c["currentStepIndex"].as_i64().unwrap_or(0),
        c["currentStepState"].as_str().unwrap_or("").to_string(),
    )
}

fn condition<'a>(obj: &'a Value, ty: &str) -> Option<&'a Value> {
    obj["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == ty)
}

/// The condition's (status, reason).
fn cond(obj: &Value, ty: &str) -> Option<(String, String)> {
    condition(obj, ty).map(|c| {
        (
            c["status"].as_str().unwrap_or("").to_string(),
            c["reason"].as_str().unwrap_or("").to_string(),
        )
    })
}

fn pair(status: &str, reason: &str) -> Option<(String, String)> {
    Some((status.to_string(), reason.to_string()))
}

async fn wait_step(h: &Harness, idx: i64, state: &str) -> Value {
    wait_get(h, &format!("step {idx} {state}"), CART_ROLLOUT, |v| {
        step(v) == (idx, state.to_string())
    })
    .await
}

/// Approves as kubectl-kruise does: a merge patch of the status subresource.
async fn approve(h: &Harness) {
    let (code, body) = call(
        h,
        "PATCH",
        &format!("{CART_ROLLOUT}/status"),
        Some(json!({ "status": { "canaryStatus": { "currentStepState": "StepReady" } } })),
    )
    .await;
    assert_eq!(code, 200, "{body}");
}

/// `kubectl-kruise rollout restart`: RESTARTED_AT on every container, PUT with the
/// version read, again on a 409.
async fn restart_cart(h: &Harness, at: &str) {
    for _ in 0..5 {
        let mut cs = get(h, CART).await;
        for c in cs["spec"]["template"]["spec"]["containers"]
            .as_array_mut()
            .expect("containers")
        {
            c["env"] = json!([{ "name": "RESTARTED_AT", "value": at }]);
        }
        let (code, body) = call(h, "PUT", CART, Some(cs)).await;
        match code {
            200 => return,
            409 => continue,
            _ => panic!("restart: {code} {body}"),
        }
    }
    panic!("restart kept conflicting");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approvals_walk_the_canary_to_completion_and_a_restart_starts_over() {
    let h = start().await;
    let ro = wait_get(&h, "canary pod ready", CART_ROLLOUT, |v| {
        v["status"]["canaryStatus"]["canaryReadyReplicas"] == 1
    })
    .await;
    assert_eq!(step(&ro), (1, "StepPaused".into()));
    assert_eq!(
        (
            &ro["status"]["currentStepIndex"],
            &ro["status"]["currentStepState"]
        ),
        (&json!(1), &json!("StepPaused"))
    );
    assert_eq!(cond(&ro, "Progressing"), pair("True", "InRolling"));
    assert_eq!(
        ro["spec"]["strategy"]["canary"]["steps"][0]["traffic"],
        "10%"
    );
    approve(&h).await;
    // Step 2 pauses for 30 simulated seconds (1.5 s here; the unit tests time it), then
    // step 3 waits for approval again with every pod upgraded.
    let last = wait_step(&h, 3, "StepPaused").await;
    assert_eq!(last["status"]["canaryStatus"]["canaryReadyReplicas"], 4);
    assert_eq!(
        get(&h, CART).await["spec"]["updateStrategy"]["partition"],
        0
    );
    assert_eq!(cond(&last, "Progressing"), pair("True", "InRolling"));
    approve(&h).await;
    let done = wait_get(&h, "Healthy", CART_ROLLOUT, |v| {
        v["status"]["phase"] == "Healthy"
    })
    .await;
    assert_eq!(cond(&done, "Progressing"), pair("False", "Completed"));
    assert_eq!(cond(&done, "Succeeded"), pair("True", "Completed"));
    assert_eq!(step(&done), (3, "Completed".into()));
    assert_eq!(
        done["status"]["stableRevision"],
        done["status"]["canaryStatus"]["canaryRevision"]
    );
    let cs = get(&h, CART).await;
    assert_eq!(cs["spec"]["updateStrategy"]["partition"], 0);
    assert!(
        cs["metadata"]["annotations"]
            .get("rollouts.kruise.io/in-progressing")
            .is_none(),
        "{cs}"
    );
    // A settled rollout is not rewritten: its conditions keep their times.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        get(&h, CART_ROLLOUT).await["status"]["conditions"],
        done["status"]["conditions"]
    );
    // A restart changes the template: a new run, paused at step 1 for approval.
    restart_cart(&h, "2026-01-01T00:00:00Z").await;
    let again = wait_step(&h, 1, "StepPaused").await;
    assert_eq!(again["status"]["phase"], "Progressing");
    assert_eq!(cond(&again, "Progressing"), pair("True", "InRolling"));
    assert!(condition(&again, "Succeeded").is_none(), "{again}");
    assert_ne!(
        again["status"]["canaryStatus"]["canaryRevision"],
        done["status"]["stableRevision"]
    );
    assert_eq!(
        again["status"]["canaryStatus"]["stableRevision"],
        done["status"]["stableRevision"]
    );
    let cs = get(&h, CART).await;
    assert_eq!(
        cs["metadata"]["annotations"]["rollouts.kruise.io/in-progressing"],
        "{}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_to_the_previous_revision_cancels_the_run() {
    let h = start().await;
    let ro = wait_step(&h, 1, "StepPaused").await;
    let stable = ro["status"]["canaryStatus"]["stableRevision"]
        .as_str()
        .expect("stable")
        .to_string();
    // Bosun's undo: the previous ControllerRevision's template, as a merge patch.
    let rev = get(
        &h,
        &format!("/apis/apps/v1/namespaces/shop/controllerrevisions/{stable}"),
    )
    .await;
    let (code, body) = call(
        &h,
        "PATCH",
        CART,
        Some(json!({ "spec": { "template": rev["data"]["spec"]["template"] } })),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    let cancelled = wait_get(&h, "cancelled", CART_ROLLOUT, |v| {
        v["status"]["phase"] == "Healthy"
    })
    .await;
    assert!(
        cancelled["status"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("rolled back to the stable revision")),
        "{cancelled}"
    );
    assert!(
        cancelled["status"].get("canaryStatus").is_none(),
        "{cancelled}"
    );
    assert_eq!(cond(&cancelled, "Progressing"), pair("False", "Completed"));
    assert_eq!(cond(&cancelled, "Succeeded"), pair("False", "Cancelled"));
    let cs = wait_get(&h, "all pods stable", CART, |v| {
        v["status"]["updateRevision"] == stable.as_str() && v["status"]["updatedReadyReplicas"] == 4
    })
    .await;
    assert_eq!(cs["spec"]["updateStrategy"]["partition"], 0);
    assert!(
        cs["metadata"]["annotations"]
            .get("rollouts.kruise.io/in-progressing")
            .is_none(),
        "{cs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_rollout_keeps_its_approval_until_resumed() {
    let h = start().await;
    wait_step(&h, 1, "StepPaused").await;
    let pause = |paused: bool| {
        call(
            &h,
            "PATCH",
            CART_ROLLOUT,
            Some(json!({ "spec": { "strategy": { "paused": paused } } })),
        )
    };
    assert_eq!(pause(true).await.0, 200);
    wait_get(&h, "Paused", CART_ROLLOUT, |v| {
        cond(v, "Progressing") == pair("True", "Paused")
    })
    .await;
    approve(&h).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let held = get(&h, CART_ROLLOUT).await;
    assert_eq!(
        step(&held),
        (1, "StepReady".into()),
        "approved, not advanced"
    );
    assert_eq!(pause(false).await.0, 200);
    let moved = wait_get(&h, "step 2", CART_ROLLOUT, |v| step(v).0 == 2).await;
    assert_eq!(cond(&moved, "Progressing"), pair("True", "InRolling"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_rollout_is_active_and_both_versions_serve_it() {
    let h = start().await;
    let all = get(&h, "/apis/rollouts.kruise.io/v1beta1/rollouts").await;
    let phases: Vec<(String, String)> = common::items(&all)
        .iter()
        .map(|r| {
            (
                format!(
                    "{}/{}",
                    r["metadata"]["namespace"].as_str().unwrap_or(""),
                    r["metadata"]["name"].as_str().unwrap_or("")
                ),
                r["status"]["phase"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        phases,
        [
            (
                "payments/billing-rollout".to_string(),
                "Healthy".to_string()
            ),
            ("shop/cart-rollout".to_string(), "Progressing".to_string()),
        ]
    );
    let billing = get(
        &h,
        "/apis/rollouts.kruise.io/v1alpha1/namespaces/payments/rollouts/billing-rollout",
    )
    .await;
    assert_eq!(billing["apiVersion"], "rollouts.kruise.io/v1alpha1");
    assert_eq!(cond(&billing, "Succeeded"), pair("True", "Completed"));
    assert_eq!(billing["spec"]["workloadRef"]["name"], "billing");
    let cs = wait_get(
        &h,
        "billing pods",
        "/apis/apps.kruise.io/v1alpha1/namespaces/payments/clonesets/billing",
        |v| v["status"]["readyReplicas"] == 3,
    )
    .await;
    assert!(
        cs["metadata"]
            .get("annotations")
            .and_then(|a| a.get("rollouts.kruise.io/in-progressing"))
            .is_none()
    );
    assert_eq!(
        get(
            &h,
            "/apis/rollouts.kruise.io/v1beta1/namespaces/payments/rollouts/billing-rollout"
        )
        .await["status"]["phase"],
        "Healthy",
        "still Healthy once its pods run"
    );
}
