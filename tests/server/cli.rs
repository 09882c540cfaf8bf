//! The `bosun` binary's commands and start-up checks, run as a user would run them.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TestServer, audit_rows, send};

fn bosun(data_dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bosun"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("BOSUN_NO_DEMO", "1")
        .env_remove("BOSUN_ADMIN_PASSWORD")
        .env_remove("BOSUN_LISTEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bosun runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("bosun finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn version_prints_the_package_version() {
    let out = Command::new(env!("CARGO_BIN_EXE_bosun"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout).trim(),
        format!("bosun {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn user_and_token_commands_manage_accounts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    let out = bosun(
        dir,
        &["user", "add", "Bob", "--role", "operator"],
        Some("a good password\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "created user bob with role operator"
    );

    let out = bosun(dir, &["user", "add", "bob"], Some("another password\n"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );

    let out = bosun(
        dir,
        &["user", "add", "zed", "--role", "root"],
        Some("a good password\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown role \"root\""),
        "{}",
        text(&out.stderr)
    );

    let out = bosun(dir, &["user", "add", "zed"], Some("short\n"));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("too short"));

    let out = bosun(dir, &["user", "passwd", "bob"], Some("a better password\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = bosun(
        dir,
        &["token", "create", "--user", "bob", "--name", "ci"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_string();
    assert!(token.starts_with("bosun_") && token.len() > 60, "{token}");
    assert!(text(&out.stderr).contains("shown only now"));

    let out = bosun(dir, &["token", "revoke", "1"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = bosun(dir, &["token", "revoke", "1"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no active token with id 1"));

    let out = bosun(dir, &["user", "disable", "bob"], None);
    assert!(out.status.success());
    let out = bosun(dir, &["user", "list"], None);
    let listing = text(&out.stdout);
    let bob = listing
        .lines()
        .find(|l| l.contains(" bob "))
        .expect("bob listed");
    assert!(
        bob.contains("operator") && bob.contains("disabled"),
        "{listing}"
    );

    let out = bosun(dir, &["user", "disable", "nobody"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not found"));
}

fn serve_fails_with(args: &[&str], data_dir: &std::path::Path) -> String {
    let out = bosun(data_dir, args, None);
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {} stderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let stderr = text(&out.stderr);
    stderr.lines().last().unwrap_or_default().to_string()
}

#[test]
fn bad_settings_stop_start_up_with_one_line_naming_the_setting() {
    let tmp = tempfile::tempdir().unwrap();
    let line = serve_fails_with(&["--listen", "not-an-address"], tmp.path());
    assert!(
        line.contains("BOSUN_LISTEN") && line.contains("not-an-address"),
        "{line}"
    );

    let line = serve_fails_with(&["--session-idle", "forever"], tmp.path());
    assert!(line.contains("BOSUN_SESSION_IDLE"), "{line}");

    let line = serve_fails_with(&["--public-url", "console.example.com"], tmp.path());
    assert!(line.contains("BOSUN_PUBLIC_URL"), "{line}");

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let line = serve_fails_with(&["--listen", &addr], tmp.path());
    assert!(
        line.contains("BOSUN_LISTEN") && line.contains("already in use"),
        "{line}"
    );

    let not_a_dir = tmp.path().join("file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let line = serve_fails_with(&["--listen", "127.0.0.1:0"], &not_a_dir.join("data"));
    assert!(line.contains("BOSUN_DATA_DIR"), "{line}");
}

#[test]
fn serve_names_the_first_admin_password_file_logs_json_and_stops_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let start = |log_format: &str| {
        Command::new(env!("CARGO_BIN_EXE_bosun"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(tmp.path())
            .env("BOSUN_NO_DEMO", "1")
            .env("BOSUN_LOG_FORMAT", log_format)
            .env("RUST_LOG", "info")
            .env_remove("BOSUN_ADMIN_PASSWORD")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let wait_ready = || {
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "server did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let stop = |child: std::process::Child| {
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        child.wait_with_output().unwrap()
    };

    let first = start("text");
    wait_ready();
    let out = stop(first);
    assert!(out.status.success(), "exit after SIGTERM: {:?}", out.status);
    let log = text(&out.stderr);
    // The log names the file; the password itself is only in the file.
    let file = tmp.path().join("first-admin-password");
    assert!(log.contains(&file.display().to_string()), "{log}");
    let password = std::fs::read_to_string(&file).unwrap();
    assert!(
        !log.contains(password.trim()),
        "the log holds the password: {log}"
    );
    assert!(log.contains("stopped cleanly"), "{log}");

    let second = start("json");
    wait_ready();
    let _ = std::net::TcpStream::connect(("127.0.0.1", port)).and_then(|mut s| {
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
        let mut sink = Vec::new();
        std::io::Read::read_to_end(&mut s, &mut sink)
    });
    let out = stop(second);
    let log = text(&out.stderr);
    assert!(
        !log.contains("created the first user"),
        "the first admin is made only on first start: {log}"
    );
    let request_line = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["path"] == "/healthz")
        .unwrap_or_else(|| panic!("no JSON request line in {log}"));
    assert_eq!(request_line["status"], 200);
    assert_eq!(request_line["method"], "GET");
    assert!(
        request_line["trace_id"]
            .as_str()
            .is_some_and(|t| t.len() == 36)
    );
}

#[test]
fn demo_cluster_command_serves_a_world_kubectl_can_read() {
    let tmp = tempfile::tempdir().unwrap();
    let kubeconfig = tmp.path().join("demo.kubeconfig");
    let child = Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args([
            "demo-cluster",
            "--listen",
            "127.0.0.1:0",
            "--pods",
            "500",
            "--kubeconfig-out",
        ])
        .arg(&kubeconfig)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !kubeconfig.exists() {
        assert!(Instant::now() < deadline, "no kubeconfig written");
        std::thread::sleep(Duration::from_millis(100));
    }
    let kubectl = |args: &[&str]| {
        let out = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(args)
            .output()
            .expect("kubectl runs");
        assert!(
            out.status.success(),
            "kubectl {args:?}: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    };
    // --pods 500 adds five nodes of 100 pods on top of the demo world's three, and exactly
    // 500 pods: Deployments written in steady state, a node agent on each generated node,
    // a StatefulSet and a Job the controllers bring up.
    let nodes = kubectl(&["get", "nodes", "-o", "name"]);
    assert_eq!(nodes.lines().count(), 8, "{nodes}");
    let generated = || {
        kubectl(&["get", "pods", "-A", "--no-headers"])
            .lines()
            .filter(|l| l.starts_with("load-"))
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while generated() != 500 {
        assert!(Instant::now() < deadline, "{} generated pods", generated());
        std::thread::sleep(Duration::from_millis(300));
    }
    let kinds = kubectl(&["get", "deploy,sts,ds,job", "-A", "--no-headers"]);
    for kind in [
        "deployment.apps/app-",
        "statefulset.apps/db",
        "daemonset.apps/node-agent",
        "job.batch/migrate",
    ] {
        assert!(kinds.contains(kind), "{kind} missing from {kinds}");
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

// The CLI runs as a child process while this test's demo cluster serves it: the runtime
// needs a thread that is not waiting for the child.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_commands_add_list_and_remove_with_the_same_audit_as_the_api() {
    let other = crate::clusters::second_cluster().await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let kubeconfig = dir.join("staging.kubeconfig");
    other.write_kubeconfig(&kubeconfig, "staging").unwrap();
    let out = bosun(
        dir,
        &[
            "cluster",
            "add",
            "staging",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--env",
            "stage",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("added cluster staging"), "{stdout}");
    assert!(stdout.contains("connection: reachable"), "{stdout}");

    let out = bosun(dir, &["cluster", "list"], None);
    assert!(
        text(&out.stdout)
            .lines()
            .any(|l| l.starts_with("staging") && l.contains("kubeconfig") && l.ends_with("stage")),
        "{}",
        text(&out.stdout)
    );

    let broken = dir.join("broken.kubeconfig");
    std::fs::write(&broken, "clusters: [this is: not yaml").unwrap();
    let out = bosun(
        dir,
        &[
            "cluster",
            "add",
            "broken",
            "--kubeconfig",
            broken.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("kubeconfig does not parse"),
        "{}",
        text(&out.stderr)
    );

    // The same addition through the API leaves the same record, from another source.
    let srv = TestServer::start_with(|c| c.data_dir = dir.to_path_buf()).await;
    let admin = srv.admin().await;
    let yaml = std::fs::read_to_string(&kubeconfig).unwrap();
    let (status, body) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/clusters"),
        Some(serde_json::json!({"name": "staging2", "kubeconfig": yaml, "environment": "stage"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let rows = audit_rows(&srv, "action=cluster.add&outcome=succeeded").await;
    let by_source = |source: &str| {
        rows.iter()
            .find(|r| r["source"] == source)
            .cloned()
            .unwrap_or_else(|| panic!("{source}: {rows:?}"))
    };
    let (cli, api) = (by_source("cli"), by_source("api"));
    assert_eq!(
        (cli["user"].as_str(), api["user"].as_str()),
        (Some("cli"), Some("admin"))
    );
    assert_eq!(
        (cli["kind"].as_str(), cli["cluster"].as_str()),
        (Some("cluster"), Some("staging"))
    );
    assert_eq!(
        cli["parameters"], api["parameters"],
        "the same parameters whichever way it came"
    );
    srv.stop().await;

    let out = bosun(dir, &["cluster", "remove", "staging"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = bosun(dir, &["cluster", "remove", "staging"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no cluster named \"staging\""),
        "{}",
        text(&out.stderr)
    );
    other.shutdown().await;
}
