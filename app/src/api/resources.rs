//! The Resources pages' server functions: a page of a kind, one object, a Secret's value
//! on request (audited, never cached by the page), YAML applied (dry run first), and new
//! namespaces. Each is one domain call that authorizes and, for changes, audits.

use std::collections::BTreeMap;

use bosun_model::{
    ActionReply, ApplyOptions, ApplyReport, ObjectRef, Page, ResourceDetail, ResourceQuery,
    ResourceRow, SecretValue, YamlCheck,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;

/// A page of one Resources kind.
#[server(prefix = "/rpc", endpoint = "resources/list", input = Json)]
pub async fn list_resources(query: ResourceQuery) -> Result<Page<ResourceRow>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::resources::list(&ui.ctx, &ui.inv, &query)
        .await
        .map_err(fail)
}

/// One object with its sections and YAML.
#[server(prefix = "/rpc", endpoint = "resources/get", input = Json)]
pub async fn fetch_resource(object: ObjectRef) -> Result<ResourceDetail, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::resources::detail(&ui.ctx, &ui.inv, &object)
        .await
        .map_err(fail)
}

/// One value of a Secret (operators and up; audited).
#[server(prefix = "/rpc", endpoint = "resources/reveal", input = Json)]
pub async fn reveal_secret(object: ObjectRef, key: String) -> Result<SecretValue, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::resources::reveal(&ui.ctx, &ui.inv, &object, &key)
        .await
        .map_err(fail)
}

/// Applies YAML to a cluster; with `editing`, the YAML must be that object.
#[server(prefix = "/rpc", endpoint = "resources/apply", input = Json)]
pub async fn apply_yaml(
    cluster: String,
    yaml: String,
    options: ApplyOptions,
    editing: Option<ObjectRef>,
) -> Result<ApplyReport, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::apply::apply(
        &ui.ctx,
        &ui.inv,
        &cluster,
        &yaml,
        &options,
        editing.as_ref(),
    )
    .await
    .map_err(fail)
}

/// What an apply of this YAML would refuse before sending anything (the editor asks as
/// the text changes, to mark each problem at its line).
#[server(prefix = "/rpc", endpoint = "resources/validate", input = Json)]
pub async fn check_yaml(
    cluster: String,
    yaml: String,
    namespace: Option<String>,
) -> Result<YamlCheck, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    let options = ApplyOptions {
        namespace,
        ..ApplyOptions::default()
    };
    bosun_core::apply::validate(&ui.ctx, &ui.inv, &cluster, &yaml, &options)
        .await
        .map_err(fail)
}

/// `kubectl create secret docker-registry`, through the apply path.
#[server(prefix = "/rpc", endpoint = "secrets/registry", input = Json)]
pub async fn create_registry_secret(
    cluster: String,
    namespace: String,
    input: bosun_model::RegistrySecret,
) -> Result<ApplyReport, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::registry_secret::create(&ui.ctx, &ui.inv, &cluster, &namespace, &input)
        .await
        .map_err(fail)
}

/// "Who can": what an RBAC subject may do in a namespace.
#[server(prefix = "/rpc", endpoint = "resources/access", input = Json)]
pub async fn subject_access(
    query: bosun_model::AccessQuery,
) -> Result<bosun_model::AccessReport, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::resources::access(&ui.ctx, &ui.inv, &query)
        .await
        .map_err(fail)
}

/// Creates a namespace with labels.
#[server(prefix = "/rpc", endpoint = "namespaces/create", input = Json)]
pub async fn create_namespace(
    cluster: String,
    name: String,
    labels: BTreeMap<String, String>,
) -> Result<ActionReply, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::resources::create_namespace(&ui.ctx, &ui.inv, &cluster, &name, labels)
        .await
        .map_err(fail)
}
