//! Lists served from the watch caches: filtered, sorted and paged on the server, so the
//! browser gets summary rows of one page and never a whole list.

use std::cmp::Ordering;
use std::sync::Arc;

use bosun_core::backend::Visible;
use bosun_core::{Error, Result};
use bosun_model::kinds::StatusShape;
use bosun_model::{
    KindId, NodeQuery, NodeRow, ObjectRef, Page, PodQuery, PodRow, RolloutQuery, RolloutRow,
    VmQuery, VmRow, WorkloadQuery, WorkloadRow,
};
use kube::api::DynamicObject;

use crate::cluster::Cluster;
use crate::rows::{self, as_json};
use crate::selector::{FieldSelector, LabelSelector};

fn bad(msg: String) -> Error {
    Error::BadRequest(msg)
}

fn label_selector(raw: Option<&str>) -> Result<LabelSelector> {
    LabelSelector::parse(raw.unwrap_or("")).map_err(bad)
}

fn name_filter(q: Option<&str>) -> Option<String> {
    q.map(|q| q.trim().to_ascii_lowercase())
        .filter(|q| !q.is_empty())
}

fn in_namespace(obj: &DynamicObject, namespace: Option<&str>) -> bool {
    namespace.is_none_or(|ns| obj.metadata.namespace.as_deref() == Some(ns))
}

fn matches_name(obj: &DynamicObject, q: Option<&str>) -> bool {
    q.is_none_or(|q| obj.metadata.name.as_deref().unwrap_or("").contains(q))
}

fn matches_labels(obj: &DynamicObject, selector: &LabelSelector) -> bool {
    selector.is_empty()
        || selector.matches(obj.metadata.labels.as_ref().unwrap_or(&Default::default()))
}

/// What every list keeps of a cache: objects in the namespace asked for (every one when
/// none), that the caller may see, whose name contains the search and whose labels match.
pub(crate) struct ObjectFilter<'a> {
    namespace: Option<&'a str>,
    name: Option<String>,
    selector: LabelSelector,
    visible: &'a Visible<'a>,
}

impl<'a> ObjectFilter<'a> {
    /// `namespace` `_all` or empty is every namespace.
    ///
    /// # Errors
    /// A label selector that does not parse (400).
    pub(crate) fn new(
        namespace: Option<&'a str>,
        q: Option<&str>,
        labels: Option<&str>,
        visible: &'a Visible<'a>,
    ) -> Result<Self> {
        Ok(Self {
            namespace: chosen_namespace(namespace),
            name: name_filter(q),
            selector: label_selector(labels)?,
            visible,
        })
    }

    /// Whether `obj`, cached for `cluster`, is in the list.
    pub(crate) fn keeps(&self, cluster: &str, obj: &DynamicObject) -> bool {
        in_namespace(obj, self.namespace)
            && (self.visible)(cluster, obj.metadata.namespace.as_deref().unwrap_or(""))
            && matches_name(obj, self.name.as_deref())
            && matches_labels(obj, &self.selector)
    }
}

/// A sort key: the field, and whether descending.
pub(crate) fn sort_spec(raw: Option<&str>, allowed: &[&str]) -> Result<(String, bool)> {
    let raw = raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("name");
    let (field, desc) = match raw.strip_prefix('-') {
        Some(f) => (f, true),
        None => (raw, false),
    };
    if allowed.contains(&field) {
        Ok((field.to_string(), desc))
    } else {
        Err(bad(format!(
            "cannot sort by {field:?}: use one of {}",
            allowed.join(", ")
        )))
    }
}

const WORKLOAD_SORTS: &[&str] = &[
    "name",
    "namespace",
    "kind",
    "cluster",
    "age",
    "status",
    "ready",
];
const POD_SORTS: &[&str] = &["name", "namespace", "status", "restarts", "node", "age"];

