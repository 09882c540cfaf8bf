//! Cluster management through the real kube-rs path: the built-in demo cluster, clusters
//! added from kubeconfigs (a second demo cluster on its own port), clusters that do not
//! answer, and credentials that stay encrypted and out of every answer.

use std::time::{Duration, Instant};

use bosun_demo_cluster::{DemoCluster, DemoConfig};
use serde_json::{Value, json};

use crate::common::*;

pub async fn second_cluster() -> DemoCluster {
    DemoCluster::start(DemoConfig {
        time_scale: 20.0,
        ..DemoConfig::default()
    })
    .await
    .expect("demo cluster starts")
}

/// A kubeconfig for a server that refuses connections (a port nobody listens on).
pub fn closed_port_kubeconfig() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    kubeconfig_for(&format!("http://127.0.0.1:{port}"), "t")
}

pub fn kubeconfig_for(server: &str, token: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\nusers:\n- name: u\n  user:\n    token: {token}\ncontexts:\n- name: main\n  context:\n    cluster: c\n    user: u\ncurrent-context: main\n"
    )
}

async fn cluster(srv: &TestServer, client: &reqwest::Client, name: &str) -> Value {
    let (status, body) = get(client, &srv.url(&format!("/api/v1/clusters/{name}"))).await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

#[tokio::test]
async fn the_demo_cluster_is_added_on_first_start_and_read_from_memory() {
    let srv = TestServer::with_demo().await;
    assert!(
        srv.data_dir.join("demo.kubeconfig").exists(),
        "kubeconfig for kubectl is written"
    );
    let viewer = srv.as_role(bosun_core::Role::Viewer).await;
    let demo = eventually(30, "demo healthy with nodes", || async {
        let c = cluster(&srv, &viewer, "demo").await;
        (c["health"]["state"] == "reachable"
            && c["nodes"].is_object()
            && c["workloads"].is_object())
        .then_some(c)
    })
    .await;
    assert_eq!(demo["source"], "demo");
    assert_eq!(demo["environment"], "dev");
    assert!(
        demo["version"].as_str().unwrap().starts_with("v1."),
        "{demo}"
    );
    assert_eq!(demo["nodes"]["total"], 3);
    assert!(demo["namespaces"].as_u64().unwrap() >= 5, "{demo}");
    assert!(demo["workloads"]["total"].as_u64().unwrap() >= 10, "{demo}");
    assert!(demo["last_reachable_at"].is_string(), "{demo}");
    let optional: Vec<&str> = demo["optional_kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(
        optional.contains(&"clonesets") && optional.contains(&"advancedstatefulsets"),
        "{optional:?}"
    );

    // The list is a page in the list envelope.
    let (status, list) = get(&viewer, &srv.url("/api/v1/clusters")).await;
    assert_eq!(status, 200);
    assert_eq!(list["data"]["total"], 1);
    assert!(list["data"]["continue"].is_null());

    // The nodes page's server function reads the same cache.
    let (status, nodes) = json_of(
        viewer
            .post(srv.url("/rpc/nodes/list"))
            .json(&json!({"query": {}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{nodes}");
    let names: Vec<&str> = nodes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["node-1", "node-2", "node-3"]);

    // A restart does not add it twice, and a removed demo cluster stays removed.
    let admin = srv.admin().await;
    let (status, _) = send(&admin, "DELETE", &srv.url("/api/v1/clusters/demo"), None).await;
    assert_eq!(status, 200);
    let srv = srv.restart().await;
    let admin = srv.admin().await;
    let (_, list) = get(&admin, &srv.url("/api/v1/clusters")).await;
    assert_eq!(list["data"]["total"], 0, "{list}");
    srv.stop().await;
}

#[tokio::test]
async fn an_admin_adds_a_cluster_from_a_kubeconfig_and_its_credentials_stay_secret() {
    let srv = TestServer::start().await;
    let other = second_cluster().await;
    let admin = srv.admin().await;
    let kubeconfig = other.kubeconfig_yaml("staging-ctx");
    let (status, body) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/clusters"),
        Some(json!({"name": "staging", "kubeconfig": kubeconfig, "context": "staging-ctx",
                    "environment": "stage", "description": "the staging cluster", "default_namespace": "shop"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["connection"]["reachable"], true, "{body}");
    assert!(
        body["data"]["connection"]["version"]
            .as_str()
            .unwrap()
            .starts_with("v1.")
    );
    let saved = &body["data"]["cluster"];
    assert_eq!(
        (saved["environment"].as_str(), saved["context"].as_str()),
        (Some("stage"), Some("staging-ctx"))
    );
    assert_eq!(saved["server"], format!("{}/", other.https_url()));
    assert!(
        !body.to_string().contains("demo-token"),
        "credentials never go back: {body}"
    );

    let viewer = srv.as_role(bosun_core::Role::Viewer).await;
    let staging = eventually(30, "staging healthy", || async {
        let c = cluster(&srv, &viewer, "staging").await;
        (c["health"]["state"] == "reachable" && c["workloads"].is_object()).then_some(c)
    })
    .await;
    assert!(!staging.to_string().contains("demo-token"));

    // At rest the kubeconfig is encrypted; the key file is private.
    let blob: Vec<u8> =
        sqlx::query_scalar("SELECT credentials FROM clusters WHERE name = 'staging'")
            .fetch_one(&srv.ctx().db)
            .await
            .unwrap();
    assert!(
        !String::from_utf8_lossy(&blob).contains("demo-token"),
        "credentials are not stored in clear"
    );
    assert!(!String::from_utf8_lossy(&blob).contains("apiVersion"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(srv.data_dir.join("secret.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Edit, test, delete.
    let (status, body) = send(
        &admin,
        "PUT",
        &srv.url("/api/v1/clusters/staging"),
        Some(json!({"environment": "prod"})),
    )
    .await;
    assert_eq!(
        (status, body["data"]["cluster"]["environment"].as_str()),
        (200, Some("prod")),
        "{body}"
    );
    let (status, body) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/clusters/staging/test"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["data"]["reachable"].as_bool()),
        (200, Some(true)),
        "{body}"
    );
    let (status, _) = send(&admin, "DELETE", &srv.url("/api/v1/clusters/staging"), None).await;
    assert_eq!(status, 200);
    let (status, body) = get(&admin, &srv.url("/api/v1/clusters/staging")).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("NOT_FOUND")));
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clusters")
        .fetch_one(&srv.ctx().db)
        .await
        .unwrap();
    assert_eq!(count, 0, "the credentials went with the cluster");

    let actions: Vec<String> = audit_rows(&srv, "cluster=staging")
        .await
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["action"].as_str().unwrap(),
                r["outcome"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            "cluster.remove succeeded",
            "cluster.update succeeded",
            "cluster.add succeeded"
        ],
        "cluster.test is not a change and is not recorded"
    );
    other.shutdown().await;
    srv.stop().await;
}

#[tokio::test]
async fn bad_cluster_input_is_refused_with_the_reason_and_saves_nothing() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let add = |body: Value| {
        let admin = admin.clone();
        let url = srv.url("/api/v1/clusters");
        async move { send(&admin, "POST", &url, Some(body)).await }
    };
    let (status, body) =
        add(json!({"name": "x", "kubeconfig": "clusters: [this is: not yaml"})).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("kubeconfig does not parse"),
        "{body}"
    );
    // A parser's message would quote the document; the answer (and the audit log) must not.
    let leaky =
        "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: eyJhbGciOiJSUzI1NiJ9.secret\n";
    let (status, body) = add(json!({"name": "x", "kubeconfig": leaky})).await;
    assert_eq!(status, 400, "{body}");
    assert!(!body.to_string().contains("eyJhbGci"), "{body}");
    let rows = audit_rows(&srv, "action=cluster.add").await;
    assert!(
        !serde_json::to_string(&rows).unwrap().contains("eyJhbGci"),
        "{rows:?}"
    );
    let good = kubeconfig_for("http://127.0.0.1:1", "t");
    let (status, body) = add(json!({"name": "x", "kubeconfig": good, "context": "nope"})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "kubeconfig has no context \"nope\"; it has: main"
    );
    let (status, body) = add(json!({"name": "Not A Name", "kubeconfig": good})).await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("cluster name \"Not A Name\" is invalid"),
        "{body}"
    );
    let (status, body) = add(json!({"name": "x"})).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = add(json!({"name": "x", "kubeconfig": good, "environment": "qa"})).await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("expected prod, stage, dev or test"),
        "{body}"
    );
    let (status, body) = add(json!({"name": "x", "kubeconfig": good, "password": "oops"})).await;
    assert_eq!(status, 400, "unknown fields are refused: {body}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clusters")
        .fetch_one(&srv.ctx().db)
        .await
        .unwrap();
    assert_eq!(count, 0);
    let (status, _) = add(json!({"name": "x", "kubeconfig": good})).await;
    assert_eq!(status, 200);
    let (status, body) = add(json!({"name": "x", "kubeconfig": good})).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (409, Some("a cluster named \"x\" already exists"))
    );
    srv.stop().await;
}

#[tokio::test]
async fn an_unreachable_cluster_is_saved_and_reported_where_its_data_would_be() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let started = Instant::now();
    let (status, body) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/clusters"),
        Some(json!({"name": "gone", "kubeconfig": closed_port_kubeconfig()})),
    )
    .await;
    assert_eq!(status, 200, "saved although unreachable: {body}");
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(body["data"]["connection"]["reachable"], false);
    assert!(
        body["data"]["connection"]["error"]
            .as_str()
            .unwrap()
            .contains("unreachable"),
        "{body}"
    );
    let gone = eventually(20, "gone reported unreachable", || async {
        let c = cluster(&srv, &admin, "gone").await;
        (c["health"]["state"] == "unreachable").then_some(c)
    })
    .await;
    assert!(
        gone["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("gone")),
        "{gone}"
    );
    assert!(gone["nodes"].is_null());
    let (status, body) = get(
        &admin,
        &srv.url("/api/v1/clusters/gone/namespaces/_all/workloads"),
    )
    .await;
    assert_eq!(status, 503, "the list says why it has nothing: {body}");
    assert_eq!(body["code"], "UNAVAILABLE");
    srv.stop().await;
}

#[tokio::test]
async fn a_wrong_secret_key_stops_start_up_with_a_clear_error() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let (status, _) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/clusters"),
        Some(json!({"name": "x", "kubeconfig": kubeconfig_for("http://127.0.0.1:1", "secret-token")})),
    )
    .await;
    assert_eq!(status, 200);
    let (data_dir, keep) = srv.stop_keeping_data().await;
    let mut config = bosun::config::ServerConfig::for_tests(data_dir);
    config.secret_key = Some("ab".repeat(32));
    let err = match bosun::server::start(config).await {
        Ok(_) => panic!("a server with another key must not start"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("BOSUN_SECRET_KEY") && err.contains("does not decrypt"),
        "{err}"
    );
    drop(keep);
}
