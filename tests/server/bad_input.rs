//! Bad input gets a clear message, the right status, and changes nothing.

use crate::common::*;
use serde_json::json;

async fn admin(srv: &TestServer) -> reqwest::Client {
    srv.signed_in("admin", ADMIN_PASSWORD).await
}

#[tokio::test]
async fn malformed_json_is_400_in_the_api_error_format() {
    let srv = TestServer::start().await;
    let res = client()
        .post(srv.url("/api/v1/login"))
        .header("content-type", "application/json")
        .body("{\"username\": \"admin\", ")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "BAD_REQUEST");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid JSON body"),
        "{body}"
    );
    assert!(body["trace_id"].as_str().is_some_and(|t| !t.is_empty()));
    srv.stop().await;
}

#[tokio::test]
async fn unknown_fields_and_wrong_content_type_are_400() {
    let srv = TestServer::start().await;
    let res = client()
        .post(srv.url("/api/v1/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD, "remember": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = client()
        .post(srv.url("/api/v1/login"))
        .body("username=admin")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!((status, body["code"].clone()), (400, json!("BAD_REQUEST")));
    srv.stop().await;
}

#[tokio::test]
async fn empty_and_oversized_login_fields_are_400() {
    let srv = TestServer::start().await;
    for (username, password) in [
        ("", "x"),
        ("admin", ""),
        ("admin", &"p".repeat(5000)[..]),
        (&"u".repeat(300)[..], "password"),
    ] {
        let res = client()
            .post(srv.url("/api/v1/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(res).await;
        assert_eq!(status, 400, "{username:.10}/{password:.10}: {body}");
    }
    srv.stop().await;
}

#[tokio::test]
async fn create_user_rejects_bad_names_short_passwords_unknown_roles_and_duplicates() {
    let srv = TestServer::start().await;
    let admin = admin(&srv).await;
    let create = |body: serde_json::Value| admin.post(srv.url("/api/v1/users")).json(&body).send();

    let (status, body) = json_of(
        create(json!({"username": "bad name!", "password": PASSWORD, "role": "viewer"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("user name"),
        "{body}"
    );

    let (status, body) = json_of(
        create(json!({"username": "eve", "password": "short", "role": "viewer"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("too short"),
        "{body}"
    );

    let (status, body) = json_of(
        create(json!({"username": "eve", "password": PASSWORD, "role": "root"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("root"), "{body}");

    let long_name = "n".repeat(65);
    let (status, _) = json_of(
        create(json!({"username": long_name, "password": PASSWORD, "role": "viewer"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);

    let (status, _) = json_of(
        create(json!({"username": "eve", "password": PASSWORD, "role": "viewer"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = json_of(
        create(json!({"username": "EVE", "password": PASSWORD, "role": "admin"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["code"].clone()), (409, json!("CONFLICT")));
    // Nothing was lost: eve is still a viewer.
    let eve = bosun_core::users::find(&srv.ctx().db, "eve").await.unwrap();
    assert_eq!(eve.role, bosun_core::Role::Viewer);
    srv.stop().await;
}

#[tokio::test]
async fn changing_a_missing_user_is_404_and_admins_cannot_lock_themselves_out() {
    let srv = TestServer::start().await;
    let admin = admin(&srv).await;
    let res = admin
        .patch(srv.url("/api/v1/users/ghost"))
        .json(&json!({"role": "viewer"}))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!((status, body["code"].clone()), (404, json!("NOT_FOUND")));
    let res = admin
        .patch(srv.url("/api/v1/users/admin"))
        .json(&json!({"role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let res = admin
        .patch(srv.url("/api/v1/users/admin"))
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let res = admin
        .patch(srv.url("/api/v1/users/admin"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    srv.stop().await;
}

#[tokio::test]
async fn unknown_api_path_is_a_json_404() {
    let srv = TestServer::start().await;
    let (status, body) = json_of(
        client()
            .get(srv.url("/api/v1/no-such-thing"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["code"].clone()), (404, json!("NOT_FOUND")));
    srv.stop().await;
}

#[tokio::test]
async fn server_function_errors_carry_code_and_status() {
    let srv = TestServer::start().await;
    let admin = admin(&srv).await;
    let res = admin
        .post(srv.url("/rpc/users/create"))
        .form(&[
            ("username", "frank"),
            ("password", PASSWORD),
            ("role", "emperor"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = admin
        .post(srv.url("/rpc/users/create"))
        .form(&[
            ("username", "frank"),
            ("password", "short"),
            ("role", "viewer"),
        ])
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "BAD_REQUEST");
    assert!(
        body["message"].as_str().unwrap().contains("too short"),
        "{body}"
    );
    srv.stop().await;
}

#[tokio::test]
async fn server_function_arguments_that_do_not_decode_are_400() {
    let srv = TestServer::start().await;
    let admin = admin(&srv).await;
    // A form missing a field, a bool that is not one, and JSON of the wrong shape.
    let res = admin
        .post(srv.url("/rpc/users/disabled"))
        .form(&[("username", "x")])
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("BAD_REQUEST")),
        "{body}"
    );
    let res = admin
        .post(srv.url("/rpc/users/disabled"))
        .form(&[("username", "x"), ("disabled", "maybe")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = admin
        .post(srv.url("/rpc/workloads/list"))
        .json(&json!({"query": {"kind": "teapots"}}))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("BAD_REQUEST")),
        "{body}"
    );
    srv.stop().await;
}
