//! Batch restart: each item authorized, carried out and audited on its own with bounded
//! concurrency; skipped items say why; one failure never stops the rest.

use bosun_core::Role;
use serde_json::{Value, json};

use crate::common::*;

fn target(cluster: &str, namespace: &str, kind: &str, name: &str) -> Value {
    json!({"cluster": cluster, "namespace": namespace, "kind": kind, "name": name})
}

#[tokio::test]
async fn batch_restart_reports_every_item_and_keeps_going() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    let targets = json!([
        target("demo", "shop", "deployments", "web"),
        target("demo", "shop", "deployments", "api"),
        target("demo", "data", "statefulsets", "postgres"),
        target("demo", "data", "jobs", "db-migrate"),
        target("demo", "payments", "deployments", "ledger"),
        target("demo", "shop", "deployments", "nope"),
        target("mars", "shop", "deployments", "web"),
    ]);
    let (status, body) = send(
        &op,
        "POST",
        &srv.url("/api/v1/batch/restart"),
        Some(json!({"targets": targets, "force": false})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let data = &body["data"];
    assert_eq!(
        (
            data["total"].as_u64(),
            data["restarted"].as_u64(),
            data["skipped"].as_u64(),
            data["failed"].as_u64()
        ),
        (Some(7), Some(3), Some(2), Some(2))
    );
    let items = data["items"].as_array().unwrap();
    let summary: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i["name"].as_str().unwrap(), i["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            ("web", "restarted"),
            ("api", "restarted"),
            ("postgres", "restarted"),
            ("db-migrate", "skipped"),
            ("ledger", "skipped"),
            ("nope", "failed"),
            ("web", "failed")
        ]
    );
    assert_eq!(
        items[0]["message"],
        "deployments shop/web restarted successfully"
    );
    assert_eq!(items[0]["success"], true);
    assert_eq!(
        items[3]["message"],
        "jobs.batch: restarting is not supported"
    );
    assert_eq!(
        items[4]["message"],
        "can't restart paused deployment (run rollout resume first)"
    );
    assert_eq!(items[6]["message"], "no cluster named \"mars\"");
    for name in ["web", "api", "postgres"] {
        let rows = audit_rows(
            &srv,
            &format!("action=workload.restart&name={name}&outcome=succeeded"),
        )
        .await;
        assert_eq!(rows.len(), 1, "{name}: one record per item");
    }
    srv.stop().await;
}

#[tokio::test]
async fn a_viewers_batch_is_refused_whole_and_bad_batches_are_400() {
    let srv = TestServer::with_demo().await;
    let viewer = srv.as_role(Role::Viewer).await;
    let one = json!({"targets": [target("demo", "shop", "deployments", "web")]});
    let (status, _) = send(
        &viewer,
        "POST",
        &srv.url("/api/v1/batch/restart"),
        Some(one),
    )
    .await;
    assert_eq!(status, 403);
    let denied = audit_rows(&srv, "action=workload.restart&outcome=denied").await;
    assert_eq!(denied.len(), 1);
    let op = srv.as_role(Role::Operator).await;
    let (status, body) = send(
        &op,
        "POST",
        &srv.url("/api/v1/batch/restart"),
        Some(json!({"targets": []})),
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (400, Some("targets is empty: select at least one workload"))
    );
    let too_many: Vec<Value> = (0..501)
        .map(|i| target("demo", "shop", "deployments", &format!("w{i}")))
        .collect();
    let (status, body) = send(
        &op,
        "POST",
        &srv.url("/api/v1/batch/restart"),
        Some(json!({"targets": too_many})),
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (
            400,
            Some("too many targets: at most 500 per batch (got 501)")
        )
    );
    let (status, _) = send(
        &op,
        "POST",
        &srv.url("/api/v1/batch/restart"),
        Some(json!({"targets": [target("demo", "shop", "teapots", "x")]})),
    )
    .await;
    assert_eq!(status, 400);
    srv.stop().await;
}

#[tokio::test]
async fn the_seeds_restart_path_answers_as_the_seed_documents() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    let (status, body) = send(
        &op,
        "PUT",
        &srv.url("/api/v1/apps/1/_proxy/clusters/demo/namespaces/kube-system/daemonsets/node-exporter/restart"),
        Some(json!({"force": false})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["message"],
        "daemonsets kube-system/node-exporter restarted successfully"
    );
    assert_eq!(body["data"]["success"], true);
    srv.stop().await;
}
