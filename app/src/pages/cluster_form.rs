//! Adding a cluster (paste or upload a kubeconfig and choose its context, the in-cluster
//! service account, or the built-in demo) and editing one.

use bosun_model::{ClusterInput, ClusterSaved, ClusterSummary, ClusterUpdate, Environment};
use leptos::prelude::*;

use crate::api::clusters::{add_cluster, kubeconfig_contexts, update_cluster};
use crate::browser::read_chosen_file;
use crate::components::use_toasts;

fn opt(s: String) -> Option<String> {
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// What adding or saving said about the connection.
fn report(toasts: crate::components::Toasts, verb: &str, saved: &ClusterSaved) {
    let c = &saved.connection;
    if c.reachable {
        toasts.ok(format!(
            "cluster {} {verb}; it answers: Kubernetes {}",
            saved.cluster.name,
            c.version.clone().unwrap_or_default()
        ));
    } else {
        toasts.error(&crate::AppError::new(
            bosun_model::ErrorCode::Unavailable,
            format!(
                "cluster {} {verb}, but it does not answer now ({}); it turns healthy when it does",
                saved.cluster.name,
                c.error.clone().unwrap_or_default()
            ),
        ));
    }
}

#[component]
fn EnvironmentSelect(id: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <select id=id on:change=move |ev| value.set(event_target_value(&ev))>
            {Environment::ALL.into_iter().map(|e| view! {
                <option value=e.as_str() selected=move || value.get() == e.as_str()>{e.as_str()}</option>
            }).collect_view()}
        </select>
    }
}

