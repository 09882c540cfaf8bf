//! The emulator at scale: a world of 50,000 generated pods is listed through paging with
//! every pod exactly once, from the snapshot the first page was taken at, however the
//! world changes between pages (as the API server serves it, and as kube-rs' watcher
//! relies on).

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use bosun_demo_cluster::{DemoCluster, DemoConfig, ScaleSpec};
use serde::Deserialize;
use serde_json::json;

const PODS: usize = 50_000;

#[derive(Deserialize)]
struct List {
    metadata: ListMeta,
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct ListMeta {
    #[serde(rename = "resourceVersion")]
    resource_version: String,
    #[serde(rename = "continue", default)]
    continue_token: Option<String>,
}

#[derive(Deserialize)]
struct Item {
    metadata: ItemMeta,
}

#[derive(Deserialize)]
struct ItemMeta {
    namespace: String,
    name: String,
}

type Key = (String, String);

async fn list(http: &reqwest::Client, url: &str) -> List {
    let resp = http.get(url).send().await.expect("list");
    assert_eq!(resp.status(), 200, "{url}");
    resp.json().await.expect("list json")
}

fn generated(items: &[Item]) -> BTreeSet<Key> {
    items
        .iter()
        .filter(|i| i.metadata.namespace.starts_with("load-"))
        .map(|i| (i.metadata.namespace.clone(), i.metadata.name.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifty_thousand_pod_world_pages_every_pod_exactly_once() {
    let cluster = DemoCluster::start(DemoConfig {
        scale: Some(ScaleSpec { pods: PODS }),
        time_scale: 20.0,
        ..DemoConfig::default()
    })
    .await
    .expect("demo cluster starts");
    let http = reqwest::Client::new();
    let pods_url = format!("{}/api/v1/pods", cluster.url());

    // The controllers bring up the StatefulSet, Job and node agent pods; then the
    // generated namespaces hold exactly the pods asked for and change no more.
    let deadline = Instant::now() + Duration::from_secs(120);
    let before = loop {
        let all = list(&http, &pods_url).await;
        let load = generated(&all.items);
        if load.len() == PODS {
            break load;
        }
        assert!(Instant::now() < deadline, "{} generated pods", load.len());
        tokio::time::sleep(Duration::from_millis(500)).await;
    };

    let first = list(&http, &format!("{pods_url}?limit=500")).await;
    let snapshot = first.metadata.resource_version.clone();
    let mut token = first.metadata.continue_token.clone().expect("more pages");
    let mut served: Vec<Key> = first
        .items
        .iter()
        .map(|i| (i.metadata.namespace.clone(), i.metadata.name.clone()))
        .collect();

    // Between pages: pods not served yet are deleted, one is created, one is changed.
    let last_ns: Vec<&Key> = before.iter().filter(|(ns, _)| ns == "load-049").collect();
    let deleted: Vec<Key> = last_ns.iter().take(3).map(|k| (*k).clone()).collect();
    for (ns, name) in &deleted {
        let r = http
            .delete(format!(
                "{}/api/v1/namespaces/{ns}/pods/{name}?gracePeriodSeconds=0",
                cluster.url()
            ))
            .send()
            .await
            .expect("delete");
        assert!(
            r.status().is_success(),
            "delete {ns}/{name}: {}",
            r.status()
        );
    }
    let created = http
        .post(format!("{}/api/v1/namespaces/load-049/pods", cluster.url()))
        .json(&json!({ "metadata": { "name": "zz-late" }, "spec": { "containers": [{ "name": "c", "image": "busybox" }] } }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);

    let mut pages = 1;
    loop {
        let page = list(&http, &format!("{pods_url}?limit=500&continue={token}")).await;
        pages += 1;
        assert_eq!(
            page.metadata.resource_version, snapshot,
            "every page is of the first page's snapshot"
        );
        served.extend(
            page.items
                .iter()
                .map(|i| (i.metadata.namespace.clone(), i.metadata.name.clone())),
        );
        match page.metadata.continue_token.filter(|t| !t.is_empty()) {
            Some(next) => token = next,
            None => break,
        }
    }
    let unique: HashSet<&Key> = served.iter().collect();
    assert_eq!(unique.len(), served.len(), "no pod served twice");
    let served_load: BTreeSet<Key> = served
        .iter()
        .filter(|(ns, _)| ns.starts_with("load-"))
        .cloned()
        .collect();
    assert_eq!(served_load.len(), PODS, "in {pages} pages");
    assert!(
        served_load == before,
        "the paged list is the snapshot's world"
    );
    assert!(!served_load.contains(&("load-049".to_string(), "zz-late".to_string())));

    // A new list sees the world as it is now.
    let now = generated(&list(&http, &pods_url).await.items);
    for key in &deleted {
        assert!(!now.contains(key), "{key:?} was deleted");
    }
    assert!(now.contains(&("load-049".to_string(), "zz-late".to_string())));
    cluster.shutdown().await;
}
