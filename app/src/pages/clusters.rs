//! The Clusters page: a card per cluster (environment, version, nodes ready, workloads
//! healthy, the last error and when it last answered), and for admins adding, editing,
//! testing and deleting clusters.

use bosun_model::{ClusterHealth, ClusterSummary, Me, Role};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::clusters::{list_clusters, remove_cluster, test_cluster};
use crate::components::{ErrorBox, use_toasts};
use crate::format::age;
use crate::pages::cluster_form::{AddClusterForm, EditClusterForm};

#[component]
pub fn ClustersPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let clusters = Resource::new(move || refresh.get(), |_| list_clusters());
    let is_admin = use_context::<Me>().is_some_and(|m| m.role >= Role::Admin);
    let adding = RwSignal::new(false);
    let removing = RwSignal::new(None::<String>);
    view! {
        <Title text="Clusters" />
        <div class="page-head">
            <h1>"Clusters"</h1>
            {is_admin.then(|| view! {
                <button type="button" class="primary" on:click=move |_| adding.update(|a| *a = !*a) data-testid="add-cluster">
                    {move || if adding.get() { "Close" } else { "Add cluster" }}
                </button>
            })}
        </div>
        <Show when=move || adding.get()>
            <AddClusterForm on_saved=Callback::new(move |()| { refresh.update(|n| *n += 1); }) />
        </Show>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match clusters.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty-state">"No clusters are connected. Admins add them here, or with bosun cluster add."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="cards" data-testid="clusters">
                            {list.into_iter().map(|c| view! { <ClusterCard cluster=c is_admin refresh removing /> }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
        <RemoveDialog removing refresh />
    }
}

#[component]
fn ClusterCard(
    cluster: ClusterSummary,
    is_admin: bool,
    refresh: RwSignal<u32>,
    removing: RwSignal<Option<String>>,
) -> impl IntoView {
    let toasts = use_toasts();
    let editing = RwSignal::new(false);
    let (badge, badge_class) = match &cluster.health {
        ClusterHealth::Reachable => ("reachable", "badge ok"),
        ClusterHealth::Unreachable(_) => ("unreachable", "badge bad"),
        ClusterHealth::Unknown => ("checking", "badge"),
    };
    let nodes = cluster.nodes.map_or_else(
        || "loading…".to_string(),
        |n| {
            let cordoned = if n.unschedulable > 0 {
                format!(", {} cordoned", n.unschedulable)
            } else {
                String::new()
            };
            format!("{} of {} ready{cordoned}", n.ready, n.total)
        },
    );
    let workloads = cluster.workloads.map_or_else(
        || "syncing…".to_string(),
        |w| format!("{} of {} healthy", w.healthy, w.total),
    );
    let last_error = cluster.last_error.clone().map(|e| {
        let when = cluster
            .last_error_at
            .as_deref()
            .map(age)
            .unwrap_or_default();
        format!("{e} ({when} ago)")
    });
    let name = cluster.name.clone();
    let test = {
        let name = name.clone();
        move |_| {
            let name = name.clone();
            leptos::task::spawn_local(async move {
                match test_cluster(name.clone()).await {
                    Ok(check) if check.reachable => toasts.ok(format!(
                        "{name} answered: Kubernetes {}",
                        check.version.unwrap_or_default()
                    )),
                    Ok(check) => toasts.error(&crate::AppError::new(
                        bosun_model::ErrorCode::Unavailable,
                        check.error.unwrap_or_default(),
                    )),
                    Err(e) => toasts.error(&e),
                }
                refresh.update(|n| *n += 1);
            });
        }
    };
    let edit_cluster = cluster.clone();
    view! {
        <li class=format!("card env-{}", cluster.environment) data-cluster=cluster.name.clone()>
            <div class="card-head">
                <h2><a href=format!("/workloads?cluster={}", cluster.name)>{cluster.name.clone()}</a></h2>
                <span class=format!("env env-{}", cluster.environment)>{cluster.environment.to_string()}</span>
                <span class=badge_class data-testid="health">{badge}</span>
            </div>
            {(!cluster.description.is_empty()).then(|| view! { <p class="muted">{cluster.description.clone()}</p> })}
            <dl class="facts">
                <dt>"Version"</dt><dd>{cluster.version.clone().unwrap_or_else(|| "unknown".into())}</dd>
                <dt>"Nodes"</dt><dd data-testid="nodes">{nodes}</dd>
                <dt>"Workloads"</dt><dd data-testid="workloads">{workloads}</dd>
                <dt>"Namespaces"</dt><dd>{cluster.namespaces.map_or_else(|| "loading…".to_string(), |n| n.to_string())}</dd>
                <dt>"Last answered"</dt><dd>{cluster.last_reachable_at.as_deref().map_or_else(|| "never".to_string(), |t| format!("{} ago", age(t)))}</dd>
                <dt>"Source"</dt><dd>{cluster.context.clone().map_or_else(|| cluster.source.as_str().to_string(), |c| format!("kubeconfig, context {c}"))}</dd>
                <dt>"API server"</dt><dd><code>{cluster.server.clone()}</code></dd>
            </dl>
            {last_error.map(|e| view! { <p class="error" data-testid="last-error">{e}</p> })}
            {cluster.watch_errors.iter().map(|w| view! { <p class="warning">{format!("{}: {}", w.resource, w.reason)}</p> }).collect_view()}
            {is_admin.then(|| view! {
                <div class="card-actions">
                    <button type="button" on:click=test>"Test connection"</button>
                    <button type="button" on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
                    <button type="button" class="danger" on:click=move |_| removing.set(Some(name.clone()))>"Delete"</button>
                </div>
                <Show when=move || editing.get()>
                    <EditClusterForm cluster=edit_cluster.clone() on_saved=Callback::new(move |()| { editing.set(false); refresh.update(|n| *n += 1); }) />
                </Show>
            })}
        </li>
    }
}

/// Deleting a cluster asks for its name.
#[component]
fn RemoveDialog(removing: RwSignal<Option<String>>, refresh: RwSignal<u32>) -> impl IntoView {
    let toasts = use_toasts();
    let typed = RwSignal::new(String::new());
    let close = move || {
        removing.set(None);
        typed.set(String::new());
    };
    let confirm = move |_| {
        let Some(name) = removing.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match remove_cluster(name.clone()).await {
                Ok(()) => toasts.ok(format!("cluster {name} deleted; its credentials are gone")),
                Err(e) => toasts.error(&e),
            }
            close();
            refresh.update(|n| *n += 1);
        });
    };
    view! {
        <Show when=move || removing.get().is_some()>
            <div class="overlay" on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="remove-title" data-testid="dialog">
                    <h2 id="remove-title">{move || format!("Delete cluster {}?", removing.get().unwrap_or_default())}</h2>
                    <p class="warning">"Bosun forgets the cluster and its stored credentials. Nothing in the cluster changes."</p>
                    <label for="remove-typed">{move || format!("Type {} to confirm", removing.get().unwrap_or_default())}</label>
                    <input id="remove-typed" autocomplete="off" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                    <div class="dialog-buttons">
                        <button type="button" on:click=move |_| close() data-testid="dialog-cancel">"Cancel"</button>
                        <button type="button" class="danger" data-testid="dialog-confirm"
                            disabled=move || Some(typed.get()) != removing.get()
                            on:click=confirm>"Delete cluster"</button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
