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
