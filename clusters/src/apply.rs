//! Server-side apply of one object, as `kubectl apply --server-side` sends it: a `PATCH`
//! of `application/apply-patch+yaml` with Bosun's field manager, after reading the live
//! object so the answer can say created / configured / unchanged and show the diff.

use bosun_core::{Error, Result};
use bosun_model::diff::{self, DiffLine};
use bosun_model::{ApiKindRef, ApplyOutcome, ApplyResult, KindId, ObjectRef};
use http::Method;
use kube::api::ApiResource;
use serde_json::Value;

use crate::cache::hide_values;
use crate::cluster::Cluster;
use crate::raw;

/// The content type of a server-side apply.
pub const APPLY_PATCH: &str = "application/apply-patch+yaml";

/// The object an apply writes, whichever table its kind came from.
struct Destination {
    resource: ApiResource,
    namespace: String,
    name: String,
    /// How messages name the object (`Deployment shop/web on prod`).
    described: String,
    /// A Secret: its values never appear in a diff.
    secret: bool,
}

/// Applies `manifest` (already checked to be `target`'s kind, name and namespace).
pub async fn apply(
    cluster: &Cluster,
    target: &ObjectRef,
    manifest: &Value,
    dry_run: bool,
    force: bool,
) -> Result<ApplyResult> {
    let destination = Destination {
        resource: cluster.resource(target.kind)?,
        namespace: target.namespace.clone(),
        name: target.name.clone(),
        described: target.describe(),
        secret: target.kind == KindId::Secret,
    };
    send(cluster, &destination, manifest, dry_run, force).await
}

/// Applies `manifest` as an object of a kind the cluster's discovery serves and Bosun's
/// kind table does not know (a custom resource); `namespace` is ignored for a
/// cluster-scoped kind.
pub async fn apply_discovered(
    cluster: &Cluster,
    kind: &ApiKindRef,
    namespace: &str,
    name: &str,
    manifest: &Value,
    dry_run: bool,
    force: bool,
) -> Result<ApplyResult> {
    let (found, resource) = crate::custom::resolve(cluster, kind).await?;
    let namespace = if found.namespaced { namespace } else { "" };
    let place = if namespace.is_empty() {
        name.to_string()
    } else {
        format!("{namespace}/{name}")
    };
    let destination = Destination {
        described: format!("{} {place} on {}", found.kind, cluster.name()),
        resource,
        namespace: namespace.to_string(),
        name: name.to_string(),
        secret: false,
    };
    send(cluster, &destination, manifest, dry_run, force).await
}

async fn send(
    cluster: &Cluster,
    target: &Destination,
    manifest: &Value,
    dry_run: bool,
    force: bool,
) -> Result<ApplyResult> {
    let client = &cluster.clients()?.action;
    let path = raw::path(
        &target.resource,
        Some(&target.namespace),
        Some(&target.name),
        None,
    );
    let live = match raw::get(client, cluster.name(), &path).await {
        Ok(live) => Some(live),
        Err(Error::Cluster { status: 404, .. }) => None,
        Err(e) => return Err(e),
    };
    // Strict, as kubectl sends it: the server refuses unknown fields too.
    let mut query = format!(
        "{path}?fieldManager={}&fieldValidation=Strict&force={force}",
        raw::FIELD_MANAGER
    );
    if dry_run {
        query.push_str("&dryRun=All");
    }
    let result = raw::send(
        client,
        cluster.name(),
        Method::PATCH,
        &query,
        Some(APPLY_PATCH),
        Some(manifest),
    )
    .await
    .map_err(|e| explain_conflict(e, target))?;
    let (outcome, diff) = match &live {
        None => (ApplyOutcome::Created, Vec::new()),
        Some(live) => {
            let lines = compare(target.secret, live, &result);
            if diff::has_changes(&lines) {
                (ApplyOutcome::Configured, lines)
            } else {
                (ApplyOutcome::Unchanged, Vec::new())
            }
        }
    };
    let verb = match outcome {
        ApplyOutcome::Created => "created",
        ApplyOutcome::Configured => "configured",
        _ => "unchanged",
    };
    let singular = target.resource.kind.to_ascii_lowercase();
    let mut message = format!("{singular}/{} {verb}", target.name);
    if dry_run {
        message.push_str(" (server dry run)");
    }
    Ok(ApplyResult {
        document: 0,
        line: 0,
        kind: target.resource.kind.clone(),
        namespace: target.namespace.clone(),
        name: target.name.clone(),
        outcome,
        message,
        diff,
        conflicts: Vec::new(),
    })
}

/// A 409 in words: a stale resourceVersion, or fields another manager owns.
fn explain_conflict(err: Error, target: &Destination) -> Error {
    match err {
        Error::Cluster {
            status: 409,
            message,
            ..
        } if message.contains("modified") || message.contains("resourceVersion") => {
            Error::Conflict(format!(
                "{} changed since this YAML was read (its resourceVersion is stale): reload it and make the edit again, so no one else's change is overwritten ({message})",
                target.described
            ))
        }
        Error::Cluster {
            status: 409,
            message,
            ..
        } => Error::Conflict(format!(
            "{message}. Apply with \"force\" to take these fields over from their manager"
        )),
        other => other,
    }
}

/// The line diff of two versions of an object, without what changes on every write and
/// with Secret values hidden on both sides.
fn compare(secret: bool, before: &Value, after: &Value) -> Vec<DiffLine> {
    let render = |v: &Value| {
        let mut v = v.clone();
        if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            for field in ["resourceVersion", "managedFields", "generation"] {
                meta.remove(field);
            }
        }
        if secret {
            hide_values(&mut v);
        }
        serde_yaml::to_string(&v).unwrap_or_default()
    };
    diff::diff_lines(&render(before), &render(after))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_changes_on_every_write_is_not_a_change() {
        let before = json!({"metadata": {"name": "a", "resourceVersion": "1"}, "data": {"k": "v"}});
        let after = json!({"metadata": {"name": "a", "resourceVersion": "2",
            "managedFields": [{"manager": "bosun"}]}, "data": {"k": "v"}});
        assert!(!diff::has_changes(&compare(false, &before, &after)));
        let changed = json!({"metadata": {"name": "a"}, "data": {"k": "w"}});
        assert!(diff::has_changes(&compare(false, &before, &changed)));
    }

    #[test]
    fn a_secret_diff_never_shows_values() {
        let before = json!({"metadata": {"name": "s"}, "data": {"password": "aHVudGVyMg=="}});
        let after = json!({"metadata": {"name": "s"}, "data": {"password": "c2VjcmV0MTIz"}});
        let text = format!("{:?}", compare(true, &before, &after));
        assert!(!text.contains("aHVudGVyMg"));
        assert!(!text.contains("c2VjcmV0MTIz"));
        assert!(text.contains("<hidden: 9 bytes>"));
    }
}
