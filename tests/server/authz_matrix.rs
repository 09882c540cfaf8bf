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
    crate::common::demo_send(srv, reqwest::Method::POST, path, "application/json", body).await;
}

/// A template whose one ConfigMap is named after `name`: its id.
async fn template_fixture(srv: &TestServer, name: &str) -> i64 {
    let object: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let object = object
        .trim_matches('-')
        .chars()
        .take(50)
        .collect::<String>();
    let input = bosun_model::TemplateInput {
        name: name.to_string(),
        description: String::new(),
        yaml: format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ name | default: {object} }}}}\n"
        ),
    };
    bosun_core::templates::create(srv.ctx(), &bosun_core::Invocation::cli(), &input)
        .await
        .unwrap()
        .id
}

/// A finished task that created one ConfigMap in demo/shop: its id.
async fn task_fixture(srv: &TestServer, name: &str) -> i64 {
    let template_id = template_fixture(srv, name).await;
    let request = bosun_model::TaskRequest {
        template_id,
        targets: vec![bosun_model::TaskTarget {
            cluster: "demo".into(),
            namespace: "shop".into(),
        }],
        values: Default::default(),
        dry_run: false,
    };
    let task = bosun_core::tasks::run(srv.ctx(), &bosun_core::Invocation::cli(), &request)
        .await
        .unwrap();
    assert_eq!(task.state, bosun_model::TaskState::Succeeded, "{task:?}");
    task.id
}

/// A node with no pods, made for one caller's node action.
async fn node_fixture(srv: &TestServer, name: &str) {
    make_in_demo(srv, "/api/v1/nodes", json!({"metadata": {"name": name}})).await;
}

/// A drain that keeps running (its pods' budget refuses every eviction): its id.
async fn blocked_drain(srv: &TestServer, name: &str) -> String {
    crate::common::blocked_drain_fixture(srv, name).await;
    let node = bosun_core::nodes::node_ref("demo", name);
    let options = bosun_model::DrainOptions {
        force: true,
        ignore_daemon_sets: true,
        ..Default::default()
    };
    bosun_core::nodes::drain(srv.ctx(), &bosun_core::Invocation::cli(), &node, options)
        .await
        .unwrap()
        .operation_id
}