/// Cuts the page asked for out of the rows in their sort order (reversed when
/// descending). Only the rows up to the page's end are sorted: the rest are set apart in
/// linear time, so the first page of 50,000 costs little more than reading them.
pub(crate) fn sorted_page<T>(
    mut rows: Vec<T>,
    compare: impl Fn(&T, &T) -> Ordering,
    desc: bool,
    offset: usize,
    limit: Option<usize>,
) -> Page<T> {
    let order = |a: &T, b: &T| {
        let ord = compare(a, b);
        if desc { ord.reverse() } else { ord }
    };
    let total = rows.len();
    let limit = limit
        .unwrap_or(bosun_model::DEFAULT_PAGE)
        .clamp(1, bosun_model::MAX_PAGE);
    let end = offset.saturating_add(limit).min(total);
    if end > 0 && end < total {
        rows.select_nth_unstable_by(end - 1, order);
        rows.truncate(end);
    }
    rows.sort_by(order);
    Page {
        items: rows.into_iter().skip(offset).collect(),
        total,
        continue_token: (end < total).then(|| end.to_string()),
        warnings: Vec::new(),
    }
}

fn identity(a: &WorkloadRow) -> (&str, &str, &str) {
    (&a.cluster, &a.namespace, &a.name)
}

fn compare_workloads(field: &str, a: &WorkloadRow, b: &WorkloadRow) -> Ordering {
    let primary = match field {
        "name" => a.name.cmp(&b.name),
        "namespace" => a.namespace.cmp(&b.namespace),
        "kind" => a.kind.cmp(&b.kind),
        "cluster" => a.cluster.cmp(&b.cluster),
        // Youngest first: the smallest age.
        "age" => b.created.cmp(&a.created),
        // Worst first: failed, paused, progressing, healthy.
        "status" => b.health.cmp(&a.health),
        "ready" => (a.ready * b.desired.max(1)).cmp(&(b.ready * a.desired.max(1))),
        _ => Ordering::Equal,
    };
    primary.then_with(|| identity(a).cmp(&identity(b)))
}

/// The clusters a query covers: one by name (404 if unknown) or all.
pub(crate) fn selected<'a>(
    clusters: &'a [Arc<Cluster>],
    name: Option<&str>,
) -> Result<Vec<&'a Arc<Cluster>>> {
    match name.filter(|n| !n.is_empty() && *n != "_all") {
        None => Ok(clusters.iter().collect()),
        Some(name) => clusters
            .iter()
            .find(|c| c.name() == name)
            .map(|c| vec![c])
            .ok_or_else(|| Error::NotFound(format!("no cluster named {name:?}"))),
    }
}

/// A page of workloads across the chosen clusters and kinds. Kinds a cluster does not
/// serve are skipped when listing every kind; asked for by name, they are a 404. A cache
/// that cannot answer (syncing, failing) is a 503 with the reason for one cluster, and is
/// left out (with a warning) when listing every cluster.
pub fn workloads(
    clusters: &[Arc<Cluster>],
    q: &WorkloadQuery,
    visible: &Visible<'_>,
) -> Result<Page<WorkloadRow>> {
    if let Some(kind) = q
        .kind
        .filter(|k| k.info().category != bosun_model::Category::Workload)
    {
        return Err(bad(format!("{kind} are not workloads")));
    }
    let filter = ObjectFilter::new(
        q.namespace.as_deref(),
        q.q.as_deref(),
        q.label_selector.as_deref(),
        visible,
    )?;
    let (field, desc) = sort_spec(q.sort.as_deref(), WORKLOAD_SORTS)?;
    let offset = Page::<WorkloadRow>::offset_of(q.continue_token.as_deref()).map_err(bad)?;
    let targets = selected(clusters, q.cluster.as_deref())?;
    let single = targets.len() == 1;
    let mut rows_out = Vec::new();
    let mut warnings = Vec::new();
    for cluster in targets {
        let kinds: Vec<KindId> = match q.kind {
            Some(kind) => vec![kind],
            None => cluster
                .kinds()
                .into_iter()
                .filter(|k| k.info().category == bosun_model::Category::Workload)
                .collect(),
        };
        for kind in kinds {
            let cache = match cluster.cache(kind) {
                Ok(cache) => cache,
                Err(e) if single => return Err(e),
                Err(e) => {
                    warnings.push(e.to_string());
                    continue;
                }
            };
            let objects = match cache.objects() {
                Ok(objects) => objects,
                Err(state) => {
                    let err = cluster.not_ready(kind.route(), &state);
                    if single {
                        return Err(err);
                    }
                    warnings.push(err.to_string());
                    continue;
                }
            };
            rows_out.extend(
                objects
                    .iter()
                    .filter(|o| filter.keeps(cluster.name(), o))
                    .map(|o| rows::workload_row(cluster.name(), kind, o)),
            );
        }
    }
    let mut page = sorted_page(
        rows_out,
        |a, b| compare_workloads(&field, a, b),
        desc,
        offset,
        q.limit,
    );
    page.warnings = warnings;
    Ok(page)
}

