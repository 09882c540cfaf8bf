//! Nodes for the pages: the list and a node's page from the watch caches, the changes a
//! node page makes (cordon, uncordon, taints, labels) and its drain, a tracked operation
//! whose progress the page follows at `GET /api/v1/operations/{id}?watch=true`.

use std::collections::BTreeMap;

use bosun_model::{
    ActionReply, DrainOptions, NodeDetail, NodeQuery, NodeRow, OperationAccepted, OperationView,
    Page, Taint,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// A change a node page makes, each one audited action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum NodeChange {
    Cordon,
    Uncordon,
    Taints {
        add: Vec<Taint>,
        remove: Vec<String>,
    },
    Labels {
        set: BTreeMap<String, String>,
        remove: Vec<String>,
    },
}

/// A page of nodes across clusters.
#[server(prefix = "/rpc", endpoint = "nodes/list", input = Json)]
pub async fn list_nodes(query: NodeQuery) -> Result<Page<NodeRow>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::nodes::list(&ui.ctx, &ui.inv, &query)
        .await
        .map_err(fail)
}

/// One node with its pods.
#[server(prefix = "/rpc", endpoint = "nodes/get", input = Json)]
pub async fn fetch_node(cluster: String, name: String) -> Result<NodeDetail, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    let node = bosun_core::nodes::node_ref(&cluster, &name);
    bosun_core::nodes::detail(&ui.ctx, &ui.inv, &node)
        .await
        .map_err(fail)
}

/// The node's drains, newest first.
#[server(prefix = "/rpc", endpoint = "nodes/history", input = Json)]
pub async fn node_history(cluster: String, name: String) -> Result<Vec<OperationView>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    let node = bosun_core::nodes::node_ref(&cluster, &name);
    bosun_core::operations::of_object(&ui.ctx, &ui.inv, &node, 20)
        .await
        .map_err(fail)
}

/// Cordons, uncordons, taints or labels a node.
#[server(prefix = "/rpc", endpoint = "nodes/change", input = Json)]
pub async fn change_node(
    cluster: String,
    name: String,
    change: NodeChange,
) -> Result<ActionReply, AppError> {
    use crate::api::ssr::{fail, ui};
    use bosun_core::Operation;
    let ui = ui()?;
    let target = bosun_core::nodes::node_ref(&cluster, &name);
    let op = match change {
        NodeChange::Cordon => Operation::SetUnschedulable {
            target,
            unschedulable: true,
        },
        NodeChange::Uncordon => Operation::SetUnschedulable {
            target,
            unschedulable: false,
        },
        NodeChange::Taints { add, remove } => Operation::ChangeTaints {
            target,
            add,
            remove,
        },
        NodeChange::Labels { set, remove } => Operation::ChangeLabels {
            target,
            set,
            remove,
        },
    };
    bosun_core::workloads::act(&ui.ctx, &ui.inv, op)
        .await
        .map_err(fail)
}

/// Drains a node; the page follows the operation it answers with.
#[server(prefix = "/rpc", endpoint = "nodes/drain", input = Json)]
pub async fn drain_node(
    cluster: String,
    name: String,
    options: DrainOptions,
) -> Result<OperationAccepted, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    let node = bosun_core::nodes::node_ref(&cluster, &name);
    bosun_core::nodes::drain(&ui.ctx, &ui.inv, &node, options)
        .await
        .map_err(fail)
}

/// Stops a running drain.
#[server(prefix = "/rpc", endpoint = "operations/cancel", input = Json)]
pub async fn cancel_operation(id: String) -> Result<OperationView, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::operations::cancel(&ui.ctx, &ui.inv, &id)
        .await
        .map_err(fail)
}
