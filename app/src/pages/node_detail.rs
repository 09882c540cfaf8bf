//! One node: status, resources (capacity, allocatable, what its pods request), conditions,
//! taints and labels (edited in place), its pods, YAML, and the actions an operator takes
//! on it: cordon, uncordon, and a drain followed pod by pod.

use std::collections::BTreeMap;

use bosun_model::{
    Action, DrainOptions, Me, NodeDetail, OperationView, ResourceFigures, Role, Taint,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::AppError;
use crate::api::nodes::{NodeChange, change_node, drain_node, fetch_node, node_history};
use crate::components::{ErrorBox, OperationProgress, use_toasts};
use crate::format::age;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct NodePage {
    node: NodeDetail,
    operations: Vec<OperationView>,
}

async fn load(cluster: String, name: String) -> Result<NodePage, AppError> {
    let node = fetch_node(cluster.clone(), name.clone()).await?;
    let operations = node_history(cluster, name).await?;
    Ok(NodePage { node, operations })
}

#[component]
pub fn NodeDetailPage() -> impl IntoView {
    let params = use_params_map();
    let cluster = Memo::new(move |_| params.get().get("cluster").unwrap_or_default());
    let name = Memo::new(move |_| params.get().get("name").unwrap_or_default());
    let refresh = RwSignal::new(0u32);
    let data = Resource::new(
        move || (cluster.get(), name.get(), refresh.get()),
        |(c, n, _)| load(c, n),
    );
    let started = RwSignal::new(None::<String>);
    view! {
        <Title text=move || name.get() />
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(page) => view! { <NodeView page refresh started /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Runs a change, says how it went, and reloads the page.
fn apply(cluster: String, name: String, change: NodeChange, refresh: RwSignal<u32>) {
    let toasts = use_toasts();
    leptos::task::spawn_local(async move {
        match change_node(cluster, name, change).await {
            Ok(reply) => toasts.ok(reply.message),
            Err(e) => toasts.error(&e),
        }
        refresh.update(|n| *n += 1);
    });
}

#[component]
fn NodeView(
    page: NodePage,
    refresh: RwSignal<u32>,
    started: RwSignal<Option<String>>,
) -> impl IntoView {
    let NodePage { node, operations } = page;
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    let may = move |action: Action| action.allowed_for(Some(role));
    let row = node.row.clone();
    let (cluster, name) = (row.cluster.clone(), row.name.clone());
    let running = operations
        .iter()
        .find(|o| !o.finished)
        .map(|o| o.id.clone());
    let followed = move || started.get().or_else(|| running.clone());
    let on_finish = Callback::new(move |_| refresh.update(|n| *n += 1));
    let cordon = {
        let (c, n) = (cluster.clone(), name.clone());
        let change = if row.schedulable {
            NodeChange::Cordon
        } else {
            NodeChange::Uncordon
        };
        move |_| apply(c.clone(), n.clone(), change.clone(), refresh)
    };
    view! {
        <nav class="breadcrumbs"><a href="/nodes">"Nodes"</a>" / "{cluster.clone()}</nav>
        <h1>{name.clone()}</h1>
        <p class="facts">
            <span data-testid="node-status" class=if row.ready { "outcome-success" } else { "outcome-failure" }>{row.status()}</span>
            " · "{if row.roles.is_empty() { "no role".to_string() } else { row.roles.clone() }}
            " · kubelet "{row.kubelet_version.clone()}
            " · "{node.os_image.clone()}" ("{node.architecture.clone()}") · "{node.container_runtime.clone()}
            " · created "{age(&row.created)}" ago"
        </p>
        {may(Action::NodeCordon).then(|| {
            let (c, n) = (cluster.clone(), name.clone());
            view! {
                <div class="actions">
                    <button type="button" data-testid="cordon" on:click=cordon>
                        {if row.schedulable { "Cordon" } else { "Uncordon" }}
                    </button>
                    <DrainForm cluster=c name=n started />
                </div>
            }
        })}
        {move || followed().map(|id| view! { <OperationProgress id on_finish /> })}
        <h2>"Resources"</h2>
        <div class="resource-bars" data-testid="resources">
            {node.resources.iter().map(|r| view! { <ResourceBar figures=r.clone() /> }).collect_view()}
        </div>
        <h2>"Usage"</h2>
        <crate::components::NodeUsageCharts cluster=cluster.clone() name=name.clone() />
        <h2>"Conditions"</h2>
        <div class="table-wrap"><table class="grid" data-testid="conditions">
            <thead><tr><th>"Type"</th><th>"Status"</th><th>"Reason"</th><th>"Message"</th><th>"Since"</th></tr></thead>
            <tbody>{node.conditions.iter().map(|c| view! {
                <tr><td>{c.kind.clone()}</td><td>{c.status.clone()}</td><td>{c.reason.clone()}</td><td>{c.message.clone()}</td><td>{age(&c.since)}</td></tr>
            }).collect_view()}</tbody>
        </table></div>
        <Taints cluster=cluster.clone() name=name.clone() taints=node.taints.clone() editable=may(Action::NodeTaint) refresh />
        <Labels cluster=cluster.clone() name=name.clone() labels=node.labels.clone() editable=may(Action::Label) refresh />
        <h2>{format!("Pods ({})", node.pods.len())}</h2>
        <div class="table-wrap"><table class="grid" data-testid="node-pods">
            <thead><tr><th>"Namespace"</th><th>"Name"</th><th>"Status"</th><th>"Ready"</th><th>"Restarts"</th><th>"Age"</th></tr></thead>
            <tbody>{node.pods.iter().map(|p| view! {
                <tr data-pod=p.name.clone()>
                    <td>{p.namespace.clone()}</td>
                    <td><a href=format!("/pods/{}/{}/{}", p.cluster, p.namespace, p.name)>{p.name.clone()}</a></td>
                    <td>{p.status.clone()}</td>
                    <td>{format!("{}/{}", p.ready, p.containers)}</td>
                    <td>{p.restarts}</td>
                    <td>{age(&p.created)}</td>
                </tr>
            }).collect_view()}</tbody>
        </table></div>
        <details class="yaml"><summary>"YAML"</summary><pre data-testid="yaml">{node.yaml.clone()}</pre></details>
    }
}

#[component]
fn ResourceBar(figures: ResourceFigures) -> impl IntoView {
    let percent = figures.requested_percent();
    let class = if percent > 100 {
        "bar over"
    } else if percent > 85 {
        "bar high"
    } else {
        "bar"
    };
    view! {
        <div class="resource" data-resource=figures.resource.clone()>
            <p><strong>{figures.resource.clone()}</strong>
                {format!(" requested {} of {} allocatable ({}%), limits {}, capacity {}",
                    figures.shown_requested, figures.shown_allocatable, percent, figures.shown_limits, figures.shown_capacity)}
            </p>
            <div class=class role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow=percent.min(100)>
                <span style=format!("width: {}%", percent.clamp(0, 100))></span>
            </div>
        </div>
    }
}

fn seconds(raw: &str, what: &str) -> Result<Option<i64>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>()
        .map(Some)
        .map_err(|_| format!("{what} must be a whole number of seconds (got {raw:?})"))
}

/// The drain's options, as `kubectl drain`'s flags, and its button.
#[component]
fn DrainForm(cluster: String, name: String, started: RwSignal<Option<String>>) -> impl IntoView {
    let toasts = use_toasts();
    let ignore_daemon_sets = RwSignal::new(true);
    let delete_empty_dir = RwSignal::new(false);
    let force = RwSignal::new(false);
    let grace = RwSignal::new(String::new());
    let timeout = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let options = (|| {
            Ok::<_, String>(DrainOptions {
                ignore_daemon_sets: ignore_daemon_sets.get_untracked(),
                delete_empty_dir_data: delete_empty_dir.get_untracked(),
                force: force.get_untracked(),
                grace_period_seconds: seconds(&grace.get_untracked(), "The grace period")?,
                timeout_seconds: seconds(&timeout.get_untracked(), "The timeout")?,
            })
        })();
        let options = match options {
            Ok(o) => o,
            Err(why) => {
                problem.set(Some(why));
                return;
            }
        };
        problem.set(None);
        busy.set(true);
        let (c, n) = (cluster.clone(), name.clone());
        leptos::task::spawn_local(async move {
            match drain_node(c, n, options).await {
                Ok(accepted) => {
                    toasts.ok(accepted.message);
                    started.set(Some(accepted.operation_id));
                }
                Err(e) => problem.set(Some(e.message.clone())),
            }
            busy.set(false);
        });
    };
    view! {
        <details class="drain" data-testid="drain-form">
            <summary>"Drain…"</summary>
            <form on:submit=submit>
                <p class="warning">"Draining cordons the node and evicts its pods; PodDisruptionBudgets are respected (a refused eviction is retried)."</p>
                <label><input type="checkbox" prop:checked=ignore_daemon_sets on:change=move |ev| ignore_daemon_sets.set(event_target_checked(&ev)) />" Ignore DaemonSet pods"</label>
                <label><input type="checkbox" data-testid="drain-empty-dir" prop:checked=delete_empty_dir on:change=move |ev| delete_empty_dir.set(event_target_checked(&ev)) />" Delete emptyDir data"</label>
                <label><input type="checkbox" data-testid="drain-force" prop:checked=force on:change=move |ev| force.set(event_target_checked(&ev)) />" Force (pods without a controller)"</label>
                <label>"Grace period (s)"<input type="text" inputmode="numeric" placeholder="each pod's own" bind:value=grace /></label>
                <label>"Timeout (s)"<input type="text" inputmode="numeric" placeholder="600" bind:value=timeout /></label>
                <button type="submit" class="danger" data-testid="drain" disabled=move || busy.get()>"Drain"</button>
                {move || problem.get().map(|p| view! { <p class="error" role="alert" data-testid="drain-error">{p}</p> })}
            </form>
        </details>
    }
}

#[component]
fn Taints(
    cluster: String,
    name: String,
    taints: Vec<Taint>,
    editable: bool,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let key = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let effect = RwSignal::new("NoSchedule".to_string());
    let (c, n) = (cluster.clone(), name.clone());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let taint = Taint {
            key: key.get_untracked().trim().to_string(),
            value: value.get_untracked().trim().to_string(),
            effect: effect.get_untracked(),
            time_added: None,
        };
        apply(
            c.clone(),
            n.clone(),
            NodeChange::Taints {
                add: vec![taint],
                remove: vec![],
            },
            refresh,
        );
    };
    view! {
        <h2>"Taints"</h2>
        <ul class="chips" data-testid="taints">
            {taints.iter().map(|t| {
                let spec = format!("{}:{}", t.key, t.effect);
                let (c, n) = (cluster.clone(), name.clone());
                view! {
                    <li data-taint=t.spec()>{t.spec()}
                        <Show when=move || editable>
                            <button type="button" class="chip-remove" aria-label=format!("Remove taint {spec}")
                                on:click={
                                    let (c, n, spec) = (c.clone(), n.clone(), spec.clone());
                                    move |_| apply(c.clone(), n.clone(), NodeChange::Taints { add: vec![], remove: vec![spec.clone()] }, refresh)
                                }>"×"</button>
                        </Show>
                    </li>
                }
            }).collect_view()}
            {taints.is_empty().then(|| view! { <li class="muted">"none"</li> })}
        </ul>
        <Show when=move || editable>
            <form class="inline-form" data-testid="taint-form" on:submit=add.clone()>
                <input type="text" placeholder="key" aria-label="Taint key" bind:value=key required />
                <input type="text" placeholder="value (optional)" aria-label="Taint value" bind:value=value />
                <select aria-label="Taint effect" on:change=move |ev| effect.set(event_target_value(&ev))>
                    {Taint::EFFECTS.iter().map(|e| view! { <option value=*e>{*e}</option> }).collect_view()}
                </select>
                <button type="submit">"Add taint"</button>
            </form>
        </Show>
    }
}

#[component]
fn Labels(
    cluster: String,
    name: String,
    labels: Vec<(String, String)>,
    editable: bool,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let key = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let (c, n) = (cluster.clone(), name.clone());
    let set = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut set = BTreeMap::new();
        set.insert(
            key.get_untracked().trim().to_string(),
            value.get_untracked().trim().to_string(),
        );
        apply(
            c.clone(),
            n.clone(),
            NodeChange::Labels {
                set,
                remove: vec![],
            },
            refresh,
        );
    };
    view! {
        <h2>"Labels"</h2>
        <ul class="chips" data-testid="labels">
            {labels.iter().map(|(k, v)| {
                let (c, n, k2) = (cluster.clone(), name.clone(), k.clone());
                view! {
                    <li data-label=k.clone()>{format!("{k}={v}")}
                        <Show when=move || editable>
                            <button type="button" class="chip-remove" aria-label=format!("Remove label {k2}")
                                on:click={
                                    let (c, n, k) = (c.clone(), n.clone(), k2.clone());
                                    move |_| apply(c.clone(), n.clone(), NodeChange::Labels { set: BTreeMap::new(), remove: vec![k.clone()] }, refresh)
                                }>"×"</button>
                        </Show>
                    </li>
                }
            }).collect_view()}
        </ul>
        <Show when=move || editable>
            <form class="inline-form" data-testid="label-form" on:submit=set.clone()>
                <input type="text" placeholder="key" aria-label="Label key" bind:value=key required />
                <input type="text" placeholder="value" aria-label="Label value" bind:value=value />
                <button type="submit">"Set label"</button>
            </form>
        </Show>
    }
}
