//! Rollouts against the demo cluster over real HTTP: approve, pause, resume, undo and
//! restart, each compared with the request kubectl-kruise sends (the emulator's request
//! log), the refusals that name the rollout's state, and the live status stream.

use std::time::Duration;

use bosun_core::Role;
use bosun_demo_cluster::RecordedRequest;
use serde_json::{Value, json};

use crate::common::*;

const CART: &str = "/api/v1/clusters/demo/namespaces/shop/rollouts/cart-rollout";
const CART_IN_CLUSTER: &str =
    "/apis/rollouts.kruise.io/v1beta1/namespaces/shop/rollouts/cart-rollout";

fn body_of(r: &RecordedRequest) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("JSON body: {}", r.body))
}

async fn rollout(srv: &TestServer, client: &reqwest::Client) -> Value {
    let (status, body) = get(client, &srv.url(CART)).await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

/// Waits until the rollout of the demo world is paused at `step` for an approval.
async fn paused_at(srv: &TestServer, client: &reqwest::Client, step: i64) -> Value {
    eventually(
        60,
        &format!("cart-rollout paused at step {step}"),
        || async {
            let r = rollout(srv, client).await;
            (r["row"]["step"] == step && r["row"]["step_state"] == "StepPaused").then_some(r)
        },
    )
    .await
}

async fn post(
    srv: &TestServer,
    client: &reqwest::Client,
    action: &str,
    body: Option<Value>,
) -> (u16, Value) {
    send(client, "POST", &srv.url(&format!("{CART}/{action}")), body).await
}

#[tokio::test]
async fn approve_is_kubectl_kruises_status_patch_and_the_step_advances_for_good() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    let before = paused_at(&srv, &op, 1).await;
    assert_eq!(before["row"]["steps"], 3);
    assert_eq!(before["steps"][0]["traffic"], "10%");
    assert_eq!(before["steps"][0]["pause"], json!({"type": "manual"}));
    assert_eq!(
        before["steps"][1]["pause"],
        json!({"type": "timed", "seconds": 30})
    );
    assert_eq!(before["row"]["workload"]["kind_id"], "clonesets");

    srv.take_demo_requests();
    let (status, answer) = post(&srv, &op, "approve", Some(json!({"step": 1}))).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["data"]["message"],
        "rollout shop/cart-rollout: step 1 of 3 approved"
    );
    let writes = srv.take_demo_writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    let w = &writes[0];
    assert_eq!(
        (w.method.as_str(), w.path.as_str()),
        ("PATCH", &*format!("{CART_IN_CLUSTER}/status"))
    );
    assert_eq!(w.content_type, "application/merge-patch+json");
    assert_eq!(
        body_of(w),
        json!({"status": {"canaryStatus": {"currentStepState": "StepReady"}}})
    );

    // The controller moves on to step 2 and never writes the approval away.
    eventually(60, "step 2 reached", || async {
        let r = rollout(&srv, &op).await;
        (r["row"]["step"].as_i64() >= Some(2)).then_some(())
    })
    .await;
    for _ in 0..20 {
        let held = cluster_object(&srv, CART_IN_CLUSTER).await;
        let (step, state) = (
            held["status"]["canaryStatus"]["currentStepIndex"].as_i64(),
            held["status"]["canaryStatus"]["currentStepState"].as_str(),
        );
        assert!(
            step >= Some(2) || held["status"]["phase"] == "Healthy",
            "the approval was reverted: step {step:?} {state:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Audited with the step it approved; the rollout's history shows it.
    let (_, history) = get(&op, &srv.url(&format!("{CART}/history"))).await;
    let run = &history["data"]["runs"][0];
    assert_eq!(run["action"], "rollout.approve");
    assert_eq!(run["parameters"], "{\"step\":1}");
    assert_eq!(run["outcome"], "succeeded");
    assert!(
        history["data"]["revisions"].as_array().unwrap().len() >= 2,
        "{history}"
    );
    srv.stop().await;
}

#[tokio::test]
async fn approvals_are_refused_with_the_state_or_a_stale_step() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    paused_at(&srv, &op, 1).await;

    // A page that shows step 2 cannot approve step 1's pause.
    srv.take_demo_requests();
    let (status, answer) = post(&srv, &op, "approve", Some(json!({"step": 2}))).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (409, Some("CONFLICT")),
        "{answer}"
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("is at step 1 of 3, not step 2"),
        "{answer}"
    );
    assert!(srv.take_demo_writes().is_empty());
    let (status, answer) = post(&srv, &op, "approve", Some(json!({"step": 0}))).await;
    assert_eq!(status, 400, "{answer}");

    // Not paused for an approval: 409 naming the state.
    let (status, _) = post(&srv, &op, "approve", None).await;
    assert_eq!(status, 200);
    let (status, answer) = post(&srv, &op, "approve", None).await;
    assert_eq!(status, 409, "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.starts_with("rollout shop/cart-rollout is not waiting for an approval: step "),
        "{message}"
    );
    assert!(message.contains("is in state Step"), "{message}");

    // A rollout without a run says it is Healthy.
    let billing = "/api/v1/clusters/demo/namespaces/payments/rollouts/billing-rollout";
    let (status, answer) = send(&op, "POST", &srv.url(&format!("{billing}/approve")), None).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(
        answer["message"],
        "rollout payments/billing-rollout is not waiting for an approval: it is Healthy with no run in progress"
    );
    // Refusals of the cluster's state are audited as failures.
    let rows = audit_rows(&srv, "action=rollout.approve&outcome=failed").await;
    assert!(rows.len() >= 3, "{rows:?}");
    srv.stop().await;
}

