//! A real Bosun server on a loopback port with a fresh SQLite database, and HTTP helpers.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

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
    pub async fn restart(mut self) -> Self {
        let tmp = self._tmp.take();
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        let config = ServerConfig::for_tests(self.data_dir.clone());
        let server = server::start(config).await.expect("server restarts");
        Self {
            base: format!("http://{}", server.addr),
            server: Some(server),
            data_dir: self.data_dir.clone(),
            _tmp: tmp,
        }
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
