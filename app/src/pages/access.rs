//! "Who can": what a user, group or service account may do in a namespace, one table per
//! binding that grants it something (the role's rules), read from the cluster's RBAC.

use bosun_model::{AccessQuery, AccessReport, Section};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::clusters::list_clusters;
use crate::api::resources::subject_access;
use crate::components::ErrorBox;
use crate::pages::resources::KindPicker;

#[component]
pub fn AccessPage() -> impl IntoView {
    let query = use_query_map();
    let asked = Memo::new(move |_| {
        let q = query.get();
        let value = |key: &str| q.get(key).unwrap_or_default();
        let name = value("name");
        (!name.is_empty()).then(|| AccessQuery {
            cluster: value("cluster"),
            kind: Some(value("kind"))
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| "User".into()),
            name,
            namespace: value("namespace"),
            subject_namespace: value("subjectNamespace"),
        })
    });
    let clusters = Resource::new(|| (), |()| list_clusters());
    let report = Resource::new(
        move || asked.get(),
        |q| async move {
            match q {
                Some(q) => subject_access(q).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Who can" />
        <h1>"Who can"</h1>
        <KindPicker current=None />
        <p class="muted">"What a user, group or service account may do in a namespace: every RoleBinding there and every ClusterRoleBinding that names it (or a group it is in), with the rules its role grants."</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let clusters = clusters.await.unwrap_or_default();
                let q = asked.get().unwrap_or_default();
                view! {
                    <form class="filters" method="get" action="/access" data-testid="access-form">
                        <label><span>"Cluster"</span>
                            <select name="cluster" required>
                                {clusters.into_iter().map(|c| { let selected = c.name == q.cluster; view! { <option value=c.name.clone() selected=selected>{c.name.clone()}</option> } }).collect_view()}
                            </select>
                        </label>
                        <label><span>"Subject"</span>
                            <select name="kind">
                                {["User", "Group", "ServiceAccount"].into_iter().map(|k| view! { <option value=k selected=q.kind == k>{k}</option> }).collect_view()}
                            </select>
                        </label>
                        <label><span>"Name"</span><input name="name" required value=q.name.clone() placeholder="ci-bot" /></label>
                        <label><span>"Namespace"</span><input name="namespace" value=q.namespace.clone() placeholder="cluster-wide only" /></label>
                        <label><span>"Service account's namespace"</span><input name="subjectNamespace" value=q.subject_namespace.clone() placeholder="same as namespace" /></label>
                        <button type="submit">"Look up"</button>
                    </form>
                }
            })}
        </Suspense>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Ok(Some(report)) => view! { <Grants report /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Grants(report: AccessReport) -> impl IntoView {
    let place = if report.namespace.is_empty() {
        "cluster-wide".to_string()
    } else {
        format!("in namespace {}", report.namespace)
    };
    view! {
        <h2 data-testid="access-subject">{format!("{} {place}", report.subject)}</h2>
        {report.notes.iter().map(|n| view! { <p class="muted">{n.clone()}</p> }).collect_view()}
        {report.grants.into_iter().map(|section| view! { <GrantTable section /> }).collect_view()}
    }
}

#[component]
fn GrantTable(section: Section) -> impl IntoView {
    view! {
        <section class="grant" data-testid="grant">
            <h3>{section.title.clone()}</h3>
            {section.note.clone().map(|n| view! { <p class="warning">{n}</p> })}
            <div class="table-wrap">
                <table class="grid">
                    <thead><tr>{section.headers.iter().map(|h| view! { <th>{h.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {section.rows.into_iter().map(|r| view! {
                            <tr>{r.cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
