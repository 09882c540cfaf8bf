//! Schedules: suspend and resume, and a run now as `kubectl create job --from=cronjob`.

use bosun_core::{Error, Result};
use bosun_model::{ActionReply, KindId, ObjectRef};
use http::Method;
use serde_json::{Value, json};

use super::{locate, reply};
use crate::cluster::Cluster;
use crate::{json as j, raw};

/// Suspends or resumes a schedule with a merge patch of its suspend field.
pub(super) async fn set_suspended(
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
pub(super) async fn run_now(
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
    use serde_json::json;

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
}
