//! Pods: the table of a workload's pods, and a pod's page with its containers, conditions,
//! events and logs (followed as a stream, not polled).

use bosun_model::{Environment, KindId, Me, ObjectRef, PodDetail, PodRow, Role};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::actions::ObjectAction;
use crate::api::pods::fetch_pod;
use crate::api::workloads::object_events;
use crate::browser::{StreamHandle, stream_text};
use crate::components::{ActionDialog, ErrorBox, Pending};
use crate::format::{age, query_string};
use crate::pages::workload_detail::{EventsTable, routed_object};

/// The link of a pod's page.
#[must_use]
pub fn pod_href(cluster: &str, namespace: &str, name: &str) -> String {
    format!("/pods/{cluster}/{namespace}/{name}")
}

/// What identifies a row's rendering: a row is drawn again only when one of these
/// changes, so a live update leaves every other row (and the scroll position) alone.
fn pod_row_key(p: &PodRow) -> (String, String, String, i64, i64, i64, String, String) {
    (
        p.namespace.clone(),
        p.name.clone(),
        p.status.clone(),
        p.ready,
        p.containers,
        p.restarts,
        p.node.clone(),
        p.ip.clone(),
    )
}

/// Pods as a table: status, readiness, restarts, node, age. Given a signal (a live
/// list), rows change in place.
#[component]
pub fn PodTable(#[prop(into)] pods: Signal<Vec<PodRow>>) -> impl IntoView {
    view! {
        <Show
            when=move || pods.with(|p| !p.is_empty())
            fallback=|| view! { <p class="muted">"No pods."</p> }
        >
            <div class="table-wrap">
                <table class="grid" data-testid="pods-table">
                    <thead><tr><th>"Name"</th><th>"Status"</th><th>"Ready"</th><th>"Restarts"</th><th>"Node"</th><th>"IP"</th><th>"Age"</th></tr></thead>
                    <tbody>
                        <For each=move || pods.get() key=pod_row_key let:p>
                            <tr data-pod=p.name.clone()>
                                <td><a href=pod_href(&p.cluster, &p.namespace, &p.name)>{p.name.clone()}</a></td>
                                <td class=if p.status == "Running" || p.status == "Succeeded" { "outcome-succeeded" } else { "outcome-failed" }>{p.status.clone()}</td>
                                <td class="num">{format!("{}/{}", p.ready, p.containers)}</td>
                                <td class="num">{p.restarts}</td>
                                <td>{p.node.clone()}</td>
                                <td>{p.ip.clone()}</td>
                                <td>{age(&p.created)}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

#[component]
pub fn PodPage() -> impl IntoView {
    let object = routed_object(KindId::Pod);
    let refresh = RwSignal::new(0u32);
    let pod = Resource::new(move || (object.get(), refresh.get()), |(o, _)| fetch_pod(o));
    let clusters = Resource::new(|| (), |()| crate::api::clusters::list_clusters());
    let events = Resource::new(
        move || (object.get(), refresh.get()),
        |(o, _)| object_events(o),
    );
    let pending = RwSignal::new(None::<Pending>);
    let on_done = Callback::new(move |_: crate::components::Done| refresh.update(|n| *n += 1));
    view! {
        <Title text=move || object.get().name />
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let events = events.await;
                let clusters = clusters.await.unwrap_or_default();
                match pod.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(detail) => {
                        let environment = clusters
                            .iter()
                            .find(|c| c.name == detail.row.cluster)
                            .map_or(Environment::Dev, |c| c.environment);
                        view! { <Pod detail events environment pending /> }.into_any()
                    }
                }
            })}
        </Transition>
        <ActionDialog pending on_done />
    }
}

