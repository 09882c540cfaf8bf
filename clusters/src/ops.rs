//! The changes Bosun makes in clusters, each exactly as the reference tool makes it
//! (`../shared/REFERENCE.md`): restart, scale, rollback, delete, suspend/resume, run now,
//! delete pod. Authorization and audit happened before this; here is only the "how".

use bosun_core::{Error, Operation, Result};
use bosun_model::kinds::{PatchFormat, RestartMethod};
use bosun_model::{ActionReply, KindId, ObjectRef};
use futures::StreamExt;
use http::Method;
use serde_json::{Value, json};

use crate::cluster::Cluster;
use crate::config::ACTION_DEADLINE;
use crate::error::with_deadline;
use crate::history::{self, url_encode};
use crate::status::{RESTARTED_AT, RESTARTED_AT_ENV};
use crate::{json as j, raw, rows};

/// Attempts of a read-modify-replace before giving up on concurrent writers.
const REPLACE_ATTEMPTS: usize = 5;

fn content_type(format: PatchFormat) -> &'static str {
    match format {
        PatchFormat::Json => raw::JSON_PATCH,
        PatchFormat::Merge => raw::MERGE,
        PatchFormat::StrategicMerge => raw::STRATEGIC_MERGE,
    }
}

fn reply(message: String) -> ActionReply {
    ActionReply {
        message,
        timestamp: j::now_rfc3339(),
        success: true,
        restarted_at: None,
    }
}

/// Pods deleted at once by a forced restart, at most this many at the same time.
const DELETES_IN_FLIGHT: usize = 8;

/// Carries out `op` in `cluster` within the action deadline.
pub async fn execute(cluster: &Cluster, op: &Operation) -> Result<ActionReply> {
    with_deadline(cluster.name(), ACTION_DEADLINE, async {
        match op {
            Operation::Restart { target, force } => restart(cluster, target, *force).await,
            Operation::Scale { target, replicas } => scale(cluster, target, *replicas).await,
            Operation::Rollback { target, revision } => rollback(cluster, target, *revision).await,
            Operation::Delete { target } | Operation::DeletePod { target } => {
                delete(cluster, target).await
            }
            Operation::SetSuspended { target, suspend } => {
                set_suspended(cluster, target, *suspend).await
            }
            Operation::RunNow { target, job_name } => {
                run_now(cluster, target, job_name.as_deref()).await
            }
        }
    })
    .await
}

struct Located<'a> {
    client: &'a kube::Client,
    cluster: &'a str,
    path: String,
}

fn locate<'a>(cluster: &'a Cluster, target: &ObjectRef) -> Result<Located<'a>> {
    let resource = cluster.resource(target.kind)?;
    Ok(Located {
        client: &cluster.clients()?.action,
        cluster: cluster.name(),
        path: raw::path(&resource, Some(&target.namespace), Some(&target.name), None),
    })
}

/// `kubectl rollout restart` for built-in kinds (strategic merge patch of the template's
/// restartedAt annotation; a paused Deployment refused), the same annotation by merge
/// patch for Advanced DaemonSets, and `kubectl-kruise rollout restart` for CloneSets and
/// Advanced StatefulSets (RESTARTED_AT on every container, PUT with the read version).
///
/// Forced, the pods running before the restart are listed first and deleted after it
/// (each by uid, so a replacement with the same name is never hit); the restart has
/// happened whatever becomes of the deletions, so their trouble is reported, not failed.
async fn restart(cluster: &Cluster, target: &ObjectRef, force: bool) -> Result<ActionReply> {
    let at = locate(cluster, target)?;
    let now = j::now_rfc3339();
    let info = target.kind.info();
    if info.restart == RestartMethod::NotSupported {
        return Err(Error::NotApplicable(format!(
            "{}: restarting is not supported",
            target.kind
        )));
    }
    let before = if force {
        current_pods(&at, target).await?
    } else {
        Vec::new()
    };
    match info.restart {
        RestartMethod::TemplateAnnotation(format) => {
            if target.kind == KindId::Deployment {
                let current = raw::get(at.client, at.cluster, &at.path).await?;
                if j::bool(&current, "/spec/paused") {
                    return Err(Error::Paused(
                        "can't restart paused deployment (run rollout resume first)".into(),
                    ));
                }
            }
            let body =
                json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}});
            raw::patch(at.client, at.cluster, &at.path, content_type(format), &body).await?;
        }
        RestartMethod::ContainerEnv => replace_with_env(&at, &now).await?,
        RestartMethod::NotSupported => unreachable!("refused above"),
    }
    let mut message = format!("{} restarted successfully", target.describe());
    if force {
        message.push_str(&delete_pods(&at, &target.namespace, before).await);
    }
    let mut answer = reply(message);
    answer.restarted_at = Some(now);
    Ok(answer)
}

