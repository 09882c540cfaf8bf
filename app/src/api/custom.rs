//! Custom resources' server functions: the kinds a cluster serves without a page of their
//! own, a page of one, one object. Each is one domain call that authorizes.

use bosun_model::{ApiKind, ApiKindRef, CustomList, CustomObject, CustomQuery};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;

/// The kinds `cluster` serves that have no page of their own.
#[server(prefix = "/rpc", endpoint = "custom/kinds", input = Json)]
pub async fn list_api_kinds(cluster: String) -> Result<Vec<ApiKind>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::custom::kinds(&ui.ctx, &ui.inv, &cluster)
        .await
        .map_err(fail)
}

/// A page of one discovered kind.
#[server(prefix = "/rpc", endpoint = "custom/list", input = Json)]
pub async fn list_custom(kind: ApiKindRef, query: CustomQuery) -> Result<CustomList, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::custom::list(&ui.ctx, &ui.inv, &kind, &query)
        .await
        .map_err(fail)
}

/// One object of a discovered kind.
#[server(prefix = "/rpc", endpoint = "custom/get", input = Json)]
pub async fn fetch_custom(
    kind: ApiKindRef,
    namespace: String,
    name: String,
) -> Result<CustomObject, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::custom::object(&ui.ctx, &ui.inv, &kind, &namespace, &name)
        .await
        .map_err(fail)
}
