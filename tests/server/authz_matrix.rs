//! Walks every REST route of `bosun::api::ROUTES` (the table the router is built from) and
//! every registered server function as anonymous, viewer, operator and admin, against the
//! demo cluster, and checks each is refused (401/403) exactly when the role is too low,
//! and succeeds otherwise.

use bosun_core::Role;
use bosun_model::Action;
use serde_json::{Value, json};

use crate::common::*;

const CALLERS: [Option<Role>; 4] = [
    None,
    Some(Role::Viewer),
    Some(Role::Operator),
    Some(Role::Admin),
];

fn tag(caller: Option<Role>) -> &'static str {
    caller.map_or("anon", Role::as_str)
}

/// Allowed callers must succeed (2xx, or a 3xx redirect from a sign-in/out server
/// function), not merely avoid 401/403: every case sends a valid request.
fn expect(required: Option<Role>, caller: Option<Role>, status: u16, what: &str, body: &Value) {
    match (required, caller) {
        (None, _) => assert!(
            (200..400).contains(&status),
            "{what}: public, got {status}: {body}"
        ),
        (Some(_), None) => assert_eq!(status, 401, "{what}: anonymous must be 401: {body}"),
        (Some(need), Some(have)) if have < need => {
            assert_eq!(status, 403, "{what}: {have} must be 403: {body}");
        }
        (Some(_), Some(have)) => assert!(
            (200..400).contains(&status),
            "{what}: {have} must pass, got {status}: {body}"
        ),
    }
}

async fn client_as(srv: &TestServer, caller: Option<Role>) -> reqwest::Client {
    match caller {
        None => client(),
        Some(role) => srv.as_role(role).await,
    }
}

