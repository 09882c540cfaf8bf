//! Kinds the kind table does not know (any CRD's custom resources, built-in APIs without
//! a page of their own), read generically: discovery says what the cluster serves, the
//! API server's Table answer says which columns a kind prints (a CRD's printer columns),
//! and an object is shown as it is.
//!
//! These kinds are not watched (a cluster may serve hundreds, each watch costs memory on
//! both sides): a page is one paged list request, as `kubectl get` makes it, with the API
//! server's continue token for the next page.

use std::time::{Duration, Instant};

use bosun_core::backend::Visible;
use bosun_core::{Error, Result};
use bosun_model::kinds::KINDS;
use bosun_model::{ApiKind, ApiKindRef, CustomList, CustomObject, CustomQuery, CustomRow};
use http::{Request, header};
use kube::api::ApiResource;
use kube::discovery::{ApiGroup, Discovery, Scope, verbs};
use serde_json::Value;

use crate::cluster::Cluster;
use crate::error::from_kube;
use crate::raw;
use crate::selector::LabelSelector;

/// How long a discovery answer is reused: CRDs come and go, but not every second.
pub const DISCOVERY_TTL: Duration = Duration::from_secs(60);
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 500;
/// What a Table request asks for, falling back to a plain list.
const ACCEPT_TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

/// Whether the kind table already has a page for this resource.
fn known(group: &str, plural: &str) -> bool {
    KINDS.iter().any(|k| k.group == group && k.plural == plural)
        || (group == "events.k8s.io" && plural == "events")
}

/// The kinds the cluster serves that the table does not know and that can be listed and
/// read, sorted by group and kind; discovery is asked at most once per [`DISCOVERY_TTL`].
pub async fn kinds(cluster: &Cluster) -> Result<Vec<ApiKind>> {
    if let Some(kinds) = cluster.discovered(DISCOVERY_TTL) {
        return Ok(kinds);
    }
    let client = cluster.clients()?.action.clone();
    let mut found: Vec<ApiKind> = match Discovery::new(client.clone()).run().await {
        Ok(discovery) => discovery.groups().flat_map(unknown_kinds).collect(),
        Err(whole) => group_by_group(cluster, &client, whole)
            .await?
            .iter()
            .flat_map(unknown_kinds)
            .collect(),
    };
    found.sort_by(|a, b| (&a.group, &a.kind).cmp(&(&b.group, &b.kind)));
    cluster.remember_discovered(found.clone(), Instant::now());
    Ok(found)
}

/// A group's kinds (at its preferred version) that can be listed and read and that the
/// table does not know.
fn unknown_kinds(group: &ApiGroup) -> Vec<ApiKind> {
    group
        .recommended_resources()
        .into_iter()
        .filter(|(ar, caps)| {
            caps.supports_operation(verbs::LIST)
                && caps.supports_operation(verbs::GET)
                && !known(&ar.group, &ar.plural)
        })
        .map(|(ar, caps)| ApiKind {
            group: ar.group,
            version: ar.version,
            kind: ar.kind,
            plural: ar.plural,
            namespaced: caps.scope == Scope::Namespaced,
        })
        .collect()
}

/// Discovery one group at a time, after the whole failed: one broken aggregated API (a
/// metrics server that is down answers 503) must not hide every other group, as kubectl
/// carries on past it too. The groups that fail are logged and left out.
async fn group_by_group(
    cluster: &Cluster,
    client: &kube::Client,
    whole: kube::Error,
) -> Result<Vec<ApiGroup>> {
    let names: Vec<String> = match client.list_api_groups().await {
        Ok(list) => list.groups.into_iter().map(|g| g.name).collect(),
        Err(_) => return Err(from_kube(cluster.name(), whole)),
    };
    let mut groups = Vec::new();
    for name in std::iter::once(String::new()).chain(names) {
        match kube::discovery::group(client, &name).await {
            Ok(group) => groups.push(group),
            Err(e) => tracing::warn!(
                cluster = cluster.name(),
                group = %name,
                "discovery of API group failed, left out: {e}"
            ),
        }
    }
    Ok(groups)
}

