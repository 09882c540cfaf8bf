//! One workload: its spec and conditions, pods, revision history with diffs and rollback,
//! events, YAML, and the History of every Bosun action on it.

use bosun_model::{ClusterSummary, Environment, KindId, Me, ObjectRef, Role, WorkloadDetail};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::actions::ObjectAction;
use crate::api::clusters::list_clusters;
use crate::api::workloads::{
    WorkloadView, fetch_workload, object_events, object_history, workload_revisions,
};
use crate::components::{
    ActionDialog, Done, ErrorBox, HealthBadge, Pending, PinButton, Pins, RolloutProgress,
};
use crate::format::age;
use crate::pages::pods::PodTable;
use crate::pages::revisions::Revisions;
use crate::pages::workload_table::{action_entries, detail_href};

const TABS: [(&str, &str); 6] = [
    ("overview", "Overview"),
    ("pods", "Pods"),
    ("revisions", "Revisions"),
    ("events", "Events"),
    ("yaml", "YAML"),
    ("history", "History"),
];

/// The object named by the URL, or why the URL names none.
fn object_from_url(params: &leptos_router::params::ParamsMap) -> Result<ObjectRef, String> {
    let get = |k: &str| params.get(k).unwrap_or_default();
    let kind: KindId = get("kind")
        .parse()
        .map_err(|e: bosun_model::kinds::UnknownKind| e.to_string())?;
    Ok(ObjectRef::new(
        &get("cluster"),
        &get("namespace"),
        kind,
        &get("name"),
    ))
}

/// What a tab shows beyond the workload itself, fetched with the page so nothing loads
/// inside an already-rendered part (which would not hydrate).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
enum TabData {
    Plain,
    Revisions(Vec<bosun_model::RevisionRow>),
    Events(Vec<bosun_model::EventRow>),
    History(Vec<bosun_model::AuditEntry>),
}

async fn tab_data(
    object: Result<ObjectRef, String>,
    tab: String,
) -> Result<TabData, crate::AppError> {
    let Ok(object) = object else {
        return Ok(TabData::Plain);
    };
    Ok(match tab.as_str() {
        "revisions" => TabData::Revisions(workload_revisions(object).await?),
        "events" => TabData::Events(object_events(object).await?),
        "history" => TabData::History(object_history(object).await?.items),
        _ => TabData::Plain,
    })
}

#[component]
pub fn WorkloadDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let object = Memo::new(move |_| object_from_url(&params.get()));
    let tab = Memo::new(move |_| query.get().get("tab").unwrap_or_else(|| "overview".into()));
    let refresh = RwSignal::new(0u32);
    let view_data = Resource::new(
        move || (object.get(), refresh.get()),
        |(object, _)| async move {
            match object {
                Ok(o) => fetch_workload(o).await,
                Err(e) => Err(crate::AppError::new(bosun_model::ErrorCode::BadRequest, e)),
            }
        },
    );
    let tab_view = Resource::new(
        move || (object.get(), tab.get(), refresh.get()),
        |(o, t, _)| tab_data(o, t),
    );
    let clusters = Resource::new(|| (), |()| list_clusters());
    let pins = Pins::load();
    let pending = RwSignal::new(None::<Pending>);
    let following = RwSignal::new(None::<Option<String>>);
    let on_done = Callback::new(move |(_, action, reply): Done| {
        if matches!(action, ObjectAction::Restart { .. }) {
            following.set(Some(reply.restarted_at));
        }
        refresh.update(|n| *n += 1);
    });
    view! {
        <Title text=move || object.get().map(|o| o.name).unwrap_or_default() />
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let clusters = clusters.await.unwrap_or_default();
                let pinned = pins.pinned().await;
                let extra = tab_view.await;
                match view_data.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(data) => view! { <Detail data clusters pinned tab=tab.get_untracked() extra pending following /> }.into_any(),
                }
            })}
        </Transition>
        <ActionDialog pending on_done />
    }
}

fn environment_of(clusters: &[ClusterSummary], name: &str) -> Environment {
    clusters
        .iter()
        .find(|c| c.name == name)
        .map_or(Environment::Dev, |c| c.environment)
}

