//! A real Bosun server on a loopback port with a fresh SQLite database, and HTTP helpers.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bosun::config::ServerConfig;
use bosun::server::{self, RunningServer};
use bosun_core::{Role, users};
use serde_json::{Value, json};

pub const ADMIN_PASSWORD: &str = "admin-password";
pub const PASSWORD: &str = "correct horse battery";

pub struct TestServer {
    pub server: Option<RunningServer>,
    pub base: String,
    pub data_dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// A server with the built-in demo cluster (20× speed, requests recorded), its watch
    /// caches filled.
    pub async fn with_demo() -> Self {
        let srv = Self::start_with(|c| c.demo_cluster = true).await;
        srv.wait_for_caches("demo").await;
        srv
    }

    pub async fn start_with(adjust: impl FnOnce(&mut ServerConfig)) -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let data_dir = tmp.path().join("data");
        let mut config = ServerConfig::for_tests(data_dir.clone());
        adjust(&mut config);
        let server = server::start(config).await.expect("server starts");
        Self {
            base: format!("http://{}", server.addr),
            server: Some(server),
            data_dir,
            _tmp: Some(tmp),
        }
    }

    /// Stops the server and starts a new one on the same data directory.
    pub async fn restart(self) -> Self {
        self.restart_after(Duration::ZERO).await
    }

    /// Stops the console, leaves it down for `down`, and starts it on the same data.
    pub async fn restart_after(mut self, down: Duration) -> Self {
        let tmp = self._tmp.take();
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        tokio::time::sleep(down).await;
        let config = ServerConfig::for_tests(self.data_dir.clone());
        let server = server::start(config).await.expect("server restarts");
        Self {
            base: format!("http://{}", server.addr),
            server: Some(server),
            data_dir: self.data_dir.clone(),
            _tmp: tmp,
        }
    }

    /// Waits until the cluster's workload and pod lists are served from its caches.
    pub async fn wait_for_caches(&self, cluster: &str) {
        let admin = self.signed_in("admin", ADMIN_PASSWORD).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (w, body) = get(
                &admin,
                &self.url(&format!(
                    "/api/v1/clusters/{cluster}/namespaces/_all/workloads?limit=1"
                )),
            )
            .await;
            let (p, _) = get(
                &admin,
                &self.url(&format!(
                    "/api/v1/clusters/{cluster}/namespaces/_all/pods?limit=1"
                )),
            )
            .await;
            if w == 200 && p == 200 && body["data"]["total"].as_u64().unwrap_or(0) > 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "caches of {cluster} never filled: {w} {body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The embedded demo cluster.
    pub fn demo(&self) -> &bosun_demo_cluster::DemoCluster {
        self.server
            .as_ref()
            .and_then(|s| s.demo.as_ref())
            .expect("the server runs the demo cluster")
    }

    /// Requests the demo cluster received since the last call, as `METHOD path?query`
    /// with content type and body.
    pub fn take_demo_requests(&self) -> Vec<bosun_demo_cluster::RecordedRequest> {
        let demo = self.demo();
        let requests = demo.recorded_requests();
        demo.clear_recorded_requests();
        requests
    }

    /// Requests other than reads (the caches' watches and lists are left out).
    pub fn take_demo_writes(&self) -> Vec<bosun_demo_cluster::RecordedRequest> {
        self.take_demo_requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .collect()
    }

    /// A signed-in admin.
    pub async fn admin(&self) -> reqwest::Client {
        self.signed_in("admin", ADMIN_PASSWORD).await
    }

    /// A signed-in user with a role, created on first use.
    pub async fn as_role(&self, role: Role) -> reqwest::Client {
        let name = format!("as-{role}");
        if users::find(&self.ctx().db, &name).await.is_err() {
            self.add_user(&name, role).await;
        }
        self.signed_in(&name, PASSWORD).await
    }

    pub fn ctx(&self) -> &bosun_core::Context {
        &self.server.as_ref().expect("running").ctx
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates an account straight in the database.
    pub async fn add_user(&self, name: &str, role: Role) {
        users::create(&self.ctx().db, name, PASSWORD, role)
            .await
            .expect("user created");
    }

    /// A client with its own cookie jar, signed in as `name`.
    pub async fn signed_in(&self, name: &str, password: &str) -> reqwest::Client {
        let client = client();
        let res = client
            .post(self.url("/api/v1/login"))
            .json(&json!({"username": name, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(
            res.status(),
            200,
            "login as {name}: {}",
            res.text().await.unwrap_or_default()
        );
        client
    }

    /// Stops the server but keeps its data directory (dropped with the returned guard).
    pub async fn stop_keeping_data(mut self) -> (PathBuf, Option<tempfile::TempDir>) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        (self.data_dir.clone(), self._tmp.take())
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// Parses a response as JSON, with the status alongside.
pub async fn json_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    let value = match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(_) => Value::String(text),
    };
    (status, value)
}

/// `GET` and the JSON answer.
pub async fn get(client: &reqwest::Client, url: &str) -> (u16, Value) {
    json_of(client.get(url).send().await.expect("request")).await
}

/// A request with a JSON body (or none) and the JSON answer.
pub async fn send(
    client: &reqwest::Client,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
    if let Some(body) = body {
        req = req.json(&body);
    }
    json_of(req.send().await.expect("request")).await
}

/// Polls `check` until it returns `Some`, or fails after `secs` seconds saying `what`.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Reads an object straight from the demo cluster, as kubectl would.
pub async fn cluster_object(srv: &TestServer, path: &str) -> Value {
    let res = reqwest::get(format!("{}{path}", srv.demo().url()))
        .await
        .expect("demo cluster answers");
    let (status, body) = json_of(res).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// The newest audit rows (admin view).
pub async fn audit_rows(srv: &TestServer, query: &str) -> Vec<Value> {
    let admin = srv.admin().await;
    let (status, body) = get(&admin, &srv.url(&format!("/api/v1/audit?{query}"))).await;
    assert_eq!(status, 200, "{body}");
    body["data"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The `name=value` of the session cookie a response sets, to send it by hand.
pub fn session_cookie(res: &reqwest::Response) -> String {
    let header = res.headers()["set-cookie"].to_str().expect("cookie text");
    header.split(';').next().unwrap_or_default().to_string()
}

/// Sends a JSON body straight to the demo cluster (fixtures), panicking on failure.
pub async fn demo_send(
    srv: &TestServer,
    method: reqwest::Method,
    path: &str,
    content_type: &str,
    body: Value,
) {
    let res = reqwest::Client::new()
        .request(method, format!("{}{path}", srv.demo().url()))
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success(),
        "fixture {path}: {}",
        res.text().await.unwrap_or_default()
    );
}

/// A node of its own (tainted NoSchedule) holding two ready pods (no controller, label `app=<name>`) and a
/// PodDisruptionBudget that needs both: every eviction from it is refused (429) until
/// the budget is relaxed, so a drain of it keeps running.
pub async fn blocked_drain_fixture(srv: &TestServer, name: &str) {
    let post = reqwest::Method::POST;
    let json = "application/json";
    demo_send(
        srv,
        post.clone(),
        "/api/v1/nodes",
        json,
        // Tainted, so the scheduler puts no other pod (with emptyDir data, say) on it.
        serde_json::json!({
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": {"taints": [{"key": "bosun.test/fixture", "effect": "NoSchedule"}]},
            "status": {"capacity": {"cpu": "2", "memory": "4Gi", "pods": "110"},
                       "allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"}},
        }),
    )
    .await;
    for pod in ["a", "b"] {
        demo_send(
            srv,
            post.clone(),
            "/api/v1/namespaces/shop/pods",
            json,
            serde_json::json!({
                "metadata": {"name": format!("{name}-{pod}"), "labels": {"app": name}},
                "spec": {"nodeName": name, "containers": [{"name": "c", "image": "nginx"}]},
            }),
        )
        .await;
    }
    demo_send(
        srv,
        post,
        "/apis/policy/v1/namespaces/shop/poddisruptionbudgets",
        json,
        serde_json::json!({
            "metadata": {"name": name},
            "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": name}}},
        }),
    )
    .await;
    let admin = srv.admin().await;
    for pod in ["a", "b"] {
        let url = srv.url(&format!(
            "/api/v1/clusters/demo/namespaces/shop/pods/{name}-{pod}"
        ));
        eventually(60, "fixture pod ready", || async {
            let (status, body) = get(&admin, &url).await;
            (status == 200 && body["data"]["row"]["ready"] == 1).then_some(())
        })
        .await;
    }
}

/// Opens a live list (`?watch=true`) and returns it with its first line (the page now).
pub async fn open_stream(client: &reqwest::Client, url: &str) -> (reqwest::Response, Value) {
    let mut res = client.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !text.contains('\n') {
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .unwrap_or_else(|_| panic!("the first page of {url} within 15 s"))
            .unwrap()
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let first = serde_json::from_str(text.lines().next().unwrap()).expect("a JSON line");
    (res, first)
}

/// Reads a live stream until a pushed page satisfies `wanted` (within 10 s), returning it.
pub async fn next_page_where(
    res: &mut reqwest::Response,
    what: &str,
    wanted: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut buffer = String::new();
    loop {
        while let Some(end) = buffer.find('\n') {
            let line: String = buffer.drain(..=end).collect();
            let page: Value = serde_json::from_str(line.trim()).expect("a JSON line");
            if wanted(&page) {
                return page;
            }
        }
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .unwrap_or_else(|_| panic!("{what} within 10 s"))
            .unwrap()
            .expect("the stream stays open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}
