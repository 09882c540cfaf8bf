//! Load figures for the demo cluster alone: a world of 10,000 generated pods (or
//! `BENCH_PODS`). Prints time to start, to list every pod over HTTP (one request and pages
//! of 500), and the latency from a write to its watch event.
//!
//! Run with `cargo bench -p bosun-demo-cluster`.

use std::time::{Duration, Instant};

use bosun_demo_cluster::{DemoCluster, DemoConfig, ScaleSpec};
use serde_json::{Value, json};

#[tokio::main]
async fn main() {
    let pods = std::env::var("BENCH_PODS")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(10_000);
    let spec = ScaleSpec { pods };
    let t = Instant::now();
    let cluster = DemoCluster::start(DemoConfig {
        scale: Some(spec),
        ..DemoConfig::default()
    })
    .await
    .expect("start");
    println!("start (seed + {} pods): {:?}", spec.pods, t.elapsed());
    let http = reqwest::Client::new();
    let base = cluster.url();

    for round in 0..3 {
        let t = Instant::now();
        let body = http
            .get(format!("{base}/api/v1/pods"))
            .send()
            .await
            .expect("list")
            .bytes()
            .await
            .expect("body");
        let elapsed = t.elapsed();
        let v: Value = serde_json::from_slice(&body).expect("json");
        println!(
            "list all pods (round {round}): {} pods, {} MB, {elapsed:?}",
            v["items"].as_array().map_or(0, Vec::len),
            body.len() / 1_000_000
        );
    }

    let t = Instant::now();
    let (mut pages, mut total, mut token) = (0, 0, String::new());
    loop {
        let url = format!("{base}/api/v1/pods?limit=500&continue={token}");
        let v: Value = http
            .get(url)
            .send()
            .await
            .expect("page")
            .json()
            .await
            .expect("json");
        pages += 1;
        total += v["items"].as_array().map_or(0, Vec::len);
        token = v["metadata"]["continue"].as_str().unwrap_or("").to_string();
        if token.is_empty() {
            break;
        }
    }
    println!(
        "paged list (limit=500): {total} pods in {pages} pages, {:?}",
        t.elapsed()
    );

    let t = Instant::now();
    let table = http
        .get(format!("{base}/api/v1/pods"))
        .header("accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
        .send()
        .await
        .expect("table")
        .bytes()
        .await
        .expect("body");
    println!(
        "table of all pods: {} MB, {:?}",
        table.len() / 1_000_000,
        t.elapsed()
    );

    // Watch latency: time from a write's response to its event on an open watch.
    let cm_url = format!("{base}/api/v1/namespaces/default/configmaps");
    http.post(&cm_url)
        .json(&json!({ "metadata": { "name": "bench" }, "data": { "n": "0" } }))
        .send()
        .await
        .expect("create");
    let mut resp = http
        .get(format!(
            "{cm_url}?watch=true&fieldSelector=metadata.name%3Dbench"
        ))
        .send()
        .await
        .expect("watch");
    let mut buf = Vec::new();
    let mut next_event = async || -> Value {
        loop {
            if let Some(pos) = buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = buf.drain(..=pos).collect();
                return serde_json::from_slice(&line).expect("event json");
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), resp.chunk())
                .await
                .expect("event in time")
                .expect("chunk")
                .expect("open");
            buf.extend_from_slice(&chunk);
        }
    };
    let first = next_event().await; // the initial ADDED
    assert_eq!(first["type"], "ADDED");
    let mut latencies = Vec::new();
    for i in 1..=50 {
        let want = i.to_string();
        let t = Instant::now();
        http.patch(format!("{cm_url}/bench"))
            .header("content-type", "application/merge-patch+json")
            .body(json!({ "data": { "n": i.to_string() } }).to_string())
            .send()
            .await
            .expect("patch");
        loop {
            let ev = next_event().await;
            if ev["object"]["data"]["n"].as_str() == Some(want.as_str()) {
                break;
            }
        }
        latencies.push(t.elapsed());
    }
    latencies.sort();
    println!(
        "watch latency (write → event, 50 writes): p50 {:?}, p90 {:?}, max {:?}",
        latencies[25], latencies[45], latencies[49]
    );
    cluster.shutdown().await;
}
