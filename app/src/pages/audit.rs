//! The audit log: who did what, from where, to which object, with which parameters, and
//! how it ended. Every column can be filtered; the filters live in the URL.

use bosun_model::{AuditEntry, AuditQuery};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::audit::audit_log;
use crate::components::ErrorBox;
use crate::format::query_string;

const FILTERS: [(&str, &str); 8] = [
    ("user", "User"),
    ("source", "Source"),
    ("cluster", "Cluster"),
    ("namespace", "Namespace"),
    ("kind", "Kind"),
    ("name", "Name"),
    ("action", "Action"),
    ("outcome", "Outcome"),
];

fn query_of(map: &leptos_router::params::ParamsMap) -> AuditQuery {
    let get = |k: &str| map.get(k).filter(|v| !v.is_empty());
    AuditQuery {
        cluster: get("cluster"),
        namespace: get("namespace"),
        kind: get("kind"),
        name: get("name"),
        user: get("user"),
        action: get("action"),
        outcome: get("outcome"),
        source: get("source"),
        before: get("before").and_then(|b| b.parse().ok()),
        limit: Some(100),
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let url = use_query_map();
    let entries = Resource::new(move || query_of(&url.get()), audit_log);
    view! {
        <Title text="Audit" />
        <h1>"Audit log"</h1>
        <Form method="GET" action="/audit" attr:class="filters" attr:data-testid="audit-filters">
            {FILTERS.into_iter().map(|(key, label)| {
                let value = move || url.get().get(key).unwrap_or_default();
                view! { <label><span>{label}</span><input name=key prop:value=value /></label> }
            }).collect_view()}
            <button type="submit" class="primary">"Filter"</button>
        </Form>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(page) => {
                        let map = url.get_untracked();
                        let older = page.continue_token.clone().map(|before| {
                            let mut pairs: Vec<(&str, String)> = FILTERS.iter().map(|(k, _)| (*k, map.get(k).unwrap_or_default())).collect();
                            pairs.push(("before", before));
                            let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                            format!("/audit{}", query_string(&refs))
                        });
                        view! {
                            <p class="muted">{format!("{} records match", page.total)}</p>
                            <AuditTable rows=page.items />
                            {older.map(|href| view! { <nav class="pager"><a href=href>"Older records"</a></nav> })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Audit rows as a table (also the History tab of a workload).
#[component]
pub fn AuditTable(rows: Vec<AuditEntry>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="grid audit" data-testid="audit-table">
                <thead>
                    <tr>
                        <th>"When"</th><th>"User"</th><th>"Source"</th><th>"Action"</th><th>"Cluster"</th><th>"Namespace"</th>
                        <th>"Kind"</th><th>"Name"</th><th>"Parameters"</th><th>"Outcome"</th><th>"Error"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|e| { let action = e.action.clone(); view! {
                        <tr data-action=action>
                            <td><time datetime=e.at.clone()>{e.at.clone()}</time></td>
                            <td>{e.user}</td>
                            <td>{e.source}</td>
                            <td><code>{e.action}</code></td>
                            <td>{e.cluster}</td>
                            <td>{e.namespace}</td>
                            <td>{e.kind}</td>
                            <td>{e.name}</td>
                            <td><code>{e.parameters}</code></td>
                            <td class=format!("outcome-{}", e.outcome)>{e.outcome.clone()}</td>
                            <td>{e.error}</td>
                        </tr>
                    } }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
