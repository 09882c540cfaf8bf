//! The signed-in frame: header with the user and role, navigation, and the page outlet.

use bosun_model::{Me, Role};
use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};

use crate::api::{Logout, auth::current_user};
use crate::components::{ErrorBox, ToastStack, provide_toasts};

const SECTIONS: [(&str, &str); 12] = [
    ("/quick", "Quick actions"),
    ("/clusters", "Clusters"),
    ("/workloads", "Workloads"),
    ("/pods", "Pods"),
    ("/rollouts", "Rollouts"),
    ("/vms", "Virtual machines"),
    ("/nodes", "Nodes"),
    ("/resources", "Resources"),
    ("/events", "Events"),
    ("/templates", "Templates"),
    ("/audit", "Audit"),
    ("/admin", "Admin"),
];

/// Wraps every signed-in page.
///
/// The user comes with the page: the server renders it for the signed-in caller its
/// authentication layer found, and hands the same value to the browser for hydration, so
/// the frame and the page inside it are built once on each side. (Waiting for the user
/// inside a `Suspense` instead made the server build the page several times while
/// resolving it; the browser then hydrated the first build's data against the last
/// build's HTML, and a page whose first build had failed never hydrated.) Only when the
/// browser builds the shell itself, after a client-side sign-in, is the user asked for.
#[component]
pub fn Shell() -> impl IntoView {
    let rendered_for = SharedValue::new(signed_in_caller).into_inner();
    match rendered_for {
        Some(me) => view! { <Frame me /> }.into_any(),
        None => view! { <AskWhoIsSignedIn /> }.into_any(),
    }
}

/// The caller the server's authentication layer attached to this request.
#[cfg(feature = "ssr")]
fn signed_in_caller() -> Option<Me> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<bosun_core::RequestCaller>()?
        .0
        .as_ref()
        .map(|caller| caller.me())
}

/// In the browser only the server's answer (read back during hydration) says who it is.
#[cfg(not(feature = "ssr"))]
fn signed_in_caller() -> Option<Me> {
    None
}

/// The shell built in the browser without a server-rendered user: asks, then shows the
/// frame, or sends an anonymous visitor to the sign-in page.
#[component]
fn AskWhoIsSignedIn() -> impl IntoView {
    let me = Resource::new(|| (), |()| current_user());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! { <Frame me /> }.into_any(),
                    Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Frame(me: Me) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let is_admin = me.role.allows(Role::Admin);
    let must_change_password = me.must_change_password;
    provide_context(me.clone());
    provide_toasts();
    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="/">"⚓ Bosun"</a>
                <a class="who" data-testid="who" href="/account" title="Your account: password, sessions, API tokens">
                    <span class="username">{me.username.clone()}</span>
                    <span class=format!("role role-{}", me.role)>{me.role.to_string()}</span>
                </a>
                <ActionForm action=logout attr:class="logout">
                    <button type="submit">"Sign out"</button>
                </ActionForm>
            </header>
            // Until a generated password is replaced, no section would answer.
            <Show when=move || !must_change_password>
                <nav class="sections" aria-label="Sections">
                    <ul>
                        {SECTIONS
                            .into_iter()
                            .filter(move |(href, _)| is_admin || *href != "/admin")
                            .map(|(href, label)| view! { <li><A href=href>{label}</A></li> })
                            .collect_view()}
                    </ul>
                </nav>
            </Show>
            <main class="content" id="main">
                <Outlet />
            </main>
            <ToastStack />
        </div>
    }
}
