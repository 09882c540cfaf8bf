//! The Resources pages' reads: pages of any Resources kind across clusters, one object's
//! detail with the objects it refers to, and a Secret's value fetched live on request.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use bosun_core::backend::Visible;
use bosun_core::{Error, Result};
use bosun_model::resource::RESOURCE_SORTS;
use bosun_model::{
    KindId, ObjectRef, Page, ResourceDetail, ResourceQuery, ResourceRow, SecretValue, Section,
};
use kube::api::DynamicObject;
use serde_json::Value;

use crate::cluster::Cluster;
use crate::query::{ObjectFilter, not_found, selected, sort_spec, sorted_page};
use crate::rows::{self, NamespaceTally, as_json, sections};
use crate::{json, raw};

/// How long the first look at a kind watched on demand waits for its first list.
pub const FIRST_LOOK: Duration = Duration::from_secs(10);
/// How long a detail page waits for a related kind (a Service's Endpoints).
const RELATED: Duration = Duration::from_secs(3);

/// A page of one Resources kind across the chosen clusters, starting the kind's watch
/// where it is not running yet (the first look waits up to [`FIRST_LOOK`] for its list).
pub async fn list(
    clusters: &[Arc<Cluster>],
    q: &ResourceQuery,
    visible: &Visible<'_>,
) -> Result<Page<ResourceRow>> {
    listable(q.kind)?;
    for cluster in selected(clusters, q.cluster.as_deref())? {
        // A failure is reported by the page below, for this cluster alone.
        let _ = cluster.ready_cache(q.kind, FIRST_LOOK).await;
    }
    list_now(clusters, q, visible)
}

/// Whether the Resources pages list this kind (the others have pages of their own).
fn listable(kind: KindId) -> Result<()> {
    if kind.info().category.is_resource() {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "{kind} are not listed here: they have a page of their own"
        )))
    }
}

/// [`list`] from the caches as they are, without waiting (a live page's next look).
///
/// # Errors
/// As [`list`]; a cluster whose cache of the kind is not ready is a warning on the page,
/// or the error when it is the only cluster asked.
pub fn list_now(
    clusters: &[Arc<Cluster>],
    q: &ResourceQuery,
    visible: &Visible<'_>,
) -> Result<Page<ResourceRow>> {
    listable(q.kind)?;
    let namespace = q.namespace.as_deref().filter(|_| q.kind.info().namespaced);
    let filter = ObjectFilter::new(
        namespace,
        q.q.as_deref(),
        q.label_selector.as_deref(),
        visible,
    )?;
    let (field, desc) = sort_spec(q.sort.as_deref(), RESOURCE_SORTS)?;
    let offset =
        Page::<ResourceRow>::offset_of(q.continue_token.as_deref()).map_err(Error::BadRequest)?;
    let targets = selected(clusters, q.cluster.as_deref())?;
    let single = targets.len() == 1;
    let mut matched: Vec<(&Arc<Cluster>, Arc<DynamicObject>)> = Vec::new();
    let mut warnings = Vec::new();
    for cluster in targets {
        let objects = match cluster.cache(q.kind).and_then(|c| {
            c.objects()
                .map_err(|s| cluster.not_ready(q.kind.info().plural, &s))
        }) {
            Ok(objects) => objects,
            Err(e) if single => return Err(e),
            Err(e) => {
                warnings.push(e.to_string());
                continue;
            }
        };
        matched.extend(
            objects
                .into_iter()
                .filter(|o| filter.keeps(cluster.name(), o))
                .map(|o| (cluster, o)),
        );
    }
    let page = sorted_page(matched, |a, b| compare(&field, a, b), desc, offset, q.limit);
    let mut tallies: Vec<(String, NamespaceTally)> = Vec::new();
    if q.kind == KindId::Namespace {
        for (cluster, _) in &page.items {
            if !tallies.iter().any(|(name, _)| name == cluster.name()) {
                tallies.push((cluster.name().to_string(), namespace_tally(cluster)));
            }
        }
    }
    let empty = NamespaceTally::default();
    let mut page = page.map(|(cluster, obj)| {
        let tally = tallies
            .iter()
            .find(|(name, _)| name == cluster.name())
            .map_or(&empty, |(_, t)| t);
        rows::resource_row(cluster.name(), q.kind, &obj, tally)
    });
    page.warnings = warnings;
    Ok(page)
}

