//! Every workload action against the demo cluster over real HTTP: what the cluster holds
//! afterwards, and, from the emulator's request log, the exact request that went over the
//! wire (method, path, content type, body) compared with ../shared/REFERENCE.md.

use bosun_core::Role;
use bosun_demo_cluster::RecordedRequest;
use serde_json::{Value, json};

use crate::common::*;

const W: &str = "/api/v1/clusters/demo/namespaces";

fn body_of(r: &RecordedRequest) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("JSON body: {}", r.body))
}

fn is_rfc3339(s: &str) -> bool {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}

async fn operator(srv: &TestServer) -> reqwest::Client {
    srv.as_role(Role::Operator).await
}

/// Runs an action and returns (status, answer, writes it caused in the cluster).
async fn act(
    srv: &TestServer,
    client: &reqwest::Client,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value, Vec<RecordedRequest>) {
    srv.take_demo_requests();
    let (status, answer) = send(client, method, &srv.url(&format!("{W}{path}")), body).await;
    (status, answer, srv.take_demo_writes())
}

#[tokio::test]
async fn restart_deployment_sends_kubectls_strategic_merge_patch() {
    let srv = TestServer::with_demo().await;
    let op = operator(&srv).await;
    let (status, answer, writes) =
        act(&srv, &op, "PUT", "/shop/deployments/web/restart", None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["data"]["message"],
        "deployments shop/web restarted successfully"
    );
    assert_eq!(answer["data"]["success"], true);
    assert!(is_rfc3339(answer["data"]["timestamp"].as_str().unwrap()));
    assert_eq!(writes.len(), 1, "{writes:?}");
    let w = &writes[0];
    assert_eq!(
        (w.method.as_str(), w.path.as_str()),
        ("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web")
    );
    assert_eq!(w.query, "fieldManager=bosun");
    assert_eq!(w.content_type, "application/strategic-merge-patch+json");
    let body = body_of(w);
    let at =
        body["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .as_str()
            .expect("restartedAt")
            .to_string();
    assert!(is_rfc3339(&at), "{at}");
    assert_eq!(
        body,
        json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": at}}}}})
    );
    let held = cluster_object(&srv, "/apis/apps/v1/namespaces/shop/deployments/web").await;
    assert_eq!(
        held["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
        at.as_str()
    );

    // The rollout is followed to completion, in kubectl rollout status terms.
    let done = eventually(60, "web rolled out", || async {
        let (_, s) = get(&op, &srv.url(&format!("{W}/shop/deployments/web/status"))).await;
        (s["data"]["done"] == true).then_some(s)
    })
    .await;
    assert_eq!(
        done["data"]["message"],
        "deployment \"web\" successfully rolled out"
    );
    assert_eq!(done["data"]["restarted_at"], at.as_str());

    // The History tab reads the audit log.
    let (_, history) = get(&op, &srv.url(&format!("{W}/shop/deployments/web/history"))).await;
    let row = &history["data"]["items"][0];
    assert_eq!(row["action"], "workload.restart");
    assert_eq!(row["user"], "as-operator");
    assert_eq!(row["source"], "api");
    assert_eq!(row["parameters"], "{\"force\":false}");
    assert_eq!(row["outcome"], "succeeded");
    srv.stop().await;
}

#[tokio::test]
async fn restart_refuses_paused_deployment_and_unsupported_kinds() {
    let srv = TestServer::with_demo().await;
    let op = operator(&srv).await;
    let (status, answer, writes) = act(
        &srv,
        &op,
        "PUT",
        "/payments/deployments/ledger/restart",
        None,
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (409, Some("CONFLICT")),
        "{answer}"
    );
    assert_eq!(
        answer["message"],
        "can't restart paused deployment (run rollout resume first)"
    );
    assert!(writes.is_empty(), "nothing written: {writes:?}");

    let (status, answer, writes) = act(
        &srv,
        &op,
        "PUT",
        "/data/jobs/db-migrate/restart",
        Some(json!({"force": false})),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["message"], "jobs.batch: restarting is not supported");
    assert!(writes.is_empty());
    let (status, answer, _) = act(
        &srv,
        &op,
        "PUT",
        "/data/cronjobs/nightly-backup/restart",
        None,
    )
    .await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (400, Some("cronjobs.batch: restarting is not supported"))
    );

    let failed = audit_rows(&srv, "action=workload.restart&name=db-migrate").await;
    assert_eq!(failed[0]["outcome"], "failed");
    assert_eq!(failed[0]["kind"], "jobs");
    srv.stop().await;
}

#[tokio::test]
async fn restart_statefulset_and_daemonset_patch_their_templates() {
    let srv = TestServer::with_demo().await;
    let op = operator(&srv).await;
    for (path, api) in [
        (
            "/data/statefulsets/postgres/restart",
            "/apis/apps/v1/namespaces/data/statefulsets/postgres",
        ),
        (
            "/kube-system/daemonsets/node-exporter/restart",
            "/apis/apps/v1/namespaces/kube-system/daemonsets/node-exporter",
        ),
    ] {
        let (status, answer, writes) = act(&srv, &op, "PUT", path, None).await;
        assert_eq!(status, 200, "{path}: {answer}");
        assert_eq!(writes.len(), 1);
        assert_eq!(
            (writes[0].method.as_str(), writes[0].path.as_str()),
            ("PATCH", api)
        );
        assert_eq!(
            writes[0].content_type,
            "application/strategic-merge-patch+json"
        );
        let held = cluster_object(&srv, api).await;
        assert!(held["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"].is_string());
    }
    srv.stop().await;
}

#[tokio::test]
async fn restart_kruise_kinds_as_kubectl_kruise_does() {
    let srv = TestServer::with_demo().await;
    let op = operator(&srv).await;
    for (path, api) in [
        (
            "/shop/clonesets/cart/restart",
            "/apis/apps.kruise.io/v1alpha1/namespaces/shop/clonesets/cart",
        ),
        (
            "/shop/advancedstatefulsets/redis/restart",
            "/apis/apps.kruise.io/v1beta1/namespaces/shop/statefulsets/redis",
        ),
    ] {
        srv.take_demo_requests();
        let (status, answer) = send(&op, "PUT", &srv.url(&format!("{W}{path}")), None).await;
        assert_eq!(status, 200, "{path}: {answer}");
        let requests: Vec<RecordedRequest> = srv
            .take_demo_requests()
            .into_iter()
            .filter(|r| r.path == api)
            .collect();
        let methods: Vec<&str> = requests.iter().map(|r| r.method.as_str()).collect();
        // Read, then replace with the version read; a controller writing in between
        // makes the replace a 409, and the pair is repeated (at most five times).
        assert!(
            !methods.is_empty()
                && methods.len() <= 10
                && methods.chunks(2).all(|pair| pair == ["GET", "PUT"]),
            "read, then replace: {methods:?}"
        );
        let put = requests.last().unwrap();
        assert_eq!(
            (put.query.as_str(), put.content_type.as_str()),
            ("fieldManager=bosun", "application/json")
        );
        let sent = body_of(put);
        assert!(
            sent["metadata"]["resourceVersion"]
                .as_str()
                .is_some_and(|rv| !rv.is_empty()),
            "replace with the version read"
        );
        let containers = sent["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap();
        let stamps: Vec<&str> = containers
            .iter()
            .map(|c| {
                c["env"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|e| e["name"] == "RESTARTED_AT")
                    .unwrap()["value"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert!(
            stamps.iter().all(|s| is_rfc3339(s) && *s == stamps[0]),
            "{stamps:?}"
        );
        let held = cluster_object(&srv, api).await;
        assert_eq!(
            held["spec"]["template"]["spec"]["containers"][0]["env"],
            containers[0]["env"]
        );
    }
    // The Advanced DaemonSet: the template annotation, as a merge patch (CRDs refuse
    // strategic merge patches).
    let (status, answer, writes) = act(
        &srv,
        &op,
        "PUT",
        "/kube-system/advanceddaemonsets/log-agent/restart",
        None,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(writes.len(), 1);
    assert_eq!(
        writes[0].path,
        "/apis/apps.kruise.io/v1alpha1/namespaces/kube-system/daemonsets/log-agent"
    );
    assert_eq!(writes[0].content_type, "application/merge-patch+json");
    assert!(body_of(&writes[0])["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"].is_string());
    srv.stop().await;
}

#[tokio::test]
async fn force_restart_deletes_the_current_pods_at_once() {
    let srv = TestServer::with_demo().await;
    let op = operator(&srv).await;
    let (_, pods) = get(&op, &srv.url(&format!("{W}/shop/deployments/api/pods"))).await;
    let before: Vec<String> = pods["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(before.len(), 2);
    let (status, answer, writes) = act(
        &srv,
        &op,
        "PUT",
        "/shop/deployments/api/restart",
        Some(json!({"force": true})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["data"]["message"],
        "deployments shop/api restarted successfully; 2 pods deleted so replacements start now"
    );
    let deletes: Vec<&str> = writes
        .iter()
        .filter(|w| w.method == "DELETE")
        .map(|w| w.path.as_str())
        .collect();
    let mut expected: Vec<String> = before
        .iter()
        .map(|p| format!("/api/v1/namespaces/shop/pods/{p}"))
        .collect();
    expected.sort();
    for w in writes.iter().filter(|w| w.method == "DELETE") {
        assert!(
            body_of(w)["preconditions"]["uid"]
                .as_str()
                .is_some_and(|u| !u.is_empty()),
            "each pod is deleted only if it is still the one listed: {w:?}"
        );
    }
    let mut deletes: Vec<String> = deletes.into_iter().map(str::to_string).collect();
    deletes.sort();
    assert_eq!(deletes, expected);
    let audit = audit_rows(&srv, "name=api&action=workload.restart").await;
    assert_eq!(audit[0]["parameters"], "{\"force\":true}");
    srv.stop().await;
}

#[tokio::test]
async fn scale_patches_the_scale_subresource_and_refuses_what_it_cannot() {
    let srv = TestServer::with_demo().await;
    let op = operator(&srv).await;
    let (status, answer, writes) = act(
        &srv,
        &op,
        "PUT",
        "/shop/deployments/api/scale",
        Some(json!({"replicas": 4})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["data"]["message"],
        "deployments shop/api scaled to 4 replicas"
    );
    assert_eq!(writes.len(), 1);
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        (
            "PATCH",
            "/apis/apps/v1/namespaces/shop/deployments/api/scale"
        )
    );
    assert_eq!(writes[0].content_type, "application/merge-patch+json");
    assert_eq!(body_of(&writes[0]), json!({"spec": {"replicas": 4}}));
    assert_eq!(
        cluster_object(&srv, "/apis/apps/v1/namespaces/shop/deployments/api").await["spec"]["replicas"],
        4
    );

    let (status, answer, writes) = act(
        &srv,
        &op,
        "PUT",
        "/shop/clonesets/cart/scale",
        Some(json!({"replicas": 5})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        writes[0].path,
        "/apis/apps.kruise.io/v1alpha1/namespaces/shop/clonesets/cart/scale"
    );

    for (path, body, message) in [
        (
            "/kube-system/daemonsets/node-exporter/scale",
            json!({"replicas": 2}),
            "daemonsets.apps: scaling is not supported (daemonsets have no /scale subresource)",
        ),
        (
            "/shop/deployments/api/scale",
            json!({"replicas": -1}),
            "replicas must be between 0 and 1000 (got -1)",
        ),
        (
            "/shop/deployments/api/scale",
            json!({"replicas": 1001}),
            "replicas must be between 0 and 1000 (got 1001)",
        ),
    ] {
        let (status, answer, writes) = act(&srv, &op, "PUT", path, Some(body)).await;
        assert_eq!(
            (status, answer["message"].as_str()),
            (400, Some(message)),
            "{path}"
        );
        assert!(writes.is_empty(), "refused before any request: {writes:?}");
    }
    let (status, answer, _) = act(
        &srv,
        &op,
        "PUT",
        "/shop/deployments/api/scale",
        Some(json!({"replicas": "five"})),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    let res = op
        .put(srv.url(&format!("{W}/shop/deployments/api/scale")))
        .header("content-type", "application/json")
        .body(r#"{"replicas": 99999999999999999999999}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "a number beyond any integer is refused");
    srv.stop().await;
}

#[tokio::test]
async fn rollback_deployment_is_kubectls_json_patch_with_the_revision_shown_first() {
    let srv = TestServer::with_demo().await;
    let op = operator(&srv).await;
    let (status, revs) = get(
        &op,
        &srv.url(&format!("{W}/shop/deployments/web/revisions")),
    )
    .await;
    assert_eq!(status, 200, "{revs}");
    let items = revs["data"]["items"].as_array().unwrap();
    let summary: Vec<(i64, &str, bool)> = items
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["change_cause"].as_str().unwrap(),
                r["current"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (2, "upgrade nginx to 1.27", true),
            (1, "initial release", false)
        ]
    );
    assert!(
        items[1]["template"]
            .as_str()
            .unwrap()
            .contains("nginx:1.26")
    );
    assert!(
        !items[1]["template"]
            .as_str()
            .unwrap()
            .contains("pod-template-hash")
    );

    let (status, answer, writes) = act(
        &srv,
        &op,
        "PUT",
        "/shop/deployments/web/rollback",
        Some(json!({"revision": 1})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["data"]["message"],
        "deployments shop/web rolled back to revision 1"
    );
    assert_eq!(writes.len(), 1, "{writes:?}");
    let w = &writes[0];
    assert_eq!(
        (w.method.as_str(), w.path.as_str(), w.content_type.as_str()),
        (
            "PATCH",
            "/apis/apps/v1/namespaces/shop/deployments/web",
            "application/json-patch+json"
        )
    );
    let ops = body_of(w);
    assert_eq!(ops[0]["op"], "replace");
    assert_eq!(ops[0]["path"], "/spec/template");
    assert_eq!(
        ops[0]["value"]["spec"]["containers"][0]["image"],
        "nginx:1.26"
    );
    assert!(
        ops[0]["value"]["metadata"]["labels"]
            .get("pod-template-hash")
            .is_none()
    );
    assert_eq!(ops[1]["path"], "/metadata/annotations");
    assert_eq!(
        ops[1]["value"]["kubernetes.io/change-cause"], "initial release",
        "other annotations come from the ReplicaSet"
    );
    assert_eq!(
        ops[1]["value"]["deployment.kubernetes.io/revision"], "2",
        "the revision annotation is the Deployment's own"
    );
    let held = cluster_object(&srv, "/apis/apps/v1/namespaces/shop/deployments/web").await;
    assert_eq!(
        held["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.26"
    );

    // Back to the previous one (revision 0), then the same again is skipped.
    let after = eventually(30, "revision 3", || async {
        let (_, r) = get(
            &op,
            &srv.url(&format!("{W}/shop/deployments/web/revisions")),
        )
        .await;
        (r["data"]["items"][0]["revision"] == 3).then_some(r)
    })
    .await;
    assert_eq!(after["data"]["items"][0]["current"], true);
    let (status, answer, _) = act(&srv, &op, "PUT", "/shop/deployments/web/rollback", None).await;
    assert_eq!(
        (status, answer["data"]["message"].as_str()),
        (200, Some("deployments shop/web rolled back to revision 2")),
        "{answer}"
    );
    eventually(30, "revision 4 current", || async {
        let (_, r) = get(
            &op,
            &srv.url(&format!("{W}/shop/deployments/web/revisions")),
        )
        .await;
        (r["data"]["items"][0]["revision"] == 4 && r["data"]["items"][0]["current"] == true)
            .then_some(())
    })
    .await;
    let (status, answer, writes) = act(
        &srv,
        &op,
        "PUT",
        "/shop/deployments/web/rollback",
        Some(json!({"revision": 4})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["data"]["message"],
        "deployments shop/web skipped rollback (current template already matches revision 4)"
    );
    assert!(writes.is_empty(), "{writes:?}");
    for (body, message) in [
        (
            json!({"revision": 99}),
            "unable to find specified revision 99 in history",
        ),
        (
            json!({"revision": -1}),
            "unable to find specified revision -1 in history",
        ),
    ] {
        let (status, answer, writes) = act(
            &srv,
            &op,
            "PUT",
            "/shop/deployments/web/rollback",
            Some(body),
        )
        .await;
        assert_eq!((status, answer["message"].as_str()), (400, Some(message)));
        assert!(writes.is_empty());
    }
    // kubectl looks the revision up first, then refuses a paused Deployment.
    let (status, answer, _) = act(
        &srv,
        &op,
        "PUT",
        "/payments/deployments/ledger/rollback",
        None,
    )
    .await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (
            400,
            Some("no rollout history found for deployment \"ledger\"")
        )
    );
    let (status, answer, _) = act(
        &srv,
        &op,
        "PUT",
        "/payments/deployments/ledger/rollback",
        Some(json!({"revision": 1})),
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("you cannot rollback a paused deployment")
    );
    srv.stop().await;
}

#[tokio::test]
async fn rollback_statefulset_and_cloneset_send_the_revision_data() {
    let srv = TestServer::with_demo().await;
    let op = operator(&srv).await;
    // Give postgres a second revision, as an image change by someone else would.
    let res = reqwest::Client::new()
        .patch(format!("{}/apis/apps/v1/namespaces/data/statefulsets/postgres", srv.demo().url()))
        .header("content-type", "application/strategic-merge-patch+json")
        .body(r#"{"spec":{"template":{"spec":{"containers":[{"name":"postgres","image":"postgres:16.5"}]}}}}"#)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    eventually(30, "postgres revision 2", || async {
        let (_, r) = get(
            &op,
            &srv.url(&format!("{W}/data/statefulsets/postgres/revisions")),
        )
        .await;
        (r["data"]["items"].as_array().map(Vec::len) == Some(2)).then_some(())
    })
    .await;
    let (status, answer, writes) = act(
        &srv,
        &op,
        "PUT",
        "/data/statefulsets/postgres/rollback",
        None,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(writes.len(), 1);
    assert_eq!(
        writes[0].content_type,
        "application/strategic-merge-patch+json"
    );
    let sent = body_of(&writes[0]);
    assert_eq!(
        sent["spec"]["template"]["$patch"], "replace",
        "the ControllerRevision's data as it is"
    );
    assert_eq!(
        sent["spec"]["template"]["spec"]["containers"][0]["image"],
        "postgres:16.4"
    );
    let held = cluster_object(&srv, "/apis/apps/v1/namespaces/data/statefulsets/postgres").await;
    assert_eq!(
        held["spec"]["template"]["spec"]["containers"][0]["image"],
        "postgres:16.4"
    );

    // The CloneSet under the canary: back to the stable 1.4.0, by merge patch.
    let (status, answer, writes) =
        act(&srv, &op, "PUT", "/shop/clonesets/cart/rollback", None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(writes[0].content_type, "application/merge-patch+json");
    assert_eq!(
        writes[0].path,
        "/apis/apps.kruise.io/v1alpha1/namespaces/shop/clonesets/cart"
    );
    let held = cluster_object(
        &srv,
        "/apis/apps.kruise.io/v1alpha1/namespaces/shop/clonesets/cart",
    )
    .await;
    assert_eq!(
        held["spec"]["template"]["spec"]["containers"][0]["image"],
        "ghcr.io/bosun/cart:1.4.0"
    );
    assert!(
        held["spec"]["template"].get("$patch").is_none(),
        "pruned as a CRD's unknown field"
    );
    srv.stop().await;
}

#[tokio::test]
async fn delete_workload_and_pod_as_kubectl_delete() {
    let srv = TestServer::with_demo().await;
    let op = operator(&srv).await;
    let res = reqwest::Client::new()
        .post(format!("{}/apis/apps/v1/namespaces/shop/deployments", srv.demo().url()))
        .json(&json!({"metadata": {"name": "doomed"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "doomed"}},
            "template": {"metadata": {"labels": {"app": "doomed"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    eventually(30, "doomed cached", || async {
        let (s, _) = get(&op, &srv.url(&format!("{W}/shop/deployments/doomed"))).await;
        (s == 200).then_some(())
    })
    .await;
    let (status, answer, writes) = act(&srv, &op, "DELETE", "/shop/deployments/doomed", None).await;
    assert_eq!(
        (status, answer["data"]["message"].as_str()),
        (200, Some("deployments shop/doomed deleted")),
        "{answer}"
    );
    assert_eq!(writes.len(), 1);
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        ("DELETE", "/apis/apps/v1/namespaces/shop/deployments/doomed")
    );
    assert_eq!(
        body_of(&writes[0]),
        json!({"propagationPolicy": "Background"})
    );

    let (_, pods) = get(&op, &srv.url(&format!("{W}/shop/deployments/web/pods"))).await;
    let pod = pods["data"]["items"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, answer, writes) =
        act(&srv, &op, "DELETE", &format!("/shop/pods/{pod}"), None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(writes.len(), 1);
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.clone()),
        ("DELETE", format!("/api/v1/namespaces/shop/pods/{pod}"))
    );
    let rows = audit_rows(&srv, &format!("action=pod.delete&name={pod}")).await;
    assert_eq!(
        (rows[0]["kind"].as_str(), rows[0]["outcome"].as_str()),
        (Some("pods"), Some("succeeded"))
    );
    srv.stop().await;
}

#[tokio::test]
async fn cronjob_suspend_resume_and_run_now() {
    let srv = TestServer::with_demo().await;
    let op = operator(&srv).await;
    let path = "/apis/batch/v1/namespaces/data/cronjobs/nightly-backup";
    for suspend in [true, false] {
        let (status, answer, writes) = act(
            &srv,
            &op,
            "PUT",
            "/data/cronjobs/nightly-backup/suspend",
            Some(json!({"suspend": suspend})),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        let verb = if suspend { "suspended" } else { "resumed" };
        assert_eq!(
            answer["data"]["message"],
            format!("cronjobs data/nightly-backup {verb}")
        );
        assert_eq!(
            (writes[0].path.as_str(), writes[0].content_type.as_str()),
            (path, "application/merge-patch+json")
        );
        assert_eq!(body_of(&writes[0]), json!({"spec": {"suspend": suspend}}));
        assert_eq!(cluster_object(&srv, path).await["spec"]["suspend"], suspend);
    }
    let actions: Vec<String> = audit_rows(&srv, "name=nightly-backup")
        .await
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["workload.resume", "workload.suspend"]);

    let (status, answer, writes) =
        act(&srv, &op, "POST", "/data/cronjobs/nightly-backup/run", None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(writes.len(), 1);
    let w = &writes[0];
    assert_eq!(
        (w.method.as_str(), w.path.as_str(), w.query.as_str()),
        (
            "POST",
            "/apis/batch/v1/namespaces/data/jobs",
            "fieldManager=bosun"
        )
    );
    let job = body_of(w);
    let name = job["metadata"]["name"].as_str().unwrap().to_string();
    assert!(name.starts_with("nightly-backup-manual-"), "{name}");
    assert_eq!(
        job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"],
        "manual"
    );
    let owner = &job["metadata"]["ownerReferences"][0];
    assert_eq!(
        (
            owner["kind"].as_str(),
            owner["name"].as_str(),
            owner["controller"].as_bool()
        ),
        (Some("CronJob"), Some("nightly-backup"), Some(true))
    );
    assert!(owner.get("blockOwnerDeletion").is_none());
    assert_eq!(
        answer["data"]["message"],
        format!("jobs data/{name} created from cronjobs data/nightly-backup")
    );
    let held = cluster_object(&srv, &format!("/apis/batch/v1/namespaces/data/jobs/{name}")).await;
    assert_eq!(
        held["spec"]["template"]["spec"]["containers"][0]["image"],
        "ghcr.io/bosun/pg-backup:1.0.0"
    );
    srv.stop().await;
}

#[tokio::test]
async fn missing_objects_unknown_kinds_and_bad_names_are_named() {
    let srv = TestServer::with_demo().await;
    let op = operator(&srv).await;
    let (status, answer, _) = act(&srv, &op, "PUT", "/shop/deployments/nope/restart", None).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (404, Some("NOT_FOUND")),
        "{answer}"
    );
    assert_eq!(
        answer["message"],
        "deployments.apps \"nope\" not found in namespace \"shop\" of cluster demo"
    );
    let (status, answer) = send(
        &op,
        "PUT",
        &srv.url("/api/v1/clusters/mars/namespaces/shop/deployments/web/restart"),
        None,
    )
    .await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (404, Some("no cluster named \"mars\""))
    );
    let (status, answer, _) = act(&srv, &op, "PUT", "/shop/replicasets/web/restart", None).await;
    assert_eq!(status, 400);
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("unsupported kind \"replicasets\""),
        "{answer}"
    );
    let (status, answer, writes) =
        act(&srv, &op, "PUT", "/shop/deployments/Web!/restart", None).await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("name \"Web!\" is invalid")
    );
    assert!(writes.is_empty());
    let (status, answer, _) = act(&srv, &op, "PUT", "/Shop/deployments/web/restart", None).await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer, _) = act(
        &srv,
        &op,
        "PUT",
        "/shop/deployments/web/restart",
        Some(json!({"force": "yes"})),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    srv.stop().await;
}

#[tokio::test]
async fn the_same_action_from_a_page_and_the_api_leaves_the_same_audit_record() {
    let srv = TestServer::with_demo().await;
    let op = operator(&srv).await;
    let (status, _) = send(
        &op,
        "PUT",
        &srv.url(&format!("{W}/shop/deployments/api/scale")),
        Some(json!({"replicas": 3})),
    )
    .await;
    assert_eq!(status, 200);
    let res = op
        .post(srv.url("/rpc/actions/act"))
        .json(&json!({"object": {"cluster": "demo", "namespace": "shop", "kind": "deployments", "name": "api"},
                      "action": {"action": "scale", "replicas": 3}}))
        .send()
        .await
        .unwrap();
    let trace = res.headers()["x-trace-id"].to_str().unwrap().to_string();
    let (status, answer) = json_of(res).await;
    assert_eq!(status, 200, "{answer}");
    let rows = audit_rows(&srv, "action=workload.scale&name=api").await;
    assert_eq!(rows.len(), 2);
    let strip = |r: &Value| {
        let mut r = r.clone();
        for k in ["id", "at", "source", "trace_id"] {
            r.as_object_mut().unwrap().remove(k);
        }
        r
    };
    assert_eq!(strip(&rows[0]), strip(&rows[1]));
    assert_eq!(
        (rows[0]["source"].as_str(), rows[1]["source"].as_str()),
        (Some("ui"), Some("api"))
    );
    assert_eq!(
        rows[0]["trace_id"],
        trace.as_str(),
        "the audit row and the response share the trace id"
    );
    assert_eq!(rows[0]["parameters"], "{\"replicas\":3}");
    srv.stop().await;
}
