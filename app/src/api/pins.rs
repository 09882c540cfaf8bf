//! Pins: the Quick actions page's cards, and pinning from any list or detail page.

use bosun_model::{ObjectRef, Pin, PinCard};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;

/// Every pin of the caller with its object's state now.
#[server(prefix = "/rpc", endpoint = "pins/cards", input = Json)]
pub async fn pin_cards() -> Result<Vec<PinCard>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::pins::cards(&ui.ctx, &ui.inv)
        .await
        .map_err(fail)
}

/// The caller's pins (without state), to mark pinned objects on other pages.
#[server(prefix = "/rpc", endpoint = "pins/list", input = Json)]
pub async fn list_pins() -> Result<Vec<Pin>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::pins::list(&ui.ctx, &ui.inv).await.map_err(fail)
}

/// Pins or unpins an object.
#[server(prefix = "/rpc", endpoint = "pins/set", input = Json)]
pub async fn set_pinned(object: ObjectRef, pinned: bool) -> Result<(), AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    if pinned {
        bosun_core::pins::add(&ui.ctx, &ui.inv, &object)
            .await
            .map(|_| ())
            .map_err(fail)
    } else {
        bosun_core::pins::remove(&ui.ctx, &ui.inv, &object)
            .await
            .map_err(fail)
    }
}