fn compare(
    field: &str,
    a: &(&Arc<Cluster>, Arc<DynamicObject>),
    b: &(&Arc<Cluster>, Arc<DynamicObject>),
) -> std::cmp::Ordering {
    fn key<'a>(x: &'a (&Arc<Cluster>, Arc<DynamicObject>)) -> (&'a str, &'a str, &'a str) {
        (
            x.0.name(),
            x.1.metadata.namespace.as_deref().unwrap_or(""),
            x.1.metadata.name.as_deref().unwrap_or(""),
        )
    }
    let (ka, kb) = (key(a), key(b));
    let primary = match field {
        "name" => ka.2.cmp(kb.2),
        "namespace" => ka.1.cmp(kb.1),
        "cluster" => ka.0.cmp(kb.0),
        // Youngest first.
        "age" => {
            b.1.metadata
                .creation_timestamp
                .cmp(&a.1.metadata.creation_timestamp)
        }
        _ => std::cmp::Ordering::Equal,
    };
    primary.then_with(|| ka.cmp(&kb))
}

/// Pods, workloads and quota usage per namespace, in one pass over each cache.
fn namespace_tally(cluster: &Cluster) -> NamespaceTally {
    let mut tally = NamespaceTally::default();
    let count = |kind: KindId, into: &mut std::collections::BTreeMap<String, usize>| {
        if let Some(objects) = cluster.cache(kind).ok().and_then(|c| c.objects().ok()) {
            for o in objects {
                *into
                    .entry(o.metadata.namespace.clone().unwrap_or_default())
                    .or_default() += 1;
            }
        }
    };
    count(KindId::Pod, &mut tally.pods);
    for kind in KindId::workloads() {
        count(kind, &mut tally.workloads);
    }
    if let Some(quotas) = cluster
        .cache(KindId::ResourceQuota)
        .ok()
        .and_then(|c| c.objects().ok())
    {
        for quota in quotas {
            let ns = quota.metadata.namespace.clone().unwrap_or_default();
            let usage = rows::quota_usage(&quota.data);
            let entry = tally.quota.entry(ns).or_default();
            if !entry.is_empty() {
                entry.push_str("; ");
            }
            entry.push_str(&usage);
        }
    }
    tally
}

/// One object of a Resources kind, with its sections.
pub async fn detail(cluster: &Cluster, object: &ObjectRef) -> Result<ResourceDetail> {
    let cache = cluster.ready_cache(object.kind, FIRST_LOOK).await?;
    let obj = cache
        .get(&object.namespace, &object.name)
        .ok_or_else(|| not_found(object))?;
    let v = as_json(&obj);
    let sections = sections_of(cluster, object, &obj, &v).await;
    let tally = if object.kind == KindId::Namespace {
        namespace_tally(cluster)
    } else {
        NamespaceTally::default()
    };
    Ok(ResourceDetail {
        row: rows::resource_row(cluster.name(), object.kind, &obj, &tally),
        annotations: obj.metadata.annotations.clone().unwrap_or_default(),
        sections,
        yaml: rows::yaml(&obj),
        resource_version: obj.metadata.resource_version.clone().unwrap_or_default(),
    })
}

/// A related object from its kind's cache, waiting briefly for a cache started on demand.
async fn related(cluster: &Cluster, kind: KindId, namespace: &str, name: &str) -> Option<Value> {
    let cache = cluster.ready_cache(kind, RELATED).await.ok()?;
    cache.get(namespace, name).map(|o| as_json(&o))
}

async fn sections_of(
    cluster: &Cluster,
    object: &ObjectRef,
    obj: &DynamicObject,
    v: &Value,
) -> Vec<Section> {
    let ns = object.namespace.as_str();
    match object.kind {
        KindId::Service => {
            let endpoints = related(cluster, KindId::Endpoints, ns, &object.name).await;
            sections::service(v, endpoints.as_ref())
        }
        KindId::Ingress => sections::ingress(v),
        KindId::Endpoints => vec![sections::endpoints_table(v)],
        KindId::EndpointSlice => sections::endpoint_slice(v),
        KindId::NetworkPolicy => sections::network_policy(v),
        KindId::PersistentVolume => sections::persistent_volume(v),
        KindId::PersistentVolumeClaim => {
            sections::persistent_volume_claim(v, &pods_using_claim(cluster, ns, &object.name))
        }
        KindId::StorageClass => sections::storage_class(v, rows::is_default_class(obj)),
        KindId::ConfigMap => sections::config_map(v),
        KindId::Secret => {
            let mut out = sections::secret(v);
            if json::str(v, "/type") == "kubernetes.io/tls" {
                out.push(certificate_section(cluster, object).await);
            }
            out
        }
        KindId::ResourceQuota => sections::resource_quota(v),
        KindId::LimitRange => sections::limit_range(v),
        KindId::PodDisruptionBudget => sections::disruption_budget(v),
        KindId::ServiceAccount => sections::service_account(v),
        KindId::Role | KindId::ClusterRole => sections::role(v),
        KindId::RoleBinding | KindId::ClusterRoleBinding => {
            let role_name = json::str(v, "/roleRef/name");
            let role = match json::str(v, "/roleRef/kind") {
                "Role" => related(cluster, KindId::Role, ns, role_name).await,
                _ => related(cluster, KindId::ClusterRole, "", role_name).await,
            };
            sections::binding(v, role.as_ref(), ns)
        }
        KindId::Namespace => {
            let contents = namespace_contents(cluster, &object.name).await;
            let in_namespace = |kind| async move {
                match cluster.ready_cache(kind, RELATED).await {
                    Ok(cache) => cache
                        .objects()
                        .unwrap_or_default()
                        .iter()
                        .filter(|q| q.metadata.namespace.as_deref() == Some(object.name.as_str()))
                        .map(|q| as_json(q))
                        .collect(),
                    Err(_) => Vec::new(),
                }
            };
            let quotas: Vec<Value> = in_namespace(KindId::ResourceQuota).await;
            let limits: Vec<Value> = in_namespace(KindId::LimitRange).await;
            sections::namespace(v, &contents, &quotas, &limits)
        }
        _ => Vec::new(),
    }
}

