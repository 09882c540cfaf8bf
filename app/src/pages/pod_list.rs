//! The Pods page: one cluster's pods, filtered by namespace, label and field selectors and
//! name, sorted and paged on the server from the watch cache. Filters live in the URL.

use bosun_model::{ClusterSummary, Page, PodQuery, PodRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::clusters::list_clusters;
use crate::api::pods::{list_pods, pods_stream_url};
use crate::components::ErrorBox;
use crate::components::follow;
use crate::format::query_string;
use crate::pages::pods::PodTable;

/// The filters, as they appear in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Filters {
    cluster: String,
    ns: String,
    labels: String,
    fields: String,
    q: String,
    sort: String,
    cont: String,
}

impl Filters {
    fn from_url(map: &leptos_router::params::ParamsMap) -> Self {
        let get = |k: &str| map.get(k).unwrap_or_default();
        Self {
            cluster: get("cluster"),
            ns: get("ns"),
            labels: get("labels"),
            fields: get("fields"),
            q: get("q"),
            sort: get("sort"),
            cont: get("continue"),
        }
    }

    /// The query of this page of `cluster`'s pods.
    fn query(&self, cluster: String) -> PodQuery {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        PodQuery {
            cluster,
            namespace: opt(&self.ns),
            label_selector: opt(&self.labels),
            field_selector: opt(&self.fields),
            q: opt(&self.q),
            sort: opt(&self.sort),
            limit: Some(bosun_model::DEFAULT_PAGE),
            continue_token: opt(&self.cont),
        }
    }

    fn href(&self, cont: &str) -> String {
        let qs = query_string(&[
            ("cluster", &self.cluster),
            ("ns", &self.ns),
            ("labels", &self.labels),
            ("fields", &self.fields),
            ("q", &self.q),
            ("sort", &self.sort),
            ("continue", cont),
        ]);
        format!("/pods{qs}")
    }
}

/// The cluster a pod list is of: the URL's, else the first one.
fn cluster_of(filters: &Filters, clusters: &[ClusterSummary]) -> Option<String> {
    if filters.cluster.is_empty() {
        clusters.first().map(|c| c.name.clone())
    } else {
        Some(filters.cluster.clone())
    }
}

#[component]
pub fn PodListPage() -> impl IntoView {
    let url = use_query_map();
    let filters = Memo::new(move |_| Filters::from_url(&url.get()));
    let clusters = Resource::new(|| (), |()| list_clusters());
    let pods = Resource::new(
        move || filters.get(),
        move |f| async move {
            // The server function is called before anything is awaited when the URL names
            // the cluster: a server render builds the page more than once, and a call made
            // after an await in a copy already discarded finds no request context (its
            // error would then be what the browser hydrates with).
            let cluster = if f.cluster.is_empty() {
                let all = clusters.await?;
                let Some(cluster) = cluster_of(&f, &all) else {
                    return Ok(None);
                };
                cluster
            } else {
                f.cluster.clone()
            };
            list_pods(f.query(cluster)).await.map(Some)
        },
    );
    view! {
        <Title text="Pods" />
        <h1>"Pods"</h1>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let f = filters.get_untracked();
                let list = clusters.await.unwrap_or_default();
                let current = cluster_of(&f, &list).unwrap_or_default();
                let watch = pods_stream_url(&f.query(current.clone()));
                let answer = pods.await;
                let (ns, labels, fields, q, sort) = (f.ns.clone(), f.labels.clone(), f.fields.clone(), f.q.clone(), f.sort.clone());
                let form = view! {
                    <Form method="GET" action="/pods" attr:class="filters" attr:data-testid="pod-filters">
                        <label><span>"Cluster"</span>
                            <select name="cluster">
                                {list.iter().map(|c| {
                                    let selected = c.name == current;
                                    view! { <option value=c.name.clone() selected=selected>{c.name.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label><span>"Namespace"</span><input name="ns" value=ns placeholder="all namespaces" /></label>
                        <label><span>"Labels"</span><input name="labels" value=labels placeholder="app=web" /></label>
                        <label><span>"Fields"</span><input name="fields" value=fields placeholder="spec.nodeName=node-1" /></label>
                        <label><span>"Name"</span><input name="q" type="search" value=q placeholder="contains…" /></label>
                        <label><span>"Sort"</span>
                            <select name="sort">
                                {[("name", "Name"), ("namespace", "Namespace"), ("status", "Status"), ("restarts", "Most restarts"), ("node", "Node"), ("age", "Newest")]
                                    .into_iter()
                                    .map(|(v, l)| view! { <option value=v selected=sort == v>{l}</option> })
                                    .collect_view()}
                            </select>
                        </label>
                        <button type="submit" class="primary">"Apply"</button>
                    </Form>
                };
                let body = match answer {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(None) => view! { <p class="empty-state">"No clusters are connected."</p> }.into_any(),
                    Ok(Some(page)) => {
                        view! { <LivePods page watch filters=f.clone() /> }.into_any()
                    }
                };
                view! { {form} {body} }
            })}
        </Transition>
    }
}

/// One page of pods, kept current by the server's live stream of the same query: rows
/// change in place, the count follows the cluster, and a dropped stream is said so and
/// resumed.
#[component]
fn LivePods(page: Page<PodRow>, watch: String, filters: Filters) -> impl IntoView {
    let live = RwSignal::new(page);
    let problem = RwSignal::new(None::<String>);
    // "Live" only once the stream has answered: until then a change could still be missed.
    let connected = RwSignal::new(false);
    follow(
        watch,
        true,
        move |p: Page<PodRow>| {
            live.set(p);
            problem.set(None);
            connected.set(true);
        },
        move |message| problem.set(Some(message)),
    );
    let offset: usize = filters.cont.parse().unwrap_or(0);
    let rows = Signal::derive(move || live.with(|p| p.items.clone()));
    let range = move || {
        live.with(|p| {
            if p.total == 0 {
                "No pods match.".to_string()
            } else {
                format!("{}–{} of {}", offset + 1, offset + p.items.len(), p.total)
            }
        })
    };
    let first = (offset > 0).then(|| filters.href(""));
    let next = move || {
        live.with(|p| p.continue_token.clone())
            .map(|t| filters.href(&t))
    };
    view! {
        <p class="live-state" data-testid="live-state" role="status">
            {move || match problem.get() {
                None if !connected.get() => "Connecting to live updates…".to_string(),
                None => "Live: changes in the cluster show here as they happen.".to_string(),
                Some(p) => format!("Live updates paused ({p}); reconnecting…"),
            }}
        </p>
        <PodTable pods=rows />
        <nav class="pager" aria-label="Pages">
            <span data-testid="pods-range">{range}</span>
            {first.map(|href| view! { <a href=href>"First page"</a> })}
            {move || next().map(|href| view! { <a href=href>"Next page"</a> })}
        </nav>
    }
}
