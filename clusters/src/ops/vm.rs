//! VM lifecycle through KubeVirt's `subresources.kubevirt.io/v1` endpoints, with the
//! bodies virtctl sends (`../shared/REFERENCE.md`). Every stop carries an explicit grace
//! period: without one, KubeVirt waits for the VM's own, which can be very long.

use bosun_core::Result;
use bosun_model::{ActionReply, ObjectRef};
use serde_json::{Value, json};

use super::reply;
use crate::cluster::Cluster;
use crate::raw;

/// Where KubeVirt serves the lifecycle calls of a VM or of its instance.
fn subresource(target: &ObjectRef, of_instance: bool, action: &str) -> String {
    format!(
        "/apis/subresources.kubevirt.io/v1/namespaces/{}/{}/{}/{action}",
        target.namespace,
        if of_instance {
            "virtualmachineinstances"
        } else {
            "virtualmachines"
        },
        target.name
    )
}

async fn put(
    cluster: &Cluster,
    target: &ObjectRef,
    of_instance: bool,
    action: &str,
    body: &Value,
) -> Result<()> {
    // Resolving the VM's resource first gives "cluster does not serve virtualmachines"
    // rather than a bare 404 when KubeVirt is not installed.
    cluster.resource(target.kind)?;
    let client = &cluster.clients()?.action;
    raw::put_accepted(
        client,
        cluster.name(),
        &subresource(target, of_instance, action),
        body,
    )
    .await
}

fn who(target: &ObjectRef) -> String {
    format!("virtual machine {}/{}", target.namespace, target.name)
}

/// `virtctl start`.
pub(super) async fn start(cluster: &Cluster, target: &ObjectRef) -> Result<ActionReply> {
    put(cluster, target, false, "start", &json!({"paused": false})).await?;
    Ok(reply(format!("{}: start requested", who(target))))
}

/// `virtctl stop --grace-period N` (0 is a forced stop).
pub(super) async fn stop(cluster: &Cluster, target: &ObjectRef, grace: i64) -> Result<ActionReply> {
    put(
        cluster,
        target,
        false,
        "stop",
        &json!({"gracePeriod": grace}),
    )
    .await?;
    Ok(reply(if grace == 0 {
        format!("{}: forced stop requested", who(target))
    } else {
        format!("{}: stop requested (grace period {grace} s)", who(target))
    }))
}

/// `virtctl restart` (graceful), or `--force --grace-period=0`.
pub(super) async fn restart(
    cluster: &Cluster,
    target: &ObjectRef,
    force: bool,
) -> Result<ActionReply> {
    let body = if force {
        json!({"gracePeriodSeconds": 0})
    } else {
        json!({})
    };
    put(cluster, target, false, "restart", &body).await?;
    Ok(reply(format!(
        "{}: {} requested",
        who(target),
        if force { "forced restart" } else { "restart" }
    )))
}

/// `virtctl pause vm` / `unpause vm`: subresources of the instance.
pub(super) async fn set_paused(
    cluster: &Cluster,
    target: &ObjectRef,
    paused: bool,
) -> Result<ActionReply> {
    let action = if paused { "pause" } else { "unpause" };
    put(cluster, target, true, action, &json!({})).await?;
    Ok(reply(format!(
        "{}: {}",
        who(target),
        if paused { "paused" } else { "unpaused" }
    )))
}
