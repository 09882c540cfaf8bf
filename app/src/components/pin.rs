//! The pin toggle of list and detail pages: keeps an object one tap away on the Quick
//! actions page.

use bosun_model::{ObjectRef, Pin};
use leptos::prelude::*;

use crate::api::pins::set_pinned;
use crate::components::use_toasts;

/// The objects the caller has pinned, loaded once per page.
#[derive(Clone, Copy)]
pub struct Pins(pub Resource<Result<Vec<Pin>, crate::AppError>>);

impl Pins {
    /// Loads the caller's pins for the page.
    #[must_use]
    pub fn load() -> Self {
        Self(Resource::new(|| (), |()| crate::api::pins::list_pins()))
    }

    /// The pinned objects, once loaded (none if they cannot be read: pins are a
    /// convenience, never a reason for a page to fail).
    pub async fn pinned(self) -> Vec<ObjectRef> {
        self.0
            .await
            .map(|pins| pins.into_iter().map(|p| p.target).collect())
            .unwrap_or_default()
    }
}

/// A toggle button: "Pin" or "Pinned".
#[component]
pub fn PinButton(object: ObjectRef, pinned: bool) -> impl IntoView {
    let toasts = use_toasts();
    let on = RwSignal::new(pinned);
    let busy = RwSignal::new(false);
    let label = format!("Pin {} to Quick actions", object.name);
    let toggle = move |_| {
        let want = !on.get_untracked();
        let object = object.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match set_pinned(object.clone(), want).await {
                Ok(()) => {
                    on.set(want);
                    toasts.ok(if want {
                        format!("{} pinned to Quick actions", object.describe())
                    } else {
                        format!("{} unpinned", object.describe())
                    });
                }
                Err(e) => toasts.error(&e),
            }
            busy.set(false);
        });
    };
    view! {
        <button type="button" class="pin" data-testid="pin" aria-label=label
            aria-pressed=move || on.get().to_string() disabled=move || busy.get() on:click=toggle>
            {move || if on.get() { "★ Pinned" } else { "☆ Pin" }}
        </button>
    }
}
