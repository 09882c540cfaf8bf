//! Who may do what: bearer-token authentication, RBAC over the stored roles and bindings,
//! and per-user throttling, checked with the real kubectl and over raw HTTP against the
//! exact Status bodies the real API server sends.

mod common;

use bosun_demo_cluster::{
    ADMIN_TOKEN, DemoCluster, DemoConfig, DemoUser, THROTTLED_TOKEN, VIEWER_TOKEN,
};
use common::{names, start};
use serde_json::{Value, json};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Sends `method path` with `token` (if any) and a merge-patch or JSON body; returns the
/// status, the `Retry-After` header and the JSON body.
async fn call(
    base: &str,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Option<String>, Value) {
    let method = http::Method::from_bytes(method.as_bytes()).expect("method");
    let is_patch = method == http::Method::PATCH;
    let mut req = reqwest::Client::new().request(method, format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        let ct = if is_patch {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        req = req.header("content-type", ct).body(b.to_string());
    }
    let resp = req.send().await.expect("http");
    let code = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().expect("ascii").to_string());
    let text = resp.text().await.expect("body");
    (
        code,
        retry,
        serde_json::from_str(&text).unwrap_or(json!(text)),
    )
}

const RESTART: &str = r#"{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"}}}}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_can_read_but_not_restart_scale_or_create() {
    let h = start().await;
    let listed = h
        .kubectl_as(VIEWER_TOKEN, &["get", "deploy", "-n", "shop", "-o", "json"])
        .await;
    assert!(listed.status.success(), "{}", stderr(&listed));
    let listed: Value = serde_json::from_slice(&listed.stdout).expect("json");
    assert_eq!(names(&listed), ["api", "web", "worker"]);

    let cases: [(&[&str], &str); 4] = [
        (
            &["rollout", "restart", "deploy/web", "-n", "shop"],
            "deployments.apps \"web\" is forbidden: User \"demo-viewer\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"shop\"",
        ),
        (
            &["scale", "deploy/web", "-n", "shop", "--replicas=5"],
            "deployments.apps \"web\" is forbidden: User \"demo-viewer\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"shop\"",
        ),
        (
            &["run", "intruder", "--image=nginx:1.27", "-n", "shop"],
            "pods is forbidden: User \"demo-viewer\" cannot create resource \"pods\" in API group \"\" in the namespace \"shop\"",
        ),
        (
            &["delete", "node", "node-3"],
            "nodes \"node-3\" is forbidden: User \"demo-viewer\" cannot delete resource \"nodes\" in API group \"\" at the cluster scope",
        ),
    ];
    for (args, message) in cases {
        let out = h.kubectl_as(VIEWER_TOKEN, args).await;
        assert!(!out.status.success(), "{args:?} was allowed");
        let err = stderr(&out);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    // Nothing changed, and the refused requests were still recorded.
    let web = h.json(&["get", "deploy", "web", "-n", "shop"]).await;
    assert!(
        web["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_null()
    );
    assert_eq!(web["spec"]["replicas"], 3);
    assert!(h.kubectl(&["get", "node", "node-3"]).await.status.success());
    let recorded = h.cluster.recorded_requests();
    assert!(
        recorded.iter().any(|r| r.method == "PATCH"
            && r.path == "/apis/apps/v1/namespaces/shop/deployments/web"
            && r.body.contains("restartedAt")),
        "the refused restart is recorded"
    );

    // `kubectl auth can-i` asks the same authorizer.
    let hr = &h;
    let can = move |args: &'static [&'static str]| async move {
        let out = hr.kubectl_as(VIEWER_TOKEN, args).await;
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(
        can(&["auth", "can-i", "list", "pods", "-n", "shop"]).await,
        "yes"
    );
    assert_eq!(
        can(&["auth", "can-i", "patch", "deployments", "-n", "shop"]).await,
        "no"
    );
    let admin = h
        .ok(&["auth", "can-i", "patch", "deployments", "-n", "shop"])
        .await;
    assert_eq!(admin.trim(), "yes");
    // The administrator's restart, refused to the viewer, succeeds.
    h.ok(&["rollout", "restart", "deploy/web", "-n", "shop"])
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_tokens_are_unauthorized() {
    let h = start().await;
    let out = h
        .kubectl_as("not-a-token", &["get", "pods", "-n", "shop"])
        .await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("error: You must be logged in to the server"),
        "{}",
        stderr(&out)
    );
    let base = h.cluster.url();
    for path in [
        "/api/v1/namespaces/shop/pods",
        "/version",
        "/apis/nope/v1/things",
    ] {
        let (code, _, body) = call(&base, Some("not-a-token"), "GET", path, None).await;
        assert_eq!(code, 401, "{path}");
        assert_eq!(
            body,
            json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})
        );
    }
    // Without credentials the cluster still answers as an administrator (for now).
    let (code, _, _) = call(&base, None, "GET", "/api/v1/namespaces/shop/pods", None).await;
    assert_eq!(code, 200);
    let (code, _, _) = call(
        &base,
        Some(ADMIN_TOKEN),
        "DELETE",
        "/api/v1/namespaces/default/configmaps/none",
        None,
    )
    .await;
    assert_eq!(code, 404, "authorized, then not found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_anonymous_admin_credentials_are_required() {
    let cluster = DemoCluster::start(DemoConfig {
        anonymous_admin: false,
        ..DemoConfig::default()
    })
    .await
    .expect("start");
    let base = cluster.url();
    let (code, _, body) = call(&base, None, "GET", "/api/v1/pods", None).await;
    assert_eq!((code, body["reason"].as_str()), (401, Some("Unauthorized")));
    // Discovery and version are open to every authenticated user, RBAC or not.
    for path in ["/version", "/api", "/apis", "/apis/apps/v1", "/openapi/v2"] {
        let (code, _, _) = call(&base, Some(VIEWER_TOKEN), "GET", path, None).await;
        assert_eq!(code, 200, "{path}");
    }
    let (code, _, _) = call(&base, Some(VIEWER_TOKEN), "GET", "/api/v1/pods", None).await;
    assert_eq!(code, 200);
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_has_the_status_shape_of_the_api_server() {
    let h = start().await;
    let base = h.cluster.url();
    let patch = serde_json::from_str(RESTART).expect("json");
    let (code, _, body) = call(
        &base,
        Some(VIEWER_TOKEN),
        "PATCH",
        "/apis/apps/v1/namespaces/shop/deployments/web",
        Some(patch),
    )
    .await;
    assert_eq!(code, 403);
    assert_eq!(
        body,
        json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "deployments.apps \"web\" is forbidden: User \"demo-viewer\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"shop\"",
            "reason": "Forbidden",
            "details": { "name": "web", "group": "apps", "kind": "deployments" },
            "code": 403,
        })
    );
    let (code, _, body) = call(
        &base,
        Some(VIEWER_TOKEN),
        "POST",
        "/api/v1/namespaces/shop/configmaps",
        Some(json!({ "metadata": { "name": "x" } })),
    )
    .await;
    assert_eq!(code, 403);
    assert_eq!(
        body["details"],
        json!({ "kind": "configmaps" }),
        "no name, no group"
    );
    // KubeVirt's lifecycle API is authorized as a subresource of its own group.
    let (code, _, body) = call(
        &base,
        Some(VIEWER_TOKEN),
        "PUT",
        "/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/vm-running/restart",
        Some(json!({})),
    )
    .await;
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "virtualmachines.subresources.kubevirt.io \"vm-running\" is forbidden: User \"demo-viewer\" cannot update resource \"virtualmachines/restart\" in API group \"subresources.kubevirt.io\" in the namespace \"vms\""
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_bindings_grant_what_their_rules_say_at_once() {
    let h = start().await;
    let base = h.cluster.url();
    let scale = |name: &str| format!("/apis/apps/v1/namespaces/shop/deployments/{name}/scale");
    let replicas = json!({ "spec": { "replicas": 4 } });
    let (code, _, _) = call(
        &base,
        Some(VIEWER_TOKEN),
        "PATCH",
        &scale("web"),
        Some(replicas.clone()),
    )
    .await;
    assert_eq!(code, 403);
    // A Role for scaling `web` only, and one for restarting VMs, bound to the viewers.
    for (path, obj) in [
        (
            "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles",
            json!({ "metadata": { "name": "web-scaler" }, "rules": [
                { "apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["get", "patch"], "resourceNames": ["web"] },
            ] }),
        ),
        (
            "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings",
            json!({ "metadata": { "name": "web-scaler" },
                "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "web-scaler" },
                "subjects": [{ "kind": "Group", "name": "viewers", "apiGroup": "rbac.authorization.k8s.io" }] }),
        ),
        (
            "/apis/rbac.authorization.k8s.io/v1/clusterroles",
            json!({ "metadata": { "name": "vm-restarter" }, "rules": [
                { "apiGroups": ["subresources.kubevirt.io"], "resources": ["virtualmachines/restart"], "verbs": ["update"] },
            ] }),
        ),
        (
            "/apis/rbac.authorization.k8s.io/v1/namespaces/vms/rolebindings",
            json!({ "metadata": { "name": "vm-restarter" },
                "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "vm-restarter" },
                "subjects": [{ "kind": "User", "name": "demo-viewer", "apiGroup": "rbac.authorization.k8s.io" }] }),
        ),
    ] {
        let (code, _, body) = call(&base, Some(ADMIN_TOKEN), "POST", path, Some(obj)).await;
        assert_eq!(code, 201, "{path}: {body}");
    }
    let (code, _, body) = call(
        &base,
        Some(VIEWER_TOKEN),
        "PATCH",
        &scale("web"),
        Some(replicas.clone()),
    )
    .await;
    assert_eq!(
        (code, &body["spec"]["replicas"]),
        (200, &json!(4)),
        "{body}"
    );
    let (code, _, _) = call(
        &base,
        Some(VIEWER_TOKEN),
        "PATCH",
        &scale("api"),
        Some(replicas),
    )
    .await;
    assert_eq!(code, 403, "resourceNames limit the grant to web");
    common::eventually("vm-running has its VMI", || async {
        call(
            &base,
            None,
            "GET",
            "/apis/kubevirt.io/v1/namespaces/vms/virtualmachineinstances/vm-running",
            None,
        )
        .await
        .0 == 200
    })
    .await;
    let (code, _, body) = call(
        &base,
        Some(VIEWER_TOKEN),
        "PUT",
        "/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/vm-running/restart",
        Some(json!({})),
    )
    .await;
    assert_eq!(code, 202, "{body}");
    // The access review answers for the asking user, with the binding that allowed it.
    let review = |verb: &str, ns: &str, name: &str| {
        json!({ "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": { "resourceAttributes": { "verb": verb, "group": "apps", "resource": "deployments", "subresource": "scale", "namespace": ns, "name": name } } })
    };
    let ssar = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    let (code, _, body) = call(
        &base,
        Some(VIEWER_TOKEN),
        "POST",
        ssar,
        Some(review("patch", "shop", "web")),
    )
    .await;
    assert_eq!(code, 201);
    assert_eq!(
        body["status"],
        json!({ "allowed": true, "reason": "RBAC: allowed by RoleBinding \"web-scaler/shop\" of Role \"web-scaler\" to Group \"viewers\"" })
    );
    let (_, _, body) = call(
        &base,
        Some(VIEWER_TOKEN),
        "POST",
        ssar,
        Some(review("patch", "data", "web")),
    )
    .await;
    assert_eq!(body["status"], json!({ "allowed": false }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_users_get_429_with_retry_after() {
    let h = start().await;
    let base = h.cluster.url();
    let patch: Value = serde_json::from_str(RESTART).expect("json");
    let web = "/apis/apps/v1/namespaces/shop/deployments/web";
    let (code, retry, body) = call(
        &base,
        Some(THROTTLED_TOKEN),
        "PATCH",
        web,
        Some(patch.clone()),
    )
    .await;
    assert_eq!(code, 429);
    let retry: u64 = retry.expect("Retry-After").parse().expect("seconds");
    assert_eq!(retry, 1, "a quota of 0 never renews: retry soon, fail soon");
    assert_eq!(body["reason"], "TooManyRequests");
    assert_eq!(
        body["message"],
        "Too many requests, please try again later."
    );
    assert_eq!(body["details"]["retryAfterSeconds"], retry);
    // Reads are not throttled, and the refused write changed nothing but was recorded.
    let (code, _, web_now) = call(&base, Some(THROTTLED_TOKEN), "GET", web, None).await;
    assert_eq!(code, 200);
    assert!(
        web_now["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_null()
    );
    assert!(
        h.cluster
            .recorded_requests()
            .iter()
            .any(|r| r.method == "PATCH" && r.path == web)
    );
    // kube-rs sees the 429 as an API error it can classify.
    let kc = kube::config::Kubeconfig::from_yaml(
        &h.cluster.kubeconfig_yaml_for("demo", THROTTLED_TOKEN),
    )
    .expect("kubeconfig");
    let mut config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .expect("config");
    // kube-rs retries 429s by default, honouring Retry-After; show the answer instead.
    config.default_retry = false;
    let client = kube::Client::try_from(config).expect("client");
    let cms: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::namespaced(client, "default");
    let cm = serde_json::from_value(json!({ "metadata": { "name": "throttled" } })).expect("cm");
    match cms.create(&Default::default(), &cm).await {
        Err(kube::Error::Api(s)) => {
            assert_eq!((s.code, s.reason.as_str()), (429, "TooManyRequests"))
        }
        other => panic!("expected 429, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mutation_quota_allows_that_many_a_minute() {
    let mut users = DemoUser::defaults();
    users.push(DemoUser {
        mutations_per_minute: Some(2),
        ..DemoUser::new("ci-token", "ci-bot", &["system:masters"])
    });
    let cluster = DemoCluster::start(DemoConfig {
        users,
        ..DemoConfig::default()
    })
    .await
    .expect("start");
    let base = cluster.url();
    let create = |n: u32| json!({ "metadata": { "name": format!("cm-{n}") } });
    let path = "/api/v1/namespaces/default/configmaps";
    for n in 0..2 {
        let (code, _, body) = call(&base, Some("ci-token"), "POST", path, Some(create(n))).await;
        assert_eq!(code, 201, "{body}");
    }
    let (code, retry, _) = call(&base, Some("ci-token"), "POST", path, Some(create(2))).await;
    assert_eq!(code, 429);
    assert!(retry.expect("Retry-After").parse::<u64>().expect("seconds") >= 58);
    let (code, _, _) = call(&base, Some("ci-token"), "GET", path, None).await;
    assert_eq!(code, 200, "reads do not count");
    let (code, _, _) = call(&base, Some(ADMIN_TOKEN), "POST", path, Some(create(3))).await;
    assert_eq!(code, 201, "other users are not throttled");
    cluster.shutdown().await;
}
