//! Seeded built-in workloads: Deployments (one with two revisions of history, one
//! paused, one whose worker crashes every 45 s, one whose image does not exist), a
//! StatefulSet, a DaemonSet, a Job and a CronJob with two past runs, Services and PDBs.

use serde_json::json;

use super::{container, cron_history, deployment, put, service, template};
use crate::error::Result;
use crate::kinds::{res, storage_def};
use crate::store::Store;
use crate::{defaults, meta};

pub fn workloads(store: &Store) -> Result<()> {
    // shop/web: two revisions of history (nginx 1.26 then 1.27), emptyDir cache.
    let mut web = deployment("shop", "web", 3, "nginx:1.27");
    web["metadata"]["annotations"] =
        json!({ "kubernetes.io/change-cause": "upgrade nginx to 1.27" });
    web["spec"]["template"]["spec"]["volumes"] = json!([{ "name": "cache", "emptyDir": {} }]);
    web["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] =
        json!([{ "name": "cache", "mountPath": "/var/cache/nginx" }]);
    let mut old_template = web["spec"]["template"].clone();
    old_template["spec"]["containers"][0]["image"] = json!("nginx:1.26");
    let web = put(store, res::DEPLOYMENTS, web)?;
    if let Some(def) = storage_def(res::DEPLOYMENTS) {
        let mut tmp = json!({ "spec": { "template": old_template } });
        defaults::apply(def, &mut tmp);
        old_template = tmp["spec"]["template"].clone();
    }
    let hash = meta::template_hash(&old_template);
    old_template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
    put(
        store,
        res::REPLICASETS,
        json!({
            "metadata": {
                "name": format!("web-{hash}"), "namespace": "shop",
                "labels": old_template["metadata"]["labels"].clone(),
                "annotations": { "deployment.kubernetes.io/revision": "1", "kubernetes.io/change-cause": "initial release" },
                "ownerReferences": [meta::owner_ref(&web)],
            },
            "spec": {
                "replicas": 0,
                "selector": { "matchLabels": { "app": "web", "pod-template-hash": hash } },
                "template": old_template,
            },
        }),
    )?;
    put(
        store,
        res::DEPLOYMENTS,
        deployment("shop", "api", 2, "ghcr.io/bosun/shop-api:2.4.1"),
    )?;
    put(
        store,
        res::DEPLOYMENTS,
        deployment("payments", "gateway", 2, "ghcr.io/bosun/gateway:1.9.0"),
    )?;
    let mut ledger = deployment("payments", "ledger", 1, "ghcr.io/bosun/ledger:0.7.3");
    ledger["spec"]["paused"] = json!(true);
    put(store, res::DEPLOYMENTS, ledger)?;
    // shop/worker: the worker container crashes every 45 simulated seconds (restarts,
    // `lastState`, previous logs); its log shipper runs beside it.
    let mut worker = deployment("shop", "worker", 2, "ghcr.io/bosun/worker:3.1.0");
    worker["spec"]["template"]["spec"]["containers"] = json!([
        {
            "name": "worker", "image": "ghcr.io/bosun/worker:3.1.0",
            "env": [
                { "name": "DEMO_CRASH_EVERY_SECONDS", "value": "45" },
                { "name": "QUEUE", "value": "orders" },
            ],
            "resources": { "requests": { "cpu": "100m", "memory": "128Mi" } },
        },
        {
            "name": "log-shipper", "image": "fluent/fluent-bit:3.1",
            "resources": { "requests": { "cpu": "50m", "memory": "64Mi" } },
        },
    ]);
    put(store, res::DEPLOYMENTS, worker)?;
    // payments/reports: its image is never found, so it fails its 60 s progress deadline.
    let mut reports = deployment(
        "payments",
        "reports",
        1,
        "ghcr.io/bosun/reports:does-not-exist",
    );
    reports["spec"]["progressDeadlineSeconds"] = json!(60);
    put(store, res::DEPLOYMENTS, reports)?;
    let mut coredns = deployment(
        "kube-system",
        "coredns",
        2,
        "registry.k8s.io/coredns/coredns:v1.11.3",
    );
    coredns["spec"]["template"]["spec"]["tolerations"] = json!([
        { "key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule" }
    ]);
    put(store, res::DEPLOYMENTS, coredns)?;

    let mut pg = json!({
        "metadata": { "name": "postgres", "namespace": "data", "labels": { "app": "postgres" } },
        "spec": {
            "replicas": 3, "serviceName": "postgres",
            "selector": { "matchLabels": { "app": "postgres" } },
            "template": template("postgres", json!([container("postgres", "postgres:16.4", 5432)])),
        },
    });
    pg["spec"]["template"]["spec"]["containers"][0]["ports"][0]["name"] = json!("pg");
    put(store, res::STATEFULSETS, pg)?;
    put(
        store,
        res::DAEMONSETS,
        json!({
            "metadata": { "name": "node-exporter", "namespace": "kube-system", "labels": { "app": "node-exporter" } },
            "spec": {
                "selector": { "matchLabels": { "app": "node-exporter" } },
                "template": {
                    "metadata": { "labels": { "app": "node-exporter" } },
                    "spec": {
                        "containers": [container("node-exporter", "quay.io/prometheus/node-exporter:v1.8.2", 9100)],
                        "tolerations": [{ "operator": "Exists" }],
                    },
                },
            },
        }),
    )?;
    let job_template = json!({ "spec": {
        "containers": [{ "name": "migrate", "image": "ghcr.io/bosun/migrate:1.2.0", "command": ["migrate", "up"] }],
        "restartPolicy": "Never",
    } });
    put(
        store,
        res::JOBS,
        json!({ "metadata": { "name": "db-migrate", "namespace": "data" }, "spec": { "template": job_template } }),
    )?;
    let backup = put(
        store,
        res::CRONJOBS,
        json!({
            "metadata": { "name": "nightly-backup", "namespace": "data" },
            "spec": { "schedule": "*/30 * * * *", "jobTemplate": { "spec": { "template": { "spec": {
                "containers": [{ "name": "backup", "image": "ghcr.io/bosun/pg-backup:1.0.0" }],
                "restartPolicy": "OnFailure",
            } } } } },
        }),
    )?;
    cron_history::past_runs(store, &backup)?;
    for (ns, name, port, headless) in [
        ("shop", "web", 80, false),
        ("shop", "api", 8080, false),
        ("payments", "gateway", 443, false),
        ("data", "postgres", 5432, true),
        ("shop", "cart", 8080, false),
    ] {
        put(store, ("", "services"), service(ns, name, port, headless))?;
    }
    put(
        store,
        ("", "services"),
        json!({
            "metadata": { "name": "kubernetes", "namespace": "default" },
            "spec": { "clusterIP": "10.96.0.1", "ports": [{ "name": "https", "port": 443, "targetPort": 6443 }] },
        }),
    )?;
    put(
        store,
        res::PDBS,
        json!({
            "metadata": { "name": "postgres-pdb", "namespace": "data" },
            "spec": { "minAvailable": 2, "selector": { "matchLabels": { "app": "postgres" } } },
        }),
    )?;
    put(
        store,
        res::PDBS,
        json!({
            "metadata": { "name": "web-pdb", "namespace": "shop" },
            "spec": { "maxUnavailable": 1, "selector": { "matchLabels": { "app": "web" } } },
        }),
    )?;
    Ok(())
}
