//! Events of one or every cluster: warnings first, then the newest; filtered by
//! namespace, type, reason, the involved object's kind and name and words of the message;
//! paged on the server and followed live.

use bosun_model::{EventQuery, EventRow, Page};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::clusters::list_clusters;
use crate::api::events::list_events;
use crate::api::list_stream_url;
use crate::components::{ErrorBox, LiveRefresh};
use crate::format::{age, url_encode};

/// The query string of `q` (without paging), for links and the live stream.
fn pairs(q: &EventQuery) -> Vec<(&'static str, String)> {
    [
        ("cluster", q.cluster.clone()),
        ("ns", q.namespace.clone()),
        ("type", q.type_.clone()),
        ("reason", q.reason.clone()),
        ("kind", q.kind.clone()),
        ("name", q.name.clone()),
        ("q", q.q.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect()
}

fn stream_url(q: &EventQuery) -> String {
    let params: Vec<(&str, Option<&str>)> = vec![
        ("type", q.type_.as_deref()),
        ("reason", q.reason.as_deref()),
        ("kind", q.kind.as_deref()),
        ("name", q.name.as_deref()),
        ("q", q.q.as_deref()),
    ];
    list_stream_url(
        q.cluster.as_deref(),
        q.namespace.as_deref(),
        "events",
        &params,
    )
}

#[component]
pub fn EventsPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let q = query.get();
        let value = |key: &str| q.get(key).filter(|v| !v.is_empty());
        EventQuery {
            cluster: value("cluster"),
            namespace: value("ns"),
            type_: value("type"),
            reason: value("reason"),
            kind: value("kind"),
            name: value("name"),
            q: value("q"),
            limit: None,
            continue_token: value("continue"),
        }
    });
    let clusters = Resource::new(|| (), |()| list_clusters());
    let refresh = RwSignal::new(0u32);
    let rows = Resource::new(
        move || (filters.get(), refresh.get()),
        |(q, _)| list_events(q),
    );
    view! {
        <Title text="Events" />
        <h1>"Events"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let clusters = clusters.await.unwrap_or_default();
                let f = filters.get();
                let text = |v: &Option<String>| v.clone().unwrap_or_default();
                view! {
                    <form class="filters" method="get" action="/events" data-testid="event-filters">
                        <label><span>"Cluster"</span>
                            <select name="cluster">
                                <option value="">"All clusters"</option>
                                {clusters.into_iter().map(|c| { let selected = Some(&c.name) == f.cluster.as_ref(); view! { <option value=c.name.clone() selected=selected>{c.name.clone()}</option> } }).collect_view()}
                            </select>
                        </label>
                        <label><span>"Namespace"</span><input name="ns" value=text(&f.namespace) placeholder="all namespaces" /></label>
                        <label><span>"Type"</span>
                            <select name="type">
                                {[("", "Any"), ("Warning", "Warning"), ("Normal", "Normal")].into_iter().map(|(v, label)| view! {
                                    <option value=v selected=f.type_.as_deref().unwrap_or("") == v>{label}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label><span>"Reason"</span><input name="reason" value=text(&f.reason) placeholder="BackOff" /></label>
                        <label><span>"Object kind"</span><input name="kind" value=text(&f.kind) placeholder="Pod" /></label>
                        <label><span>"Object name"</span><input name="name" value=text(&f.name) placeholder="contains…" /></label>
                        <label><span>"Message"</span><input name="q" type="search" value=text(&f.q) placeholder="words…" /></label>
                        <button type="submit">"Filter"</button>
                    </form>
                }
            })}
        </Suspense>
        {move || view! { <LiveRefresh url=stream_url(&filters.get()) refresh /> }}
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! {
                        {page.warnings.iter().map(|w| view! { <p class="warning">{w.clone()}</p> }).collect_view()}
                        <p class="empty-state">"No event matches."</p>
                    }.into_any(),
                    Ok(page) => {
                        let next = page.continue_token.clone().map(|token| {
                            let mut href = format!("/events?continue={}", url_encode(&token));
                            for (k, v) in pairs(&filters.get_untracked()) {
                                href.push_str(&format!("&{k}={}", url_encode(&v)));
                            }
                            href
                        });
                        view! { <EventTable page next /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn EventTable(page: Page<EventRow>, next: Option<String>) -> impl IntoView {
    view! {
        {page.warnings.iter().map(|w| view! { <p class="warning">{w.clone()}</p> }).collect_view()}
        <div class="table-wrap">
            <table class="grid" data-testid="events-table">
                <thead><tr><th>"Type"</th><th>"Reason"</th><th>"Object"</th><th>"Message"</th><th>"Count"</th><th>"Last seen"</th><th>"Where"</th></tr></thead>
                <tbody>
                    {page.items.into_iter().map(|e| {
                        let class = if e.type_ == "Warning" { "badge bad" } else { "badge" };
                        view! {
                            <tr data-type=e.type_.clone() data-reason=e.reason.clone()>
                                <td><span class=class>{e.type_.clone()}</span></td>
                                <td>{e.reason.clone()}</td>
                                <td>{e.object.clone()}</td>
                                <td>{e.message.clone()}</td>
                                <td>{e.count}</td>
                                <td>{if e.last_seen.is_empty() { String::new() } else { age(&e.last_seen) }}</td>
                                <td>{format!("{} / {}", e.cluster, e.namespace)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="muted">{format!("{} event(s)", page.total)}</p>
        {next.map(|href| view! { <a class="next" href=href>"Next page"</a> })}
    }
}