/// What one call of a route sends: path values, query and body.
struct Case {
    params: Vec<(&'static str, String)>,
    query: String,
    body: Option<Value>,
}

/// Whether `caller` may perform `action`: fixtures are made only for callers who will
/// get through, so a refused call changes nothing either way.
fn allowed(action: Action, caller: Option<Role>) -> bool {
    action.allowed_for(caller)
}

/// A CloneSet of one pod in `shop`, for actions that change or remove one.
async fn cloneset_fixture(srv: &TestServer, name: &str, image: &str) {
    make_in_demo(srv, "/apis/apps.kruise.io/v1alpha1/namespaces/shop/clonesets", json!({
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": image}]}}},
    }))
    .await;
}

/// Waits until Bosun's cache shows `path` (under the demo cluster's REST API) satisfying `ok`.
async fn seen(srv: &TestServer, path: &str, what: &str, ok: impl Fn(&Value) -> bool) {
    let admin = srv.admin().await;
    eventually(60, what, || async {
        let (status, body) = get(
            &admin,
            &srv.url(&format!("/api/v1/clusters/demo/namespaces{path}")),
        )
        .await;
        (status == 200 && ok(&body["data"])).then_some(())
    })
    .await;
}

/// A Rollout over its own CloneSet in `shop`: `paused` sets `spec.strategy.paused`;
/// `waiting` starts a run and waits until its first step waits for an approval.
async fn rollout_fixture(srv: &TestServer, name: &str, paused: bool, waiting: bool) {
    let workload = format!("{name}-app");
    cloneset_fixture(srv, &workload, "nginx:1.27").await;
    make_in_demo(srv, "/apis/rollouts.kruise.io/v1beta1/namespaces/shop/rollouts", json!({
        "metadata": {"name": name},
        "spec": {
            "workloadRef": {"apiVersion": "apps.kruise.io/v1alpha1", "kind": "CloneSet", "name": workload},
            "strategy": {"paused": paused, "canary": {"steps": [{"replicas": 1, "pause": {}}, {"replicas": "100%"}]}},
        },
    }))
    .await;
    let path = format!("/shop/rollouts/{name}");
    seen(srv, &path, "fixture rollout healthy", |r| {
        r["row"]["phase"] == "Healthy"
    })
    .await;
    if waiting {
        let res = reqwest::Client::new()
            .patch(format!("{}/apis/apps.kruise.io/v1alpha1/namespaces/shop/clonesets/{workload}", srv.demo().url()))
            .header("content-type", "application/merge-patch+json")
            .body(json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.28"}]}}}}).to_string())
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
        seen(srv, &path, "fixture rollout waiting for approval", |r| {
            r["row"]["step_state"] == "StepPaused"
        })
        .await;
    }
}

/// A VM in `vms` with a run strategy, waited for until Bosun shows `status`.
async fn vm_fixture(srv: &TestServer, name: &str, strategy: &str, status: &str) {
    make_in_demo(srv, "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines", json!({
        "metadata": {"name": name},
        "spec": {"runStrategy": strategy, "template": {"spec": {"domain": {"cpu": {"cores": 1}, "memory": {"guest": "1Gi"}}}}},
    }))
    .await;
    let path = format!("/vms/virtualmachines/{name}");
    seen(srv, &path, &format!("fixture VM {status}"), |v| {
        v["row"]["status"] == status
    })
    .await;
}

/// The path values, query, body and fixtures a route needs for one caller. The match
/// is exhaustive over actions, so a new action cannot join the table untested.
async fn prepare(
    srv: &TestServer,
    route: &bosun::api::Route,
    caller: Option<Role>,
    op_id: &str,
) -> Case {
    let who = tag(caller);
    let action = route.action;
    let compat = route.path.starts_with("/workload") || route.path.starts_with("/rollout");
    let unique = format!(
        "matrix-{who}-{}{}",
        action.name().replace(['.', '_'], "-"),
        if compat {
            "-c"
        } else if route.path.starts_with("/batch") {
            "-b"
        } else {
            ""
        }
    );
    let mut params = vec![
        ("{cluster}", "demo".to_string()),
        ("{ns}", "shop".to_string()),
        ("{namespace}", "shop".to_string()),
        ("{kind}", "deployments".to_string()),
        ("{type}", "cloneset".to_string()),
        (
            "{name}",
            if compat && route.path.starts_with("/rollout") {
                "cart-rollout".to_string()
            } else if compat {
                "cart".to_string()
            } else {
                "web".to_string()
            },
        ),
        ("{appId}", "1".to_string()),
        ("{group}", "cert-manager.io".to_string()),
        ("{version}", "v1".to_string()),
        ("{plural}", "certificates".to_string()),
        ("{id}", op_id.to_string()),
    ];
    let set = |params: &mut Vec<(&'static str, String)>, key: &'static str, value: String| {
        for p in params.iter_mut() {
            if p.0 == key {
                p.1.clone_from(&value);
            }
        }
    };
    let mut query = String::new();
    if route.path.ends_with("/access") {
        query = "kind=User&name=ci-bot&namespace=shop".into();
    }
    if route.path.contains("/custom/") {
        set(&mut params, "{name}", "shop-tls".into());
    }
    if route.path.contains("/rollouts/{name}") {
        set(&mut params, "{name}", "cart-rollout".into());
    }
    if route.path.contains("/nodes/{name}") {
        // Reads look at a seeded node; changes act on a node of the caller's own.
        let node = if action == Action::Read {
            "node-1".to_string()
        } else {
            unique.clone()
        };
        set(&mut params, "{name}", node);
    }
    if route.path.contains("/virtualmachines/{name}") {
        set(&mut params, "{ns}", "vms".into());
        set(&mut params, "{name}", "vm-running".into());
    }
    // Cluster-scoped kinds at /clusters/{cluster}/{kind}[/{name}].
    if route.path.starts_with("/clusters/{cluster}/{kind}") {
        set(&mut params, "{kind}", "storageclasses".into());
        set(&mut params, "{name}", "standard".into());
    }
    if route.path.starts_with("/me/tokens/{id}") || route.path.starts_with("/tokens/{id}") {
        // Revoked: a token of the caller's own account, or of someone else for an admin.
        let owner = match (route.path.starts_with("/me"), caller) {
            (true, Some(role)) => {
                srv.as_role(role).await;
                format!("as-{role}")
            }
            _ => "target".to_string(),
        };
        let made = bosun_core::tokens::create(
            &srv.ctx().db,
            &owner,
            &bosun_core::tokens::TokenOptions::default(),
        )
        .await
        .unwrap();
        set(&mut params, "{id}", made.id.to_string());
    }
    if route.path.starts_with("/templates/{id}") || route.path.starts_with("/tasks/{id}") {
        let fixture = format!("{unique}{}", route.path.replace(['/', '{', '}'], "-"));
        let id = if route.path.starts_with("/tasks") {
            task_fixture(srv, &fixture).await
        } else {
            template_fixture(srv, &fixture).await
        };
        set(&mut params, "{id}", id.to_string());
    }
    let template_yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\n";
    let body = match action {
        Action::SignIn => Some(json!({"username": "target", "password": PASSWORD})),
        // Checking YAML reads the cluster's schema; a JSON object is YAML too.
        Action::Read if route.path.ends_with("/validate") => Some(json!({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": unique},
        })),
        Action::SignOut
        | Action::Read
        | Action::AuditRead
        | Action::UserList
        | Action::TokenList
        | Action::OwnTokenRevoke
        | Action::TokenRevoke
        | Action::ClusterTest => None,
        Action::OwnTokenCreate => Some(json!({"label": "matrix", "scope": "read"})),
        Action::UserCreate => Some(
            json!({"username": format!("made-by-{who}"), "password": PASSWORD, "role": "viewer"}),
        ),
        Action::UserSetRole | Action::UserDisable | Action::UserEnable => {
            set(&mut params, "{name}", "target".into());
            Some(json!({"role": "viewer"}))
        }
        Action::UserSessionsEnd => {
            set(&mut params, "{name}", "target".into());
            None
        }
        Action::SessionsEnd => None,
        Action::PasswordChange => Some(json!({"current": PASSWORD, "new": PASSWORD})),
        Action::UserSetPassword
        | Action::TokenCreate
        | Action::TokenUse
        | Action::VmForceStop
        | Action::VmForceRestart
        | Action::OperationEnd => {
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
        Action::Scale if compat => {
            query = "replicas=2".into();
            None
        }
        Action::Scale => {
            set(&mut params, "{name}", "api".into());
            Some(json!({"replicas": 2}))
        }
        Action::Rollback => Some(json!({"revision": 0})),
        Action::Delete if compat => {
            if allowed(action, caller) {
                cloneset_fixture(srv, &unique, "nginx:1.27").await;
            }
            set(&mut params, "{name}", unique.clone());
            None
        }
        Action::Delete if route.path == "/clusters/{cluster}/namespaces/{ns}" => {
            let name = format!("matrix-{who}-ns");
            make_in_demo(
                srv,
                "/api/v1/namespaces",
                json!({"metadata": {"name": name}}),
            )
            .await;
            set(&mut params, "{ns}", name);
            None
        }
        Action::Delete if route.path == "/clusters/{cluster}/{kind}/{name}" => {
            let name = format!("matrix-{who}-role");
            make_in_demo(
                srv,
                "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                json!({"metadata": {"name": name}, "rules": []}),
            )
            .await;
            set(&mut params, "{kind}", "clusterroles".into());
            set(&mut params, "{name}", name);
            None
        }
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
        Action::RolloutApprove | Action::RolloutPause | Action::RolloutResume => {
            // Each caller acts on a rollout in the state its action needs.
            if allowed(action, caller) {
                rollout_fixture(
                    srv,
                    &unique,
                    action == Action::RolloutResume,
                    action == Action::RolloutApprove,
                )
                .await;
            }
            set(&mut params, "{name}", unique.clone());
            None
        }
        // Undo toggles between the cart's two revisions; restart is always possible.
        Action::RolloutUndo | Action::RolloutRestart => None,
        Action::VmStart
        | Action::VmStop
        | Action::VmRestart
        | Action::VmPause
        | Action::VmUnpause => {
            if allowed(action, caller) {
                let (strategy, status) = match action {
                    Action::VmStart => ("Halted", "Stopped"),
                    _ => ("Always", "Running"),
                };
                vm_fixture(srv, &unique, strategy, status).await;
                if action == Action::VmUnpause {
                    let res = reqwest::Client::new()
                        .put(format!("{}/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachineinstances/{unique}/pause", srv.demo().url()))
                        .json(&json!({}))
                        .send()
                        .await
                        .unwrap();
                    assert!(res.status().is_success());
                    seen(
                        srv,
                        &format!("/vms/virtualmachines/{unique}"),
                        "fixture VM paused",
                        |v| v["row"]["status"] == "Paused",
                    )
                    .await;
                }
            }
            set(&mut params, "{ns}", "vms".into());
            set(&mut params, "{name}", unique.clone());
            Some(
                json!({"targets": [{"cluster": "demo", "namespace": "vms", "kind": "virtualmachines", "name": unique}], "action": "restart"}),
            )
        }
        Action::NodeCordon | Action::NodeUncordon | Action::NodeTaint | Action::NodeDrain => {
            if allowed(action, caller) {
                node_fixture(srv, &unique).await;
            }
            match action {
                Action::NodeTaint => {
                    Some(json!({"add": [{"key": "matrix", "effect": "NoSchedule"}]}))
                }
                Action::NodeDrain => Some(json!({"force": true, "ignoreDaemonSets": true})),
                _ => None,
            }
        }
        Action::Label => {
            if route.path.contains("/nodes/") && allowed(action, caller) {
                node_fixture(srv, &unique).await;
            }
            Some(json!({"set": {"matrix": who}}))
        }
        Action::SecretReveal => {
            set(&mut params, "{kind}", "secrets".into());
            set(&mut params, "{name}", "api-credentials".into());
            query = "key=token".into();
            None
        }
        Action::Apply if route.path.ends_with("/registry-secrets") => Some(
            json!({"name": unique, "server": "ghcr.io", "username": "bot", "password": "matrix"}),
        ),
        Action::Apply if route.path.starts_with("/templates") => {
            Some(json!({"cluster": "demo", "namespace": "shop", "values": {"name": unique}}))
        }
        Action::TemplateCreate => Some(json!({"name": unique, "yaml": template_yaml})),
        Action::TemplateUpdate => {
            Some(json!({"name": format!("{unique}-changed"), "yaml": template_yaml}))
        }
        Action::TemplateDelete | Action::TaskCleanup => None,
        Action::TaskRun if route.path == "/tasks" => {
            let template_id = template_fixture(srv, &format!("{unique}-run")).await;
            Some(
                json!({"template_id": template_id, "targets": [{"cluster": "demo", "namespace": "shop"}]}),
            )
        }
        Action::TaskRun => None,
        Action::Apply => Some(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": unique, "namespace": "shop"},
            "data": {"by": who},
        })),
        Action::NamespaceCreate => Some(json!({"name": unique})),
        Action::OperationCancel => {
            if allowed(action, caller) {
                set(&mut params, "{id}", blocked_drain(srv, &unique).await);
            }
            None
        }
        Action::PinAdd => Some(
            json!({"cluster": "demo", "namespace": "shop", "kind": "deployments", "name": "web"}),
        ),
        Action::PinRemove => {
            if let Some(role) = caller {
                let name = format!("as-{role}");
                let user = bosun_core::users::find(&srv.ctx().db, &name).await.unwrap();
                let me = bosun_core::Invocation {
                    caller: Some(bosun_core::Caller::from_user(
                        &user,
                        bosun_core::auth::AuthMethod::Session,
                    )),
                    source: bosun_model::Source::Api,
                    trace_id: String::new(),
                };
                let target = bosun_model::ObjectRef::new(
                    "demo",
                    "shop",
                    bosun_model::KindId::Deployment,
                    "web",
                );
                bosun_core::pins::add(srv.ctx(), &me, &target)
                    .await
                    .unwrap();
            }
            query = "cluster=demo&namespace=shop&kind=deployments&name=web".into();
            None
        }
    };
    Case {
        params,
        query,
        body,
    }
}

/// The route's body fields that do not belong to it (the Restart case serves both the
/// single restart and the batch).
fn body_for(path: &str, body: Option<Value>) -> Option<Value> {
    let mut body = body?;
    if let Some(map) = body.as_object_mut() {
        match path {
            "/batch/restart" => {
                map.remove("force");
            }
            "/batch/vm" | "/tasks" => {}
            _ if path.contains("/virtualmachines/") => return None,
            _ => {
                map.remove("targets");
            }
        }
    }
    Some(body)
}

#[tokio::test]
async fn every_route_checks_the_callers_role() {
    let srv = TestServer::with_demo().await;
    srv.add_user("target", Role::Viewer).await;
    assert!(!bosun::api::ROUTES.is_empty());
    // An operation to read: a forced restart of a VM, by the command line.
    let options = bosun_model::VmActionOptions {
        force: true,
        ..Default::default()
    };
    let object = bosun_model::ObjectRef::new(
        "demo",
        "lab",
        bosun_model::KindId::VirtualMachine,
        "build-agent",
    );
    let op_id = eventually(60, "an operation to read", || async {
        bosun_core::vms::command(
            srv.ctx(),
            &bosun_core::Invocation::cli(),
            &object,
            bosun_model::VmCommand::Restart,
            options,
        )
        .await
        .ok()
        .map(|a| a.operation_id)
    })
    .await;
    for route in bosun::api::ROUTES {
        for caller in CALLERS {
            let Case {
                mut params,
                query,
                body,
            } = prepare(&srv, route, caller, &op_id).await;
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
            if !query.is_empty() {
                path = format!("{path}?{query}");
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
    let rollout =
        json!({"cluster": "demo", "namespace": "shop", "kind": "rollouts", "name": "cart-rollout"});
    let vm = json!({"cluster": "demo", "namespace": "vms", "kind": "virtualmachines", "name": "vm-running"});
    let form = |pairs: &[(&'static str, &'static str)]| Body::Form(pairs.to_vec());
    Some(match path {
        "/rpc/login" => (
            form(&[("username", "target"), ("password", PASSWORD)]),
            None,
        ),
        "/rpc/logout" => (form(&[]), None),
        "/rpc/me" => (form(&[]), None),
        "/rpc/account/tokens" => (form(&[]), Some(Role::Viewer)),
        "/rpc/account/tokens/create" => (
            Body::Json(json!({"wanted": {"label": "rpc", "scope": "read"}})),
            Some(Role::Viewer),
        ),
        "/rpc/account/tokens/revoke" => (Body::OwnToken, Some(Role::Viewer)),
        "/rpc/account/password" => (
            Body::Json(json!({"current": PASSWORD, "new": PASSWORD})),
            Some(Role::Viewer),
        ),
        "/rpc/account/sign-out-everywhere" => (form(&[]), Some(Role::Viewer)),
        "/rpc/users/list" => (form(&[]), Some(Role::Admin)),
        "/rpc/users/sessions/end" => (form(&[("username", "target")]), Some(Role::Admin)),
        "/rpc/tokens/list" => (form(&[]), Some(Role::Admin)),
        "/rpc/tokens/revoke" => (Body::OwnToken, Some(Role::Admin)),
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
        "/rpc/nodes/list" => (Body::Json(json!({"query": {}})), Some(Role::Viewer)),
        "/rpc/nodes/get" | "/rpc/nodes/history" => (
            Body::Json(json!({"cluster": "demo", "name": "node-1"})),
            Some(Role::Viewer),
        ),
        "/rpc/nodes/change" => (
            Body::Json(
                json!({"cluster": "demo", "name": "node-1", "change": {"change": "labels", "set": {"rpc": "x"}, "remove": []}}),
            ),
            Some(Role::Operator),
        ),
        "/rpc/nodes/drain" => (Body::FreshNode, Some(Role::Operator)),
        "/rpc/operations/cancel" => (Body::BlockedDrain, Some(Role::Operator)),
        "/rpc/workloads/list" => (
            Body::Json(json!({"query": {"cluster": "demo"}})),
            Some(Role::Viewer),
        ),
        "/rpc/workloads/get" => (Body::Json(json!({"object": object})), Some(Role::Viewer)),
        "/rpc/workloads/revisions" => (Body::Json(json!({"object": object})), Some(Role::Viewer)),
        "/rpc/workloads/events" => (Body::Json(json!({"object": object})), Some(Role::Viewer)),
        "/rpc/workloads/history" => (Body::Json(json!({"object": object})), Some(Role::Viewer)),
        "/rpc/workloads/status" => (Body::Json(json!({"object": object})), Some(Role::Viewer)),
        "/rpc/actions/act" => (
            Body::Json(json!({"object": object, "action": {"action": "restart", "force": false}})),
            Some(Role::Operator),
        ),
        "/rpc/rollouts/list" => (
            Body::Json(json!({"query": {"cluster": "demo"}})),
            Some(Role::Viewer),
        ),
        "/rpc/rollouts/get" | "/rpc/rollouts/history" | "/rpc/rollouts/events" => {
            (Body::Json(json!({"object": rollout})), Some(Role::Viewer))
        }
        "/rpc/vms/list" => (
            Body::Json(json!({"query": {"cluster": "demo"}})),
            Some(Role::Viewer),
        ),
        "/rpc/vms/get" | "/rpc/vms/history" => {
            (Body::Json(json!({"object": vm})), Some(Role::Viewer))
        }
        "/rpc/vms/batch" => (Body::FreshVm, Some(Role::Operator)),
        "/rpc/pins/cards" | "/rpc/pins/list" => (Body::Json(json!({})), Some(Role::Viewer)),
        "/rpc/pins/set" => (
            Body::Json(json!({"object": object, "pinned": true})),
            Some(Role::Viewer),
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
        "/rpc/resources/list" => (
            Body::Json(json!({"query": {"cluster": "demo", "kind": "configmaps"}})),
            Some(Role::Viewer),
        ),
        "/rpc/resources/get" => (
            Body::Json(
                json!({"object": {"cluster": "demo", "namespace": "shop", "kind": "configmaps", "name": "web-config"}}),
            ),
            Some(Role::Viewer),
        ),
        "/rpc/resources/reveal" => (
            Body::Json(
                json!({"object": {"cluster": "demo", "namespace": "shop", "kind": "secrets", "name": "api-credentials"}, "key": "token"}),
            ),
            Some(Role::Operator),
        ),
        "/rpc/resources/apply" => (
            Body::Json(json!({
                "cluster": "demo",
                "yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rpc-applied\n  namespace: shop\n",
                "options": {},
                "editing": null,
            })),
            Some(Role::Operator),
        ),
        "/rpc/resources/validate" => (
            Body::Json(json!({
                "cluster": "demo",
                "yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rpc-checked\n",
                "namespace": "shop",
            })),
            Some(Role::Viewer),
        ),
        "/rpc/namespaces/create" => (Body::UniqueNamespace, Some(Role::Operator)),
        "/rpc/secrets/registry" => (
            Body::Json(json!({
                "cluster": "demo",
                "namespace": "shop",
                "input": {"name": "rpc-regcred", "server": "ghcr.io", "username": "bot", "password": "rpc"},
            })),
            Some(Role::Operator),
        ),
        "/rpc/resources/access" => (
            Body::Json(
                json!({"query": {"cluster": "demo", "kind": "User", "name": "ci-bot", "namespace": "shop"}}),
            ),
            Some(Role::Viewer),
        ),
        "/rpc/events/list" => (
            Body::Json(json!({"query": {"cluster": "demo", "type": "Warning"}})),
            Some(Role::Viewer),
        ),
        "/rpc/metrics/nodes" => (
            Body::Json(json!({"cluster": "demo", "name": null})),
            Some(Role::Viewer),
        ),
        "/rpc/custom/kinds" => (Body::Json(json!({"cluster": "demo"})), Some(Role::Viewer)),
        "/rpc/custom/list" => (
            Body::Json(
                json!({"kind": {"cluster": "demo", "group": "cert-manager.io", "version": "v1", "plural": "certificates"}, "query": {}}),
            ),
            Some(Role::Viewer),
        ),
        "/rpc/custom/get" => (
            Body::Json(
                json!({"kind": {"cluster": "demo", "group": "cert-manager.io", "version": "v1", "plural": "certificates"}, "namespace": "shop", "name": "shop-tls"}),
            ),
            Some(Role::Viewer),
        ),
        "/rpc/metrics/pods" => (
            Body::Json(json!({"cluster": "demo", "query": {}})),
            Some(Role::Viewer),
        ),
        "/rpc/templates/list" => (Body::Json(json!({})), Some(Role::Viewer)),
        "/rpc/templates/get" => (Body::Template(|id| json!({"id": id})), Some(Role::Viewer)),
        "/rpc/templates/save" => (
            Body::Template(
                |id| json!({"id": id, "input": {"name": format!("rpc-saved-{id}"), "yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\n"}}),
            ),
            Some(Role::Operator),
        ),
        "/rpc/templates/delete" => (Body::Template(|id| json!({"id": id})), Some(Role::Operator)),
        "/rpc/templates/check" => (
            Body::Template(
                |id| json!({"id": id, "request": {"cluster": "demo", "namespace": "shop", "values": {}}}),
            ),
            Some(Role::Operator),
        ),
        "/rpc/tasks/list" => (Body::Json(json!({"query": {}})), Some(Role::Viewer)),
        "/rpc/tasks/get" => (Body::Task(|id| json!({"id": id})), Some(Role::Viewer)),
        "/rpc/tasks/run" => (
            Body::Template(
                |id| json!({"request": {"template_id": id, "targets": [{"cluster": "demo", "namespace": "shop"}]}}),
            ),
            Some(Role::Operator),
        ),
        "/rpc/tasks/rerun" => (Body::Task(|id| json!({"id": id})), Some(Role::Operator)),
        "/rpc/tasks/cleanup" => (Body::Task(|id| json!({"id": id})), Some(Role::Operator)),
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
    /// A namespace name not taken yet.
    UniqueNamespace,
    /// A cluster made for the call to change or remove (changing the demo cluster would
    /// restart its watches under the other cases).
    FreshCluster {
        update: bool,
    },
    WebPod,
    WebPodLogs,
    /// A VM made for the call to restart (each allowed caller its own).
    FreshVm,
    /// A node made for the call to drain.
    FreshNode,
    /// A drain kept running by a disruption budget, for the call to cancel.
    BlockedDrain,
    /// A token of the caller's own, for the call to revoke.
    OwnToken,
    /// A template made for the call (each caller its own): the body from its id.
    Template(fn(i64) -> Value),
    /// A finished task made for the call (each caller its own): the body from its id.
    Task(fn(i64) -> Value),
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
                Body::UniqueNamespace => req.json(&json!({"cluster": "demo", "name": format!("rpc-ns-{who}"), "labels": {}})),
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
                Body::FreshVm => {
                    let name = format!("rpc-batch-{who}");
                    if caller.is_some_and(|r| r.allows(Role::Operator)) {
                        vm_fixture(&srv, &name, "Always", "Running").await;
                    }
                    let target = json!({"cluster": "demo", "namespace": "vms", "kind": "virtualmachines", "name": name});
                    req.json(&json!({"targets": [target], "command": "restart", "options": {}}))
                }
                Body::FreshNode => {
                    let name = format!("rpc-drain-{who}");
                    if caller.is_some_and(|r| r.allows(Role::Operator)) {
                        node_fixture(&srv, &name).await;
                    }
                    req.json(&json!({"cluster": "demo", "name": name, "options": {"ignoreDaemonSets": true}}))
                }
                Body::BlockedDrain => {
                    let id = if caller.is_some_and(|r| r.allows(Role::Operator)) {
                        blocked_drain(&srv, &format!("rpc-cancel-{who}")).await
                    } else {
                        "no-such-operation".to_string()
                    };
                    req.json(&json!({"id": id}))
                }
                Body::Template(body) => {
                    let fixture = format!("rpc-{who}{}", path.replace('/', "-"));
                    req.json(&body(template_fixture(&srv, &fixture).await))
                }
                Body::OwnToken => {
                    let id = match caller {
                        Some(role) => {
                            bosun_core::tokens::create(
                                &srv.ctx().db,
                                &format!("as-{role}"),
                                &bosun_core::tokens::TokenOptions::default(),
                            )
                            .await
                            .unwrap()
                            .id
                        }
                        None => 0,
                    };
                    req.json(&json!({"id": id}))
                }
                Body::Task(body) => {
                    let fixture = format!("rpc-{who}{}", path.replace('/', "-"));
                    req.json(&body(task_fixture(&srv, &fixture).await))
                }
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
