//! Workloads and pods: reading them (authorized, served from the backend's caches) and
//! acting on them through the one audited action call.

use bosun_model::{
    Action, ActionReply, AuditEntry, AuditQuery, BatchItem, BatchStatus, EventRow, KindId,
    LogOptions, ObjectRef, Page, PodDetail, PodQuery, PodRow, RevisionRow, RolloutStatus,
    WorkloadDetail, WorkloadQuery, WorkloadRow,
};
use futures::{Stream, StreamExt};
use serde_json::json;

use crate::actions::{perform, read};
use crate::authz::Target;
use crate::backend::{LogStream, Operation};
use crate::clusters::validate_namespace;
use crate::request::Invocation;
use crate::{Context, Error, Result};

/// Checks an object name the way the API server does (a DNS subdomain), so a bad name is
/// refused before any request reaches a cluster.
pub fn validate_object_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "name {name:?} is invalid: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (at most 253)"
        )))
    }
}

/// Checks the names in an object reference.
pub fn validate_ref(object: &ObjectRef) -> Result<()> {
    crate::clusters::validate_cluster_name(&object.cluster)?;
    if object.kind.info().namespaced {
        validate_namespace(&object.namespace)?;
    } else if !object.namespace.is_empty() {
        return Err(Error::BadRequest(format!(
            "{} are cluster-scoped: they have no namespace (got {:?})",
            object.kind.route(),
            object.namespace
        )));
    }
    validate_object_name(&object.name)
}

fn scope_target(cluster: Option<&str>, namespace: Option<&str>) -> Target {
    Target::scope(cluster.unwrap_or(""), namespace.unwrap_or(""))
}

/// Whether the caller may read objects of `cluster` and `namespace`: what lists filter by.
pub fn visibility(inv: &Invocation) -> impl Fn(&str, &str) -> bool + Sync + '_ {
    move |cluster, namespace| {
        crate::authz::authorize(
            inv.caller.as_ref(),
            Action::Read,
            &Target::scope(cluster, namespace),
        )
        .is_ok()
    }
}

/// A page of workloads, filtered and sorted on the server from the watch caches, holding
/// only what the caller may read.
pub async fn list(
    ctx: &Context,
    inv: &Invocation,
    query: &WorkloadQuery,
) -> Result<Page<WorkloadRow>> {
    let target = scope_target(query.cluster.as_deref(), query.namespace.as_deref());
    read(ctx, inv, target, async {
        ctx.clusters.workloads(query, &visibility(inv))
    })
    .await
}

/// The receivers of every cache a list of `kinds` in `cluster` (or every cluster) is made
/// of; kinds a cluster does not serve have none.
pub(crate) fn list_receivers(
    ctx: &Context,
    cluster: Option<&str>,
    kinds: &[KindId],
) -> Vec<tokio::sync::watch::Receiver<u64>> {
    let clusters: Vec<String> = match cluster {
        Some(c) => vec![c.to_string()],
        // The names only: summaries would count every cache for nothing.
        None => ctx
            .clusters
            .connected()
            .into_iter()
            .map(|(name, _)| name)
            .collect(),
    };
    clusters
        .iter()
        .flat_map(|c| {
            kinds
                .iter()
                .filter_map(move |k| ctx.clusters.changes(&ObjectRef::new(c, "", *k, "")).ok())
        })
        .collect()
}

/// A live list: the page now, then again each time a cache it is made of changes and the
/// page (its rows or its total) differs. Pages follow the cluster this way instead of
/// asking again. `receivers` must be taken before `first` is made (a change between the
/// two would otherwise count as seen, and show only at the next change).
pub(crate) fn live_page<T, F>(
    cluster: Option<&str>,
    receivers: Vec<tokio::sync::watch::Receiver<u64>>,
    first: Page<T>,
    fetch: F,
) -> impl Stream<Item = Result<Page<T>>> + Send + use<T, F>
where
    T: Clone + PartialEq + Send + Sync + 'static,
    F: Fn() -> Result<Page<T>> + Send + Sync + 'static,
{
    let what = cluster.unwrap_or("every cluster").to_string();
    crate::live::follow(what, receivers, first, fetch)
}

