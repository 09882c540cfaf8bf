//! Custom resources, and every kind without a page of its own: which kinds a cluster
//! serves (from discovery, so a CRD installed a minute ago is there), a page of one with
//! the columns its CRD prints, and one object with its conditions, events and YAML.

use bosun_model::{ApiKind, ApiKindRef, CustomList, CustomObject, CustomQuery};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::clusters::list_clusters;
use crate::api::custom::{fetch_custom, list_api_kinds, list_custom};
use crate::components::{ErrorBox, YamlView};
use crate::format::url_encode;
use crate::pages::resources::KindPicker;
use crate::pages::workload_detail::{ConditionsTable, EventsTable};

fn kind_href(cluster: &str, kind: &ApiKind) -> String {
    format!(
        "/custom/{cluster}/{}/{}/{}",
        kind.group_segment(),
        kind.version,
        kind.plural
    )
}

/// `/custom?cluster=`: the kinds a cluster serves without a page of their own, by group.
#[component]
pub fn CustomKindsPage() -> impl IntoView {
    let query = use_query_map();
    let chosen = Memo::new(move |_| query.get().get("cluster").unwrap_or_default());
    let clusters = Resource::new(|| (), |()| list_clusters());
    let kinds = Resource::new(
        move || chosen.get(),
        move |cluster| async move {
            let cluster = if cluster.is_empty() {
                list_clusters()
                    .await?
                    .into_iter()
                    .next()
                    .map(|c| c.name)
                    .unwrap_or_default()
            } else {
                cluster
            };
            if cluster.is_empty() {
                return Ok((cluster, Vec::new()));
            }
            list_api_kinds(cluster.clone()).await.map(|k| (cluster, k))
        },
    );
    view! {
        <Title text="Custom resources" />
        <h1>"Custom resources"</h1>
        <KindPicker current=None />
        <p class="muted">"Every kind the cluster serves that has no page of its own: the custom resources of its CRDs, and built-in APIs. Read from the cluster's discovery."</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let clusters = clusters.await.unwrap_or_default();
                let current = chosen.get();
                view! {
                    <form class="filters" method="get" action="/custom">
                        <label><span>"Cluster"</span>
                            <select name="cluster" data-testid="custom-cluster">
                                {clusters.into_iter().map(|c| { let selected = c.name == current; view! { <option value=c.name.clone() selected=selected>{c.name.clone()}</option> } }).collect_view()}
                            </select>
                        </label>
                        <button type="submit">"Show"</button>
                    </form>
                }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p class="loading">"Asking the cluster…"</p> }>
            {move || Suspend::new(async move {
                match kinds.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok((_, kinds)) if kinds.is_empty() => view! { <p class="empty-state">"No cluster, or it serves no kind beyond those with pages of their own."</p> }.into_any(),
                    Ok((cluster, kinds)) => view! { <KindGroups cluster kinds /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn KindGroups(cluster: String, kinds: Vec<ApiKind>) -> impl IntoView {
    let mut groups: Vec<(String, Vec<ApiKind>)> = Vec::new();
    for kind in kinds {
        let group = kind.group_segment().to_string();
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, list)) => list.push(kind),
            None => groups.push((group, vec![kind])),
        }
    }
    view! {
        <div class="custom-kinds" data-testid="custom-kinds">
            {groups.into_iter().map(|(group, kinds)| {
                let cluster = cluster.clone();
                view! {
                    <section class="kind-group">
                        <h2>{group}</h2>
                        {kinds.into_iter().map(|kind| {
                            let scope = if kind.namespaced { "" } else { " (cluster)" };
                            view! { <a class="chip" data-kind=kind.resource_name() href=kind_href(&cluster, &kind)>{format!("{}{scope}", kind.kind)}</a> }
                        }).collect_view()}
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

fn kind_from_params() -> Memo<Option<ApiKindRef>> {
    let params = use_params_map();
    Memo::new(move |_| {
        let p = params.get();
        Some(ApiKindRef {
            cluster: p.get("cluster")?,
            group: p.get("group")?,
            version: p.get("version")?,
            plural: p.get("plural")?,
        })
    })
}

/// `/custom/{cluster}/{group}/{version}/{plural}?ns=&labelSelector=&continue=`.
#[component]
pub fn CustomListPage() -> impl IntoView {
    let kind = kind_from_params();
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let q = query.get();
        let value = |key: &str| q.get(key).filter(|v| !v.is_empty());
        CustomQuery {
            namespace: value("ns"),
            label_selector: value("labelSelector"),
            limit: None,
            continue_token: value("continue"),
        }
    });
    let page = Resource::new(
        move || (kind.get(), filters.get()),
        |(kind, query)| async move {
            match kind {
                Some(kind) => list_custom(kind, query).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let title = move || kind.get().map_or_else(String::new, |k| k.plural);
    view! {
        <Title text=title />
        <p><a href=move || format!("/custom?cluster={}", kind.get().map(|k| k.cluster).unwrap_or_default())>"← Custom resources"</a></p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Ok(Some(list)) => {
                        let kind = kind.get_untracked();
                        view! { <CustomTable list kind filters=filters.get_untracked() /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn CustomTable(list: CustomList, kind: Option<ApiKindRef>, filters: CustomQuery) -> impl IntoView {
    let Some(kind) = kind else {
        return ().into_any();
    };
    let base = format!(
        "/custom/{}/{}/{}/{}",
        kind.cluster, kind.group, kind.version, kind.plural
    );
    let namespaced = list.kind.namespaced;
    let next = list.continue_token.as_ref().map(|token| {
        let mut href = format!("{base}?continue={}", url_encode(token));
        for (key, value) in [
            ("ns", &filters.namespace),
            ("labelSelector", &filters.label_selector),
        ] {
            if let Some(v) = value {
                href.push_str(&format!("&{key}={}", url_encode(v)));
            }
        }
        href
    });
    let more = list
        .remaining
        .map(|n| format!("{n} more"))
        .unwrap_or_else(|| "more".into());
    view! {
        <h1>{list.kind.kind.clone()}<span class="muted">{format!(" {} · {}", list.kind.resource_name(), kind.cluster)}</span></h1>
        <form class="filters" method="get" action=base.clone()>
            {namespaced.then(|| view! {
                <label><span>"Namespace"</span><input name="ns" value=filters.namespace.clone().unwrap_or_default() placeholder="all namespaces" /></label>
            })}
            <label><span>"Label selector"</span><input name="labelSelector" value=filters.label_selector.clone().unwrap_or_default() placeholder="app=web,tier!=db" /></label>
            <button type="submit">"Filter"</button>
        </form>
        {if list.rows.is_empty() {
            view! { <p class="empty-state">"Nothing matches: no object of this kind, or the filter leaves none."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table data-testid="custom-table">
                        <thead><tr>
                            {namespaced.then(|| view! { <th>"Namespace"</th> })}
                            <th>"Name"</th>
                            {list.columns.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {list.rows.into_iter().map(|row| {
                                let ns = if row.namespace.is_empty() { "_".to_string() } else { row.namespace.clone() };
                                let href = format!("{base}/{ns}/{}", row.name);
                                view! {
                                    <tr data-name=row.name.clone()>
                                        {namespaced.then(|| view! { <td>{row.namespace.clone()}</td> })}
                                        <td><a href=href>{row.name.clone()}</a></td>
                                        {row.cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        {next.map(|href| view! { <p><a class="button" data-testid="custom-next" href=href>{format!("Next page ({more})")}</a></p> })}
    }
    .into_any()
}

/// `/custom/{cluster}/{group}/{version}/{plural}/{ns}/{name}` (`_`: no namespace).
#[component]
pub fn CustomObjectPage() -> impl IntoView {
    let kind = kind_from_params();
    let params = use_params_map();
    let object = Resource::new(
        move || (kind.get(), params.with(|p| (p.get("ns"), p.get("name")))),
        |(kind, (ns, name))| async move {
            match (kind, ns, name) {
                (Some(kind), Some(ns), Some(name)) => fetch_custom(kind, ns, name).await.map(Some),
                _ => Ok(None),
            }
        },
    );
    view! {
        <Title text=move || params.with(|p| p.get("name").unwrap_or_default()) />
        <p>{move || kind.get().map(|k| {
            let href = format!("/custom/{}/{}/{}/{}", k.cluster, k.group, k.version, k.plural);
            view! { <a href=href>{format!("← {}", k.plural)}</a> }
        })}</p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match object.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Ok(Some(obj)) => view! { <CustomObjectView obj /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CustomObjectView(obj: CustomObject) -> impl IntoView {
    let place = if obj.namespace.is_empty() {
        "cluster-scoped".to_string()
    } else {
        format!("namespace {}", obj.namespace)
    };
    view! {
        <h1>{obj.name.clone()}</h1>
        <p class="muted">{format!("{} ({}) · {place} · created {}", obj.kind.kind, obj.kind.resource_name(), obj.created)}</p>
        {(!obj.labels.is_empty()).then(|| view! {
            <p class="labels">{obj.labels.iter().map(|(k, v)| view! { <span class="chip">{format!("{k}={v}")}</span> }).collect_view()}</p>
        })}
        <h2>"Conditions"</h2>
        <div data-testid="custom-conditions">
            <ConditionsTable conditions=obj.conditions.clone() empty="The object reports no conditions." />
        </div>
        <h2>"Events"</h2>
        <div data-testid="custom-events">
            {match obj.events_unreadable.clone() {
                Some(why) => view! { <p class="warning">{format!("Events could not be read: {why}")}</p> }.into_any(),
                None => view! { <EventsTable rows=obj.events.clone() /> }.into_any(),
            }}
        </div>
        <h2>"YAML"</h2>
        <YamlView yaml=obj.yaml.clone() />
    }
}
