//! The real kubectl against the demo cluster: each test runs commands and asserts what
//! the cluster ended up holding.

mod common;

use std::time::Duration;

use common::{eventually, items, names, running_ready, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_lists_every_kind_across_namespaces() {
    let h = start().await;
    let pods = h
        .wait_json("seed pods running", &["get", "pods", "-A"], |v| {
            items(v).iter().filter(|p| running_ready(p)).count() >= 15
        })
        .await;
    let namespaces: std::collections::BTreeSet<String> = items(&pods)
        .iter()
        .map(|p| {
            p["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    for ns in ["shop", "payments", "data", "kube-system"] {
        assert!(namespaces.contains(ns), "pods in {ns}: {namespaces:?}");
    }
    let table = h.ok(&["get", "pods", "-A"]).await;
    assert!(
        table.starts_with("NAMESPACE") && table.contains("READY") && table.contains("RESTARTS"),
        "{table}"
    );
    let deploys = h.json(&["get", "deploy", "-n", "shop"]).await;
    assert_eq!(names(&deploys), ["api", "web", "worker"]);
    assert_eq!(
        names(&h.json(&["get", "nodes"]).await),
        ["node-1", "node-2", "node-3"]
    );
    assert_eq!(
        names(&h.json(&["get", "vm", "-n", "vms"]).await),
        ["vm-hung", "vm-paused", "vm-running", "vm-stopped"]
    );
    assert_eq!(
        names(&h.json(&["get", "clonesets", "-n", "shop"]).await),
        ["cart"]
    );
    let rollouts = h.json(&["get", "rollouts", "-n", "shop"]).await;
    assert_eq!(names(&rollouts), ["cart-rollout"]);
    assert_eq!(
        items(&rollouts)[0]["status"]["canaryStatus"]["currentStepState"],
        "StepPaused"
    );
    let vms = h.ok(&["get", "vm", "-n", "vms"]).await;
    assert!(
        vms.contains("STATUS") && vms.contains("vm-stopped"),
        "{vms}"
    );
    h.wait_json(
        "vm-running Running",
        &["get", "vm", "vm-running", "-n", "vms"],
        |v| v["status"]["printableStatus"] == "Running",
    )
    .await;
    let stopped = h.json(&["get", "vm", "vm-stopped", "-n", "vms"]).await;
    assert_eq!(stopped["status"]["printableStatus"], "Stopped");
    let all = h.ok(&["get", "sts,ds,job,cronjob,pdb,svc,ing,cm,secret,pvc,pv,sc,role,rolebinding,clusterrole,events", "-A"]).await;
    for want in [
        "statefulset.apps/postgres",
        "daemonset.apps/node-exporter",
        "job.batch/db-migrate",
        "cronjob.batch/nightly-backup",
        "poddisruptionbudget.policy/postgres-pdb",
        "ingress.networking.k8s.io/web",
        "persistentvolume/pv-postgres-0",
        "storageclass.storage.k8s.io/standard",
    ] {
        assert!(all.contains(want), "missing {want} in:\n{all}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_selectors_filter_lists() {
    let h = start().await;
    h.wait_json(
        "web pods",
        &["get", "pods", "-n", "shop", "-l", "app=web"],
        |v| items(v).len() == 3,
    )
    .await;
    for (sel, want) in [
        ("app=web", vec!["web"]),
        ("app in (web,api)", vec!["api", "web"]),
        ("app!=web,app notin (cart)", vec!["api", "redis", "worker"]),
    ] {
        let v = h.json(&["get", "pods", "-n", "shop", "-l", sel]).await;
        let mut apps: Vec<String> = items(&v)
            .iter()
            .map(|p| {
                p["metadata"]["labels"]["app"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        apps.dedup();
        apps.sort();
        apps.dedup();
        assert_eq!(apps, want, "selector {sel}");
    }
    let none = h
        .json(&["get", "pods", "-A", "-l", "!app,!run,!job-name"])
        .await;
    assert!(items(&none).is_empty(), "{none}");
    let on_node = h
        .json(&[
            "get",
            "pods",
            "-A",
            "--field-selector",
            "spec.nodeName=node-1",
        ])
        .await;
    assert!(
        items(&on_node)
            .iter()
            .all(|p| p["spec"]["nodeName"] == "node-1")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_prints_a_pod_created_meanwhile() {
    let h = start().await;
    let mut watch = tokio::process::Command::new(common::KUBECTL);
    watch
        .arg("--kubeconfig")
        .arg(&h.kubeconfig)
        .args([
            "get",
            "pods",
            "-n",
            "default",
            "--watch",
            "--request-timeout=60s",
        ])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true);
    let mut child = watch.spawn().expect("kubectl watch starts");
    let stdout = child.stdout.take().expect("stdout");
    let reader = tokio::spawn(async move {
        use tokio::io::AsyncBufReadExt;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let mut seen = Vec::new();
        while let Ok(Some(l)) = lines.next_line().await {
            let running = l.contains("watched-pod") && l.contains("Running");
            seen.push(l);
            if running {
                break;
            }
        }
        seen
    });
    // Give the watch time to be established before creating the pod.
    eventually("watch request", || async {
        h.cluster
            .recorded_requests()
            .iter()
            .any(|r| r.path == "/api/v1/namespaces/default/pods" && r.query.contains("watch=true"))
    })
    .await;
    h.ok(&["run", "watched-pod", "--image=nginx:1.27", "-n", "default"])
        .await;
    let seen = tokio::time::timeout(Duration::from_secs(60), reader)
        .await
        .expect("watch saw the pod")
        .expect("reader");
    assert!(
        seen.iter()
            .any(|l| l.contains("watched-pod") && l.contains("Pending")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|l| l.contains("watched-pod") && l.contains("Running")),
        "{seen:?}"
    );
    let _ = child.kill().await;
}

const DEPLOYMENT: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  namespace: default
  labels: {team: demo}
spec:
  replicas: 2
  selector:
    matchLabels: {app: hello}
  template:
    metadata:
      labels: {app: hello}
    spec:
      containers:
      - name: hello
        image: IMAGE
        env: [{name: MODE, value: demo}]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_client_side_then_server_side() {
    let h = start().await;
    let file = h.kubeconfig.with_file_name("hello.yaml");
    std::fs::write(&file, DEPLOYMENT.replace("IMAGE", "nginx:1.25")).expect("write");
    let f = file.to_str().expect("path");
    assert!(
        h.ok(&["apply", "-f", f])
            .await
            .contains("deployment.apps/hello created")
    );
    let d = h.json(&["get", "deploy", "hello", "-n", "default"]).await;
    assert!(
        d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .as_str()
            .is_some_and(|a| a.contains("nginx:1.25"))
    );
    std::fs::write(&file, DEPLOYMENT.replace("IMAGE", "nginx:1.26")).expect("write");
    assert!(h.ok(&["apply", "-f", f]).await.contains("configured"));
    let patch = h
        .cluster
        .recorded_requests()
        .into_iter()
        .rfind(|r| r.method == "PATCH")
        .expect("apply patched");
    assert_eq!(patch.content_type, "application/strategic-merge-patch+json");
    let d = h.json(&["get", "deploy", "hello", "-n", "default"]).await;
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.26"
    );
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"],
        "demo"
    );
    h.wait_json(
        "hello rolled out",
        &["get", "deploy", "hello", "-n", "default"],
        |d| {
            d["status"]["updatedReplicas"] == 2
                && d["status"]["availableReplicas"] == 2
                && d["status"]["replicas"] == 2
        },
    )
    .await;

    std::fs::write(
        &file,
        DEPLOYMENT
            .replace("IMAGE", "nginx:1.27")
            .replace("replicas: 2", "replicas: 3"),
    )
    .expect("write");
    assert!(
        h.ok(&["apply", "--server-side", "-f", f])
            .await
            .contains("serverside-applied")
    );
    let ssa = h
        .cluster
        .recorded_requests()
        .into_iter()
        .rfind(|r| r.method == "PATCH")
        .expect("ssa patch");
    assert_eq!(ssa.content_type, "application/apply-patch+yaml");
    assert!(ssa.query.contains("fieldManager=kubectl"));
    let d = h
        .json(&[
            "get",
            "deploy",
            "hello",
            "-n",
            "default",
            "--show-managed-fields",
        ])
        .await;
    assert_eq!(d["spec"]["replicas"], 3);
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.27"
    );
    let managers: Vec<&str> = d["metadata"]["managedFields"]
        .as_array()
        .expect("managedFields")
        .iter()
        .filter_map(|m| m["manager"].as_str())
        .collect();
    assert!(managers.contains(&"kubectl"), "{managers:?}");

    // Server-side apply also creates.
    let cm = h.kubeconfig.with_file_name("cm.yaml");
    std::fs::write(&cm, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flags, namespace: default}\ndata: {beta: \"true\"}\n").expect("write");
    h.ok(&["apply", "--server-side", "-f", cm.to_str().expect("path")])
        .await;
    assert_eq!(
        h.json(&["get", "cm", "flags"]).await["data"]["beta"],
        "true"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_deployment_changes_pods() {
    let h = start().await;
    h.ok(&["scale", "deploy/api", "-n", "shop", "--replicas=4"])
        .await;
    let scale = h
        .cluster
        .recorded_requests()
        .into_iter()
        .rfind(|r| r.method == "PATCH")
        .expect("scale patch");
    assert_eq!(
        scale.path,
        "/apis/apps/v1/namespaces/shop/deployments/api/scale"
    );
    h.wait_json(
        "4 api pods",
        &["get", "pods", "-n", "shop", "-l", "app=api"],
        |v| items(v).iter().filter(|p| running_ready(p)).count() == 4,
    )
    .await;
    h.ok(&["scale", "deploy/api", "-n", "shop", "--replicas=1"])
        .await;
    h.wait_json("1 api pod", &["get", "deploy", "api", "-n", "shop"], |d| {
        d["status"]["replicas"] == 1 && d["status"]["readyReplicas"] == 1
    })
    .await;
    let out = h
        .kubectl(&[
            "scale",
            "ds/node-exporter",
            "-n",
            "kube-system",
            "--replicas=2",
        ])
        .await;
    assert!(
        !out.status.success(),
        "daemonsets have no scale subresource"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployment_rollout_restart_status_history_undo() {
    let h = start().await;
    h.ok(&[
        "rollout",
        "status",
        "deploy/web",
        "-n",
        "shop",
        "--timeout=90s",
    ])
    .await;
    let history = h
        .ok(&["rollout", "history", "deploy/web", "-n", "shop"])
        .await;
    assert!(
        history.contains("initial release") && history.contains("upgrade nginx to 1.27"),
        "{history}"
    );
    h.ok(&["rollout", "restart", "deploy/web", "-n", "shop"])
        .await;
    let d = h.json(&["get", "deploy", "web", "-n", "shop"]).await;
    assert!(
        d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_string()
    );
    let status = h
        .ok(&[
            "rollout",
            "status",
            "deploy/web",
            "-n",
            "shop",
            "--timeout=90s",
        ])
        .await;
    assert!(status.contains("successfully rolled out"), "{status}");
    let rs = h.json(&["get", "rs", "-n", "shop", "-l", "app=web"]).await;
    assert_eq!(items(&rs).len(), 3, "three revisions of web");
    h.ok(&["rollout", "undo", "deploy/web", "-n", "shop"]).await;
    h.ok(&[
        "rollout",
        "status",
        "deploy/web",
        "-n",
        "shop",
        "--timeout=90s",
    ])
    .await;
    let d = h.json(&["get", "deploy", "web", "-n", "shop"]).await;
    assert!(
        d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_null(),
        "undo restored the pre-restart template"
    );
    h.ok(&[
        "rollout",
        "undo",
        "deploy/web",
        "-n",
        "shop",
        "--to-revision=1",
    ])
    .await;
    h.wait_json(
        "web back on nginx 1.26",
        &["get", "pods", "-n", "shop", "-l", "app=web"],
        |v| {
            let ps = items(v);
            ps.len() == 3
                && ps.iter().all(|p| {
                    p["spec"]["containers"][0]["image"] == "nginx:1.26" && running_ready(p)
                })
        },
    )
    .await;
    let paused = h
        .kubectl(&["rollout", "restart", "deploy/ledger", "-n", "payments"])
        .await;
    assert!(
        String::from_utf8_lossy(&paused.stderr).contains("paused"),
        "restart of a paused deployment is refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statefulset_and_daemonset_rollouts() {
    let h = start().await;
    h.ok(&[
        "rollout",
        "status",
        "sts/postgres",
        "-n",
        "data",
        "--timeout=90s",
    ])
    .await;
    h.ok(&["rollout", "restart", "sts/postgres", "-n", "data"])
        .await;
    h.ok(&[
        "rollout",
        "status",
        "sts/postgres",
        "-n",
        "data",
        "--timeout=90s",
    ])
    .await;
    let sts = h.json(&["get", "sts", "postgres", "-n", "data"]).await;
    assert_eq!(
        sts["status"]["currentRevision"],
        sts["status"]["updateRevision"]
    );
    assert_eq!(sts["status"]["updatedReplicas"], 3);
    let history = h
        .ok(&["rollout", "history", "sts/postgres", "-n", "data"])
        .await;
    assert!(
        history.contains("1 ") && history.contains("2 "),
        "{history}"
    );
    h.ok(&["rollout", "undo", "sts/postgres", "-n", "data"])
        .await;
    h.ok(&[
        "rollout",
        "status",
        "sts/postgres",
        "-n",
        "data",
        "--timeout=90s",
    ])
    .await;
    let sts = h.json(&["get", "sts", "postgres", "-n", "data"]).await;
    assert!(
        sts["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_null()
    );
    let pods = h
        .json(&["get", "pods", "-n", "data", "-l", "app=postgres"])
        .await;
    assert_eq!(names(&pods), ["postgres-0", "postgres-1", "postgres-2"]);

    h.ok(&[
        "rollout",
        "status",
        "ds/node-exporter",
        "-n",
        "kube-system",
        "--timeout=90s",
    ])
    .await;
    h.ok(&[
        "rollout",
        "restart",
        "ds/node-exporter",
        "-n",
        "kube-system",
    ])
    .await;
    h.ok(&[
        "rollout",
        "status",
        "ds/node-exporter",
        "-n",
        "kube-system",
        "--timeout=90s",
    ])
    .await;
    let ds = h
        .json(&["get", "ds", "node-exporter", "-n", "kube-system"])
        .await;
    assert_eq!(ds["status"]["updatedNumberScheduled"], 3);
    assert_eq!(ds["status"]["numberAvailable"], 3);
    h.ok(&["rollout", "undo", "ds/node-exporter", "-n", "kube-system"])
        .await;
    h.ok(&[
        "rollout",
        "status",
        "ds/node-exporter",
        "-n",
        "kube-system",
        "--timeout=90s",
    ])
    .await;
    let history = h
        .ok(&[
            "rollout",
            "history",
            "ds/node-exporter",
            "-n",
            "kube-system",
        ])
        .await;
    assert!(
        history.contains("2 ") && history.contains("3 "),
        "{history}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_pod_is_recreated_by_its_controller() {
    let h = start().await;
    let pods = h
        .wait_json(
            "gateway pods",
            &["get", "pods", "-n", "payments", "-l", "app=gateway"],
            |v| items(v).iter().filter(|p| running_ready(p)).count() == 2,
        )
        .await;
    let victim = names(&pods)[0].clone();
    let out = h.ok(&["delete", "pod", &victim, "-n", "payments"]).await;
    assert!(out.contains("deleted"), "{out}");
    h.wait_json(
        "replacement pod",
        &["get", "pods", "-n", "payments", "-l", "app=gateway"],
        |v| {
            let ps = items(v);
            ps.len() == 2 && !names(v).contains(&victim) && ps.iter().all(running_ready)
        },
    )
    .await;
    let missing = h.kubectl(&["get", "pod", &victim, "-n", "payments"]).await;
    assert!(String::from_utf8_lossy(&missing.stderr).contains("NotFound"));
    // Cascading delete of the owner removes its ReplicaSets and pods.
    h.ok(&["delete", "deploy", "gateway", "-n", "payments"])
        .await;
    h.wait_json(
        "gateway pods gone",
        &["get", "pods", "-n", "payments", "-l", "app=gateway"],
        |v| items(v).is_empty(),
    )
    .await;
    h.wait_json(
        "gateway rs gone",
        &["get", "rs", "-n", "payments", "-l", "app=gateway"],
        |v| items(v).is_empty(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_of_a_pod() {
    let h = start().await;
    let pods = h
        .wait_json(
            "web pods",
            &["get", "pods", "-n", "shop", "-l", "app=web"],
            |v| items(v).iter().any(running_ready),
        )
        .await;
    let pod = items(&pods)
        .into_iter()
        .find(running_ready)
        .expect("running pod");
    let name = pod["metadata"]["name"].as_str().expect("name");
    let logs = h.ok(&["logs", name, "-n", "shop"]).await;
    assert!(
        logs.lines().next().is_some_and(|l| l.contains("starting")),
        "{logs}"
    );
    let tail = h
        .ok(&["logs", name, "-n", "shop", "--tail=2", "--timestamps"])
        .await;
    assert_eq!(tail.lines().count(), 2, "{tail}");
    assert!(tail.lines().all(|l| l.starts_with("20")), "{tail}");
    eventually("logs grow", || async {
        h.ok(&["logs", name, "-n", "shop"]).await.lines().count() > logs.lines().count()
    })
    .await;
    let prev = h.kubectl(&["logs", name, "-n", "shop", "--previous"]).await;
    assert!(!prev.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cordon_drain_uncordon() {
    let h = start().await;
    h.wait_json(
        "pods on node-2",
        &[
            "get",
            "pods",
            "-A",
            "--field-selector",
            "spec.nodeName=node-2",
        ],
        |v| {
            let ps = items(v);
            ps.len() >= 4
                && ps
                    .iter()
                    .filter(|p| p["status"]["phase"] == "Running")
                    .all(running_ready)
        },
    )
    .await;
    h.ok(&["cordon", "node-2"]).await;
    let node = h.json(&["get", "node", "node-2"]).await;
    assert_eq!(node["spec"]["unschedulable"], true);
    h.ok(&["uncordon", "node-2"]).await;
    let node = h.json(&["get", "node", "node-2"]).await;
    assert!(
        node["spec"]["unschedulable"].is_null(),
        "uncordon removes the field"
    );

    // kubectl looks up a pod's DaemonSet in apps/v1 only, so the Advanced DaemonSet's pod
    // stops the drain unless forced, as on a real cluster running OpenKruise.
    let refused = h
        .kubectl(&[
            "drain",
            "node-2",
            "--ignore-daemonsets",
            "--delete-emptydir-data",
            "--timeout=120s",
        ])
        .await;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && stderr.contains("daemonsets.apps \"log-agent\" not found"),
        "{stderr}"
    );
    h.ok(&[
        "drain",
        "node-2",
        "--ignore-daemonsets",
        "--delete-emptydir-data",
        "--force",
        "--timeout=120s",
    ])
    .await;
    let node = h.json(&["get", "node", "node-2"]).await;
    assert_eq!(node["spec"]["unschedulable"], true);
    let left = h
        .json(&[
            "get",
            "pods",
            "-A",
            "--field-selector",
            "spec.nodeName=node-2",
        ])
        .await;
    for p in items(&left) {
        let owner = p["metadata"]["ownerReferences"][0]["kind"]
            .as_str()
            .unwrap_or("");
        assert!(
            owner == "DaemonSet" || p["status"]["phase"] == "Succeeded",
            "left on drained node: {}",
            p["metadata"]["name"]
        );
    }
    h.wait_json(
        "postgres back to 3",
        &["get", "sts", "postgres", "-n", "data"],
        |s| s["status"]["readyReplicas"] == 3,
    )
    .await;
    let evictions = h
        .cluster
        .recorded_requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/eviction"))
        .count();
    assert!(evictions > 0);
    h.ok(&["uncordon", "node-2"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_nodes_reports_usage() {
    let h = start().await;
    h.wait_json("pods running", &["get", "pods", "-A"], |v| {
        items(v).iter().filter(|p| running_ready(p)).count() >= 15
    })
    .await;
    let top = h.ok(&["top", "nodes"]).await;
    assert!(
        top.contains("CPU(cores)") && top.contains("node-1") && top.contains("node-3"),
        "{top}"
    );
    let pods = h.ok(&["top", "pods", "-n", "shop"]).await;
    assert!(pods.contains("MEMORY(bytes)"), "{pods}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_a_kruise_rollout_step_advances_it() {
    let h = start().await;
    let ro = h
        .json(&["get", "rollout", "cart-rollout", "-n", "shop"])
        .await;
    assert_eq!(ro["status"]["canaryStatus"]["currentStepIndex"], 1);
    assert_eq!(
        ro["status"]["canaryStatus"]["currentStepState"],
        "StepPaused"
    );
    h.wait_json(
        "one canary pod",
        &["get", "cloneset", "cart", "-n", "shop"],
        |c| c["status"]["updatedReadyReplicas"] == 1 && c["status"]["readyReplicas"] == 4,
    )
    .await;
    h.ok(&[
        "patch",
        "rollout",
        "cart-rollout",
        "-n",
        "shop",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"canaryStatus":{"currentStepState":"StepReady"}}}"#,
    ])
    .await;
    h.wait_json(
        "step 2 reached",
        &["get", "rollout", "cart-rollout", "-n", "shop"],
        |r| r["status"]["canaryStatus"]["currentStepIndex"].as_i64() >= Some(2),
    )
    .await;
    // Step 2 pauses for a duration, step 3 (100%) waits for approval again.
    let r = h
        .wait_json(
            "step 3 paused",
            &["get", "rollout", "cart-rollout", "-n", "shop"],
            |r| {
                r["status"]["canaryStatus"]["currentStepIndex"] == 3
                    && r["status"]["canaryStatus"]["currentStepState"] == "StepPaused"
            },
        )
        .await;
    assert_eq!(r["status"]["phase"], "Progressing");
    let cs = h.json(&["get", "cloneset", "cart", "-n", "shop"]).await;
    assert_eq!(cs["status"]["updatedReplicas"], 4);
    h.ok(&[
        "patch",
        "rollout",
        "cart-rollout",
        "-n",
        "shop",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"canaryStatus":{"currentStepState":"StepReady"}}}"#,
    ])
    .await;
    h.wait_json(
        "rollout healthy",
        &["get", "rollout", "cart-rollout", "-n", "shop"],
        |r| r["status"]["phase"] == "Healthy",
    )
    .await;
    let cs = h.json(&["get", "cloneset", "cart", "-n", "shop"]).await;
    assert!(cs["metadata"]["annotations"]["rollouts.kruise.io/in-progressing"].is_null());
    assert_eq!(
        cs["status"]["currentRevision"],
        cs["status"]["updateRevision"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_rollout_does_not_advance() {
    let h = start().await;
    h.ok(&[
        "patch",
        "rollout",
        "cart-rollout",
        "-n",
        "shop",
        "--type=merge",
        "-p",
        r#"{"spec":{"strategy":{"paused":true}}}"#,
    ])
    .await;
    h.ok(&[
        "patch",
        "rollout",
        "cart-rollout",
        "-n",
        "shop",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"canaryStatus":{"currentStepState":"StepReady"}}}"#,
    ])
    .await;
    // Let the controllers run for a while (2 simulated minutes) and check nothing moved.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let r = h
        .json(&["get", "rollout", "cart-rollout", "-n", "shop"])
        .await;
    assert_eq!(
        r["status"]["canaryStatus"]["currentStepIndex"], 1,
        "{}",
        r["status"]
    );
    // The controller did run on the paused rollout (it reports the pause), so "nothing
    // moved" is its decision, not a controller that never looked.
    assert!(
        r["status"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("paused")),
        "{}",
        r["status"]
    );
    h.ok(&[
        "patch",
        "rollout",
        "cart-rollout",
        "-n",
        "shop",
        "--type=merge",
        "-p",
        r#"{"spec":{"strategy":{"paused":false}}}"#,
    ])
    .await;
    h.wait_json(
        "advances after resume",
        &["get", "rollout", "cart-rollout", "-n", "shop"],
        |r| r["status"]["canaryStatus"]["currentStepIndex"].as_i64() >= Some(2),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strategic_merge_on_custom_resource_is_refused() {
    let h = start().await;
    let out = h
        .kubectl(&[
            "patch",
            "cloneset",
            "cart",
            "-n",
            "shop",
            "-p",
            r#"{"metadata":{"labels":{"x":"y"}}}"#,
        ])
        .await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("application/strategic-merge-patch+json is not supported")
    );
    h.ok(&[
        "patch",
        "cloneset",
        "cart",
        "-n",
        "shop",
        "--type=merge",
        "-p",
        r#"{"metadata":{"labels":{"x":"y"}}}"#,
    ])
    .await;
    assert_eq!(
        h.json(&["get", "cloneset", "cart", "-n", "shop"]).await["metadata"]["labels"]["x"],
        "y"
    );
}

/// kubectl's imperative generators send protobuf bodies (`application/vnd.kubernetes.protobuf`);
/// the demo cluster decodes the kinds they create.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imperative_create_commands_work() {
    let h = start().await;
    h.ok(&["create", "namespace", "gen"]).await;
    let req = h
        .cluster
        .recorded_requests()
        .into_iter()
        .rfind(|r| r.method == "POST")
        .expect("create request");
    assert_eq!(req.content_type, "application/vnd.kubernetes.protobuf");
    assert_eq!(
        h.json(&["get", "ns", "gen"]).await["status"]["phase"],
        "Active"
    );
    h.ok(&[
        "create",
        "configmap",
        "cfg",
        "-n",
        "gen",
        "--from-literal=a=b",
    ])
    .await;
    assert_eq!(
        h.json(&["get", "cm", "cfg", "-n", "gen"]).await["data"]["a"],
        "b"
    );
    h.ok(&[
        "create",
        "secret",
        "generic",
        "pw",
        "-n",
        "gen",
        "--from-literal=pw=hunter2",
    ])
    .await;
    assert_eq!(
        h.json(&["get", "secret", "pw", "-n", "gen"]).await["data"]["pw"],
        "aHVudGVyMg=="
    );
    h.ok(&[
        "create",
        "deployment",
        "gen",
        "-n",
        "gen",
        "--image=nginx:1.27",
        "--replicas=2",
        "--port=80",
    ])
    .await;
    h.ok(&[
        "rollout",
        "status",
        "deploy/gen",
        "-n",
        "gen",
        "--timeout=90s",
    ])
    .await;
    let d = h.json(&["get", "deploy", "gen", "-n", "gen"]).await;
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"],
        80
    );
    assert_eq!(d["status"]["availableReplicas"], 2);
    h.ok(&["expose", "deploy/gen", "-n", "gen", "--port=8080"])
        .await;
    assert_eq!(
        h.json(&["get", "svc", "gen", "-n", "gen"]).await["spec"]["selector"]["app"],
        "gen"
    );
    h.ok(&[
        "create",
        "role",
        "reader",
        "-n",
        "gen",
        "--verb=get,list",
        "--resource=pods",
    ])
    .await;
    h.ok(&[
        "create",
        "rolebinding",
        "reader",
        "-n",
        "gen",
        "--role=reader",
        "--user=alice",
    ])
    .await;
    let rb = h.json(&["get", "rolebinding", "reader", "-n", "gen"]).await;
    assert_eq!(rb["roleRef"]["name"], "reader");
    assert_eq!(rb["subjects"][0]["name"], "alice");
    h.ok(&[
        "create",
        "job",
        "once",
        "-n",
        "gen",
        "--image=busybox",
        "--",
        "echo",
        "hi",
    ])
    .await;
    h.wait_json("job complete", &["get", "job", "once", "-n", "gen"], |j| {
        j["status"]["succeeded"] == 1 && j["status"]["completionTime"].is_string()
    })
    .await;
    let invalid = h.kubectl(&["run", "Bad_Name", "--image=nginx"]).await;
    let stderr = String::from_utf8_lossy(&invalid.stderr);
    assert!(stderr.contains("is invalid"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cronjob_schedules_jobs_and_namespace_deletion_cleans_up() {
    let h = start().await;
    h.wait_json(
        "seeded job complete",
        &["get", "job", "db-migrate", "-n", "data"],
        |j| {
            j["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|x| x["type"] == "Complete" && x["status"] == "True")
            })
        },
    )
    .await;
    h.ok(&["create", "namespace", "cron"]).await;
    h.ok(&[
        "create",
        "cronjob",
        "tick",
        "-n",
        "cron",
        "--image=busybox",
        "--schedule=*/1 * * * *",
        "--",
        "date",
    ])
    .await;
    // One simulated minute is three real seconds at time_scale 20.
    h.wait_json("two runs", &["get", "jobs", "-n", "cron"], |v| {
        items(v).len() >= 2
    })
    .await;
    let cj = h.json(&["get", "cronjob", "tick", "-n", "cron"]).await;
    assert!(cj["status"]["lastScheduleTime"].is_string());
    h.ok(&["delete", "namespace", "cron", "--timeout=60s"])
        .await;
    let gone = h.kubectl(&["get", "ns", "cron"]).await;
    assert!(!gone.status.success());
    let pods = h.json(&["get", "pods", "-A"]).await;
    assert!(
        items(&pods)
            .iter()
            .all(|p| p["metadata"]["namespace"] != "cron")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_shows_controller_events_and_service_endpoints() {
    let h = start().await;
    h.wait_json(
        "postgres-0 running",
        &["get", "pod", "postgres-0", "-n", "data"],
        running_ready,
    )
    .await;
    let pod = h.ok(&["describe", "pod", "postgres-0", "-n", "data"]).await;
    assert!(
        pod.contains("Scheduled") && pod.contains("Started container postgres"),
        "{pod}"
    );
    let deploy = h.ok(&["describe", "deploy", "web", "-n", "shop"]).await;
    assert!(deploy.contains("ScalingReplicaSet"), "{deploy}");
    h.wait_json(
        "web endpoints",
        &["get", "endpoints", "web", "-n", "shop"],
        |e| {
            e["subsets"][0]["addresses"]
                .as_array()
                .is_some_and(|a| a.len() == 3)
        },
    )
    .await;
    let svc = h.ok(&["describe", "svc", "web", "-n", "shop"]).await;
    let line = svc
        .lines()
        .find(|l| l.starts_with("Endpoints:"))
        .unwrap_or_default();
    assert_eq!(line.matches(":8080").count(), 3, "{svc}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advanced_statefulset_restarts_with_a_merge_patch() {
    let h = start().await;
    let kind = "statefulsets.apps.kruise.io";
    let ready = |s: &serde_json::Value| {
        s["status"]["readyReplicas"] == 2 && s["status"]["updatedReplicas"] == 2
    };
    let before = h
        .wait_json("redis ready", &["get", kind, "redis", "-n", "shop"], ready)
        .await;
    let patch = r#"{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"}}}}}"#;
    let refused = h
        .kubectl(&["patch", kind, "redis", "-n", "shop", "-p", patch])
        .await;
    assert!(
        !refused.status.success(),
        "strategic merge is refused on a custom resource"
    );
    h.ok(&[
        "patch",
        kind,
        "redis",
        "-n",
        "shop",
        "--type=merge",
        "-p",
        patch,
    ])
    .await;
    let after = h
        .wait_json(
            "redis restarted",
            &["get", kind, "redis", "-n", "shop"],
            |s| {
                ready(s)
                    && s["status"]["currentRevision"] == s["status"]["updateRevision"]
                    && s["status"]["updateRevision"] != before["status"]["updateRevision"]
            },
        )
        .await;
    assert_eq!(
        after["status"]["observedGeneration"],
        after["metadata"]["generation"]
    );
    let pods = h
        .json(&["get", "pods", "-n", "shop", "-l", "app=redis"])
        .await;
    assert_eq!(names(&pods), ["redis-0", "redis-1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_resource_definitions_describe_the_custom_kinds_served() {
    let h = start().await;
    let crds = h.ok(&["get", "crds"]).await;
    for name in [
        "certificates.cert-manager.io",
        "clonesets.apps.kruise.io",
        "rollouts.rollouts.kruise.io",
        "virtualmachines.kubevirt.io",
    ] {
        assert!(crds.contains(name), "{crds}");
    }
    let rollouts = h.json(&["get", "crd", "rollouts.rollouts.kruise.io"]).await;
    let versions: Vec<&str> = rollouts["spec"]["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert_eq!(versions, vec!["v1beta1", "v1alpha1"]);
    assert_eq!(rollouts["spec"]["scope"], "Namespaced");
    // A kind of a family Bosun's table does not know, printed with its CRD's columns.
    let certs = h.ok(&["get", "certificates", "-A"]).await;
    let header = certs.lines().next().unwrap_or("");
    assert!(
        header.contains("READY") && header.contains("SECRET"),
        "{certs}"
    );
    assert!(
        certs.contains("shop-tls") && certs.contains("payments-api"),
        "{certs}"
    );
    let issuers = h.ok(&["get", "clusterissuers"]).await;
    assert!(issuers.contains("letsencrypt"), "{issuers}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_reads_the_published_schemas() {
    let h = start().await;
    let replicas = h.ok(&["explain", "deployment.spec.replicas"]).await;
    assert!(
        replicas.contains("FIELD: replicas <integer>") && replicas.contains("GROUP:      apps"),
        "{replicas}"
    );
    let containers = h.ok(&["explain", "pods.spec.containers"]).await;
    assert!(
        containers.contains("image\t<string>") && containers.contains("name\t<string> -required-"),
        "{containers}"
    );
    let quota = h.ok(&["explain", "resourcequota.spec.hard"]).await;
    assert!(quota.contains("map[string]Quantity"), "{quota}");
    // A custom kind: the CRD's schema keeps unknown fields, its metadata is typed.
    let cert = h.ok(&["explain", "certificates.metadata.name"]).await;
    assert!(cert.contains("FIELD: name <string>"), "{cert}");
}

const VOLUMES: &str = r#"
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: example.com/fast
reclaimPolicy: Delete
volumeBindingMode: Immediate
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: manual-small
spec:
  capacity: { storage: 5Gi }
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  persistentVolumeReclaimPolicy: Retain
  hostPath: { path: /srv/small }
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: manual-large
spec:
  capacity: { storage: 50Gi }
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  persistentVolumeReclaimPolicy: Retain
  hostPath: { path: /srv/large }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: static-claim, namespace: default }
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 3Gi } }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: fast-claim, namespace: default }
spec:
  storageClassName: fast
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 2Gi } }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: later-claim, namespace: default }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: lost-class-claim, namespace: default }
spec:
  storageClassName: nowhere
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_bind_to_fitting_volumes_or_provisioned_ones_and_release_by_policy() {
    let h = start().await;
    let file = h.kubeconfig.with_file_name("volumes.yaml");
    std::fs::write(&file, VOLUMES).expect("write");
    h.ok(&["apply", "-f", file.to_str().expect("path")]).await;
    let bound = |v: &serde_json::Value| v["status"]["phase"] == "Bound";

    // The smallest Available volume that fits, both sides pointing at each other.
    let claim = h
        .wait_json("static-claim bound", &["get", "pvc", "static-claim"], bound)
        .await;
    assert_eq!(claim["spec"]["volumeName"], "manual-small");
    assert_eq!(claim["status"]["capacity"]["storage"], "5Gi");
    let volume = h.json(&["get", "pv", "manual-small"]).await;
    assert_eq!(volume["status"]["phase"], "Bound");
    assert_eq!(volume["spec"]["claimRef"]["uid"], claim["metadata"]["uid"]);
    let large = h.json(&["get", "pv", "manual-large"]).await;
    assert_eq!(large["status"]["phase"], "Available");

    // An Immediate class provisions a volume of the requested size for the claim.
    let fast = h
        .wait_json("fast-claim bound", &["get", "pvc", "fast-claim"], bound)
        .await;
    let made = fast["spec"]["volumeName"]
        .as_str()
        .expect("volume")
        .to_string();
    assert_eq!(
        made,
        format!("pvc-{}", fast["metadata"]["uid"].as_str().unwrap())
    );
    let pv = h.json(&["get", "pv", &made]).await;
    assert_eq!(pv["spec"]["capacity"]["storage"], "2Gi");
    assert_eq!(
        pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"],
        "example.com/fast"
    );

    // The default class waits for a consumer; a pod using the claim gets it provisioned.
    let later = h
        .wait_json("later-claim pending", &["get", "pvc", "later-claim"], |v| {
            v["status"]["phase"] == "Pending"
        })
        .await;
    assert!(later["spec"]["volumeName"].is_null(), "{later}");
    let described = h.ok(&["describe", "pvc", "later-claim"]).await;
    assert!(described.contains("WaitForFirstConsumer"), "{described}");
    h.ok(&["run", "uses-claim", "--image=nginx", "--overrides", r#"{"spec":{"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"later-claim"}}]}}"#]).await;
    let later = h
        .wait_json("later-claim bound", &["get", "pvc", "later-claim"], bound)
        .await;
    assert_eq!(
        later["spec"]["storageClassName"]
            .as_str()
            .unwrap_or("standard"),
        "standard"
    );
    let missing = h
        .wait_json(
            "lost-class-claim pending",
            &["get", "pvc", "lost-class-claim"],
            |v| v["status"]["phase"] == "Pending",
        )
        .await;
    assert!(missing["spec"]["volumeName"].is_null(), "{missing}");
    let described = h.ok(&["describe", "pvc", "lost-class-claim"]).await;
    assert!(
        described.contains("storageclass.storage.k8s.io \"nowhere\" not found"),
        "{described}"
    );

    // Claims deleted: a Retain volume is Released, a Delete one goes.
    h.ok(&["delete", "pvc", "static-claim", "fast-claim"]).await;
    h.wait_json(
        "manual-small released",
        &["get", "pv", "manual-small"],
        |v| v["status"]["phase"] == "Released",
    )
    .await;
    let start = std::time::Instant::now();
    loop {
        let out = h.kubectl(&["get", "pv", &made]).await;
        if !out.status.success() {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "{made} still there"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_ranges_refuse_pods_and_claims_outside_their_bounds() {
    let h = start().await;
    let file = h.kubeconfig.with_file_name("limits.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: LimitRange\nmetadata: { name: bounds, namespace: default }\nspec:\n  limits:\n  - type: Container\n    max: { cpu: \"1\" }\n    default: { cpu: 500m }\n    maxLimitRequestRatio: { cpu: \"2\" }\n  - type: PersistentVolumeClaim\n    max: { storage: 10Gi }\n",
    )
    .expect("write");
    h.ok(&["apply", "-f", file.to_str().expect("path")]).await;
    let h = &h;
    let run = |name: &'static str, resources: &'static str| async move {
        let overrides = format!(
            r#"{{"spec":{{"containers":[{{"name":"{name}","image":"nginx","resources":{resources}}}]}}}}"#
        );
        h.kubectl(&["run", name, "--image=nginx", "--overrides", &overrides])
            .await
    };
    let out = run("too-big", r#"{"limits":{"cpu":"2"}}"#).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "pods \"too-big\" is forbidden: maximum cpu usage per Container is 1, but limit is 2"
        ),
        "{err}"
    );
    let out = run(
        "too-spiky",
        r#"{"requests":{"cpu":"100m"},"limits":{"cpu":"1"}}"#,
    )
    .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "cpu max limit to request ratio per Container is 2, but provided ratio is 10.000000"
        ),
        "{err}"
    );
    // Defaults first, then the bounds: no resources at all gets 500m and fits.
    assert!(run("defaulted", "{}").await.status.success());
    let pod = h.json(&["get", "pod", "defaulted"]).await;
    assert_eq!(
        pod["spec"]["containers"][0]["resources"]["limits"]["cpu"],
        "500m"
    );

    let claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: huge, namespace: default }\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: { requests: { storage: 50Gi } }\n";
    std::fs::write(&file, claim).expect("write");
    let out = h
        .kubectl(&["apply", "-f", file.to_str().expect("path")])
        .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 50Gi"
        ),
        "{err}"
    );
}
