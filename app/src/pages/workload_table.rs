//! The rows of the Workloads page: sortable columns, selection, and each row's actions,
//! drawn from the kind table for the user's role.

use std::collections::BTreeSet;

use bosun_model::{Action, ClusterSummary, Environment, KindId, Me, ObjectRef, Role, WorkloadRow};
use leptos::prelude::*;

use crate::api::actions::ObjectAction;
use crate::components::{HealthBadge, Pending, PinButton};
use crate::format::age;
use crate::pages::workloads::Filters;

/// The link of an object's detail page: rollouts and VMs have pages of their own, every
/// workload kind shares one.
#[must_use]
pub fn detail_href(o: &ObjectRef) -> String {
    let (cluster, ns, name) = (&o.cluster, &o.namespace, &o.name);
    match o.kind {
        KindId::Rollout => format!("/rollouts/{cluster}/{ns}/{name}"),
        KindId::VirtualMachine => format!("/vms/{cluster}/{ns}/{name}"),
        kind => format!("/workloads/{cluster}/{ns}/{}/{name}", kind.route()),
    }
}

/// The menu entries of an object's actions, in table order, for a role.
#[must_use]
pub fn action_entries(object: &ObjectRef, role: Role, desired: i64) -> Vec<(String, ObjectAction)> {
    let mut out = Vec::new();
    for action in object.kind.info().actions {
        if !action.allowed_for(Some(role)) {
            continue;
        }
        match action {
            Action::Restart => {
                out.push((
                    "Restart".to_string(),
                    ObjectAction::Restart { force: false },
                ));
                out.push((
                    "Force restart".to_string(),
                    ObjectAction::Restart { force: true },
                ));
            }
            Action::Scale => out.push(("Scale…".into(), ObjectAction::Scale { replicas: desired })),
            Action::Rollback => {
                out.push(("Roll back…".into(), ObjectAction::Rollback { revision: 0 }))
            }
            Action::Delete => out.push(("Delete".into(), ObjectAction::Delete)),
            Action::Suspend => out.push(("Suspend".into(), ObjectAction::Suspend)),
            Action::Resume => out.push(("Resume".into(), ObjectAction::Resume)),
            Action::RunNow => out.push(("Run now".into(), ObjectAction::RunNow)),
            Action::PodDelete => out.push(("Delete pod".into(), ObjectAction::DeletePod)),
            _ => {}
        }
    }
    out
}

/// A sortable column header: a link that sorts by the field, or reverses it.
#[component]
fn SortHeader(label: &'static str, field: &'static str, filters: Filters) -> impl IntoView {
    let current = filters.sort.clone();
    let (next, mark) = if current == field {
        (format!("-{field}"), " ▲")
    } else if current == format!("-{field}") {
        (field.to_string(), " ▼")
    } else {
        (field.to_string(), "")
    };
    let href = filters.href(|f| {
        f.sort = next;
        f.cont.clear();
    });
    let sort = if mark == " ▲" {
        "ascending"
    } else if mark == " ▼" {
        "descending"
    } else {
        "none"
    };
    view! { <th aria-sort=sort><a href=href class="sort">{label}{mark}</a></th> }
}