/// Sets `RESTARTED_AT` on every container (replacing an existing one in place, keeping
/// the other variables' order) and PUTs the object back with the resourceVersion read.
/// A 409 means someone wrote in between: read again and retry, never overwrite blindly.
async fn replace_with_env(at: &Located<'_>, now: &str) -> Result<()> {
    let mut last = None;
    for _ in 0..REPLACE_ATTEMPTS {
        let mut obj = raw::get(at.client, at.cluster, &at.path).await?;
        set_restarted_env(&mut obj, now);
        let uri = format!("{}?fieldManager={}", at.path, raw::FIELD_MANAGER);
        match raw::send(
            at.client,
            at.cluster,
            Method::PUT,
            &uri,
            Some(raw::JSON),
            Some(&obj),
        )
        .await
        {
            Ok(_) => return Ok(()),
            Err(e @ Error::Cluster { status: 409, .. }) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| Error::Conflict("the object kept changing; try again".into())))
}

/// `RESTARTED_AT=<now>` on every container of `spec.template.spec.containers`.
pub fn set_restarted_env(obj: &mut Value, now: &str) {
    let Some(containers) = obj
        .pointer_mut("/spec/template/spec/containers")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for container in containers {
        let env = container
            .as_object_mut()
            .map(|c| c.entry("env").or_insert_with(|| json!([])));
        let Some(env) = env.and_then(Value::as_array_mut) else {
            continue;
        };
        let entry = json!({"name": RESTARTED_AT_ENV, "value": now});
        match env
            .iter_mut()
            .find(|e| j::str(e, "/name") == RESTARTED_AT_ENV)
        {
            Some(existing) => *existing = entry,
            None => env.push(entry),
        }
    }
}

/// The workload's pods now (name and uid), listed live by its selector so none is missed
/// because a cache lags.
async fn current_pods(at: &Located<'_>, target: &ObjectRef) -> Result<Vec<(String, String)>> {
    let workload = raw::get(at.client, at.cluster, &at.path).await?;
    let selector = rows::selector_of(&workload).to_query();
    if selector.is_empty() {
        return Ok(Vec::new());
    }
    let list_path = format!(
        "/api/v1/namespaces/{}/pods?labelSelector={}",
        target.namespace,
        url_encode(&selector)
    );
    let pods = raw::get(at.client, at.cluster, &list_path).await?;
    Ok(j::array(&pods, "/items")
        .iter()
        .filter(|p| {
            p.pointer("/metadata/deletionTimestamp")
                .is_none_or(Value::is_null)
        })
        .map(|p| {
            (
                j::str(p, "/metadata/name").to_string(),
                j::str(p, "/metadata/uid").to_string(),
            )
        })
        .collect())
}

/// Deletes the given pods at once, each only if it is still the pod listed (its uid);
/// says how that went, as the end of the restart's message.
async fn delete_pods(at: &Located<'_>, namespace: &str, pods: Vec<(String, String)>) -> String {
    let total = pods.len();
    let results: Vec<std::result::Result<(), String>> = futures::stream::iter(pods)
        .map(|(name, uid)| async move {
            let path = format!("/api/v1/namespaces/{namespace}/pods/{name}");
            let body = json!({"preconditions": {"uid": uid}});
            match raw::send(
                at.client,
                at.cluster,
                Method::DELETE,
                &path,
                Some(raw::JSON),
                Some(&body),
            )
            .await
            {
                // Gone already, or replaced (uid precondition): nothing left to delete.
                Ok(_)
                | Err(Error::Cluster {
                    status: 404 | 409, ..
                }) => Ok(()),
                Err(e) => Err(format!("{name}: {e}")),
            }
        })
        .buffer_unordered(DELETES_IN_FLIGHT)
        .collect()
        .await;
    let failures: Vec<String> = results
        .into_iter()
        .filter_map(std::result::Result::err)
        .collect();
    if failures.is_empty() {
        format!("; {total} pods deleted so replacements start now")
    } else {
        format!(
            "; {} of {total} pods deleted, the others were not ({})",
            total - failures.len(),
            failures.join("; ")
        )
    }
}

