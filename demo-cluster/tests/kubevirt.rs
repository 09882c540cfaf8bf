//! KubeVirt over HTTP as a console drives it: virt-api's lifecycle subresources
//! (start, stop, restart on VMs; pause, unpause on VMIs), grace periods, the guest that
//! ignores shutdown, and what the VM's status and events say meanwhile.

mod common;

use std::time::{Duration, Instant};

use bosun_demo_cluster::VIEWER_TOKEN;
use common::{Harness, call, get, start, wait_get};
use serde_json::{Value, json};

fn vm_path(ns: &str, name: &str) -> String {
    format!("/apis/kubevirt.io/v1/namespaces/{ns}/virtualmachines/{name}")
}

fn vmi_path(ns: &str, name: &str) -> String {
    format!("/apis/kubevirt.io/v1/namespaces/{ns}/virtualmachineinstances/{name}")
}

/// `PUT` of a lifecycle subresource (`virtualmachines/restart`, `virtualmachineinstances/pause`, ...).
async fn act(h: &Harness, ns: &str, target: &str, action: &str, body: Value) -> (u16, Value) {
    let path = format!("/apis/subresources.kubevirt.io/v1/namespaces/{ns}/{target}/{action}");
    call(h, "PUT", &path, Some(body)).await
}

fn uid(v: &Value) -> String {
    v["metadata"]["uid"].as_str().unwrap_or("").to_string()
}

fn condition<'a>(obj: &'a Value, ty: &str) -> Option<&'a Value> {
    obj["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == ty)
}

fn ready(vmi: &Value) -> bool {
    vmi["status"]["phase"] == "Running"
        && condition(vmi, "Ready").is_some_and(|c| c["status"] == "True")
}

/// Waits until the VM is Running and ready; returns its VMI.
async fn running(h: &Harness, ns: &str, name: &str) -> Value {
    wait_get(
        h,
        &format!("{ns}/{name} running"),
        &vm_path(ns, name),
        |v| v["status"]["printableStatus"] == "Running" && v["status"]["ready"] == true,
    )
    .await;
    get(h, &vmi_path(ns, name)).await
}

/// Waits for a VMI other than `old` that runs and is Ready, and its VM Running again
/// with no state change left pending; returns the new VMI.
async fn replaced(h: &Harness, ns: &str, name: &str, old: &str) -> Value {
    let vmi = wait_get(
        h,
        &format!("new VMI of {ns}/{name}"),
        &vmi_path(ns, name),
        |v| uid(v) != old && ready(v),
    )
    .await;
    wait_get(
        h,
        &format!("{ns}/{name} settled"),
        &vm_path(ns, name),
        |v| {
            v["status"]["printableStatus"] == "Running"
                && v["status"].get("stateChangeRequests").is_none()
        },
    )
    .await;
    vmi
}

