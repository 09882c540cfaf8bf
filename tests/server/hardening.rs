//! Security hardening over real HTTP: response headers, body limits, the loopback Host
//! rule without a public URL, and owner-only modes of the data directory.

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn pages_and_api_answers_carry_the_security_headers_and_are_never_cached() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    for path in ["/workloads", "/api/v1/me", "/login"] {
        let res = admin.get(srv.url(path)).send().await.unwrap();
        let headers = res.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert!(
            !headers.contains_key("strict-transport-security"),
            "no HSTS over plain http: {path}"
        );
    }
    // A page's scripts run only with the nonce of its own response: every inline script
    // carries it, and no two responses share one.
    // (The sign-in page is asked for anonymously: a signed-in caller is redirected.)
    let anonymous = client();
    let mut nonces = Vec::new();
    for (path, who) in [("/workloads", &admin), ("/login", &anonymous)] {
        for _ in 0..2 {
            let res = who.get(srv.url(path)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            let policy = res.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .to_string();
            let nonce = policy
                .split("'nonce-")
                .nth(1)
                .and_then(|rest| rest.split('\'').next())
                .unwrap_or_else(|| panic!("{path}: no nonce in {policy}"))
                .to_string();
            assert!(
                policy.contains("script-src 'self' 'nonce-") && !policy.contains("'unsafe-eval'"),
                "{policy}"
            );
            assert!(!policy.contains("script-src 'unsafe-inline'"), "{policy}");
            let html = res.text().await.unwrap();
            let scripts: Vec<&str> = html.split("<script").skip(1).collect();
            assert!(!scripts.is_empty(), "{path}");
            for script in scripts {
                let tag = script.split('>').next().unwrap();
                assert!(
                    tag.contains(&format!("nonce=\"{nonce}\"")),
                    "{path}: a script without this response's nonce: <script{tag}>"
                );
            }
            nonces.push(nonce);
        }
    }
    let mut distinct = nonces.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), nonces.len(), "{nonces:?}");

    let res = admin.get(srv.url("/pkg/bosun.css")).send().await.unwrap();
    assert_ne!(
        res.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "the bundle may be cached"
    );
    srv.stop().await;
}

#[tokio::test]
async fn https_public_url_adds_hsts() {
    let srv = TestServer::start_with(|c| {
        c.public_url = Some(bosun::config::parse_public_url("https://bosun.example.com").unwrap());
    })
    .await;
    let res = client().get(srv.url("/healthz")).send().await.unwrap();
    assert!(
        res.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age="),
        "{:?}",
        res.headers()
    );
    srv.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_a_kubeconfig_upload_may_be_larger() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let big = "x".repeat(2 * 1024 * 1024);
    let (status, body) = send(
        &client(),
        "POST",
        &srv.url("/api/v1/login"),
        Some(json!({"username": "admin", "password": big})),
    )
    .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["code"], "PAYLOAD_TOO_LARGE", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("1024 KiB"),
        "{body}"
    );
    // The same size is read where a kubeconfig is uploaded (and refused for what it is).
    let (status, body) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/clusters"),
        Some(json!({"name": "big", "kubeconfig": big})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    // The server is still there.
    let (status, _) = send(&admin, "GET", &srv.url("/api/v1/me"), None).await;
    assert_eq!(status, 200);
    srv.stop().await;
}

