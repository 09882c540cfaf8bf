//! The cluster's OpenAPI v3 schemas, read as `kubectl explain` reads them (the
//! `/openapi/v3` index, then one document per group-version), kept per cluster and used to
//! check YAML before anything is sent: an unknown field or a value of the wrong type is
//! named at its line instead of surfacing as a server error, or not at all.
//!
//! The index is asked again after [`INDEX_TTL`] (CRDs come and go); a group-version's
//! document is kept as long as the index names it with the same hash.

mod validate;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bosun_core::{Error, Result};
use bosun_model::SchemaVerdict;
use serde_json::Value;

use crate::cluster::Cluster;
use crate::raw;

/// How long the index of schema documents is reused.
pub const INDEX_TTL: Duration = Duration::from_secs(60);
/// How long a failure to read the schemas is reported instead of asking again, so a
/// cluster whose `/openapi/v3` hangs costs one deadline, not one per document or keystroke.
pub const FAILURE_TTL: Duration = Duration::from_secs(30);

/// What a cluster has told of its schemas so far.
#[derive(Default)]
pub struct SchemaMemo {
    state: Mutex<MemoState>,
}

/// Group-version path (`apis/apps/v1`) → the URL of its document.
type Index = Arc<BTreeMap<String, String>>;

#[derive(Default)]
struct MemoState {
    /// Group-version path (`apis/apps/v1`) → its document's URL; `None` inside when the
    /// cluster publishes no OpenAPI v3 at all.
    index: Option<(Instant, Option<Index>)>,
    /// Document URL (which carries a hash the server changes with the content) → document.
    documents: HashMap<String, Arc<Value>>,
    /// The last failure to read the index or a document, and when.
    failed: Option<(Instant, String)>,
}

impl SchemaMemo {
    fn lock(&self) -> std::sync::MutexGuard<'_, MemoState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What `cluster`'s schema says of `manifest` (whose `apiVersion` and `kind` were
/// already checked). A schema that cannot be had is not a failure: the server still
/// checks the object on the dry run and on the apply.
pub async fn check(cluster: &Cluster, manifest: &Value) -> SchemaVerdict {
    let text = |field: &str| manifest.get(field).and_then(Value::as_str).unwrap_or("");
    let (api_version, kind) = (text("apiVersion"), text("kind"));
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let gv_path = if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    };
    let memo = cluster.schemas();
    let recent_failure = memo
        .lock()
        .failed
        .as_ref()
        .filter(|(at, _)| at.elapsed() < FAILURE_TTL)
        .map(|(_, why)| why.clone());
    if let Some(why) = recent_failure {
        return SchemaVerdict::Unchecked(why);
    }
    let fetched = tokio::time::timeout(crate::config::ACTION_DEADLINE, document(cluster, &gv_path))
        .await
        .unwrap_or_else(|_| {
            Err(Error::Unavailable(format!(
                "no answer within {} s",
                crate::config::ACTION_DEADLINE.as_secs()
            )))
        });
    let document = match fetched {
        Ok(Some(document)) => document,
        Ok(None) => {
            return SchemaVerdict::Unchecked(format!(
                "cluster {} publishes no OpenAPI v3 schema for {api_version}",
                cluster.name()
            ));
        }
        Err(e) => {
            let why = format!(
                "the OpenAPI schema of cluster {} could not be read: {}",
                cluster.name(),
                e.public_message()
            );
            memo.lock().failed = Some((Instant::now(), why.clone()));
            return SchemaVerdict::Unchecked(why);
        }
    };
    let Some(components) = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return SchemaVerdict::Unchecked(format!("the schema for {api_version} holds no kinds"));
    };
    match kind_schema(components, group, version, kind) {
        Some(schema) => SchemaVerdict::Checked(validate::validate(
            components,
            schema,
            manifest,
            group.is_empty() && kind == "Secret",
        )),
        None => SchemaVerdict::Unchecked(format!(
            "the schema for {api_version} does not describe {kind}"
        )),
    }
}

