//! The Virtual machines page: every KubeVirt VM of the chosen cluster and namespace with
//! its status, run strategy, node, address and size; each row's lifecycle actions, and
//! bulk start / stop / restart of selected VMs with each one's result followed live.

use std::collections::BTreeSet;

use bosun_model::{
    Action, ClusterSummary, Me, ObjectRef, Page, Role, VmActionOptions, VmCommand, VmQuery, VmRow,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::actions::ObjectAction;
use crate::api::clusters::list_clusters;
use crate::api::vms::{VmBatchResult, list_vms, vm_batch};
use crate::components::{
    ActionDialog, Done, ErrorBox, OperationProgress, Pending, PinButton, Pins, ScopeFields,
    use_toasts,
};
use crate::format::{age, query_string};
use crate::pages::object_actions::{ActionMenu, vm_entries};
use crate::pages::rollouts::environment_of;
use crate::pages::workload_table::detail_href;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Filters {
    cluster: String,
    ns: String,
    q: String,
    status: String,
    cont: String,
}

impl Filters {
    fn from_url(map: &leptos_router::params::ParamsMap) -> Self {
        let get = |k: &str| map.get(k).unwrap_or_default();
        Self {
            cluster: get("cluster"),
            ns: get("ns"),
            q: get("q"),
            status: get("status"),
            cont: get("continue"),
        }
    }

    fn query(&self) -> VmQuery {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        VmQuery {
            cluster: opt(&self.cluster),
            namespace: opt(&self.ns),
            q: opt(&self.q),
            status: opt(&self.status),
            limit: Some(bosun_model::DEFAULT_PAGE),
            continue_token: opt(&self.cont),
        }
    }

    fn href(&self, cont: &str) -> String {
        format!(
            "/vms{}",
            query_string(&[
                ("cluster", &self.cluster),
                ("ns", &self.ns),
                ("q", &self.q),
                ("status", &self.status),
                ("continue", cont),
            ])
        )
    }
}

const STATUSES: [&str; 6] = [
    "Running",
    "Stopped",
    "Paused",
    "Starting",
    "Stopping",
    "Terminating",
];

#[component]
pub fn VirtualMachinesPage() -> impl IntoView {
    let url = use_query_map();
    let filters = Memo::new(move |_| Filters::from_url(&url.get()));
    let refresh = RwSignal::new(0u32);
    let clusters = Resource::new(|| (), |()| list_clusters());
    let page = Resource::new(
        move || (filters.get(), refresh.get()),
        |(f, _)| list_vms(f.query()),
    );
    let pins = Pins::load();
    let pending = RwSignal::new(None::<Pending>);
    let selected: RwSignal<BTreeSet<ObjectRef>> = RwSignal::new(BTreeSet::new());
    let operations: RwSignal<Vec<(ObjectRef, String)>> = RwSignal::new(Vec::new());
    let bulk: RwSignal<Vec<VmBatchResult>> = RwSignal::new(Vec::new());
    let toasts = use_toasts();
    let on_done = Callback::new(move |(object, _, reply): Done| {
        if let Some(id) = reply.operation_id {
            operations.update(|ops| {
                ops.retain(|(o, _)| *o != object);
                ops.insert(0, (object, id));
            });
        }
        refresh.update(|n| *n += 1);
    });
    let on_batch = Callback::new(move |(targets, action): (Vec<ObjectRef>, ObjectAction)| {
        let ObjectAction::Vm { command, options } = action else {
            return;
        };
        selected.set(BTreeSet::new());
        leptos::task::spawn_local(async move {
            match vm_batch(targets, command, options).await {
                Ok(items) => {
                    operations.update(|ops| {
                        for item in &items {
                            if let Some(id) = &item.operation_id {
                                ops.retain(|(o, _)| *o != item.target);
                                ops.insert(0, (item.target.clone(), id.clone()));
                            }
                        }
                    });
                    bulk.set(items);
                }
                Err(e) => toasts.error(&e),
            }
            refresh.update(|n| *n += 1);
        });
    });
    let on_finish = Callback::new(move |_| refresh.update(|n| *n += 1));
    view! {
        <Title text="Virtual machines" />
        <h1>"Virtual machines"</h1>
        <Transition fallback=|| view! { <p class="loading">"Loading clusters…"</p> }>
            {move || Suspend::new(async move {
                let list = clusters.await.unwrap_or_default();
                let f = filters.get_untracked();
                view! {
                    <Form method="GET" action="/vms" attr:class="filters" attr:data-testid="filters">
                        <ScopeFields clusters=list cluster=f.cluster.clone() ns=f.ns.clone() q=f.q.clone() />
                        <label><span>"Status"</span>
                            <select name="status">
                                <option value="" selected=f.status.is_empty()>"Any"</option>
                                {STATUSES.into_iter().map(|s| view! { <option value=s selected=f.status == s>{s}</option> }).collect_view()}
                            </select>
                        </label>
                        <button type="submit" class="primary">"Apply"</button>
                    </Form>
                }
            })}
        </Transition>
        <BulkBar selected pending />
        <Show when=move || !bulk.get().is_empty()>
            <ul class="batch-results" data-testid="vm-batch-results">
                {move || bulk.get().into_iter().map(|item| view! {
                    <li class=if item.success { "ok" } else { "failed" } data-vm=item.target.name.clone()>
                        <strong>{item.target.name.clone()}</strong>" "{item.message.clone()}
                    </li>
                }).collect_view()}
            </ul>
        </Show>
        <ul class="following" data-testid="vm-operations">
            <For each=move || operations.get() key=|(o, id)| (o.clone(), id.clone()) let:op>
                <li>
                    <span class="following-name">{format!("{} · {}/{}", op.0.cluster, op.0.namespace, op.0.name)}</span>
                    <OperationProgress id=op.1.clone() on_finish />
                </li>
            </For>
        </ul>
        <Transition fallback=|| view! { <p class="loading">"Loading virtual machines…"</p> }>
            {move || Suspend::new(async move {
                let clusters = clusters.await.unwrap_or_default();
                let pinned = pins.pinned().await;
                match page.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(rows) => view! { <Results page=rows filters=filters.get_untracked() clusters pinned selected pending /> }.into_any(),
                }
            })}
        </Transition>
        <ActionDialog pending on_done on_batch />
    }
}

