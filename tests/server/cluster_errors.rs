//! What the cluster says reaches the person as the cluster said it: its RBAC refusing an
//! action (403, audited as failed, not denied), refusing Bosun's own credentials (503),
//! throttling (429 with Retry-After); and clusters that refuse connections or never
//! answer cost at most 15 s while the others keep working.

use std::time::{Duration, Instant};

use bosun_core::Role;
use serde_json::json;

use crate::clusters::{closed_port_kubeconfig, kubeconfig_for};
use crate::common::*;

/// Adds the embedded demo cluster again under `name`, authenticating with `token`.
async fn add_demo_as(srv: &TestServer, name: &str, token: &str) {
    let admin = srv.admin().await;
    let kubeconfig = srv.demo().kubeconfig_yaml_for(name, token);
    let (status, body) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/clusters"),
        Some(json!({"name": name, "kubeconfig": kubeconfig})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// A server that accepts connections and never answers; abort the handle to stop it.
async fn silent_server() -> (String, tokio::task::JoinHandle<()>) {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    (url, hold)
}

#[tokio::test]
async fn the_clusters_rbac_refusal_is_a_403_with_its_message_audited_as_failed() {
    let srv = TestServer::with_demo().await;
    add_demo_as(&srv, "as-viewer", "demo-viewer-token").await;
    srv.wait_for_caches("as-viewer").await;
    let op = srv.as_role(Role::Operator).await;
    let (status, body) = send(
        &op,
        "PUT",
        &srv.url("/api/v1/clusters/as-viewer/namespaces/shop/deployments/web/restart"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("FORBIDDEN")),
        "{body}"
    );
    assert_eq!(
        body["message"],
        "deployments.apps \"web\" is forbidden: User \"demo-viewer\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"shop\""
    );
    assert_eq!(body["reason"], "Forbidden");
    let rows = audit_rows(&srv, "cluster=as-viewer&action=workload.restart").await;
    assert_eq!(
        rows[0]["outcome"], "failed",
        "the cluster refused, not Bosun: {rows:?}"
    );
    assert_eq!(rows[0]["error"], body["message"]);
    srv.stop().await;
}

#[tokio::test]
async fn rejected_credentials_are_a_503_and_watches_say_why() {
    let srv = TestServer::with_demo().await;
    add_demo_as(&srv, "stale", "not-a-token").await;
    let op = srv.as_role(Role::Operator).await;
    let (status, body) = send(
        &op,
        "PUT",
        &srv.url("/api/v1/clusters/stale/namespaces/shop/deployments/web/restart"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (503, Some("UNAVAILABLE")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("rejected Bosun's credentials"),
        "{body}"
    );
    let card = eventually(20, "watch errors shown", || async {
        let (_, c) = get(&op, &srv.url("/api/v1/clusters/stale")).await;
        (!c["data"]["watch_errors"].as_array()?.is_empty()).then_some(c)
    })
    .await;
    let reason = card["data"]["watch_errors"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("rejected Bosun's credentials"), "{reason}");
    srv.stop().await;
}

#[tokio::test]
async fn the_clusters_429_keeps_its_retry_after() {
    let srv = TestServer::with_demo().await;
    add_demo_as(&srv, "busy", "demo-throttled-token").await;
    let op = srv.as_role(Role::Operator).await;
    let res = op
        .put(srv.url("/api/v1/clusters/busy/namespaces/shop/deployments/web/scale"))
        .json(&json!({"replicas": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1, "{retry}");
    let (_, body) = json_of(res).await;
    assert_eq!(body["code"], "TOO_MANY_REQUESTS");
    assert_eq!(
        body["message"],
        "Too many requests, please try again later."
    );
    srv.stop().await;
}

#[tokio::test]
async fn clusters_that_refuse_or_never_answer_cost_at_most_15_seconds_and_block_nobody() {
    let srv = TestServer::with_demo().await;
    let admin = srv.admin().await;
    let (silent_url, hold) = silent_server().await;
    for (name, kubeconfig) in [
        ("refusing", closed_port_kubeconfig()),
        ("silent", kubeconfig_for(&silent_url, "t")),
    ] {
        let (status, body) = send(
            &admin,
            "POST",
            &srv.url("/api/v1/clusters"),
            Some(json!({"name": name, "kubeconfig": kubeconfig})),
        )
        .await;
        assert_eq!(
            (status, body["data"]["connection"]["reachable"].as_bool()),
            (200, Some(false)),
            "{body}"
        );
    }
    let op = srv.as_role(Role::Operator).await;
    for name in ["refusing", "silent"] {
        let started = Instant::now();
        let url = srv.url(&format!(
            "/api/v1/clusters/{name}/namespaces/shop/deployments/web/restart"
        ));
        let restart = send(&op, "PUT", &url, None);
        let meanwhile = async {
            let asked = Instant::now();
            let (status, _) = get(
                &op,
                &srv.url("/api/v1/clusters/demo/namespaces/shop/deployments"),
            )
            .await;
            (status, asked.elapsed())
        };
        let ((status, body), (other_status, other_took)) = tokio::join!(restart, meanwhile);
        let took = started.elapsed();
        assert_eq!(
            (status, body["code"].as_str()),
            (503, Some("UNAVAILABLE")),
            "{name}: {body}"
        );
        assert!(took <= Duration::from_secs(16), "{name} took {took:?}");
        assert!(
            body["message"].as_str().unwrap().contains(name),
            "{name}: {body}"
        );
        assert_eq!(other_status, 200);
        assert!(
            other_took < Duration::from_secs(2),
            "the demo cluster kept answering: {other_took:?}"
        );
    }
    hold.abort();
    srv.stop().await;
}

#[tokio::test]
async fn an_action_whose_caller_goes_away_still_ends_and_is_audited() {
    let srv = TestServer::with_demo().await;
    let (url, hold) = silent_server().await;
    let admin = srv.admin().await;
    let (status, _) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/clusters"),
        Some(json!({"name": "silent", "kubeconfig": kubeconfig_for(&url, "t")})),
    )
    .await;
    assert_eq!(status, 200);
    let impatient = srv.as_role(Role::Operator).await;
    let gave_up = impatient
        .put(srv.url("/api/v1/clusters/silent/namespaces/shop/deployments/web/restart"))
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(gave_up.is_err(), "the client went away before the answer");
    let row = eventually(20, "the restart's audit record", || async {
        audit_rows(&srv, "cluster=silent&action=workload.restart")
            .await
            .into_iter()
            .next()
    })
    .await;
    assert_eq!(row["outcome"], "failed");
    assert!(row["error"].as_str().unwrap().contains("silent"), "{row}");
    hold.abort();
    srv.stop().await;
}
