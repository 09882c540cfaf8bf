//! YAML templates and apply tasks through the REST API against the demo cluster: a
//! template is refused with the line at fault, checked with a server-side dry run that
//! stores nothing, and run as a task on two clusters and a missing one, leaving the
//! clusters holding the rendered objects and the task a result per document per cluster;
//! history search, re-run and clean-up of what the task created.

use bosun_model::Role;
use serde_json::{Value, json};

use crate::common::{TestServer, audit_rows, cluster_object, eventually, get, send};

const TEMPLATE: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ app }}-settings
  labels:
    team: {{ team | default: \"platform\" }}
data:
  size: \"{{ size | default: 3 }}\"
---
apiVersion: v1
kind: Service
metadata:
  name: {{ app }}
spec:
  selector:
    app: {{ app }}
  ports:
  - port: 80
";

fn outcomes(target: &Value) -> Vec<&str> {
    target["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect()
}

async fn demo_status(srv: &TestServer, path: &str) -> u16 {
    reqwest::get(format!("{}{path}", srv.demo().url()))
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_is_refused_with_the_line_at_fault() {
    let srv = TestServer::with_demo().await;
    let operator = srv.as_role(Role::Operator).await;
    let viewer = srv.as_role(Role::Viewer).await;
    let url = srv.url("/api/v1/templates");
    let make = |name: &str, yaml: &str| json!({"name": name, "description": "", "yaml": yaml});

    let (status, body) = send(&operator, "POST", &url, Some(make("web", TEMPLATE))).await;
    assert_eq!(status, 201, "{body}");
    let vars: Vec<&str> = body["data"]["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(vars, ["app", "team", "size"]);

    let (status, body) = send(&operator, "POST", &url, Some(make("web", TEMPLATE))).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["message"].as_str().unwrap().contains("exists already"));

    for (yaml, words) in [
        ("kind: ConfigMap\nmetadata:\n  name: {{ app\n", "line 3"),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ app | upper }}\n",
            "unknown filter",
        ),
        // A kind Bosun knows at a version no cluster serves (an unknown kind may be a
        // custom resource: the cluster a task runs on decides).
        (
            "apiVersion: apps/v2\nkind: Deployment\nmetadata:\n  name: x\n",
            "use apps/v1",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n",
            "document 1",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ app }}\nstringData:\n  password: {{ password }}\n",
            "document 2 (line 6): templates cannot hold Secrets",
        ),
        ("", "no YAML document"),
    ] {
        let (status, body) = send(&operator, "POST", &url, Some(make("broken", yaml))).await;
        assert_eq!(status, 400, "{yaml}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(words), "{yaml}: {message}");
    }
    let (status, _) = send(&operator, "POST", &url, Some(make("  ", TEMPLATE))).await;
    assert_eq!(status, 400);

    // Viewers read templates but do not write them.
    let (status, list) = get(&viewer, &url).await;
    assert_eq!(status, 200);
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let (status, _) = send(&viewer, "POST", &url, Some(make("mine", TEMPLATE))).await;
    assert_eq!(status, 403);

    // Changing and deleting.
    let id = list["data"][0]["id"].as_i64().unwrap();
    let one = srv.url(&format!("/api/v1/templates/{id}"));
    let changed = json!({"name": "web-app", "description": "web tier", "yaml": TEMPLATE});
    let (status, body) = send(&operator, "PUT", &one, Some(changed.clone())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["name"], "web-app");
    let (status, _) = send(
        &operator,
        "PUT",
        &srv.url("/api/v1/templates/9999"),
        Some(changed),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(&viewer, "DELETE", &one, None).await;
    assert_eq!(status, 403);
    let (status, _) = send(&operator, "DELETE", &one, None).await;
    assert_eq!(status, 200);
    let (status, body) = get(&viewer, &one).await;
    assert_eq!(status, 404, "{body}");

    let rows = audit_rows(&srv, "action=template.create").await;
    assert!(
        rows.iter()
            .any(|r| r["outcome"] == "succeeded" && r["name"] == "web")
    );
    assert!(rows.iter().any(|r| r["outcome"] == "denied"));
    assert!(!audit_rows(&srv, "action=template.delete").await.is_empty());
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_applies_a_template_per_cluster_and_cleans_up_what_it_created() {
    let srv = TestServer::with_demo().await;
    let second = bosun_model::ClusterInput {
        name: "second".into(),
        source: Some("demo".into()),
        ..Default::default()
    };
    bosun_core::clusters::add(srv.ctx(), &bosun_core::Invocation::cli(), second)
        .await
        .unwrap();
    let operator = srv.as_role(Role::Operator).await;
    let viewer = srv.as_role(Role::Viewer).await;
    let (status, made) = send(
        &operator,
        "POST",
        &srv.url("/api/v1/templates"),
        Some(json!({"name": "billing", "description": "billing service", "yaml": TEMPLATE})),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let id = made["data"]["id"].as_i64().unwrap();

    // A check renders and dry-runs; the cluster keeps nothing.
    let check = srv.url(&format!("/api/v1/templates/{id}/check"));
    let (status, checked) = send(
        &operator,
        "POST",
        &check,
        Some(json!({"cluster": "demo", "namespace": "shop", "values": {"app": "billing"}})),
    )
    .await;
    assert_eq!(status, 200, "{checked}");
    assert!(
        checked["data"]["rendered"]
            .as_str()
            .unwrap()
            .contains("name: billing-settings\n")
    );
    assert_eq!(checked["data"]["report"]["dry_run"], true);
    assert_eq!(outcomes(&checked["data"]["report"]), ["created", "created"]);
    assert_eq!(
        demo_status(&srv, "/api/v1/namespaces/shop/configmaps/billing-settings").await,
        404
    );
    for (values, words) in [
        (json!({}), "no value for app"),
        (json!({"app": "x\nevil: true"}), "line break"),
        (
            json!({"app": "x", "colour": "red"}),
            "colour is not a variable",
        ),
    ] {
        let body = json!({"cluster": "demo", "namespace": "shop", "values": values});
        let (status, answer) = send(&operator, "POST", &check, Some(body)).await;
        assert_eq!(status, 400, "{answer}");
        assert!(
            answer["message"].as_str().unwrap().contains(words),
            "{answer}"
        );
    }
    let (status, answer) = send(
        &operator,
        "POST",
        &check,
        Some(json!({"cluster": "demo", "namespace": "shop", "values": {"app": "Bad_Name"}})),
    )
    .await;
    assert_eq!(status, 207, "{answer}");
    assert!(
        answer["data"]["report"]["results"][0]["message"]
            .as_str()
            .unwrap()
            .contains("metadata.name")
    );
    let (status, _) = send(
        &viewer,
        "POST",
        &check,
        Some(json!({"cluster": "demo", "namespace": "shop", "values": {"app": "billing"}})),
    )
    .await;
    assert_eq!(status, 403);

    // The task: two clusters that exist and one that does not.
    let request = json!({
        "template_id": id,
        "targets": [
            {"cluster": "demo", "namespace": "shop"},
            {"cluster": "second", "namespace": "data"},
            {"cluster": "nowhere", "namespace": "shop"},
        ],
        "values": {"app": "billing", "size": "5"},
    });
    let (status, _) = send(
        &viewer,
        "POST",
        &srv.url("/api/v1/tasks"),
        Some(request.clone()),
    )
    .await;
    assert_eq!(status, 403);
    let (status, task) = send(&operator, "POST", &srv.url("/api/v1/tasks"), Some(request)).await;
    assert_eq!(status, 201, "{task}");
    let task = &task["data"];
    let task_id = task["id"].as_i64().unwrap();
    assert_eq!(task["state"], "partially_failed", "{task}");
    assert_eq!(task["created_by"], "as-operator");
    let results = task["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(outcomes(&results[0]), ["created", "created"]);
    assert_eq!(outcomes(&results[1]), ["created", "created"]);
    assert!(
        results[2]["error"].as_str().unwrap().contains("nowhere"),
        "{task}"
    );
    assert!(
        task["message"]
            .as_str()
            .unwrap()
            .contains("4 document(s) applied"),
        "{task}"
    );

    // The clusters hold what the rendered YAML says.
    let settings =
        cluster_object(&srv, "/api/v1/namespaces/shop/configmaps/billing-settings").await;
    assert_eq!(settings["data"]["size"], "5");
    assert_eq!(settings["metadata"]["labels"]["team"], "platform");
    let service = cluster_object(&srv, "/api/v1/namespaces/data/services/billing").await;
    assert_eq!(service["spec"]["selector"]["app"], "billing");
    assert!(
        service["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["manager"] == "bosun")
    );

    // History: the task is found by what it did.
    let (status, one) = get(&viewer, &srv.url(&format!("/api/v1/tasks/{task_id}"))).await;
    assert_eq!(status, 200);
    assert!(
        one["data"]["rendered"]
            .as_str()
            .unwrap()
            .contains("billing-settings")
    );
    let ids = |page: &Value| -> Vec<i64> {
        page["data"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect()
    };
    let (_, found) = get(&viewer, &srv.url("/api/v1/tasks?q=billing")).await;
    assert_eq!(ids(&found), [task_id]);
    let (_, found) = get(&viewer, &srv.url("/api/v1/tasks?q=second")).await;
    assert_eq!(ids(&found), [task_id]);
    let (_, found) = get(&viewer, &srv.url("/api/v1/tasks?state=succeeded")).await;
    assert!(ids(&found).is_empty());
    let (_, found) = get(&viewer, &srv.url("/api/v1/tasks?q=nothing-like-it")).await;
    assert!(ids(&found).is_empty());
    let (status, bad) = get(&viewer, &srv.url("/api/v1/tasks?state=sleeping")).await;
    assert_eq!(status, 400, "{bad}");

    // A re-run applies the same YAML again: nothing changes, nothing is created.
    let (status, again) = send(
        &operator,
        "POST",
        &srv.url(&format!("/api/v1/tasks/{task_id}/rerun")),
        None,
    )
    .await;
    assert_eq!(status, 201, "{again}");
    let again = &again["data"];
    assert_eq!(again["rerun_of"], task_id);
    assert_eq!(
        again["results"][0]["results"][0]["outcome"], "unchanged",
        "{again}"
    );
    let rerun_id = again["id"].as_i64().unwrap();
    let (status, answer) = send(
        &operator,
        "POST",
        &srv.url(&format!("/api/v1/tasks/{rerun_id}/cleanup")),
        None,
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("created nothing")
    );

    // Deleting what the first run created.
    let cleanup = srv.url(&format!("/api/v1/tasks/{task_id}/cleanup"));
    let (status, _) = send(&viewer, "POST", &cleanup, None).await;
    assert_eq!(status, 403);
    let (status, cleaned) = send(&operator, "POST", &cleanup, None).await;
    assert_eq!(status, 200, "{cleaned}");
    let gone = cleaned["data"]["cleanup"].as_array().unwrap();
    assert_eq!(gone.len(), 4, "{cleaned}");
    assert!(gone.iter().all(|c| c["deleted"] == true), "{cleaned}");
    eventually(30, "the created config map to be deleted", || async {
        (demo_status(&srv, "/api/v1/namespaces/shop/configmaps/billing-settings").await == 404)
            .then_some(())
    })
    .await;
    let (status, _) = send(&operator, "POST", &cleanup, None).await;
    assert_eq!(status, 409);

    // A deleted template leaves its tasks readable.
    let (status, _) = send(
        &operator,
        "DELETE",
        &srv.url(&format!("/api/v1/templates/{id}")),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (_, kept) = get(&viewer, &srv.url(&format!("/api/v1/tasks/{task_id}"))).await;
    assert_eq!(kept["data"]["template_id"], Value::Null);
    assert_eq!(kept["data"]["template_name"], "billing");

    let runs = audit_rows(&srv, "action=task.run").await;
    assert!(runs.iter().any(|r| r["outcome"] == "succeeded"));
    assert!(runs.iter().any(|r| r["outcome"] == "denied"));
    let applies = audit_rows(&srv, "action=object.apply&name=billing-settings").await;
    assert!(
        applies.iter().any(|r| r["cluster"] == "second"),
        "{applies:?}"
    );
    assert!(
        !audit_rows(&srv, "action=task.delete_created")
            .await
            .is_empty()
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_cleanups_of_one_task_at_once_delete_once() {
    let srv = TestServer::with_demo().await;
    let operator = srv.as_role(Role::Operator).await;
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\n";
    let (_, made) = send(
        &operator,
        "POST",
        &srv.url("/api/v1/templates"),
        Some(json!({"name": "once", "yaml": yaml})),
    )
    .await;
    let request = json!({
        "template_id": made["data"]["id"],
        "targets": [{"cluster": "demo", "namespace": "shop"}],
        "values": {"name": "cleaned-once"},
    });
    let (status, task) = send(&operator, "POST", &srv.url("/api/v1/tasks"), Some(request)).await;
    assert_eq!(status, 201, "{task}");
    let url = srv.url(&format!("/api/v1/tasks/{}/cleanup", task["data"]["id"]));
    let (a, b) = tokio::join!(
        send(&operator, "POST", &url, None),
        send(&operator, "POST", &url, None)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} {}", a.1, b.1);
    srv.stop().await;
}
