//! Virtual machines against the demo cluster over real HTTP: lifecycle calls as virtctl
//! sends them, the tracked operation of a graceful restart with its deadline and forced
//! fallback, conflicts, bulk actions, and an operation that outlives a console restart.

use bosun_core::Role;
use bosun_demo_cluster::RecordedRequest;
use serde_json::{Value, json};
use std::time::Duration;

use crate::common::*;

const VMS: &str = "/api/v1/clusters/demo/namespaces/vms/virtualmachines";
const SUBRESOURCES: &str = "/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines";

fn body_of(r: &RecordedRequest) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("JSON body: {}", r.body))
}

/// Waits until Bosun's cache shows the VM in `status`.
async fn vm_status(
    srv: &TestServer,
    client: &reqwest::Client,
    base: &str,
    name: &str,
    status: &str,
) -> Value {
    eventually(60, &format!("{name} {status}"), || async {
        let (code, body) = get(client, &srv.url(&format!("{base}/{name}"))).await;
        (code == 200 && body["data"]["row"]["status"] == status).then(|| body["data"].clone())
    })
    .await
}

/// Starts an action and returns the operation's id.
async fn act(
    srv: &TestServer,
    client: &reqwest::Client,
    name: &str,
    action: &str,
    body: Value,
) -> String {
    let (status, answer) = send(
        client,
        "PUT",
        &srv.url(&format!("{VMS}/{name}/{action}")),
        Some(body),
    )
    .await;
    assert_eq!(status, 202, "{action} {name}: {answer}");
    answer["data"]["operation_id"]
        .as_str()
        .expect("operation id")
        .to_string()
}

/// Waits until the operation has finished and returns it.
async fn finished(srv: &TestServer, client: &reqwest::Client, id: &str, secs: u64) -> Value {
    eventually(secs, &format!("operation {id} finished"), || async {
        let (status, body) = get(client, &srv.url(&format!("/api/v1/operations/{id}"))).await;
        assert_eq!(status, 200, "{body}");
        (body["data"]["finished"] == true).then(|| body["data"].clone())
    })
    .await
}

fn states(op: &Value) -> Vec<String> {
    op["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["state"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_graceful_restart_of_a_healthy_vm_needs_no_fallback() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    let before = vm_status(&srv, &op, VMS, "vm-running", "Running").await;
    let old_uid = before["instance"]["uid"].as_str().unwrap().to_string();
    srv.take_demo_requests();
    let id = act(
        &srv,
        &op,
        "vm-running",
        "restart",
        json!({"stopTimeoutSeconds": 60}),
    )
    .await;
    let writes = srv.take_demo_writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        ("PUT", &*format!("{SUBRESOURCES}/vm-running/restart"))
    );
    assert_eq!(body_of(&writes[0]), json!({}));

    let done = finished(&srv, &op, &id, 60).await;
    assert_eq!(done["state"], "Running", "{done}");
    assert_eq!(done["fallback"], Value::Null);
    assert_eq!(
        states(&done),
        ["Requested", "Stopping", "Starting", "Running"]
    );
    assert_eq!(done["options"]["stopTimeoutSeconds"], 60);
    assert_eq!(done["options"]["startTimeoutSeconds"], 120);
    let after = vm_status(&srv, &op, VMS, "vm-running", "Running").await;
    assert_ne!(after["instance"]["uid"], old_uid, "a new instance runs");

    // The request and the end are in the audit log, tied by the operation id.
    let rows = audit_rows(&srv, "name=vm-running").await;
    let restart = rows
        .iter()
        .find(|r| r["action"] == "vm.restart")
        .expect("vm.restart row");
    assert!(
        restart["parameters"].as_str().unwrap().contains(&id),
        "{restart}"
    );
    let end = rows
        .iter()
        .find(|r| r["action"] == "operation.end")
        .expect("operation.end row");
    assert_eq!(end["outcome"], "succeeded");
    assert!(
        end["parameters"]
            .as_str()
            .unwrap()
            .contains("\"state\":\"Running\""),
        "{end}"
    );
    assert!(rows.iter().all(|r| r["action"] != "vm.force_restart"));
    // The VM's restart history lists it.
    let (_, history) = get(&op, &srv.url(&format!("{VMS}/vm-running/history"))).await;
    assert_eq!(history["data"][0]["id"], id.as_str());
    srv.stop().await;
}

