//! Reading workloads and pods: lists served from the watch caches (filtered, sorted and
//! paged on the server), details, revisions, events, logs.

use std::time::Duration;

use bosun_core::Role;
use serde_json::Value;

use crate::common::*;

const W: &str = "/api/v1/clusters/demo/namespaces";

fn names(page: &Value) -> Vec<String> {
    page["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}/{}/{}",
                r["namespace"].as_str().unwrap(),
                r["kind"].as_str().unwrap(),
                r["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn workloads_of_every_kind_are_listed_filtered_sorted_and_paged_from_the_cache() {
    let srv = TestServer::with_demo().await;
    let viewer = srv.as_role(Role::Viewer).await;
    let (status, all) = get(&viewer, &srv.url(&format!("{W}/_all/workloads?limit=500"))).await;
    assert_eq!(status, 200, "{all}");
    let listed = names(&all);
    for expected in [
        "shop/deployments/web",
        "payments/deployments/ledger",
        "data/statefulsets/postgres",
        "kube-system/daemonsets/node-exporter",
        "data/jobs/db-migrate",
        "data/cronjobs/nightly-backup",
        "shop/clonesets/cart",
        "shop/advancedstatefulsets/redis",
        "kube-system/advanceddaemonsets/log-agent",
        "data/broadcastjobs/warm-cache",
        "data/advancedcronjobs/nightly-report",
    ] {
        assert!(
            listed.contains(&expected.to_string()),
            "{expected} missing from {listed:?}"
        );
    }
    let ledger = all["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "ledger")
        .unwrap();
    assert_eq!(ledger["health"], "paused");
    let web = all["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "web")
        .unwrap();
    assert_eq!(
        (web["desired"].as_i64(), web["images"][0].as_str()),
        (Some(3), Some("nginx:1.27"))
    );

    // Paging covers every row exactly once.
    let total = all["data"]["total"].as_u64().unwrap() as usize;
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let cont = token
            .as_deref()
            .map(|t| format!("&continue={t}"))
            .unwrap_or_default();
        let (_, page) = get(
            &viewer,
            &srv.url(&format!("{W}/_all/workloads?limit=4&sort=name{cont}")),
        )
        .await;
        seen.extend(names(&page));
        match page["data"]["continue"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), total);
    let mut sorted = seen.clone();
    sorted.sort_by_key(|n| n.rsplit('/').next().unwrap().to_string());
    assert_eq!(seen, sorted, "sorted by name across pages");

    // One kind, one namespace, a name search, a label selector, a descending sort.
    let (_, deployments) = get(
        &viewer,
        &srv.url(&format!("{W}/shop/deployments?sort=-name")),
    )
    .await;
    let d = names(&deployments);
    assert!(
        d.iter().all(|n| n.starts_with("shop/deployments/")),
        "{d:?}"
    );
    let mut desc = d.clone();
    desc.sort();
    desc.reverse();
    assert_eq!(d, desc);
    let (_, found) = get(&viewer, &srv.url(&format!("{W}/_all/workloads?q=POST"))).await;
    assert_eq!(names(&found), ["data/statefulsets/postgres"]);
    let (_, labelled) = get(
        &viewer,
        &srv.url(&format!(
            "{W}/_all/deployments?labelSelector=app%20in%20(web,api)"
        )),
    )
    .await;
    assert_eq!(
        names(&labelled),
        ["shop/deployments/api", "shop/deployments/web"]
    );

    for (query, message) in [
        ("labelSelector=app%20in%20web", "invalid label selector"),
        ("sort=color", "cannot sort by \"color\""),
        ("continue=xyz", "invalid continue token"),
        ("colour=red", "invalid query"),
    ] {
        let (status, body) = get(&viewer, &srv.url(&format!("{W}/_all/workloads?{query}"))).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(message),
            "{query}: {body}"
        );
    }
    let (status, body) = get(&viewer, &srv.url(&format!("{W}/shop/pods/nope"))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("NOT_FOUND")),
        "{body}"
    );
    srv.stop().await;
}

#[tokio::test]
async fn a_workload_detail_shows_spec_conditions_pods_revisions_and_events() {
    let srv = TestServer::with_demo().await;
    let viewer = srv.as_role(Role::Viewer).await;
    let (status, detail) = get(&viewer, &srv.url(&format!("{W}/shop/deployments/web"))).await;
    assert_eq!(status, 200, "{detail}");
    let d = &detail["data"];
    assert_eq!(d["selector"], "app=web");
    assert_eq!(d["containers"][0]["image"], "nginx:1.27");
    assert_eq!(d["containers"][0]["requests"], "cpu=100m memory=128Mi");
    assert!(
        d["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["type"] == "Available")
    );
    let yaml = d["yaml"].as_str().unwrap();
    assert!(
        yaml.contains("kind: Deployment") && !yaml.contains("managedFields"),
        "{yaml}"
    );

    let (_, pods) = get(&viewer, &srv.url(&format!("{W}/shop/deployments/web/pods"))).await;
    let pods = pods["data"]["items"].as_array().unwrap().clone();
    assert_eq!(pods.len(), 3);
    assert!(
        pods.iter()
            .all(|p| p["name"].as_str().unwrap().starts_with("web-") && p["node"].is_string())
    );

    let (_, events) = get(
        &viewer,
        &srv.url(&format!("{W}/shop/deployments/web/events")),
    )
    .await;
    let reasons: Vec<&str> = events["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"ScalingReplicaSet"), "{reasons:?}");

    let (status, body) = get(
        &viewer,
        &srv.url(&format!("{W}/data/jobs/db-migrate/revisions")),
    )
    .await;
    assert_eq!(status, 400, "jobs have no history: {body}");

    let (status, body) = get(&viewer, &srv.url(&format!("{W}/shop/deployments/nope"))).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("NOT_FOUND")));
    srv.stop().await;
}

#[tokio::test]
async fn pods_are_listed_with_label_and_field_selectors_and_their_logs_read() {
    let srv = TestServer::with_demo().await;
    let viewer = srv.as_role(Role::Viewer).await;
    let (status, web) = get(
        &viewer,
        &srv.url(&format!("{W}/shop/pods?labelSelector=app%3Dweb")),
    )
    .await;
    assert_eq!(status, 200, "{web}");
    assert_eq!(web["data"]["total"], 3);
    let pod = web["data"]["items"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let node = web["data"]["items"][0]["node"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, on_node) = get(
        &viewer,
        &srv.url(&format!(
            "{W}/_all/pods?fieldSelector=spec.nodeName%3D{node}&limit=500"
        )),
    )
    .await;
    assert!(
        on_node["data"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["node"] == node.as_str())
    );
    let (status, body) = get(
        &viewer,
        &srv.url(&format!("{W}/_all/pods?fieldSelector=spec.containers%3Dx")),
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (400, Some("field label not supported: spec.containers"))
    );

    let (status, detail) = get(&viewer, &srv.url(&format!("{W}/shop/pods/{pod}"))).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["data"]["containers"][0]["name"], "web");
    assert!(
        detail["data"]["containers"][0]["state"]
            .as_str()
            .unwrap()
            .starts_with("running since")
    );

    let res = viewer
        .get(srv.url(&format!(
            "{W}/shop/pods/{pod}/logs?tailLines=3&timestamps=true"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.lines().all(|l| l.contains("Z [web]")), "{text}");

    let res = viewer
        .get(srv.url(&format!(
            "{W}/shop/pods/{pod}/logs?tailLines=1&download=true"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["content-disposition"],
        format!("attachment; filename=\"{pod}.log\"").as_str()
    );

    // A followed log streams: the first lines arrive while the response stays open.
    let mut res = viewer
        .get(srv.url(&format!("{W}/shop/pods/{pod}/logs?follow=true&tailLines=2")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let first = tokio::time::timeout(Duration::from_secs(10), res.chunk())
        .await
        .expect("a chunk within 10 s")
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&first).contains("[web]"));
    let more = tokio::time::timeout(Duration::from_secs(10), res.chunk())
        .await
        .expect("more lines follow")
        .unwrap();
    assert!(more.is_some(), "the stream is still open");
    drop(res);

    let (status, body) = get(
        &viewer,
        &srv.url(&format!("{W}/shop/pods/{pod}/logs?previous=true")),
    )
    .await;
    assert_eq!(status, 400, "no previous run: {body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("previous terminated container"),
        "{body}"
    );
    let (status, body) = get(
        &viewer,
        &srv.url(&format!("{W}/shop/pods/{pod}/logs?tailLines=-1")),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    srv.stop().await;
}

#[tokio::test]
async fn a_pod_with_restarts_has_previous_logs_and_needs_a_container_named() {
    let srv = TestServer::with_demo().await;
    let viewer = srv.as_role(Role::Viewer).await;
    let pod = eventually(60, "a worker pod that restarted", || async {
        let (_, pods) = get(
            &viewer,
            &srv.url(&format!("{W}/shop/pods?labelSelector=app%3Dworker")),
        )
        .await;
        pods["data"]["items"]
            .as_array()?
            .iter()
            .find(|p| p["restarts"].as_i64().unwrap_or(0) > 0)
            .map(|p| p["name"].as_str().unwrap().to_string())
    })
    .await;
    let (status, body) = get(&viewer, &srv.url(&format!("{W}/shop/pods/{pod}/logs"))).await;
    assert_eq!(status, 400, "two containers: {body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("a container name must be specified"),
        "{body}"
    );
    let res = viewer
        .get(srv.url(&format!(
            "{W}/shop/pods/{pod}/logs?container=worker&previous=true"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(!text.is_empty());
    let (_, detail) = get(&viewer, &srv.url(&format!("{W}/shop/pods/{pod}"))).await;
    let worker = detail["data"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "worker")
        .unwrap()
        .clone();
    assert_eq!(worker["has_previous"], true, "{worker}");
    srv.stop().await;
}

#[tokio::test]
async fn a_deployment_that_never_becomes_ready_fails_its_progress_deadline() {
    let srv = TestServer::with_demo().await;
    let viewer = srv.as_role(Role::Viewer).await;
    let row = eventually(60, "reports failed", || async {
        let (_, page) = get(
            &viewer,
            &srv.url(&format!("{W}/payments/deployments?q=reports")),
        )
        .await;
        let row = page["data"]["items"][0].clone();
        (row["health"] == "failed").then_some(row)
    })
    .await;
    assert!(
        row["reason"]
            .as_str()
            .unwrap()
            .contains("has timed out progressing"),
        "{row}"
    );
    let (_, status) = get(
        &viewer,
        &srv.url(&format!("{W}/payments/deployments/reports/status")),
    )
    .await;
    assert_eq!(status["data"]["failed"], true);
    assert_eq!(
        status["data"]["message"],
        "deployment \"reports\" exceeded its progress deadline"
    );
    srv.stop().await;
}

#[tokio::test]
async fn a_watched_status_streams_until_the_rollout_is_done() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    let (status, _) = send(
        &op,
        "PUT",
        &srv.url(&format!("{W}/shop/deployments/api/restart")),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let res = op
        .get(srv.url(&format!("{W}/shop/deployments/api/status?watch=true")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    let text = tokio::time::timeout(Duration::from_secs(60), res.text())
        .await
        .expect("the stream ends when done")
        .unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = lines.last().unwrap();
    assert_eq!(last["data"]["done"], true, "{text}");
    assert_eq!(
        last["data"]["message"],
        "deployment \"api\" successfully rolled out"
    );
    srv.stop().await;
}