/// [`list`], followed live.
pub async fn follow_list(
    ctx: &Context,
    inv: &Invocation,
    query: &WorkloadQuery,
) -> Result<impl Stream<Item = Result<Page<WorkloadRow>>> + Send + 'static> {
    let kinds: Vec<KindId> = match query.kind {
        Some(kind) => vec![kind],
        None => KindId::workloads().collect(),
    };
    let receivers = list_receivers(ctx, query.cluster.as_deref(), &kinds);
    let first = list(ctx, inv, query).await?;
    let cluster = query.cluster.clone();
    let (backend, inv, query) = (ctx.clusters.clone(), inv.clone(), query.clone());
    Ok(live_page(cluster.as_deref(), receivers, first, move || {
        backend.workloads(&query, &visibility(&inv))
    }))
}

/// [`pods`], followed live.
pub async fn follow_pods(
    ctx: &Context,
    inv: &Invocation,
    query: &PodQuery,
) -> Result<impl Stream<Item = Result<Page<PodRow>>> + Send + 'static> {
    let receivers = list_receivers(ctx, Some(&query.cluster), &[KindId::Pod]);
    let first = pods(ctx, inv, query).await?;
    let cluster = query.cluster.clone();
    let (backend, inv, query) = (ctx.clusters.clone(), inv.clone(), query.clone());
    Ok(live_page(Some(&cluster), receivers, first, move || {
        backend.pods(&query, &visibility(&inv))
    }))
}

async fn read_object<T, F, Fut>(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
    call: F,
) -> Result<T>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    read(ctx, inv, Target::object(object), async {
        validate_ref(object)?;
        call().await
    })
    .await
}

/// One workload's detail.
pub async fn detail(ctx: &Context, inv: &Invocation, object: &ObjectRef) -> Result<WorkloadDetail> {
    read_object(ctx, inv, object, || ctx.clusters.workload(object)).await
}

/// The pods a workload selects.
pub async fn pods_of(ctx: &Context, inv: &Invocation, object: &ObjectRef) -> Result<Vec<PodRow>> {
    read_object(ctx, inv, object, || async {
        ctx.clusters.workload_pods(object)
    })
    .await
}

/// A workload's revision history.
pub async fn revisions(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
) -> Result<Vec<RevisionRow>> {
    read_object(ctx, inv, object, || ctx.clusters.revisions(object)).await
}

/// Events about an object.
pub async fn events(ctx: &Context, inv: &Invocation, object: &ObjectRef) -> Result<Vec<EventRow>> {
    read_object(ctx, inv, object, || ctx.clusters.events(object)).await
}

/// Where a workload's rollout stands (`kubectl rollout status`); with `since`, as seen by
/// someone following it since then (the console's deadline applies).
pub async fn status(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
    since: Option<&str>,
) -> Result<RolloutStatus> {
    read_object(ctx, inv, object, || async {
        ctx.clusters.rollout_status(object, since)
    })
    .await
}

/// How often a followed rollout is re-checked without a change in the cache (the console
/// deadline is a matter of time, not of events).
const FOLLOW_TICK: std::time::Duration = std::time::Duration::from_secs(2);