#[tokio::test]
async fn a_guest_that_ignores_shutdown_is_forced_after_the_deadline_and_the_audit_says_why() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    vm_status(&srv, &op, VMS, "vm-hung", "Running").await;
    srv.take_demo_requests();
    let id = act(
        &srv,
        &op,
        "vm-hung",
        "restart",
        json!({"stopTimeoutSeconds": 2}),
    )
    .await;

    // A second restart while this one runs: 409 naming it.
    let (status, answer) = send(
        &op,
        "PUT",
        &srv.url(&format!("{VMS}/vm-hung/restart")),
        None,
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains(&id),
        "{answer}"
    );

    let done = finished(&srv, &op, &id, 60).await;
    assert_eq!(done["state"], "Running", "{done}");
    assert_eq!(
        states(&done),
        [
            "Requested",
            "Stopping",
            "ForceStopping",
            "Starting",
            "Running"
        ]
    );
    assert_eq!(
        done["fallback"],
        "the guest did not stop within 2 s of the graceful restart"
    );
    let writes: Vec<Value> = srv
        .take_demo_writes()
        .iter()
        .filter(|w| w.path.ends_with("/vm-hung/restart"))
        .map(body_of)
        .collect();
    assert_eq!(writes, [json!({}), json!({"gracePeriodSeconds": 0})]);

    let rows = audit_rows(&srv, "name=vm-hung").await;
    let forced = rows
        .iter()
        .find(|r| r["action"] == "vm.force_restart")
        .expect("the fallback is audited");
    let parameters: Value = serde_json::from_str(forced["parameters"].as_str().unwrap()).unwrap();
    assert_eq!(parameters["operation_id"], id.as_str());
    assert_eq!(
        parameters["fallback"],
        "the guest did not stop within 2 s of the graceful restart"
    );
    assert_eq!(forced["user"], "as-operator");
    srv.stop().await;
}

