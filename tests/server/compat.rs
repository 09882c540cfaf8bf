//! The Kruise Dashboard backend API (seed 004) served for the default cluster: every
//! route answers in the documented envelope, with Bosun's authentication, audit and
//! kubectl-kruise's action semantics.

use bosun_core::Role;
use serde_json::{Value, json};

use crate::common::*;

async fn ok(client: &reqwest::Client, method: &str, url: &str) -> Value {
    let (status, body) = send(client, method, url, None).await;
    assert_eq!(status, 200, "{method} {url}: {body}");
    assert!(
        body.get("data").is_some(),
        "{method} {url}: no data envelope: {body}"
    );
    body["data"].clone()
}

fn names(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("an array: {items}"))
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_read_route_answers_as_the_seed_documents() {
    let srv = TestServer::with_demo().await;
    let viewer = srv.as_role(Role::Viewer).await;
    let url = |p: &str| srv.url(&format!("/api/v1{p}"));

    let namespaces = ok(&viewer, "GET", &url("/namespaces")).await;
    let namespaces: Vec<&str> = namespaces
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        namespaces.contains(&"shop") && namespaces.contains(&"vms"),
        "{namespaces:?}"
    );

    let metrics = ok(&viewer, "GET", &url("/cluster/metrics")).await;
    assert_eq!(metrics["nodes"], 3);
    assert_eq!(metrics["totalNodes"], 3);
    assert!(metrics["pod_count"].as_u64().unwrap() > 10, "{metrics}");
    assert!(
        metrics["cpu_usage"].as_str().unwrap().ends_with('%'),
        "{metrics}"
    );
    assert!(
        metrics["memory_usage"].as_str().unwrap().ends_with('%'),
        "{metrics}"
    );
    assert!(
        metrics["cpuUsage"].as_f64().unwrap() > 0.0,
        "the demo serves metrics.k8s.io: {metrics}"
    );
    assert_eq!(metrics["readyNodes"], 3);

    let all = ok(&viewer, "GET", &url("/workload/shop")).await;
    for key in [
        "deployments",
        "clonesets",
        "statefulsets",
        "daemonsets",
        "broadcastjobs",
        "advancedcronjobs",
    ] {
        assert!(all[key].is_array(), "{key} in {all}");
    }
    assert_eq!(names(&all["clonesets"]), ["cart"]);
    assert_eq!(
        names(&all["statefulsets"]),
        ["redis"],
        "statefulset is the Advanced StatefulSet"
    );
    assert!(names(&all["deployments"]).contains(&"web".to_string()));

    let list = ok(&viewer, "GET", &url("/workload/shop/cloneset")).await;
    assert_eq!(list["kind"], "CloneSetList");
    assert_eq!(list["apiVersion"], "apps.kruise.io/v1alpha1");
    assert_eq!(names(&list["items"]), ["cart"]);
    let cart = ok(&viewer, "GET", &url("/workload/shop/cloneset/cart")).await;
    assert_eq!(
        (cart["kind"].as_str(), cart["metadata"]["name"].as_str()),
        (Some("CloneSet"), Some("cart"))
    );
    let with_pods = ok(&viewer, "GET", &url("/workload/shop/cloneset/cart/pods")).await;
    assert_eq!(with_pods["workload"]["metadata"]["name"], "cart");
    let pods = with_pods["pods"].as_array().unwrap();
    assert!(
        !pods.is_empty()
            && pods.iter().all(|p| p["kind"] == "Pod"
                || p["metadata"]["name"].as_str().unwrap().starts_with("cart-")),
        "{with_pods}"
    );

    let rollout = ok(&viewer, "GET", &url("/rollout/shop/cart-rollout")).await;
    assert_eq!(rollout["kind"], "Rollout");
    assert_eq!(
        rollout["status"]["canaryStatus"]["currentStepState"],
        "StepPaused"
    );
    let status = ok(&viewer, "GET", &url("/rollout/status/shop/cart-rollout")).await;
    assert_eq!(status["metadata"]["name"], "cart-rollout");
    assert_eq!(
        ok(&viewer, "GET", &url("/rollout/history/shop/cart-rollout")).await,
        json!({"history": null})
    );
    let listed = ok(&viewer, "GET", &url("/rollout/list/shop")).await;
    assert_eq!(
        (listed["total"].as_u64(), listed["namespace"].as_str()),
        (Some(1), Some("shop"))
    );
    assert_eq!(names(&listed["rollouts"]), ["cart-rollout"]);
    assert_eq!(
        names(&ok(&viewer, "GET", &url("/rollout/active/shop")).await),
        ["cart-rollout"]
    );
    assert_eq!(
        names(&ok(&viewer, "GET", &url("/rollout/active/payments")).await),
        Vec::<String>::new()
    );
    assert_eq!(
        names(&ok(&viewer, "GET", &url("/rollout/list/payments")).await["rollouts"]),
        ["billing-rollout"]
    );

    // Errors: {"trace_id", "message", "code"} with the status the code implies.
    let (status, body) = get(&viewer, &url("/workload/shop/replicaset")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("BAD_REQUEST")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("unsupported workload type: replicaset"),
        "{body}"
    );
    assert!(
        body["trace_id"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    let (status, body) = get(&viewer, &url("/workload/shop/cloneset/nope")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("NOT_FOUND")),
        "{body}"
    );
    let (status, body) = get(&viewer, &url("/rollout/shop/nope")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("NOT_FOUND")),
        "{body}"
    );
    let (status, body) = get(&client(), &url("/rollout/list/shop")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("UNAUTHORIZED")),
        "{body}"
    );
    srv.stop().await;
}

