//! Bosun's user interface: pages, components and the server functions they call.
//!
//! Compiled twice: with `ssr` into the server (rendering pages, running server functions)
//! and with `hydrate` into the browser's wasm module (making the rendered page interactive).
//! Server-only code sits behind `#[cfg(feature = "ssr")]` so none of it reaches the browser.

pub mod api;
mod browser;
mod components;
pub mod error;
mod format;
mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

pub use error::AppError;

/// The Content-Security-Policy of a page: scripts only from the console itself or inline
/// with this response's nonce (the hydration bootstrap and the resource data Leptos
/// writes carry it), wasm compiled only from those; nothing loaded from elsewhere.
#[must_use]
pub fn page_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
         object-src 'none'; form-action 'self'"
    )
}

/// Sends [`page_security_policy`] with the nonce leptos_axum made for this response (the
/// server's header layer leaves a policy the page set alone).
#[cfg(feature = "ssr")]
fn send_page_security_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = http::HeaderValue::from_str(&page_security_policy(&nonce)) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The HTML document around the app, rendered on the server for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    send_page_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <meta name="theme-color" content="#1f3a5f" />
                <meta name="mobile-web-app-capable" content="yes" />
                <meta name="apple-mobile-web-app-capable" content="yes" />
                <meta name="apple-mobile-web-app-title" content="Bosun" />
                // The bundle's folder is named after its content hash (see the server's
                // `bundle`), so browsers may keep it forever.
                <link rel="stylesheet" id="bosun" href=format!("/{}/bosun.css", options.site_pkg_dir) />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The root component: routes to the login page, the signed-in shell and its pages.
///
/// Signed-in pages render in `Async` mode: the server waits for their data and sends
/// complete HTML, so they read correctly before (or without) hydration.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Bosun".to_string() } else { format!("{page} · Bosun") } />
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/login") view=pages::LoginPage />
                <ParentRoute path=path!("") view=components::Shell ssr=SsrMode::Async>
                    <Route path=path!("") view=pages::ClustersPage />
                    <Route path=path!("clusters") view=pages::ClustersPage />
                    <Route path=path!("workloads") view=pages::WorkloadsPage />
                    <Route path=path!("workloads/:cluster/:namespace/:kind/:name") view=pages::WorkloadDetailPage />
                    <Route path=path!("pods") view=pages::PodListPage />
                    <Route path=path!("pods/:cluster/:namespace/:name") view=pages::PodPage />
                    <Route path=path!("quick") view=pages::QuickActionsPage />
                    <Route path=path!("rollouts") view=pages::RolloutsPage />
                    <Route path=path!("rollouts/:cluster/:namespace/:name") view=pages::RolloutDetailPage />
                    <Route path=path!("vms") view=pages::VirtualMachinesPage />
                    <Route path=path!("vms/:cluster/:namespace/:name") view=pages::VmDetailPage />
                    <Route path=path!("nodes") view=pages::NodesPage />
                    <Route path=path!("nodes/:cluster/:name") view=pages::NodeDetailPage />
                    <Route path=path!("resources") view=pages::ResourcesIndexPage />
                    <Route path=path!("custom") view=pages::CustomKindsPage />
                    <Route path=path!("custom/:cluster/:group/:version/:plural") view=pages::CustomListPage />
                    <Route path=path!("custom/:cluster/:group/:version/:plural/:ns/:name") view=pages::CustomObjectPage />
                    <Route path=path!("resources/:kind") view=pages::ResourcesPage />
                    <Route path=path!("resources/:kind/:cluster/:namespace/:name") view=pages::ResourceDetailPage />
                    <Route path=path!("apply") view=pages::ApplyPage />
                    <Route path=path!("events") view=pages::EventsPage />
                    <Route path=path!("access") view=pages::AccessPage />
                    <Route path=path!("templates") view=pages::TemplatesPage />
                    <Route path=path!("templates/:id") view=pages::TemplatePage />
                    <Route path=path!("tasks") view=pages::TasksPage />
                    <Route path=path!("tasks/:id") view=pages::TaskPage />
                    <Route path=path!("audit") view=pages::AuditPage />
                    <Route path=path!("admin") view=pages::AdminPage />
                    <Route path=path!("account") view=pages::AccountPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
