//! The scale benchmark: `scripts/bench.sh [--pods N]` (or `cargo bench --bench scale --
//! --pods N`). On one machine and in one run it starts the demo cluster with N generated
//! pods and Bosun against it (two processes, as in production), waits for Bosun's caches
//! to sync, and prints a table: build and sync times, Bosun's memory, request latencies
//! over HTTP with a signed-in session, the same questions asked with kubectl, the time
//! from a change in the cluster to its line on a live list stream, and the wasm size.
//!
//! A program that prints figures, not a test: nothing here passes or fails on time.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const ADMIN_PASSWORD: &str = "bench-password-2f9c";
const CLUSTER: &str = "bench";

/// What to measure, from the command line.
struct Settings {
    pods: usize,
    requests: usize,
    changes: usize,
    kubectl_runs: usize,
}

impl Settings {
    fn from_args() -> Self {
        let mut s = Self {
            pods: 10_000,
            requests: 200,
            changes: 30,
            kubectl_runs: 3,
        };
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut i = 0;
        while i < args.len() {
            let value = || {
                args.get(i + 1)
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or_else(|| panic!("{} needs a number", args[i]))
            };
            match args[i].as_str() {
                "--pods" => s.pods = value(),
                "--requests" => s.requests = value(),
                "--changes" => s.changes = value(),
                "--kubectl-runs" => s.kubectl_runs = value(),
                // `cargo bench` passes `--bench`; `cargo test` may pass its own flags.
                _ => {
                    i += 1;
                    continue;
                }
            }
            i += 2;
        }
        s
    }
}

/// A child process killed when the benchmark ends, however it ends.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn bosun() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bosun"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn log_file(dir: &Path, name: &str) -> Stdio {
    Stdio::from(std::fs::File::create(dir.join(name)).expect("log file"))
}

/// `p` (0..=100) of durations, in milliseconds.
fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

struct Latency {
    p50: f64,
    p99: f64,
    n: usize,
}

fn summarise(mut samples: Vec<Duration>) -> Latency {
    samples.sort();
    Latency {
        p50: percentile(&samples, 50.0),
        p99: percentile(&samples, 99.0),
        n: samples.len(),
    }
}

/// Resident and peak memory of a process, in MiB, from `/proc`.
fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU", |(_, m)| m.trim())
        .to_string();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!("{cores} cores ({model}), {mem:.1} GiB RAM")
}

/// Times `n` runs of kubectl with its output discarded (it is read, as a user's terminal
/// would); the median.
fn kubectl_median(kubeconfig: &Path, args: &[&str], n: usize) -> f64 {
    let mut runs: Vec<Duration> = (0..n.max(1))
        .map(|_| {
            let t = Instant::now();
            let out = Command::new("kubectl")
                .arg("--kubeconfig")
                .arg(kubeconfig)
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .output()
                .expect("kubectl runs");
            let took = t.elapsed();
            assert!(
                out.status.success(),
                "kubectl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            took
        })
        .collect();
    runs.sort();
    runs[runs.len() / 2].as_secs_f64() * 1000.0
}

struct Console {
    http: reqwest::Client,
    base: String,
}

impl Console {
    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    async fn json(&self, path: &str) -> (u16, Value) {
        let resp = self.get(path).await;
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Times `n` requests of `path`, each answered 200 and read to the end.
    async fn time(&self, path: &str, n: usize) -> Latency {
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            let resp = self.get(path).await;
            assert_eq!(resp.status(), 200, "{path}");
            let body = resp.bytes().await.expect("body");
            samples.push(t.elapsed());
            assert!(!body.is_empty());
        }
        summarise(samples)
    }
}

fn wasm_sizes(pkg: &Path) -> String {
    let size = |name: &str| std::fs::metadata(pkg.join(name)).map(|m| m.len()).ok();
    let kb = |b: Option<u64>| {
        b.map_or("not built".to_string(), |b| {
            format!("{:.0} KB", b as f64 / 1000.0)
        })
    };
    format!(
        "{} raw, {} brotli, {} gzip",
        kb(size("bosun_bg.wasm")),
        kb(size("bosun_bg.wasm.br")),
        kb(size("bosun_bg.wasm.gz"))
    )
}

/// The demo cluster's plain-HTTP address (anonymous requests act as its administrator),
/// from the kubeconfig it wrote.
fn demo_base(kubeconfig: &Path) -> String {
    let text = std::fs::read_to_string(kubeconfig).expect("kubeconfig");
    let server = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("server:"))
        .expect("a server in the kubeconfig")
        .trim()
        .trim_matches('"')
        .to_string();
    server.replacen("https://", "http://", 1)
}