/// The pod sorts that need the row (status, restarts); the others are made on the
/// cached objects by [`compare_pod_objects`].
fn compare_pods(field: &str, a: &PodRow, b: &PodRow) -> Ordering {
    let primary = match field {
        "status" => a.status.cmp(&b.status),
        // Most restarts first.
        "restarts" => b.restarts.cmp(&a.restarts),
        _ => Ordering::Equal,
    };
    primary.then_with(|| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)))
}

/// A page of pods of one cluster.
pub fn pods(cluster: &Cluster, q: &PodQuery, visible: &Visible<'_>) -> Result<Page<PodRow>> {
    let fields =
        FieldSelector::parse_for_pods(q.field_selector.as_deref().unwrap_or("")).map_err(bad)?;
    let (field, desc) = sort_spec(q.sort.as_deref(), POD_SORTS)?;
    let offset = Page::<PodRow>::offset_of(q.continue_token.as_deref()).map_err(bad)?;
    let filter = ObjectFilter::new(
        q.namespace.as_deref(),
        q.q.as_deref(),
        q.label_selector.as_deref(),
        visible,
    )?;
    let cache = cluster.cache(KindId::Pod)?;
    let objects = cache.objects().map_err(|s| cluster.not_ready("pods", &s))?;
    let matched: Vec<&Arc<DynamicObject>> = objects
        .iter()
        .filter(|o| filter.keeps(cluster.name(), o))
        .filter(|o| fields.matches_object(o))
        .collect();
    // Sorts on what the cached object holds as is skip building a row per pod: rows
    // are made for the page only.
    if POD_OBJECT_SORTS.contains(&field.as_str()) {
        let page = sorted_page(
            matched,
            |a, b| compare_pod_objects(&field, a, b),
            desc,
            offset,
            q.limit,
        );
        return Ok(page.map(|o| rows::pod_row(cluster.name(), o)));
    }
    let out: Vec<PodRow> = matched
        .into_iter()
        .map(|o| rows::pod_row(cluster.name(), o))
        .collect();
    Ok(sorted_page(
        out,
        |a, b| compare_pods(&field, a, b),
        desc,
        offset,
        q.limit,
    ))
}

/// Pod sorts [`compare_pod_objects`] answers from the cached object.
const POD_OBJECT_SORTS: &[&str] = &["name", "namespace", "node", "age"];

/// The pod sorts in [`POD_OBJECT_SORTS`], read from the cached objects (youngest first
/// for age); ties by namespace and name, as [`compare_pods`].
fn compare_pod_objects(field: &str, a: &DynamicObject, b: &DynamicObject) -> Ordering {
    fn name(o: &DynamicObject) -> &str {
        o.metadata.name.as_deref().unwrap_or("")
    }
    fn ns(o: &DynamicObject) -> &str {
        o.metadata.namespace.as_deref().unwrap_or("")
    }
    fn node(o: &DynamicObject) -> &str {
        crate::json::str(&o.data, "/spec/nodeName")
    }
    let primary = match field {
        "name" => name(a).cmp(name(b)),
        "namespace" => ns(a).cmp(ns(b)),
        "node" => node(a).cmp(node(b)),
        "age" => b
            .metadata
            .creation_timestamp
            .cmp(&a.metadata.creation_timestamp),
        _ => Ordering::Equal,
    };
    primary.then_with(|| (ns(a), name(a)).cmp(&(ns(b), name(b))))
}

