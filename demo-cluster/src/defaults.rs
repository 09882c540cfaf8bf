//! Defaulting applied on every write, so templates compare equal the way the real API
//! server's defaulted objects do (rollback relies on that).

use serde_json::{Value, json};

use crate::kinds::KindDef;
use crate::meta;

fn default(v: &mut Value, path: &[&str], val: Value) {
    if meta::get(v, path).is_none_or(Value::is_null) {
        meta::set(v, path, val);
    }
}

/// Pod spec defaults (also inside templates).
pub fn pod_spec(spec: &mut Value) {
    default(spec, &["restartPolicy"], json!("Always"));
    default(spec, &["terminationGracePeriodSeconds"], json!(30));
    default(spec, &["dnsPolicy"], json!("ClusterFirst"));
    default(spec, &["schedulerName"], json!("default-scheduler"));
    default(spec, &["securityContext"], json!({}));
    for list in ["containers", "initContainers"] {
        if let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs {
                default(
                    c,
                    &["terminationMessagePath"],
                    json!("/dev/termination-log"),
                );
                default(c, &["terminationMessagePolicy"], json!("File"));
                let latest = c["image"]
                    .as_str()
                    .is_some_and(|i| !i.contains(':') || i.ends_with(":latest"));
                default(
                    c,
                    &["imagePullPolicy"],
                    json!(if latest { "Always" } else { "IfNotPresent" }),
                );
                default(c, &["resources"], json!({}));
                if let Some(ps) = c.get_mut("ports").and_then(Value::as_array_mut) {
                    for p in ps {
                        default(p, &["protocol"], json!("TCP"));
                    }
                }
            }
        }
    }
}

fn template(obj: &mut Value) {
    if let Some(spec) = obj.pointer_mut("/spec/template/spec") {
        pod_spec(spec);
    }
    if obj.pointer("/spec/template").is_some() {
        default(obj, &["spec", "template", "metadata"], json!({}));
    }
}

/// Drops every key named `$patch` from a custom resource. The real server prunes fields a
/// CRD's structural schema does not declare, and no schema declares `$patch`; clients that
/// send strategic-merge directives in a merge patch (kubectl-kruise's rollback sends a
/// ControllerRevision's `"$patch": "replace"` template) must not leave them stored.
pub fn prune_patch_directives(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("$patch");
            m.values_mut().for_each(prune_patch_directives);
        }
        Value::Array(a) => a.iter_mut().for_each(prune_patch_directives),
        _ => {}
    }
}

/// Applies kind defaults in place.
pub fn apply(def: &KindDef, obj: &mut Value) {
    if let Some(spec) = obj.get_mut("spec") {
        meta::strip_nulls(spec);
    }
    if let Some(md) = obj.get_mut("metadata") {
        meta::strip_nulls(md);
    }
    match (def.group, def.plural) {
        ("", "pods") => {
            if let Some(spec) = obj.get_mut("spec") {
                pod_spec(spec);
            }
            default(obj, &["status", "phase"], json!("Pending"));
        }
        ("", "namespaces") => {
            default(obj, &["spec", "finalizers"], json!(["kubernetes"]));
            default(obj, &["status", "phase"], json!("Active"));
            let name = meta::name(obj).to_string();
            default(
                obj,
                &["metadata", "labels", "kubernetes.io/metadata.name"],
                json!(name),
            );
        }
        ("", "services") => {
            default(obj, &["spec", "type"], json!("ClusterIP"));
            default(obj, &["spec", "sessionAffinity"], json!("None"));
            let h = meta::fnv(format!("{}/{}", meta::namespace(obj), meta::name(obj)).as_bytes());
            default(
                obj,
                &["spec", "clusterIP"],
                json!(format!("10.96.{}.{}", (h >> 8) % 250, h % 250 + 2)),
            );
            if let Some(ps) = obj.pointer_mut("/spec/ports").and_then(Value::as_array_mut) {
                for p in ps {
                    default(p, &["protocol"], json!("TCP"));
                    let port = p["port"].clone();
                    default(p, &["targetPort"], port);
                }
            }
        }
        ("", "secrets") => default(obj, &["type"], json!("Opaque")),
        ("apps", "deployments") => {
            default(obj, &["spec", "replicas"], json!(1));
            default(obj, &["spec", "revisionHistoryLimit"], json!(10));
            default(obj, &["spec", "progressDeadlineSeconds"], json!(600));
            default(obj, &["spec", "strategy", "type"], json!("RollingUpdate"));
            if meta::s(obj, &["spec", "strategy", "type"]) == "RollingUpdate" {
                default(
                    obj,
                    &["spec", "strategy", "rollingUpdate", "maxSurge"],
                    json!("25%"),
                );
                default(
                    obj,
                    &["spec", "strategy", "rollingUpdate", "maxUnavailable"],
                    json!("25%"),
                );
            }
            template(obj);
        }
        ("apps", "replicasets") => {
            default(obj, &["spec", "replicas"], json!(1));
            template(obj);
        }
        ("apps", "statefulsets") | ("apps.kruise.io", "statefulsets") => {
            default(obj, &["spec", "replicas"], json!(1));
            default(obj, &["spec", "revisionHistoryLimit"], json!(10));
            default(obj, &["spec", "podManagementPolicy"], json!("OrderedReady"));
            default(
                obj,
                &["spec", "updateStrategy", "type"],
                json!("RollingUpdate"),
            );
            if meta::s(obj, &["spec", "updateStrategy", "type"]) == "RollingUpdate" {
                default(
                    obj,
                    &["spec", "updateStrategy", "rollingUpdate", "partition"],
                    json!(0),
                );
            }
            template(obj);
        }
        ("apps", "daemonsets") | ("apps.kruise.io", "daemonsets") => {
            default(obj, &["spec", "revisionHistoryLimit"], json!(10));
            default(
                obj,
                &["spec", "updateStrategy", "type"],
                json!("RollingUpdate"),
            );
            if meta::s(obj, &["spec", "updateStrategy", "type"]) == "RollingUpdate" {
                default(
                    obj,
                    &["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"],
                    json!(1),
                );
                default(
                    obj,
                    &["spec", "updateStrategy", "rollingUpdate", "maxSurge"],
                    json!(0),
                );
            }
            template(obj);
        }
        ("apps.kruise.io", "clonesets") => {
            default(obj, &["spec", "replicas"], json!(1));
            default(obj, &["spec", "revisionHistoryLimit"], json!(10));
            template(obj);
        }
        ("batch", "jobs") => {
            default(obj, &["spec", "completions"], json!(1));
            default(obj, &["spec", "parallelism"], json!(1));
            default(obj, &["spec", "backoffLimit"], json!(6));
            let name = meta::name(obj).to_string();
            default(
                obj,
                &["spec", "template", "metadata", "labels", "job-name"],
                json!(name),
            );
            default(
                obj,
                &["spec", "selector"],
                json!({ "matchLabels": { "job-name": name } }),
            );
            if let Some(spec) = obj.pointer_mut("/spec/template/spec") {
                default(spec, &["restartPolicy"], json!("Never"));
            }
            template(obj);
        }
        ("batch", "cronjobs") => {
            default(obj, &["spec", "suspend"], json!(false));
            default(obj, &["spec", "concurrencyPolicy"], json!("Allow"));
            default(obj, &["spec", "successfulJobsHistoryLimit"], json!(3));
            default(obj, &["spec", "failedJobsHistoryLimit"], json!(1));
        }
        _ => {}
    }
}
