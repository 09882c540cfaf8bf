//! The Events page's server function: one domain call that authorizes the read.

use bosun_model::{EventQuery, EventRow, Page};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;

/// A page of events, warnings first.
#[server(prefix = "/rpc", endpoint = "events/list", input = Json)]
pub async fn list_events(query: EventQuery) -> Result<Page<EventRow>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::events::list(&ui.ctx, &ui.inv, &query)
        .await
        .map_err(fail)
}