#[tokio::test]
async fn without_a_public_url_a_state_change_needs_a_loopback_host() {
    let srv = TestServer::start().await;
    let port = srv.base.rsplit(':').next().unwrap().to_string();
    let login = json!({"username": "admin", "password": ADMIN_PASSWORD});
    // A page at a hostile name rebound to the console's address.
    let res = client()
        .post(srv.url("/api/v1/login"))
        .header("host", format!("rebound.evil.example:{port}"))
        .header("origin", format!("http://rebound.evil.example:{port}"))
        .json(&login)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("--public-url"),
        "{body}"
    );
    // Reading stays possible (probes through a load balancer), and localhost works.
    let res = client()
        .get(srv.url("/healthz"))
        .header("host", format!("rebound.evil.example:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = client()
        .post(srv.url("/api/v1/login"))
        .header("host", format!("localhost:{port}"))
        .json(&login)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    srv.stop().await;
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_dir_and_its_secrets_are_the_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let srv = TestServer::start_with(|c| c.demo_cluster = true).await;
    let dir = srv.data_dir.clone();
    assert_eq!(mode(&dir), 0o700);
    for file in ["bosun.db", "secret.key", "demo.kubeconfig"] {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }
    // Loosened while the console was down: tightened at the next start.
    let srv = {
        let srv = srv;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(dir.join("bosun.db"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        srv.restart().await
    };
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("bosun.db")), 0o600);
    srv.stop().await;
}

#[tokio::test]
async fn a_request_in_flight_at_sign_out_does_not_bring_the_session_back() {
    let srv = TestServer::start().await;
    // A cluster that accepts connections and never answers: adding it is slow.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            sockets.push(socket);
        }
    });
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = bare
        .post(srv.url("/api/v1/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = session_cookie(&res);
    let me = |cookie: String| me_status_with_cookie(&bare, &srv, cookie);
    assert_eq!(me(cookie.clone()).await, 200);

    let slow = {
        let bare = bare.clone();
        let cookie = cookie.clone();
        let url = srv.url("/api/v1/clusters");
        let kubeconfig =
            crate::clusters::kubeconfig_for(&format!("http://127.0.0.1:{silent_port}"), "t");
        tokio::spawn(async move {
            bare.post(url)
                .header("cookie", cookie)
                .json(&json!({"name": "silent", "kubeconfig": kubeconfig}))
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let res = bare
        .post(srv.url("/api/v1/logout"))
        .header("cookie", cookie.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(me(cookie.clone()).await, 401, "signed out");
    let slow_status = slow.await.unwrap().expect("the slow request is answered");
    // A 5xx would not be saved by any store, which would hide the race.
    assert!(slow_status < 500, "{slow_status}");
    assert_eq!(
        me(cookie).await,
        401,
        "the request that finished after sign-out did not write the session back"
    );
    held.abort();
    srv.stop().await;
}

#[tokio::test]
async fn a_copy_of_the_database_does_not_hand_out_sessions() {
    let srv = TestServer::start().await;
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = bare
        .post(srv.url("/api/v1/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&res);
    let (_, id) = cookie.split_once('=').unwrap();
    assert_eq!(
        me_status_with_cookie(&bare, &srv, cookie.clone()).await,
        200
    );

    let db = bosun_core::db::open(&srv.data_dir).await.unwrap();
    let rows: Vec<(String, Vec<u8>)> = sqlx::query_as("SELECT id, data FROM tower_sessions")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(!rows.is_empty());
    for (key, data) in rows {
        assert_ne!(key, id, "the session id is not stored");
        assert_eq!(key.len(), 64, "a SHA-256: {key}");
        assert!(
            !String::from_utf8_lossy(&data).contains(id),
            "the record does not carry the id"
        );
    }
    db.close().await;
    srv.stop().await;
}

/// The status of `GET /api/v1/me` with exactly this cookie (no cookie jar).
async fn me_status_with_cookie(bare: &reqwest::Client, srv: &TestServer, cookie: String) -> u16 {
    bare.get(srv.url("/api/v1/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn login_from(
    srv: &TestServer,
    forwarded_for: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    client()
        .post(srv.url("/api/v1/login"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn behind_a_trusted_proxy_two_clients_are_throttled_apart() {
    let srv = TestServer::start_with(|c| {
        c.trusted_proxies =
            bosun::http::client_addr::TrustedProxies::parse("127.0.0.1/32").unwrap();
    })
    .await;
    for i in 0..5 {
        let res = login_from(&srv, "203.0.113.5", &format!("guess-{i}"), "wrong password").await;
        assert_eq!(res.status(), 401);
    }
    let res = login_from(&srv, "203.0.113.5", "guess-5", "wrong password").await;
    assert_eq!(res.status(), 429, "the guessing client waits");
    // Another client behind the same proxy is not held up by the first one.
    let res = login_from(&srv, "198.51.100.9", "admin", ADMIN_PASSWORD).await;
    assert_eq!(res.status(), 200);
    srv.stop().await;
}

#[tokio::test]
async fn a_forwarded_for_header_from_an_untrusted_peer_is_ignored() {
    let srv = TestServer::start().await;
    for i in 0..5 {
        let spoofed = format!("198.51.100.{i}");
        let res = login_from(&srv, &spoofed, &format!("guess-{i}"), "wrong password").await;
        assert_eq!(res.status(), 401);
    }
    let res = login_from(&srv, "198.51.100.77", "someone", "wrong password").await;
    assert_eq!(
        res.status(),
        429,
        "the peer is the client, whatever it claims"
    );
    srv.stop().await;
}

#[tokio::test]
async fn a_locked_name_lets_the_right_password_in_after_the_stated_wait() {
    let srv = TestServer::start_with(|c| {
        c.trusted_proxies =
            bosun::http::client_addr::TrustedProxies::parse("127.0.0.1/32").unwrap();
    })
    .await;
    // A stranger guesses admin's password from many addresses.
    for i in 0..6 {
        let res = login_from(&srv, &format!("203.0.113.{i}"), "admin", "wrong password").await;
        assert!(matches!(res.status().as_u16(), 401 | 429));
    }
    let res = login_from(&srv, "198.51.100.9", "admin", ADMIN_PASSWORD).await;
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    let res = login_from(&srv, "198.51.100.9", "admin", ADMIN_PASSWORD).await;
    assert_eq!(res.status(), 200, "the rightful user is in after the wait");
    srv.stop().await;
}

async fn me_status(client: &reqwest::Client, srv: &TestServer) -> u16 {
    client
        .get(srv.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn token_status(srv: &TestServer, token: &str) -> u16 {
    client()
        .get(srv.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_and_token_of_the_user() {
    let srv = TestServer::start().await;
    srv.add_user("pat", bosun_core::Role::Operator).await;
    let here = srv.signed_in("pat", PASSWORD).await;
    let elsewhere = srv.signed_in("pat", PASSWORD).await;
    let token = bosun_core::accounts::create_token(
        srv.ctx(),
        &bosun_core::Invocation::cli(),
        "pat",
        &bosun_core::tokens::TokenOptions::default(),
    )
    .await
    .unwrap()
    .secret;
    assert_eq!(token_status(&srv, &token).await, 200);

    let url = srv.url("/api/v1/me/password");
    let (status, body) = send(
        &here,
        "POST",
        &url,
        Some(json!({"current": "not my password", "new": "a brand new password"})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        me_status(&elsewhere, &srv).await,
        200,
        "nothing changed yet"
    );
    let (status, body) = send(
        &here,
        "POST",
        &url,
        Some(json!({"current": PASSWORD, "new": "short"})),
    )
    .await;
    assert_eq!(status, 400, "{body}");

    let (status, body) = send(
        &here,
        "POST",
        &url,
        Some(json!({"current": PASSWORD, "new": "a brand new password"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(me_status(&here, &srv).await, 200, "this session goes on");
    assert_eq!(
        me_status(&elsewhere, &srv).await,
        401,
        "the other one ended"
    );
    assert_eq!(token_status(&srv, &token).await, 401, "the token ended");
    let (status, _) = send(
        &client(),
        "POST",
        &srv.url("/api/v1/login"),
        Some(json!({"username": "pat", "password": "a brand new password"})),
    )
    .await;
    assert_eq!(status, 200);
    let rows = audit_rows(&srv, "action=me.password").await;
    assert!(rows.iter().any(|r| r["outcome"] == "succeeded"), "{rows:?}");
    srv.stop().await;
}

#[tokio::test]
async fn a_role_change_and_sign_out_everywhere_end_the_users_sessions() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    srv.add_user("quinn", bosun_core::Role::Operator).await;
    let quinn = srv.signed_in("quinn", PASSWORD).await;
    let (status, body) = send(
        &admin,
        "PATCH",
        &srv.url("/api/v1/users/quinn"),
        Some(json!({"role": "viewer"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        me_status(&quinn, &srv).await,
        401,
        "the operator session does not live on as a viewer's"
    );

    // The person's own "sign out everywhere" ends this session and the others.
    let one = srv.signed_in("quinn", PASSWORD).await;
    let two = srv.signed_in("quinn", PASSWORD).await;
    let (status, body) = send(&one, "POST", &srv.url("/api/v1/me/sessions/end"), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(me_status(&one, &srv).await, 401);
    assert_eq!(me_status(&two, &srv).await, 401);

    // And an admin's, for someone else.
    let three = srv.signed_in("quinn", PASSWORD).await;
    let (status, body) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/users/quinn/sessions/end"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(me_status(&three, &srv).await, 401);
    assert_eq!(
        me_status(&admin, &srv).await,
        200,
        "the admin's own session is untouched"
    );
    srv.stop().await;
}

#[tokio::test]
async fn over_https_the_session_cookie_is_host_prefixed_and_plain_http_beyond_loopback_is_flagged()
{
    let srv = TestServer::start_with(|c| {
        c.public_url = Some(bosun::config::parse_public_url("https://bosun.example.com").unwrap());
    })
    .await;
    let res = client()
        .post(srv.url("/api/v1/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-bosun_session="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain="), "{cookie}");
    srv.stop().await;

    let mut config = bosun::config::ServerConfig::for_tests("unused".into());
    assert!(!bosun::server::exposed_without_https(&config), "loopback");
    config.listen = "0.0.0.0:3000".parse().unwrap();
    assert!(bosun::server::exposed_without_https(&config));
    config.public_url = Some(bosun::config::parse_public_url("https://bosun.example.com").unwrap());
    assert!(!bosun::server::exposed_without_https(&config));
}

#[tokio::test]
async fn only_admins_read_names_typed_at_failed_sign_ins_and_internal_error_text() {
    let srv = TestServer::start().await;
    // Someone types their password into the user name field.
    let typed = "correct-horse-battery-staple";
    let res = client()
        .post(srv.url("/api/v1/login"))
        .json(&json!({"username": typed, "password": "whatever it was"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // An action fails inside Bosun, with text meant for whoever runs the server.
    let inv = bosun_core::Invocation::http(
        Some(bosun_core::auth::Caller::local()),
        bosun_model::Source::Api,
    );
    let failed = bosun_core::actions::perform(
        srv.ctx(),
        &inv,
        bosun_model::Action::PinAdd,
        &bosun_core::authz::Target::stored("pin", "payments"),
        json!(null),
        |_| async {
            Err::<(), _>(bosun_core::Error::Internal(
                "disk /var/lib/x is full".into(),
            ))
        },
    )
    .await;
    assert!(failed.is_err());

    let viewer = srv.as_role(bosun_core::Role::Viewer).await;
    let (status, body) = get(&viewer, &srv.url("/api/v1/audit?limit=50")).await;
    assert_eq!(status, 200, "{body}");
    let text = body.to_string();
    assert!(!text.contains(typed), "a viewer read a typed name: {text}");
    assert!(
        !text.contains("/var/lib/x"),
        "a viewer read internal text: {text}"
    );
    let items = body["data"]["items"].as_array().unwrap();
    let sign_in = items
        .iter()
        .find(|e| e["action"] == "session.login" && e["outcome"] == "failed")
        .expect("the failed sign-in is listed");
    assert_eq!(sign_in["name"], bosun_core::audit::HIDDEN);
    let pin = items.iter().find(|e| e["action"] == "pin.add").unwrap();
    assert!(
        pin["error"].as_str().unwrap().starts_with("internal error"),
        "{pin}"
    );
    // Filtering by the hidden value finds nothing to confirm a guess with.
    for filter in [format!("name={typed}"), format!("user={typed}")] {
        let (_, body) = get(&viewer, &srv.url(&format!("/api/v1/audit?{filter}"))).await;
        assert_eq!(body["data"]["total"], 0, "{filter}: {body}");
    }

    // Admins read both.
    let rows = audit_rows(&srv, &format!("name={typed}")).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let rows = audit_rows(&srv, "action=pin.add").await;
    assert_eq!(rows[0]["error"], "disk /var/lib/x is full");
    srv.stop().await;
}
