//! Which pods a drain evicts, which it leaves alone and which stop it, decided as
//! `kubectl drain` decides (its pod filters, `../shared/REFERENCE.md`), from the pods
//! bound to the node as the API server lists them.

use bosun_model::{DrainOptions, ItemState, OperationItem};
use serde_json::Value;

/// Why a pod stops the drain, grouped as kubectl groups its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Refusal {
    DaemonSet,
    LocalStorage,
    NoController,
}

impl Refusal {
    fn reason(self) -> &'static str {
        match self {
            Refusal::DaemonSet => {
                "cannot delete DaemonSet-managed Pods (use ignoreDaemonSets to ignore)"
            }
            Refusal::LocalStorage => {
                "cannot delete Pods with local storage (use deleteEmptyDirData to override)"
            }
            Refusal::NoController => {
                "cannot delete Pods that declare no controller (use force to override)"
            }
        }
    }
}

fn text<'a>(pod: &'a Value, pointer: &str) -> &'a str {
    pod.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn controller_kind(pod: &Value) -> Option<&str> {
    pod.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .and_then(|r| r.get("kind"))
        .and_then(Value::as_str)
}

fn finished(pod: &Value) -> bool {
    matches!(text(pod, "/status/phase"), "Succeeded" | "Failed")
}

fn has_empty_dir(pod: &Value) -> bool {
    pod.pointer("/spec/volumes")
        .and_then(Value::as_array)
        .is_some_and(|vs| vs.iter().any(|v| v.get("emptyDir").is_some()))
}

