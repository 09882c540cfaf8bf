//! Nodes: every node of every cluster from the watch caches, filtered and paged on the
//! server and followed live (a cordon, a new node, a pod scheduled show without a
//! reload), each linking to its page.

use bosun_model::{NodeQuery, NodeRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::cluster_list_stream_url;
use crate::api::nodes::list_nodes;
use crate::components::{ErrorBox, LiveRefresh};

/// Where a node's page is.
#[must_use]
pub fn node_href(cluster: &str, name: &str) -> String {
    format!("/nodes/{cluster}/{name}")
}

#[component]
pub fn NodesPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let q = query.get();
        NodeQuery {
            q: q.get("q").filter(|v| !v.is_empty()),
            label_selector: q.get("labelSelector").filter(|v| !v.is_empty()),
            sort: q.get("sort").filter(|v| !v.is_empty()),
            continue_token: q.get("continue").filter(|v| !v.is_empty()),
            ..NodeQuery::default()
        }
    });
    let refresh = RwSignal::new(0u32);
    let nodes = Resource::new(
        move || (filters.get(), refresh.get()),
        |(q, _)| list_nodes(q),
    );
    view! {
        <Title text="Nodes" />
        <h1>"Nodes"</h1>
        <form class="filters" method="get" action="/nodes">
            <label>"Name"<input type="search" name="q" prop:value=move || filters.get().q.unwrap_or_default() /></label>
            <label>"Label selector"<input type="text" name="labelSelector" placeholder="bosun.dev/pool=load"
                prop:value=move || filters.get().label_selector.unwrap_or_default() /></label>
            <button type="submit">"Filter"</button>
        </form>
        {move || view! { <LiveRefresh url=stream_url(&filters.get()) refresh /> }}
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match nodes.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! {
                        <p class="empty-state">"No nodes match: no cluster is connected, their lists are still loading, or the filter leaves none."</p>
                    }.into_any(),
                    Ok(page) => view! { <NodeTable page /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The live stream of the same page of nodes.
fn stream_url(q: &NodeQuery) -> String {
    cluster_list_stream_url(
        q.cluster.as_deref(),
        "nodes",
        &[
            ("q", q.q.as_deref()),
            ("labelSelector", q.label_selector.as_deref()),
            ("sort", q.sort.as_deref()),
            ("continue", q.continue_token.as_deref()),
        ],
    )
}

#[component]
fn NodeTable(page: bosun_model::Page<NodeRow>) -> impl IntoView {
    let next = page.continue_token.clone();
    view! {
        {page.warnings.iter().map(|w| view! { <p class="warning">{w.clone()}</p> }).collect_view()}
        <div class="table-wrap">
            <table class="grid" data-testid="nodes-table">
                <thead>
                    <tr><th>"Cluster"</th><th>"Name"</th><th>"Status"</th><th>"Roles"</th><th>"Pods"</th><th>"Taints"</th><th>"Version"</th><th>"CPU"</th><th>"Memory"</th></tr>
                </thead>
                <tbody>
                    {page.items.into_iter().map(|n| {
                        let href = node_href(&n.cluster, &n.name);
                        view! {
                            <tr data-node=n.name.clone()>
                                <td>{n.cluster.clone()}</td>
                                <td><a href=href>{n.name.clone()}</a></td>
                                <td class=if n.ready { "outcome-success" } else { "outcome-failure" } data-testid="node-status">{n.status()}</td>
                                <td>{if n.roles.is_empty() { "<none>".to_string() } else { n.roles.clone() }}</td>
                                <td>{n.pods}</td>
                                <td>{n.taints}</td>
                                <td>{n.kubelet_version.clone()}</td>
                                <td>{n.cpu.clone()}</td>
                                <td>{n.memory.clone()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="muted">{format!("{} node(s)", page.total)}</p>
        {next.map(|token| view! { <a class="next" href=format!("/nodes?continue={token}")>"Next page"</a> })}
    }
}
