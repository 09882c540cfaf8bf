//! Nodes: their list and page from the watch caches, and the changes made to them —
//! cordon, uncordon, taints through the one audited action call, and the drain as a
//! tracked operation with per-pod progress.

mod plan;

use bosun_model::{
    Action, DEFAULT_DRAIN_TIMEOUT_SECONDS, DrainOptions, KindId, MAX_TIMEOUT_SECONDS, NodeDetail,
    NodeQuery, NodeRow, ObjectRef, OperationAccepted, Page, Taint,
};
use futures::Stream;
use serde_json::json;

use crate::actions::{perform, read};
use crate::authz::Target;
use crate::backend::Operation;
use crate::operations::{DrainPlan, check_room, start_drain};
use crate::request::Invocation;
use crate::workloads::{list_receivers, live_page, validate_ref, visibility};
use crate::{Context, Error, Result};

pub use plan::plan;

/// A node of a cluster, as a reference.
#[must_use]
pub fn node_ref(cluster: &str, name: &str) -> ObjectRef {
    ObjectRef::new(cluster, "", KindId::Node, name)
}

/// A page of nodes across the clusters the caller may read.
pub async fn list(ctx: &Context, inv: &Invocation, query: &NodeQuery) -> Result<Page<NodeRow>> {
    let target = Target::cluster(query.cluster.as_deref().unwrap_or(""));
    read(ctx, inv, target, async {
        ctx.clusters.nodes(query, &visibility(inv))
    })
    .await
}

/// [`list`], followed live: the page again each time the nodes, or the pods whose requests
/// their rows add up, change.
pub async fn follow_list(
    ctx: &Context,
    inv: &Invocation,
    query: &NodeQuery,
) -> Result<impl Stream<Item = Result<Page<NodeRow>>> + Send + 'static> {
    let cluster = query.cluster.clone().filter(|c| c != "_all");
    let receivers = list_receivers(ctx, cluster.as_deref(), &[KindId::Node, KindId::Pod]);
    let first = list(ctx, inv, query).await?;
    let (backend, inv, query) = (ctx.clusters.clone(), inv.clone(), query.clone());
    Ok(live_page(cluster.as_deref(), receivers, first, move || {
        backend.nodes(&query, &visibility(&inv))
    }))
}

/// One node, with its conditions, taints, resources and pods.
pub async fn detail(ctx: &Context, inv: &Invocation, node: &ObjectRef) -> Result<NodeDetail> {
    read(ctx, inv, Target::object(node), async {
        validate_ref(node)?;
        ctx.clusters.node(node)
    })
    .await
}

/// Checks taints to add and remove: keys and values as the API server wants them, an
/// effect it knows, something to do.
///
/// # Errors
/// `BadRequest` naming the taint and what is wrong with it.
pub fn validate_taints(add: &[Taint], remove: &[String]) -> Result<()> {
    if add.is_empty() && remove.is_empty() {
        return Err(Error::BadRequest(
            "nothing to change: give taints to add or to remove".into(),
        ));
    }
    for taint in add {
        crate::labels::validate_key("taint", &taint.key)?;
        crate::labels::validate_value("taint", &taint.key, &taint.value)?;
        if !Taint::EFFECTS.contains(&taint.effect.as_str()) {
            return Err(Error::BadRequest(format!(
                "taint {:?} has an invalid effect {:?}: use one of {}",
                taint.key,
                taint.effect,
                Taint::EFFECTS.join(", ")
            )));
        }
    }
    for spec in remove {
        let (key, effect) = match spec.split_once(':') {
            Some((key, effect)) => (key, Some(effect)),
            None => (spec.as_str(), None),
        };
        crate::labels::validate_key("taint", key)?;
        if let Some(effect) = effect.filter(|e| !Taint::EFFECTS.contains(e)) {
            return Err(Error::BadRequest(format!(
                "taint to remove {spec:?} has an invalid effect {effect:?}: use one of {}",
                Taint::EFFECTS.join(", ")
            )));
        }
    }
    Ok(())
}

fn check_drain_options(options: &DrainOptions) -> Result<i64> {
    if let Some(grace) = options.grace_period_seconds
        && !(-1..=MAX_TIMEOUT_SECONDS).contains(&grace)
    {
        return Err(Error::BadRequest(format!(
            "gracePeriodSeconds must be between -1 (each pod's own) and {MAX_TIMEOUT_SECONDS} (got {grace})"
        )));
    }
    match options.timeout_seconds {
        None => Ok(DEFAULT_DRAIN_TIMEOUT_SECONDS),
        Some(t) if (1..=MAX_TIMEOUT_SECONDS).contains(&t) => Ok(t),
        Some(t) => Err(Error::BadRequest(format!(
            "timeoutSeconds must be between 1 and {MAX_TIMEOUT_SECONDS} (got {t})"
        ))),
    }
}

/// Drains a node as `kubectl drain` does: the pods that would stop it are named before
/// anything changes (409); otherwise the node is cordoned while the caller waits and its
/// pods are evicted by a tracked operation, followed at `/api/v1/operations/{id}`.
pub async fn drain(
    ctx: &Context,
    inv: &Invocation,
    node: &ObjectRef,
    options: DrainOptions,
) -> Result<OperationAccepted> {
    let id = uuid::Uuid::new_v4().to_string();
    let mut parameters = serde_json::to_value(options).unwrap_or_default();
    parameters["operation_id"] = json!(id);
    let (ctx, inv, node) = (ctx.clone(), inv.clone(), node.clone());
    crate::actions::detached(async move {
        perform(
            &ctx,
            &inv,
            Action::NodeDrain,
            &Target::object(&node),
            parameters,
            |_| async {
                validate_ref(&node)?;
                if node.kind != KindId::Node {
                    return Err(Error::BadRequest(format!(
                        "{} is not a node",
                        node.describe()
                    )));
                }
                let timeout_seconds = check_drain_options(&options)?;
                check_room(&ctx, &node, Action::NodeDrain).await?;
                let pods = ctx.clusters.pods_on_node(&node).await?;
                let items = plan(&node.name, &pods, &options).map_err(Error::Conflict)?;
                // From the cache: a node not seen there yet is cordoned all the same.
                let cordoned = ctx.clusters.raw_object(&node).is_ok_and(|n| {
                    n.pointer("/spec/unschedulable") == Some(&serde_json::Value::Bool(true))
                });
                if !cordoned {
                    ctx.clusters
                        .execute(&Operation::SetUnschedulable {
                            target: node.clone(),
                            unschedulable: true,
                        })
                        .await?;
                }
                let plan = DrainPlan {
                    node: node.clone(),
                    options,
                    items,
                    timeout_seconds,
                };
                start_drain(&ctx, &inv, id, plan).await
            },
        )
        .await
    })
    .await
}