/// `namespace/pod` of the pods that mount a claim.
fn pods_using_claim(cluster: &Cluster, namespace: &str, claim: &str) -> Vec<String> {
    let Some(pods) = cluster
        .cache(KindId::Pod)
        .ok()
        .and_then(|c| c.objects().ok())
    else {
        return Vec::new();
    };
    let mut names: Vec<String> = pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(namespace))
        .filter(|p| {
            json::array(&p.data, "/spec/volumes")
                .iter()
                .any(|vol| json::str(vol, "/persistentVolumeClaim/claimName") == claim)
        })
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    names.sort();
    names
}

/// How many objects of each namespaced kind the namespace holds: what deleting it deletes.
async fn namespace_contents(cluster: &Cluster, namespace: &str) -> Vec<(String, usize)> {
    let kinds: Vec<_> = bosun_model::KINDS
        .iter()
        .filter(|k| k.namespaced && k.category != bosun_model::Category::Companion)
        .collect();
    // Every watch started first, so their first lists arrive together.
    for info in &kinds {
        let _ = cluster.cache(info.id);
    }
    let mut out = Vec::new();
    for info in kinds {
        let Ok(cache) = cluster.ready_cache(info.id, RELATED).await else {
            continue;
        };
        let n = cache
            .objects()
            .unwrap_or_default()
            .iter()
            .filter(|o| o.metadata.namespace.as_deref() == Some(namespace))
            .count();
        out.push((info.label.to_string(), n));
    }
    out
}

/// A TLS Secret's certificate, read from the cluster now (the cache holds only sizes;
/// the private key is read with it but never leaves this function).
async fn certificate_section(cluster: &Cluster, object: &ObjectRef) -> bosun_model::Section {
    let unreadable =
        |why: String| bosun_model::Section::new("Certificate", &["Field", "Value"]).with_note(&why);
    match secret_value(cluster, object, "tls.crt").await {
        Ok(value) => match crate::certificate::parse_pem(&value.value) {
            Some(info) => crate::certificate::section(&info, &bosun_core::db::now_rfc3339()),
            None => unreadable("tls.crt holds no PEM certificate Bosun can read".into()),
        },
        Err(e) => unreadable(format!("the certificate could not be read: {e}")),
    }
}

/// One value of a Secret, read from the cluster now (the cache holds only sizes).
pub async fn secret_value(cluster: &Cluster, object: &ObjectRef, key: &str) -> Result<SecretValue> {
    let resource = cluster.resource(KindId::Secret)?;
    let path = raw::path(&resource, Some(&object.namespace), Some(&object.name), None);
    let client = &cluster.clients()?.action;
    let secret = raw::get(client, cluster.name(), &path).await?;
    let data = secret
        .get("data")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let Some(stored) = data.get(key).and_then(Value::as_str) else {
        let keys: Vec<&str> = data.keys().map(String::as_str).collect();
        return Err(Error::NotFound(format!(
            "secret {}/{} has no key {key:?} (its keys: {})",
            object.namespace,
            object.name,
            if keys.is_empty() {
                "none".to_string()
            } else {
                keys.join(", ")
            }
        )));
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(stored.trim())
        .map_err(|e| {
            Error::Internal(format!(
                "secret {}/{} key {key:?} is not valid base64: {e}",
                object.namespace, object.name
            ))
        })?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => SecretValue {
            key: key.to_string(),
            value: text,
            encoding: "utf-8".to_string(),
        },
        Err(_) => SecretValue {
            key: key.to_string(),
            value: stored.to_string(),
            encoding: "base64".to_string(),
        },
    })
}
