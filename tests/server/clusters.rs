//! Clusters through the real kube-rs path: the built-in demo cluster over HTTP, and a
//! cluster that does not answer.

use std::time::{Duration, Instant};

use crate::common::*;
use serde_json::Value;

async fn clusters(srv: &TestServer, client: &reqwest::Client) -> Vec<Value> {
    let (status, body) = json_of(
        client
            .get(srv.url("/api/v1/clusters"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn demo_cluster_is_registered_and_healthy_with_nodes_from_the_watch_cache() {
    let srv = TestServer::start_with(|c| c.demo_cluster = true).await;
    assert!(
        srv.data_dir.join("demo.kubeconfig").exists(),
        "kubeconfig for kubectl is written"
    );
    let viewer = {
        srv.add_user("val", bosun_core::Role::Viewer).await;
        srv.signed_in("val", PASSWORD).await
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let demo = loop {
        let list = clusters(&srv, &viewer).await;
        assert_eq!(list.len(), 1);
        if list[0]["nodes"].is_object() {
            break list[0].clone();
        }
        assert!(
            Instant::now() < deadline,
            "watch cache never filled: {list:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(demo["name"], "demo");
    assert_eq!(demo["health"]["state"], "reachable");
    assert!(
        demo["version"].as_str().unwrap().starts_with("v1."),
        "{demo}"
    );
    assert_eq!(demo["nodes"]["total"], 3);
    assert!(demo["namespaces"].as_u64().unwrap() >= 5, "{demo}");

    // The nodes page's server function reads the same cache.
    let res = viewer
        .post(srv.url("/rpc/nodes/list"))
        .send()
        .await
        .unwrap();
    let (status, nodes) = json_of(res).await;
    assert_eq!(status, 200, "{nodes}");
    let names: Vec<&str> = nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["node-1", "node-2", "node-3"]);
    assert!(
        nodes
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["cluster"] == "demo" && n["ready"] == true)
    );
    srv.stop().await;
}

#[tokio::test]
async fn an_unreachable_cluster_is_reported_not_fatal() {
    let srv = TestServer::start().await;
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let kubeconfig = srv.data_dir.join("gone.kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster:\n    server: http://127.0.0.1:{closed_port}\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: gone\n  context:\n    cluster: gone\n    user: u\ncurrent-context: gone\n"
        ),
    )
    .unwrap();
    let clusters_registry = srv.server.as_ref().unwrap().clusters.clone();
    clusters_registry
        .connect_kubeconfig("gone", &kubeconfig, None)
        .await
        .unwrap();
    let admin = srv.signed_in("admin", ADMIN_PASSWORD).await;
    let list = clusters(&srv, &admin).await;
    assert_eq!(list[0]["name"], "gone");
    assert_eq!(list[0]["health"]["state"], "unreachable");
    assert!(
        list[0]["health"]["reason"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    assert!(list[0]["nodes"].is_null());
    srv.stop().await;
}

#[tokio::test]
async fn a_kubeconfig_that_does_not_parse_is_a_clear_bad_request() {
    let srv = TestServer::start().await;
    let path = srv.data_dir.join("broken.kubeconfig");
    std::fs::write(&path, "clusters: [this is: not yaml").unwrap();
    let registry = srv.server.as_ref().unwrap().clusters.clone();
    let err = match registry.connect_kubeconfig("broken", &path, None).await {
        Ok(_) => panic!("a broken kubeconfig must not connect"),
        Err(e) => e,
    };
    assert!(
        err.to_string()
            .starts_with(&format!("kubeconfig {}", path.display())),
        "{err}"
    );
    let domain: bosun_core::Error = err.into();
    assert_eq!(domain.code(), bosun_core::ErrorCode::BadRequest);
    srv.stop().await;
}
