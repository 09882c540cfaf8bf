//! One rollout: its steps drawn as a progress line (traffic, replicas, pause, time left
//! on a timed pause), the current step and its state, stable and canary revisions,
//! conditions, history and events. The page follows the rollout live: the server pushes
//! each change from its watch cache.

use std::time::Duration;

use bosun_model::{
    ClusterSummary, KindId, Me, ObjectRef, Role, RolloutDetail, RolloutHistory, RolloutStep,
    StepPause,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::clusters::list_clusters;
use crate::api::rollouts::{
    fetch_rollout, fetch_rollout_history, rollout_events, status_stream_url,
};
use crate::components::{ActionDialog, Done, ErrorBox, Pending, PinButton, Pins, follow};
use crate::format::{age, unix_seconds};
use crate::pages::object_actions::{ActionButtons, rollout_entries};
use crate::pages::rollouts::{environment_of, step_text};
use crate::pages::workload_detail::{ConditionsTable, EventsTable, routed_object};
use crate::pages::workload_table::detail_href;

const TABS: [(&str, &str); 4] = [
    ("overview", "Overview"),
    ("history", "History"),
    ("events", "Events"),
    ("yaml", "YAML"),
];

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
enum TabData {
    Plain,
    History(RolloutHistory),
    Events(Vec<bosun_model::EventRow>),
}

async fn tab_data(object: ObjectRef, tab: String) -> Result<TabData, crate::AppError> {
    Ok(match tab.as_str() {
        "history" => TabData::History(fetch_rollout_history(object).await?),
        "events" => TabData::Events(rollout_events(object).await?),
        _ => TabData::Plain,
    })
}

#[component]
pub fn RolloutDetailPage() -> impl IntoView {
    let query = use_query_map();
    let object = routed_object(KindId::Rollout);
    let tab = Memo::new(move |_| query.get().get("tab").unwrap_or_else(|| "overview".into()));
    let refresh = RwSignal::new(0u32);
    let detail = Resource::new(move || object.get(), fetch_rollout);
    let extra = Resource::new(
        move || (object.get(), tab.get(), refresh.get()),
        |(o, t, _)| tab_data(o, t),
    );
    let clusters = Resource::new(|| (), |()| list_clusters());
    let pins = Pins::load();
    let pending = RwSignal::new(None::<Pending>);
    let on_done = Callback::new(move |_: Done| refresh.update(|n| *n += 1));
    view! {
        <Title text=move || object.get().name />
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let clusters = clusters.await.unwrap_or_default();
                let pinned = pins.pinned().await;
                let extra = extra.await;
                match detail.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(initial) => view! { <Detail initial clusters pinned tab=tab.get_untracked() extra pending /> }.into_any(),
                }
            })}
        </Transition>
        <ActionDialog pending on_done />
    }
}

#[component]
fn Detail(
    initial: RolloutDetail,
    clusters: Vec<ClusterSummary>,
    pinned: Vec<ObjectRef>,
    tab: String,
    extra: Result<TabData, crate::AppError>,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let object = initial.row.object_ref();
    let environment = environment_of(&clusters, &object.cluster);
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    let yaml = initial.yaml.clone();
    let live = RwSignal::new(initial);
    let problem = RwSignal::new(None::<String>);
    follow(
        status_stream_url(&object),
        true,
        move |mut d: RolloutDetail| {
            // The status stream leaves the YAML out; keep the one the page loaded.
            d.yaml = live.with_untracked(|l| l.yaml.clone());
            problem.set(None);
            live.set(d);
        },
        move |message| problem.set(Some(message)),
    );
    let base = detail_href(&object);
    let is_pinned = pinned.contains(&object);
    let body = match (tab.as_str(), extra) {
        (_, Err(error)) => view! { <ErrorBox error /> }.into_any(),
        ("yaml", _) => view! { <pre class="yaml" data-testid="yaml">{yaml}</pre> }.into_any(),
        (_, Ok(TabData::History(history))) => view! { <History history /> }.into_any(),
        (_, Ok(TabData::Events(rows))) => view! { <EventsTable rows /> }.into_any(),
        (_, Ok(TabData::Plain)) => view! { <Overview live /> }.into_any(),
    };
    let action_object = object.clone();
    view! {
        <header class="detail-head">
            <p class="crumbs"><a href="/rollouts">"Rollouts"</a>" / "{object.cluster.clone()}" / "{object.namespace.clone()}</p>
            <h1>{object.name.clone()}<span class="kind-tag">"Rollout"</span></h1>
            <p class="summary" data-testid="rollout-summary">
                {move || {
                    let row = live.get().row;
                    let workload = row.workload_ref().map(|w| view! { <a href=detail_href(&w)>{format!("{} {}", w.kind.info().label, w.name)}</a> });
                    view! {
                        <span class=format!("phase phase-{}", row.phase.to_lowercase()) data-testid="phase">{row.phase.clone()}</span>
                        {row.paused.then(|| view! { <span class="badge paused">" paused"</span> })}
                        " · step " <strong data-testid="current-step">{step_text(&row)}</strong>
                        {(!row.step_state.is_empty()).then(|| view! { " · " <span data-testid="current-step-state">{row.step_state.clone()}</span> })}
                        " · " {workload}
                        {format!(" · {environment}")}
                    }
                }}
            </p>
            <p class="muted" data-testid="rollout-message">{move || live.get().row.message}</p>
            <div class="head-actions">
                {move || {
                    let entries = rollout_entries(&live.get().row, role);
                    view! { <ActionButtons object=action_object.clone() entries environment pending /> }
                }}
                // Outside the live part, so an update does not reset the toggle.
                <PinButton object=object.clone() pinned=is_pinned />
            </div>
            {move || problem.get().map(|p| view! { <p class="warning" role="status">{format!("Live updates paused: {p}")}</p> })}
        </header>
        <StepLine live />
        <nav class="tabs" aria-label="Sections of the rollout">
            {TABS.into_iter().map(|(id, label)| {
                let current = id == tab;
                view! { <a href=format!("{base}?tab={id}") aria-current=current.then_some("page")>{label}</a> }
            }).collect_view()}
        </nav>
        <section class="tab-body" data-testid=format!("tab-{tab}")>{body}</section>
    }
}

