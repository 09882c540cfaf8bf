//! The Rollouts page: every OpenKruise Rollout of the chosen cluster and namespace, with
//! a filter for the active ones; each row shows where its canary stands and the actions
//! its state allows. The filters live in the URL.

use bosun_model::{ClusterSummary, Environment, Me, Page, Role, RolloutQuery, RolloutRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::actions::ObjectAction;
use crate::api::clusters::list_clusters;
use crate::api::rollouts::list_rollouts;
use crate::components::{ActionDialog, Done, ErrorBox, Pending, PinButton, Pins, ScopeFields};
use crate::format::{age, query_string};
use crate::pages::object_actions::{ActionButtons, ActionMenu, rollout_entries};
use crate::pages::workload_table::detail_href;

/// The page's filters, as they appear in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Filters {
    cluster: String,
    ns: String,
    active: bool,
    q: String,
    cont: String,
}

impl Filters {
    fn from_url(map: &leptos_router::params::ParamsMap) -> Self {
        let get = |k: &str| map.get(k).unwrap_or_default();
        Self {
            cluster: get("cluster"),
            ns: get("ns"),
            active: matches!(get("active").as_str(), "1" | "true" | "on"),
            q: get("q"),
            cont: get("continue"),
        }
    }

    fn query(&self) -> RolloutQuery {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        RolloutQuery {
            cluster: opt(&self.cluster),
            namespace: opt(&self.ns),
            active: self.active,
            q: opt(&self.q),
            limit: Some(bosun_model::DEFAULT_PAGE),
            continue_token: opt(&self.cont),
        }
    }

    fn href(&self, cont: &str) -> String {
        let active = if self.active { "1" } else { "" };
        format!(
            "/rollouts{}",
            query_string(&[
                ("cluster", &self.cluster),
                ("ns", &self.ns),
                ("active", active),
                ("q", &self.q),
                ("continue", cont),
            ])
        )
    }
}

pub(crate) fn environment_of(clusters: &[ClusterSummary], name: &str) -> Environment {
    clusters
        .iter()
        .find(|c| c.name == name)
        .map_or(Environment::Dev, |c| c.environment)
}

/// `2/3`, or `—` without a run.
pub(crate) fn step_text(row: &RolloutRow) -> String {
    if row.step > 0 {
        format!("{}/{}", row.step, row.steps)
    } else {
        format!("—/{}", row.steps)
    }
}

#[component]
pub fn RolloutsPage() -> impl IntoView {
    let url = use_query_map();
    let filters = Memo::new(move |_| Filters::from_url(&url.get()));
    let refresh = RwSignal::new(0u32);
    let clusters = Resource::new(|| (), |()| list_clusters());
    let page = Resource::new(
        move || (filters.get(), refresh.get()),
        |(f, _)| list_rollouts(f.query()),
    );
    let pins = Pins::load();
    let pending = RwSignal::new(None::<Pending>);
    let on_done = Callback::new(move |_: Done| refresh.update(|n| *n += 1));
    view! {
        <Title text="Rollouts" />
        <h1>"Rollouts"</h1>
        <Transition fallback=|| view! { <p class="loading">"Loading clusters…"</p> }>
            {move || Suspend::new(async move {
                let list = clusters.await.unwrap_or_default();
                let f = filters.get_untracked();
                view! {
                    <Form method="GET" action="/rollouts" attr:class="filters" attr:data-testid="filters">
                        <ScopeFields clusters=list cluster=f.cluster.clone() ns=f.ns.clone() q=f.q.clone() />
                        <label class="check-label"><input type="checkbox" name="active" value="1" checked=f.active />" Active only"</label>
                        <button type="submit" class="primary">"Apply"</button>
                    </Form>
                }
            })}
        </Transition>
        <Transition fallback=|| view! { <p class="loading">"Loading rollouts…"</p> }>
            {move || Suspend::new(async move {
                let clusters = clusters.await.unwrap_or_default();
                let pinned = pins.pinned().await;
                match page.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(rows) => view! { <Results page=rows filters=filters.get_untracked() clusters pinned pending /> }.into_any(),
                }
            })}
        </Transition>
        <ActionDialog pending on_done />
    }
}

#[component]
fn Results(
    page: Page<RolloutRow>,
    filters: Filters,
    clusters: Vec<ClusterSummary>,
    pinned: Vec<bosun_model::ObjectRef>,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    let next = page.continue_token.clone().map(|t| filters.href(&t));
    let range = if page.total == 0 {
        if filters.active {
            "No rollout is in progress.".to_string()
        } else {
            "No rollouts match.".to_string()
        }
    } else {
        format!("{} of {}", page.items.len(), page.total)
    };
    view! {
        {page.warnings.into_iter().map(|w| view! { <p class="warning" role="status">{w}</p> }).collect_view()}
        <div class="table-wrap">
            <table class="grid rollouts" data-testid="rollouts-table">
                <thead>
                    <tr>
                        <th>"Name"</th><th>"Workload"</th><th>"Namespace"</th><th>"Phase"</th><th>"Step"</th>
                        <th>"Step state"</th><th>"Canary ready"</th><th>"Traffic"</th><th>"Message"</th><th>"Age"</th>
                        <th><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {page.items.into_iter().map(|row| {
                        let object = row.object_ref();
                        let environment = environment_of(&clusters, &row.cluster);
                        let (approval, entries): (Vec<_>, Vec<_>) = rollout_entries(&row, role)
                            .into_iter()
                            .partition(|e| matches!(e.action, ObjectAction::Approve { .. }) && e.refusal.is_none());
                        let workload = row.workload.as_ref().map(|w| format!("{} {}", w.kind, w.name)).unwrap_or_else(|| "—".into());
                        let is_pinned = pinned.contains(&object);
                        view! {
                            <tr data-rollout=row.name.clone() data-phase=row.phase.clone() data-active=row.active.to_string()>
                                <td class="name"><a href=detail_href(&row.object_ref())>{row.name.clone()}</a></td>
                                <td>{workload}</td>
                                <td class="ns">{row.namespace.clone()}</td>
                                <td><span class=format!("phase phase-{}", row.phase.to_lowercase())>{row.phase.clone()}{row.paused.then_some(" (paused)")}</span></td>
                                <td class="num" data-testid="step">{step_text(&row)}</td>
                                <td data-testid="step-state">{if row.step_state.is_empty() { "—".to_string() } else { row.step_state.clone() }}</td>
                                <td class="num">{if row.step > 0 { format!("{}/{}", row.canary_ready, row.canary_replicas) } else { "—".to_string() }}</td>
                                <td class="num">{if row.traffic.is_empty() { "—".to_string() } else { row.traffic.clone() }}</td>
                                <td class="message">{row.message.clone()}</td>
                                <td class="age"><time datetime=row.created.clone()>{age(&row.created)}</time></td>
                                <td class="row-actions">
                                    // The approval a paused step waits for is one tap; the rest is in the menu.
                                    <ActionButtons object=object.clone() entries=approval environment pending />
                                    <ActionMenu object=object.clone() entries environment pending>
                                        <PinButton object=object.clone() pinned=is_pinned />
                                    </ActionMenu>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            <span data-testid="range">{range}</span>
            {next.map(|href| view! { <a href=href data-testid="next-page">"Next page"</a> })}
        </nav>
    }
}