/// The schema marked with the kind's group, version and kind, as the API server marks
/// each kind's (`x-kubernetes-group-version-kind`).
fn kind_schema<'a>(
    components: &'a serde_json::Map<String, Value>,
    group: &str,
    version: &str,
    kind: &str,
) -> Option<&'a Value> {
    components.values().find(|schema| {
        schema
            .get("x-kubernetes-group-version-kind")
            .and_then(Value::as_array)
            .is_some_and(|gvks| {
                gvks.iter().any(|gvk| {
                    gvk.get("group").and_then(Value::as_str).unwrap_or("") == group
                        && gvk.get("version").and_then(Value::as_str) == Some(version)
                        && gvk.get("kind").and_then(Value::as_str) == Some(kind)
                })
            })
    })
}

/// The document of one group-version, from memory or from the cluster.
async fn document(cluster: &Cluster, gv_path: &str) -> Result<Option<Arc<Value>>> {
    let Some(index) = index(cluster).await? else {
        return Ok(None);
    };
    let Some(url) = index.get(gv_path) else {
        return Ok(None);
    };
    let memo = cluster.schemas();
    if let Some(document) = memo.lock().documents.get(url) {
        return Ok(Some(document.clone()));
    }
    let client = &cluster.clients()?.action;
    let document = Arc::new(raw::get(client, cluster.name(), url).await?);
    memo.lock().documents.insert(url.clone(), document.clone());
    Ok(Some(document))
}

async fn index(cluster: &Cluster) -> Result<Option<Index>> {
    let memo = cluster.schemas();
    if let Some((at, index)) = &memo.lock().index
        && at.elapsed() < INDEX_TTL
    {
        return Ok(index.clone());
    }
    let client = &cluster.clients()?.action;
    let index = match raw::get(client, cluster.name(), "/openapi/v3").await {
        Ok(answer) => Some(Arc::new(read_index(&answer))),
        Err(Error::Cluster { status: 404, .. }) => None,
        Err(e) => return Err(e),
    };
    let mut state = memo.lock();
    if let Some(index) = &index {
        // Documents the index no longer names (their hash changed) are dropped.
        state
            .documents
            .retain(|url, _| index.values().any(|u| u == url));
    }
    state.index = Some((Instant::now(), index.clone()));
    Ok(index)
}

/// `{"paths": {"apis/apps/v1": {"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=…"}}}`.
fn read_index(answer: &Value) -> BTreeMap<String, String> {
    answer
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(path, entry)| {
            let url = entry.get("serverRelativeURL").and_then(Value::as_str)?;
            url.starts_with('/')
                .then(|| (path.clone(), url.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_index_maps_group_versions_to_their_documents() {
        let index = read_index(&json!({ "paths": {
            "api/v1": { "serverRelativeURL": "/openapi/v3/api/v1?hash=AB" },
            "apis/apps/v1": { "serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=CD" },
            "odd": { "serverRelativeURL": "https://elsewhere/x" },
        }}));
        assert_eq!(index.len(), 2);
        assert_eq!(index["apis/apps/v1"], "/openapi/v3/apis/apps/v1?hash=CD");
    }

    #[test]
    fn a_kind_schema_is_found_by_its_marker() {
        let components = json!({
            "a": { "x-kubernetes-group-version-kind": [{ "group": "", "version": "v1", "kind": "Pod" }] },
            "b": { "x-kubernetes-group-version-kind": [{ "group": "apps", "version": "v1", "kind": "Deployment" }] },
        });
        let components = components.as_object().unwrap();
        assert!(kind_schema(components, "apps", "v1", "Deployment").is_some());
        assert!(kind_schema(components, "", "v1", "Pod").is_some());
        assert!(kind_schema(components, "apps", "v2", "Deployment").is_none());
    }
}
