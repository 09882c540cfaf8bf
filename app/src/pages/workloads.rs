//! The Workloads page: every workload of the chosen clusters and namespaces, filtered,
//! sorted and paged on the server from the watch caches. The filters live in the URL, so
//! a view can be shared as a link; rows can be selected for batch restarts.

use std::collections::BTreeSet;

use bosun_model::kinds::ApiFamily;
use bosun_model::{ClusterSummary, KindId, ObjectRef, Page, WorkloadQuery, WorkloadRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::actions::ObjectAction;
use crate::api::clusters::{cluster_namespaces, list_clusters};
use crate::api::workloads::{list_workloads, workloads_stream_url};
use crate::components::{
    ActionDialog, Done, ErrorBox, LiveRefresh, Pending, Pins, RolloutProgress,
};
use crate::format::query_string;
use crate::pages::batch::{BatchResults, run_batch};
use crate::pages::workload_table::WorkloadTable;

/// The page's filters, as they appear in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub cluster: String,
    pub ns: String,
    pub kind: String,
    pub q: String,
    pub labels: String,
    pub sort: String,
    pub cont: String,
}

impl Filters {
    fn from_url(map: &leptos_router::params::ParamsMap) -> Self {
        let get = |k: &str| map.get(k).unwrap_or_default();
        Self {
            cluster: get("cluster"),
            ns: get("ns"),
            kind: get("kind"),
            q: get("q"),
            labels: get("labels"),
            sort: get("sort"),
            cont: get("continue"),
        }
    }

    fn query(&self) -> WorkloadQuery {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        WorkloadQuery {
            cluster: opt(&self.cluster),
            namespace: opt(&self.ns),
            kind: self.kind.parse::<KindId>().ok(),
            q: opt(&self.q),
            label_selector: opt(&self.labels),
            sort: opt(&self.sort),
            limit: Some(bosun_model::DEFAULT_PAGE),
            continue_token: opt(&self.cont),
        }
    }

    /// The URL of this view with some filters changed.
    pub fn href(&self, change: impl FnOnce(&mut Filters)) -> String {
        let mut f = self.clone();
        change(&mut f);
        let qs = query_string(&[
            ("cluster", &f.cluster),
            ("ns", &f.ns),
            ("kind", &f.kind),
            ("q", &f.q),
            ("labels", &f.labels),
            ("sort", &f.sort),
            ("continue", &f.cont),
        ]);
        format!("/workloads{qs}")
    }
}

/// The Workloads page.
#[component]
pub fn WorkloadsPage() -> impl IntoView {
    let url = use_query_map();
    let filters = Memo::new(move |_| Filters::from_url(&url.get()));
    let refresh = RwSignal::new(0u32);
    let clusters = Resource::new(|| (), |()| list_clusters());
    // The namespace picker follows the cluster picker before the form is applied.
    let chosen = RwSignal::new(filters.get_untracked().cluster);
    Effect::new(move |_| chosen.set(filters.get().cluster));
    let namespaces = Resource::new(
        move || chosen.get(),
        |cluster| async move {
            if cluster.is_empty() {
                Ok(Vec::new())
            } else {
                cluster_namespaces(cluster).await
            }
        },
    );
    let page = Resource::new(
        move || (filters.get(), refresh.get()),
        |(f, _)| list_workloads(f.query()),
    );
    let pins = Pins::load();
    let selected: RwSignal<BTreeSet<ObjectRef>> = RwSignal::new(BTreeSet::new());
    let pending = RwSignal::new(None::<Pending>);
    let following: RwSignal<Vec<(ObjectRef, Option<String>)>> = RwSignal::new(Vec::new());
    let batch = RwSignal::new(Vec::new());
    let on_done = Callback::new(move |(object, action, reply): Done| {
        if matches!(action, ObjectAction::Restart { .. }) {
            following.update(|f| {
                f.retain(|(o, _)| *o != object);
                f.insert(0, (object, reply.restarted_at));
            });
        }
        refresh.update(|n| *n += 1);
    });
    let on_batch = Callback::new(move |(targets, action): (Vec<ObjectRef>, ObjectAction)| {
        if let ObjectAction::Restart { force } = action {
            selected.set(BTreeSet::new());
            run_batch(targets, force, batch, following);
        }
    });
    view! {
        <Title text="Workloads" />
        <h1>"Workloads"</h1>
        <Transition fallback=|| view! { <p class="loading">"Loading clusters…"</p> }>
            {move || Suspend::new(async move {
                let list = clusters.await.unwrap_or_default();
                view! { <FilterForm filters=filters.get_untracked() clusters=list chosen namespaces /> }
            })}
        </Transition>
        // The page follows the cluster: each pushed change reloads it.
        {move || view! { <LiveRefresh url=workloads_stream_url(&filters.get().query()) refresh /> }}
        <SelectionBar selected pending />
        <BatchResults items=batch />
        <ul class="following" data-testid="following">
            <For each=move || following.get() key=|f| f.clone() let:followed>
                <li>
                    <span class="following-name">{format!("{} · {}", followed.0.cluster, followed.0.describe())}</span>
                    <RolloutProgress object=followed.0.clone() restarted_at=followed.1.clone() />
                </li>
            </For>
        </ul>
        <Transition fallback=|| view! { <p class="loading">"Loading workloads…"</p> }>
            {move || Suspend::new(async move {
                let clusters = clusters.await.unwrap_or_default();
                let pinned = pins.pinned().await;
                match page.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(rows) => view! { <Results page=rows filters=filters.get_untracked() clusters pinned selected pending /> }.into_any(),
                }
            })}
        </Transition>
        <ActionDialog pending on_done on_batch />
    }
}

