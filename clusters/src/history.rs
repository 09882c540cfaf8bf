//! Revision history of workloads, as `kubectl rollout history` reads it: ReplicaSets of a
//! Deployment, ControllerRevisions of (Advanced) StatefulSets, DaemonSets and CloneSets,
//! selected by the workload's selector and controlled by its uid.

use bosun_core::{Error, Result};
use bosun_model::kinds::RevisionSource;
use bosun_model::{KindId, RevisionRow};
use http::Method;
use kube::Client;
use serde_json::Value;

use crate::{json, raw, rows};

const REVISION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
const TEMPLATE_HASH: &str = "pod-template-hash";

/// One revision of a workload.
#[derive(Debug, Clone)]
pub struct Revision {
    pub number: i64,
    /// The ReplicaSet or ControllerRevision.
    pub object: Value,
    /// The pod template, without hash labels and patch directives, for comparison.
    pub template: Value,
}

/// A pod template without what differs between a workload and its revisions for
/// bookkeeping only: the `pod-template-hash` label and the `$patch` directive.
#[must_use]
pub fn normalized(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(map) = t.as_object_mut() {
        map.remove("$patch");
    }
    if let Some(labels) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(TEMPLATE_HASH);
    }
    t
}

fn controlled_by(obj: &Value, uid: &str) -> bool {
    json::array(obj, "/metadata/ownerReferences")
        .iter()
        .any(|r| json::str(r, "/uid") == uid && json::bool(r, "/controller"))
}

fn items_path(group_version: &str, namespace: &str, plural: &str, selector: &str) -> String {
    let base = if group_version == "v1" {
        "/api/v1".to_string()
    } else {
        format!("/apis/{group_version}")
    };
    let query = url_encode(selector);
    format!("{base}/namespaces/{namespace}/{plural}?labelSelector={query}")
}

/// Percent-encodes a query value (selectors contain `=`, `,`, spaces and parentheses).
#[must_use]
pub fn url_encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The revisions of `workload` (a live object), oldest first.
pub async fn load(
    client: &Client,
    cluster: &str,
    kind: KindId,
    workload: &Value,
) -> Result<Vec<Revision>> {
    let info = kind.info();
    let namespace = json::str(workload, "/metadata/namespace");
    let uid = json::str(workload, "/metadata/uid");
    let selector = rows::selector_of(workload).to_query();
    let (path, number): (String, fn(&Value) -> i64) = match info.revisions {
        RevisionSource::ReplicaSets => (
            items_path("apps/v1", namespace, "replicasets", &selector),
            |rs| {
                rs.pointer("/metadata/annotations")
                    .and_then(|a| a.get(REVISION))
                    .and_then(Value::as_str)
                    .and_then(|r| r.parse().ok())
                    .unwrap_or(0)
            },
        ),
        RevisionSource::ControllerRevisions => (
            items_path("apps/v1", namespace, "controllerrevisions", &selector),
            |cr| json::int(cr, "/revision"),
        ),
        RevisionSource::None => {
            return Err(Error::NotApplicable(format!(
                "{}: no revision history",
                kind.route()
            )));
        }
    };
    let list = raw::send(client, cluster, Method::GET, &path, None, None).await?;
    let mut revisions: Vec<Revision> = json::array(&list, "/items")
        .iter()
        .filter(|o| controlled_by(o, uid))
        .map(|o| {
            let template = match info.revisions {
                RevisionSource::ReplicaSets => o.pointer("/spec/template"),
                _ => o.pointer("/data/spec/template"),
            };
            Revision {
                number: number(o),
                template: normalized(template.unwrap_or(&Value::Null)),
                object: o.clone(),
            }
        })
        .collect();
    revisions.sort_by_key(|r| r.number);
    Ok(revisions)
}

/// The History tab's rows, newest first.
#[must_use]
pub fn rows(kind: KindId, workload: &Value, revisions: &[Revision]) -> Vec<RevisionRow> {
    let current = rows::pod_template(kind.info(), workload)
        .map(normalized)
        .unwrap_or(Value::Null);
    revisions
        .iter()
        .rev()
        .map(|r| {
            let cause = r
                .object
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(CHANGE_CAUSE))
                .and_then(Value::as_str)
                .filter(|c| !c.is_empty())
                .unwrap_or("<none>");
            RevisionRow {
                revision: r.number,
                change_cause: cause.to_string(),
                images: json::array(&r.template, "/spec/containers")
                    .iter()
                    .map(|c| json::str(c, "/image").to_string())
                    .collect(),
                created: json::str(&r.object, "/metadata/creationTimestamp").to_string(),
                current: r.template == current,
                template: serde_yaml::to_string(&r.template).unwrap_or_default(),
            }
        })
        .collect()
}

/// The revision `kubectl rollout undo --to-revision=N` picks: N exactly, or for 0 the
/// newest revision before the current one.
pub fn pick<'a>(
    kind: KindId,
    name: &str,
    revisions: &'a [Revision],
    wanted: i64,
) -> Result<&'a Revision> {
    if wanted > 0 {
        return revisions
            .iter()
            .find(|r| r.number == wanted)
            .ok_or_else(|| {
                Error::BadRequest(format!(
                    "unable to find specified revision {wanted} in history"
                ))
            });
    }
    if revisions.len() < 2 {
        let message = match kind {
            KindId::Deployment => format!("no rollout history found for deployment {name:?}"),
            KindId::AdvancedStatefulSet => "no latest revision to roll back to".to_string(),
            _ => "no last revision to roll back to".to_string(),
        };
        return Err(Error::BadRequest(message));
    }
    Ok(&revisions[revisions.len() - 2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rev(n: i64) -> Revision {
        Revision {
            number: n,
            object: json!({}),
            template: json!({"n": n}),
        }
    }

    #[test]
    fn undo_picks_the_previous_revision_or_the_one_asked_for() {
        let revs = [rev(1), rev(2), rev(3)];
        assert_eq!(pick(KindId::Deployment, "web", &revs, 0).unwrap().number, 2);
        assert_eq!(pick(KindId::Deployment, "web", &revs, 1).unwrap().number, 1);
        let err = pick(KindId::Deployment, "web", &revs, 7).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unable to find specified revision 7 in history"
        );
        let err = pick(KindId::StatefulSet, "pg", &revs[..1], 0).unwrap_err();
        assert_eq!(err.to_string(), "no last revision to roll back to");
    }

    #[test]
    fn templates_compare_without_hash_labels_and_patch_directives() {
        let a =
            json!({"metadata": {"labels": {"app": "web", "pod-template-hash": "abc"}}, "spec": {}});
        let b = json!({"metadata": {"labels": {"app": "web"}}, "spec": {}, "$patch": "replace"});
        assert_eq!(normalized(&a), normalized(&b));
        assert_eq!(
            url_encode("app=web,x in (a)"),
            "app%3Dweb%2Cx%20in%20%28a%29"
        );
    }
}
