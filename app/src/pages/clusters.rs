use bosun_model::{ClusterHealth, ClusterSummary};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::clusters::list_clusters;
use crate::components::ErrorBox;

/// Every cluster with its health, version and node counts.
#[component]
pub fn ClustersPage() -> impl IntoView {
    let clusters = Resource::new(|| (), |()| list_clusters());
    view! {
        <Title text="Clusters" />
        <h1>"Clusters"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match clusters.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty-state">"No clusters are connected."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="cards" data-testid="clusters">
                            {list.into_iter().map(|c| view! { <ClusterCard cluster=c /> }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ClusterCard(cluster: ClusterSummary) -> impl IntoView {
    let (badge, badge_class, reason) = match &cluster.health {
        ClusterHealth::Reachable => ("reachable", "badge ok", None),
        ClusterHealth::Unreachable(reason) => ("unreachable", "badge bad", Some(reason.clone())),
        ClusterHealth::Unknown => ("checking", "badge", None),
    };
    let nodes = cluster.nodes.map_or_else(
        || "loading…".to_string(),
        |n| {
            let cordoned = if n.unschedulable > 0 {
                format!(", {} cordoned", n.unschedulable)
            } else {
                String::new()
            };
            format!("{} of {} ready{cordoned}", n.ready, n.total)
        },
    );
    let namespaces = cluster
        .namespaces
        .map_or_else(|| "loading…".to_string(), |n| n.to_string());
    view! {
        <li class="card" data-cluster=cluster.name.clone()>
            <div class="card-head">
                <h2>{cluster.name.clone()}</h2>
                <span class=badge_class>{badge}</span>
            </div>
            {reason.map(|r| view! { <p class="error">{r}</p> })}
            <dl class="facts">
                <dt>"Version"</dt><dd>{cluster.version.unwrap_or_else(|| "unknown".into())}</dd>
                <dt>"Nodes"</dt><dd data-testid="nodes">{nodes}</dd>
                <dt>"Namespaces"</dt><dd>{namespaces}</dd>
                <dt>"API server"</dt><dd><code>{cluster.server}</code></dd>
            </dl>
        </li>
    }
}
