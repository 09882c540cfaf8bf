//! Pins: stored per account, audited, and shown with their objects' state for Quick actions.

use bosun_core::Role;
use serde_json::{Value, json};

use crate::common::*;

fn target(ns: &str, kind: &str, name: &str) -> Value {
    json!({"cluster": "demo", "namespace": ns, "kind": kind, "name": name})
}

#[tokio::test]
async fn pins_are_per_person_and_cards_show_each_objects_state() {
    let srv = TestServer::with_demo().await;
    let viewer = srv.as_role(Role::Viewer).await;
    let operator = srv.as_role(Role::Operator).await;
    let pins = srv.url("/api/v1/me/pins");
    for t in [
        target("shop", "deployments", "web"),
        target("shop", "rollouts", "cart-rollout"),
        target("vms", "virtualmachines", "vm-hung"),
    ] {
        let (status, body) = send(&viewer, "POST", &pins, Some(t.clone())).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["data"]["target"], t);
    }
    // Pinning again keeps one pin.
    let (status, again) = send(
        &viewer,
        "POST",
        &pins,
        Some(target("shop", "deployments", "web")),
    )
    .await;
    assert_eq!(status, 201, "{again}");

    let (status, cards) = get(&viewer, &pins).await;
    assert_eq!(status, 200, "{cards}");
    let cards = cards["data"].as_array().unwrap().clone();
    assert_eq!(cards.len(), 3, "{cards:?}");
    assert_eq!(cards[0]["pin"]["id"], again["data"]["id"]);
    assert_eq!(cards[0]["state"]["type"], "workload");
    assert_eq!(cards[0]["state"]["name"], "web");
    assert_eq!(cards[1]["state"]["type"], "rollout");
    assert_eq!(cards[1]["state"]["steps"], 3);
    assert_eq!(cards[2]["state"]["type"], "vm");
    assert_eq!(cards[2]["state"]["row"]["name"], "vm-hung");

    // Another person's pins are their own.
    let (_, theirs) = get(&operator, &pins).await;
    assert_eq!(theirs["data"], json!([]));

    // Unpin; unpinning what is not pinned is a 404.
    let delete = format!("{pins}?cluster=demo&namespace=shop&kind=deployments&name=web");
    let (status, body) = send(&viewer, "DELETE", &delete, None).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(&viewer, "DELETE", &delete, None).await;
    assert_eq!(status, 404, "{body}");

    // Bad pins: what does not exist, what cannot be pinned, a malformed body.
    let (status, body) = send(
        &viewer,
        "POST",
        &pins,
        Some(target("shop", "deployments", "nope")),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = send(
        &viewer,
        "POST",
        &pins,
        Some(target("data", "pods", "postgres-0")),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = send(&viewer, "POST", &pins, Some(json!({"cluster": "demo"}))).await;
    assert_eq!(status, 400, "{body}");

    let rows = audit_rows(&srv, "user=as-viewer").await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "pin.add").count(),
        4 + 2,
        "{actions:?}"
    );
    assert!(actions.contains(&"pin.remove"), "{actions:?}");
    srv.stop().await;
}