#[tokio::test]
async fn pause_and_resume_set_spec_strategy_paused_and_refuse_a_repeat() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    paused_at(&srv, &op, 1).await;
    srv.take_demo_requests();
    let (status, answer) = post(&srv, &op, "pause", None).await;
    assert_eq!(status, 200, "{answer}");
    let writes = srv.take_demo_writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        ("PATCH", CART_IN_CLUSTER)
    );
    assert_eq!(writes[0].content_type, "application/merge-patch+json");
    assert_eq!(
        body_of(&writes[0]),
        json!({"spec": {"strategy": {"paused": true}}})
    );
    let (status, answer) = post(&srv, &op, "pause", None).await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (409, Some("rollout shop/cart-rollout is already paused"))
    );

    // Approved while paused: nothing moves until it is resumed.
    let (status, _) = post(&srv, &op, "approve", Some(json!({"step": 1}))).await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = rollout(&srv, &op).await;
    assert_eq!(
        (r["row"]["step"].as_i64(), r["row"]["paused"].as_bool()),
        (Some(1), Some(true)),
        "{r}"
    );

    srv.take_demo_requests();
    let (status, _) = post(&srv, &op, "resume", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        body_of(&srv.take_demo_writes()[0]),
        json!({"spec": {"strategy": {"paused": false}}})
    );
    let (status, answer) = post(&srv, &op, "resume", None).await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (409, Some("rollout shop/cart-rollout is not paused"))
    );
    eventually(60, "step 2 after resume", || async {
        (rollout(&srv, &op).await["row"]["step"].as_i64() >= Some(2)).then_some(())
    })
    .await;
    srv.stop().await;
}

