//! Clusters: which ones Bosun knows and how they are doing; adding, changing and removing
//! them (admins).

use bosun_model::{ClusterInput, ClusterSaved, ClusterSummary, ClusterUpdate, ConnectionCheck};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;

/// Every cluster with its health, version and counts (from memory; no call to a cluster).
#[server(prefix = "/rpc", endpoint = "clusters/list")]
pub async fn list_clusters() -> Result<Vec<ClusterSummary>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::clusters::list(&ui.ctx, &ui.inv)
        .await
        .map_err(fail)
}

/// The namespaces of a cluster, for pickers.
#[server(prefix = "/rpc", endpoint = "clusters/namespaces")]
pub async fn cluster_namespaces(cluster: String) -> Result<Vec<String>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::clusters::namespaces(&ui.ctx, &ui.inv, &cluster)
        .await
        .map(|p| p.items)
        .map_err(fail)
}

/// The contexts of a pasted kubeconfig.
#[server(prefix = "/rpc", endpoint = "clusters/contexts", input = Json)]
pub async fn kubeconfig_contexts(kubeconfig: String) -> Result<Vec<String>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::clusters::contexts(&ui.ctx, &ui.inv, &kubeconfig)
        .await
        .map_err(fail)
}

/// Adds a cluster and tests its connection.
#[server(prefix = "/rpc", endpoint = "clusters/add", input = Json)]
pub async fn add_cluster(input: ClusterInput) -> Result<ClusterSaved, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::clusters::add(&ui.ctx, &ui.inv, input)
        .await
        .map_err(fail)
}

/// Changes a cluster's settings or credentials.
#[server(prefix = "/rpc", endpoint = "clusters/update", input = Json)]
pub async fn update_cluster(name: String, update: ClusterUpdate) -> Result<ClusterSaved, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::clusters::update(&ui.ctx, &ui.inv, &name, update)
        .await
        .map_err(fail)
}

/// Removes a cluster.
#[server(prefix = "/rpc", endpoint = "clusters/remove", input = Json)]
pub async fn remove_cluster(name: String) -> Result<(), AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::clusters::remove(&ui.ctx, &ui.inv, &name)
        .await
        .map_err(fail)
}

/// Tests a cluster's connection now.
#[server(prefix = "/rpc", endpoint = "clusters/test", input = Json)]
pub async fn test_cluster(name: String) -> Result<ConnectionCheck, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::clusters::test(&ui.ctx, &ui.inv, &name)
        .await
        .map_err(fail)
}