#[component]
pub fn WorkloadTable(
    rows: Vec<WorkloadRow>,
    filters: Filters,
    clusters: Vec<ClusterSummary>,
    pinned: Vec<ObjectRef>,
    selected: RwSignal<BTreeSet<ObjectRef>>,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    let can_restart = Action::Restart.allowed_for(Some(role));
    let on_page: Vec<ObjectRef> = rows.iter().map(WorkloadRow::object_ref).collect();
    let all_selected = {
        let on_page = on_page.clone();
        move || !on_page.is_empty() && on_page.iter().all(|o| selected.get().contains(o))
    };
    let toggle_all = move |checked: bool| {
        selected.update(|s| {
            for o in &on_page {
                if checked {
                    s.insert(o.clone());
                } else {
                    s.remove(o);
                }
            }
        });
    };
    let env_of = move |cluster: &str| {
        clusters
            .iter()
            .find(|c| c.name == cluster)
            .map_or(Environment::Dev, |c| c.environment)
    };
    view! {
        <div class="table-wrap">
            <table class="grid workloads" data-testid="workloads-table">
                <thead>
                    <tr>
                        {can_restart.then(|| view! {
                            <th class="check">
                                <input type="checkbox" aria-label="Select every row on this page"
                                    prop:checked=all_selected
                                    on:change=move |ev| toggle_all(event_target_checked(&ev)) />
                            </th>
                        })}
                        <SortHeader label="Name" field="name" filters=filters.clone() />
                        <SortHeader label="Kind" field="kind" filters=filters.clone() />
                        <SortHeader label="Namespace" field="namespace" filters=filters.clone() />
                        <SortHeader label="Cluster" field="cluster" filters=filters.clone() />
                        <SortHeader label="Ready" field="ready" filters=filters.clone() />
                        <th class="images">"Images"</th>
                        <SortHeader label="Age" field="age" filters=filters.clone() />
                        <SortHeader label="Status" field="status" filters=filters.clone() />
                        <th><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let object = row.object_ref();
                        let environment = env_of(&row.cluster);
                        let entries = action_entries(&object, role, row.desired);
                        let key = format!("{}/{}/{}/{}", row.cluster, row.namespace, row.kind.route(), row.name);
                        let check_object = object.clone();
                        let ready = if row.desired > 0 { format!("{}/{}", row.ready, row.desired) } else { row.ready.to_string() };
                        let created_age = age(&row.created);
                        let checked_object = object.clone();
                        view! {
                            <tr data-workload=key data-name=row.name.clone()>
                                {can_restart.then(|| view! {
                                    <td class="check">
                                        <input type="checkbox" aria-label=format!("Select {}", row.name)
                                            prop:checked=move || selected.get().contains(&checked_object)
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                selected.update(|s| { if on { s.insert(check_object.clone()); } else { s.remove(&check_object); } });
                                            } />
                                    </td>
                                })}
                                <td class="name"><a href=detail_href(&object)>{row.name.clone()}</a></td>
                                <td class="kind">{row.kind.info().label}</td>
                                <td class="ns">{row.namespace.clone()}</td>
                                <td class="cluster">{row.cluster.clone()}</td>
                                <td class="num ready">{ready.clone()}</td>
                                <td class="images">{row.images.join(", ")}</td>
                                <td class="age"><time datetime=row.created.clone()>{created_age.clone()}</time></td>
                                <td class="status"><HealthBadge health=row.health reason=row.reason.clone() /></td>
                                // On a phone the row is a card: one line says what the columns say.
                                <td class="meta">{format!("{} · {} · {} · {} · {}", row.kind.info().label, row.namespace, row.cluster, ready, created_age)}</td>
                                <td class="row-actions">
                                    <RowMenu object=object.clone() environment entries pinned=pinned.contains(&object) pending />
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A row's actions: a disclosure menu with large touch targets.
#[component]
fn RowMenu(
    object: ObjectRef,
    environment: Environment,
    entries: Vec<(String, ObjectAction)>,
    pinned: bool,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let label = format!("Actions for {}", object.name);
    let pin = object.clone();
    view! {
        <details class="menu">
            <summary aria-label=label>"Actions"</summary>
            <div class="menu-items">
                {entries.into_iter().map(|(text, action)| {
                    let object = object.clone();
                    if matches!(action, ObjectAction::Rollback { .. }) {
                        // A rollback is chosen where the revisions and their diffs are shown.
                        let href = format!("{}?tab=revisions", detail_href(&object));
                        return view! { <a class="button" href=href>{text}</a> }.into_any();
                    }
                    let open = move |ev: leptos::ev::MouseEvent| {
                        close_menu(&ev);
                        pending.set(Some(Pending::One { object: object.clone(), action: action.clone(), environment, diff: None }));
                    };
                    view! { <button type="button" on:click=open>{text}</button> }.into_any()
                }).collect_view()}
                <PinButton object=pin pinned />
            </div>
        </details>
    }
}

/// Closes the `<details>` menu a click came from.
#[allow(unused_variables)]
pub fn close_menu(ev: &leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(details) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("details").ok().flatten())
        {
            let _ = details.remove_attribute("open");
        }
    }
}