/// What happens to one pod: evicted, left alone (with why), or a refusal.
enum Decision {
    Evict(Option<&'static str>),
    Skip(&'static str),
    Refuse(Refusal),
}

fn decide(pod: &Value, options: &DrainOptions) -> Decision {
    // A pod already being deleted is waited for, not evicted again.
    if pod.pointer("/metadata/deletionTimestamp").is_some() {
        return Decision::Evict(Some("already terminating"));
    }
    // Both apps/v1 and OpenKruise's Advanced DaemonSets (kubectl looks the owner up in
    // apps/v1 only and refuses the latter without `force`).
    if controller_kind(pod) == Some("DaemonSet") {
        return if options.ignore_daemon_sets {
            Decision::Skip("DaemonSet-managed: left alone")
        } else {
            Decision::Refuse(Refusal::DaemonSet)
        };
    }
    if pod
        .pointer("/metadata/annotations/kubernetes.io~1config.mirror")
        .is_some()
    {
        return Decision::Skip("mirror pod of a static pod: left alone");
    }
    if finished(pod) {
        return Decision::Evict(Some("finished"));
    }
    let mut warning = None;
    if has_empty_dir(pod) {
        if !options.delete_empty_dir_data {
            return Decision::Refuse(Refusal::LocalStorage);
        }
        warning = Some("its emptyDir data is deleted");
    }
    if controller_kind(pod).is_none() {
        if !options.force {
            return Decision::Refuse(Refusal::NoController);
        }
        warning = Some("no controller will recreate it");
    }
    Decision::Evict(warning)
}

/// The drain's pods with their first state, or the refusal naming every pod that stops
/// it (nothing is changed then, not even the cordon).
///
/// # Errors
/// The refusals, grouped by reason, as one message.
pub fn plan(
    node: &str,
    pods: &[Value],
    options: &DrainOptions,
) -> Result<Vec<OperationItem>, String> {
    let mut items = Vec::new();
    let mut refused: Vec<(Refusal, String)> = Vec::new();
    for pod in pods {
        let namespace = text(pod, "/metadata/namespace").to_string();
        let name = text(pod, "/metadata/name").to_string();
        let (state, message) = match decide(pod, options) {
            Decision::Evict(warning) => (
                ItemState::Pending,
                warning.map_or_else(|| "to evict".to_string(), |w| format!("to evict ({w})")),
            ),
            Decision::Skip(why) => (ItemState::Skipped, why.to_string()),
            Decision::Refuse(refusal) => {
                refused.push((refusal, format!("{namespace}/{name}")));
                continue;
            }
        };
        items.push(OperationItem {
            uid: text(pod, "/metadata/uid").to_string(),
            namespace,
            name,
            state,
            message,
            attempts: 0,
        });
    }
    if refused.is_empty() {
        items.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        return Ok(items);
    }
    refused.sort();
    let mut groups: Vec<String> = Vec::new();
    for reason in [
        Refusal::DaemonSet,
        Refusal::LocalStorage,
        Refusal::NoController,
    ] {
        let pods: Vec<&str> = refused
            .iter()
            .filter(|(r, _)| *r == reason)
            .map(|(_, p)| p.as_str())
            .collect();
        if !pods.is_empty() {
            groups.push(format!("{}: {}", reason.reason(), pods.join(", ")));
        }
    }
    Err(format!(
        "cannot drain node {node}; nothing was changed: {}",
        groups.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, owner: Option<&str>, extra: Value) -> Value {
        let mut p = json!({
            "metadata": {"namespace": "ns", "name": name, "uid": format!("uid-{name}")},
            "spec": {"nodeName": "n"},
            "status": {"phase": "Running"}
        });
        if let Some(kind) = owner {
            p["metadata"]["ownerReferences"] =
                json!([{"kind": kind, "name": "x", "controller": true}]);
        }
        if let Some(obj) = extra.as_object() {
            for (k, v) in obj {
                match k.as_str() {
                    "volumes" => p["spec"]["volumes"] = v.clone(),
                    "phase" => p["status"]["phase"] = v.clone(),
                    "annotations" => p["metadata"]["annotations"] = v.clone(),
                    _ => {}
                }
            }
        }
        p
    }

    #[test]
    fn pods_are_sorted_into_evicted_skipped_and_refused_as_kubectl_does() {
        let pods = vec![
            pod("web", Some("ReplicaSet"), json!({})),
            pod("agent", Some("DaemonSet"), json!({})),
            pod(
                "static",
                None,
                json!({"annotations": {"kubernetes.io/config.mirror": "x"}}),
            ),
            pod(
                "cache",
                Some("ReplicaSet"),
                json!({"volumes": [{"name": "t", "emptyDir": {}}]}),
            ),
            pod("bare", None, json!({})),
            pod(
                "done",
                None,
                json!({"phase": "Succeeded", "volumes": [{"name": "t", "emptyDir": {}}]}),
            ),
        ];
        let strict = DrainOptions {
            ignore_daemon_sets: false,
            ..DrainOptions::default()
        };
        let refusal = plan("n", &pods, &strict).unwrap_err();
        assert!(
            refusal.contains("DaemonSet-managed Pods (use ignoreDaemonSets to ignore): ns/agent"),
            "{refusal}"
        );
        assert!(
            refusal.contains("local storage (use deleteEmptyDirData to override): ns/cache"),
            "{refusal}"
        );
        assert!(
            refusal.contains("no controller (use force to override): ns/bare"),
            "{refusal}"
        );
        let all = DrainOptions {
            ignore_daemon_sets: true,
            delete_empty_dir_data: true,
            force: true,
            ..DrainOptions::default()
        };
        let items = plan("n", &pods, &all).unwrap();
        let state = |name: &str| items.iter().find(|i| i.name == name).map(|i| i.state);
        assert_eq!(state("web"), Some(ItemState::Pending));
        assert_eq!(state("agent"), Some(ItemState::Skipped));
        assert_eq!(state("static"), Some(ItemState::Skipped));
        assert_eq!(state("cache"), Some(ItemState::Pending));
        assert_eq!(state("bare"), Some(ItemState::Pending));
        assert_eq!(state("done"), Some(ItemState::Pending));
        assert_eq!(items[0].uid, "uid-agent");
    }
}
