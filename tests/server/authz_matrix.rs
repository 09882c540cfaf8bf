//! Walks every REST route and every server function as anonymous, viewer, operator and
//! admin, and checks each is refused (401/403) exactly when the role is too low.

use crate::common::*;
use bosun_core::Role;
use reqwest::Method;
use serde_json::json;

/// A server function's path, a valid form body for it, and the least role it needs.
type ServerFnCase = (
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<Role>,
);

/// Every registered server function must be listed here.
const SERVER_FNS: &[ServerFnCase] = &[
    (
        "/rpc/login",
        &[("username", "target"), ("password", PASSWORD)],
        None,
    ),
    ("/rpc/logout", &[], None),
    ("/rpc/me", &[], None),
    ("/rpc/users/list", &[], Some(Role::Admin)),
    (
        "/rpc/users/create",
        &[
            ("username", "made-by-rpc"),
            ("password", PASSWORD),
            ("role", "viewer"),
        ],
        Some(Role::Admin),
    ),
    (
        "/rpc/users/role",
        &[("username", "target"), ("role", "viewer")],
        Some(Role::Admin),
    ),
    (
        "/rpc/users/disabled",
        &[("username", "target"), ("disabled", "false")],
        Some(Role::Admin),
    ),
    ("/rpc/audit/recent", &[("limit", "5")], Some(Role::Viewer)),
    ("/rpc/clusters/list", &[], Some(Role::Viewer)),
    ("/rpc/nodes/list", &[], Some(Role::Viewer)),
];

fn rest_body(method: &str, path: &str) -> Option<serde_json::Value> {
    match (method, path) {
        ("POST", "/api/v1/login") => Some(json!({"username": "target", "password": PASSWORD})),
        ("POST", "/api/v1/users") => {
            Some(json!({"username": "made-by-rest", "password": PASSWORD, "role": "viewer"}))
        }
        ("PATCH", "/api/v1/users/{name}") => Some(json!({"role": "viewer"})),
        _ => None,
    }
}

/// Allowed callers must succeed (2xx, or a 3xx redirect from a sign-in/out server
/// function), not merely avoid 401/403: every case above sends a valid request.
fn expect(required: Option<Role>, caller: Option<Role>, status: u16, what: &str) {
    match (required, caller) {
        (None, _) => assert!((200..400).contains(&status), "{what}: public, got {status}"),
        (Some(_), None) => assert_eq!(status, 401, "{what}: anonymous must be 401"),
        (Some(need), Some(have)) if have < need => {
            assert_eq!(status, 403, "{what}: {have} must be 403")
        }
        (Some(_), Some(have)) => assert!(
            (200..400).contains(&status),
            "{what}: {have} must pass, got {status}"
        ),
    }
}

async fn client_as(srv: &TestServer, role: Option<Role>) -> reqwest::Client {
    match role {
        None => client(),
        Some(role) => srv.signed_in(&format!("as-{role}"), PASSWORD).await,
    }
}

#[tokio::test]
async fn every_route_and_server_function_checks_the_callers_role() {
    let srv = TestServer::start().await;
    srv.add_user("target", Role::Viewer).await;
    for role in Role::ALL {
        srv.add_user(&format!("as-{role}"), role).await;
    }
    let callers = [
        None,
        Some(Role::Viewer),
        Some(Role::Operator),
        Some(Role::Admin),
    ];

    for (method, path, required) in bosun::api::ROUTES {
        for caller in callers {
            let client = client_as(&srv, caller).await;
            let url = srv.url(&path.replace("{name}", "target"));
            let mut req = client.request(Method::from_bytes(method.as_bytes()).unwrap(), url);
            if let Some(body) = rest_body(method, path) {
                req = req.json(&body);
            }
            let status = req.send().await.unwrap().status().as_u16();
            expect(
                *required,
                caller,
                status,
                &format!("{method} {path} as {caller:?}"),
            );
        }
    }

    for (path, form, required) in SERVER_FNS {
        for caller in callers {
            let client = client_as(&srv, caller).await;
            let status = client
                .post(srv.url(path))
                .form(form)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            expect(
                *required,
                caller,
                status,
                &format!("server fn {path} as {caller:?}"),
            );
        }
    }
    srv.stop().await;
}

#[test]
fn the_matrix_lists_every_registered_server_function() {
    let listed: Vec<&str> = SERVER_FNS.iter().map(|(path, _, _)| *path).collect();
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    assert!(!registered.is_empty(), "no server functions registered");
    for path in &registered {
        assert!(
            listed.contains(&path.as_str()),
            "server function {path} is missing from the authorization matrix"
        );
    }
}
