//! Seeded configuration, storage, networking, RBAC and events.

use base64::Engine;
use serde_json::json;

use super::put;
use crate::error::Result;
use crate::kinds::res;
use crate::store::Store;

const RBAC: &str = "rbac.authorization.k8s.io";

pub fn config(store: &Store) -> Result<()> {
    let now = crate::clock::now_rfc3339();
    put(
        store,
        ("", "configmaps"),
        json!({
            "metadata": { "name": "web-config", "namespace": "shop" },
            "data": { "nginx.conf": "server { listen 80; }", "LOG_LEVEL": "info" },
        }),
    )?;
    put(
        store,
        ("", "configmaps"),
        json!({
            "metadata": { "name": "coredns", "namespace": "kube-system" },
            "data": { "Corefile": ".:53 { forward . /etc/resolv.conf }" },
        }),
    )?;
    put(
        store,
        ("", "secrets"),
        json!({
            "metadata": { "name": "api-credentials", "namespace": "shop" }, "data": { "token": "ZGVtby10b2tlbg==" },
        }),
    )?;
    put(
        store,
        ("", "secrets"),
        json!({
            "metadata": { "name": "stripe-key", "namespace": "payments" }, "data": { "key": "c2tfdGVzdF9kZW1v" },
        }),
    )?;
    // The shop's certificate, generated per start (no key ships with the source).
    let (cert, key) =
        crate::tls::site_certificate(&["shop.example.com", "www.shop.example.com"], 60)?;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    put(
        store,
        ("", "secrets"),
        json!({
            "metadata": { "name": "shop-tls", "namespace": "shop" },
            "type": "kubernetes.io/tls",
            "data": { "tls.crt": b64(&cert), "tls.key": b64(&key) },
        }),
    )?;
    put(
        store,
        ("storage.k8s.io", "storageclasses"),
        json!({
            "metadata": { "name": "standard", "annotations": { "storageclass.kubernetes.io/is-default-class": "true" } },
            "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer",
        }),
    )?;
    for i in 0..3 {
        put(
            store,
            ("", "persistentvolumes"),
            json!({
                "metadata": { "name": format!("pv-postgres-{i}") },
                "spec": {
                    "capacity": { "storage": "10Gi" }, "accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                    "persistentVolumeReclaimPolicy": "Delete",
                    "claimRef": { "namespace": "data", "name": format!("data-postgres-{i}") },
                    "hostPath": { "path": format!("/var/lib/pv/postgres-{i}") },
                },
                "status": { "phase": "Bound" },
            }),
        )?;
        put(
            store,
            ("", "persistentvolumeclaims"),
            json!({
                "metadata": { "name": format!("data-postgres-{i}"), "namespace": "data", "labels": { "app": "postgres" } },
                "spec": {
                    "accessModes": ["ReadWriteOnce"], "resources": { "requests": { "storage": "10Gi" } },
                    "storageClassName": "standard", "volumeName": format!("pv-postgres-{i}"),
                },
                "status": { "phase": "Bound", "capacity": { "storage": "10Gi" }, "accessModes": ["ReadWriteOnce"] },
            }),
        )?;
    }
    put(
        store,
        ("networking.k8s.io", "ingresses"),
        json!({
            "metadata": { "name": "web", "namespace": "shop" },
            "spec": { "ingressClassName": "nginx",
                "tls": [{ "hosts": ["shop.example.com", "www.shop.example.com"], "secretName": "shop-tls" }],
                "rules": [{ "host": "shop.example.com", "http": { "paths": [
                { "path": "/", "pathType": "Prefix", "backend": { "service": { "name": "web", "port": { "number": 80 } } } },
            ] } }] },
        }),
    )?;
    put(
        store,
        ("networking.k8s.io", "networkpolicies"),
        json!({
            "metadata": { "name": "deny-external", "namespace": "payments" },
            "spec": { "podSelector": {}, "policyTypes": ["Ingress"] },
        }),
    )?;
    put(
        store,
        (RBAC, "clusterroles"),
        json!({
            "metadata": { "name": "bosun-viewer" },
            "rules": [{ "apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"] }],
        }),
    )?;
    put(
        store,
        (RBAC, "clusterrolebindings"),
        json!({
            "metadata": { "name": "bosun-viewer" },
            "roleRef": { "apiGroup": RBAC, "kind": "ClusterRole", "name": "bosun-viewer" },
            "subjects": [{ "kind": "Group", "name": "viewers", "apiGroup": RBAC }],
        }),
    )?;
    // Every authenticated user may ask what it may do (`kubectl auth can-i`), as the
    // bootstrap policy of a real cluster allows.
    let bootstrap = json!({ "kubernetes.io/bootstrapping": "rbac-defaults" });
    put(
        store,
        res::CLUSTER_ROLES,
        json!({
            "metadata": { "name": "system:basic-user", "labels": bootstrap },
            "rules": [
                { "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], "verbs": ["create"] },
                { "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"], "verbs": ["create"] },
            ],
        }),
    )?;
    put(
        store,
        res::CLUSTER_ROLE_BINDINGS,
        json!({
            "metadata": { "name": "system:basic-user", "labels": bootstrap },
            "roleRef": { "apiGroup": RBAC, "kind": "ClusterRole", "name": "system:basic-user" },
            "subjects": [{ "kind": "Group", "name": "system:authenticated", "apiGroup": RBAC }],
        }),
    )?;
    put(
        store,
        (RBAC, "roles"),
        json!({
            "metadata": { "name": "deployer", "namespace": "shop" },
            "rules": [{ "apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": ["get", "list", "patch", "update"] }],
        }),
    )?;
    put(
        store,
        (RBAC, "rolebindings"),
        json!({
            "metadata": { "name": "deployer", "namespace": "shop" },
            "roleRef": { "apiGroup": RBAC, "kind": "Role", "name": "deployer" },
            "subjects": [{ "kind": "User", "name": "ci-bot", "apiGroup": RBAC }],
        }),
    )?;
    put(
        store,
        ("", "resourcequotas"),
        json!({
            "metadata": { "name": "compute", "namespace": "shop" },
            "spec": { "hard": { "requests.cpu": "8", "requests.memory": "16Gi", "pods": "50" } },
        }),
    )?;
    put(
        store,
        ("", "limitranges"),
        json!({
            "metadata": { "name": "defaults", "namespace": "shop" },
            "spec": { "limits": [{ "type": "Container", "default": { "cpu": "500m", "memory": "256Mi" } }] },
        }),
    )?;
    let events = [
        (
            "Deployment",
            "web",
            "ScalingReplicaSet",
            "Scaled up replica set web to 3",
            "Normal",
        ),
        (
            "Pod",
            "api",
            "BackOff",
            "Back-off pulling image \"ghcr.io/bosun/shop-api:2.4.0\"",
            "Warning",
        ),
        (
            "Rollout",
            "cart-rollout",
            "Progressing",
            "upgrade cloneset cart to revision 1.5.0 (step 1 of 3)",
            "Normal",
        ),
        (
            "Certificate",
            "shop-tls",
            "Issuing",
            "The certificate has been successfully issued",
            "Normal",
        ),
    ];
    for (i, (kind, name, reason, msg, ty)) in events.into_iter().enumerate() {
        put(
            store,
            res::EVENTS,
            json!({
                "metadata": { "name": format!("{name}.{:x}", 0x17a0_0000 + i), "namespace": "shop" },
                "involvedObject": { "kind": kind, "name": name, "namespace": "shop" },
                "reason": reason, "message": msg, "type": ty, "count": 1,
                "firstTimestamp": now, "lastTimestamp": now, "source": { "component": "bosun-demo" },
            }),
        )?;
    }
    Ok(())
}
