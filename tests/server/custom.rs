//! Custom resources read generically: the kinds discovery finds that Bosun's table does
//! not know (cert-manager's, in the demo cluster), a page of one with the columns the API
//! server prints for it, paging by the API server's continue token, one object.

use bosun_model::Role;
use serde_json::{Value, json};

use crate::common::{TestServer, client, get};

fn names(page: &Value) -> Vec<String> {
    page["data"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}/{}",
                r["namespace"].as_str().unwrap(),
                r["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kinds_the_table_does_not_know_are_listed_paged_and_read_from_discovery() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let viewer = srv.as_role(Role::Viewer).await;
    let api = |p: &str| srv.url(&format!("/api/v1/clusters/demo{p}"));

    let (status, kinds) = get(&viewer, &api("/api-kinds")).await;
    assert_eq!(status, 200, "{kinds}");
    let listed: Vec<(String, bool)> = kinds["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                format!(
                    "{}.{}",
                    k["plural"].as_str().unwrap(),
                    k["group"].as_str().unwrap()
                ),
                k["namespaced"].as_bool().unwrap(),
            )
        })
        .collect();
    for expected in [
        ("certificates.cert-manager.io", true),
        ("clusterissuers.cert-manager.io", false),
        ("customresourcedefinitions.apiextensions.k8s.io", false),
    ] {
        assert!(
            listed.contains(&(expected.0.to_string(), expected.1)),
            "{listed:?}"
        );
    }
    // Kinds with pages of their own are not repeated.
    assert!(
        !listed
            .iter()
            .any(|(n, _)| n.starts_with("deployments.") || n.starts_with("clonesets."))
    );

    let certs = "/custom/cert-manager.io/v1/certificates";
    let (status, page) = get(&viewer, &api(certs)).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["data"]["columns"],
        serde_json::json!(["Ready", "Secret", "Age"]),
        "the CRD's printer columns, as kubectl prints them"
    );
    assert_eq!(names(&page), vec!["payments/payments-api", "shop/shop-tls"]);
    let shop_tls = page["data"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "shop-tls")
        .unwrap();
    assert_eq!(shop_tls["cells"][0], "True");
    assert_eq!(shop_tls["cells"][1], "shop-tls");

    let (_, page) = get(&viewer, &api(&format!("{certs}?namespace=shop"))).await;
    assert_eq!(names(&page), vec!["shop/shop-tls"]);
    let (_, page) = get(&viewer, &api(&format!("{certs}?labelSelector=app%3Dapi"))).await;
    assert_eq!(names(&page), vec!["payments/payments-api"]);
    let (status, body) = get(&viewer, &api(&format!("{certs}?labelSelector=a%20b%3Dc"))).await;
    assert_eq!(status, 400, "{body}");

    // Paged by the API server: one row, a token, then the other.
    let (_, first) = get(&viewer, &api(&format!("{certs}?limit=1"))).await;
    assert_eq!(names(&first).len(), 1);
    let token = first["data"]["continue_token"]
        .as_str()
        .expect("a next page");
    let (_, second) = get(&viewer, &api(&format!("{certs}?limit=1&continue={token}"))).await;
    assert_eq!(names(&second).len(), 1);
    assert_ne!(names(&first), names(&second));
    assert!(second["data"]["continue_token"].is_null(), "{second}");

    // One object: conditions, its events (and no other object's) and YAML, without
    // managedFields.
    let (status, cert) = get(&viewer, &api(&format!("{certs}/shop/shop-tls"))).await;
    assert_eq!(status, 200, "{cert}");
    let cert = &cert["data"];
    assert_eq!(cert["conditions"][0]["type"], "Ready");
    assert_eq!(cert["conditions"][0]["status"], "True");
    let events = cert["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{cert}");
    assert_eq!(events[0]["reason"], "Issuing");
    assert_eq!(events[0]["object"], "Certificate/shop-tls");
    assert!(cert["events_unreadable"].is_null(), "{cert}");
    let (_, other) = get(&viewer, &api(&format!("{certs}/payments/payments-api"))).await;
    assert_eq!(other["data"]["events"], json!([]), "{other}");
    let yaml = cert["yaml"].as_str().unwrap();
    assert!(yaml.contains("secretName: shop-tls"), "{yaml}");
    assert!(!yaml.contains("managedFields"), "{yaml}");
    // A cluster-scoped kind: `_` for no namespace.
    let (status, issuer) = get(
        &viewer,
        &api("/custom/cert-manager.io/v1/clusterissuers/_/letsencrypt"),
    )
    .await;
    assert_eq!(status, 200, "{issuer}");
    assert_eq!(issuer["data"]["namespace"], "");

    // Wrong names are said so.
    for (path, want) in [
        ("/custom/cert-manager.io/v1/widgets", 404),
        ("/custom/cert-manager.io/v1/certificates/shop/no-such", 404),
        ("/custom/Cert_Manager/v1/certificates", 400),
        ("/custom/apps/v1/deployments", 404),
    ] {
        let (status, body) = get(&viewer, &api(path)).await;
        assert_eq!(status, want, "{path}: {body}");
        assert!(body["message"].as_str().is_some(), "{body}");
    }
    let (status, _) = get(&viewer, &srv.url("/api/v1/clusters/nowhere/api-kinds")).await;
    assert_eq!(status, 404);
    let (status, _) = get(&client(), &api("/api-kinds")).await;
    assert_eq!(status, 401);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_resources_answer_at_the_kind_paths_by_their_plural() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let viewer = srv.as_role(Role::Viewer).await;
    let api = |p: &str| srv.url(&format!("/api/v1/clusters/demo{p}"));

    // Namespaced, by plural or by plural and group (as kubectl names resources).
    let (status, shop) = get(&viewer, &api("/namespaces/shop/certificates")).await;
    assert_eq!(status, 200, "{shop}");
    assert_eq!(names(&shop), vec!["shop/shop-tls"]);
    assert_eq!(shop["data"]["columns"], json!(["Ready", "Secret", "Age"]));
    let (_, all) = get(
        &viewer,
        &api("/namespaces/_all/certificates.cert-manager.io?labelSelector=app%3Dapi"),
    )
    .await;
    assert_eq!(names(&all), vec!["payments/payments-api"]);
    let (status, cert) = get(&viewer, &api("/namespaces/shop/certificates/shop-tls")).await;
    assert_eq!(status, 200, "{cert}");
    assert_eq!(cert["data"]["name"], "shop-tls");
    assert_eq!(cert["data"]["events"][0]["reason"], "Issuing");

    // Cluster-scoped, under the cluster.
    let (status, issuers) = get(&viewer, &api("/clusterissuers")).await;
    assert_eq!(status, 200, "{issuers}");
    assert_eq!(names(&issuers), vec!["/letsencrypt"]);
    let (status, issuer) = get(&viewer, &api("/clusterissuers/letsencrypt")).await;
    assert_eq!(status, 200, "{issuer}");
    assert_eq!(issuer["data"]["namespace"], "");

    // Bosun's own kinds keep their rows; what is neither is named as such.
    let (status, services) = get(&viewer, &api("/namespaces/shop/services")).await;
    assert_eq!(status, 200);
    assert!(services["data"]["items"].is_array(), "{services}");
    for (path, want, says) in [
        ("/namespaces/shop/widgets", 404, "api-kinds"),
        ("/widgets/one", 404, "neither one of Bosun's kinds"),
        ("/namespaces/shop/certificates?watch=true", 400, "not watch"),
        ("/namespaces/shop/certificates?sort=name", 400, "not sort"),
        ("/namespaces/shop/certificates/no-such", 404, "no-such"),
        ("/certificates/shop-tls", 404, "are namespaced"),
        (
            "/namespaces/shop/deployments.apps",
            400,
            "name it \"deployments\"",
        ),
        ("/nodes.metrics.k8s.io/node-9", 404, "node-9"),
        ("/namespaces/shop/clusterissuers", 404, "are cluster-scoped"),
        (
            "/namespaces/_all/certificates/shop-tls",
            404,
            "instead of _all",
        ),
    ] {
        let (status, body) = get(&viewer, &api(path)).await;
        assert_eq!(status, want, "{path}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(says), "{path}: {message}");
    }
    let (status, body) = get(
        &viewer,
        &srv.url("/api/v1/clusters/_all/namespaces/shop/certificates"),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = get(&client(), &api("/namespaces/shop/certificates")).await;
    assert_eq!(status, 401);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_unavailable_api_group_does_not_hide_the_others() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let viewer = srv.as_role(Role::Viewer).await;
    // A metrics server that is down: its group answers 503, discovery of it too.
    srv.demo().set_group_unavailable("metrics.k8s.io", true);
    let (status, kinds) = get(&viewer, &srv.url("/api/v1/clusters/demo/api-kinds")).await;
    assert_eq!(status, 200, "{kinds}");
    let groups: Vec<&str> = kinds["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["group"].as_str().unwrap())
        .collect();
    assert!(groups.contains(&"cert-manager.io"), "{kinds}");
    assert!(!groups.contains(&"metrics.k8s.io"), "{kinds}");
    srv.demo().set_group_unavailable("metrics.k8s.io", false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_resources_are_applied_from_yaml_as_the_cluster_serves_them() {
    let srv = TestServer::with_demo().await;
    srv.wait_for_caches("demo").await;
    let operator = srv.as_role(Role::Operator).await;
    let url = srv.url("/api/v1/clusters/demo/apply");
    let apply = |yaml: String| {
        let operator = operator.clone();
        let url = url.clone();
        async move {
            let res = operator
                .post(&url)
                .header("content-type", "application/yaml")
                .body(yaml)
                .send()
                .await
                .unwrap();
            crate::common::json_of(res).await
        }
    };
    let certificate = |dns: &str| {
        format!(
            "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: admin-tls\n  namespace: shop\nspec:\n  secretName: admin-tls\n  dnsNames: [\"{dns}\"]\n  issuerRef:\n    name: letsencrypt\n    kind: ClusterIssuer\n"
        )
    };

    // Created, found by the cluster's discovery; then unchanged; then configured, with the diff.
    let (status, report) = apply(certificate("admin.shop.example.com")).await;
    assert_eq!(status, 200, "{report}");
    let result = &report["data"]["results"][0];
    assert_eq!(result["outcome"], "created", "{report}");
    assert_eq!(result["kind"], "Certificate");
    assert_eq!(result["message"], "certificate/admin-tls created");
    let live = crate::common::cluster_object(
        &srv,
        "/apis/cert-manager.io/v1/namespaces/shop/certificates/admin-tls",
    )
    .await;
    assert_eq!(live["spec"]["dnsNames"], json!(["admin.shop.example.com"]));
    let (_, report) = apply(certificate("admin.shop.example.com")).await;
    assert_eq!(
        report["data"]["results"][0]["outcome"], "unchanged",
        "{report}"
    );
    let (_, report) = apply(certificate("console.shop.example.com")).await;
    let result = &report["data"]["results"][0];
    assert_eq!(result["outcome"], "configured", "{report}");
    assert!(
        result["diff"]
            .to_string()
            .contains("console.shop.example.com"),
        "{result}"
    );
    // The console's own reader of the object sees the change.
    let viewer = srv.as_role(Role::Viewer).await;
    let (status, read) = get(
        &viewer,
        &srv.url("/api/v1/clusters/demo/namespaces/shop/certificates/admin-tls"),
    )
    .await;
    assert_eq!(status, 200, "{read}");
    assert!(
        read.to_string().contains("console.shop.example.com"),
        "{read}"
    );

    // A cluster-scoped kind drops the namespace a document gives it.
    let issuer = "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: selfsigned\n  namespace: shop\nspec:\n  selfSigned: {}\n";
    let (_, report) = apply(issuer.to_string()).await;
    let result = &report["data"]["results"][0];
    assert_eq!(result["outcome"], "created", "{report}");
    assert_eq!(result["namespace"], "");
    crate::common::cluster_object(&srv, "/apis/cert-manager.io/v1/clusterissuers/selfsigned").await;

    // A version the cluster does not serve, and a kind it does not serve, are named and
    // nothing of their YAML is sent.
    srv.take_demo_writes();
    let (_, report) = apply(
        certificate("x.example.com").replace("cert-manager.io/v1", "cert-manager.io/v1alpha2"),
    )
    .await;
    let message = report["data"]["results"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("apiVersion cert-manager.io/v1 "),
        "{message}"
    );
    let (_, report) = apply(format!(
        "{}---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
        certificate("y.example.com")
    ))
    .await;
    let results = report["data"]["results"].as_array().unwrap();
    assert_eq!(results[0]["outcome"], "skipped", "{report}");
    let message = results[1]["message"].as_str().unwrap();
    assert!(
        message.contains("Widget") && message.contains("not served by cluster demo"),
        "{message}"
    );
    assert!(srv.take_demo_writes().is_empty());

    // Viewers may not; every apply is audited under the resource's plural.
    let (status, _) = {
        let res = viewer
            .post(&url)
            .header("content-type", "application/yaml")
            .body(certificate("z.example.com"))
            .send()
            .await
            .unwrap();
        crate::common::json_of(res).await
    };
    assert_eq!(status, 403);
    let rows = crate::common::audit_rows(&srv, "action=object.apply&kind=certificates").await;
    let outcomes: Vec<&str> = rows
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["denied", "succeeded", "succeeded", "succeeded"],
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .all(|r| r["name"] == "admin-tls" && r["namespace"] == "shop")
    );
    srv.stop().await;
}