/// Reasons of the events about the object with `uid`.
async fn event_reasons(h: &Harness, ns: &str, uid: &str) -> Vec<(String, String)> {
    let events = get(
        h,
        &format!("/api/v1/namespaces/{ns}/events?fieldSelector=involvedObject.uid%3D{uid}"),
    )
    .await;
    common::items(&events)
        .iter()
        .map(|e| {
            (
                e["reason"].as_str().unwrap_or("").to_string(),
                e["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// How often an event of `reason` about the object with `uid` was recorded.
async fn event_count(h: &Harness, ns: &str, uid: &str, reason: &str) -> i64 {
    let events = get(
        h,
        &format!("/api/v1/namespaces/{ns}/events?fieldSelector=involvedObject.uid%3D{uid}"),
    )
    .await;
    common::items(&events)
        .iter()
        .filter(|e| e["reason"] == reason)
        .map(|e| e["count"].as_i64().unwrap_or(1))
        .sum()
}

fn has_event(events: &[(String, String)], reason: &str, message_part: &str) -> bool {
    events
        .iter()
        .any(|(r, m)| r == reason && m.contains(message_part))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_vms_settle_with_what_a_console_shows() {
    let h = start().await;
    for (ns, name) in [
        ("vms", "vm-running"),
        ("vms", "vm-hung"),
        ("lab", "build-agent"),
        ("lab", "dev-desktop"),
        ("lab", "scratch"),
    ] {
        let vmi = running(&h, ns, name).await;
        assert!(
            vmi["status"]["nodeName"]
                .as_str()
                .is_some_and(|n| n.starts_with("node-")),
            "{vmi}"
        );
        let iface = &vmi["status"]["interfaces"][0];
        assert_eq!(iface["name"], "default");
        assert!(
            iface["ipAddress"]
                .as_str()
                .is_some_and(|ip| ip.starts_with("10.244.")),
            "{vmi}"
        );
        assert_eq!(iface["ipAddresses"][0], iface["ipAddress"]);
        assert!(vmi["status"]["guestOSInfo"]["name"].is_string(), "{vmi}");
        assert!(vmi["spec"]["domain"]["cpu"]["cores"].is_i64(), "{vmi}");
        assert!(
            vmi["spec"]["domain"]["memory"]["guest"].is_string(),
            "{vmi}"
        );
    }
    let scratch = get(&h, &vm_path("lab", "scratch")).await;
    assert_eq!(scratch["status"]["runStrategy"], "Manual");
    assert!(
        scratch["status"].get("stateChangeRequests").is_none(),
        "the seeded Start was consumed"
    );
    let legacy = get(&h, &vm_path("lab", "build-agent")).await;
    assert_eq!(
        (&legacy["spec"]["running"], &legacy["status"]["runStrategy"]),
        (&json!(true), &json!("Always"))
    );
    let stopped = get(&h, &vm_path("vms", "vm-stopped")).await;
    assert_eq!(
        (
            &stopped["status"]["printableStatus"],
            &stopped["status"]["ready"],
            &stopped["status"]["created"]
        ),
        (&json!("Stopped"), &json!(false), &json!(false))
    );
    let paused = wait_get(&h, "vm-paused Paused", &vm_path("vms", "vm-paused"), |v| {
        v["status"]["printableStatus"] == "Paused"
    })
    .await;
    assert_eq!(paused["status"]["ready"], false);
    assert_eq!(
        condition(&paused, "Paused").expect("Paused")["reason"],
        "PausedByUser"
    );
    let hung = get(&h, &vm_path("vms", "vm-hung")).await;
    assert_eq!(
        hung["spec"]["template"]["spec"]["terminationGracePeriodSeconds"],
        3600
    );
    assert_eq!(
        hung["spec"]["template"]["metadata"]["annotations"]["demo.bosun.dev/guest-ignores-shutdown"],
        "true"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_restart_gives_each_run_strategy_a_new_instance() {
    let h = start().await;
    for (ns, name, strategy) in [
        ("vms", "vm-running", "Always"),
        ("lab", "dev-desktop", "RerunOnFailure"),
        ("lab", "scratch", "Manual"),
    ] {
        let old = uid(&running(&h, ns, name).await);
        let (code, body) = act(
            &h,
            ns,
            &format!("virtualmachines/{name}"),
            "restart",
            json!({}),
        )
        .await;
        assert_eq!(code, 202, "{ns}/{name}: {body}");
        let new = replaced(&h, ns, name, &old).await;
        assert_ne!(uid(&new), old);
        let vm = get(&h, &vm_path(ns, name)).await;
        assert_eq!(
            vm["status"]["runStrategy"], strategy,
            "a restart keeps the run strategy"
        );
        assert_eq!(vm["status"]["ready"], true);
        // The old guest was asked to shut down and did; the VM recorded both halves.
        let old_events = event_reasons(&h, ns, &old).await;
        assert!(
            has_event(&old_events, "ShuttingDown", "Signaled Graceful Shutdown"),
            "{old_events:?}"
        );
        assert!(
            has_event(&old_events, "Stopped", "shut down"),
            "{old_events:?}"
        );
        let vm_events = event_reasons(&h, ns, &uid(&vm)).await;
        assert!(
            has_event(&vm_events, "SuccessfulDelete", &old),
            "{vm_events:?}"
        );
        assert!(
            has_event(
                &vm_events,
                "SuccessfulCreate",
                "Started the virtual machine"
            ),
            "{vm_events:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_guest_ignores_a_graceful_restart_until_it_is_forced() {
    let h = start().await;
    let old = uid(&running(&h, "vms", "vm-hung").await);
    let (code, _) = act(&h, "vms", "virtualmachines/vm-hung", "restart", json!({})).await;
    assert_eq!(code, 202);
    let stopping = wait_get(&h, "vm-hung Stopping", &vm_path("vms", "vm-hung"), |v| {
        v["status"]["printableStatus"] == "Stopping"
    })
    .await;
    assert_eq!(
        stopping["status"]["stateChangeRequests"],
        json!([{ "action": "Stop", "uid": old }, { "action": "Start" }]),
        "the restart as virt-api records it"
    );
    let vmi = get(&h, &vmi_path("vms", "vm-hung")).await;
    assert!(vmi["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(
        vmi["metadata"]["deletionGracePeriodSeconds"], 3600,
        "the guest's own grace period"
    );
    // Well past a normal guest's 10 s shutdown (40 simulated seconds), it is still there.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let still = get(&h, &vmi_path("vms", "vm-hung")).await;
    assert_eq!(
        uid(&still),
        old,
        "a graceful restart of a hung guest does not finish"
    );
    assert_eq!(
        event_count(&h, "vms", &old, "ShuttingDown").await,
        1,
        "the shutdown is signalled once"
    );
    assert_eq!(
        get(&h, &vm_path("vms", "vm-hung")).await["status"]["printableStatus"],
        "Stopping"
    );
    // A second graceful restart is refused while the first waits.
    let (code, body) = act(&h, "vms", "virtualmachines/vm-hung", "restart", json!({})).await;
    assert_eq!(code, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("already underway")),
        "{body}"
    );
    // The forced restart removes it at once and a new guest boots.
    let (code, body) = act(
        &h,
        "vms",
        "virtualmachines/vm-hung",
        "restart",
        json!({ "gracePeriodSeconds": 0 }),
    )
    .await;
    assert_eq!(code, 202, "{body}");
    let (code, now) = call(&h, "GET", &vmi_path("vms", "vm-hung"), None).await;
    assert!(
        code == 404 || uid(&now) != old,
        "removed at once: {code} {now}"
    );
    let new = replaced(&h, "vms", "vm-hung", &old).await;
    assert!(new["metadata"]["deletionTimestamp"].is_null());
    let events = event_reasons(&h, "vms", &old).await;
    assert!(
        has_event(&events, "ShuttingDown", "Signaled Graceful Shutdown"),
        "{events:?}"
    );
    assert!(
        has_event(&events, "Deleted", "forced restart"),
        "{events:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_honours_the_grace_period_it_is_given() {
    let h = start().await;
    let hung = uid(&running(&h, "vms", "vm-hung").await);
    running(&h, "vms", "vm-running").await;
    let stopped_at = Instant::now();
    let (code, _) = act(
        &h,
        "vms",
        "virtualmachines/vm-hung",
        "stop",
        json!({ "gracePeriod": 60 }),
    )
    .await;
    assert_eq!(code, 202);
    let (code, _) = act(
        &h,
        "vms",
        "virtualmachines/vm-running",
        "stop",
        json!({ "gracePeriod": 120 }),
    )
    .await;
    assert_eq!(code, 202);
    let vm = get(&h, &vm_path("vms", "vm-hung")).await;
    assert_eq!(vm["spec"]["runStrategy"], "Halted");
    let vmi = wait_get(
        &h,
        "vm-hung shutting down",
        &vmi_path("vms", "vm-hung"),
        |v| v["metadata"]["deletionTimestamp"].is_string(),
    )
    .await;
    assert_eq!(vmi["metadata"]["deletionGracePeriodSeconds"], 60);
    assert_eq!(vmi["spec"]["terminationGracePeriodSeconds"], 60);
    // The normal guest powers off by itself, long before its 120 s.
    wait_get(
        &h,
        "vm-running Stopped",
        &vm_path("vms", "vm-running"),
        |v| v["status"]["printableStatus"] == "Stopped",
    )
    .await;
    // The hung one holds out until its 60 simulated seconds (3 s here) are up...
    if stopped_at.elapsed() < Duration::from_millis(2500) {
        let (code, v) = call(&h, "GET", &vmi_path("vms", "vm-hung"), None).await;
        assert_eq!((code, uid(&v)), (200, hung.clone()), "still shutting down");
    }
    // ...and is then killed.
    wait_get(&h, "vm-hung Stopped", &vm_path("vms", "vm-hung"), |v| {
        v["status"]["printableStatus"] == "Stopped"
    })
    .await;
    assert!(
        stopped_at.elapsed() >= Duration::from_millis(2500),
        "not before its grace period ran out"
    );
    let events = event_reasons(&h, "vms", &hung).await;
    assert!(
        has_event(&events, "Deleted", "within its 60s grace period"),
        "{events:?}"
    );
    let (code, body) = act(&h, "vms", "virtualmachines/vm-hung", "stop", json!({})).await;
    assert_eq!(code, 409, "nothing left to stop: {body}");
    // Started again, a graceful stop is cut short by a forced one.
    let (code, _) = act(
        &h,
        "vms",
        "virtualmachines/vm-hung",
        "start",
        json!({ "paused": false }),
    )
    .await;
    assert_eq!(code, 202);
    let hung = uid(&running(&h, "vms", "vm-hung").await);
    let (code, _) = act(
        &h,
        "vms",
        "virtualmachines/vm-hung",
        "stop",
        json!({ "gracePeriod": 600 }),
    )
    .await;
    assert_eq!(code, 202);
    wait_get(
        &h,
        "vm-hung shutting down",
        &vmi_path("vms", "vm-hung"),
        |v| v["metadata"]["deletionGracePeriodSeconds"] == 600,
    )
    .await;
    let (code, body) = act(
        &h,
        "vms",
        "virtualmachines/vm-hung",
        "stop",
        json!({ "gracePeriod": 600 }),
    )
    .await;
    assert_eq!(
        code, 409,
        "a Halted VM's stop must shorten the grace period: {body}"
    );
    let (code, _) = act(
        &h,
        "vms",
        "virtualmachines/vm-hung",
        "stop",
        json!({ "gracePeriod": 0 }),
    )
    .await;
    assert_eq!(code, 202);
    let (code, _) = call(&h, "GET", &vmi_path("vms", "vm-hung"), None).await;
    assert_eq!(code, 404, "a forced stop removes the VMI at once");
    let events = event_reasons(&h, "vms", &hung).await;
    assert!(has_event(&events, "Deleted", "forced stop"), "{events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_and_unpause_a_running_guest() {
    let h = start().await;
    let vmi = "virtualmachineinstances/vm-paused";
    wait_get(&h, "vm-paused Paused", &vm_path("vms", "vm-paused"), |v| {
        v["status"]["printableStatus"] == "Paused"
    })
    .await;
    let (code, body) = act(&h, "vms", vmi, "pause", json!({})).await;
    assert_eq!(code, 409);
    assert_eq!(
        body["message"],
        "Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"vm-paused\": VMI is already paused"
    );
    let (code, _) = act(&h, "vms", vmi, "unpause", json!({})).await;
    assert_eq!(code, 202);
    let unpaused = get(&h, &vmi_path("vms", "vm-paused")).await;
    assert!(
        condition(&unpaused, "Paused").is_none() && ready(&unpaused),
        "{unpaused}"
    );
    running(&h, "vms", "vm-paused").await;
    let (code, body) = act(&h, "vms", vmi, "unpause", json!({})).await;
    assert_eq!(code, 409);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.ends_with("VMI is not paused")),
        "{body}"
    );
    let (code, _) = act(&h, "vms", vmi, "pause", json!({})).await;
    assert_eq!(code, 202);
    let paused = wait_get(
        &h,
        "vm-paused Paused again",
        &vm_path("vms", "vm-paused"),
        |v| v["status"]["printableStatus"] == "Paused",
    )
    .await;
    assert_eq!(
        condition(&paused, "Paused").expect("Paused")["status"],
        "True"
    );
    let events = event_reasons(&h, "vms", &uid(&unpaused)).await;
    assert!(has_event(&events, "Paused", "paused by user"), "{events:?}");
    assert!(
        has_event(&events, "Unpaused", "unpaused by user"),
        "{events:?}"
    );
    // No VMI: 404. A VMI not running yet (no node to run on): 409.
    let (code, body) = act(
        &h,
        "vms",
        "virtualmachineinstances/vm-stopped",
        "pause",
        json!({}),
    )
    .await;
    assert_eq!(code, 404, "{body}");
    assert_eq!(
        body["message"],
        "virtualmachineinstance.kubevirt.io \"vm-stopped\" not found"
    );
    for node in ["node-1", "node-2", "node-3"] {
        let (code, _) = call(
            &h,
            "PATCH",
            &format!("/api/v1/nodes/{node}"),
            Some(json!({ "spec": { "unschedulable": true } })),
        )
        .await;
        assert_eq!(code, 200);
    }
    let (code, _) = act(
        &h,
        "vms",
        "virtualmachines/vm-stopped",
        "start",
        json!({ "paused": false }),
    )
    .await;
    assert_eq!(code, 202);
    wait_get(&h, "a pending VMI", &vmi_path("vms", "vm-stopped"), |v| {
        v["status"]["phase"] == "Pending"
    })
    .await;
    let (code, body) = act(
        &h,
        "vms",
        "virtualmachineinstances/vm-stopped",
        "pause",
        json!({}),
    )
    .await;
    assert_eq!(code, 409);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.ends_with("VMI is not running")),
        "{body}"
    );
    assert_eq!(
        get(&h, &vm_path("vms", "vm-stopped")).await["status"]["printableStatus"],
        "Starting"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_refusals_are_virt_apis() {
    let h = start().await;
    running(&h, "vms", "vm-running").await;
    let refused = |code: u16, body: &Value, message: &str| {
        assert_eq!(
            (code, body["reason"].as_str()),
            (409, Some("Conflict")),
            "{body}"
        );
        assert_eq!(body["message"], message);
    };
    let (code, body) = act(
        &h,
        "vms",
        "virtualmachines/vm-stopped",
        "restart",
        json!({}),
    )
    .await;
    refused(
        code,
        &body,
        "Operation cannot be fulfilled on virtualmachine.kubevirt.io \"vm-stopped\": RunStategy Halted does not support manual restart requests",
    );
    let (code, body) = act(
        &h,
        "vms",
        "virtualmachines/vm-stopped",
        "stop",
        json!({ "gracePeriod": 0 }),
    )
    .await;
    refused(
        code,
        &body,
        "Operation cannot be fulfilled on virtualmachine.kubevirt.io \"vm-stopped\": VM is not running",
    );
    let (code, body) = act(&h, "vms", "virtualmachines/vm-running", "start", json!({})).await;
    refused(
        code,
        &body,
        "Operation cannot be fulfilled on virtualmachine.kubevirt.io \"vm-running\": VM is already running",
    );
    let (code, body) = act(
        &h,
        "vms",
        "virtualmachines/vm-running",
        "restart",
        json!({ "gracePeriodSeconds": 5 }),
    )
    .await;
    assert_eq!(
        (code, &body["message"]),
        (
            400,
            &json!("For force restart, only gracePeriod=0 is supported for now")
        )
    );
    let (code, body) = act(&h, "vms", "virtualmachines/nope", "restart", json!({})).await;
    assert_eq!(
        (code, &body["message"]),
        (404, &json!("virtualmachine.kubevirt.io \"nope\" not found"))
    );
    let (code, _) = call(
        &h,
        "PUT",
        "/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/vm-running/restart",
        Some(json!("x")),
    )
    .await;
    assert_eq!(code, 400, "a body that is not StartOptions");
    let (code, _) = call(
        &h,
        "GET",
        "/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/vm-running/restart",
        None,
    )
    .await;
    assert_eq!(code, 405);
    // A Manual VM keeps its strategy through stop and start; stopped, it cannot restart.
    let old = uid(&running(&h, "lab", "scratch").await);
    let (code, _) = act(
        &h,
        "lab",
        "virtualmachines/scratch",
        "stop",
        json!({ "gracePeriod": 30 }),
    )
    .await;
    assert_eq!(code, 202);
    let stopped = wait_get(&h, "scratch Stopped", &vm_path("lab", "scratch"), |v| {
        v["status"]["printableStatus"] == "Stopped"
            && v["status"].get("stateChangeRequests").is_none()
    })
    .await;
    assert_eq!(stopped["spec"]["runStrategy"], "Manual");
    let (code, body) = act(&h, "lab", "virtualmachines/scratch", "restart", json!({})).await;
    refused(
        code,
        &body,
        "Operation cannot be fulfilled on virtualmachine.kubevirt.io \"scratch\": VM is not running",
    );
    let (code, _) = act(
        &h,
        "lab",
        "virtualmachines/scratch",
        "start",
        json!({ "paused": false }),
    )
    .await;
    assert_eq!(code, 202);
    replaced(&h, "lab", "scratch", &old).await;
    // Discovery lists every lifecycle call.
    let discovery = get(&h, "/apis/subresources.kubevirt.io/v1").await;
    let names: Vec<&str> = discovery["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "virtualmachines/start",
            "virtualmachines/stop",
            "virtualmachines/restart",
            "virtualmachineinstances/pause",
            "virtualmachineinstances/unpause"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_viewer_may_not_pause() {
    let h = start().await;
    running(&h, "vms", "vm-running").await;
    let resp = reqwest::Client::new()
        .put(format!(
            "{}/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachineinstances/vm-running/pause",
            h.cluster.url()
        ))
        .bearer_auth(VIEWER_TOKEN)
        .json(&json!({}))
        .send()
        .await
        .expect("http");
    assert_eq!(resp.status().as_u16(), 403);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(
        body["message"],
        "virtualmachineinstances.subresources.kubevirt.io \"vm-running\" is forbidden: User \"demo-viewer\" cannot update resource \"virtualmachineinstances/pause\" in API group \"subresources.kubevirt.io\" in the namespace \"vms\""
    );
    let vmi = get(&h, &vmi_path("vms", "vm-running")).await;
    assert!(condition(&vmi, "Paused").is_none(), "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_vm_is_terminating_until_its_guest_is_gone() {
    let h = start().await;
    running(&h, "vms", "vm-hung").await;
    let (code, body) = call(&h, "DELETE", &vm_path("vms", "vm-hung"), None).await;
    assert_eq!(code, 200, "{body}");
    wait_get(&h, "vm-hung Terminating", &vm_path("vms", "vm-hung"), |v| {
        v["status"]["printableStatus"] == "Terminating"
    })
    .await;
    let vmi = wait_get(
        &h,
        "its guest shutting down",
        &vmi_path("vms", "vm-hung"),
        |v| v["metadata"]["deletionTimestamp"].is_string(),
    )
    .await;
    assert_eq!(vmi["metadata"]["deletionGracePeriodSeconds"], 3600);
    // The console's fallback: force the VMI away; the VM follows.
    let (code, _) = call(
        &h,
        "DELETE",
        &format!("{}?gracePeriodSeconds=0", vmi_path("vms", "vm-hung")),
        None,
    )
    .await;
    assert_eq!(code, 200);
    common::eventually("vm-hung gone", || async {
        call(&h, "GET", &vm_path("vms", "vm-hung"), None).await.0 == 404
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_start_boots_the_guest_paused() {
    let h = start().await;
    let (code, body) = act(
        &h,
        "vms",
        "virtualmachines/vm-stopped",
        "start",
        json!({ "paused": true }),
    )
    .await;
    assert_eq!(code, 202, "{body}");
    let vm = wait_get(
        &h,
        "vm-stopped Paused",
        &vm_path("vms", "vm-stopped"),
        |v| v["status"]["printableStatus"] == "Paused",
    )
    .await;
    assert_eq!(vm["spec"]["runStrategy"], "Always");
    assert!(vm["status"].get("stateChangeRequests").is_none(), "{vm}");
    let vmi = get(&h, &vmi_path("vms", "vm-stopped")).await;
    assert_eq!(vmi["spec"]["startStrategy"], "Paused");
    let (code, _) = act(
        &h,
        "vms",
        "virtualmachineinstances/vm-stopped",
        "unpause",
        json!({}),
    )
    .await;
    assert_eq!(code, 202);
    running(&h, "vms", "vm-stopped").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_rerun_on_failure_vm_stays_stopped_until_started() {
    let h = start().await;
    let old = uid(&running(&h, "lab", "dev-desktop").await);
    let (code, body) = act(&h, "lab", "virtualmachines/dev-desktop", "stop", json!({})).await;
    assert_eq!(code, 202, "{body}");
    wait_get(
        &h,
        "dev-desktop Stopped",
        &vm_path("lab", "dev-desktop"),
        |v| {
            v["status"]["printableStatus"] == "Stopped"
                && v["status"].get("stateChangeRequests").is_none()
        },
    )
    .await;
    // Well past the time a new guest would take to boot, none has.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let vm = get(&h, &vm_path("lab", "dev-desktop")).await;
    assert_eq!(
        (&vm["status"]["printableStatus"], &vm["spec"]["runStrategy"]),
        (&json!("Stopped"), &json!("RerunOnFailure"))
    );
    let (code, _) = act(&h, "lab", "virtualmachines/dev-desktop", "start", json!({})).await;
    assert_eq!(code, 202);
    replaced(&h, "lab", "dev-desktop", &old).await;
}
