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

/// Wraps every signed-in page. Loads the current user once; an anonymous visitor is sent
/// to the sign-in page (the server already does that for full page loads).
#[component]
pub fn Shell() -> impl IntoView {
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
    provide_context(me.clone());
    provide_toasts();
    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="/">"⚓ Bosun"</a>
                <span class="who" data-testid="who">
                    <span class="username">{me.username.clone()}</span>
                    <span class=format!("role role-{}", me.role)>{me.role.to_string()}</span>
                </span>
                <ActionForm action=logout attr:class="logout">
                    <button type="submit">"Sign out"</button>
                </ActionForm>
            </header>
            <nav class="sections" aria-label="Sections">
                <ul>
                    {SECTIONS
                        .into_iter()
                        .filter(move |(href, _)| is_admin || *href != "/admin")
                        .map(|(href, label)| view! { <li><A href=href>{label}</A></li> })
                        .collect_view()}
                </ul>
            </nav>
            <main class="content" id="main">
                <Outlet />
            </main>
            <ToastStack />
        </div>
    }
}
