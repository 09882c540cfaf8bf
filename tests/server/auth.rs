//! Sign-in, sessions, throttling, tokens and the Origin check, over real HTTP against a
//! real server and SQLite database.

use std::time::{Duration, Instant};

use crate::common::*;
use bosun_core::{Role, tokens, users};
use serde_json::json;

#[tokio::test]
async fn login_sets_a_strict_httponly_session_cookie_and_me_answers() {
    let srv = TestServer::start().await;
    let client = client();
    let res = client
        .post(srv.url("/api/v1/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("bosun_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain-http console must not set Secure: {cookie}"
    );
    let (status, body) = json_of(res).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"data": {"username": "admin", "role": "admin", "must_change_password": false}})
        )
    );
    let (status, body) = json_of(client.get(srv.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"data": {"username": "admin", "role": "admin", "must_change_password": false}})
        )
    );
    srv.stop().await;
}

#[tokio::test]
async fn cookie_is_secure_when_the_public_url_is_https() {
    let srv = TestServer::start_with(|c| {
        c.public_url =
            Some(bosun::config::parse_public_url("https://console.example.com").unwrap());
    })
    .await;
    let res = client()
        .post(srv.url("/api/v1/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
    srv.stop().await;
}

#[tokio::test]
async fn wrong_password_is_401_with_code_message_and_trace_id() {
    let srv = TestServer::start().await;
    let res = client()
        .post(srv.url("/api/v1/login"))
        .json(&json!({"username": "admin", "password": "not the password"}))
        .send()
        .await
        .unwrap();
    let header_trace = res
        .headers()
        .get("x-trace-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let (status, body) = json_of(res).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "UNAUTHORIZED");
    assert_eq!(body["message"], "wrong user name or password");
    assert_eq!(body["trace_id"], header_trace.as_str());
    assert!(uuid::Uuid::parse_str(&header_trace).is_ok());
    srv.stop().await;
}

#[tokio::test]
async fn unknown_user_gets_the_same_answer_and_similar_time_as_a_wrong_password() {
    let srv = TestServer::start().await;
    let attempt = |name: &'static str| {
        let url = srv.url("/api/v1/login");
        async move {
            // A fresh client address is not possible on loopback, so stay under the limit.
            let started = Instant::now();
            let res = client()
                .post(url)
                .json(&json!({"username": name, "password": "wrong password"}))
                .send()
                .await
                .unwrap();
            let elapsed = started.elapsed();
            (json_of(res).await, elapsed)
        }
    };
    let ((s1, b1), t_known) = attempt("admin").await;
    let ((s2, b2), t_unknown) = attempt("nobody-here").await;
    assert_eq!((s1, b1["message"].clone()), (s2, b2["message"].clone()));
    // Both paths run one argon2id verification; neither may be a fast path.
    let ratio = t_unknown.as_secs_f64() / t_known.as_secs_f64();
    assert!(
        (0.25..4.0).contains(&ratio),
        "known {t_known:?} vs unknown {t_unknown:?}"
    );
    srv.stop().await;
}

#[tokio::test]
async fn session_id_is_cycled_at_login() {
    let srv = TestServer::start().await;
    let login = || {
        client()
            .post(srv.url("/api/v1/login"))
            .header("cookie", "bosun_session=plantedByAnAttacker0000")
            .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
            .send()
    };
    let res = login().await.unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(!cookie.contains("plantedByAnAttacker0000"), "{cookie}");
    let second = login().await.unwrap();
    let cookie2 = second
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(cookie.split(';').next(), cookie2.split(';').next());
    srv.stop().await;
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let srv = TestServer::start().await;
    let res = client()
        .post(srv.url("/api/v1/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let me = |c: String| {
        client()
            .get(srv.url("/api/v1/me"))
            .header("cookie", c)
            .send()
    };
    assert_eq!(me(cookie.clone()).await.unwrap().status(), 200);
    let out = client()
        .post(srv.url("/api/v1/logout"))
        .header("cookie", cookie.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    // The old cookie value is dead even if a client kept it.
    assert_eq!(me(cookie).await.unwrap().status(), 401);
    srv.stop().await;
}

#[tokio::test]
async fn session_survives_a_server_restart() {
    let srv = TestServer::start().await;
    let client = srv.signed_in("admin", ADMIN_PASSWORD).await;
    let srv = srv.restart().await;
    let (status, body) = json_of(client.get(srv.url("/api/v1/me")).send().await.unwrap()).await;
    // The port changed, but reqwest's jar is per host (127.0.0.1), like a browser's.
    assert_eq!(
        (status, body["data"]["username"].clone()),
        (200, json!("admin"))
    );
    srv.stop().await;
}

#[tokio::test]
async fn idle_session_expires() {
    let srv = TestServer::start_with(|c| c.session_idle = Duration::from_secs(2)).await;
    let res = client()
        .post(srv.url("/api/v1/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&res);
    // The raw cookie is sent again after its Max-Age, so only the server can refuse it.
    let me = || {
        client()
            .get(srv.url("/api/v1/me"))
            .header("cookie", cookie.clone())
            .send()
    };
    assert_eq!(me().await.unwrap().status(), 200);
    tokio::time::sleep(Duration::from_millis(3200)).await;
    assert_eq!(me().await.unwrap().status(), 401);
    srv.stop().await;
}

#[tokio::test]
async fn busy_session_still_ends_at_its_absolute_limit() {
    let srv = TestServer::start_with(|c| c.session_max = Duration::from_secs(2)).await;
    let client = srv.signed_in("admin", ADMIN_PASSWORD).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = client
            .get(srv.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status();
        if status == 401 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "session outlived its absolute limit"
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    srv.stop().await;
}

#[tokio::test]
async fn sixth_failed_login_within_a_minute_is_429_with_retry_after() {
    let srv = TestServer::start().await;
    let try_login = |password: &'static str| {
        client()
            .post(srv.url("/api/v1/login"))
            .json(&json!({"username": "admin", "password": password}))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(try_login("wrong password").await.unwrap().status(), 401);
    }
    let res = try_login("wrong password").await.unwrap();
    assert_eq!(res.status(), 429);
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let (_, body) = json_of(res).await;
    assert_eq!(body["code"], "TOO_MANY_REQUESTS");
    assert!(
        body["message"].as_str().unwrap().contains("try again in"),
        "{body}"
    );
    // Even the right password waits: a lockout that a correct guess lifts is no lockout.
    assert_eq!(try_login(ADMIN_PASSWORD).await.unwrap().status(), 429);
    srv.stop().await;
}

#[tokio::test]
async fn foreign_origin_is_refused_on_state_changing_requests() {
    let srv = TestServer::start().await;
    let (status, body) = json_of(
        client()
            .post(srv.url("/api/v1/login"))
            .header("origin", "http://evil.example")
            .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "FORBIDDEN");
    // Server functions are behind the same check.
    let res = client()
        .post(srv.url("/rpc/login"))
        .header("origin", "null")
        .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The console's own origin passes.
    let own = srv.base.clone();
    let res = client()
        .post(srv.url("/api/v1/login"))
        .header("origin", own)
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Reads are not state-changing and are not refused.
    let res = client()
        .get(srv.url("/healthz"))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    srv.stop().await;
}

fn ci_token() -> tokens::TokenOptions {
    tokens::TokenOptions {
        label: Some("ci".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn bearer_tokens_work_until_revoked_or_the_user_is_disabled_for_good() {
    let srv = TestServer::start().await;
    srv.add_user("robot", Role::Operator).await;
    let token = tokens::create(&srv.ctx().db, "robot", &ci_token())
        .await
        .unwrap();
    let me = |t: String| client().get(srv.url("/api/v1/me")).bearer_auth(t).send();
    let (status, body) = json_of(me(token.secret.clone()).await.unwrap()).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"data": {"username": "robot", "role": "operator", "must_change_password": false}})
        )
    );
    assert_eq!(
        me("bosun_not-a-real-token".into()).await.unwrap().status(),
        401
    );

    users::set_disabled(&srv.ctx().db, "robot", true)
        .await
        .unwrap();
    assert_eq!(me(token.secret.clone()).await.unwrap().status(), 401);
    users::set_disabled(&srv.ctx().db, "robot", false)
        .await
        .unwrap();
    // Disabling ended the token for good: enabling the account does not bring it back.
    assert_eq!(me(token.secret.clone()).await.unwrap().status(), 401);
    let token = tokens::create(&srv.ctx().db, "robot", &ci_token())
        .await
        .unwrap();
    assert_eq!(me(token.secret.clone()).await.unwrap().status(), 200);

    tokens::revoke(&srv.ctx().db, token.id).await.unwrap();
    assert_eq!(me(token.secret).await.unwrap().status(), 401);
    srv.stop().await;
}

#[tokio::test]
async fn tokens_have_a_scope_and_an_expiry_and_their_owner_lists_and_revokes_them() {
    let srv = TestServer::start().await;
    srv.add_user("robot", Role::Operator).await;
    srv.add_user("eve", Role::Operator).await;
    let robot = srv.signed_in("robot", PASSWORD).await;
    let mine = srv.url("/api/v1/me/tokens");
    let bearer = |method: reqwest::Method, path: &str, token: &str| {
        client()
            .request(method, srv.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(json!({"label": "from a token"}).to_string())
            .send()
    };

    // Made by their owner over REST: the secret once, the scope, the expiry.
    let (status, read) = send(
        &robot,
        "POST",
        &mine,
        Some(json!({"label": "dashboards", "scope": "read", "expires_days": 7})),
    )
    .await;
    assert_eq!(status, 201, "{read}");
    assert_eq!(read["data"]["scope"], "read");
    let week = time::OffsetDateTime::now_utc() + time::Duration::days(7);
    assert!(
        read["data"]["expires_at"]
            .as_str()
            .unwrap()
            .starts_with(&week.date().to_string()),
        "{read}"
    );
    let read_secret = read["data"]["token"].as_str().unwrap().to_string();
    let read_id = read["data"]["id"].as_i64().unwrap();
    let (status, full) = send(&robot, "POST", &mine, Some(json!({"label": "deploys"}))).await;
    assert_eq!(status, 201, "{full}");
    assert_eq!(full["data"]["scope"], "role");
    let full_secret = full["data"]["token"].as_str().unwrap().to_string();
    let full_id = full["data"]["id"].as_i64().unwrap();
    for bad in [
        json!({"expires_days": 0}),
        json!({"expires_days": 5000}),
        json!({"scope": "write"}),
        json!({"label": "x".repeat(200)}),
    ] {
        let (status, body) = send(&robot, "POST", &mine, Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }

    // Listed without secrets.
    let (status, list) = get(&robot, &mine).await;
    assert_eq!(status, 200, "{list}");
    let labels: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["deploys", "dashboards"]);
    assert!(!list.to_string().contains(&read_secret), "{list}");
    assert_eq!(list["data"][1]["active"], true);

    // A read token reads, as a viewer at most, and can never change anything.
    let res = bearer(reqwest::Method::GET, "/api/v1/me", &read_secret)
        .await
        .unwrap();
    let (status, me) = json_of(res).await;
    assert_eq!(
        (status, &me["data"]["role"]),
        (200, &json!("viewer")),
        "{me}"
    );
    for path in ["/api/v1/me/tokens", "/api/v1/me/sessions/end"] {
        let res = bearer(reqwest::Method::POST, path, &read_secret)
            .await
            .unwrap();
        let (status, body) = json_of(res).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("read-only"),
            "{body}"
        );
    }
    // The full token acts with the user's role, but cannot make a token (a leaked one
    // must not outlive its expiry through a longer-lived child).
    let res = bearer(reqwest::Method::GET, "/api/v1/me", &full_secret)
        .await
        .unwrap();
    let (status, me) = json_of(res).await;
    assert_eq!(
        (status, &me["data"]["role"]),
        (200, &json!("operator")),
        "{me}"
    );
    let res = bearer(reqwest::Method::POST, "/api/v1/me/tokens", &full_secret)
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("cannot make tokens"),
        "{body}"
    );

    // Its first use of the day is audited once; the refusals each.
    for _ in 0..3 {
        let res = bearer(reqwest::Method::GET, "/api/v1/me", &read_secret)
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let rows = audit_rows(&srv, &format!("action=token.use&name={read_id}")).await;
    let outcomes: Vec<&str> = rows
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes.iter().filter(|o| **o == "succeeded").count(),
        1,
        "{rows:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| **o == "denied").count(),
        2,
        "{rows:?}"
    );

    // Someone else's token is not theirs to revoke; the owner's revoke ends it.
    let eve = srv.signed_in("eve", PASSWORD).await;
    let (status, _) = send(&eve, "DELETE", &format!("{mine}/{read_id}"), None).await;
    assert_eq!(status, 404);
    let (status, _) = send(&robot, "DELETE", &format!("{mine}/{read_id}"), None).await;
    assert_eq!(status, 200);
    let res = bearer(reqwest::Method::GET, "/api/v1/me", &read_secret)
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let (_, list) = get(&robot, &mine).await;
    let revoked = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == read_id)
        .unwrap();
    assert_eq!(revoked["active"], false);
    assert!(revoked["revoked_at"].is_string());

    // An expired token is refused like an unknown one.
    sqlx::query("UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00Z' WHERE id = ?")
        .bind(full_id)
        .execute(&srv.ctx().db)
        .await
        .unwrap();
    let res = bearer(reqwest::Method::GET, "/api/v1/me", &full_secret)
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // Admins see and revoke everyone's; others may not list them.
    let (status, all) = get(&srv.admin().await, &srv.url("/api/v1/tokens")).await;
    assert_eq!(status, 200, "{all}");
    assert!(
        all["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["username"] == "robot" && t["id"] == full_id && t["active"] == false),
        "{all}"
    );
    let (status, _) = get(&robot, &srv.url("/api/v1/tokens")).await;
    assert_eq!(status, 403);
    srv.stop().await;
}

#[tokio::test]
async fn disabling_a_user_ends_their_open_session() {
    let srv = TestServer::start().await;
    srv.add_user("carol", Role::Viewer).await;
    let carol = srv.signed_in("carol", PASSWORD).await;
    assert_eq!(
        carol
            .get(srv.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    users::set_disabled(&srv.ctx().db, "carol", true)
        .await
        .unwrap();
    assert_eq!(
        carol
            .get(srv.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // And a disabled account cannot sign in again.
    let res = client()
        .post(srv.url("/api/v1/login"))
        .json(&json!({"username": "carol", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    srv.stop().await;
}

#[tokio::test]
async fn logins_and_user_changes_are_audited() {
    let srv = TestServer::start().await;
    let admin = srv.signed_in("admin", ADMIN_PASSWORD).await;
    let res = admin
        .post(srv.url("/api/v1/users"))
        .json(&json!({"username": "dave", "password": PASSWORD, "role": "operator"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let _ = client()
        .post(srv.url("/api/v1/login"))
        .json(&json!({"username": "dave", "password": "nope nope"}))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(
        admin
            .get(srv.url("/api/v1/audit?limit=10"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let rows: Vec<(String, String, String, String, String)> = body["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_string();
            (
                s("user"),
                s("action"),
                format!("{}/{}", s("kind"), s("name")),
                s("outcome"),
                s("source"),
            )
        })
        .collect();
    for expected in [
        ("admin", "session.login", "user/admin", "succeeded", "api"),
        ("admin", "user.create", "user/dave", "succeeded", "api"),
        ("anonymous", "session.login", "user/dave", "failed", "api"),
    ] {
        let expected = (
            expected.0.to_string(),
            expected.1.to_string(),
            expected.2.to_string(),
            expected.3.to_string(),
            expected.4.to_string(),
        );
        assert!(rows.contains(&expected), "{expected:?} not in {rows:?}");
    }
    srv.stop().await;
}

#[tokio::test]
async fn parallel_guesses_cannot_slip_past_the_throttle() {
    let srv = TestServer::start().await;
    let guesses = (0..20).map(|i| {
        let url = srv.url("/api/v1/login");
        async move {
            let body = json!({"username": "admin", "password": format!("guess number {i}")});
            client()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, throttled), (5, 15), "{statuses:?}");
    srv.stop().await;
}

#[tokio::test]
async fn rest_logout_and_a_patch_of_a_missing_user_are_audited() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let (status, body) = send(
        &admin,
        "PATCH",
        &srv.url("/api/v1/users/nobody"),
        Some(json!({"role": "viewer"})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("NOT_FOUND")),
        "{body}"
    );
    let rows = audit_rows(&srv, "action=user.set_role&name=nobody").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["outcome"], "failed");
    assert_eq!(rows[0]["user"], "admin");
    assert_eq!(rows[0]["source"], "api");
    assert!(
        rows[0]["error"].as_str().unwrap().contains("not found"),
        "{rows:?}"
    );

    let viewer = srv.as_role(Role::Viewer).await;
    let (status, _) = send(&viewer, "POST", &srv.url("/api/v1/logout"), None).await;
    assert_eq!(status, 200);
    let rows = audit_rows(&srv, "action=session.logout").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0]["user"].as_str(), rows[0]["name"].as_str()),
        (Some("as-viewer"), Some("as-viewer"))
    );
    srv.stop().await;
}

#[tokio::test]
async fn a_role_refusal_is_audited_as_denied() {
    let srv = TestServer::start().await;
    let viewer = srv.as_role(Role::Viewer).await;
    let (status, _) = send(
        &viewer,
        "POST",
        &srv.url("/api/v1/users"),
        Some(json!({"username": "eve", "password": PASSWORD, "role": "admin"})),
    )
    .await;
    assert_eq!(status, 403);
    let rows = audit_rows(&srv, "action=user.create&outcome=denied").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0]["user"].as_str(), rows[0]["name"].as_str()),
        (Some("as-viewer"), Some("eve"))
    );
    assert_eq!(
        rows[0]["error"],
        "create user needs the admin role; as-viewer is viewer"
    );
    srv.stop().await;
}

#[tokio::test]
async fn a_generated_first_password_is_kept_in_an_owner_only_file_and_must_be_replaced_first() {
    let srv = TestServer::start_with(|c| c.admin_password = None).await;
    let file = srv
        .data_dir
        .join(bosun_core::bootstrap::FIRST_PASSWORD_FILE);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", file.display());
    }
    let generated = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert_eq!(generated.len(), 24);
    let admin = srv.signed_in("admin", &generated).await;

    // Who one is still answers, and says what must happen first.
    let (status, me) = get(&admin, &srv.url("/api/v1/me")).await;
    assert_eq!(
        (status, &me["data"]["must_change_password"]),
        (200, &json!(true))
    );
    // Anything else is refused, naming the way out; pages lead to the password form.
    let (status, body) = get(&admin, &srv.url("/api/v1/clusters")).await;
    assert_eq!(status, 403, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("generated first password"), "{message}");
    assert!(message.contains("POST /api/v1/me/password"), "{message}");
    let res = admin.get(srv.url("/clusters")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account");
    let page = admin.get(srv.url("/account")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("first-password-notice"));
    assert!(
        !html.contains(r#"href="/clusters""#),
        "no sections until replaced"
    );

    // The generated password cannot be "replaced" by itself.
    let (status, body) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/me/password"),
        Some(json!({"current": generated, "new": generated})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/me/password"),
        Some(json!({"current": generated, "new": "the admin's own password"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["must_change_password"], json!(false));
    let (status, _) = get(&admin, &srv.url("/api/v1/clusters")).await;
    assert_eq!(status, 200);
    assert_eq!(admin.get(srv.url("/")).send().await.unwrap().status(), 200);

    // The file is kept until the next start, which removes it.
    assert!(file.exists());
    let srv = srv.restart().await;
    assert!(!file.exists(), "{} outlived its password", file.display());
    srv.stop().await;
}
