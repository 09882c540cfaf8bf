//! The Resources pages: one list for every kind without a page of its own (Services,
//! ConfigMaps, Secrets, volumes, roles, namespaces…), its columns from the kind's row,
//! filtered and paged on the server and followed live; namespaces can be created here.

use std::collections::BTreeMap;

use bosun_model::resource::columns;
use bosun_model::{Action, KINDS, KindId, Me, Page, ResourceQuery, ResourceRow, Role};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::clusters::list_clusters;
use crate::api::resources::{apply_yaml, create_namespace, create_registry_secret, list_resources};
use crate::api::{cluster_list_stream_url, list_stream_url};
use crate::components::{ClusterSelect, ErrorBox, LiveRefresh, ScopeFields, use_toasts};
use crate::format::{age, url_encode};

/// The live stream of the same page: namespaced kinds at the workloads' path,
/// cluster-scoped ones (namespaces too) under the cluster.
fn stream_url(q: &ResourceQuery) -> String {
    let params = [
        ("q", q.q.as_deref()),
        ("labelSelector", q.label_selector.as_deref()),
        ("sort", q.sort.as_deref()),
        ("continue", q.continue_token.as_deref()),
    ];
    if q.kind.info().namespaced {
        list_stream_url(
            q.cluster.as_deref(),
            q.namespace.as_deref(),
            q.kind.route(),
            &params,
        )
    } else {
        cluster_list_stream_url(q.cluster.as_deref(), q.kind.route(), &params)
    }
}

/// Where an object's Resources page is (`_` stands for "no namespace").
#[must_use]
pub fn resource_href(row_kind: KindId, cluster: &str, namespace: &str, name: &str) -> String {
    let ns = if namespace.is_empty() { "_" } else { namespace };
    format!("/resources/{}/{cluster}/{ns}/{name}", row_kind.route())
}

