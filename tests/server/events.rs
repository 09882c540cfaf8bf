//! The Events page's list through the REST API against the demo cluster: every event of
//! a cluster from a watch cache, warnings first, filtered on the server by namespace,
//! type, reason, involved kind and name and message words, paged, and followed live.

use std::time::Duration;

use bosun_model::Role;
use serde_json::{Value, json};

use crate::common::{TestServer, client, demo_send, eventually, get};

fn items(page: &Value) -> &Vec<Value> {
    page["data"]["items"].as_array().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_listed_warnings_first_filtered_paged_and_live() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let viewer = srv.as_role(Role::Viewer).await;
    let api = |p: &str| srv.url(&format!("/api/v1/clusters{p}"));

    let (status, all) = get(&viewer, &api("/demo/namespaces/_all/events?limit=500")).await;
    assert_eq!(status, 200, "{all}");
    let rows = items(&all);
    assert!(rows.len() >= 3, "{all}");
    let warning = |r: &Value| r["type"] == "Warning";
    let first_normal = rows.iter().position(|r| !warning(r)).unwrap_or(rows.len());
    assert!(
        rows[first_normal..].iter().all(|r| !warning(r)),
        "warnings first: {all}"
    );
    assert!(rows.iter().all(|r| r["cluster"] == "demo"));

    let (_, warnings) = get(&viewer, &api("/demo/namespaces/_all/events?type=Warning")).await;
    assert!(items(&warnings).iter().all(warning));
    let (status, body) = get(&viewer, &api("/demo/namespaces/_all/events?type=Bad")).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Normal or Warning")
    );

    let (_, shop) = get(
        &viewer,
        &api("/demo/namespaces/shop/events?kind=Deployment&name=we"),
    )
    .await;
    assert!(!items(&shop).is_empty(), "{shop}");
    for row in items(&shop) {
        assert_eq!(row["namespace"], "shop");
        let object = row["object"].as_str().unwrap();
        assert!(
            object.starts_with("Deployment/") && object.contains("we"),
            "{row}"
        );
    }
    let reason = rows[0]["reason"].as_str().unwrap().to_ascii_lowercase();
    let (_, by_reason) = get(
        &viewer,
        &api(&format!("/_all/namespaces/_all/events?reason={reason}")),
    )
    .await;
    assert!(!items(&by_reason).is_empty());
    assert!(
        items(&by_reason)
            .iter()
            .all(|r| r["reason"].as_str().unwrap().eq_ignore_ascii_case(&reason))
    );

    // Paging: the second page goes on where the first stopped. The demo's kubelet writes
    // pod events all the time, so the pages are of Deployment events, once their number
    // has settled (offset paging over a list that grows in front shifts, as kubectl's
    // would without a snapshot).
    let deployments = "/demo/namespaces/_all/events?kind=Deployment";
    eventually(30, "the Deployment events to settle", || async {
        let (_, a) = get(&viewer, &api(deployments)).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (_, b) = get(&viewer, &api(deployments)).await;
        (a["data"]["total"] == b["data"]["total"] && items(&a).len() >= 3).then_some(())
    })
    .await;
    let (_, first) = get(&viewer, &api(&format!("{deployments}&limit=2"))).await;
    assert_eq!(items(&first).len(), 2);
    let token = first["data"]["continue"].as_str().unwrap();
    let (_, second) = get(
        &viewer,
        &api(&format!("{deployments}&limit=2&continue={token}")),
    )
    .await;
    let next = &items(&second)[0];
    assert!(!items(&first).contains(next), "{first} {second}");
    let last = &items(&first)[1];
    assert!(
        warning(last) || !warning(next),
        "warnings stay first across pages"
    );

    // Followed live: a new warning appears in the stream.
    let mut res = viewer
        .get(api("/demo/namespaces/shop/events?type=Warning&watch=true"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let opening = tokio::time::timeout(Duration::from_secs(10), res.chunk())
        .await
        .expect("the page now")
        .unwrap()
        .unwrap();
    assert!(!String::from_utf8_lossy(&opening).contains("DiskPressureSoon"));
    demo_send(
        &srv,
        reqwest::Method::POST,
        "/api/v1/namespaces/shop/events",
        "application/json",
        json!({
            "metadata": {"name": "live-warning"},
            "involvedObject": {"kind": "Pod", "name": "web-live", "namespace": "shop"},
            "reason": "DiskPressureSoon",
            "message": "the disk is nearly full",
            "type": "Warning",
            "count": 1,
        }),
    )
    .await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains("DiskPressureSoon") {
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .expect("the new event within 10 s")
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(res);

    let (status, _) = get(&client(), &api("/demo/namespaces/_all/events")).await;
    assert_eq!(status, 401);
    let (status, body) = get(&viewer, &api("/nowhere/namespaces/_all/events")).await;
    assert_eq!(status, 404, "{body}");
    srv.stop().await;
}
