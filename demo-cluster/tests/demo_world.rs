//! The demo world's trouble and history, seen through the real kubectl: a worker that
//! crashes and restarts, an image that does not exist and the progress deadline it
//! misses, past runs of a CronJob, OpenKruise batch objects that keep their seeded status,
//! and merge patches that must not leave strategic-merge directives in custom resources.

mod common;

use std::time::Duration;

use common::{Harness, items, names, start};
use serde_json::Value;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The worker container's status in a worker pod.
fn worker_status(pod: &Value) -> Value {
    pod["status"]["containerStatuses"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == "worker").cloned())
        .unwrap_or(Value::Null)
}

async fn restarted_worker(h: &Harness) -> String {
    let pods = h
        .wait_json(
            "a worker pod that restarted",
            &["get", "pods", "-n", "shop", "-l", "app=worker"],
            |v| {
                items(v)
                    .iter()
                    .any(|p| worker_status(p)["restartCount"].as_i64() >= Some(1))
            },
        )
        .await;
    items(&pods)
        .into_iter()
        .find(|p| worker_status(p)["restartCount"].as_i64() >= Some(1))
        .and_then(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .expect("restarted pod")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashing_worker_restarts_and_keeps_its_previous_log() {
    let h = start().await;
    let pod = restarted_worker(&h).await;
    let p = h.json(&["get", "pod", &pod, "-n", "shop"]).await;
    let worker = worker_status(&p);
    let last = &worker["lastState"]["terminated"];
    assert_eq!(
        (last["exitCode"].as_i64(), last["reason"].as_str()),
        (Some(1), Some("Error"))
    );
    assert!(last["startedAt"].as_str() <= last["finishedAt"].as_str());
    assert!(worker["state"]["running"]["startedAt"].is_string());
    assert_eq!(worker["ready"], true);
    assert_eq!(p["status"]["phase"], "Running");
    let shipper = p["status"]["containerStatuses"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == "log-shipper").cloned())
        .expect("log-shipper status");
    assert_eq!(shipper["restartCount"], 0, "only the worker crashes");

    let previous = h
        .ok(&["logs", &pod, "-n", "shop", "-c", "worker", "--previous"])
        .await;
    let lines: Vec<&str> = previous.lines().collect();
    assert!(lines[0].contains("[worker] starting"), "{previous}");
    assert_eq!(
        lines.last().copied(),
        Some("[worker] panic: connection reset by peer")
    );
    let tail = h
        .ok(&[
            "logs",
            &pod,
            "-n",
            "shop",
            "-c",
            "worker",
            "--previous",
            "--tail=2",
            "--timestamps",
        ])
        .await;
    assert_eq!(tail.lines().count(), 2, "{tail}");
    assert!(tail.lines().all(|l| l.starts_with("20")), "{tail}");
    assert!(
        tail.ends_with("panic: connection reset by peer\n"),
        "{tail}"
    );
    let limited = h
        .ok(&[
            "logs",
            &pod,
            "-n",
            "shop",
            "-c",
            "worker",
            "--previous",
            "--limit-bytes=10",
        ])
        .await;
    assert_eq!(limited.len(), 10);
    // The current run started over, and a container that never restarted has no previous.
    let current = h.ok(&["logs", &pod, "-n", "shop", "-c", "worker"]).await;
    assert!(current.starts_with("[worker] starting"), "{current}");
    assert!(!current.contains("panic"), "{current}");
    let none = h
        .kubectl(&[
            "logs",
            &pod,
            "-n",
            "shop",
            "-c",
            "log-shipper",
            "--previous",
        ])
        .await;
    assert!(
        stderr(&none).contains(&format!(
            "previous terminated container \"log-shipper\" in pod \"{pod}\" not found"
        )),
        "{}",
        stderr(&none)
    );
    let table = h.ok(&["get", "pod", &pod, "-n", "shop"]).await;
    assert!(
        table.contains(" ago)"),
        "RESTARTS shows the last restart's age: {table}"
    );
    let events = h
        .json(&[
            "get",
            "events",
            "-n",
            "shop",
            "--field-selector",
            &format!("involvedObject.name={pod}"),
        ])
        .await;
    assert!(
        items(&events)
            .iter()
            .any(|e| e["reason"] == "BackOff" && e["type"] == "Warning"),
        "{events}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_image_keeps_the_pod_pending_and_misses_the_progress_deadline() {
    let h = start().await;
    let status = h
        .kubectl(&[
            "rollout",
            "status",
            "deploy/reports",
            "-n",
            "payments",
            "--timeout=90s",
        ])
        .await;
    assert!(!status.status.success());
    assert!(
        stderr(&status).contains("error: deployment \"reports\" exceeded its progress deadline"),
        "{}",
        stderr(&status)
    );
    let d = h
        .json(&["get", "deploy", "reports", "-n", "payments"])
        .await;
    let progressing = d["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Progressing").cloned())
        .expect("Progressing");
    assert_eq!(progressing["status"], "False");
    assert_eq!(progressing["reason"], "ProgressDeadlineExceeded");
    let rs = h
        .json(&["get", "rs", "-n", "payments", "-l", "app=reports"])
        .await;
    assert_eq!(
        progressing["message"],
        format!(
            "ReplicaSet \"{}\" has timed out progressing.",
            names(&rs)[0]
        )
    );

    let pods = h
        .json(&["get", "pods", "-n", "payments", "-l", "app=reports"])
        .await;
    let pod = items(&pods).into_iter().next().expect("reports pod");
    let name = pod["metadata"]["name"].as_str().expect("name").to_string();
    assert_eq!(pod["status"]["phase"], "Pending");
    let c = &pod["status"]["containerStatuses"][0];
    assert_eq!(
        (c["ready"].as_bool(), c["started"].as_bool()),
        (Some(false), Some(false))
    );
    let reason = c["state"]["waiting"]["reason"].as_str().unwrap_or("");
    assert!(
        reason == "ErrImagePull" || reason == "ImagePullBackOff",
        "{c}"
    );
    // The kubelet alternates a failed pull with a growing back-off; logs say which.
    h.wait_json(
        "back-off pulling",
        &["get", "pod", &name, "-n", "payments"],
        |p| {
            p["status"]["containerStatuses"][0]["state"]["waiting"]["message"]
                == "Back-off pulling image \"ghcr.io/bosun/reports:does-not-exist\""
        },
    )
    .await;
    common::eventually("logs refused while pulling backs off", || async {
        let out = h.kubectl(&["logs", &name, "-n", "payments"]).await;
        stderr(&out).contains(&format!(
            "container \"reports\" in pod \"{name}\" is waiting to start: trying and failing to pull image"
        ))
    })
    .await;
    let events = h
        .json(&[
            "get",
            "events",
            "-n",
            "payments",
            "--field-selector",
            &format!("involvedObject.name={name}"),
        ])
        .await;
    let seen: Vec<(String, String)> = items(&events)
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or("").to_string(),
                e["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    for want in ["Error: ErrImagePull", "Error: ImagePullBackOff"] {
        assert!(
            seen.iter().any(|(t, m)| t == "Warning" && m == want),
            "{want}: {seen:?}"
        );
    }

    // A new rollout starts the deadline over and, with an image that exists, completes.
    h.ok(&[
        "set",
        "image",
        "deploy/reports",
        "reports=ghcr.io/bosun/reports:2.0.1",
        "-n",
        "payments",
    ])
    .await;
    let done = h
        .ok(&[
            "rollout",
            "status",
            "deploy/reports",
            "-n",
            "payments",
            "--timeout=90s",
        ])
        .await;
    assert!(done.contains("successfully rolled out"), "{done}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_patches_leave_no_patch_directives_in_custom_resources() {
    let h = start().await;
    // What kubectl-kruise's rollback sends: a ControllerRevision's template as a merge patch.
    h.ok(&[
        "patch",
        "cloneset",
        "cart",
        "-n",
        "shop",
        "--type=merge",
        "-p",
        r#"{"spec":{"template":{"$patch":"replace","metadata":{"annotations":{"note":"rolled back"}}}}}"#,
    ])
    .await;
    let cs = h.json(&["get", "cloneset", "cart", "-n", "shop"]).await;
    assert!(!cs.to_string().contains("$patch"), "{cs}");
    assert_eq!(
        cs["spec"]["template"]["metadata"]["annotations"]["note"],
        "rolled back"
    );
    // A built-in kind keeps it: ControllerRevision data is stored as sent.
    let revisions = h.json(&["get", "controllerrevisions", "-n", "shop"]).await;
    assert!(revisions.to_string().contains("$patch"), "{revisions}");
}

fn condition<'a>(obj: &'a Value, ty: &str) -> Option<&'a Value> {
    obj["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == ty)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_history_and_kruise_batch_objects_keep_their_status() {
    let h = start().await;
    let cj = h
        .json(&["get", "cronjob", "nightly-backup", "-n", "data"])
        .await;
    let scheduled = cj["status"]["lastScheduleTime"]
        .as_str()
        .expect("scheduled");
    let succeeded = cj["status"]["lastSuccessfulTime"]
        .as_str()
        .expect("succeeded");
    assert!(scheduled < succeeded, "{cj}");
    let jobs = h.json(&["get", "jobs", "-n", "data"]).await;
    let past: Vec<Value> = items(&jobs)
        .into_iter()
        .filter(|j| j["metadata"]["ownerReferences"][0]["name"] == "nightly-backup")
        .collect();
    assert_eq!(past.len(), 2, "{jobs}");
    for j in &past {
        assert_eq!(j["metadata"]["ownerReferences"][0]["kind"], "CronJob");
        assert_eq!(j["status"]["succeeded"], 1);
        assert_eq!(
            condition(j, "Complete").map(|c| &c["status"]),
            Some(&"True".into())
        );
        let start = j["status"]["startTime"].as_str().expect("start");
        let end = j["status"]["completionTime"].as_str().expect("end");
        let at = j["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"]
            .as_str()
            .expect("scheduled timestamp");
        assert!(at < start && start < end && end <= succeeded, "{j}");
    }
    assert_eq!(
        past[1]["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"],
        scheduled
    );

    let bcj = h
        .json(&["get", "broadcastjob", "warm-cache", "-n", "data"])
        .await;
    let s = &bcj["status"];
    assert_eq!(
        (
            s["desired"].as_i64(),
            s["active"].as_i64(),
            s["succeeded"].as_i64(),
            s["failed"].as_i64()
        ),
        (Some(3), Some(0), Some(3), Some(0))
    );
    assert_eq!(s["phase"], "completed");
    assert_eq!(
        condition(&bcj, "Complete").map(|c| &c["status"]),
        Some(&"True".into())
    );
    assert!(s["startTime"].as_str() < s["completionTime"].as_str());
    let acj = h
        .json(&["get", "advancedcronjob", "nightly-report", "-n", "data"])
        .await;
    assert_eq!(acj["spec"]["schedule"], "0 2 * * *");
    assert_eq!(acj["spec"]["paused"], false);
    assert!(acj["spec"]["template"]["broadcastJobTemplate"]["spec"]["template"].is_object());
    assert!(
        acj["status"]["lastScheduleTime"]
            .as_str()
            .is_some_and(|t| t.contains("T02:00:00"))
    );

    let ads = h
        .wait_json(
            "log-agent on every node",
            &[
                "get",
                "daemonsets.apps.kruise.io",
                "log-agent",
                "-n",
                "kube-system",
            ],
            |d| d["status"]["numberReady"] == 3 && d["status"]["updatedNumberScheduled"] == 3,
        )
        .await;
    assert_eq!(
        ads["spec"]["template"]["spec"]["containers"][0]["image"],
        "fluent/fluent-bit:3.1"
    );
    let revisions = h
        .json(&["get", "controllerrevisions", "-n", "kube-system"])
        .await;
    let owned: Vec<Value> = items(&revisions)
        .into_iter()
        .filter(|r| r["metadata"]["ownerReferences"][0]["uid"] == ads["metadata"]["uid"])
        .collect();
    assert_eq!(owned.len(), 1, "{revisions}");
    assert_eq!(owned[0]["revision"], 1);

    // A couple of simulated minutes later nothing has rewritten the seeded status.
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(
        h.json(&["get", "broadcastjob", "warm-cache", "-n", "data"])
            .await["status"],
        bcj["status"]
    );
    assert_eq!(
        h.json(&["get", "advancedcronjob", "nightly-report", "-n", "data"])
            .await["status"],
        acj["status"]
    );
    let jobs_later = h.json(&["get", "jobs", "-n", "data"]).await;
    for j in &past {
        let now = items(&jobs_later)
            .into_iter()
            .find(|x| x["metadata"]["name"] == j["metadata"]["name"])
            .expect("past job kept");
        assert_eq!(
            now["status"], j["status"],
            "the job controller leaves completed jobs alone"
        );
    }
    assert_eq!(
        h.json(&["get", "cronjob", "nightly-backup", "-n", "data"])
            .await["status"]["lastSuccessfulTime"],
        succeeded
    );
}