/// Longest a rollout is followed for one request; a stuck rollout without a deadline
/// ends the stream here.
const FOLLOW_AT_MOST: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// Follows a workload's rollout: its status now, then each time it changes, until it is
/// done or failed (the console's deadline counting from `since`, or from now). Driven by
/// the watch cache's change notifications, not by polling the
/// cluster.
pub async fn follow_status(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
    since: Option<String>,
) -> Result<impl Stream<Item = Result<RolloutStatus>> + Send + 'static> {
    let changes = read_object(ctx, inv, object, || async { ctx.clusters.changes(object) }).await?;
    let backend = ctx.clusters.clone();
    let object = object.clone();
    let since = since.unwrap_or_else(crate::db::now_rfc3339);
    let give_up = tokio::time::Instant::now() + FOLLOW_AT_MOST;
    let state = (changes, None::<RolloutStatus>, false);
    Ok(futures::stream::unfold(
        state,
        move |(mut changes, last, finished)| {
            let backend = backend.clone();
            let object = object.clone();
            let since = since.clone();
            async move {
                if finished {
                    return None;
                }
                loop {
                    if tokio::time::Instant::now() >= give_up {
                        let why = Error::Unavailable(format!(
                            "stopped following after {} minutes; ask again to go on",
                            FOLLOW_AT_MOST.as_secs() / 60
                        ));
                        return Some((Err(why), (changes, last, true)));
                    }
                    let status = match backend.rollout_status(&object, Some(&since)) {
                        Ok(s) => s,
                        Err(e) => return Some((Err(e), (changes, last, true))),
                    };
                    let end = status.done || status.failed;
                    if last.as_ref() != Some(&status) || end {
                        return Some((Ok(status.clone()), (changes, Some(status), end)));
                    }
                    if let Ok(Err(_)) = tokio::time::timeout(FOLLOW_TICK, changes.changed()).await {
                        let gone = Error::Unavailable(format!(
                            "cluster {} was disconnected",
                            object.cluster
                        ));
                        return Some((Err(gone), (changes, last, true)));
                    }
                }
            }
        },
    ))
}

/// Every Bosun action on one object, newest first: the History tab.
pub async fn history(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
    before: Option<i64>,
) -> Result<Page<AuditEntry>> {
    let query = AuditQuery {
        cluster: Some(object.cluster.clone()),
        namespace: Some(object.namespace.clone()),
        kind: Some(object.kind.route().to_string()),
        name: Some(object.name.clone()),
        before,
        limit: Some(100),
        ..AuditQuery::default()
    };
    crate::actions::audit_log(ctx, inv, &query).await
}

/// A page of pods.
pub async fn pods(ctx: &Context, inv: &Invocation, query: &PodQuery) -> Result<Page<PodRow>> {
    let target = scope_target(Some(&query.cluster), query.namespace.as_deref());
    read(ctx, inv, target, async {
        ctx.clusters.pods(query, &visibility(inv))
    })
    .await
}

/// One pod's detail.
pub async fn pod(ctx: &Context, inv: &Invocation, object: &ObjectRef) -> Result<PodDetail> {
    read_object(ctx, inv, object, || ctx.clusters.pod(object)).await
}

/// A pod's logs, streamed when following.
pub async fn logs(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
    options: &LogOptions,
) -> Result<LogStream> {
    if options.tail_lines.is_some_and(|n| n < 0) || options.since_seconds.is_some_and(|n| n <= 0) {
        return Err(Error::BadRequest(
            "tailLines must be 0 or more and sinceSeconds more than 0".into(),
        ));
    }
    read_object(ctx, inv, object, || ctx.clusters.logs(object, options)).await
}

/// Refuses, before any request is sent, what the kind table or the limits rule out.
fn validate(ctx: &Context, op: &Operation) -> Result<()> {
    let object = op.object();
    validate_ref(object)?;
    let info = object.kind.info();
    if let Some(refusal) = info.refusal(op.action()) {
        return Err(Error::NotApplicable(refusal));
    }
    match op {
        Operation::Scale { replicas, .. }
            if *replicas < 0 || *replicas > ctx.limits.max_replicas =>
        {
            Err(Error::BadRequest(format!(
                "replicas must be between 0 and {} (got {replicas})",
                ctx.limits.max_replicas
            )))
        }
        Operation::Rollback { revision, .. } if *revision < 0 => Err(Error::BadRequest(format!(
            "unable to find specified revision {revision} in history"
        ))),
        Operation::RunNow {
            job_name: Some(name),
            ..
        } => validate_object_name(name),
        Operation::ApproveRollout {
            step: Some(step), ..
        } if *step < 1 => Err(Error::BadRequest(format!(
            "step must be 1 or more (got {step})"
        ))),
        Operation::ChangeTaints { add, remove, .. } => crate::nodes::validate_taints(add, remove),
        Operation::ChangeLabels { set, remove, .. } => crate::labels::validate_change(set, remove),
        Operation::CreateNamespace { labels, .. } => {
            crate::clusters::validate_namespace(&op.object().name)?;
            labels.iter().try_for_each(|(key, value)| {
                crate::labels::validate_key("label", key)?;
                crate::labels::validate_value("label", key, value)
            })
        }
        _ => Ok(()),
    }
}

