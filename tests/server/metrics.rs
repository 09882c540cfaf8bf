//! CPU and memory usage: the sampler reads the demo cluster's metrics.k8s.io (whose
//! figures move over time), keeps the samples in SQLite, and the API serves each node
//! against its allocatable capacity and each pod against its requests and limits, with
//! the history a chart draws.

use bosun_model::Role;
use serde_json::Value;

use crate::common::{TestServer, client, eventually, get};

fn history_len(item: &Value) -> usize {
    item["history"].as_array().map_or(0, Vec::len)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_is_sampled_kept_and_served_against_capacity_requests_and_limits() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let viewer = srv.as_role(Role::Viewer).await;
    let api = |p: &str| srv.url(&format!("/api/v1/clusters{p}"));
    // postgres-0 runs through both samples once a first sample has seen it (the demo's
    // controllers may still be starting pods when the caches are synced).
    let pod = "postgres-0";
    let one_pod = api(&format!("/demo/metrics/pods?namespace=data&name={pod}"));
    eventually(
        30,
        "a usage sample of the demo cluster holding postgres-0",
        || async {
            if bosun_core::metrics::sample(srv.ctx()).await == 0 {
                return None;
            }
            let (status, _) = get(&viewer, &one_pod).await;
            (status == 200).then_some(())
        },
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(bosun_core::metrics::sample(srv.ctx()).await, 1);

    let (status, nodes) = get(&viewer, &api("/demo/metrics/nodes")).await;
    assert_eq!(status, 200, "{nodes}");
    let report = &nodes["data"];
    assert_eq!(report["available"], true, "{report}");
    assert!(report["sampled_at"].as_i64().unwrap() > 0);
    let items = report["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{report}");
    for node in items {
        assert!(node["cpu"].as_f64().unwrap() > 0.0, "{node}");
        assert!(node["memory"].as_f64().unwrap() > 0.0, "{node}");
        assert!(node["cpu_allocatable"].as_f64().unwrap() > 0.0, "{node}");
        assert!(history_len(node) >= 2, "two samples kept: {node}");
    }
    let name = items[0]["name"].as_str().unwrap();
    let (_, one) = get(&viewer, &api(&format!("/demo/metrics/nodes?name={name}"))).await;
    assert_eq!(one["data"]["items"].as_array().unwrap().len(), 1);
    let (status, body) = get(&viewer, &api("/demo/metrics/nodes?name=no-such-node")).await;
    assert_eq!(status, 404, "{body}");

    // A pod with its requests and limits, and its history.
    let (status, pods) = get(&viewer, &api("/demo/metrics/pods?namespace=shop")).await;
    assert_eq!(status, 200, "{pods}");
    let listed = pods["data"]["items"].as_array().unwrap();
    assert!(!listed.is_empty());
    assert!(listed.iter().all(|p| p["namespace"] == "shop"));
    let cpus: Vec<f64> = listed.iter().map(|p| p["cpu"].as_f64().unwrap()).collect();
    assert!(
        cpus.windows(2).all(|w| w[0] >= w[1]),
        "busiest first: {cpus:?}"
    );
    // A pod that ran through both samples (the busiest may have started in between).
    let (_, one) = get(&viewer, &one_pod).await;
    let item = &one["data"]["items"][0];
    assert_eq!(item["name"], pod);
    assert!(history_len(item) >= 2, "{item}");
    let (_, limited) = get(&viewer, &api("/demo/metrics/pods?limit=1")).await;
    assert_eq!(limited["data"]["items"].as_array().unwrap().len(), 1);

    // The samples are in the database, one per node per sample at least.
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM metric_samples WHERE kind = 'node'")
        .fetch_one(&srv.ctx().db)
        .await
        .unwrap();
    assert!(stored >= 2 * i64::try_from(items.len()).unwrap());

    let (status, body) = get(&viewer, &api("/nowhere/metrics/nodes")).await;
    assert_eq!(status, 404, "{body}");
    let (status, _) = get(&client(), &api("/demo/metrics/nodes")).await;
    assert_eq!(status, 401);
    srv.stop().await;
}
