//! kube-rs against the demo cluster: watch streams, optimistic concurrency, Status errors,
//! and the raw HTTP behaviours (eviction, KubeVirt lifecycle) the console relies on.

mod common;

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams, PostParams,
    WatchEvent, WatchParams,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::{Value, json};

async fn client(h: &common::Harness) -> Client {
    let kc = Kubeconfig::from_yaml(&h.cluster.kubeconfig_yaml("demo")).expect("kubeconfig parses");
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .expect("config");
    Client::try_from(config).expect("client")
}

fn configmap(name: &str) -> ConfigMap {
    serde_json::from_value(json!({ "metadata": { "name": name }, "data": { "k": "v1" } }))
        .expect("configmap")
}

fn api_status(e: kube::Error) -> kube::core::Status {
    match e {
        kube::Error::Api(s) => *s,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_stream_sees_added_modified_deleted() {
    let h = common::start().await;
    let cms: Api<ConfigMap> = Api::namespaced(client(&h).await, "default");
    let rv = cms
        .list(&ListParams::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("list rv");
    let mut stream = cms
        .watch(&WatchParams::default().timeout(60), &rv)
        .await
        .expect("watch")
        .boxed();
    cms.create(&PostParams::default(), &configmap("watched"))
        .await
        .expect("create");
    cms.patch(
        "watched",
        &PatchParams::default(),
        &Patch::Merge(json!({ "data": { "k": "v2" } })),
    )
    .await
    .expect("patch");
    cms.delete("watched", &Default::default())
        .await
        .expect("delete");
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let ev = tokio::time::timeout(Duration::from_secs(30), stream.try_next())
            .await
            .expect("event in time")
            .expect("stream ok")
            .expect("stream open");
        match ev {
            WatchEvent::Added(cm) => {
                seen.push(("ADDED", cm.data.unwrap_or_default().get("k").cloned()))
            }
            WatchEvent::Modified(cm) => {
                seen.push(("MODIFIED", cm.data.unwrap_or_default().get("k").cloned()))
            }
            WatchEvent::Deleted(cm) => {
                seen.push(("DELETED", cm.data.unwrap_or_default().get("k").cloned()))
            }
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(e) => panic!("watch error {e:?}"),
        }
    }
    let kinds: Vec<&str> = seen.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, ["ADDED", "MODIFIED", "DELETED"]);
    assert_eq!(seen[1].1.as_deref(), Some("v2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_resumes_from_a_resource_version() {
    let h = common::start().await;
    let cms: Api<ConfigMap> = Api::namespaced(client(&h).await, "default");
    let created = cms
        .create(&PostParams::default(), &configmap("resume"))
        .await
        .expect("create");
    let rv = created.metadata.resource_version.clone().expect("rv");
    cms.patch(
        "resume",
        &PatchParams::default(),
        &Patch::Merge(json!({ "data": { "k": "later" } })),
    )
    .await
    .expect("patch");
    // Watching from the creation's version replays only what happened after it.
    let mut stream = cms
        .watch(&WatchParams::default().timeout(30), &rv)
        .await
        .expect("watch")
        .boxed();
    let ev = tokio::time::timeout(Duration::from_secs(30), stream.try_next())
        .await
        .expect("event")
        .expect("ok")
        .expect("open");
    match ev {
        WatchEvent::Modified(cm) => assert_eq!(cm.data.unwrap_or_default()["k"], "later"),
        other => panic!("expected MODIFIED, got {other:?}"),
    }
    let bad = reqwest::get(format!(
        "{}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=abc",
        h.cluster.url()
    ))
    .await
    .expect("http");
    assert_eq!(bad.status().as_u16(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_with_stale_resource_version_conflicts() {
    let h = common::start().await;
    let cms: Api<ConfigMap> = Api::namespaced(client(&h).await, "default");
    let created = cms
        .create(&PostParams::default(), &configmap("cas"))
        .await
        .expect("create");
    let mut first = created.clone();
    first.data = Some([("k".to_string(), "first".to_string())].into());
    cms.replace("cas", &PostParams::default(), &first)
        .await
        .expect("first update wins");
    let mut stale = created;
    stale.data = Some([("k".to_string(), "stale".to_string())].into());
    let err = api_status(
        cms.replace("cas", &PostParams::default(), &stale)
            .await
            .expect_err("stale update loses"),
    );
    assert_eq!(err.code, 409);
    assert_eq!(err.reason, "Conflict");
    assert!(
        err.message.contains("the object has been modified"),
        "{}",
        err.message
    );
    assert_eq!(
        cms.get("cas").await.expect("get").data.unwrap_or_default()["k"],
        "first"
    );
    let dup = api_status(
        cms.create(&PostParams::default(), &configmap("cas"))
            .await
            .expect_err("duplicate"),
    );
    assert_eq!((dup.code, dup.reason.as_str()), (409, "AlreadyExists"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strategic_merge_patch_on_custom_resource_is_415() {
    let h = common::start().await;
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("apps.kruise.io", "v1alpha1", "CloneSet"),
        "clonesets",
    );
    let clonesets: Api<DynamicObject> = Api::namespaced_with(client(&h).await, "shop", &ar);
    let err = api_status(
        clonesets
            .patch(
                "cart",
                &PatchParams::default(),
                &Patch::Strategic(json!({ "metadata": { "labels": { "a": "b" } } })),
            )
            .await
            .expect_err("strategic merge refused"),
    );
    assert_eq!(err.code, 415);
    assert_eq!(err.reason, "UnsupportedMediaType");
    let ok = clonesets
        .patch(
            "cart",
            &PatchParams::default(),
            &Patch::Merge(json!({ "metadata": { "labels": { "a": "b" } } })),
        )
        .await
        .expect("merge patch works");
    assert_eq!(ok.metadata.labels.unwrap_or_default()["a"], "b");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_has_the_status_shape_of_the_api_server() {
    let h = common::start().await;
    let pods: Api<Pod> = Api::namespaced(client(&h).await, "shop");
    let err = api_status(pods.get("nope").await.expect_err("missing pod"));
    assert_eq!(err.code, 404);
    assert_eq!(err.reason, "NotFound");
    assert_eq!(err.message, "pods \"nope\" not found");
    let details = err.details.expect("details");
    assert_eq!(details.name, "nope");
    assert_eq!(details.kind, "pods");

    let raw = reqwest::get(format!(
        "{}/apis/apps/v1/namespaces/shop/deployments/nope",
        h.cluster.url()
    ))
    .await
    .expect("http");
    assert_eq!(raw.status().as_u16(), 404);
    let body: Value = raw.json().await.expect("json");
    assert_eq!(body["kind"], "Status");
    assert_eq!(body["status"], "Failure");
    assert_eq!(body["details"]["group"], "apps");
    assert_eq!(body["message"], "deployments.apps \"nope\" not found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_and_names_are_rejected_with_status() {
    let h = common::start().await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/namespaces/default/configmaps", h.cluster.url());
    let r = http
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("http");
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        r.json::<Value>().await.expect("json")["reason"],
        "BadRequest"
    );
    let r = http.post(&url).json(&json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "Not_Valid" } })).send().await.expect("http");
    assert_eq!(r.status().as_u16(), 422);
    let s: Value = r.json().await.expect("json");
    assert_eq!(s["reason"], "Invalid");
    assert_eq!(s["details"]["causes"][0]["field"], "metadata.name");
    let r = http
        .post(&url)
        .json(&json!({ "metadata": { "generateName": "gen-" } }))
        .send()
        .await
        .expect("http");
    assert_eq!(r.status().as_u16(), 201);
    let created: Value = r.json().await.expect("json");
    assert!(
        created["metadata"]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("gen-") && n.len() == 9)
    );
    let r = http
        .put(format!(
            "{}/apis/apps/v1/namespaces/shop/deployments/web",
            h.cluster.url()
        ))
        .body("[]")
        .send()
        .await
        .expect("http");
    assert_eq!(r.status().as_u16(), 400);
    let r = http
        .patch(format!(
            "{}/apis/apps/v1/namespaces/shop/deployments/web",
            h.cluster.url()
        ))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("http");
    assert_eq!(r.status().as_u16(), 415);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eviction_honours_the_disruption_budget() {
    let h = common::start().await;
    let pods: Api<Pod> = Api::namespaced(client(&h).await, "data");
    common::eventually("postgres ready", || async {
        pods.list(&ListParams::default().labels("app=postgres"))
            .await
            .is_ok_and(|l| {
                l.items
                    .iter()
                    .filter(|p| {
                        p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
                    })
                    .count()
                    == 3
            })
    })
    .await;
    common::eventually("pdb allows one disruption", || async {
        let pdb: Value = reqwest::get(format!(
            "{}/apis/policy/v1/namespaces/data/poddisruptionbudgets/postgres-pdb",
            h.cluster.url()
        ))
        .await
        .expect("http")
        .json()
        .await
        .expect("json");
        pdb["status"]["disruptionsAllowed"] == 1
    })
    .await;
    let http = reqwest::Client::new();
    let evict = |name: &str| {
        let body = json!({ "apiVersion": "policy/v1", "kind": "Eviction", "metadata": { "name": name, "namespace": "data" } });
        http.post(format!(
            "{}/api/v1/namespaces/data/pods/{name}/eviction",
            h.cluster.url()
        ))
        .json(&body)
        .send()
    };
    // Concurrent evictions: the budget check and the delete are one step, so exactly one
    // of two simultaneous evictions passes a budget that allows one disruption.
    let (a, b) = tokio::join!(evict("postgres-0"), evict("postgres-1"));
    let (a, b) = (a.expect("http"), b.expect("http"));
    let mut codes = [a.status().as_u16(), b.status().as_u16()];
    codes.sort_unstable();
    assert_eq!(codes, [201, 429]);
    let second = if a.status().as_u16() == 429 { a } else { b };
    let s: Value = second.json().await.expect("json");
    assert_eq!(s["reason"], "TooManyRequests");
    assert_eq!(s["details"]["causes"][0]["reason"], "DisruptionBudget");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubevirt_restart_stop_and_hung_vm() {
    let h = common::start().await;
    let http = reqwest::Client::new();
    let base = h.cluster.url();
    let vm = |name: &str| {
        let url = format!("{base}/apis/kubevirt.io/v1/namespaces/vms/virtualmachines/{name}");
        async move {
            reqwest::get(url)
                .await
                .expect("http")
                .json::<Value>()
                .await
                .expect("json")
        }
    };
    let vmi_exists = |name: &str| {
        let url =
            format!("{base}/apis/kubevirt.io/v1/namespaces/vms/virtualmachineinstances/{name}");
        async move { reqwest::get(url).await.expect("http").status().as_u16() == 200 }
    };
    let action = |name: &str, what: &str, body: Value| {
        http.put(format!(
            "{base}/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/{name}/{what}"
        ))
        .json(&body)
        .send()
    };
    common::eventually("vms running", || async {
        vm("vm-running").await["status"]["printableStatus"] == "Running"
            && vm("vm-hung").await["status"]["ready"] == true
    })
    .await;

    let r = action("vm-stopped", "restart", json!({}))
        .await
        .expect("http");
    assert_eq!(r.status().as_u16(), 409, "restart of a Halted VM");

    let uid = |v: Value| v["metadata"]["uid"].as_str().unwrap_or("").to_string();
    let before = uid(reqwest::get(format!(
        "{base}/apis/kubevirt.io/v1/namespaces/vms/virtualmachineinstances/vm-running"
    ))
    .await
    .expect("http")
    .json()
    .await
    .expect("json"));
    let r = action("vm-running", "restart", json!({}))
        .await
        .expect("http");
    assert_eq!(r.status().as_u16(), 202);
    common::eventually("new VMI after restart", || async {
        let v: Value = reqwest::get(format!(
            "{base}/apis/kubevirt.io/v1/namespaces/vms/virtualmachineinstances/vm-running"
        ))
        .await
        .expect("http")
        .json()
        .await
        .expect("json");
        v["status"]["phase"] == "Running" && uid(v) != before
    })
    .await;

    // A graceful restart of the hung guest never completes; the forced one does.
    let vmi_url =
        format!("{base}/apis/kubevirt.io/v1/namespaces/vms/virtualmachineinstances/vm-hung");
    let hung_uid = uid(reqwest::get(&vmi_url)
        .await
        .expect("http")
        .json()
        .await
        .expect("json"));
    let running_url =
        format!("{base}/apis/kubevirt.io/v1/namespaces/vms/virtualmachineinstances/vm-running");
    let running_uid = uid(reqwest::get(&running_url)
        .await
        .expect("http")
        .json()
        .await
        .expect("json"));
    let window = std::time::Instant::now();
    let r = action("vm-hung", "restart", json!({})).await.expect("http");
    assert_eq!(r.status().as_u16(), 202);
    let r = action("vm-running", "restart", json!({}))
        .await
        .expect("http");
    assert_eq!(r.status().as_u16(), 202);
    // A normal guest's graceful restart completes in this window...
    common::eventually("normal VM restarts gracefully", || async {
        let v: Value = reqwest::get(&running_url)
            .await
            .expect("http")
            .json()
            .await
            .expect("json");
        v["status"]["phase"] == "Running" && uid(v) != running_uid
    })
    .await;
    // ...so the hung one gets at least as long (and at least 40 simulated seconds).
    let waited = window.elapsed();
    tokio::time::sleep(
        (waited * 2)
            .max(Duration::from_secs(2))
            .saturating_sub(waited),
    )
    .await;
    let still: Value = reqwest::get(&vmi_url)
        .await
        .expect("http")
        .json()
        .await
        .expect("json");
    assert_eq!(
        uid(still.clone()),
        hung_uid,
        "graceful restart of a hung VM does not finish"
    );
    assert!(still["metadata"]["deletionTimestamp"].is_string());
    let r = action("vm-hung", "restart", json!({ "gracePeriodSeconds": 0 }))
        .await
        .expect("http");
    assert_eq!(r.status().as_u16(), 202);
    common::eventually("forced restart gives a new VMI", || async {
        let v: Value = reqwest::get(&vmi_url)
            .await
            .expect("http")
            .json()
            .await
            .expect("json");
        v["status"]["phase"] == "Running"
            && uid(v.clone()) != hung_uid
            && v["metadata"]["deletionTimestamp"].is_null()
    })
    .await;

    // The hung guest ignores a graceful stop (until its grace period runs out: long
    // enough here to outlast the window below)...
    let r = action("vm-hung", "stop", json!({ "gracePeriod": 600 }))
        .await
        .expect("http");
    assert_eq!(r.status().as_u16(), 202);
    common::eventually("vm-hung stopping", || async {
        vm("vm-hung").await["status"]["printableStatus"] == "Stopping"
    })
    .await;
    // A normal guest stopped at the same time is gone within the window...
    let window = std::time::Instant::now();
    let r = action("vm-running", "stop", json!({ "gracePeriod": 30 }))
        .await
        .expect("http");
    assert_eq!(r.status().as_u16(), 202);
    common::eventually("normal VM stops gracefully", || async {
        !vmi_exists("vm-running").await
    })
    .await;
    // ...while the hung one survives at least as long (and past the 10 s stop).
    let waited = window.elapsed();
    tokio::time::sleep(
        (waited * 2)
            .max(Duration::from_secs(2))
            .saturating_sub(waited),
    )
    .await;
    assert!(
        vmi_exists("vm-hung").await,
        "a hung VMI survives a graceful stop"
    );
    // ...but not a forced one.
    let r = action("vm-hung", "stop", json!({ "gracePeriod": 0 }))
        .await
        .expect("http");
    assert_eq!(r.status().as_u16(), 202);
    common::eventually("vm-hung stopped", || async {
        vm("vm-hung").await["status"]["printableStatus"] == "Stopped"
    })
    .await;
    assert_eq!(vm("vm-hung").await["spec"]["runStrategy"], "Halted");

    let r = action("vm-stopped", "start", json!({ "paused": false }))
        .await
        .expect("http");
    assert_eq!(r.status().as_u16(), 202);
    common::eventually("vm-stopped started", || async {
        vm("vm-stopped").await["status"]["printableStatus"] == "Running"
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_and_tables() {
    let h = common::start().await;
    let pods: Api<Pod> = Api::all(client(&h).await);
    common::eventually("pods exist", || async {
        pods.list(&ListParams::default())
            .await
            .is_ok_and(|l| l.items.len() >= 15)
    })
    .await;
    // Exactness under change (every pod once, from the first page's snapshot) is proved
    // on a 50,000-pod world in tests/scale.rs; here kube-rs' own paging types round-trip.
    let mut served = std::collections::HashSet::new();
    let mut snapshot: Option<String> = None;
    let mut token: Option<String> = None;
    loop {
        let mut lp = ListParams::default().limit(4);
        if let Some(t) = &token {
            lp = lp.continue_token(t);
        }
        let page = pods.list(&lp).await.expect("page");
        assert!(page.items.len() <= 4);
        let rv = page.metadata.resource_version.clone();
        assert_eq!(
            snapshot.get_or_insert_with(|| rv.clone().unwrap_or_default()),
            &rv.unwrap_or_default()
        );
        for p in &page.items {
            assert!(
                served.insert((p.metadata.namespace.clone(), p.metadata.name.clone())),
                "{:?} served twice",
                p.metadata.name
            );
        }
        token = page.metadata.continue_.filter(|c| !c.is_empty());
        if token.is_none() {
            break;
        }
    }
    assert!(served.len() >= 15, "{} pods paged", served.len());
    let table: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/namespaces/shop/pods", h.cluster.url()))
        .header(
            "accept",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        )
        .send()
        .await
        .expect("http")
        .json()
        .await
        .expect("json");
    assert_eq!(table["kind"], "Table");
    let cols: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .expect("columns")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(&cols[..5], ["Name", "Ready", "Status", "Restarts", "Age"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runtime_reflector_tracks_pods() {
    use kube::runtime::{WatchStreamExt, reflector, watcher};
    let h = common::start().await;
    let pods: Api<Pod> = Api::all(client(&h).await);
    let (reader, writer) = reflector::store::<Pod>();
    let stream = reflector::reflector(
        writer,
        watcher(pods, watcher::Config::default().page_size(5)),
    )
    .applied_objects()
    .boxed();
    let task = tokio::spawn(async move {
        let mut stream = stream;
        while stream.try_next().await.is_ok() {}
    });
    common::eventually("reflector has the seed pods", || async {
        reader.state().len() >= 15
    })
    .await;
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/api/v1/namespaces/default/pods", h.cluster.url()))
        .json(&json!({ "metadata": { "name": "reflected" }, "spec": { "containers": [{ "name": "c", "image": "nginx" }] } }))
        .send()
        .await
        .expect("http");
    assert_eq!(r.status().as_u16(), 201);
    common::eventually("reflector sees the new pod running", || async {
        reader.state().iter().any(|p| {
            p.metadata.name.as_deref() == Some("reflected")
                && p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
        })
    })
    .await;
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selector_watch_sees_objects_enter_and_leave() {
    let h = common::start().await;
    let cms: Api<ConfigMap> = Api::namespaced(client(&h).await, "default");
    let rv = cms
        .list(&ListParams::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("rv");
    let wp = WatchParams::default().labels("stage=live").timeout(60);
    let mut stream = cms.watch(&wp, &rv).await.expect("watch").boxed();
    cms.create(&PostParams::default(), &configmap("moving"))
        .await
        .expect("create");
    let label = |v: Option<&str>| Patch::Merge(json!({ "metadata": { "labels": { "stage": v } } }));
    cms.patch("moving", &PatchParams::default(), &label(Some("live")))
        .await
        .expect("label");
    cms.patch("moving", &PatchParams::default(), &label(None))
        .await
        .expect("unlabel");
    let mut seen = Vec::new();
    while seen.len() < 2 {
        match tokio::time::timeout(Duration::from_secs(30), stream.try_next())
            .await
            .expect("in time")
            .expect("ok")
            .expect("open")
        {
            WatchEvent::Added(cm) => seen.push(("ADDED", cm.metadata.name)),
            WatchEvent::Deleted(cm) => seen.push(("DELETED", cm.metadata.name)),
            WatchEvent::Modified(cm) => seen.push(("MODIFIED", cm.metadata.name)),
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(e) => panic!("{e:?}"),
        }
    }
    let moving = Some("moving".to_string());
    assert_eq!(seen, [("ADDED", moving.clone()), ("DELETED", moving)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_follow_streams_new_lines() {
    use futures::AsyncBufReadExt;
    use kube::api::LogParams;
    let h = common::start().await;
    let pods: Api<Pod> = Api::namespaced(client(&h).await, "data");
    common::eventually("postgres-0 running", || async {
        pods.get("postgres-0")
            .await
            .is_ok_and(|p| p.status.and_then(|s| s.phase).as_deref() == Some("Running"))
    })
    .await;
    let lp = LogParams {
        follow: true,
        tail_lines: Some(1),
        ..LogParams::default()
    };
    let mut lines = pods
        .log_stream("postgres-0", &lp)
        .await
        .expect("log stream")
        .lines();
    let mut got = Vec::new();
    while got.len() < 4 {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next())
            .await
            .expect("line in time")
            .expect("open")
            .expect("utf8");
        got.push(line);
    }
    assert!(got.iter().all(|l| l.starts_with("[postgres]")), "{got:?}");
    assert_eq!(
        got.iter().collect::<std::collections::HashSet<_>>().len(),
        4,
        "lines differ: {got:?}"
    );
}

/// Malformed query parameters and bodies are client errors (4xx), never a 500 from a
/// handler panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_client_errors() {
    let h = common::start().await;
    let base = h.cluster.url();
    let status =
        |url: String| async move { reqwest::get(url).await.expect("http").status().as_u16() };

    // A continue token with a multi-byte character must not be sliced mid-character.
    assert_eq!(
        status(format!("{base}/api/v1/pods?limit=1&continue=a%C3%A9b")).await,
        400
    );
    assert_eq!(
        status(format!("{base}/api/v1/pods?limit=1&continue=zz")).await,
        400
    );

    let pod_url = || async {
        let pods: Value = reqwest::get(format!(
            "{base}/api/v1/namespaces/shop/pods?labelSelector=app%3Dweb"
        ))
        .await
        .expect("http")
        .json()
        .await
        .expect("json");
        pods["items"]
            .as_array()
            .and_then(|items| {
                items.iter().find(|p| {
                    p.pointer("/status/containerStatuses/0/state/running")
                        .is_some()
                })
            })
            .and_then(|p| p["metadata"]["name"].as_str())
            .map(|n| format!("{base}/api/v1/namespaces/shop/pods/{n}/log"))
    };
    common::eventually("a running web pod", || async { pod_url().await.is_some() }).await;
    let log = pod_url().await.expect("running pod");
    assert_eq!(status(format!("{log}?sinceSeconds=0")).await, 422);
    assert_eq!(status(format!("{log}?sinceSeconds=-5")).await, 422);
    assert_eq!(
        status(format!("{log}?sinceSeconds={}", i64::MAX)).await,
        200,
        "a cutoff before any log line means the whole log"
    );
    let limited = reqwest::get(format!("{log}?limitBytes=10"))
        .await
        .expect("http")
        .text()
        .await
        .expect("text");
    assert_eq!(limited.len(), 10);

    // A watch asking for an absurd timeout is clamped, not an Instant overflow.
    let w = reqwest::get(format!(
        "{base}/api/v1/configmaps?watch=true&timeoutSeconds={}",
        i64::MAX
    ))
    .await
    .expect("http");
    assert_eq!(w.status().as_u16(), 200);
    drop(w);

    let http = reqwest::Client::new();
    let ssar = http
        .post(format!(
            "{base}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
        ))
        .json(&json!([1, 2]))
        .send()
        .await
        .expect("http");
    assert_eq!(ssar.status().as_u16(), 400);

    // Fields the controllers read as objects or replica counts are validated.
    let deploy = |spec: Value| {
        http.post(format!(
            "{base}/apis/apps/v1/namespaces/default/deployments"
        ))
        .json(&json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": { "name": "malformed" },
            "spec": spec,
        }))
        .send()
    };
    for spec in [
        json!("not an object"),
        json!({ "replicas": 1, "selector": "app=x", "template": {} }),
        json!({ "replicas": 1, "selector": {}, "template": [] }),
        json!({ "replicas": 1, "selector": {}, "template": { "metadata": { "labels": "x" } } }),
        json!({ "replicas": 3_000_000_000_i64, "selector": {}, "template": {} }),
        json!({ "replicas": -1, "selector": {}, "template": {} }),
    ] {
        let r = deploy(spec.clone()).await.expect("http");
        assert_eq!(r.status().as_u16(), 422, "{spec}");
    }
}

/// `shutdown` ends open watches and followed logs instead of leaving them streaming.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_open_streams() {
    use bosun_demo_cluster::{DemoCluster, DemoConfig};
    let cluster = DemoCluster::start(DemoConfig {
        time_scale: 20.0,
        ..DemoConfig::default()
    })
    .await
    .expect("start");
    let base = cluster.url();
    common::eventually("postgres-0 running", || async {
        let p: Value = reqwest::get(format!("{base}/api/v1/namespaces/data/pods/postgres-0"))
            .await
            .expect("http")
            .json()
            .await
            .expect("json");
        p["status"]["phase"] == "Running"
    })
    .await;
    let mut watch = reqwest::get(format!(
        "{base}/api/v1/pods?watch=true&timeoutSeconds=600&allowWatchBookmarks=true"
    ))
    .await
    .expect("watch");
    let mut logs = reqwest::get(format!(
        "{base}/api/v1/namespaces/data/pods/postgres-0/log?follow=true&tailLines=1"
    ))
    .await
    .expect("logs");
    assert_eq!(watch.status().as_u16(), 200);
    assert_eq!(logs.status().as_u16(), 200);
    assert!(watch.chunk().await.expect("watch chunk").is_some());
    assert!(logs.chunk().await.expect("log chunk").is_some());
    cluster.shutdown().await;
    for (what, resp) in [("watch", &mut watch), ("log follow", &mut logs)] {
        tokio::time::timeout(Duration::from_secs(10), async {
            // Drain what was already sent; the stream must then end (or break off).
            while let Ok(Some(_)) = resp.chunk().await {}
        })
        .await
        .unwrap_or_else(|_| panic!("{what} still open after shutdown"));
    }
}