#[component]
fn Detail(
    data: WorkloadView,
    clusters: Vec<ClusterSummary>,
    pinned: Vec<ObjectRef>,
    tab: String,
    extra: Result<TabData, crate::AppError>,
    pending: RwSignal<Option<Pending>>,
    following: RwSignal<Option<Option<String>>>,
) -> impl IntoView {
    let WorkloadView {
        detail,
        pods,
        status,
    } = data;
    let row = detail.row.clone();
    let object = row.object_ref();
    let environment = environment_of(&clusters, &row.cluster);
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    let entries = action_entries(&object, role, row.desired);
    let base = detail_href(&object);
    let info = row.kind.info();
    let show_progress = !status.done || status.failed;
    let body = match (tab.as_str(), extra) {
        (_, Err(error)) => view! { <ErrorBox error /> }.into_any(),
        ("pods", _) => {
            let more = (pods.total > pods.items.len()).then(|| {
                let href = format!(
                    "/pods{}",
                    crate::format::query_string(&[("cluster", &row.cluster), ("ns", &row.namespace), ("labels", &detail.selector)])
                );
                view! { <p class="muted">{format!("The first {} of {} pods. ", pods.items.len(), pods.total)}<a href=href>"All of them, paged"</a></p> }
            });
            view! { {more} <PodTable pods=pods.items /> }.into_any()
        }
        ("yaml", _) => {
            view! { <pre class="yaml" data-testid="yaml">{detail.yaml.clone()}</pre> }.into_any()
        }
        (_, Ok(TabData::Revisions(rows))) => {
            view! { <Revisions rows object=object.clone() environment pending /> }.into_any()
        }
        (_, Ok(TabData::Events(rows))) => view! { <EventsTable rows /> }.into_any(),
        (_, Ok(TabData::History(rows))) if rows.is_empty() => {
            view! { <p class="muted">"Nobody has acted on this workload through Bosun yet."</p> }
                .into_any()
        }
        (_, Ok(TabData::History(rows))) => {
            view! { <crate::pages::audit::AuditTable rows /> }.into_any()
        }
        (_, Ok(TabData::Plain)) => view! { <Overview detail /> }.into_any(),
    };
    view! {
        <header class="detail-head">
            <p class="crumbs"><a href="/workloads">"Workloads"</a>" / "{row.cluster.clone()}" / "{row.namespace.clone()}</p>
            <h1>{row.name.clone()}<span class="kind-tag">{info.label}</span></h1>
            <p class="summary">
                <HealthBadge health=row.health reason=row.reason.clone() />
                <span>{if row.desired > 0 { format!(" · {}/{} ready", row.ready, row.desired) } else { format!(" · {} active", row.ready) }}</span>
                <span>{format!(" · {} · age {}", environment, age(&row.created))}</span>
            </p>
            <div class="action-buttons" data-testid="detail-actions">
                {entries.into_iter().map(|(text, action)| {
                    let object = object.clone();
                    if matches!(action, ObjectAction::Rollback { .. }) {
                        let href = format!("{}?tab=revisions", detail_href(&object));
                        return view! { <a class="button" href=href>{text}</a> }.into_any();
                    }
                    view! {
                        <button type="button" on:click=move |_| pending.set(Some(Pending::One { object: object.clone(), action: action.clone(), environment, diff: None }))>
                            {text}
                        </button>
                    }.into_any()
                }).collect_view()}
                <PinButton object=object.clone() pinned=pinned.contains(&object) />
            </div>
            {move || match following.get() {
                Some(restarted_at) => Some(view! { <RolloutProgress object=row.object_ref() restarted_at /> }),
                None => show_progress.then(|| view! { <RolloutProgress object=row.object_ref() /> }),
            }}
        </header>
        <nav class="tabs" aria-label="Sections of the workload">
            {TABS.into_iter().map(|(id, label)| {
                let current = id == tab;
                view! { <a href=format!("{base}?tab={id}") aria-current=current.then_some("page")>{label}</a> }
            }).collect_view()}
        </nav>
        <section class="tab-body" data-testid=format!("tab-{tab}")>{body}</section>
    }
}

#[component]
fn Overview(detail: WorkloadDetail) -> impl IntoView {
    view! {
        <dl class="facts">
            <dt>"Selector"</dt><dd><code>{detail.selector.clone()}</code></dd>
            {detail.facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            <dt>"Labels"</dt>
            <dd>{detail.labels.iter().map(|(k, v)| view! { <code class="label">{format!("{k}={v}")}</code>" " }).collect_view()}</dd>
        </dl>
        <h2>"Containers"</h2>
        <div class="table-wrap">
            <table class="grid">
                <thead><tr><th>"Name"</th><th>"Image"</th><th>"Requests"</th><th>"Limits"</th><th>"Ports"</th></tr></thead>
                <tbody>
                    {detail.containers.into_iter().map(|c| view! {
                        <tr><td>{c.name}</td><td><code>{c.image}</code></td><td>{c.requests}</td><td>{c.limits}</td><td>{c.ports}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2>"Conditions"</h2>
        <ConditionsTable conditions=detail.conditions empty="The workload reports no conditions." />
    }
}

/// An object's conditions; `empty` says so when it reports none.
#[component]
pub fn ConditionsTable(
    conditions: Vec<bosun_model::Condition>,
    empty: &'static str,
) -> impl IntoView {
    if conditions.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="grid">
                <thead><tr><th>"Type"</th><th>"Status"</th><th>"Reason"</th><th>"Message"</th><th>"Changed"</th></tr></thead>
                <tbody>
                    {conditions.into_iter().map(|c| view! {
                        <tr><td>{c.type_}</td><td>{c.status}</td><td>{c.reason}</td><td>{c.message}</td><td>{age(&c.last_transition)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The object a detail page's route names (`/:cluster/:namespace/:name`), of `kind`.
pub fn routed_object(kind: KindId) -> Memo<ObjectRef> {
    let params = use_params_map();
    Memo::new(move |_| {
        let p = params.get();
        let get = |k: &str| p.get(k).unwrap_or_default();
        ObjectRef::new(&get("cluster"), &get("namespace"), kind, &get("name"))
    })
}

/// Events about an object, warnings first (used by the pod page too).
#[component]
pub fn EventsTable(rows: Vec<bosun_model::EventRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No events."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="grid" data-testid="events-table">
                <thead><tr><th>"Type"</th><th>"Reason"</th><th>"Object"</th><th>"Message"</th><th>"Count"</th><th>"Last seen"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|e| { let class = if e.type_ == "Warning" { "warn-row" } else { "" }; view! {
                        <tr class=class>
                            <td>{e.type_}</td><td>{e.reason}</td><td>{e.object}</td><td>{e.message}</td><td class="num">{e.count}</td><td>{age(&e.last_seen)}</td>
                        </tr>
                    } }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
