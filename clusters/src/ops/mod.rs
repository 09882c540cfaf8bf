//! The changes Bosun makes in clusters, each exactly as the reference tool makes it
//! (`../shared/REFERENCE.md`): restart, scale, rollback, delete, suspend/resume, run now,
//! delete pod, the rollout actions, the VM lifecycle, and node changes. Authorization and audit happened before this; here is only the "how".

pub mod node;
mod restart;
mod rollback;
mod rollout;
mod schedule;
mod vm;

use bosun_core::{Operation, Result};
use bosun_model::kinds::PatchFormat;
use bosun_model::{ActionReply, KindId, ObjectRef};
use http::Method;
use serde_json::json;

use crate::cluster::Cluster;
use crate::config::ACTION_DEADLINE;
use crate::error::with_deadline;
use crate::{json as j, raw};

fn content_type(format: PatchFormat) -> &'static str {
    match format {
        PatchFormat::Json => raw::JSON_PATCH,
        PatchFormat::Merge => raw::MERGE,
        PatchFormat::StrategicMerge => raw::STRATEGIC_MERGE,
    }
}

fn reply(message: String) -> ActionReply {
    ActionReply {
        message,
        timestamp: j::now_rfc3339(),
        success: true,
        restarted_at: None,
        operation_id: None,
    }
}

/// Carries out `op` in `cluster` within the action deadline.
pub async fn execute(cluster: &Cluster, op: &Operation) -> Result<ActionReply> {
    with_deadline(cluster.name(), ACTION_DEADLINE, async {
        match op {
            Operation::Restart { target, force } => restart::restart(cluster, target, *force).await,
            Operation::Scale { target, replicas } => scale(cluster, target, *replicas).await,
            Operation::Rollback { target, revision } => {
                rollback::rollback(cluster, target, *revision).await
            }
            Operation::Delete { target } | Operation::DeletePod { target } => {
                delete(cluster, target).await
            }
            Operation::SetSuspended { target, suspend } => {
                schedule::set_suspended(cluster, target, *suspend).await
            }
            Operation::RunNow { target, job_name } => {
                schedule::run_now(cluster, target, job_name.as_deref()).await
            }
            Operation::ApproveRollout { target, step } => {
                rollout::approve(cluster, target, *step).await
            }
            Operation::SetRolloutPaused { target, paused } => {
                rollout::set_paused(cluster, target, *paused).await
            }
            Operation::UndoRollout { target } => rollout::undo(cluster, target).await,
            Operation::RestartRollout { target } => rollout::restart(cluster, target).await,
            Operation::StartVm { target } => vm::start(cluster, target).await,
            Operation::StopVm {
                target,
                grace_period_seconds,
            } => vm::stop(cluster, target, *grace_period_seconds).await,
            Operation::RestartVm { target, force } => vm::restart(cluster, target, *force).await,
            Operation::SetVmPaused { target, paused } => {
                vm::set_paused(cluster, target, *paused).await
            }
            Operation::SetUnschedulable {
                target,
                unschedulable,
            } => node::set_unschedulable(cluster, target, *unschedulable).await,
            Operation::ChangeTaints {
                target,
                add,
                remove,
            } => node::change_taints(cluster, target, add, remove).await,
            Operation::ChangeLabels {
                target,
                set,
                remove,
            } => node::change_labels(cluster, target, set, remove).await,
            Operation::Evict {
                target,
                grace_period_seconds,
            } => node::evict(cluster, target, *grace_period_seconds).await,
            Operation::CreateNamespace { target, labels } => {
                create_namespace(cluster, target, labels).await
            }
        }
    })
    .await
}

/// Where an object is and how to reach it: the action client and its path.
struct Located<'a> {
    client: &'a kube::Client,
    cluster: &'a str,
    path: String,
}

fn locate<'a>(cluster: &'a Cluster, target: &ObjectRef) -> Result<Located<'a>> {
    let resource = cluster.resource(target.kind)?;
    Ok(Located {
        client: &cluster.clients()?.action,
        cluster: cluster.name(),
        path: raw::path(&resource, Some(&target.namespace), Some(&target.name), None),
    })
}

/// `kubectl scale`: a merge patch of the `/scale` subresource.
async fn scale(cluster: &Cluster, target: &ObjectRef, replicas: i64) -> Result<ActionReply> {
    let at = locate(cluster, target)?;
    let body = json!({"spec": {"replicas": replicas}});
    raw::patch(
        at.client,
        at.cluster,
        &format!("{}/scale", at.path),
        raw::MERGE,
        &body,
    )
    .await?;
    Ok(reply(format!(
        "{} scaled to {replicas} replicas",
        target.describe()
    )))
}

/// `kubectl create namespace`, with labels.
async fn create_namespace(
    cluster: &Cluster,
    target: &ObjectRef,
    labels: &std::collections::BTreeMap<String, String>,
) -> Result<ActionReply> {
    let resource = cluster.resource(KindId::Namespace)?;
    let mut metadata = json!({ "name": target.name });
    if !labels.is_empty() {
        metadata["labels"] = json!(labels);
    }
    let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": metadata});
    let path = format!(
        "{}?fieldManager={}",
        raw::path(&resource, None, None, None),
        raw::FIELD_MANAGER
    );
    let client = &cluster.clients()?.action;
    raw::send(
        client,
        cluster.name(),
        Method::POST,
        &path,
        Some(raw::JSON),
        Some(&body),
    )
    .await?;
    Ok(reply(format!("namespace/{} created", target.name)))
}

/// Deletes a workload (its pods go with it, in the background, as with `kubectl delete`)
/// or a pod.
async fn delete(cluster: &Cluster, target: &ObjectRef) -> Result<ActionReply> {
    let at = locate(cluster, target)?;
    let body = (target.kind != KindId::Pod).then(|| json!({"propagationPolicy": "Background"}));
    let content_type = body.as_ref().map(|_| raw::JSON);
    raw::send(
        at.client,
        at.cluster,
        Method::DELETE,
        &at.path,
        content_type,
        body.as_ref(),
    )
    .await?;
    Ok(reply(format!("{} deleted", target.describe())))
}