/// `kubectl scale`: a merge patch of the `/scale` subresource.
async fn scale(cluster: &Cluster, target: &ObjectRef, replicas: i64) -> Result<ActionReply> {
    let at = locate(cluster, target)?;
    let body = json!({"spec": {"replicas": replicas}});
    raw::patch(
        at.client,
        at.cluster,
        &format!("{}/scale", at.path),
        raw::MERGE,
        &body,
    )
    .await?;
    Ok(reply(format!(
        "{} scaled to {replicas} replicas",
        target.describe()
    )))
}

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
async fn rollback(cluster: &Cluster, target: &ObjectRef, revision: i64) -> Result<ActionReply> {
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

/// Deletes a workload (its pods go with it, in the background, as with `kubectl delete`)
/// or a pod.
async fn delete(cluster: &Cluster, target: &ObjectRef) -> Result<ActionReply> {
    let at = locate(cluster, target)?;
    let body = (target.kind != KindId::Pod).then(|| json!({"propagationPolicy": "Background"}));
    let content_type = body.as_ref().map(|_| raw::JSON);
    raw::send(
        at.client,
        at.cluster,
        Method::DELETE,
        &at.path,
        content_type,
        body.as_ref(),
    )
    .await?;
    Ok(reply(format!("{} deleted", target.describe())))
}

/// Suspends or resumes a schedule with a merge patch of its suspend field.
async fn set_suspended(
    cluster: &Cluster,
    target: &ObjectRef,
    suspend: bool,
) -> Result<ActionReply> {
    let at = locate(cluster, target)?;
    let field = target
        .kind
        .info()
        .suspend_field
        .and_then(|f| f.strip_prefix("/spec/"))
        .ok_or_else(|| Error::NotApplicable(format!("{}: cannot be suspended", target.kind)))?;
    let body = json!({"spec": {field: suspend}});
    raw::patch(at.client, at.cluster, &at.path, raw::MERGE, &body).await?;
    let verb = if suspend { "suspended" } else { "resumed" };
    Ok(reply(format!("{} {verb}", target.describe())))
}

/// The Job `kubectl create job NAME --from=cronjob/CJ` creates.
#[must_use]
pub fn job_from_cronjob(cronjob: &Value, job_name: &str) -> Value {
    let template = cronjob
        .pointer("/spec/jobTemplate")
        .cloned()
        .unwrap_or(json!({}));
    let mut annotations = serde_json::Map::new();
    annotations.insert("cronjob.kubernetes.io/instantiate".into(), json!("manual"));
    if let Some(own) = template
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
    {
        for (k, v) in own {
            annotations.insert(k.clone(), v.clone());
        }
    }
    let mut metadata = json!({
        "name": job_name,
        "annotations": annotations,
        "ownerReferences": [{
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": j::str(cronjob, "/metadata/name"),
            "uid": j::str(cronjob, "/metadata/uid"),
            "controller": true,
        }],
    });
    if let Some(labels) = template.pointer("/metadata/labels") {
        metadata["labels"] = labels.clone();
    }
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata,
        "spec": template.get("spec").cloned().unwrap_or(json!({})),
    })
}

/// A name for a manual run: `<cronjob>-manual-<5 characters>`, short enough for a label.
fn manual_job_name(cronjob: &str) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::thread_rng();
    let suffix: String = (0..5)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    let base: String = cronjob.chars().take(63 - "-manual-".len() - 5).collect();
    format!("{}-manual-{suffix}", base.trim_end_matches('-'))
}

/// `kubectl create job --from=cronjob/NAME`.
async fn run_now(
    cluster: &Cluster,
    target: &ObjectRef,
    job_name: Option<&str>,
) -> Result<ActionReply> {
    let at = locate(cluster, target)?;
    let cronjob = raw::get(at.client, at.cluster, &at.path).await?;
    let name = job_name.map_or_else(|| manual_job_name(&target.name), str::to_string);
    let job = job_from_cronjob(&cronjob, &name);
    let jobs = cluster.resource(KindId::Job)?;
    let uri = format!(
        "{}?fieldManager={}",
        raw::path(&jobs, Some(&target.namespace), None, None),
        raw::FIELD_MANAGER
    );
    raw::send(
        at.client,
        at.cluster,
        Method::POST,
        &uri,
        Some(raw::JSON),
        Some(&job),
    )
    .await?;
    Ok(reply(format!(
        "jobs {}/{name} created from {}",
        target.namespace,
        target.describe()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarted_at_replaces_in_place_and_keeps_the_other_variables() {
        let mut obj = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "env": [{"name": "X", "value": "1"}, {"name": "RESTARTED_AT", "value": "old"}, {"name": "Y", "value": "2"}]},
            {"name": "b"},
        ]}}}});
        set_restarted_env(&mut obj, "2026-11-22T10:00:00Z");
        let a = &obj["spec"]["template"]["spec"]["containers"][0]["env"];
        assert_eq!(
            a[1],
            json!({"name": "RESTARTED_AT", "value": "2026-11-22T10:00:00Z"})
        );
        assert_eq!(a[2]["name"], "Y");
        let b = &obj["spec"]["template"]["spec"]["containers"][1]["env"];
        assert_eq!(
            b,
            &json!([{"name": "RESTARTED_AT", "value": "2026-11-22T10:00:00Z"}])
        );
    }

    #[test]
    fn a_manual_job_is_built_as_kubectl_builds_it() {
        let cj = json!({"metadata": {"name": "backup", "uid": "u-1"}, "spec": {"jobTemplate": {
            "metadata": {"labels": {"app": "backup"}, "annotations": {"team": "data"}},
            "spec": {"template": {"spec": {"containers": [{"name": "b"}]}}}}}});
        let job = job_from_cronjob(&cj, "backup-manual-x");
        assert_eq!(
            job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"],
            "manual"
        );
        assert_eq!(job["metadata"]["annotations"]["team"], "data");
        assert_eq!(job["metadata"]["labels"]["app"], "backup");
        assert_eq!(
            job["metadata"]["ownerReferences"][0],
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "name": "backup", "uid": "u-1", "controller": true})
        );
        assert_eq!(
            job["spec"]["template"]["spec"]["containers"][0]["name"],
            "b"
        );
        let long = manual_job_name(&"x".repeat(80));
        assert!(long.len() <= 63, "{long}");
    }

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
