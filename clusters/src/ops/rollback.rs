//! Rollback, as `kubectl rollout undo` does it (and kubectl-kruise for OpenKruise kinds).

use bosun_core::{Error, Result};
use bosun_model::{ActionReply, KindId, ObjectRef};
use serde_json::{Value, json};

use super::{content_type, locate, reply};
use crate::cluster::Cluster;
use crate::{history, json as j, raw, rows};

/// Annotations a Deployment keeps through a rollback; every other annotation comes from
/// the ReplicaSet (kubectl `pkg/polymorphichelpers/rollback.go`).
const KEPT_ANNOTATIONS: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// `kubectl rollout undo` (and kubectl-kruise's for OpenKruise kinds).
pub(super) async fn rollback(
    cluster: &Cluster,
    target: &ObjectRef,
    revision: i64,
) -> Result<ActionReply> {
    let at = locate(cluster, target)?;
    let info = target.kind.info();
    let workload = raw::get(at.client, at.cluster, &at.path).await?;
    let revisions = history::load(at.client, at.cluster, target.kind, &workload).await?;
    let chosen = history::pick(target.kind, &target.name, &revisions, revision)?;
    // kubectl finds the revision first, then refuses a paused Deployment.
    if target.kind == KindId::Deployment && j::bool(&workload, "/spec/paused") {
        return Err(Error::Paused(
            "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again".into(),
        ));
    }
    let current = rows::pod_template(info, &workload)
        .map(history::normalized)
        .unwrap_or(Value::Null);
    if chosen.template == current {
        return Ok(reply(format!(
            "{} skipped rollback (current template already matches revision {revision})",
            target.describe()
        )));
    }
    let body = match target.kind {
        KindId::Deployment => {
            let mut template = chosen
                .object
                .pointer("/spec/template")
                .cloned()
                .unwrap_or(json!({}));
            if let Some(labels) = template
                .pointer_mut("/metadata/labels")
                .and_then(Value::as_object_mut)
            {
                labels.remove("pod-template-hash");
            }
            json!([
                {"op": "replace", "path": "/spec/template", "value": template},
                {"op": "replace", "path": "/metadata/annotations", "value": rollback_annotations(&workload, &chosen.object)},
            ])
        }
        _ => chosen.object.get("data").cloned().unwrap_or(json!({})),
    };
    raw::patch(
        at.client,
        at.cluster,
        &at.path,
        content_type(info.rollback_patch),
        &body,
    )
    .await?;
    Ok(reply(format!(
        "{} rolled back to revision {}",
        target.describe(),
        chosen.number
    )))
}

/// The Deployment's own values for the kept annotations, every other from the ReplicaSet.
fn rollback_annotations(deployment: &Value, replica_set: &Value) -> Value {
    let mut out = serde_json::Map::new();
    if let Some(own) = deployment
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
    {
        for key in KEPT_ANNOTATIONS {
            if let Some(v) = own.get(*key) {
                out.insert((*key).to_string(), v.clone());
            }
        }
    }
    if let Some(theirs) = replica_set
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
    {
        for (k, v) in theirs {
            if !KEPT_ANNOTATIONS.contains(&k.as_str()) {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rollback_annotations_keep_the_deployments_bookkeeping() {
        let d = json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": "3", "team": "web"}}});
        let rs = json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": "1", "kubernetes.io/change-cause": "initial"}}});
        assert_eq!(
            rollback_annotations(&d, &rs),
            json!({"deployment.kubernetes.io/revision": "3", "kubernetes.io/change-cause": "initial"})
        );
    }
}
