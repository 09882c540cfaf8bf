//! The Resources kinds (network, storage, config, access control, namespaces) through the
//! REST API against the demo cluster: lists and details from caches started on demand, a
//! Secret's values kept out of every answer until revealed (audited), namespaces created
//! and deleted, and YAML applied as `kubectl apply --server-side` applies it.

use serde_json::{Value, json};

use crate::common::{
    TestServer, audit_rows, cluster_object, demo_send, eventually, get, next_page_where,
    open_stream, send,
};

fn cells_of<'a>(detail: &'a Value, title: &str) -> Vec<Vec<&'a str>> {
    let section = detail["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == title)
        .unwrap_or_else(|| panic!("no section {title:?} in {detail}"));
    section["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect()
        })
        .collect()
}

fn names(page: &Value) -> Vec<String> {
    page["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{}/{}",
                i["namespace"].as_str().unwrap(),
                i["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_are_listed_and_described_from_the_caches() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let viewer = srv.as_role(bosun_model::Role::Viewer).await;
    let api = |p: &str| srv.url(&format!("/api/v1/clusters/demo{p}"));

    // A namespaced kind across namespaces, its first look waiting for the new cache.
    let (status, services) = get(&viewer, &api("/namespaces/_all/services")).await;
    assert_eq!(status, 200, "{services}");
    assert!(
        names(&services).contains(&"shop/web".to_string()),
        "{services}"
    );
    let web = services["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "web" && i["namespace"] == "shop")
        .unwrap();
    assert_eq!(web["kind"], "services");
    assert!(
        web["columns"][3].as_str().unwrap().contains("/TCP"),
        "{web}"
    );

    // Paging, a name filter and a label selector, on the server.
    let (_, first) = get(&viewer, &api("/namespaces/_all/configmaps?limit=1")).await;
    assert_eq!(first["data"]["items"].as_array().unwrap().len(), 1);
    assert!(first["data"]["total"].as_u64().unwrap() >= 2);
    let token = first["data"]["continue"].as_str().unwrap();
    let (_, second) = get(
        &viewer,
        &api(&format!(
            "/namespaces/_all/configmaps?limit=1&continue={token}"
        )),
    )
    .await;
    assert_ne!(names(&first), names(&second));
    let (_, found) = get(&viewer, &api("/namespaces/shop/configmaps?q=web-conf")).await;
    assert_eq!(names(&found), vec!["shop/web-config"]);
    let (_, pvcs) = get(
        &viewer,
        &api("/namespaces/data/persistentvolumeclaims?labelSelector=app%3Dpostgres"),
    )
    .await;
    assert!(!names(&pvcs).is_empty(), "{pvcs}");

    // Details with their sections.
    let (status, cm) = get(&viewer, &api("/namespaces/shop/configmaps/web-config")).await;
    assert_eq!(status, 200, "{cm}");
    assert!(!cells_of(&cm["data"], "Data").is_empty());
    assert!(cm["data"]["yaml"].as_str().unwrap().contains("web-config"));
    assert!(!cm["data"]["resource_version"].as_str().unwrap().is_empty());
    let (_, svc) = get(&viewer, &api("/namespaces/shop/services/web")).await;
    assert!(!cells_of(&svc["data"], "Ports").is_empty(), "{svc}");
    // The Service's EndpointSlice: found by its service-name label, the same addresses as
    // its Endpoints, each with its conditions and pod.
    let (status, slices) = get(
        &viewer,
        &api("/namespaces/shop/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb"),
    )
    .await;
    assert_eq!(status, 200, "{slices}");
    let slice = &slices["data"]["items"][0];
    assert_eq!(slice["columns"][0], "IPv4", "{slice}");
    assert_eq!(slice["columns"][3], "web", "{slice}");
    let name = slice["name"].as_str().unwrap();
    let (status, detail) = get(
        &viewer,
        &api(&format!("/namespaces/shop/endpointslices/{name}")),
    )
    .await;
    assert_eq!(status, 200, "{detail}");
    let endpoints = cells_of(&detail["data"], "Endpoints");
    let mut from_slice: Vec<&str> = endpoints
        .iter()
        .filter(|r| r[1] == "yes")
        .map(|r| r[0])
        .collect();
    let mut from_endpoints: Vec<&str> = cells_of(&svc["data"], "Endpoints")
        .iter()
        .filter(|r| r[1] == "yes")
        .map(|r| r[0])
        .collect();
    from_slice.sort_unstable();
    from_endpoints.sort_unstable();
    assert!(!from_slice.is_empty(), "{detail}");
    assert_eq!(from_slice, from_endpoints);
    assert!(
        endpoints.iter().all(|r| r[4].starts_with("Pod/web-")),
        "{detail}"
    );
    assert!(!cells_of(&detail["data"], "Ports").is_empty(), "{detail}");
    assert!(
        cells_of(&detail["data"], "EndpointSlice").contains(&vec!["Service", "web"]),
        "{detail}"
    );
    let (_, ing) = get(&viewer, &api("/namespaces/shop/ingresses/web")).await;
    assert_eq!(cells_of(&ing["data"], "Rules")[0][3], "web:80");
    let (_, policy) = get(
        &viewer,
        &api("/namespaces/payments/networkpolicies/deny-external"),
    )
    .await;
    assert_eq!(status, 200, "{policy}");
    assert!(policy["data"]["sections"].as_array().unwrap().len() >= 2);
    let (_, binding) = get(&viewer, &api("/clusterrolebindings/bosun-viewer")).await;
    assert_eq!(
        cells_of(&binding["data"], "Subjects")[0],
        vec!["Group", "viewers", ""]
    );
    assert!(
        !cells_of(&binding["data"], "Rules granted").is_empty(),
        "{binding}"
    );

    // Cluster-scoped kinds at /clusters/{c}/{plural}.
    let (status, classes) = get(&viewer, &api("/storageclasses")).await;
    assert_eq!(status, 200, "{classes}");
    let standard = &classes["data"]["items"][0];
    assert_eq!(standard["name"], "standard");
    assert_eq!(standard["namespace"], "");
    assert_eq!(standard["columns"][4], "yes");
    let (status, pvs) = get(&viewer, &api("/persistentvolumes")).await;
    assert_eq!(status, 200, "{pvs}");
    assert!(pvs["data"]["total"].as_u64().unwrap() >= 1);

    // Namespaces: rows with what they hold, a detail listing what deleting it deletes.
    let (status, namespaces) = get(&viewer, &api("/namespaces?q=shop")).await;
    assert_eq!(status, 200, "{namespaces}");
    let shop = &namespaces["data"]["items"][0];
    assert_eq!(shop["name"], "shop");
    assert_ne!(shop["columns"][1], "0", "shop has pods: {shop}");
    let (_, shop_detail) = get(&viewer, &api("/namespaces/shop")).await;
    let contents = cells_of(&shop_detail["data"], "Contents");
    assert!(contents.iter().any(|r| r[0] == "ConfigMap"), "{contents:?}");

    // Wrong paths say where to look.
    let (status, body) = get(&viewer, &api("/configmaps")).await;
    assert_eq!(status, 404);
    assert!(
        body["message"].as_str().unwrap().contains("namespaced"),
        "{body}"
    );
    let (status, body) = get(&viewer, &api("/namespaces/shop/storageclasses")).await;
    assert_eq!(status, 404);
    assert!(
        body["message"].as_str().unwrap().contains("cluster-scoped"),
        "{body}"
    );
    let (status, body) = get(&viewer, &api("/namespaces/shop/configmaps/absent")).await;
    assert_eq!(status, 404);
    assert!(
        body["message"].as_str().unwrap().contains("absent"),
        "{body}"
    );
    // Neither one of Bosun's kinds nor a custom resource the cluster serves.
    let (status, body) = get(&viewer, &api("/namespaces/shop/gadgets")).await;
    assert_eq!(status, 404);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("\"gadgets\" is neither"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_values_stay_hidden_until_revealed_and_the_reveal_is_audited() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let viewer = srv.as_role(bosun_model::Role::Viewer).await;
    let operator = srv.as_role(bosun_model::Role::Operator).await;
    let secret = srv.url("/api/v1/clusters/demo/namespaces/shop/secrets/api-credentials");
    // The stored value is base64 of "demo-token".
    let stored = "ZGVtby10b2tlbg==";

    for url in [
        srv.url("/api/v1/clusters/demo/namespaces/_all/secrets"),
        secret.clone(),
    ] {
        let res = operator.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let text = res.text().await.unwrap();
        assert!(
            !text.contains(stored) && !text.contains("demo-token"),
            "{text}"
        );
    }
    // Nor in the page the server renders.
    let html = operator
        .get(srv.url("/resources/secrets/demo/shop/api-credentials"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("hidden: 10 bytes"), "the page shows the key");
    assert!(!html.contains(stored) && !html.contains("demo-token"));
    let (_, detail) = get(&operator, &secret).await;
    assert_eq!(
        cells_of(&detail["data"], "Data"),
        vec![vec!["token", "<hidden: 10 bytes>"]]
    );

    let reveal = format!("{secret}/reveal?key=token");
    let (status, _) = get(&viewer, &reveal).await;
    assert_eq!(status, 403);
    let res = operator.get(&reveal).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["data"],
        json!({"key": "token", "value": "demo-token", "encoding": "utf-8"})
    );
    let (status, body) = get(&operator, &format!("{secret}/reveal?key=nope")).await;
    assert_eq!(status, 404);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("its keys: token"),
        "{body}"
    );
    let (status, _) = get(
        &operator,
        &srv.url("/api/v1/clusters/demo/namespaces/shop/configmaps/web-config/reveal?key=a"),
    )
    .await;
    assert_eq!(status, 400);

    let rows = audit_rows(&srv, "action=secret.reveal").await;
    let ok: Vec<&Value> = rows
        .iter()
        .filter(|r| r["outcome"] == "succeeded")
        .collect();
    assert_eq!(ok.len(), 1, "{rows:?}");
    assert_eq!(ok[0]["name"], "api-credentials");
    let params: Value = serde_json::from_str(ok[0]["parameters"].as_str().unwrap()).unwrap();
    assert_eq!(params, json!({"key": "token"}));
    assert!(rows.iter().any(|r| r["outcome"] == "denied"), "{rows:?}");
    let all = serde_json::to_string(&rows).unwrap();
    assert!(!all.contains("demo-token"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_are_created_labelled_and_deleted() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let operator = srv.as_role(bosun_model::Role::Operator).await;
    let viewer = srv.as_role(bosun_model::Role::Viewer).await;
    let url = srv.url("/api/v1/clusters/demo/namespaces");
    let body = json!({"name": "team-a", "labels": {"team": "a"}});
    let (status, _) = send(&viewer, "POST", &url, Some(body.clone())).await;
    assert_eq!(status, 403);
    let (status, reply) = send(&operator, "POST", &url, Some(body.clone())).await;
    assert_eq!(status, 201, "{reply}");
    let ns = cluster_object(&srv, "/api/v1/namespaces/team-a").await;
    assert_eq!(ns["metadata"]["labels"]["team"], "a");
    let (status, again) = send(&operator, "POST", &url, Some(body)).await;
    assert_eq!(status, 409, "{again}");
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{again}"
    );
    for bad in [
        json!({"name": "Team_A"}),
        json!({"name": "ok", "labels": {"bad key!": "x"}}),
    ] {
        let (status, body) = send(&operator, "POST", &url, Some(bad)).await;
        assert_eq!(status, 400, "{body}");
    }
    let (status, reply) = send(&operator, "DELETE", &format!("{url}/team-a"), None).await;
    assert_eq!(status, 200, "{reply}");
    let rows = audit_rows(&srv, "action=namespace.create").await;
    assert!(
        rows.iter()
            .any(|r| r["outcome"] == "succeeded" && r["name"] == "team-a")
    );
}

/// `kubectl apply --server-side -f -` of `yaml` against the demo cluster.
fn kubectl_apply(srv: &TestServer, yaml: &str) {
    let out = kubectl_apply_with(srv, yaml, &[]);
    assert!(
        out.status.success(),
        "kubectl apply: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `kubectl apply --server-side <extra> -f -`, whatever it answers.
fn kubectl_apply_with(srv: &TestServer, yaml: &str, extra: &[&str]) -> std::process::Output {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kubeconfig");
    srv.demo().write_kubeconfig(&config, "demo").unwrap();
    let mut child = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&config)
        .args(["apply", "--server-side"])
        .args(extra)
        .args(["-f", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(yaml.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

async fn apply(client: &reqwest::Client, url: &str, yaml: &str) -> (u16, Value) {
    let res = client
        .post(url)
        .header("content-type", "application/yaml")
        .body(yaml.to_string())
        .send()
        .await
        .unwrap();
    crate::common::json_of(res).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yaml_is_applied_as_kubectl_applies_it_and_every_document_answers() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let operator = srv.as_role(bosun_model::Role::Operator).await;
    let viewer = srv.as_role(bosun_model::Role::Viewer).await;
    let url = srv.url("/api/v1/clusters/demo/apply");
    let cm = |name: &str, value: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: shop\ndata:\n  colour: {value}\n"
        )
    };

    // The same request as kubectl's server-side apply, but as Bosun's field manager.
    srv.take_demo_writes();
    kubectl_apply(&srv, &cm("by-kubectl", "red"));
    let by_kubectl = srv.take_demo_writes();
    let (status, report) = apply(&operator, &url, &cm("by-bosun", "red")).await;
    assert_eq!(status, 200, "{report}");
    let by_bosun = srv.take_demo_writes();
    assert_eq!(by_kubectl.len(), 1, "{by_kubectl:?}");
    assert_eq!(by_bosun.len(), 1, "{by_bosun:?}");
    let (k, b) = (&by_kubectl[0], &by_bosun[0]);
    assert_eq!(b.method, k.method);
    assert_eq!(b.content_type, k.content_type);
    assert_eq!(k.content_type, "application/apply-patch+yaml");
    assert_eq!(
        b.path,
        k.path.replace("by-kubectl", "by-bosun"),
        "same object path"
    );
    assert!(b.query.contains("fieldManager=bosun"), "{}", b.query);
    assert!(b.query.contains("force=false"), "{}", b.query);
    for query in [&k.query, &b.query] {
        assert!(query.contains("fieldValidation=Strict"), "{query}");
    }
    let parse = |s: &str| serde_yaml::from_str::<Value>(s).unwrap();
    let mut kubectl_body = parse(&k.body);
    kubectl_body["metadata"]["name"] = json!("by-bosun");
    assert_eq!(parse(&b.body), kubectl_body);
    let result = &report["data"]["results"][0];
    assert_eq!(result["outcome"], "created");
    assert_eq!(result["message"], "configmap/by-bosun created");

    // Again: unchanged; then changed: configured, with the diff.
    let (_, report) = apply(&operator, &url, &cm("by-bosun", "red")).await;
    assert_eq!(report["data"]["results"][0]["outcome"], "unchanged");
    let (_, report) = apply(&operator, &url, &cm("by-bosun", "blue")).await;
    let result = &report["data"]["results"][0];
    assert_eq!(result["outcome"], "configured", "{report}");
    let diff = serde_json::to_string(&result["diff"]).unwrap();
    assert!(
        diff.contains("colour: blue") && diff.contains("colour: red"),
        "{diff}"
    );

    // A dry run checks and stores nothing.
    let (status, report) = apply(&operator, &format!("{url}?dryRun=true"), &cm("dry", "x")).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["data"]["results"][0]["message"],
        "configmap/dry created (server dry run)"
    );
    let res = reqwest::get(format!(
        "{}/api/v1/namespaces/shop/configmaps/dry",
        srv.demo().url()
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), 404);

    // Several documents; one unreadable: none is sent, each says why.
    let multi = format!(
        "{}---\n{}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  key: [unclosed\n",
        cm("multi-a", "one"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: multi-ns\n"
    );
    let (status, report) = apply(&operator, &url, &multi).await;
    assert_eq!(status, 207, "{report}");
    let results = report["data"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["outcome"], "skipped");
    assert_eq!(results[1]["outcome"], "skipped");
    assert_eq!(results[2]["outcome"], "failed");
    assert_eq!(results[2]["line"], 14);
    let message = results[2]["message"].as_str().unwrap();
    assert!(message.starts_with("document 3: line 19"), "{message}");
    let res = reqwest::get(format!(
        "{}/api/v1/namespaces/shop/configmaps/multi-a",
        srv.demo().url()
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), 404, "nothing half-applied");

    // Readable documents are all applied, in order, each with its result.
    let good = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: multi-ns\n---\n{}",
        cm("multi-a", "one").replace("namespace: shop", "namespace: multi-ns")
    );
    let (status, report) = apply(&operator, &url, &good).await;
    assert_eq!(status, 200, "{report}");
    let outcomes: Vec<&str> = report["data"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["created", "created"]);

    // An edit of a stale copy is refused, not silently written over.
    let live = cluster_object(&srv, "/api/v1/namespaces/shop/configmaps/by-bosun").await;
    let stale_rv = live["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _) = apply(&operator, &url, &cm("by-bosun", "green")).await;
    let stale = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: by-bosun\n  namespace: shop\n  resourceVersion: \"{stale_rv}\"\ndata:\n  colour: yellow\n"
    );
    let (status, report) = apply(&operator, &url, &stale).await;
    assert_eq!(status, 207, "{report}");
    let message = report["data"]["results"][0]["message"].as_str().unwrap();
    assert!(message.contains("stale"), "{message}");
    let live = cluster_object(&srv, "/api/v1/namespaces/shop/configmaps/by-bosun").await;
    assert_eq!(live["data"]["colour"], "green");

    // A Secret's hidden placeholders are never applied back.
    let placeholder = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-credentials\n  namespace: shop\ndata:\n  token: \"<hidden: 10 bytes>\"\n";
    let (_, report) = apply(&operator, &url, placeholder).await;
    assert_eq!(report["data"]["results"][0]["outcome"], "failed");
    let secret = cluster_object(&srv, "/api/v1/namespaces/shop/secrets/api-credentials").await;
    assert_eq!(secret["data"]["token"], "ZGVtby10b2tlbg==");

    // Unknown kinds and empty YAML are named; viewers may not apply.
    let (_, report) = apply(
        &operator,
        &url,
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
    )
    .await;
    let message = report["data"]["results"][0]["message"].as_str().unwrap();
    assert!(message.contains("Widget"), "{message}");
    let (status, _) = apply(&operator, &url, "# nothing\n").await;
    assert_eq!(status, 400);
    let (status, _) = apply(&viewer, &url, &cm("nope", "x")).await;
    assert_eq!(status, 403);

    let rows = audit_rows(&srv, "action=object.apply").await;
    assert!(
        rows.iter()
            .any(|r| r["name"] == "by-bosun" && r["outcome"] == "succeeded")
    );
    assert!(rows.iter().any(|r| r["outcome"] == "failed"));
    assert!(rows.iter().any(|r| r["outcome"] == "denied"));
}

const MISTAKES: &str = concat!(
    "apiVersion: apps/v1\n",
    "kind: Deployment\n",
    "metadata:\n",
    "  name: checked\n",
    "  namespace: shop\n",
    "  labels:\n",
    "    app.kubernetes.io/name: 7\n",
    "spec:\n",
    "  replica: 2\n",
    "  selector:\n",
    "    matchLabels:\n",
    "      app: checked\n",
    "  template:\n",
    "    metadata:\n",
    "      labels:\n",
    "        app: checked\n",
    "    spec:\n",
    "      containers:\n",
    "      - name: app\n",
    "        image: nginx\n",
    "      - name: sidecar\n",
    "        image: busybox\n",
    "        imagePulPolicy: Always\n",
    "        ports:\n",
    "        - containerPort: \"x\"\n",
    "---\n",
    "apiVersion: v1\n",
    "kind: Secret\n",
    "metadata:\n",
    "  name: checked\n",
    "  namespace: shop\n",
    "data:\n",
    "  token: not base64!\n",
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yaml_is_checked_against_the_clusters_schema_with_each_problem_at_its_line() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let viewer = srv.as_role(bosun_model::Role::Viewer).await;
    let operator = srv.as_role(bosun_model::Role::Operator).await;
    let check = srv.url("/api/v1/clusters/demo/validate");

    // Every mistake, at its line, with its field: what the demo's published schemas (the
    // Kubernetes types' own) say. A viewer may check; nothing is written.
    let (status, answer) = apply(&viewer, &check, MISTAKES).await;
    assert_eq!(status, 200, "{answer}");
    let issues: Vec<(u64, u64, &str, &str)> = answer["data"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["document"].as_u64().unwrap(),
                i["line"].as_u64().unwrap(),
                i["field"].as_str().unwrap(),
                i["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        issues,
        vec![
            (
                1,
                7,
                "metadata.labels[app.kubernetes.io/name]",
                "expected a string, got a number (7)"
            ),
            (
                1,
                9,
                "spec.replica",
                "unknown field \"replica\"; did you mean \"replicas\"?"
            ),
            (
                1,
                23,
                "spec.template.spec.containers[1].imagePulPolicy",
                "unknown field \"imagePulPolicy\"; did you mean \"imagePullPolicy\"?"
            ),
            (
                1,
                25,
                "spec.template.spec.containers[1].ports[0].containerPort",
                "expected an integer, got a string (\"x\")"
            ),
            (
                2,
                33,
                "data.token",
                "expected base64 (to give plain text, put it under stringData)"
            ),
        ],
        "{answer}"
    );
    assert!(answer["data"].get("unchecked").is_none(), "{answer}");

    // Fixed, it fits; a custom kind's schema keeps unknown fields but types its metadata;
    // a document that cannot be read is named at its line.
    let fixed = MISTAKES
        .replace(
            "app.kubernetes.io/name: 7",
            "app.kubernetes.io/name: checked",
        )
        .replace("replica: 2", "replicas: 2")
        .replace("imagePulPolicy", "imagePullPolicy")
        .replace("containerPort: \"x\"", "containerPort: 8080")
        .replace("token: not base64!", "token: aGVsbG8=");
    let (status, answer) = apply(&viewer, &check, &fixed).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["issues"], json!([]), "{answer}");
    let custom = "apiVersion: apps.kruise.io/v1alpha1\nkind: CloneSet\nmetadata:\n  name: c\n  labels:\n    tier: 1\nspec:\n  anything: [goes]\n---\nkind: [broken\n";
    let (_, answer) = apply(&viewer, &check, custom).await;
    let issues = answer["data"]["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 2, "{answer}");
    assert_eq!(issues[0]["field"], "metadata.labels.tier");
    assert_eq!(issues[0]["line"], 6);
    assert_eq!(issues[1]["document"], 2);
    assert_eq!(issues[1]["line"], 10, "{answer}");

    // An apply of the mistakes sends nothing and says where the first one is.
    srv.take_demo_writes();
    let (status, report) =
        apply(&operator, &srv.url("/api/v1/clusters/demo/apply"), MISTAKES).await;
    assert_eq!(status, 207, "{report}");
    let message = report["data"]["results"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "document 1 (line 7): metadata.labels[app.kubernetes.io/name]: expected a string"
        ) && message.contains("; line 9: spec.replica: unknown field"),
        "{message}"
    );
    assert_eq!(report["data"]["results"][1]["outcome"], "failed");
    assert!(srv.take_demo_writes().is_empty(), "nothing was sent");
    let (status, _) = apply(&viewer, &check, "# nothing\n").await;
    assert_eq!(status, 400);

    // `validate=false`, as kubectl's `--validate=false`, sends it all the same.
    let odd = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: unchecked\n  namespace: shop\nextra: 1\n";
    let url = srv.url("/api/v1/clusters/demo/apply");
    let (status, report) = apply(&operator, &url, odd).await;
    assert_eq!(status, 207, "{report}");
    let (status, report) = apply(&operator, &format!("{url}?validate=false"), odd).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["data"]["results"][0]["outcome"], "created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_another_manager_owns_is_a_conflict_until_forced_as_kubectl_sees_it() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let operator = srv.as_role(bosun_model::Role::Operator).await;
    let url = srv.url("/api/v1/clusters/demo/apply");
    let cm = |colour: &str, size: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\n  namespace: shop\ndata:\n  colour: {colour}\n  size: \"{size}\"\n"
        )
    };
    let pipeline = ["--field-manager", "ci-pipeline"];
    let out = kubectl_apply_with(&srv, &cm("red", "1"), &pipeline);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Same values: no conflict, both own them. A changed value: refused, in a dry run too.
    let (status, report) = apply(&operator, &url, &cm("red", "1")).await;
    assert_eq!(status, 200, "{report}");
    for dry in ["?dryRun=true", ""] {
        let (status, report) = apply(&operator, &format!("{url}{dry}"), &cm("blue", "1")).await;
        assert_eq!(status, 207, "{report}");
        let result = &report["data"]["results"][0];
        assert_eq!(result["outcome"], "failed");
        assert_eq!(
            result["conflicts"],
            json!([{"field": ".data.colour", "manager": "ci-pipeline"}])
        );
        let message = result["message"].as_str().unwrap();
        assert!(
            message.contains(
                "Apply failed with 1 conflict: conflict with \"ci-pipeline\": .data.colour"
            ),
            "{message}"
        );
        assert!(
            message.starts_with("document 1 (line 7): "),
            "the line of the conflicting field: {message}"
        );
    }
    let live = cluster_object(&srv, "/api/v1/namespaces/shop/configmaps/owned").await;
    assert_eq!(live["data"]["colour"], "red", "nothing written");

    // Two fields: both named.
    let (_, report) = apply(&operator, &url, &cm("blue", "2")).await;
    let fields: Vec<&str> = report["data"]["results"][0]["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec![".data.colour", ".data.size"]);

    // Forced: applied, and Bosun owns the field now; the pipeline's next apply conflicts
    // with Bosun, as real kubectl reports it.
    let (status, report) = apply(&operator, &format!("{url}?force=true"), &cm("blue", "1")).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["data"]["results"][0]["outcome"], "configured");
    let live = cluster_object(&srv, "/api/v1/namespaces/shop/configmaps/owned").await;
    assert_eq!(live["data"]["colour"], "blue");
    let owner_of_colour: Vec<&str> = live["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["fieldsV1"]["f:data"]["f:colour"].is_null())
        .map(|e| e["manager"].as_str().unwrap())
        .collect();
    assert_eq!(owner_of_colour, vec!["bosun"]);
    let out = kubectl_apply_with(&srv, &cm("red", "1"), &pipeline);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("Apply failed with 1 conflict: conflict with \"bosun\": .data.colour"),
        "{said}"
    );
    let out = kubectl_apply_with(
        &srv,
        &cm("red", "1"),
        &["--field-manager", "ci-pipeline", "--force-conflicts"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let rows = audit_rows(&srv, "action=object.apply").await;
    assert!(
        rows.iter()
            .any(|r| r["name"] == "owned" && r["outcome"] == "failed"),
        "the refused apply is audited"
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quota_blocks_a_create_with_the_api_servers_message_and_reports_its_usage() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let operator = srv.as_role(bosun_model::Role::Operator).await;
    let (status, made) = send(
        &operator,
        "POST",
        &srv.url("/api/v1/clusters/demo/namespaces"),
        Some(json!({"name": "quota-test"})),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let url = srv.url("/api/v1/clusters/demo/apply?namespace=quota-test");
    let limits = "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: small\nspec:\n  hard:\n    pods: \"1\"\n    requests.cpu: \"1\"\n---\napiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\nspec:\n  limits:\n  - type: Container\n    default:\n      cpu: 600m\n      memory: 64Mi\n";
    let (status, body) = apply(&operator, &url, limits).await;
    assert_eq!(status, 200, "{body}");
    let pod = |name: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: app\n    image: nginx\n"
        )
    };

    // The first pod gets the LimitRange's defaults (request from the limit) and fits.
    let (status, body) = apply(&operator, &url, &pod("first")).await;
    assert_eq!(status, 200, "{body}");
    let first = cluster_object(&srv, "/api/v1/namespaces/quota-test/pods/first").await;
    let resources = &first["spec"]["containers"][0]["resources"];
    assert_eq!(resources["limits"]["cpu"], "600m", "{first}");
    assert_eq!(resources["requests"]["cpu"], "600m", "{first}");
    assert_eq!(resources["requests"]["memory"], "64Mi", "{first}");
    assert!(
        first["metadata"]["annotations"]["kubernetes.io/limit-ranger"]
            .as_str()
            .unwrap()
            .contains("cpu, memory request for container app")
    );

    // The second would take pods and CPU past the quota: the API server's refusal, word
    // for word, and nothing stored.
    let (status, body) = apply(&operator, &url, &pod("second")).await;
    assert_eq!(status, 207, "{body}");
    let result = &body["data"]["results"][0];
    assert_eq!(result["outcome"], "failed");
    assert!(
        result["message"].as_str().unwrap().contains(
            "pods \"second\" is forbidden: exceeded quota: small, requested: pods=1,requests.cpu=600m, used: pods=1,requests.cpu=600m, limited: pods=1,requests.cpu=1"
        ),
        "{body}"
    );
    let res = reqwest::get(format!(
        "{}/api/v1/namespaces/quota-test/pods/second",
        srv.demo().url()
    ))
    .await
    .unwrap();
    assert_eq!(res.status().as_u16(), 404);

    // The quota's status, and Bosun's usage bar from it.
    let viewer = srv.as_role(bosun_model::Role::Viewer).await;
    let detail = eventually(30, "the quota's usage", || async {
        let (_, d) = get(
            &viewer,
            &srv.url("/api/v1/clusters/demo/namespaces/quota-test/resourcequotas/small"),
        )
        .await;
        let rows = cells_of(&d["data"], "Usage");
        rows.iter().any(|r| r == &["pods", "1", "1"]).then_some(d)
    })
    .await;
    let usage = detail["data"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "Usage")
        .unwrap();
    let cpu = usage["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][0] == "requests.cpu")
        .unwrap();
    assert_eq!(cpu["cells"][1], "600m");
    assert!(
        (cpu["fraction"].as_f64().unwrap() - 0.6).abs() < 1e-9,
        "{cpu}"
    );

    // kubectl meets the same refusal.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kubeconfig");
    srv.demo().write_kubeconfig(&config, "demo").unwrap();
    let out = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&config)
        .args(["-n", "quota-test", "run", "third", "--image=nginx"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("exceeded quota: small"), "{stderr}");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_secret_holds_what_kubectl_create_secret_docker_registry_makes() {
    use base64::Engine;
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let operator = srv.as_role(bosun_model::Role::Operator).await;
    let url = srv.url("/api/v1/clusters/demo/namespaces/shop/registry-secrets");
    let body = json!({"name": "regcred", "server": "ghcr.io", "username": "bot", "password": "s3cret-token", "email": "bot@example.com"});
    let (status, report) = send(&operator, "POST", &url, Some(body.clone())).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["data"]["results"][0]["outcome"], "created");

    let stored = cluster_object(&srv, "/api/v1/namespaces/shop/secrets/regcred").await;
    assert_eq!(stored["type"], "kubernetes.io/dockerconfigjson");
    let decode = |v: &Value| -> Value {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap();
        serde_json::from_slice(&raw).unwrap()
    };
    let ours = decode(&stored["data"][".dockerconfigjson"]);

    // kubectl's own rendering of the same secret.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kubeconfig");
    srv.demo().write_kubeconfig(&config, "demo").unwrap();
    let out = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&config)
        .args([
            "-n",
            "shop",
            "create",
            "secret",
            "docker-registry",
            "regcred",
            "--docker-server=ghcr.io",
            "--docker-username=bot",
            "--docker-password=s3cret-token",
            "--docker-email=bot@example.com",
            "--dry-run=client",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(theirs["type"], stored["type"]);
    assert_eq!(decode(&theirs["data"][".dockerconfigjson"]), ours);

    // The value stays out of every answer and the audit log.
    let viewer = srv.as_role(bosun_model::Role::Viewer).await;
    let (_, detail) = get(
        &viewer,
        &srv.url("/api/v1/clusters/demo/namespaces/shop/secrets/regcred"),
    )
    .await;
    assert!(!detail.to_string().contains("s3cret"), "{detail}");
    let rows = audit_rows(&srv, "action=object.apply&name=regcred").await;
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| !r.to_string().contains("s3cret")));

    let (status, _) = send(&viewer, "POST", &url, Some(body.clone())).await;
    assert_eq!(status, 403);
    let mut missing = body;
    missing["password"] = json!("");
    let (status, answer) = send(&operator, "POST", &url, Some(missing)).await;
    assert_eq!(status, 400);
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("password is required")
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_secret_shows_its_certificate_and_never_its_key() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let viewer = srv.as_role(bosun_model::Role::Viewer).await;
    let (status, detail) = get(
        &viewer,
        &srv.url("/api/v1/clusters/demo/namespaces/shop/secrets/shop-tls"),
    )
    .await;
    assert_eq!(status, 200, "{detail}");
    let cert = cells_of(&detail["data"], "Certificate");
    let field = |name: &str| {
        cert.iter()
            .find(|r| r[0] == name)
            .map(|r| r[1].to_string())
            .unwrap_or_default()
    };
    assert_eq!(field("Subject"), "CN=shop.example.com, O=Bosun demo shop");
    assert_eq!(field("Names"), "shop.example.com, www.shop.example.com");
    let expires = field("Expires");
    assert!(
        expires.contains("(in 59 days)") || expires.contains("(in 60 days)"),
        "{expires}"
    );
    let text = detail.to_string();
    assert!(
        !text.contains("PRIVATE KEY") && !text.contains("BEGIN CERTIFICATE"),
        "{text}"
    );
    // The Ingress names the secret its TLS comes from.
    let (_, ingress) = get(
        &viewer,
        &srv.url("/api/v1/clusters/demo/namespaces/shop/ingresses/web"),
    )
    .await;
    assert!(ingress.to_string().contains("shop-tls"), "{ingress}");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_can_reads_what_a_subject_may_do_from_the_bindings() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let viewer = srv.as_role(bosun_model::Role::Viewer).await;
    let ask = |q: &str| srv.url(&format!("/api/v1/clusters/demo/access?{q}"));

    let (status, report) = get(&viewer, &ask("kind=User&name=ci-bot&namespace=shop")).await;
    assert_eq!(status, 200, "{report}");
    let grants = report["data"]["grants"].as_array().unwrap();
    let deployer = grants
        .iter()
        .find(|g| {
            g["title"].as_str().unwrap().starts_with(
                "RoleBinding shop/deployer → Role deployer (in namespace shop, as User ci-bot)",
            )
        })
        .unwrap_or_else(|| panic!("{report}"));
    let rule: Vec<&str> = deployer["rows"][0]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(rule[0], "apps");
    assert!(rule[1].contains("deployments/scale"), "{rule:?}");
    assert!(rule[3].contains("patch"), "{rule:?}");
    assert_eq!(report["data"]["subject"], "User ci-bot");

    // In another namespace the RoleBinding does not count.
    let (_, elsewhere) = get(&viewer, &ask("kind=User&name=ci-bot&namespace=payments")).await;
    assert!(!elsewhere.to_string().contains("deployer"), "{elsewhere}");

    for (q, words) in [
        ("kind=Robot&name=x", "User, Group or ServiceAccount"),
        ("kind=ServiceAccount&name=default", "lives in a namespace"),
        ("kind=User&name=", "needs a name"),
    ] {
        let (status, body) = get(&viewer, &ask(q)).await;
        assert_eq!(status, 400, "{q}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(words),
            "{q}: {body}"
        );
    }
    srv.stop().await;
}

/// The names on a pushed page.
fn pushed_names(page: &Value) -> Vec<&str> {
    page["data"]["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["name"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_and_node_lists_follow_the_cluster_live() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let viewer = srv.as_role(bosun_model::Role::Viewer).await;
    let api = |p: &str| srv.url(&format!("/api/v1/clusters/demo{p}"));
    let json = "application/json";

    // A namespaced kind, filtered: the page now, then again once a matching object exists.
    let (mut configmaps, now) = open_stream(
        &viewer,
        &api("/namespaces/shop/configmaps?q=live-&watch=true"),
    )
    .await;
    assert_eq!(pushed_names(&now), Vec::<&str>::new(), "{now}");
    demo_send(
        &srv,
        reqwest::Method::POST,
        "/api/v1/namespaces/shop/configmaps",
        json,
        json!({"metadata": {"name": "live-settings"}, "data": {"mode": "fast"}}),
    )
    .await;
    let pushed = next_page_where(&mut configmaps, "the new ConfigMap", |p| {
        pushed_names(p).contains(&"live-settings")
    })
    .await;
    assert_eq!(pushed["data"]["total"], 1, "{pushed}");
    drop(configmaps);

    // A cluster-scoped kind.
    let (mut classes, now) = open_stream(&viewer, &api("/storageclasses?watch=true")).await;
    assert!(!pushed_names(&now).contains(&"live-class"), "{now}");
    demo_send(
        &srv,
        reqwest::Method::POST,
        "/apis/storage.k8s.io/v1/storageclasses",
        json,
        json!({"metadata": {"name": "live-class"}, "provisioner": "example.com/disk"}),
    )
    .await;
    next_page_where(&mut classes, "the new StorageClass", |p| {
        pushed_names(p).contains(&"live-class")
    })
    .await;
    drop(classes);

    // Namespaces count their pods: a pod created in one changes its row.
    let (mut namespaces, now) =
        open_stream(&viewer, &api("/namespaces?q=live-ns&watch=true")).await;
    assert_eq!(pushed_names(&now), Vec::<&str>::new(), "{now}");
    demo_send(
        &srv,
        reqwest::Method::POST,
        "/api/v1/namespaces",
        json,
        json!({"metadata": {"name": "live-ns"}}),
    )
    .await;
    let before = next_page_where(&mut namespaces, "the new namespace", |p| {
        pushed_names(p).contains(&"live-ns")
    })
    .await;
    demo_send(
        &srv,
        reqwest::Method::POST,
        "/api/v1/namespaces/live-ns/pods",
        json,
        json!({"metadata": {"name": "solo"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}),
    )
    .await;
    // Columns: status, pods, workloads, quota.
    assert_eq!(before["data"]["items"][0]["columns"][1], "0", "{before}");
    next_page_where(&mut namespaces, "the namespace's pod count", |p| {
        p["data"]["items"][0]["columns"][1] == "1"
    })
    .await;
    drop(namespaces);

    // Nodes: a cordon made outside the console shows on the open list.
    let (mut nodes, now) = open_stream(&viewer, &api("/nodes?q=node-3&watch=true")).await;
    assert_eq!(now["data"]["items"][0]["schedulable"], true, "{now}");
    demo_send(
        &srv,
        reqwest::Method::PATCH,
        "/api/v1/nodes/node-3",
        "application/merge-patch+json",
        json!({"spec": {"unschedulable": true}}),
    )
    .await;
    next_page_where(&mut nodes, "the cordoned node", |p| {
        p["data"]["items"][0]["schedulable"] == false
    })
    .await;
    drop(nodes);

    // What cannot be followed is refused before the stream starts, with its reason.
    let (status, body) = get(
        &viewer,
        &api("/namespaces/shop/configmaps?labelSelector=a%20b&watch=true"),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = get(
        &viewer,
        &srv.url("/api/v1/clusters/nowhere/namespaces/shop/configmaps?watch=true"),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    srv.stop().await;
}