/// One workload object from the cache.
pub fn workload_object(cluster: &Cluster, object: &ObjectRef) -> Result<Arc<DynamicObject>> {
    let cache = cluster.cache(object.kind)?;
    if let Err(state) = cache.complete() {
        return Err(cluster.not_ready(object.kind.route(), &state));
    }
    cache
        .get(&object.namespace, &object.name)
        .ok_or_else(|| not_found(object))
}

/// `deployments.apps "web" not found`, as the API server words it.
#[must_use]
pub fn not_found(object: &ObjectRef) -> Error {
    let info = object.kind.info();
    let resource = if info.group.is_empty() {
        info.plural.to_string()
    } else {
        format!("{}.{}", info.plural, info.group)
    };
    if object.namespace.is_empty() {
        return Error::NotFound(format!(
            "{resource} {:?} not found in cluster {}",
            object.name, object.cluster
        ));
    }
    Error::NotFound(format!(
        "{resource} {:?} not found in namespace {:?} of cluster {}",
        object.name, object.namespace, object.cluster
    ))
}

/// The pods that belong to a workload, from the pod cache: by its selector, or for
/// schedules by the Jobs they own.
pub fn pods_of(cluster: &Cluster, object: &ObjectRef) -> Result<Vec<Arc<DynamicObject>>> {
    let workload = workload_object(cluster, object)?;
    let pods_cache = cluster.cache(KindId::Pod)?;
    let pods = pods_cache
        .objects()
        .map_err(|s| cluster.not_ready("pods", &s))?;
    let in_ns = pods
        .into_iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(object.namespace.as_str()));
    if object.kind.info().shape == StatusShape::Schedule {
        let uid = workload.metadata.uid.clone().unwrap_or_default();
        let job_uids: Vec<String> = [KindId::Job, KindId::BroadcastJob]
            .into_iter()
            .filter_map(|k| cluster.cache(k).ok())
            .filter_map(|c| c.objects().ok())
            .flatten()
            .filter(|j| owned_by(j, &uid))
            .filter_map(|j| j.metadata.uid.clone())
            .collect();
        return Ok(in_ns
            .filter(|p| job_uids.iter().any(|u| owned_by(p, u)))
            .collect());
    }
    let selector = rows::selector_of(&as_json(&workload));
    if selector.is_empty() {
        return Ok(Vec::new());
    }
    Ok(in_ns.filter(|p| matches_labels(p, &selector)).collect())
}

fn owned_by(obj: &DynamicObject, uid: &str) -> bool {
    obj.metadata
        .owner_references
        .as_ref()
        .is_some_and(|refs| refs.iter().any(|r| r.uid == uid))
}

/// A cluster and the cached objects of one kind in it.
type ClusterObjects<'a> = (&'a Arc<Cluster>, Vec<Arc<DynamicObject>>);

/// The objects of `kind` in every chosen cluster, for lists over several clusters: a
/// cluster whose cache cannot answer is an error when it is the only one, else a warning.
fn objects_across<'a>(
    targets: Vec<&'a Arc<Cluster>>,
    kind: KindId,
    warnings: &mut Vec<String>,
) -> Result<Vec<ClusterObjects<'a>>> {
    let single = targets.len() == 1;
    let mut out = Vec::new();
    for cluster in targets {
        let found = cluster.cache(kind).and_then(|cache| {
            cache
                .objects()
                .map_err(|state| cluster.not_ready(kind.route(), &state))
        });
        match found {
            Ok(objects) => out.push((cluster, objects)),
            Err(e) if single => return Err(e),
            // A cluster without the kind's API is simply not listed.
            Err(Error::NotFound(_)) => {}
            Err(e) => warnings.push(e.to_string()),
        }
    }
    Ok(out)
}

fn chosen_namespace(raw: Option<&str>) -> Option<&str> {
    raw.filter(|n| !n.is_empty() && *n != "_all")
}

