//! The fields a list's filter form starts with: cluster, namespace and a name search.

use bosun_model::ClusterSummary;
use leptos::prelude::*;

/// Cluster picker, namespace and name inputs with the URL's current values; inside a
/// plain GET form, so they work before hydration.
#[component]
pub fn ScopeFields(
    clusters: Vec<ClusterSummary>,
    cluster: String,
    ns: String,
    q: String,
) -> impl IntoView {
    view! {
        <label><span>"Cluster"</span>
            <select name="cluster">
                <option value="" selected=cluster.is_empty()>"All clusters"</option>
                {clusters.into_iter().map(|c| { let selected = c.name == cluster; view! { <option value=c.name.clone() selected=selected>{c.name.clone()}</option> } }).collect_view()}
            </select>
        </label>
        <label><span>"Namespace"</span><input name="ns" value=ns placeholder="all namespaces" /></label>
        <label><span>"Name"</span><input name="q" type="search" value=q placeholder="contains…" /></label>
    }
}

/// A picker of the connected clusters for a form that acts on one (`Choose…` until one
/// is picked); the clusters load on their own.
#[component]
pub fn ClusterSelect(
    value: RwSignal<String>,
    #[prop(optional, into)] testid: String,
) -> impl IntoView {
    let clusters = Resource::new(|| (), |()| crate::api::clusters::list_clusters());
    view! {
        <label><span>"Cluster"</span>
            <select required data-testid=testid on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="">"Choose…"</option>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        clusters.await.unwrap_or_default().into_iter()
                            .map(|c| view! { <option value=c.name.clone()>{c.name.clone()}</option> })
                            .collect_view()
                    })}
                </Suspense>
            </select>
        </label>
    }
}