#[component]
fn Pod(
    detail: PodDetail,
    events: Result<Vec<bosun_model::EventRow>, crate::AppError>,
    environment: Environment,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let row = detail.row.clone();
    let object = ObjectRef::new(&row.cluster, &row.namespace, KindId::Pod, &row.name);
    let can_delete = use_context::<Me>().is_some_and(|m| m.role >= Role::Operator);
    let delete = {
        let object = object.clone();
        move |_| {
            pending.set(Some(Pending::One {
                object: object.clone(),
                action: ObjectAction::DeletePod,
                environment,
                diff: None,
            }))
        }
    };
    let containers: Vec<String> = detail.containers.iter().map(|c| c.name.clone()).collect();
    view! {
        <header class="detail-head">
            <p class="crumbs"><a href="/workloads">"Workloads"</a>" / "{row.cluster.clone()}" / "{row.namespace.clone()}" / pods"</p>
            <h1>{row.name.clone()}<span class="kind-tag">"Pod"</span></h1>
            <p class="summary">{format!("{} · {}/{} ready · {} restarts · node {} · {} · age {}", row.status, row.ready, row.containers, row.restarts, row.node, row.ip, age(&row.created))}</p>
            {(!row.owner.is_empty()).then(|| view! { <p class="muted">{format!("Controlled by {}", row.owner)}</p> })}
            {can_delete.then(|| view! { <div class="action-buttons"><button type="button" on:click=delete>"Delete pod"</button></div> })}
        </header>
        <h2>"Usage"</h2>
        <crate::components::PodUsageCharts cluster=row.cluster.clone() namespace=row.namespace.clone() name=row.name.clone() />
        <h2>"Containers"</h2>
        <div class="table-wrap">
            <table class="grid" data-testid="containers-table">
                <thead><tr><th>"Name"</th><th>"Image"</th><th>"Ready"</th><th>"Restarts"</th><th>"State"</th><th>"Last state"</th></tr></thead>
                <tbody>
                    {detail.containers.into_iter().map(|c| { let key = c.name.clone(); view! {
                        <tr data-container=key>
                            <td>{c.name}</td><td><code>{c.image}</code></td><td>{if c.ready { "yes" } else { "no" }}</td>
                            <td class="num">{c.restarts}</td><td>{c.state}</td><td>{c.last_state.unwrap_or_default()}</td>
                        </tr>
                    } }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2>"Conditions"</h2>
        <ul class="conditions">
            {detail.conditions.into_iter().map(|c| view! { <li>{format!("{}: {}", c.type_, c.status)}</li> }).collect_view()}
        </ul>
        <h2>"Logs"</h2>
        <LogViewer object=object.clone() containers />
        <h2>"Events"</h2>
        {match events {
            Ok(rows) => view! { <EventsTable rows /> }.into_any(),
            Err(error) => view! { <ErrorBox error /> }.into_any(),
        }}
        <details class="yaml-box"><summary>"YAML"</summary><pre class="yaml">{detail.yaml}</pre></details>
    }
}

/// Logs with container choice, tail lines, since, timestamps, previous, follow and
/// download. Following streams the REST endpoint's chunked answer; leaving the page or
/// stopping aborts the request.
#[component]
fn LogViewer(object: ObjectRef, containers: Vec<String>) -> impl IntoView {
    let container = RwSignal::new(containers.first().cloned().unwrap_or_default());
    let tail = RwSignal::new("200".to_string());
    let since = RwSignal::new(String::new());
    let timestamps = RwSignal::new(false);
    let previous = RwSignal::new(false);
    let following = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let stream: StoredValue<Option<StreamHandle>, LocalStorage> = StoredValue::new_local(None);
    let base = format!(
        "/api/v1/clusters/{}/namespaces/{}/pods/{}/logs",
        object.cluster, object.namespace, object.name
    );
    let url = {
        let base = base.clone();
        move |follow: bool, download: bool| {
            // Read with tracking: the download link follows the controls.
            let tail = tail.get();
            let since = since.get();
            let flag = |b: bool| if b { "true" } else { "" };
            format!(
                "{base}{}",
                query_string(&[
                    ("container", &container.get()),
                    ("tailLines", tail.trim()),
                    ("sinceSeconds", since.trim()),
                    ("timestamps", flag(timestamps.get())),
                    ("previous", flag(previous.get())),
                    ("follow", flag(follow)),
                    ("download", flag(download)),
                ])
            )
        }
    };
    let stop = move || {
        stream.update_value(|s| {
            if let Some(mut h) = s.take() {
                h.abort();
            }
        });
        following.set(false);
    };
    let load = {
        let url = url.clone();
        move |follow: bool| {
            stop();
            text.set(String::new());
            problem.set(None);
            following.set(follow);
            let handle = stream_text(
                url(follow, false),
                move |chunk| {
                    text.update(|t| {
                        t.push_str(&chunk);
                        // Keep the view bounded: the newest 1 MiB.
                        if t.len() > 1 << 20 {
                            let cut = t.len() - (1 << 20);
                            let cut = (cut..t.len()).find(|i| t.is_char_boundary(*i)).unwrap_or(0);
                            t.drain(..cut);
                        }
                    });
                },
                move |end| {
                    following.set(false);
                    if let Some(reason) = end
                        && reason != "AbortError"
                        && !reason.contains("abort")
                    {
                        problem.set(Some(reason));
                    }
                },
            );
            stream.set_value(Some(handle));
        }
    };
    on_cleanup(stop);
    let download = {
        let url = url.clone();
        move || url(false, true)
    };
    let load_now = load.clone();
    Effect::new(move |first: Option<()>| {
        if first.is_none() {
            load_now(false);
        }
    });
    view! {
        <div class="log-controls" data-testid="log-controls">
            <label><span>"Container"</span>
                <select on:change=move |ev| container.set(event_target_value(&ev))>
                    {containers.into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label><span>"Tail lines"</span><input type="number" min="0" inputmode="numeric" prop:value=move || tail.get() on:input=move |ev| tail.set(event_target_value(&ev)) /></label>
            <label><span>"Since (s)"</span><input type="number" min="1" inputmode="numeric" prop:value=move || since.get() on:input=move |ev| since.set(event_target_value(&ev)) /></label>
            <label class="check-label"><input type="checkbox" prop:checked=move || timestamps.get() on:change=move |ev| timestamps.set(event_target_checked(&ev)) />"Timestamps"</label>
            <label class="check-label"><input type="checkbox" prop:checked=move || previous.get() on:change=move |ev| previous.set(event_target_checked(&ev)) />"Previous"</label>
            <button type="button" on:click={ let load = load.clone(); move |_| load(false) }>"Load"</button>
            {move || if following.get() {
                view! { <button type="button" class="primary" on:click=move |_| stop()>"Stop following"</button> }.into_any()
            } else {
                let load = load.clone();
                view! { <button type="button" class="primary" on:click=move |_| load(true)>"Follow"</button> }.into_any()
            }}
            <a class="button" href=download download="">"Download"</a>
        </div>
        {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        <pre class="logs" data-testid="logs" data-following=move || following.get().to_string()>{move || text.get()}</pre>
    }
}