/// The kinds of the Resources pages, grouped under their headings.
#[component]
pub fn KindPicker(current: Option<KindId>) -> impl IntoView {
    let mut groups: Vec<(&'static str, Vec<KindId>)> = Vec::new();
    for info in KINDS.iter().filter(|k| k.category.is_resource()) {
        let title = info.category.title();
        match groups.iter_mut().find(|(t, _)| *t == title) {
            Some((_, kinds)) => kinds.push(info.id),
            None => groups.push((title, vec![info.id])),
        }
    }
    view! {
        <nav class="kind-picker" aria-label="Resource kinds">
            {groups.into_iter().map(|(title, kinds)| view! {
                <div class="kind-group">
                    <span class="kind-group-title">{title}</span>
                    {kinds.into_iter().map(|kind| {
                        let class = if Some(kind) == current { "chip active" } else { "chip" };
                        view! { <a class=class href=format!("/resources/{}", kind.route())>{plural_label(kind)}</a> }
                    }).collect_view()}
                </div>
            }).collect_view()}
            <div class="kind-group">
                <a class="chip" href="/access">"Who can…"</a>
                <a class="chip" href="/events">"Events"</a>
                <a class="chip" href="/custom">"Custom resources"</a>
                <a class="chip" href="/apply">"Create from YAML"</a>
            </div>
        </nav>
    }
}

/// `ConfigMaps`, `Ingresses`, `NetworkPolicies`.
#[must_use]
pub fn plural_label(kind: KindId) -> String {
    let label = kind.info().label;
    if kind == KindId::Endpoints {
        label.to_string()
    } else if let Some(stem) = label.strip_suffix('y') {
        format!("{stem}ies")
    } else if label.ends_with('s') {
        format!("{label}es")
    } else {
        format!("{label}s")
    }
}

#[component]
pub fn ResourcesIndexPage() -> impl IntoView {
    view! {
        <Title text="Resources" />
        <h1>"Resources"</h1>
        <p class="muted">"Everything a cluster holds beyond workloads, pods and nodes: pick a kind."</p>
        <KindPicker current=None />
    }
}

#[component]
pub fn ResourcesPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let kind = Memo::new(move |_| {
        params
            .get()
            .get("kind")
            .unwrap_or_default()
            .parse::<KindId>()
            .ok()
            .filter(|k| k.info().category.is_resource())
    });
    let filters = Memo::new(move |_| {
        let q = query.get();
        let value = |key: &str| q.get(key).filter(|v| !v.is_empty());
        kind.get().map(|kind| ResourceQuery {
            cluster: value("cluster"),
            namespace: value("ns"),
            kind,
            q: value("q"),
            label_selector: value("labelSelector"),
            sort: value("sort"),
            limit: None,
            continue_token: value("continue"),
        })
    });
    let clusters = Resource::new(|| (), |()| list_clusters());
    let refresh = RwSignal::new(0u32);
    let rows = Resource::new(
        move || (filters.get(), refresh.get()),
        |(query, _)| async move {
            match query {
                Some(query) => list_resources(query).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let title = move || kind.get().map_or("Resources".to_string(), plural_label);
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <KindPicker current=kind.get_untracked() />
        {move || kind.get().is_none().then(|| view! {
            <p class="error">"No such resource kind: pick one above."</p>
        })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let clusters = clusters.await.unwrap_or_default();
                let Some(f) = filters.get() else { return ().into_any() };
                let namespaced = f.kind.info().namespaced;
                view! {
                    <form class="filters" method="get" action=format!("/resources/{}", f.kind.route())>
                        {if namespaced {
                            view! { <ScopeFields clusters cluster=f.cluster.clone().unwrap_or_default() ns=f.namespace.clone().unwrap_or_default() q=f.q.clone().unwrap_or_default() /> }.into_any()
                        } else {
                            view! {
                                <label><span>"Cluster"</span>
                                    <select name="cluster">
                                        <option value="">"All clusters"</option>
                                        {clusters.into_iter().map(|c| { let selected = Some(&c.name) == f.cluster.as_ref(); view! { <option value=c.name.clone() selected=selected>{c.name.clone()}</option> } }).collect_view()}
                                    </select>
                                </label>
                                <label><span>"Name"</span><input name="q" type="search" value=f.q.clone().unwrap_or_default() placeholder="contains…" /></label>
                            }.into_any()
                        }}
                        <label><span>"Label selector"</span><input name="labelSelector" value=f.label_selector.clone().unwrap_or_default() placeholder="app=web,tier!=db" /></label>
                        <button type="submit">"Filter"</button>
                    </form>
                }.into_any()
            })}
        </Suspense>
        {move || (kind.get() == Some(KindId::Namespace)).then(|| view! { <NewNamespace refresh /> })}
        {move || (kind.get() == Some(KindId::Secret)).then(|| view! { <NewRegistrySecret refresh /> })}
        {move || filters.get().map(|q| view! { <LiveRefresh url=stream_url(&q) refresh /> })}
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Ok(Some(page)) if page.items.is_empty() => view! {
                        {page.warnings.iter().map(|w| view! { <p class="warning">{w.clone()}</p> }).collect_view()}
                        <p class="empty-state">"Nothing matches: no object of this kind, or the filter leaves none."</p>
                    }.into_any(),
                    Ok(Some(page)) => {
                        let next = page.continue_token.clone().map(|token| next_href(&filters.get_untracked(), &token));
                        view! { <ResourceTable page next /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The next page's URL, keeping every filter.
fn next_href(query: &Option<ResourceQuery>, token: &str) -> String {
    let Some(q) = query else {
        return String::new();
    };
    let mut href = format!(
        "/resources/{}?continue={}",
        q.kind.route(),
        url_encode(token)
    );
    for (key, value) in [
        ("cluster", &q.cluster),
        ("ns", &q.namespace),
        ("q", &q.q),
        ("labelSelector", &q.label_selector),
        ("sort", &q.sort),
    ] {
        if let Some(v) = value {
            href.push_str(&format!("&{key}={}", url_encode(v)));
        }
    }
    href
}

#[component]
fn ResourceTable(page: Page<ResourceRow>, next: Option<String>) -> impl IntoView {
    let kind = page
        .items
        .first()
        .map(|r| r.kind)
        .unwrap_or(KindId::ConfigMap);
    let namespaced = kind.info().namespaced;
    view! {
        {page.warnings.iter().map(|w| view! { <p class="warning">{w.clone()}</p> }).collect_view()}
        <div class="table-wrap">
            <table class="grid" data-testid="resources-table">
                <thead><tr>
                    <th>"Cluster"</th>
                    {namespaced.then(|| view! { <th>"Namespace"</th> })}
                    <th>"Name"</th>
                    {columns(kind).iter().map(|c| view! { <th>{*c}</th> }).collect_view()}
                    <th>"Age"</th>
                </tr></thead>
                <tbody>
                    {page.items.into_iter().map(|r| {
                        let href = resource_href(r.kind, &r.cluster, &r.namespace, &r.name);
                        view! {
                            <tr data-name=r.name.clone()>
                                <td>{r.cluster.clone()}</td>
                                {namespaced.then(|| view! { <td>{r.namespace.clone()}</td> })}
                                <td><a href=href>{r.name.clone()}</a></td>
                                {r.columns.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                                <td>{r.created.as_deref().map(age).unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="muted">{format!("{} object(s)", page.total)}</p>
        {next.map(|href| view! { <a class="next" href=href>"Next page"</a> })}
    }
}

/// `team=a, tier=web` → labels; a malformed pair is named.
pub fn parse_labels(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut labels = BTreeMap::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("{pair:?} is not key=value"))?;
        labels.insert(key.trim().to_string(), value.trim().to_string());
    }
    Ok(labels)
}

/// The form that creates a namespace (operators and up).
#[component]
fn NewNamespace(refresh: RwSignal<u32>) -> impl IntoView {
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    if !Action::NamespaceCreate.allowed_for(Some(role)) {
        return ().into_any();
    }
    let cluster = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let labels = RwSignal::new(String::new());
    let quota: [(&'static str, &'static str, &'static str, RwSignal<String>); 3] = [
        ("requests.cpu", "CPU requests quota", "4"),
        ("requests.memory", "Memory requests quota", "8Gi"),
        ("pods", "Pods quota", "50"),
    ]
    .map(|(key, label, example)| (key, label, example, RwSignal::new(String::new())));
    let busy = RwSignal::new(false);
    let toasts = use_toasts();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let hard: Vec<(String, String)> = quota
            .iter()
            .map(|(key, _, _, value)| {
                ((*key).to_string(), value.get_untracked().trim().to_string())
            })
            .collect();
        if let Some((key, value)) = hard
            .iter()
            .find(|(_, v)| !v.is_empty() && !crate::components::is_quantity(v))
        {
            toasts.error(&crate::AppError::new(
                bosun_model::ErrorCode::BadRequest,
                format!("Quota {key}: {value:?} is not a quantity (like 500m, 2, 512Mi, 10Gi)"),
            ));
            return;
        }
        let labels = match parse_labels(&labels.get_untracked()) {
            Ok(l) => l,
            Err(why) => {
                toasts.error(&crate::AppError::new(
                    bosun_model::ErrorCode::BadRequest,
                    format!("Labels: {why}"),
                ));
                return;
            }
        };
        let (c, n) = (cluster.get_untracked(), name.get_untracked());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match create_namespace(c.clone(), n.clone(), labels).await {
                Ok(reply) => {
                    toasts.ok(reply.message);
                    if hard.iter().any(|(_, v)| !v.is_empty()) {
                        let yaml = crate::components::quota_yaml("compute", &n, &hard);
                        let options = bosun_model::ApplyOptions {
                            dry_run: false,
                            force: false,
                            namespace: Some(n.clone()),
                            ..bosun_model::ApplyOptions::default()
                        };
                        match apply_yaml(c, yaml, options, None).await {
                            Ok(report) if report.succeeded() => {
                                toasts.ok(format!("Quota compute set in {n}"));
                            }
                            Ok(report) => toasts.error(&crate::AppError::new(
                                bosun_model::ErrorCode::BadRequest,
                                format!(
                                    "The namespace was created but its quota was not: {}",
                                    report
                                        .results
                                        .first()
                                        .map(|r| r.message.clone())
                                        .unwrap_or_default()
                                ),
                            )),
                            Err(e) => toasts.error(&e),
                        }
                    }
                    name.set(String::new());
                    refresh.update(|r| *r += 1);
                }
                Err(e) => toasts.error(&e),
            }
            busy.set(false);
        });
    };
    view! {
        <details class="new-namespace" data-testid="new-namespace">
            <summary>"New namespace"</summary>
            <form class="filters" on:submit=submit>
                <ClusterSelect value=cluster testid="new-namespace-cluster" />
                <label><span>"Name"</span><input required name="name" placeholder="team-a" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label><span>"Labels"</span><input name="labels" placeholder="team=a, env=dev" prop:value=move || labels.get() on:input=move |ev| labels.set(event_target_value(&ev)) /></label>
                {quota.into_iter().map(|(key, label, example, value)| view! {
                    <label><span>{label}</span><input name=format!("quota-{key}") placeholder=example inputmode="decimal" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) /></label>
                }).collect_view()}
                <button type="submit" disabled=move || busy.get()>"Create"</button>
            </form>
        </details>
    }
    .into_any()
}

/// The form behind `kubectl create secret docker-registry` (operators and up). The
/// password field is cleared once sent; the secret's values never come back.
#[component]
fn NewRegistrySecret(refresh: RwSignal<u32>) -> impl IntoView {
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    if !Action::Apply.allowed_for(Some(role)) {
        return ().into_any();
    }
    let cluster = RwSignal::new(String::new());
    let fields: [(&'static str, &'static str, &'static str, RwSignal<String>); 6] = [
        (
            "namespace",
            "Namespace",
            "default",
            RwSignal::new(String::new()),
        ),
        ("name", "Name", "regcred", RwSignal::new(String::new())),
        (
            "server",
            "Registry server",
            "ghcr.io",
            RwSignal::new(String::new()),
        ),
        ("username", "User name", "", RwSignal::new(String::new())),
        (
            "password",
            "Password or token",
            "",
            RwSignal::new(String::new()),
        ),
        (
            "email",
            "Email (optional)",
            "",
            RwSignal::new(String::new()),
        ),
    ];
    let busy = RwSignal::new(false);
    let toasts = use_toasts();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = |i: usize| fields[i].3.get_untracked().trim().to_string();
        let namespace = Some(value(0))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".into());
        let input = bosun_model::RegistrySecret {
            name: value(1),
            server: value(2),
            username: value(3),
            password: fields[4].3.get_untracked(),
            email: value(5),
            dry_run: false,
        };
        let password = fields[4].3;
        busy.set(true);
        leptos::task::spawn_local(async move {
            match create_registry_secret(cluster.get_untracked(), namespace, input).await {
                Ok(report) if report.succeeded() => {
                    password.set(String::new());
                    toasts.ok(report
                        .results
                        .iter()
                        .map(|r| r.message.clone())
                        .collect::<Vec<_>>()
                        .join("; "));
                    refresh.update(|r| *r += 1);
                }
                Ok(report) => toasts.error(&crate::AppError::new(
                    bosun_model::ErrorCode::BadRequest,
                    report
                        .results
                        .first()
                        .map(|r| r.message.clone())
                        .unwrap_or_default(),
                )),
                Err(e) => toasts.error(&e),
            }
            busy.set(false);
        });
    };
    view! {
        <details class="new-namespace" data-testid="new-registry-secret">
            <summary>"New registry secret"</summary>
            <form class="filters" on:submit=submit autocomplete="off">
                <ClusterSelect value=cluster testid="registry-cluster" />
                {fields.into_iter().map(|(key, label, example, value)| {
                    let kind = if key == "password" { "password" } else { "text" };
                    view! {
                        <label><span>{label}</span>
                            <input name=key type=kind placeholder=example required=matches!(key, "name" | "server" | "username" | "password")
                                autocomplete=if key == "password" { "new-password" } else { "off" }
                                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                        </label>
                    }
                }).collect_view()}
                <button type="submit" disabled=move || busy.get()>"Create"</button>
            </form>
        </details>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_plurals_read_naturally() {
        assert_eq!(
            parse_labels("team=a, env = dev,").unwrap(),
            BTreeMap::from([("env".into(), "dev".into()), ("team".into(), "a".into())])
        );
        assert!(parse_labels("team").is_err());
        assert_eq!(plural_label(KindId::NetworkPolicy), "NetworkPolicies");
        assert_eq!(plural_label(KindId::Ingress), "Ingresses");
        assert_eq!(plural_label(KindId::Endpoints), "Endpoints");
        assert_eq!(plural_label(KindId::ConfigMap), "ConfigMaps");
        assert_eq!(
            resource_href(KindId::StorageClass, "demo", "", "standard"),
            "/resources/storageclasses/demo/_/standard"
        );
    }
}