/// The discovered kind a reference names, or a 404 saying the cluster does not serve it.
pub(crate) async fn resolve(
    cluster: &Cluster,
    kind: &ApiKindRef,
) -> Result<(ApiKind, ApiResource)> {
    let group = kind.api_group();
    let found = kinds(cluster)
        .await?
        .into_iter()
        .find(|k| k.group == group && k.version == kind.version && k.plural == kind.plural);
    let Some(found) = found else {
        let what = if group.is_empty() {
            format!("{}/{}", kind.version, kind.plural)
        } else {
            format!("{}.{group}/{}", kind.plural, kind.version)
        };
        return Err(Error::NotFound(format!(
            "cluster {} does not serve {what} (or Bosun has a page of its own for it)",
            cluster.name()
        )));
    };
    let api_version = if group.is_empty() {
        found.version.clone()
    } else {
        format!("{group}/{}", found.version)
    };
    let resource = ApiResource {
        group: found.group.clone(),
        version: found.version.clone(),
        api_version,
        kind: found.kind.clone(),
        plural: found.plural.clone(),
    };
    Ok((found, resource))
}

/// A page of a discovered kind: the API server's Table columns (priority 0, as `kubectl
/// get` prints them), filtered to what the caller may read.
pub async fn list(
    cluster: &Cluster,
    kind: &ApiKindRef,
    query: &CustomQuery,
    visible: &Visible<'_>,
) -> Result<CustomList> {
    let (found, resource) = resolve(cluster, kind).await?;
    let namespace = query
        .namespace
        .as_deref()
        .filter(|n| found.namespaced && !n.is_empty() && *n != "_all");
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let mut uri = format!(
        "{}?limit={limit}",
        raw::path(&resource, namespace, None, None)
    );
    if let Some(raw_selector) = query.label_selector.as_deref().filter(|s| !s.is_empty()) {
        let selector = LabelSelector::parse(raw_selector).map_err(Error::BadRequest)?;
        uri.push_str(&format!("&labelSelector={}", encode(&selector.to_query())));
    }
    if let Some(token) = query.continue_token.as_deref().filter(|t| !t.is_empty()) {
        uri.push_str(&format!("&continue={}", encode(token)));
    }
    let request = Request::builder()
        .uri(uri)
        .header(header::ACCEPT, ACCEPT_TABLE)
        .body(Vec::new())
        .map_err(|e| Error::Internal(format!("building a list request: {e}")))?;
    let client = &cluster.clients()?.action;
    let answer: Value = client
        .request(request)
        .await
        .map_err(|e| from_kube(cluster.name(), e))?;
    let mut page = read_table(found, &answer);
    page.rows
        .retain(|row| visible(cluster.name(), &row.namespace));
    Ok(page)
}

