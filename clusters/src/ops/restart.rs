//! Restart, as `kubectl rollout restart` and `kubectl-kruise rollout restart` do it, and
//! the forced restart that deletes the current pods at once.

use bosun_core::{Error, Result};
use bosun_model::kinds::RestartMethod;
use bosun_model::{ActionReply, KindId, ObjectRef};
use futures::StreamExt;
use http::Method;
use serde_json::{Value, json};

use super::{Located, content_type, locate, reply};
use crate::cluster::Cluster;
use crate::history::url_encode;
use crate::status::{RESTARTED_AT, RESTARTED_AT_ENV};
use crate::{json as j, raw, rows};

/// Attempts of a read-modify-replace before giving up on concurrent writers.
const REPLACE_ATTEMPTS: usize = 5;
/// Pods deleted at once by a forced restart, at most this many at the same time.
const DELETES_IN_FLIGHT: usize = 8;

/// `kubectl rollout restart` for built-in kinds (strategic merge patch of the template's
/// restartedAt annotation; a paused Deployment refused), the same annotation by merge
/// patch for Advanced DaemonSets, and `kubectl-kruise rollout restart` for CloneSets and
/// Advanced StatefulSets (RESTARTED_AT on every container, PUT with the read version).
///
/// Forced, the pods running before the restart are listed first and deleted after it
/// (each by uid, so a replacement with the same name is never hit); the restart has
/// happened whatever becomes of the deletions, so their trouble is reported, not failed.
pub(super) async fn restart(
    cluster: &Cluster,
    target: &ObjectRef,
    force: bool,
) -> Result<ActionReply> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