/// Whether a rollout's workload carries the in-progressing annotation.
#[must_use]
pub fn workload_rolling(cluster: &Cluster, namespace: &str, ro: &DynamicObject) -> bool {
    let Some(kind) = rows::workload_ref(&as_json(ro)).and_then(|w| w.kind_id.map(|k| (k, w.name)))
    else {
        return false;
    };
    cluster
        .cache(kind.0)
        .ok()
        .and_then(|c| c.get(namespace, &kind.1))
        .is_some_and(|w| {
            w.metadata
                .annotations
                .as_ref()
                .is_some_and(|a| a.contains_key(rows::IN_PROGRESSING))
        })
}

/// What a list of one kind across clusters is narrowed to: the clusters, a namespace
/// and a name search (`_all` or empty for every one).
struct ListScope<'q> {
    cluster: Option<&'q str>,
    namespace: Option<&'q str>,
    q: Option<&'q str>,
}

/// The rows of `kind` in the scope's clusters and namespace that the caller may see and
/// whose name matches, each made by `row` from its cluster and object.
fn rows_across<R>(
    clusters: &[Arc<Cluster>],
    kind: KindId,
    scope: &ListScope<'_>,
    visible: &Visible<'_>,
    warnings: &mut Vec<String>,
    row: impl Fn(&Cluster, &DynamicObject) -> R,
) -> Result<Vec<R>> {
    let filter = ObjectFilter::new(scope.namespace, scope.q, None, visible)?;
    let found = objects_across(selected(clusters, scope.cluster)?, kind, warnings)?;
    let mut out = Vec::new();
    for (cluster, objects) in found {
        out.extend(
            objects
                .iter()
                .filter(|o| filter.keeps(cluster.name(), o))
                .map(|o| row(cluster, o)),
        );
    }
    Ok(out)
}

/// A page of rollouts, newest-first within a namespace order: active ones first.
pub fn rollouts(
    clusters: &[Arc<Cluster>],
    q: &RolloutQuery,
    visible: &Visible<'_>,
) -> Result<Page<RolloutRow>> {
    let offset = Page::<RolloutRow>::offset_of(q.continue_token.as_deref()).map_err(bad)?;
    let scope = ListScope {
        cluster: q.cluster.as_deref(),
        namespace: q.namespace.as_deref(),
        q: q.q.as_deref(),
    };
    let mut warnings = Vec::new();
    let mut out = rows_across(
        clusters,
        KindId::Rollout,
        &scope,
        visible,
        &mut warnings,
        |cluster, o| {
            let ns = o.metadata.namespace.as_deref().unwrap_or("");
            rows::rollout_row(cluster.name(), o, workload_rolling(cluster, ns, o))
        },
    )?;
    out.retain(|r| !q.active || r.active);
    let mut page = sorted_page(
        out,
        |a, b| {
            (b.active, &a.cluster, &a.namespace, &a.name).cmp(&(
                a.active,
                &b.cluster,
                &b.namespace,
                &b.name,
            ))
        },
        false,
        offset,
        q.limit,
    );
    page.warnings = warnings;
    Ok(page)
}

/// The instance of a VM (same namespace and name), from the cache. An error while the
/// instance cache is not complete: "no instance" must mean the VM has none, since a
/// tracked operation decides on it.
pub fn vm_instance(
    cluster: &Cluster,
    namespace: &str,
    name: &str,
) -> Result<Option<Arc<DynamicObject>>> {
    let kind = KindId::VirtualMachineInstance;
    let cache = cluster.cache(kind)?;
    if let Err(state) = cache.complete() {
        return Err(cluster.not_ready(kind.route(), &state));
    }
    Ok(cache.get(namespace, name))
}

/// A page of virtual machines, each joined with its instance.
pub fn vms(clusters: &[Arc<Cluster>], q: &VmQuery, visible: &Visible<'_>) -> Result<Page<VmRow>> {
    let offset = Page::<VmRow>::offset_of(q.continue_token.as_deref()).map_err(bad)?;
    let status = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let scope = ListScope {
        cluster: q.cluster.as_deref(),
        namespace: q.namespace.as_deref(),
        q: q.q.as_deref(),
    };
    let mut warnings = Vec::new();
    let mut out = rows_across(
        clusters,
        KindId::VirtualMachine,
        &scope,
        visible,
        &mut warnings,
        |cluster, o| {
            let ns = o.metadata.namespace.as_deref().unwrap_or("");
            let name = o.metadata.name.as_deref().unwrap_or("");
            // A list row may show a VM before its instance cache has synced.
            let vmi = vm_instance(cluster, ns, name).ok().flatten();
            rows::vm_row(cluster.name(), o, vmi.as_deref())
        },
    )?;
    out.retain(|r| status.is_none_or(|s| r.status.eq_ignore_ascii_case(s)));
    let mut page = sorted_page(
        out,
        |a, b| (&a.cluster, &a.namespace, &a.name).cmp(&(&b.cluster, &b.namespace, &b.name)),
        false,
        offset,
        q.limit,
    );
    page.warnings = warnings;
    Ok(page)
}