/// Names of the pods on a page line of a live list stream.
fn names_on(line: &str) -> Option<Vec<String>> {
    let v: Value = serde_json::from_str(line).ok()?;
    Some(
        v["data"]["items"]
            .as_array()?
            .iter()
            .filter_map(|r| r["name"].as_str().map(str::to_string))
            .collect(),
    )
}

/// Deletes pods of `namespace` one at a time and times how long until the console's live
/// stream of that namespace's pods sends a page without the deleted pod.
async fn change_to_stream(console: &Console, demo: &str, namespace: &str, n: usize) -> Latency {
    let path =
        format!("/api/v1/clusters/{CLUSTER}/namespaces/{namespace}/pods?watch=true&limit=500");
    let mut stream = console.get(&path).await;
    assert_eq!(stream.status(), 200, "{path}");
    let mut buffer = String::new();
    let mut next_page = async || -> Vec<String> {
        loop {
            if let Some(end) = buffer.find('\n') {
                let line: String = buffer.drain(..=end).collect();
                if let Some(names) = names_on(&line) {
                    return names;
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(30), stream.chunk())
                .await
                .expect("a page within 30 s")
                .expect("stream readable")
                .expect("stream open");
            buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    let mut page = next_page().await;
    let cluster = reqwest::Client::new();
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let Some(victim) = page.first().cloned() else {
            break;
        };
        let t = Instant::now();
        let resp = cluster
            .delete(format!(
                "{demo}/api/v1/namespaces/{namespace}/pods/{victim}?gracePeriodSeconds=0"
            ))
            .send()
            .await
            .expect("delete");
        assert!(
            resp.status().is_success(),
            "delete {victim}: {}",
            resp.status()
        );
        loop {
            page = next_page().await;
            if !page.contains(&victim) {
                break;
            }
        }
        samples.push(t.elapsed());
    }
    summarise(samples)
}

async fn run(settings: &Settings) {
    // Kept after the run: the two processes' logs are there.
    let dir = std::env::temp_dir().join(format!("bosun-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let site = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/site");
    let kubeconfig = dir.as_path().join("demo.kubeconfig");
    let data = dir.as_path().join("data");
    println!("Bosun scale benchmark: {} generated pods", settings.pods);
    println!("machine: {}", machine());
    println!("logs: {}", dir.as_path().display());

    // 1. The demo cluster, in its own process.
    let started = Instant::now();
    let _demo = Process(
        bosun()
            .args(["demo-cluster", "--listen", "127.0.0.1:0", "--pods"])
            .arg(settings.pods.to_string())
            .arg("--kubeconfig-out")
            .arg(&kubeconfig)
            .stdout(Stdio::null())
            .stderr(log_file(dir.as_path(), "demo-cluster.log"))
            .spawn()
            .expect("demo cluster starts"),
    );
    while !kubeconfig.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "demo cluster never wrote its kubeconfig"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let build = started.elapsed();
    let demo = demo_base(&kubeconfig);

    // 2. Bosun, in its own process, connected to it like to any cluster.
    let added = bosun()
        .arg("--data-dir")
        .arg(&data)
        .args(["cluster", "add", CLUSTER, "--kubeconfig"])
        .arg(&kubeconfig)
        .output()
        .expect("bosun cluster add");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let port = free_port();
    let started = Instant::now();
    let server = Process(
        bosun()
            .arg("--data-dir")
            .arg(&data)
            .args(["serve", "--no-demo", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--site-root")
            .arg(&site)
            .env("BOSUN_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log_file(dir.as_path(), "bosun.log"))
            .spawn()
            .expect("bosun starts"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    loop {
        if http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "bosun never answered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let login = http
        .post(format!("{base}/api/v1/login"))
        .header("origin", &base)
        .json(&serde_json::json!({ "username": "admin", "password": ADMIN_PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200, "sign-in");
    let console = Console { http, base };

    // 3. Synced: every generated pod and the workloads are served from the caches.
    let all_pods = format!("/api/v1/clusters/{CLUSTER}/namespaces/_all/pods");
    let workloads = "/api/v1/clusters/_all/namespaces/_all/workloads".to_string();
    loop {
        let (status, page) = console.json(&format!("{all_pods}?limit=1")).await;
        let (w_status, _) = console.json(&format!("{workloads}?limit=1")).await;
        let total = page["data"]["total"].as_u64().unwrap_or(0) as usize;
        if status == 200 && w_status == 200 && total >= settings.pods {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "caches never synced ({total} pods)"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sync = started.elapsed();
    let (rss, peak) = memory_mib(server.0.id());

    // 4. Latencies over HTTP with the signed-in session.
    let n = settings.requests;
    let first_page = console.time(&format!("{all_pods}?limit=100"), n).await;
    let namespace = console
        .time(
            &format!("/api/v1/clusters/{CLUSTER}/namespaces/load-000/pods?limit=100"),
            n,
        )
        .await;
    let by_label = console
        .time(
            &format!("{all_pods}?labelSelector=app%3Dapp-003&sort=name&limit=100"),
            n,
        )
        .await;
    let workload_list = console.time(&format!("{workloads}?limit=100"), n).await;
    let page_render = console.time("/workloads", n).await;
    let (rss_after, _) = memory_mib(server.0.id());

    // 5. The same questions asked with kubectl.
    let runs = settings.kubectl_runs;
    let kubectl_json = kubectl_median(&kubeconfig, &["get", "pods", "-A", "-o", "json"], runs);
    let kubectl_table = kubectl_median(&kubeconfig, &["get", "pods", "-A"], runs);

    // 6. A change in the cluster to its line on a live stream.
    let live = change_to_stream(&console, &demo, "load-000", settings.changes).await;

    let row = |what: &str, l: &Latency| {
        println!("| {what} | {:.2} | {:.2} | {} |", l.p50, l.p99, l.n);
    };
    println!();
    println!("| figure | value |");
    println!("|---|---|");
    println!(
        "| demo cluster build ({} pods, process start to kubeconfig) | {:.2} s |",
        settings.pods,
        build.as_secs_f64()
    );
    println!(
        "| Bosun start to caches synced | {:.2} s |",
        sync.as_secs_f64()
    );
    println!("| Bosun RSS after sync (peak) | {rss:.0} MiB ({peak:.0} MiB) |");
    println!("| Bosun RSS after the request runs | {rss_after:.0} MiB |");
    println!("| `kubectl get pods -A -o json` (median of {runs}) | {kubectl_json:.0} ms |");
    println!("| `kubectl get pods -A` (median of {runs}) | {kubectl_table:.0} ms |");
    println!(
        "| kubectl -o json / Bosun first page p50 | {:.0}× |",
        kubectl_json / first_page.p50
    );
    println!("| wasm | {} |", wasm_sizes(&site.join("pkg")));
    println!();
    println!("| request (ms) | p50 | p99 | n |");
    println!("|---|---|---|---|");
    row("first page of all pods (100 rows)", &first_page);
    row("a namespace's pods (load-000)", &namespace);
    row("pods by label selector, sorted by name", &by_label);
    row("workloads list (100 rows)", &workload_list);
    row("Workloads page, server-side render", &page_render);
    row("pod deleted to live stream line", &live);
    let _ = std::io::stdout().flush();
}

fn main() {
    let settings = Settings::from_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(&settings));
}
