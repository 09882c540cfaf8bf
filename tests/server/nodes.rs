//! Nodes through the REST API against the demo cluster: cordon, uncordon, taints and
//! labels send what the real kubectl sends (both are run here and their requests
//! compared), the drain waits on a PodDisruptionBudget and completes when it allows,
//! refuses what kubectl refuses before changing anything, and can be cancelled.

use serde_json::{Value, json};

use crate::common::{
    TestServer, audit_rows, blocked_drain_fixture, cluster_object, demo_send, eventually, get, send,
};

/// Runs the real kubectl against the test server's demo cluster.
fn kubectl(srv: &TestServer, args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kubeconfig");
    srv.demo().write_kubeconfig(&config, "demo").unwrap();
    let out = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&config)
        .args(args)
        .output()
        .expect("kubectl runs");
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The one write request (method, path, content type, body as JSON) since the last call.
fn only_write(srv: &TestServer) -> (String, String, String, Value) {
    let writes = srv.take_demo_writes();
    assert_eq!(writes.len(), 1, "one write: {writes:?}");
    let w = &writes[0];
    (
        w.method.clone(),
        w.path.clone(),
        w.content_type.clone(),
        serde_json::from_str(&w.body).unwrap_or(Value::Null),
    )
}

async fn node_json(srv: &TestServer, name: &str) -> Value {
    cluster_object(srv, &format!("/api/v1/nodes/{name}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cordon_uncordon_taint_and_label_send_what_kubectl_sends() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let admin = srv.admin().await;
    let base = srv.url("/api/v1/clusters/demo/nodes/node-3");
    srv.take_demo_requests();

    // Cordon and uncordon.
    for (verb, field) in [("cordon", json!(true)), ("uncordon", Value::Null)] {
        kubectl(&srv, &[verb, "node-3"]);
        let by_kubectl = only_write(&srv);
        let (status, body) = send(&admin, "POST", &format!("{base}/{verb}"), None).await;
        assert_eq!(status, 200, "{verb}: {body}");
        let by_bosun = only_write(&srv);
        assert_eq!(by_bosun, by_kubectl, "{verb}");
        assert_eq!(by_bosun.3, json!({"spec": {"unschedulable": field}}));
    }
    assert!(node_json(&srv, "node-3").await["spec"]["unschedulable"].is_null());

    // A taint added, then removed.
    kubectl(
        &srv,
        &["taint", "nodes", "node-3", "dedicated=gpu:NoSchedule"],
    );
    let by_kubectl = only_write(&srv);
    kubectl(&srv, &["taint", "nodes", "node-3", "dedicated:NoSchedule-"]);
    let removal_by_kubectl = only_write(&srv);
    let (status, body) = send(
        &admin,
        "PATCH",
        &format!("{base}/taints"),
        Some(json!({"add": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(only_write(&srv), by_kubectl, "taint added");
    assert_eq!(
        node_json(&srv, "node-3").await["spec"]["taints"],
        json!([{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}])
    );
    let (status, body) = send(
        &admin,
        "PATCH",
        &format!("{base}/taints"),
        Some(json!({"remove": ["dedicated:NoSchedule"]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(only_write(&srv), removal_by_kubectl, "taint removed");

    // Labels on the node, then on a Deployment.
    kubectl(&srv, &["label", "nodes", "node-3", "zone=a"]);
    let by_kubectl = only_write(&srv);
    kubectl(&srv, &["label", "nodes", "node-3", "zone-"]);
    let removal_by_kubectl = only_write(&srv);
    let (status, _) = send(
        &admin,
        "PATCH",
        &format!("{base}/labels"),
        Some(json!({"set": {"zone": "a"}})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(only_write(&srv), by_kubectl, "label set");
    let (status, _) = send(
        &admin,
        "PATCH",
        &format!("{base}/labels"),
        Some(json!({"remove": ["zone"]})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(only_write(&srv), removal_by_kubectl, "label removed");
    let (status, body) = send(
        &admin,
        "PATCH",
        &srv.url("/api/v1/clusters/demo/namespaces/shop/deployments/web/labels"),
        Some(json!({"set": {"team": "shop"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, _, content_type, body) = only_write(&srv);
    assert_eq!(content_type, "application/merge-patch+json");
    assert_eq!(body, json!({"metadata": {"labels": {"team": "shop"}}}));

    // Bad input is named, and nothing is sent.
    for (path, body, needle) in [
        (
            "taints",
            json!({"add": [{"key": "x", "effect": "Sometimes"}]}),
            "invalid effect",
        ),
        (
            "taints",
            json!({"remove": ["absent:NoSchedule"]}),
            "not found on node node-3",
        ),
        (
            "labels",
            json!({"set": {"bad key": "v"}}),
            "label key \"bad key\" is invalid",
        ),
        ("labels", json!({}), "nothing to change"),
    ] {
        let (status, answer) = send(&admin, "PATCH", &format!("{base}/{path}"), Some(body)).await;
        assert!(status == 400 || status == 404, "{path}: {status} {answer}");
        assert!(
            answer["message"].as_str().unwrap_or("").contains(needle),
            "{answer}"
        );
    }
    assert!(srv.take_demo_writes().is_empty());
    let rows = audit_rows(&srv, "action=node.taint").await;
    assert!(rows.len() >= 2, "taints audited: {rows:?}");
    srv.stop().await;
}

async fn operation(srv: &TestServer, admin: &reqwest::Client, id: &str) -> Value {
    let (status, body) = get(admin, &srv.url(&format!("/api/v1/operations/{id}"))).await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_waits_for_the_disruption_budget_then_completes() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let admin = srv.admin().await;
    blocked_drain_fixture(&srv, "drain-me").await;
    let url = srv.url("/api/v1/clusters/demo/nodes/drain-me/drain");

    // The pods have no controller: refused before anything changes, as kubectl does.
    let (status, body) = send(&admin, "POST", &url, Some(json!({}))).await;
    assert_eq!(status, 409, "{body}");
    let message = body["message"].as_str().unwrap_or("");
    assert!(
        message.contains("force") && message.contains("shop/drain-me-a"),
        "{message}"
    );
    assert!(node_json(&srv, "drain-me").await["spec"]["unschedulable"].is_null());

    srv.take_demo_requests();
    let (status, body) = send(
        &admin,
        "POST",
        &url,
        Some(json!({"force": true, "ignoreDaemonSets": true, "gracePeriodSeconds": 0})),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["data"]["state"], "Running");
    let id = body["data"]["operation_id"].as_str().unwrap().to_string();
    assert_eq!(
        node_json(&srv, "drain-me").await["spec"]["unschedulable"],
        true
    );

    // Refused by the budget: retried, still running.
    let op = eventually(30, "an eviction refused by the budget", || async {
        let op = operation(&srv, &admin, &id).await;
        // The fixture's pods (a pod the scheduler put there meanwhile may be evicted).
        let blocked = op["items"].as_array().is_some_and(|items| {
            items
                .iter()
                .filter(|i| {
                    i["namespace"] == "shop"
                        && i["name"].as_str().unwrap_or("").starts_with("drain-me-")
                })
                .all(|i| i["state"] == "Blocked" && i["attempts"].as_u64() > Some(1))
        });
        blocked.then_some(op)
    })
    .await;
    assert_eq!(op["state"], "Running");
    let blocked = op["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["state"] == "Blocked")
        .cloned();
    assert!(
        blocked.is_some_and(|i| i["message"]
            .as_str()
            .unwrap_or("")
            .contains("disruption budget")),
        "{op}"
    );
    let requests = srv.take_demo_requests();
    let eviction = requests
        .iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/eviction"))
        .expect("an eviction was sent");
    let sent: Value = serde_json::from_str(&eviction.body).unwrap();
    assert_eq!(sent["apiVersion"], "policy/v1");
    assert_eq!(sent["kind"], "Eviction");
    assert_eq!(sent["deleteOptions"], json!({"gracePeriodSeconds": 0}));
    assert!(requests.iter().any(|r| r.method == "GET"
        && r.path == "/api/v1/pods"
        && r.query.contains("spec.nodeName%3Ddrain-me")));

    // The budget allows: the drain completes.
    demo_send(
        &srv,
        reqwest::Method::PATCH,
        "/apis/policy/v1/namespaces/shop/poddisruptionbudgets/drain-me",
        "application/merge-patch+json",
        json!({"spec": {"minAvailable": 0}}),
    )
    .await;
    let op = eventually(60, "the drain to finish", || async {
        let op = operation(&srv, &admin, &id).await;
        (op["finished"] == true).then_some(op)
    })
    .await;
    assert_eq!(op["state"], "Succeeded", "{op}");
    assert!(
        op["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["state"] == "Evicted" || i["state"] == "Skipped"),
        "{op}"
    );
    for pod in ["drain-me-a", "drain-me-b"] {
        let res = reqwest::get(format!(
            "{}/api/v1/namespaces/shop/pods/{pod}",
            srv.demo().url()
        ))
        .await
        .unwrap();
        assert_eq!(res.status(), 404, "{pod} is gone");
    }
    assert_eq!(
        audit_rows(&srv, "action=node.drain").await.len(),
        2,
        "the refusal and the drain"
    );
    let ends = audit_rows(&srv, "action=operation.end").await;
    assert!(
        ends.iter()
            .any(|r| r["parameters"].as_str().unwrap_or("").contains(&id)),
        "{ends:?}"
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_drain_can_be_cancelled() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let admin = srv.admin().await;
    blocked_drain_fixture(&srv, "cancel-me").await;
    let (status, body) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/clusters/demo/nodes/cancel-me/drain"),
        Some(json!({"force": true, "ignoreDaemonSets": true})),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let id = body["data"]["operation_id"].as_str().unwrap().to_string();
    // A second drain of the same node is refused while this one runs.
    let (status, body) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/clusters/demo/nodes/cancel-me/drain"),
        Some(json!({"force": true, "ignoreDaemonSets": true})),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let cancel = srv.url(&format!("/api/v1/operations/{id}/cancel"));
    let viewer = srv.as_role(bosun_core::Role::Viewer).await;
    assert_eq!(send(&viewer, "POST", &cancel, None).await.0, 403);
    let (status, body) = send(&admin, "POST", &cancel, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["state"], "Cancelled");
    assert!(
        body["data"]["message"]
            .as_str()
            .unwrap()
            .contains("cancelled by admin")
    );
    let (status, _) = send(&admin, "POST", &cancel, None).await;
    assert_eq!(status, 409, "an ended operation cannot be cancelled again");
    // The pods stay; the node stays cordoned.
    let res = reqwest::get(format!(
        "{}/api/v1/namespaces/shop/pods/cancel-me-a",
        srv.demo().url()
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        node_json(&srv, "cancel-me").await["spec"]["unschedulable"],
        true
    );
    assert!(!audit_rows(&srv, "action=operation.cancel").await.is_empty());
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_are_listed_paged_and_shown_from_the_caches() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let admin = srv.admin().await;
    let (status, body) = get(
        &admin,
        &srv.url("/api/v1/clusters/_all/nodes?limit=2&sort=name"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["total"], 3);
    assert_eq!(body["data"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(body["data"]["items"][0]["name"], "node-1");
    assert!(
        body["data"]["continue"].is_string() || body["data"]["continue_token"].is_string(),
        "{body}"
    );
    let (_, body) = get(
        &admin,
        &srv.url("/api/v1/clusters/demo/nodes?labelSelector=node-role.kubernetes.io/control-plane"),
    )
    .await;
    assert_eq!(body["data"]["total"], 1, "{body}");
    let (status, body) = get(&admin, &srv.url("/api/v1/clusters/demo/nodes/node-2")).await;
    assert_eq!(status, 200, "{body}");
    let detail = &body["data"];
    assert!(detail["pods"].as_array().unwrap().len() >= 4, "{detail}");
    let cpu = detail["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "cpu")
        .unwrap();
    assert!(
        cpu["requested"].as_i64().unwrap() > 0 && cpu["allocatable"].as_i64().unwrap() > 0,
        "{cpu}"
    );
    assert!(
        detail["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "Ready")
    );
    let (status, body) = get(&admin, &srv.url("/api/v1/clusters/demo/nodes/nope")).await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("nodes \"nope\" not found in cluster demo"),
        "{body}"
    );
    srv.stop().await;
}