/// The cached pods bound to a node, every phase. A scan of the pod cache: what a node's
/// page needs once, not what a list of 50,000 pods asks per row.
pub fn pods_on_node(cluster: &Cluster, node: &str) -> Result<Vec<Arc<DynamicObject>>> {
    let cache = cluster.cache(KindId::Pod)?;
    let pods = cache
        .objects()
        .map_err(|state| cluster.not_ready("pods", &state))?;
    Ok(pods
        .into_iter()
        .filter(|p| crate::json::str(&p.data, "/spec/nodeName") == node)
        .collect())
}

/// How many active pods each node of a cluster holds, counted in one pass over the pods.
fn pods_per_node(cluster: &Cluster) -> std::collections::HashMap<String, usize> {
    let mut counts = std::collections::HashMap::new();
    if let Ok(pods) = cluster.cache(KindId::Pod).and_then(|c| {
        c.objects()
            .map_err(|state| cluster.not_ready("pods", &state))
    }) {
        for pod in pods.iter().filter(|p| rows::pod_is_active(p)) {
            let node = crate::json::str(&pod.data, "/spec/nodeName");
            if !node.is_empty() {
                *counts.entry(node.to_string()).or_default() += 1;
            }
        }
    }
    counts
}

const NODE_SORTS: &[&str] = &["name", "cluster", "age", "status", "pods"];

fn compare_nodes(field: &str, a: &NodeRow, b: &NodeRow) -> Ordering {
    let primary = match field {
        "age" => b.created.cmp(&a.created),
        // Not ready, then cordoned, first.
        "status" => (a.ready, a.schedulable).cmp(&(b.ready, b.schedulable)),
        "pods" => b.pods.cmp(&a.pods),
        "cluster" => a.cluster.cmp(&b.cluster),
        _ => Ordering::Equal,
    };
    primary.then_with(|| (&a.name, &a.cluster).cmp(&(&b.name, &b.cluster)))
}

/// A page of nodes across the chosen clusters: by name, label selector, sorted and paged.
pub fn nodes(
    clusters: &[Arc<Cluster>],
    q: &NodeQuery,
    visible: &Visible<'_>,
) -> Result<Page<NodeRow>> {
    let filter = ObjectFilter::new(None, q.q.as_deref(), q.label_selector.as_deref(), visible)?;
    let (field, desc) = sort_spec(q.sort.as_deref(), NODE_SORTS)?;
    let offset = Page::<NodeRow>::offset_of(q.continue_token.as_deref()).map_err(bad)?;
    let mut warnings = Vec::new();
    let found = objects_across(
        selected(clusters, q.cluster.as_deref())?,
        KindId::Node,
        &mut warnings,
    )?;
    let mut out = Vec::new();
    for (cluster, objects) in found {
        // A cluster the caller may not see costs no count of its pods.
        if !visible(cluster.name(), "") {
            continue;
        }
        let counts = pods_per_node(cluster);
        out.extend(
            objects
                .iter()
                .filter(|o| filter.keeps(cluster.name(), o))
                .map(|o| {
                    let name = o.metadata.name.as_deref().unwrap_or("");
                    rows::node_row(cluster.name(), o, counts.get(name).copied().unwrap_or(0))
                }),
        );
    }
    let mut page = sorted_page(
        out,
        |a, b| compare_nodes(&field, a, b),
        desc,
        offset,
        q.limit,
    );
    page.warnings = warnings;
    Ok(page)
}