#[tokio::test]
async fn force_restart_and_stop_send_grace_period_zero_and_restart_starts_a_stopped_vm() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    vm_status(&srv, &op, VMS, "vm-running", "Running").await;
    srv.take_demo_requests();
    let id = act(&srv, &op, "vm-running", "restart", json!({"force": true})).await;
    let done = finished(&srv, &op, &id, 60).await;
    assert_eq!(
        states(&done),
        ["Requested", "ForceStopping", "Starting", "Running"]
    );
    let writes = srv.take_demo_writes();
    assert_eq!(body_of(&writes[0]), json!({"gracePeriodSeconds": 0}));
    let rows = audit_rows(&srv, "name=vm-running&action=vm.force_restart").await;
    assert_eq!(rows.len(), 1, "{rows:?}");

    // A restart of a stopped VM starts it.
    vm_status(&srv, &op, VMS, "vm-stopped", "Stopped").await;
    srv.take_demo_requests();
    let id = act(&srv, &op, "vm-stopped", "restart", json!({})).await;
    let done = finished(&srv, &op, &id, 60).await;
    assert_eq!(states(&done), ["Requested", "Starting", "Running"]);
    let writes = srv.take_demo_writes();
    assert_eq!(
        (writes[0].path.as_str(), body_of(&writes[0])),
        (
            &*format!("{SUBRESOURCES}/vm-stopped/start"),
            json!({"paused": false})
        )
    );

    // Stop always carries a grace period; the guest's own when shorter than the wait.
    srv.take_demo_requests();
    let id = act(
        &srv,
        &op,
        "vm-running",
        "stop",
        json!({"stopTimeoutSeconds": 45}),
    )
    .await;
    let writes = srv.take_demo_writes();
    assert_eq!(
        body_of(&writes[0]),
        json!({"gracePeriod": 30}),
        "vm-running's guest grace is 30 s"
    );
    let done = finished(&srv, &op, &id, 60).await;
    assert_eq!(
        (
            done["state"].as_str(),
            done["options"]["gracePeriodSeconds"].as_i64()
        ),
        (Some("Stopped"), Some(30))
    );

    // Stopping a stopped VM, starting a running one: refused with the state.
    let (status, answer) = send(
        &op,
        "PUT",
        &srv.url(&format!("{VMS}/vm-running/stop")),
        None,
    )
    .await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (
            409,
            Some("virtual machine vms/vm-running is already stopped")
        )
    );
    let (status, answer) = send(&op, "PUT", &srv.url(&format!("{VMS}/vm-hung/start")), None).await;
    assert_eq!(status, 409, "{answer}");
    // A graceful restart's grace period is KubeVirt's to refuse: only 0, meaning force.
    let (status, answer) = send(
        &op,
        "PUT",
        &srv.url(&format!("{VMS}/vm-hung/restart")),
        Some(json!({"gracePeriodSeconds": 5})),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = send(
        &op,
        "PUT",
        &srv.url(&format!("{VMS}/vm-hung/restart")),
        Some(json!({"stopTimeoutSeconds": 0})),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = send(
        &op,
        "PUT",
        &srv.url(&format!("{VMS}/vm-hung/pause")),
        Some(json!({"force": true})),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    srv.stop().await;
}

#[tokio::test]
async fn pause_and_unpause_act_on_the_instance() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    vm_status(&srv, &op, VMS, "vm-paused", "Paused").await;
    // The VM's stream pushes the change the unpause makes.
    let mut stream = op
        .get(srv.url(&format!("{VMS}/vm-paused?watch=true")))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.headers()["content-type"], "application/x-ndjson");
    srv.take_demo_requests();
    let id = act(&srv, &op, "vm-paused", "unpause", json!({})).await;
    let done = finished(&srv, &op, &id, 30).await;
    assert_eq!(done["state"], "Running");
    let mut text = String::new();
    let statuses = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            let chunk = stream
                .chunk()
                .await
                .unwrap()
                .expect("the stream stays open");
            text.push_str(&String::from_utf8_lossy(&chunk));
            let statuses: Vec<String> = text
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .map(|v| {
                    v["data"]["row"]["status"]
                        .as_str()
                        .unwrap_or("")
                        .to_string()
                })
                .collect();
            if statuses.last().map(String::as_str) == Some("Running") {
                return statuses;
            }
        }
    })
    .await
    .expect("the unpause is pushed");
    assert_eq!(statuses[0], "Paused", "{text}");
    let writes = srv.take_demo_writes();
    assert_eq!(
        writes[0].path,
        "/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachineinstances/vm-paused/unpause"
    );
    vm_status(&srv, &op, VMS, "vm-paused", "Running").await;
    let (status, answer) = send(
        &op,
        "PUT",
        &srv.url(&format!("{VMS}/vm-paused/unpause")),
        None,
    )
    .await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (
            409,
            Some("virtual machine vms/vm-paused is not paused (Running)")
        )
    );
    let id = act(&srv, &op, "vm-paused", "pause", json!({})).await;
    assert_eq!(finished(&srv, &op, &id, 30).await["state"], "Paused");
    vm_status(&srv, &op, VMS, "vm-paused", "Paused").await;
    srv.stop().await;
}

