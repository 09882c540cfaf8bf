use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::Login;

/// The sign-in form. Works as a plain HTML form before hydration; after it, errors
/// (wrong password, throttling with the wait time) appear without a reload.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = move || login.value().get().and_then(Result::err);
    view! {
        <Title text="Sign in" />
        <main class="login-page">
            <section class="login-card" aria-labelledby="login-title">
                <h1 id="login-title">"⚓ Bosun"</h1>
                <p class="muted">"Sign in to your clusters"</p>
                <ActionForm action=login attr:class="stacked">
                    <label for="username">"User name"</label>
                    <input id="username" name="username" autocomplete="username" required autofocus />
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required />
                    <button type="submit" class="primary" disabled=move || login.pending().get()>
                        {move || if login.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
                {move || error().map(|e| {
                    let text = match e.retry_after_secs {
                        Some(secs) => format!("Too many failed sign-ins. Try again in {secs} seconds."),
                        None => e.message,
                    };
                    view! { <p class="error" role="alert" data-testid="login-error">{text}</p> }
                })}
            </section>
        </main>
    }
}