#[component]
pub fn AddClusterForm(#[prop(into)] on_saved: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let name = RwSignal::new(String::new());
    let source = RwSignal::new("kubeconfig".to_string());
    let kubeconfig = RwSignal::new(String::new());
    let contexts = RwSignal::new(Vec::<String>::new());
    let context = RwSignal::new(String::new());
    let environment = RwSignal::new("dev".to_string());
    let description = RwSignal::new(String::new());
    let namespace = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let read_contexts = move || {
        let text = kubeconfig.get_untracked();
        leptos::task::spawn_local(async move {
            match kubeconfig_contexts(text).await {
                Ok(list) => {
                    problem.set(None);
                    context.set(list.first().cloned().unwrap_or_default());
                    contexts.set(list);
                }
                Err(e) => {
                    contexts.set(Vec::new());
                    problem.set(Some(e.message));
                }
            }
        });
    };
    let upload = move |_| {
        leptos::task::spawn_local(async move {
            match read_chosen_file("kubeconfig-file").await {
                Ok(Some(text)) => {
                    kubeconfig.set(text);
                    read_contexts();
                }
                Ok(None) => {}
                Err(e) => problem.set(Some(e)),
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let kubeconfig_source = source.get_untracked() == "kubeconfig";
        let input = ClusterInput {
            name: name.get_untracked().trim().to_string(),
            source: Some(source.get_untracked()),
            kubeconfig: kubeconfig_source.then(|| kubeconfig.get_untracked()),
            context: if kubeconfig_source {
                opt(context.get_untracked())
            } else {
                None
            },
            environment: Some(environment.get_untracked()),
            description: opt(description.get_untracked()),
            default_namespace: opt(namespace.get_untracked()),
        };
        leptos::task::spawn_local(async move {
            match add_cluster(input).await {
                Ok(saved) => {
                    report(toasts, "added", &saved);
                    problem.set(None);
                    name.set(String::new());
                    kubeconfig.set(String::new());
                    contexts.set(Vec::new());
                    on_saved.run(());
                }
                Err(e) => problem.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="stacked panel" on:submit=submit data-testid="add-cluster-form">
            <h2>"Add a cluster"</h2>
            <label for="cluster-name">"Name"</label>
            <input id="cluster-name" required maxlength="63" autocomplete="off" placeholder="prod-eu-1"
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <label for="cluster-source">"Connect with"</label>
            <select id="cluster-source" on:change=move |ev| source.set(event_target_value(&ev))>
                <option value="kubeconfig">"A kubeconfig"</option>
                <option value="in-cluster">"This pod's service account (in-cluster)"</option>
                <option value="demo">"The built-in demo cluster"</option>
            </select>
            <Show when=move || source.get() == "kubeconfig">
                <label for="kubeconfig">"Kubeconfig (paste it, or choose a file)"</label>
                <textarea id="kubeconfig" rows="8" spellcheck="false" autocomplete="off"
                    prop:value=move || kubeconfig.get()
                    on:input=move |ev| kubeconfig.set(event_target_value(&ev))
                    on:change=move |_| read_contexts()></textarea>
                <input id="kubeconfig-file" type="file" accept=".yaml,.yml,.conf,.kubeconfig,text/*" on:change=upload />
                <label for="cluster-context">"Context"</label>
                <select id="cluster-context" on:change=move |ev| context.set(event_target_value(&ev))>
                    {move || contexts.get().into_iter().map(|c| {
                        let selected = c == context.get_untracked();
                        view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                    }).collect_view()}
                </select>
            </Show>
            <label for="cluster-env">"Environment"</label>
            <EnvironmentSelect id="cluster-env" value=environment />
            <label for="cluster-description">"Description"</label>
            <input id="cluster-description" maxlength="500" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) />
            <label for="cluster-namespace">"Default namespace"</label>
            <input id="cluster-namespace" placeholder="default" prop:value=move || namespace.get() on:input=move |ev| namespace.set(event_target_value(&ev)) />
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            <button type="submit" class="primary" disabled=move || busy.get()>
                {move || if busy.get() { "Testing the connection…" } else { "Add cluster" }}
            </button>
        </form>
    }
}

#[component]
pub fn EditClusterForm(
    cluster: ClusterSummary,
    #[prop(into)] on_saved: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let name = cluster.name.clone();
    let environment = RwSignal::new(cluster.environment.as_str().to_string());
    let description = RwSignal::new(cluster.description.clone());
    let namespace = RwSignal::new(cluster.default_namespace.clone());
    let kubeconfig = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let is_kubeconfig = cluster.source == bosun_model::SourceKind::Kubeconfig;
    let is_default = RwSignal::new(cluster.default);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let update = ClusterUpdate {
            description: Some(description.get_untracked()),
            environment: Some(environment.get_untracked()),
            default_namespace: Some(namespace.get_untracked()),
            kubeconfig: opt(kubeconfig.get_untracked()),
            context: None,
            default: Some(is_default.get_untracked()),
        };
        let name = name.clone();
        leptos::task::spawn_local(async move {
            match update_cluster(name, update).await {
                Ok(saved) => {
                    report(toasts, "saved", &saved);
                    on_saved.run(());
                }
                Err(e) => problem.set(Some(e.message)),
            }
        });
    };
    let id = |what: &str| format!("edit-{}-{what}", cluster.name);
    view! {
        <form class="stacked" on:submit=submit data-testid="edit-cluster-form">
            <label for=id("env")>"Environment"</label>
            <select id=id("env") on:change=move |ev| environment.set(event_target_value(&ev))>
                {Environment::ALL.into_iter().map(|e| view! { <option value=e.as_str() selected=move || environment.get() == e.as_str()>{e.as_str()}</option> }).collect_view()}
            </select>
            <label for=id("description")>"Description"</label>
            <input id=id("description") prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) />
            <label for=id("namespace")>"Default namespace"</label>
            <input id=id("namespace") prop:value=move || namespace.get() on:input=move |ev| namespace.set(event_target_value(&ev)) />
            <label class="check-label">
                <input type="checkbox" prop:checked=move || is_default.get() on:change=move |ev| is_default.set(event_target_checked(&ev)) />
                " Default cluster (the one the Kruise Dashboard compatible API serves)"
            </label>
            {is_kubeconfig.then(|| view! {
                <label for=id("kubeconfig")>"Replace the kubeconfig (leave empty to keep the stored one)"</label>
                <textarea id=id("kubeconfig") rows="4" spellcheck="false" prop:value=move || kubeconfig.get() on:input=move |ev| kubeconfig.set(event_target_value(&ev))></textarea>
            })}
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            <button type="submit" class="primary">"Save"</button>
        </form>
    }
}
