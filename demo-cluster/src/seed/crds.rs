//! CustomResourceDefinitions for every custom kind the demo serves (as installing
//! OpenKruise, KubeVirt or cert-manager leaves them), and a few cert-manager objects: a
//! family Bosun's kind table does not know, so the console's generic custom-resource
//! pages have something real to read.

use serde_json::{Value, json};

use super::put;
use crate::error::Result;
use crate::kinds::{CERT_MANAGER, KINDS, KindDef, Res};
use crate::store::Store;

const CRDS: Res = ("apiextensions.k8s.io", "customresourcedefinitions");

/// `additionalPrinterColumns` the installed CRDs declare, where they declare some.
fn printer_columns(d: &KindDef) -> Value {
    match (d.group, d.plural) {
        (CERT_MANAGER, "certificates") => json!([
            { "name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status" },
            { "name": "Secret", "type": "string", "jsonPath": ".spec.secretName" },
            { "name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp" },
        ]),
        (CERT_MANAGER, _) => json!([
            { "name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status" },
            { "name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp" },
        ]),
        _ => json!([]),
    }
}

/// The CRD of one custom resource, with every version the table serves it at (the
/// first is stored).
fn definition(defs: &[&KindDef]) -> Value {
    let first = defs[0];
    let versions: Vec<Value> = defs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut subresources = json!({});
            if d.subresources.contains(&"status") {
                subresources["status"] = json!({});
            }
            if d.subresources.contains(&"scale") {
                subresources["scale"] = json!({
                    "specReplicasPath": ".spec.replicas",
                    "statusReplicasPath": ".status.replicas",
                    "labelSelectorPath": ".status.labelSelector",
                });
            }
            json!({
                "name": d.version,
                "served": true,
                "storage": i == 0,
                "schema": { "openAPIV3Schema": { "type": "object", "x-kubernetes-preserve-unknown-fields": true } },
                "subresources": subresources,
                "additionalPrinterColumns": printer_columns(d),
            })
        })
        .collect();
    let names = json!({
        "kind": first.kind,
        "listKind": format!("{}List", first.kind),
        "plural": first.plural,
        "singular": first.singular,
        "shortNames": first.short_names,
        "categories": first.categories,
    });
    let now = crate::clock::now_rfc3339();
    let condition = |ty: &str, reason: &str| json!({ "type": ty, "status": "True", "reason": reason, "message": "", "lastTransitionTime": now });
    json!({
        "metadata": { "name": format!("{}.{}", first.plural, first.group) },
        "spec": {
            "group": first.group,
            "names": names,
            "scope": if first.namespaced { "Namespaced" } else { "Cluster" },
            "versions": versions,
        },
        "status": {
            "acceptedNames": names,
            "storedVersions": [first.version],
            "conditions": [condition("NamesAccepted", "NoConflicts"), condition("Established", "InitialNamesAccepted")],
        },
    })
}

/// One CRD per custom resource of the kind table, and the cert-manager objects.
pub fn crds(store: &Store) -> Result<()> {
    let mut done: Vec<Res> = Vec::new();
    for d in KINDS.iter().filter(|d| d.custom) {
        if done.contains(&d.res()) {
            continue;
        }
        done.push(d.res());
        let versions: Vec<&KindDef> = KINDS.iter().filter(|v| v.res() == d.res()).collect();
        put(store, CRDS, definition(&versions))?;
    }
    cert_manager(store)
}

fn ready(status: &str, reason: &str, message: &str) -> Value {
    json!({ "conditions": [{
        "type": "Ready", "status": status, "reason": reason, "message": message,
        "lastTransitionTime": crate::clock::now_rfc3339(),
    }] })
}

fn cert_manager(store: &Store) -> Result<()> {
    put(
        store,
        (CERT_MANAGER, "clusterissuers"),
        json!({
            "metadata": { "name": "letsencrypt" },
            "spec": { "acme": {
                "server": "https://acme-v02.api.letsencrypt.org/directory",
                "email": "ops@shop.example.com",
                "privateKeySecretRef": { "name": "letsencrypt-account" },
                "solvers": [{ "http01": { "ingress": { "ingressClassName": "nginx" } } }],
            } },
            "status": ready("True", "ACMEAccountRegistered", "The ACME account was registered with the ACME server"),
        }),
    )?;
    put(
        store,
        (CERT_MANAGER, "issuers"),
        json!({
            "metadata": { "name": "internal-ca", "namespace": "payments" },
            "spec": { "ca": { "secretName": "internal-ca" } },
            "status": ready("False", "ErrGetKeyPair", "Error getting keypair for CA issuer: secrets \"internal-ca\" not found"),
        }),
    )?;
    put(
        store,
        (CERT_MANAGER, "certificates"),
        json!({
            "metadata": { "name": "shop-tls", "namespace": "shop", "labels": { "app": "web" } },
            "spec": {
                "secretName": "shop-tls",
                "dnsNames": ["shop.example.com", "www.shop.example.com"],
                "issuerRef": { "name": "letsencrypt", "kind": "ClusterIssuer", "group": CERT_MANAGER },
                "renewBefore": "360h",
            },
            "status": ready("True", "Ready", "Certificate is up to date and has not expired"),
        }),
    )?;
    put(
        store,
        (CERT_MANAGER, "certificates"),
        json!({
            "metadata": { "name": "payments-api", "namespace": "payments", "labels": { "app": "api" } },
            "spec": {
                "secretName": "payments-api-tls",
                "dnsNames": ["api.payments.internal"],
                "issuerRef": { "name": "internal-ca", "kind": "Issuer" },
            },
            "status": ready("False", "DoesNotExist", "Issuing certificate as Secret does not exist"),
        }),
    )?;
    Ok(())
}
