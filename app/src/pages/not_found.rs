use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for any path no route matches, with a real 404 status on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <main class="not-found">
            <h1>"404: nothing here"</h1>
            <p>"The page you asked for does not exist."</p>
            <a href="/">"Back to the console"</a>
        </main>
    }
}