/// Creates a throw-away object in the demo cluster for a destructive action.
async fn make_in_demo(srv: &TestServer, path: &str, body: Value) {
    let res = reqwest::Client::new()
        .post(format!("{}{path}", srv.demo().url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success(),
        "fixture {path}: {}",
        res.text().await.unwrap_or_default()
    );
}

/// The path values, body and fixtures a route needs for one caller. The match is
/// exhaustive over actions, so a new action cannot join the table untested.
async fn prepare(
    srv: &TestServer,
    action: Action,
    caller: Option<Role>,
) -> (Vec<(&'static str, String)>, Option<Value>) {
    let who = tag(caller);
    let mut params = vec![
        ("{cluster}", "demo".to_string()),
        ("{ns}", "shop".to_string()),
        ("{kind}", "deployments".to_string()),
        ("{name}", "web".to_string()),
        ("{appId}", "1".to_string()),
    ];
    let set = |params: &mut Vec<(&'static str, String)>, key: &'static str, value: String| {
        for p in params.iter_mut() {
            if p.0 == key {
                p.1.clone_from(&value);
            }
        }
    };
    let body = match action {
        Action::SignIn => Some(json!({"username": "target", "password": PASSWORD})),
        Action::SignOut
        | Action::Read
        | Action::AuditRead
        | Action::UserList
        | Action::ClusterTest => None,
        Action::UserCreate => Some(
            json!({"username": format!("made-by-{who}"), "password": PASSWORD, "role": "viewer"}),
        ),
        Action::UserSetRole | Action::UserDisable | Action::UserEnable => {
            set(&mut params, "{name}", "target".into());
            Some(json!({"role": "viewer"}))
        }
        Action::UserSetPassword | Action::TokenCreate | Action::TokenRevoke => {
            panic!("{action:?} has no REST route yet: give it a case here")
        }
        Action::ClusterAdd => Some(json!({"name": format!("added-by-{who}"), "source": "demo"})),
        Action::ClusterUpdate | Action::ClusterRemove => {
            let name = format!("matrix-{who}-{}", action.name().replace('.', "-"));
            let input = bosun_model::ClusterInput {
                name: name.clone(),
                source: Some("demo".into()),
                ..Default::default()
            };
            bosun_core::clusters::add(srv.ctx(), &bosun_core::Invocation::cli(), input)
                .await
                .unwrap();
            set(&mut params, "{cluster}", name);
            (action == Action::ClusterUpdate).then(|| json!({"description": "changed"}))
        }
        Action::Restart => Some(json!({
            "force": false,
            "targets": [{"cluster": "demo", "namespace": "shop", "kind": "deployments", "name": "web"}],
        })),
        Action::Scale => {
            set(&mut params, "{name}", "api".into());
            Some(json!({"replicas": 2}))
        }
        Action::Rollback => Some(json!({"revision": 0})),
        Action::Delete => {
            let name = format!("matrix-{who}");
            make_in_demo(srv, "/apis/apps/v1/namespaces/shop/deployments", json!({
                "metadata": {"name": name},
                "spec": {"replicas": 0, "selector": {"matchLabels": {"app": name}},
                         "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
            }))
            .await;
            set(&mut params, "{name}", name);
            None
        }
        Action::Suspend | Action::Resume => {
            set(&mut params, "{kind}", "cronjobs".into());
            set(&mut params, "{ns}", "data".into());
            set(&mut params, "{name}", "nightly-backup".into());
            Some(json!({"suspend": false}))
        }
        Action::RunNow => {
            set(&mut params, "{kind}", "cronjobs".into());
            set(&mut params, "{ns}", "data".into());
            set(&mut params, "{name}", "nightly-backup".into());
            None
        }
        Action::PodDelete => {
            let name = format!("matrix-{who}");
            make_in_demo(
                srv,
                "/api/v1/namespaces/shop/pods",
                json!({
                    "metadata": {"name": name},
                    "spec": {"containers": [{"name": "c", "image": "nginx"}]},
                }),
            )
            .await;
            set(&mut params, "{name}", name);
            None
        }
    };
    (params, body)
}

/// The route's body fields that do not belong to it (the Restart case serves both the
/// single restart and the batch).
fn body_for(path: &str, body: Option<Value>) -> Option<Value> {
    let mut body = body?;
    if let Some(map) = body.as_object_mut() {
        if path == "/batch/restart" {
            map.remove("force");
        } else {
            map.remove("targets");
        }
    }
    Some(body)
}

#[tokio::test]
async fn every_route_checks_the_callers_role() {
    let srv = TestServer::with_demo().await;
    srv.add_user("target", Role::Viewer).await;
    assert!(!bosun::api::ROUTES.is_empty());
    for route in bosun::api::ROUTES {
        for caller in CALLERS {
            let (mut params, body) = prepare(&srv, route.action, caller).await;
            if route.path.contains("/pods/{name}") && route.action == Action::Read {
                // A pod with a stable name: restarts of shop/web in other cases replace its pods.
                params.retain(|p| p.0 != "{name}" && p.0 != "{ns}");
                params.push(("{name}", "postgres-0".into()));
                params.push(("{ns}", "data".into()));
            }
            let mut path = route.path.to_string();
            for (key, value) in &params {
                path = path.replace(key, value);
            }
            let client = client_as(&srv, caller).await;
            let (status, answer) = send(
                &client,
                route.method,
                &srv.url(&format!("/api/v1{path}")),
                body_for(route.path, body),
            )
            .await;
            let what = format!("{} /api/v1{path} as {}", route.method, tag(caller));
            expect(route.action.required_role(), caller, status, &what, &answer);
        }
    }
    srv.stop().await;
}

/// A server function's path, its body (JSON for functions with JSON input, else form
/// fields), and the least role it needs.
fn server_fn_case(path: &str) -> Option<(Body, Option<Role>)> {
    let object =
        json!({"cluster": "demo", "namespace": "shop", "kind": "deployments", "name": "web"});
    let form = |pairs: &[(&'static str, &'static str)]| Body::Form(pairs.to_vec());
    Some(match path {
        "/rpc/login" => (
            form(&[("username", "target"), ("password", PASSWORD)]),
            None,
        ),
        "/rpc/logout" => (form(&[]), None),
        "/rpc/me" => (form(&[]), None),
        "/rpc/users/list" => (form(&[]), Some(Role::Admin)),
        "/rpc/users/create" => (Body::Unique, Some(Role::Admin)),
        "/rpc/users/role" => (
            form(&[("username", "target"), ("role", "viewer")]),
            Some(Role::Admin),
        ),
        "/rpc/users/disabled" => (
            form(&[("username", "target"), ("disabled", "false")]),
            Some(Role::Admin),
        ),
        "/rpc/audit/list" => (
            Body::Json(json!({"query": {"limit": 5}})),
            Some(Role::Viewer),
        ),
        "/rpc/clusters/list" => (form(&[]), Some(Role::Viewer)),
        "/rpc/clusters/namespaces" => (form(&[("cluster", "demo")]), Some(Role::Viewer)),
        "/rpc/clusters/contexts" => (
            Body::Json(
                json!({"kubeconfig": "apiVersion: v1\nkind: Config\ncontexts:\n- name: a\n  context:\n    cluster: a\n    user: a\nclusters: []\nusers: []\n"}),
            ),
            Some(Role::Admin),
        ),
        "/rpc/clusters/add" => (Body::UniqueCluster, Some(Role::Admin)),
        "/rpc/clusters/update" => (Body::FreshCluster { update: true }, Some(Role::Admin)),
        "/rpc/clusters/remove" => (Body::FreshCluster { update: false }, Some(Role::Admin)),
        "/rpc/clusters/test" => (Body::Json(json!({"name": "demo"})), Some(Role::Admin)),
        "/rpc/nodes/list" => (form(&[]), Some(Role::Viewer)),
        "/rpc/workloads/list" => (
            Body::Json(json!({"query": {"cluster": "demo"}})),
            Some(Role::Viewer),
        ),
        "/rpc/workloads/get" => (Body::Json(json!({"object": object})), Some(Role::Viewer)),
        "/rpc/workloads/revisions" => (Body::Json(json!({"object": object})), Some(Role::Viewer)),
        "/rpc/workloads/events" => (Body::Json(json!({"object": object})), Some(Role::Viewer)),
        "/rpc/workloads/history" => (Body::Json(json!({"object": object})), Some(Role::Viewer)),
        "/rpc/workloads/status" => (Body::Json(json!({"object": object})), Some(Role::Viewer)),
        "/rpc/workloads/act" => (
            Body::Json(json!({"object": object, "action": {"action": "restart", "force": false}})),
            Some(Role::Operator),
        ),
        "/rpc/workloads/batch-restart" => (
            Body::Json(json!({"targets": [object], "force": false})),
            Some(Role::Operator),
        ),
        "/rpc/pods/list" => (
            Body::Json(json!({"query": {"cluster": "demo", "namespace": "shop"}})),
            Some(Role::Viewer),
        ),
        "/rpc/pods/get" => (Body::WebPod, Some(Role::Viewer)),
        "/rpc/pods/logs" => (Body::WebPodLogs, Some(Role::Viewer)),
        _ => return None,
    })
}

enum Body {
    Form(Vec<(&'static str, &'static str)>),
    Json(Value),
    /// A user that does not exist yet.
    Unique,
    /// A cluster name not taken yet.
    UniqueCluster,
    /// A cluster made for the call to change or remove (changing the demo cluster would
    /// restart its watches under the other cases).
    FreshCluster {
        update: bool,
    },
    WebPod,
    WebPodLogs,
}

#[tokio::test]
async fn every_server_function_checks_the_callers_role() {
    let srv = TestServer::with_demo().await;
    srv.add_user("target", Role::Viewer).await;
    let pod = json!({"cluster": "demo", "namespace": "data", "kind": "pods", "name": "postgres-0"});
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    assert!(
        registered.len() > 10,
        "server functions are registered: {registered:?}"
    );
    for path in &registered {
        let (body, required) = server_fn_case(path).unwrap_or_else(|| {
            panic!("server function {path} is missing from the authorization matrix")
        });
        for caller in CALLERS {
            let who = tag(caller);
            let client = client_as(&srv, caller).await;
            let req = client.post(srv.url(path));
            let req = match &body {
                Body::Form(pairs) => req.form(pairs),
                Body::Json(value) => req.json(value),
                Body::Unique => req.form(&[("username", format!("rpc-made-by-{who}")), ("password", PASSWORD.into()), ("role", "viewer".into())]),
                Body::UniqueCluster => req.json(&json!({"input": {"name": format!("rpc-{who}"), "source": "demo"}})),
                Body::FreshCluster { update } => {
                    let name = format!("rpc-{}-{who}", if *update { "update" } else { "remove" });
                    let input = bosun_model::ClusterInput { name: name.clone(), source: Some("demo".into()), ..Default::default() };
                    bosun_core::clusters::add(srv.ctx(), &bosun_core::Invocation::cli(), input).await.unwrap();
                    if *update {
                        req.json(&json!({"name": name, "update": {"description": "changed"}}))
                    } else {
                        req.json(&json!({"name": name}))
                    }
                }
                Body::WebPod => req.json(&json!({"object": pod})),
                Body::WebPodLogs => req.json(&json!({"object": pod, "options": {"tail_lines": 5, "timestamps": false, "previous": false, "follow": false}})),
            };
            let (status, answer) = json_of(req.send().await.unwrap()).await;
            expect(
                required,
                caller,
                status,
                &format!("server fn {path} as {who}"),
                &answer,
            );
        }
    }
    srv.stop().await;
}