/// Seconds since the epoch, ticking each second in the browser (for countdowns).
fn ticking_now() -> ReadSignal<i64> {
    let (now, set_now) = signal(crate::browser::now_unix());
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || set_now.set(crate::browser::now_unix()),
            Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    now
}

fn pause_text(step: &RolloutStep) -> String {
    match step.pause {
        StepPause::None => "no pause".into(),
        StepPause::Manual => "waits for approval".into(),
        StepPause::Timed { seconds } => format!("pauses {seconds} s"),
    }
}

/// The steps as a progress line: done, current (with its state and any time left), to do.
#[component]
fn StepLine(live: RwSignal<RolloutDetail>) -> impl IntoView {
    let now = ticking_now();
    view! {
        <ol class="steps" data-testid="steps">
            {move || {
                let d = live.get();
                let current = d.row.step;
                let left = d.pause_until.as_deref().and_then(unix_seconds).map(|end| (end - now.get()).max(0));
                d.steps.iter().map(|step| {
                    let state = if current == 0 { "idle" } else if step.index < current { "done" } else if step.index == current { "current" } else { "todo" };
                    let here = step.index == current;
                    let traffic = if step.traffic.is_empty() { "—".to_string() } else { step.traffic.clone() };
                    let replicas = if step.replicas.is_empty() { "—".to_string() } else { step.replicas.clone() };
                    view! {
                        <li class=format!("step {state}") data-step=step.index data-state=state>
                            <span class="step-index">{format!("Step {}", step.index)}</span>
                            <span class="step-traffic">{format!("traffic {traffic}")}</span>
                            <span class="step-replicas">{format!("replicas {replicas}")}</span>
                            <span class="step-pause">{pause_text(step)}</span>
                            {here.then(|| view! { <span class="step-state" data-testid="step-state">{d.row.step_state.clone()}</span> })}
                            {(here && left.is_some()).then(|| view! { <span class="step-left" data-testid="step-left">{format!("{} s left", left.unwrap_or(0))}</span> })}
                        </li>
                    }
                }).collect_view()
            }}
        </ol>
    }
}

#[component]
fn Overview(live: RwSignal<RolloutDetail>) -> impl IntoView {
    view! {
        {move || {
            let d = live.get();
            view! {
                <dl class="facts">
                    <dt>"Strategy"</dt><dd>{d.strategy.clone()}</dd>
                    <dt>"Stable revision"</dt><dd><code data-testid="stable-revision">{d.stable_revision.clone()}</code></dd>
                    <dt>"Canary revision"</dt><dd><code>{if d.canary_revision.is_empty() { "—".to_string() } else { d.canary_revision.clone() }}</code></dd>
                    <dt>"Canary pods ready"</dt><dd>{format!("{}/{}", d.row.canary_ready, d.row.canary_replicas)}</dd>
                    <dt>"Current step since"</dt><dd>{if d.step_since.is_empty() { "—".to_string() } else { age(&d.step_since) }}</dd>
                </dl>
                <h2>"Conditions"</h2>
                <ConditionsTable conditions=d.conditions empty="The rollout reports no conditions." />
            }
        }}
    }
}

#[component]
fn History(history: RolloutHistory) -> impl IntoView {
    view! {
        <h2>"Workload revisions"</h2>
        {if history.revisions.is_empty() {
            view! { <p class="muted">"No revisions."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="grid" data-testid="revisions-table">
                        <thead><tr><th>"Revision"</th><th>"Images"</th><th>"Change cause"</th><th>"Age"</th><th>"Current"</th></tr></thead>
                        <tbody>
                            {history.revisions.into_iter().map(|r| view! {
                                <tr><td class="num">{r.revision}</td><td>{r.images.join(", ")}</td><td>{r.change_cause}</td><td>{age(&r.created)}</td><td>{if r.current { "yes" } else { "" }}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <h2>"Past runs: actions through Bosun"</h2>
        {if history.runs.is_empty() {
            view! { <p class="muted">"Nobody has acted on this rollout through Bosun yet."</p> }.into_any()
        } else {
            view! { <crate::pages::audit::AuditTable rows=history.runs /> }.into_any()
        }}
    }
}