/// The filter form: a plain GET form (it works before hydration), enhanced to navigate
/// on the client.
#[component]
fn FilterForm(
    filters: Filters,
    clusters: Vec<ClusterSummary>,
    chosen: RwSignal<String>,
    namespaces: Resource<Result<Vec<String>, crate::AppError>>,
) -> impl IntoView {
    let current = filters.cluster.clone();
    let url_ns = filters.ns.clone();
    // The kinds the chosen clusters serve: built-in ones everywhere, optional ones where
    // discovery found them.
    let served = {
        let clusters = clusters.clone();
        move || -> Vec<KindId> {
            let cluster = chosen.get();
            KindId::workloads()
                .filter(|k| {
                    k.info().family == ApiFamily::Kubernetes
                        || clusters
                            .iter()
                            .filter(|c| cluster.is_empty() || c.name == cluster)
                            .any(|c| c.optional_kinds.contains(k))
                })
                .collect()
        }
    };
    let kind = filters.kind.clone();
    view! {
        <Form method="GET" action="/workloads" attr:class="filters" attr:data-testid="filters">
            <label>
                <span>"Cluster"</span>
                <select name="cluster" on:change=move |ev| chosen.set(event_target_value(&ev))>
                    <option value="" selected=current.is_empty()>"All clusters"</option>
                    {clusters.into_iter().map(|c| {
                        let selected = c.name == current;
                        view! { <option value=c.name.clone() selected=selected>{format!("{} ({})", c.name, c.environment)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                <span>"Namespace"</span>
                // Only this field follows the cluster picker, so what was typed elsewhere stays.
                <Transition fallback=|| view! { <input name="ns" placeholder="all namespaces" /> }>
                    {
                        let url_ns = url_ns.clone();
                        let url_cluster = filters.cluster.clone();
                        move || {
                            let (url_ns, url_cluster) = (url_ns.clone(), url_cluster.clone());
                            Suspend::new(async move {
                                let names = namespaces.await.unwrap_or_default();
                                // The URL's namespace applies only to the URL's cluster.
                                let ns = if chosen.get_untracked() == url_cluster { url_ns } else { String::new() };
                                namespace_field(names, ns)
                            })
                        }
                    }
                </Transition>
            </label>
            <label>
                <span>"Kind"</span>
                <select name="kind">
                    <option value="" selected=kind.is_empty()>"All kinds"</option>
                    {move || served().into_iter().map(|k| {
                        let selected = k.route() == kind;
                        view! { <option value=k.route() selected=selected>{k.info().label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                <span>"Name"</span>
                <input name="q" type="search" value=filters.q.clone() placeholder="contains…" />
            </label>
            <label>
                <span>"Labels"</span>
                <input name="labels" value=filters.labels.clone() placeholder="app=web,tier in (front)" />
            </label>
            <input type="hidden" name="sort" value=filters.sort.clone() />
            <button type="submit" class="primary">"Apply"</button>
        </Form>
    }
}

/// The namespace picker: a list when the cluster's namespaces are known, else free text.
fn namespace_field(names: Vec<String>, ns: String) -> AnyView {
    if names.is_empty() {
        return view! { <input name="ns" value=ns placeholder="all namespaces" /> }.into_any();
    }
    view! {
        <select name="ns">
            <option value="" selected=ns.is_empty()>"All namespaces"</option>
            {names.into_iter().map(|n| {
                let selected = n == ns;
                let value = n.clone();
                view! { <option value=value selected=selected>{n}</option> }
            }).collect_view()}
        </select>
    }
    .into_any()
}

/// Batch actions for the selected rows.
#[component]
fn SelectionBar(
    selected: RwSignal<BTreeSet<ObjectRef>>,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let open = move |force: bool| {
        let targets: Vec<ObjectRef> = selected.get().into_iter().collect();
        pending.set(Some(Pending::Batch {
            targets,
            action: ObjectAction::Restart { force },
        }));
    };
    view! {
        <Show when=move || !selected.get().is_empty()>
            <div class="selection-bar" data-testid="selection-bar">
                <span>{move || format!("{} selected", selected.get().len())}</span>
                <button type="button" class="primary" on:click=move |_| open(false)>"Restart selected"</button>
                <button type="button" on:click=move |_| open(true)>"Force restart selected"</button>
                <button type="button" on:click=move |_| selected.set(BTreeSet::new())>"Clear"</button>
            </div>
        </Show>
    }
}

/// The table with its paging and any warnings (clusters still syncing, watches failing).
#[component]
fn Results(
    page: Page<WorkloadRow>,
    filters: Filters,
    clusters: Vec<ClusterSummary>,
    pinned: Vec<ObjectRef>,
    selected: RwSignal<BTreeSet<ObjectRef>>,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let offset: usize = filters.cont.parse().unwrap_or(0);
    let shown = page.items.len();
    let next = page
        .continue_token
        .clone()
        .map(|t| filters.href(|f| f.cont = t));
    let first = (offset > 0).then(|| filters.href(|f| f.cont.clear()));
    let range = if page.total == 0 {
        "No workloads match.".to_string()
    } else {
        format!("{}–{} of {}", offset + 1, offset + shown, page.total)
    };
    view! {
        {page.warnings.into_iter().map(|w| view! { <p class="warning" role="status">{w}</p> }).collect_view()}
        <WorkloadTable rows=page.items filters clusters pinned selected pending />
        <nav class="pager" aria-label="Pages">
            <span data-testid="range">{range}</span>
            {first.map(|href| view! { <a href=href>"First page"</a> })}
            {next.map(|href| view! { <a href=href data-testid="next-page">"Next page"</a> })}
        </nav>
    }
}
