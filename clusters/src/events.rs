//! The Events page's list: events of one or every cluster from a watch cache started on
//! the first look, filtered by namespace, type, reason, involved kind and name and words
//! of the message, warnings first and then the newest, paged on the server; and the
//! events about one object, for its page.

use std::cmp::Ordering;
use std::sync::Arc;

use bosun_core::backend::Visible;
use bosun_core::{Error, Result};
use bosun_model::{EventQuery, EventRow, KindId, Page};
use http::Method;
use kube::api::DynamicObject;

use crate::cluster::Cluster;
use crate::config::ACTION_DEADLINE;
use crate::error::with_deadline;
use crate::history::url_encode;
use crate::query::{selected, sorted_page};
use crate::resources::FIRST_LOOK;
use crate::rows;
use crate::{json, raw};

/// The filters, read once.
struct Filter {
    namespace: Option<String>,
    type_: Option<String>,
    reason: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    words: Option<String>,
}

fn lowered(raw: Option<&String>) -> Option<String> {
    raw.map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty() && s != "_all")
}

impl Filter {
    fn of(q: &EventQuery) -> Result<Self> {
        let type_ = lowered(q.type_.as_ref());
        if let Some(t) = type_
            .as_deref()
            .filter(|t| *t != "normal" && *t != "warning")
        {
            return Err(Error::BadRequest(format!(
                "event type {t:?} is not one Kubernetes writes: Normal or Warning"
            )));
        }
        Ok(Self {
            namespace: q.namespace.clone().filter(|n| !n.is_empty() && n != "_all"),
            type_,
            reason: lowered(q.reason.as_ref()),
            kind: lowered(q.kind.as_ref()),
            name: lowered(q.name.as_ref()),
            words: lowered(q.q.as_ref()),
        })
    }

    /// Reads the object's own fields, so only the events kept are turned into rows.
    fn keeps(&self, cluster: &str, e: &DynamicObject, visible: &Visible<'_>) -> bool {
        let namespace = e.metadata.namespace.as_deref().unwrap_or("");
        let field = |p: &str| json::str(&e.data, p).to_ascii_lowercase();
        self.namespace.as_deref().is_none_or(|n| n == namespace)
            && visible(cluster, namespace)
            && self.type_.as_deref().is_none_or(|t| field("/type") == t)
            && self.reason.as_deref().is_none_or(|r| field("/reason") == r)
            && self
                .kind
                .as_deref()
                .is_none_or(|k| field("/involvedObject/kind") == k)
            && self
                .name
                .as_deref()
                .is_none_or(|n| field("/involvedObject/name").contains(n))
            && self
                .words
                .as_deref()
                .is_none_or(|w| field("/message").contains(w))
    }
}

/// Warnings first, then the newest, then a stable order.
fn compare(a: &EventRow, b: &EventRow) -> Ordering {
    (b.type_ == "Warning")
        .cmp(&(a.type_ == "Warning"))
        .then_with(|| b.last_seen.cmp(&a.last_seen))
        .then_with(|| {
            (&a.cluster, &a.namespace, &a.object, &a.reason, &a.message).cmp(&(
                &b.cluster,
                &b.namespace,
                &b.object,
                &b.reason,
                &b.message,
            ))
        })
}

/// A page of events across the chosen clusters, the first look waiting for each
/// cluster's events to be listed.
///
/// # Errors
/// A filter that cannot match (400), an unknown cluster (404), or one cluster whose
/// events cannot be watched (its reason).
pub async fn list(
    clusters: &[Arc<Cluster>],
    q: &EventQuery,
    visible: &Visible<'_>,
) -> Result<Page<EventRow>> {
    for cluster in selected(clusters, q.cluster.as_deref())? {
        // A failure is reported by the page below, for this cluster alone.
        let _ = cluster.ready_cache(KindId::Event, FIRST_LOOK).await;
    }
    list_now(clusters, q, visible)
}

/// [`list`] from the caches as they are (a live page's next look).
///
/// # Errors
/// As [`list`].
pub fn list_now(
    clusters: &[Arc<Cluster>],
    q: &EventQuery,
    visible: &Visible<'_>,
) -> Result<Page<EventRow>> {
    let filter = Filter::of(q)?;
    let offset =
        Page::<EventRow>::offset_of(q.continue_token.as_deref()).map_err(Error::BadRequest)?;
    let targets = selected(clusters, q.cluster.as_deref())?;
    let single = targets.len() == 1;
    let mut found = Vec::new();
    let mut warnings = Vec::new();
    for cluster in targets {
        let objects = match cluster
            .cache(KindId::Event)
            .and_then(|c| c.objects().map_err(|s| cluster.not_ready("events", &s)))
        {
            Ok(objects) => objects,
            Err(e) if single => return Err(e),
            Err(e) => {
                warnings.push(e.to_string());
                continue;
            }
        };
        for event in objects {
            if filter.keeps(cluster.name(), &event, visible) {
                let mut row = rows::event_row(&rows::as_json(&event));
                row.cluster = cluster.name().to_string();
                found.push(row);
            }
        }
    }
    let mut page = sorted_page(found, compare, false, offset, q.limit);
    page.warnings = warnings;
    Ok(page)
}

/// Events read for one object at most. The API server applies the limit before any
/// order, so it is generous: the events of one object are few unless it misbehaves.
const MAX_OBJECT_EVENTS: usize = 1000;

/// The events about one object (`kind` as `involvedObject.kind` names it), warnings
/// first, then newest: asked of the cluster with a field selector, as `kubectl describe`
/// asks, so an object's page does not need the events' watch.
///
/// # Errors
/// The cluster's answer, or its silence past the action deadline.
pub async fn about(
    cluster: &Cluster,
    kind: &str,
    namespace: &str,
    name: &str,
) -> Result<Vec<EventRow>> {
    let selector = format!("involvedObject.name={name},involvedObject.kind={kind}");
    // Events of cluster-scoped objects (nodes, namespaces) live in any namespace.
    let scope = if namespace.is_empty() {
        String::new()
    } else {
        format!("/namespaces/{namespace}")
    };
    let path = format!(
        "/api/v1{scope}/events?fieldSelector={}&limit={MAX_OBJECT_EVENTS}",
        url_encode(&selector)
    );
    let client = &cluster.clients()?.action;
    let list = with_deadline(
        cluster.name(),
        ACTION_DEADLINE,
        raw::send(client, cluster.name(), Method::GET, &path, None, None),
    )
    .await?;
    let mut events: Vec<EventRow> = json::array(&list, "/items")
        .iter()
        .map(rows::event_row)
        .collect();
    events.sort_by(|a, b| {
        (b.type_ == "Warning", &b.last_seen).cmp(&(a.type_ == "Warning", &a.last_seen))
    });
    events.truncate(MAX_OBJECT_EVENTS);
    Ok(events)
}
