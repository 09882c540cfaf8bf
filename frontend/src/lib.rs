//! Browser entry point: hydrates the server-rendered page so it becomes interactive.
#![recursion_limit = "512"]

/// Called by the script Leptos puts in every page once the wasm module has loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(bosun_app::App);
    // Lets browser tests (and curious people) tell a hydrated page from a static one.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