#[tokio::test]
async fn lists_cover_two_namespaces_and_bulk_actions_answer_per_vm() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    let all = eventually(30, "VMs of both namespaces", || async {
        let (status, body) = get(
            &op,
            &srv.url("/api/v1/clusters/demo/namespaces/_all/virtualmachines"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let items = body["data"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        (items.len() >= 7 && items.iter().all(|v| v["status"] != "Starting")).then_some(items)
    })
    .await;
    let ns: std::collections::BTreeSet<&str> = all
        .iter()
        .map(|v| v["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(ns.into_iter().collect::<Vec<_>>(), ["lab", "vms"]);
    let running = all.iter().find(|v| v["name"] == "vm-running").unwrap();
    assert_eq!(
        (running["cpu"].as_str(), running["memory"].as_str()),
        (Some("2"), Some("2Gi"))
    );
    assert!(
        running["ip"].as_str().unwrap().starts_with("10."),
        "{running}"
    );
    assert!(!running["node"].as_str().unwrap().is_empty());
    let (_, stopped) = get(
        &op,
        &srv.url("/api/v1/clusters/demo/namespaces/_all/virtualmachines?status=Stopped"),
    )
    .await;
    let names: Vec<&str> = stopped["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["vm-stopped"]);

    // Bulk: each VM its own result; a refusal does not stop the others.
    let target = |ns: &str, name: &str| json!({"cluster": "demo", "namespace": ns, "kind": "virtualmachines", "name": name});
    let (status, answer) = send(
        &op,
        "POST",
        &srv.url("/api/v1/batch/vm"),
        Some(json!({
            "action": "restart",
            "stopTimeoutSeconds": 30,
            "targets": [target("lab", "build-agent"), target("lab", "dev-desktop"), target("vms", "nope")],
        })),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let items = answer["data"]["items"].as_array().unwrap();
    assert_eq!(
        (
            answer["data"]["accepted"].as_u64(),
            answer["data"]["failed"].as_u64()
        ),
        (Some(2), Some(1)),
        "{answer}"
    );
    assert_eq!(items[2]["success"], false);
    assert!(
        items[2]["message"].as_str().unwrap().contains("not found"),
        "{answer}"
    );
    for item in &items[..2] {
        let done = finished(&srv, &op, item["operation_id"].as_str().unwrap(), 60).await;
        assert_eq!(done["state"], "Running", "{done}");
    }
    let (status, answer) = send(
        &op,
        "POST",
        &srv.url("/api/v1/batch/vm"),
        Some(json!({"action": "restart", "targets": []})),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    srv.stop().await;
}

/// The VMs of the cluster `ext` in [`console_of_its_own_cluster`].
const EXT_VMS: &str = "/api/v1/clusters/ext/namespaces/vms/virtualmachines";

/// A demo cluster running on its own, added to a console as `ext` (caches filled), so the
/// console can restart while the cluster goes on; with the console's admin client.
async fn console_of_its_own_cluster()
-> (bosun_demo_cluster::DemoCluster, TestServer, reqwest::Client) {
    let cluster = crate::clusters::second_cluster().await;
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let kubeconfig = cluster.kubeconfig_yaml("ext");
    let (status, body) = send(
        &admin,
        "POST",
        &srv.url("/api/v1/clusters"),
        Some(json!({"name": "ext", "kubeconfig": kubeconfig})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    srv.wait_for_caches("ext").await;
    (cluster, srv, admin)
}

#[tokio::test]
async fn an_operation_survives_a_console_restart_with_a_correct_record() {
    // The cluster runs on its own, so only the console restarts.
    let (cluster, srv, admin) = console_of_its_own_cluster().await;
    let base = EXT_VMS;
    vm_status(&srv, &admin, base, "vm-hung", "Running").await;
    let (status, answer) = send(
        &admin,
        "PUT",
        &srv.url(&format!("{base}/vm-hung/restart")),
        Some(json!({"stopTimeoutSeconds": 3})),
    )
    .await;
    assert_eq!(status, 202, "{answer}");
    let id = answer["data"]["operation_id"].as_str().unwrap().to_string();
    assert_eq!(answer["data"]["state"], "Stopping");

    // The console stops mid-operation; its deadline passes while it is down.
    let srv = srv.restart().await;
    let admin = srv.admin().await;
    let done = finished(&srv, &admin, &id, 90).await;
    assert_eq!(done["state"], "Running", "{done}");
    let states = states(&done);
    assert_eq!(states.first().map(String::as_str), Some("Requested"));
    assert!(states.contains(&"ForceStopping".to_string()), "{states:?}");
    assert_eq!(states.last().map(String::as_str), Some("Running"));
    let resumed = done["transitions"].as_array().unwrap().iter().any(|t| {
        t["message"]
            .as_str()
            .unwrap()
            .contains("the console restarted")
    });
    assert!(resumed, "the resumption is on record: {done}");
    assert!(
        done["fallback"]
            .as_str()
            .unwrap()
            .contains("did not stop within 3 s"),
        "{done}"
    );
    let rows = audit_rows(&srv, "name=vm-hung").await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert!(
        actions.contains(&"vm.restart")
            && actions.contains(&"vm.force_restart")
            && actions.contains(&"operation.end"),
        "{actions:?}"
    );
    srv.stop().await;
    cluster.shutdown().await;
}

#[tokio::test]
async fn a_guest_that_stopped_while_the_console_was_down_is_not_forced_on_resume() {
    let (cluster, srv, admin) = console_of_its_own_cluster().await;
    let base = EXT_VMS;
    vm_status(&srv, &admin, base, "vm-running", "Running").await;
    // The demo guest takes 10 s to shut down; the console would force it after 4 s.
    let (status, answer) = send(
        &admin,
        "PUT",
        &srv.url(&format!("{base}/vm-running/restart")),
        Some(json!({"stopTimeoutSeconds": 4})),
    )
    .await;
    assert_eq!(status, 202, "{answer}");
    let id = answer["data"]["operation_id"].as_str().unwrap().to_string();

    // Down past the deadline, while the guest stops and its new instance boots: on
    // resume the console must look at the VM (once its caches are complete) before it
    // decides anything, and find the restart already done.
    let srv = srv.restart_after(Duration::from_secs(16)).await;
    let admin = srv.admin().await;
    let done = finished(&srv, &admin, &id, 60).await;
    assert_eq!(done["state"], "Running", "{done}");
    assert!(done["fallback"].is_null(), "no fallback: {done}");
    let states = states(&done);
    assert!(!states.contains(&"ForceStopping".to_string()), "{states:?}");
    let rows = audit_rows(&srv, "name=vm-running").await;
    assert!(
        rows.iter().all(|r| r["action"] != "vm.force_restart"),
        "nothing was forced: {rows:?}"
    );
    srv.stop().await;
    cluster.shutdown().await;
}

#[tokio::test]
async fn a_zero_grace_period_is_the_forced_action_and_a_grace_period_longer_than_the_wait_is_refused()
 {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    let url = |vm: &str, verb: &str| srv.url(&format!("{VMS}/{vm}/{verb}"));
    let (status, answer) = send(
        &op,
        "PUT",
        &url("vm-running", "stop"),
        Some(json!({"gracePeriodSeconds": 300, "stopTimeoutSeconds": 30})),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("stopTimeoutSeconds 30 is shorter than gracePeriodSeconds 300"),
        "{answer}"
    );

    vm_status(&srv, &op, VMS, "vm-running", "Running").await;
    let (status, answer) = send(
        &op,
        "PUT",
        &url("vm-running", "stop"),
        Some(json!({"gracePeriodSeconds": 0})),
    )
    .await;
    assert_eq!(status, 202, "{answer}");
    let id = answer["data"]["operation_id"].as_str().unwrap();
    let done = finished(&srv, &op, id, 60).await;
    assert_eq!(done["action"], "vm_force_stop", "{done}");
    assert_eq!(done["state"], "Stopped", "{done}");
    let rows = audit_rows(&srv, "name=vm-running").await;
    assert!(
        rows.iter().any(|r| r["action"] == "vm.force_stop"),
        "audited as the forced stop it is: {rows:?}"
    );
    srv.stop().await;
}

#[tokio::test]
async fn a_forced_restart_takes_over_from_a_graceful_one_that_waits() {
    let srv = TestServer::with_demo().await;
    let op = srv.as_role(Role::Operator).await;
    vm_status(&srv, &op, VMS, "vm-hung", "Running").await;
    let graceful = act(
        &srv,
        &op,
        "vm-hung",
        "restart",
        json!({"stopTimeoutSeconds": 600}),
    )
    .await;
    let forced = act(&srv, &op, "vm-hung", "restart", json!({"force": true})).await;
    let first = finished(&srv, &op, &graceful, 10).await;
    assert_eq!(first["state"], "Interrupted", "{first}");
    assert!(
        first["message"].as_str().unwrap().contains(&format!(
            "superseded by vm.force_restart (operation {forced})"
        )),
        "{first}"
    );
    let second = finished(&srv, &op, &forced, 60).await;
    assert_eq!(second["state"], "Running", "{second}");
    let ends = audit_rows(&srv, "name=vm-hung&action=operation.end").await;
    assert_eq!(ends.len(), 2, "both ends are audited: {ends:?}");
    assert!(ends.iter().any(|r| r["outcome"] == "failed"), "{ends:?}");
    srv.stop().await;
}
