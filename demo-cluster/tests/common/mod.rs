//! Test harness: a demo cluster per test, a kubeconfig in a temp dir, and helpers that
//! run the real kubectl and poll for state.
#![allow(dead_code)]

use std::future::Future;
use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

use bosun_demo_cluster::{DemoCluster, DemoConfig};
use serde_json::Value;

pub const KUBECTL: &str = "/usr/bin/kubectl";
/// Generous: the machine is small and shared.
pub const WAIT: Duration = Duration::from_secs(90);

pub struct Harness {
    pub cluster: DemoCluster,
    pub kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

pub async fn start() -> Harness {
    let cluster = DemoCluster::start(DemoConfig {
        time_scale: 20.0,
        record_requests: true,
        ..DemoConfig::default()
    })
    .await
    .expect("demo cluster starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("kubeconfig");
    cluster
        .write_kubeconfig(&kubeconfig, "demo")
        .expect("kubeconfig written");
    Harness {
        cluster,
        kubeconfig,
        _dir: dir,
    }
}

impl Harness {
    /// Runs kubectl with this cluster's kubeconfig (the administrator's token).
    pub async fn kubectl(&self, args: &[&str]) -> Output {
        run_kubectl(&self.kubeconfig, args).await
    }

    /// Runs kubectl as the user of `token` (e.g. `VIEWER_TOKEN`, or one the cluster does
    /// not know).
    pub async fn kubectl_as(&self, token: &str, args: &[&str]) -> Output {
        let path = self.kubeconfig.with_file_name(format!(
            "kubeconfig-{}",
            token.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        ));
        std::fs::write(&path, self.cluster.kubeconfig_yaml_for("demo", token))
            .expect("kubeconfig written");
        run_kubectl(&path, args).await
    }

    /// Runs kubectl, asserts success, returns stdout.
    pub async fn ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args).await;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {}\nstdout: {stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// `kubectl get ... -o json`, parsed.
    pub async fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&a).await).expect("kubectl printed JSON")
    }

    /// Polls `kubectl get ... -o json` until `pred` holds; returns the last value.
    pub async fn wait_json(
        &self,
        what: &str,
        args: &[&str],
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let start = Instant::now();
        loop {
            let v = self.json(args).await;
            if pred(&v) {
                return v;
            }
            assert!(
                start.elapsed() < WAIT,
                "timed out waiting for {what}; last: {v}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Runs kubectl with a kubeconfig (killed after 120 s).
async fn run_kubectl(kubeconfig: &std::path::Path, args: &[&str]) -> Output {
    let mut cmd = tokio::process::Command::new(KUBECTL);
    cmd.arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .kill_on_drop(true);
    tokio::time::timeout(Duration::from_secs(120), cmd.output())
        .await
        .unwrap_or_else(|_| panic!("kubectl {args:?} timed out"))
        .expect("kubectl runs")
}

/// Polls an async condition until it holds.
pub async fn eventually<F, Fut>(what: &str, f: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !f().await {
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

pub fn names(v: &Value) -> Vec<String> {
    items(v)
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap_or("").to_string())
        .collect()
}

pub fn running_ready(pod: &Value) -> bool {
    pod["status"]["phase"] == "Running"
        && pod["status"]["conditions"].as_array().is_some_and(|c| {
            c.iter()
                .any(|x| x["type"] == "Ready" && x["status"] == "True")
        })
}

/// Sends `method path` over plain HTTP (no token: the administrator) with a JSON body,
/// as a merge patch for PATCH; returns the status code and the parsed body (a JSON
/// string when it is not JSON).
pub async fn call(h: &Harness, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let method = http::Method::from_bytes(method.as_bytes()).expect("method");
    let content_type = if method == http::Method::PATCH {
        "application/merge-patch+json"
    } else {
        "application/json"
    };
    let mut req = reqwest::Client::new().request(method, format!("{}{path}", h.cluster.url()));
    if let Some(b) = body {
        req = req.header("content-type", content_type).body(b.to_string());
    }
    let resp = req.send().await.expect("http");
    let code = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (
        code,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// GET of `path`, asserting 200.
pub async fn get(h: &Harness, path: &str) -> Value {
    let (code, body) = call(h, "GET", path, None).await;
    assert_eq!(code, 200, "GET {path}: {body}");
    body
}

/// Polls `GET path` until `pred` holds; returns the last body.
pub async fn wait_get(h: &Harness, what: &str, path: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let (code, v) = call(h, "GET", path, None).await;
        if code == 200 && pred(&v) {
            return v;
        }
        assert!(
            start.elapsed() < WAIT,
            "timed out waiting for {what}; last: {code} {v}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