/// The one audited action call for changes in clusters: authorize, check, act, record.
pub async fn act(ctx: &Context, inv: &Invocation, op: Operation) -> Result<ActionReply> {
    let (ctx, inv) = (ctx.clone(), inv.clone());
    crate::actions::detached(async move {
        let target = Target::object(op.object());
        perform(
            &ctx,
            &inv,
            op.action(),
            &target,
            op.parameters(),
            |_| async {
                validate(&ctx, &op)?;
                ctx.clusters.execute(&op).await
            },
        )
        .await
    })
    .await
}

/// Restarts one item of a batch. Each item is authorized, carried out and audited on its
/// own; what does not apply (a Job, a paused Deployment) is skipped with the reason.
pub async fn restart_item(
    ctx: &Context,
    inv: &Invocation,
    target: ObjectRef,
    force: bool,
) -> BatchItem {
    let op = Operation::Restart {
        target: target.clone(),
        force,
    };
    let (status, message, restarted_at) = match act(ctx, inv, op).await {
        Ok(reply) => (BatchStatus::Restarted, reply.message, reply.restarted_at),
        Err(e @ (Error::NotApplicable(_) | Error::Paused(_))) => {
            (BatchStatus::Skipped, e.to_string(), None)
        }
        Err(e) => (BatchStatus::Failed, e.public_message(), None),
    };
    BatchItem {
        cluster: target.cluster,
        namespace: target.namespace,
        kind: target.kind,
        name: target.name,
        success: status == BatchStatus::Restarted,
        status,
        message,
        restarted_at,
    }
}

/// Checks a batch before any item runs: neither empty nor too large, and the caller may
/// restart at least one of its targets (a batch nobody may run is refused whole, once;
/// otherwise each item is authorized, and a refusal recorded, on its own).
pub async fn check_batch(ctx: &Context, inv: &Invocation, targets: &[ObjectRef]) -> Result<()> {
    let allowed_somewhere = targets.iter().any(|t| {
        crate::authz::authorize(inv.caller.as_ref(), Action::Restart, &Target::object(t)).is_ok()
    });
    if let (false, Some(first)) = (allowed_somewhere, targets.first()) {
        let params = json!({ "targets": targets.len() });
        crate::actions::permit(ctx, inv, Action::Restart, &Target::object(first), &params).await?;
    }
    if targets.is_empty() {
        return Err(Error::BadRequest(
            "targets is empty: select at least one workload".into(),
        ));
    }
    if targets.len() > ctx.limits.max_batch {
        return Err(Error::BadRequest(format!(
            "too many targets: at most {} per batch (got {})",
            ctx.limits.max_batch,
            targets.len()
        )));
    }
    Ok(())
}

/// Restarts many workloads with bounded concurrency, yielding each result as it
/// completes; one failure never stops the rest. Call [`check_batch`] first.
pub fn restart_batch<'a>(
    ctx: &'a Context,
    inv: &'a Invocation,
    targets: Vec<ObjectRef>,
    force: bool,
) -> impl Stream<Item = BatchItem> + 'a {
    futures::stream::iter(targets)
        .map(move |target| restart_item(ctx, inv, target, force))
        .buffer_unordered(ctx.limits.batch_concurrency.max(1))
}

/// Parses a kind from a path segment, as a 400 naming the supported kinds.
pub fn parse_kind(raw: &str) -> Result<KindId> {
    raw.parse()
        .map_err(|e: bosun_model::kinds::UnknownKind| Error::BadRequest(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_are_dns_subdomains() {
        assert!(validate_object_name("web-1.canary").is_ok());
        assert!(validate_object_name("Web").is_err());
        assert!(validate_object_name("../etc").is_err());
        assert!(validate_object_name("").is_err());
    }
}
