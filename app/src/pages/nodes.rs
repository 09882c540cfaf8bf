use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::nodes::list_nodes;
use crate::components::ErrorBox;

/// Every node of every cluster, served from the watch caches.
#[component]
pub fn NodesPage() -> impl IntoView {
    let nodes = Resource::new(|| (), |()| list_nodes());
    view! {
        <Title text="Nodes" />
        <h1>"Nodes"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match nodes.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! {
                        <p class="empty-state">"No nodes yet: no cluster is connected, or their lists are still loading."</p>
                    }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap">
                            <table class="grid" data-testid="nodes-table">
                                <thead>
                                    <tr><th>"Cluster"</th><th>"Name"</th><th>"Status"</th><th>"Roles"</th><th>"Version"</th><th>"CPU"</th><th>"Memory"</th></tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|n| {
                                        let status = match (n.ready, n.schedulable) {
                                            (true, true) => "Ready",
                                            (true, false) => "Ready, cordoned",
                                            (false, true) => "NotReady",
                                            (false, false) => "NotReady, cordoned",
                                        };
                                        let row_key = n.name.clone();
                                        view! {
                                            <tr data-node=row_key>
                                                <td>{n.cluster}</td>
                                                <td>{n.name}</td>
                                                <td class=if n.ready { "outcome-success" } else { "outcome-failure" }>{status}</td>
                                                <td>{if n.roles.is_empty() { "<none>".to_string() } else { n.roles }}</td>
                                                <td>{n.kubelet_version}</td>
                                                <td>{n.cpu}</td>
                                                <td>{n.memory}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