/// A query-string value, percent-encoded.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn text_of(cell: &Value) -> String {
    match cell {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Rows and columns from a `meta.k8s.io/v1` Table, or from a plain list when the API
/// server answers one.
fn read_table(kind: ApiKind, answer: &Value) -> CustomList {
    let meta = &answer["metadata"];
    let continue_token = meta["continue"]
        .as_str()
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let remaining = meta["remainingItemCount"].as_i64();
    let empty = Vec::new();
    if answer["kind"] != "Table" {
        let rows = answer["items"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .map(|item| CustomRow {
                namespace: text_of(&item["metadata"]["namespace"]),
                name: text_of(&item["metadata"]["name"]),
                cells: vec![text_of(&item["metadata"]["creationTimestamp"])],
            })
            .collect();
        return CustomList {
            kind,
            columns: vec!["Created".into()],
            rows,
            continue_token,
            remaining,
        };
    }
    let definitions = answer["columnDefinitions"].as_array().unwrap_or(&empty);
    let shown: Vec<usize> = definitions
        .iter()
        .enumerate()
        .filter(|(_, d)| d["priority"].as_i64().unwrap_or(0) == 0 && d["format"] != "name")
        .map(|(i, _)| i)
        .collect();
    let columns = shown
        .iter()
        .map(|&i| text_of(&definitions[i]["name"]))
        .collect();
    let rows = answer["rows"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .map(|row| {
            let cells = row["cells"].as_array().unwrap_or(&empty);
            CustomRow {
                namespace: text_of(&row["object"]["metadata"]["namespace"]),
                name: text_of(&row["object"]["metadata"]["name"]),
                cells: shown
                    .iter()
                    .map(|&i| cells.get(i).map(text_of).unwrap_or_default())
                    .collect(),
            }
        })
        .collect();
    CustomList {
        kind,
        columns,
        rows,
        continue_token,
        remaining,
    }
}

/// One object of a discovered kind, read now, without its `managedFields`.
pub async fn object(
    cluster: &Cluster,
    kind: &ApiKindRef,
    namespace: &str,
    name: &str,
) -> Result<CustomObject> {
    let (found, resource) = resolve(cluster, kind).await?;
    let namespace = if found.namespaced { namespace } else { "" };
    let path = raw::path(&resource, Some(namespace), Some(name), None);
    let client = &cluster.clients()?.action;
    let mut obj = raw::get(client, cluster.name(), &path).await?;
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    let yaml = serde_yaml::to_string(&obj)
        .map_err(|e| Error::Internal(format!("writing {name} as YAML: {e}")))?;
    let events = crate::events::about(cluster, &found.kind, namespace, name).await;
    let mut described = describe(found, &obj, yaml);
    match events {
        Ok(events) => described.events = events,
        Err(e) => described.events_unreadable = Some(e.to_string()),
    }
    Ok(described)
}

fn describe(kind: ApiKind, obj: &Value, yaml: String) -> CustomObject {
    let meta = &obj["metadata"];
    let labels = meta["labels"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), text_of(v))).collect())
        .unwrap_or_default();
    CustomObject {
        kind,
        namespace: text_of(&meta["namespace"]),
        name: text_of(&meta["name"]),
        created: text_of(&meta["creationTimestamp"]),
        labels,
        conditions: crate::rows::conditions(obj),
        yaml,
        events: Vec::new(),
        events_unreadable: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cert_kind() -> ApiKind {
        ApiKind {
            group: "cert-manager.io".into(),
            version: "v1".into(),
            kind: "Certificate".into(),
            plural: "certificates".into(),
            namespaced: true,
        }
    }

    #[test]
    fn a_table_gives_the_printed_columns_without_name_and_wide_ones() {
        let table = json!({
            "kind": "Table",
            "metadata": {"continue": "abc", "remainingItemCount": 3},
            "columnDefinitions": [
                {"name": "Name", "format": "name", "priority": 0},
                {"name": "Ready", "format": "", "priority": 0},
                {"name": "Issuer", "format": "", "priority": 1},
                {"name": "Age", "format": "", "priority": 0}
            ],
            "rows": [{"cells": ["shop-tls", "True", "letsencrypt", "5d"],
                      "object": {"metadata": {"name": "shop-tls", "namespace": "shop"}}}]
        });
        let page = read_table(cert_kind(), &table);
        assert_eq!(page.columns, vec!["Ready", "Age"]);
        assert_eq!(page.rows[0].cells, vec!["True", "5d"]);
        assert_eq!(
            (page.rows[0].namespace.as_str(), page.rows[0].name.as_str()),
            ("shop", "shop-tls")
        );
        assert_eq!(page.continue_token.as_deref(), Some("abc"));
        assert_eq!(page.remaining, Some(3));
    }

    #[test]
    fn conditions_and_labels_are_read_from_any_object() {
        let obj = json!({"metadata": {"name": "a", "namespace": "n", "labels": {"app": "web"}},
            "status": {"conditions": [{"type": "Ready", "status": "False", "reason": "Pending", "message": "waiting"}]}});
        let described = describe(cert_kind(), &obj, String::new());
        assert_eq!(
            described.labels,
            vec![("app".to_string(), "web".to_string())]
        );
        assert_eq!(described.conditions[0].type_, "Ready");
        assert_eq!(described.conditions[0].reason, "Pending");
        assert!(known("apps", "deployments"));
        assert!(!known("cert-manager.io", "certificates"));
    }
}