#[tokio::test]
async fn actions_take_kubectl_kruises_semantics_and_are_audited() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    let url = |p: &str| srv.url(&format!("/api/v1{p}"));
    eventually(60, "cart-rollout paused at step 1", || async {
        let (_, r) = get(&op, &url("/rollout/shop/cart-rollout")).await;
        (r["data"]["status"]["canaryStatus"]["currentStepState"] == "StepPaused").then_some(())
    })
    .await;

    srv.take_demo_requests();
    let approved = ok(&op, "POST", &url("/rollout/approve/shop/cart-rollout")).await;
    assert_eq!(
        approved,
        json!({"message": "Rollout approved successfully"})
    );
    let writes = srv.take_demo_writes();
    assert_eq!(
        writes[0].path,
        "/apis/rollouts.kruise.io/v1beta1/namespaces/shop/rollouts/cart-rollout/status"
    );
    assert_eq!(
        serde_json::from_str::<Value>(&writes[0].body).unwrap(),
        json!({"status": {"canaryStatus": {"currentStepState": "StepReady"}}})
    );
    let (status, body) = send(
        &op,
        "POST",
        &url("/rollout/approve/shop/cart-rollout"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("CONFLICT")),
        "{body}"
    );

    assert_eq!(
        ok(&op, "POST", &url("/rollout/pause/shop/cart-rollout")).await["message"],
        "Rollout paused successfully"
    );
    let held = cluster_object(
        &srv,
        "/apis/rollouts.kruise.io/v1beta1/namespaces/shop/rollouts/cart-rollout",
    )
    .await;
    assert_eq!(
        held["spec"]["strategy"]["paused"], true,
        "spec.strategy.paused, not spec.paused"
    );
    assert_eq!(
        ok(&op, "POST", &url("/rollout/resume/shop/cart-rollout")).await["message"],
        "Rollout resumed successfully"
    );
    assert_eq!(
        ok(&op, "POST", &url("/rollout/undo/shop/cart-rollout")).await["message"],
        "Rollout undone successfully"
    );
    assert_eq!(
        ok(&op, "POST", &url("/rollout/restart/shop/cart-rollout")).await["message"],
        "Rollout restarted successfully"
    );

    let scaled = ok(
        &op,
        "POST",
        &url("/workload/shop/statefulset/redis/scale?replicas=3"),
    )
    .await;
    assert_eq!(
        scaled,
        json!({"message": "Successfully scaled statefulset redis to 3 replicas", "replicas": 3})
    );
    let held = cluster_object(
        &srv,
        "/apis/apps.kruise.io/v1beta1/namespaces/shop/statefulsets/redis",
    )
    .await;
    assert_eq!(held["spec"]["replicas"], 3);
    let (status, body) = send(
        &op,
        "POST",
        &url("/workload/shop/cloneset/cart/scale"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (400, Some("replicas parameter is required"))
    );
    let (status, body) = send(
        &op,
        "POST",
        &url("/workload/shop/cloneset/cart/scale?replicas=-1"),
        None,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = send(
        &op,
        "POST",
        &url("/workload/kube-system/daemonset/log-agent/scale?replicas=2"),
        None,
    )
    .await;
    assert_eq!(status, 400, "daemonsets cannot be scaled: {body}");

    assert_eq!(
        ok(
            &op,
            "POST",
            &url("/workload/kube-system/daemonset/log-agent/restart")
        )
        .await["message"],
        "Successfully restarted daemonset log-agent"
    );
    let (status, body) = send(
        &op,
        "POST",
        &url("/workload/data/broadcastjob/warm-cache/restart"),
        None,
    )
    .await;
    assert_eq!(status, 400, "broadcastjobs cannot be restarted: {body}");
    assert_eq!(
        ok(
            &op,
            "DELETE",
            &url("/workload/data/broadcastjob/warm-cache")
        )
        .await["message"],
        "Successfully deleted broadcastjob warm-cache"
    );

    let rows = audit_rows(&srv, "source=api").await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    for action in [
        "rollout.approve",
        "rollout.pause",
        "rollout.resume",
        "rollout.undo",
        "rollout.restart",
        "workload.scale",
        "workload.restart",
        "workload.delete",
    ] {
        assert!(actions.contains(&action), "{action} audited: {actions:?}");
    }
    let viewer = srv.as_role(Role::Viewer).await;
    let (status, body) = send(
        &viewer,
        "POST",
        &url("/rollout/pause/shop/cart-rollout"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("FORBIDDEN")),
        "{body}"
    );
    srv.stop().await;
}

#[tokio::test]
async fn the_default_cluster_is_the_one_an_admin_marks() {
    let other = crate::clusters::second_cluster().await;
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let url = |p: &str| srv.url(&format!("/api/v1{p}"));
    // No demo cluster and none marked: a 404 that says what to do.
    let (status, body) = get(&admin, &url("/namespaces")).await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("marks one as default"),
        "{body}"
    );
    let kubeconfig = other.kubeconfig_yaml("other");
    let (status, body) = send(
        &admin,
        "POST",
        &url("/clusters"),
        Some(json!({"name": "other", "kubeconfig": kubeconfig})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(
        &admin,
        "PUT",
        &url("/clusters/other"),
        Some(json!({"default": true})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["cluster"]["default"], true);
    srv.wait_for_caches("other").await;
    let namespaces = ok(&admin, "GET", &url("/namespaces")).await;
    assert!(
        namespaces.as_array().unwrap().iter().any(|n| n == "shop"),
        "{namespaces}"
    );
    let (_, clusters) = get(&admin, &url("/clusters")).await;
    assert_eq!(clusters["data"]["items"][0]["default"], true, "{clusters}");
    srv.stop().await;
    other.shutdown().await;
}