#[tokio::test]
async fn undo_rolls_the_workload_back_and_restart_starts_a_new_run() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    paused_at(&srv, &op, 1).await;

    srv.take_demo_requests();
    let (status, answer) = post(&srv, &op, "undo", None).await;
    assert_eq!(status, 200, "{answer}");
    let writes = srv.take_demo_writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        (
            "PATCH",
            "/apis/apps.kruise.io/v1alpha1/namespaces/shop/clonesets/cart"
        )
    );
    let image = |cs: &Value| cs["spec"]["template"]["spec"]["containers"][0]["image"].clone();
    let cs = cluster_object(
        &srv,
        "/apis/apps.kruise.io/v1alpha1/namespaces/shop/clonesets/cart",
    )
    .await;
    assert_eq!(
        image(&cs),
        "ghcr.io/bosun/cart:1.4.0",
        "back to the stable revision"
    );
    let ended = eventually(60, "the run ended", || async {
        let r = rollout(&srv, &op).await;
        (r["row"]["phase"] == "Healthy" && !r["row"]["active"].as_bool().unwrap_or(true))
            .then_some(r)
    })
    .await;
    assert_eq!(ended["row"]["step"], 0);

    // Restart: the workload restarted as kubectl-kruise does, and a new run pauses at 1.
    srv.take_demo_requests();
    let (status, answer) = post(&srv, &op, "restart", None).await;
    assert_eq!(status, 200, "{answer}");
    let writes = srv.take_demo_writes();
    assert_eq!(writes[0].method, "PUT", "{writes:?}");
    assert_eq!(
        writes[0].path,
        "/apis/apps.kruise.io/v1alpha1/namespaces/shop/clonesets/cart"
    );
    let env = &body_of(&writes[0])["spec"]["template"]["spec"]["containers"][0]["env"];
    assert!(
        env.as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "RESTARTED_AT"),
        "{env}"
    );
    paused_at(&srv, &op, 1).await;
    let runs = audit_rows(&srv, "kind=rollouts&name=cart-rollout").await;
    let actions: Vec<&str> = runs.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert!(
        actions.contains(&"rollout.undo") && actions.contains(&"rollout.restart"),
        "{actions:?}"
    );
    srv.stop().await;
}

#[tokio::test]
async fn lists_filter_active_rollouts_and_the_status_stream_pushes_changes() {
    let srv = TestServer::with_demo().await;
    let viewer = srv.as_role(Role::Viewer).await;
    let list = |query: &'static str| {
        let url = srv.url(&format!(
            "/api/v1/clusters/demo/namespaces/_all/rollouts{query}"
        ));
        let viewer = viewer.clone();
        async move {
            let (status, body) = get(&viewer, &url).await;
            assert_eq!(status, 200, "{body}");
            body["data"]["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let all = eventually(30, "both rollouts listed", || async {
        let names = list("").await;
        (names.len() >= 2).then_some(names)
    })
    .await;
    assert!(
        all.contains(&"cart-rollout".to_string()) && all.contains(&"billing-rollout".to_string()),
        "{all:?}"
    );
    assert_eq!(list("?active=true").await, vec!["cart-rollout".to_string()]);
    let (status, body) = get(
        &viewer,
        &srv.url("/api/v1/clusters/demo/namespaces/shop/rollouts?bogus=1"),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = get(
        &viewer,
        &srv.url("/api/v1/clusters/demo/namespaces/shop/rollouts/nope"),
    )
    .await;
    assert_eq!(status, 404, "{body}");

    // Live: one JSON line now, another once an approval moved the rollout.
    let op = srv.as_role(Role::Operator).await;
    paused_at(&srv, &op, 1).await;
    let res = viewer
        .get(srv.url(&format!("{CART}/status?watch=true")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    let mut res = res;
    let mut text = String::new();
    let mut approved = false;
    let seen = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(chunk) = res.chunk().await.unwrap() {
            text.push_str(&String::from_utf8_lossy(&chunk));
            let steps: Vec<i64> = text
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter_map(|v| v["data"]["row"]["step"].as_i64())
                .collect();
            if !approved && steps.first() == Some(&1) {
                approved = true;
                let (status, _) = post(&srv, &op, "approve", Some(json!({"step": 1}))).await;
                assert_eq!(status, 200);
            }
            if steps.iter().any(|s| *s >= 2) {
                return steps;
            }
        }
        panic!("the stream ended: {text}");
    })
    .await
    .expect("a pushed update within a minute");
    assert_eq!(seen[0], 1, "{text}");
    srv.stop().await;
}