/// Bulk actions for the selected VMs.
#[component]
fn BulkBar(
    selected: RwSignal<BTreeSet<ObjectRef>>,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let open = move |command: VmCommand| {
        let targets: Vec<ObjectRef> = selected.get().into_iter().collect();
        pending.set(Some(Pending::Batch {
            targets,
            action: ObjectAction::Vm {
                command,
                options: VmActionOptions::default(),
            },
        }));
    };
    view! {
        <Show when=move || !selected.get().is_empty()>
            <div class="selection-bar" data-testid="selection-bar">
                <span>{move || format!("{} selected", selected.get().len())}</span>
                <button type="button" on:click=move |_| open(VmCommand::Start)>"Start selected"</button>
                <button type="button" on:click=move |_| open(VmCommand::Stop)>"Stop selected"</button>
                <button type="button" class="primary" on:click=move |_| open(VmCommand::Restart)>"Restart selected"</button>
                <button type="button" on:click=move |_| selected.set(BTreeSet::new())>"Clear"</button>
            </div>
        </Show>
    }
}

#[component]
fn Results(
    page: Page<VmRow>,
    filters: Filters,
    clusters: Vec<ClusterSummary>,
    pinned: Vec<ObjectRef>,
    selected: RwSignal<BTreeSet<ObjectRef>>,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    let can_act = Action::VmRestart.allowed_for(Some(role));
    let next = page.continue_token.clone().map(|t| filters.href(&t));
    let range = if page.total == 0 {
        "No virtual machines match.".to_string()
    } else {
        format!("{} of {}", page.items.len(), page.total)
    };
    view! {
        {page.warnings.into_iter().map(|w| view! { <p class="warning" role="status">{w}</p> }).collect_view()}
        <div class="table-wrap">
            <table class="grid vms" data-testid="vms-table">
                <thead>
                    <tr>
                        {can_act.then(|| view! { <th class="check"><span class="sr-only">"Select"</span></th> })}
                        <th>"Name"</th><th>"Namespace"</th><th>"Status"</th><th>"Run strategy"</th><th>"Node"</th>
                        <th>"IP"</th><th>"CPU"</th><th>"Memory"</th><th>"Age"</th>
                        <th><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {page.items.into_iter().map(|row| {
                        let object = row.object_ref();
                        let environment = environment_of(&clusters, &row.cluster);
                        let entries = vm_entries(&row, role);
                        let is_pinned = pinned.contains(&object);
                        let (check, checked) = (object.clone(), object.clone());
                        let status = row.status.clone();
                        view! {
                            <tr data-vm=row.name.clone() data-status=status.clone()>
                                {can_act.then(|| view! {
                                    <td class="check">
                                        <input type="checkbox" aria-label=format!("Select {}", row.name)
                                            prop:checked=move || selected.get().contains(&checked)
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                selected.update(|s| { if on { s.insert(check.clone()); } else { s.remove(&check); } });
                                            } />
                                    </td>
                                })}
                                <td class="name"><a href=detail_href(&object)>{row.name.clone()}</a></td>
                                <td class="ns">{row.namespace.clone()}</td>
                                <td><span class=format!("vm-status vm-{}", status.to_lowercase()) data-testid="vm-status">{status.clone()}</span></td>
                                <td>{row.run_strategy.clone()}</td>
                                <td>{row.node.clone()}</td>
                                <td><code>{row.ip.clone()}</code></td>
                                <td class="num">{row.cpu.clone()}</td>
                                <td class="num">{row.memory.clone()}</td>
                                <td class="age"><time datetime=row.created.clone()>{age(&row.created)}</time></td>
                                <td class="row-actions">
                                    <ActionMenu object=object.clone() entries environment pending>
                                        <PinButton object=object.clone() pinned=is_pinned />
                                    </ActionMenu>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            <span data-testid="range">{range}</span>
            {next.map(|href| view! { <a href=href data-testid="next-page">"Next page"</a> })}
        </nav>
    }
}
