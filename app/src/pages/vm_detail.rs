//! One virtual machine: its instance (phase, node, addresses, guest, conditions), its
//! lifecycle actions with the operation in progress followed live, its restart history
//! from the tracked operations, events and YAML.

use bosun_model::{ClusterSummary, KindId, Me, ObjectRef, OperationView, Role, VmDetail};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::clusters::list_clusters;
use crate::api::vms::{fetch_vm, vm_history, vm_stream_url};
use crate::api::workloads::object_events;
use crate::components::{
    ActionDialog, Done, ErrorBox, OperationProgress, Pending, PinButton, Pins, follow,
};
use crate::format::age;
use crate::pages::object_actions::{ActionButtons, vm_entries};
use crate::pages::rollouts::environment_of;
use crate::pages::workload_detail::{ConditionsTable, EventsTable, routed_object};
use crate::pages::workload_table::detail_href;

const TABS: [(&str, &str); 4] = [
    ("overview", "Overview"),
    ("history", "Restart history"),
    ("events", "Events"),
    ("yaml", "YAML"),
];

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
enum TabData {
    Plain,
    Events(Vec<bosun_model::EventRow>),
}

/// The page's data: the VM, its operations (the latest one may be running), a tab's.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct VmPage {
    vm: VmDetail,
    operations: Vec<OperationView>,
    tab: TabData,
}

async fn load(object: ObjectRef, tab: String) -> Result<VmPage, crate::AppError> {
    let vm = fetch_vm(object.clone()).await?;
    let operations = vm_history(object.clone()).await?;
    let tab = match tab.as_str() {
        "events" => TabData::Events(object_events(object).await?),
        _ => TabData::Plain,
    };
    Ok(VmPage {
        vm,
        operations,
        tab,
    })
}

#[component]
pub fn VmDetailPage() -> impl IntoView {
    let query = use_query_map();
    let object = routed_object(KindId::VirtualMachine);
    let tab = Memo::new(move |_| query.get().get("tab").unwrap_or_else(|| "overview".into()));
    let refresh = RwSignal::new(0u32);
    let data = Resource::new(
        move || (object.get(), tab.get(), refresh.get()),
        |(o, t, _)| load(o, t),
    );
    let clusters = Resource::new(|| (), |()| list_clusters());
    let pins = Pins::load();
    let pending = RwSignal::new(None::<Pending>);
    // The operation the page follows: the one just started, else a running one.
    let started = RwSignal::new(None::<String>);
    let on_done = Callback::new(move |(_, _, reply): Done| {
        if let Some(id) = reply.operation_id {
            started.set(Some(id));
        }
        refresh.update(|n| *n += 1);
    });
    view! {
        <Title text=move || object.get().name />
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let clusters = clusters.await.unwrap_or_default();
                let pinned = pins.pinned().await;
                match data.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(page) => view! { <Detail page clusters pinned tab=tab.get_untracked() pending started refresh /> }.into_any(),
                }
            })}
        </Transition>
        <ActionDialog pending on_done />
    }
}

#[component]
fn Detail(
    page: VmPage,
    clusters: Vec<ClusterSummary>,
    pinned: Vec<ObjectRef>,
    tab: String,
    pending: RwSignal<Option<Pending>>,
    started: RwSignal<Option<String>>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let VmPage {
        vm,
        operations,
        tab: extra,
    } = page;
    let row = vm.row.clone();
    let object = row.object_ref();
    let environment = environment_of(&clusters, &row.cluster);
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    let running = operations
        .iter()
        .find(|o| !o.finished)
        .map(|o| o.id.clone());
    let base = detail_href(&row.object_ref());
    let on_finish = Callback::new(move |_| refresh.update(|n| *n += 1));
    let yaml = vm.yaml.clone();
    // The VM as the server pushes it: status, instance and the actions its state allows.
    let live = RwSignal::new(vm);
    follow(
        vm_stream_url(&object),
        true,
        move |v: VmDetail| live.set(v),
        |_| {},
    );
    let body = match (tab.as_str(), extra) {
        ("yaml", _) => view! { <pre class="yaml" data-testid="yaml">{yaml}</pre> }.into_any(),
        ("history", _) => view! { <Operations operations /> }.into_any(),
        (_, TabData::Events(rows)) => view! { <EventsTable rows /> }.into_any(),
        (_, TabData::Plain) => view! { {move || view! { <Overview vm=live.get() /> }} }.into_any(),
    };
    let action_object = object.clone();
    view! {
        <header class="detail-head">
            <p class="crumbs"><a href="/vms">"Virtual machines"</a>" / "{row.cluster.clone()}" / "{row.namespace.clone()}</p>
            <h1>{row.name.clone()}<span class="kind-tag">"Virtual machine"</span></h1>
            <p class="summary">
                {move || {
                    let row = live.get().row;
                    view! {
                        <span class=format!("vm-status vm-{}", row.status.to_lowercase()) data-testid="vm-status">{row.status.clone()}</span>
                        {format!(" · {} · {} vCPU · {} · {}", row.run_strategy, row.cpu, row.memory, environment)}
                        {(!row.node.is_empty()).then(|| format!(" · on {}", row.node))}
                    }
                }}
            </p>
            <div class="head-actions">
                {move || {
                    let entries = vm_entries(&live.get().row, role);
                    view! { <ActionButtons object=action_object.clone() entries environment pending /> }
                }}
                <PinButton object=object.clone() pinned=pinned.contains(&object) />
            </div>
            {move || started.get().or_else(|| running.clone()).map(|id| view! { <OperationProgress id on_finish /> })}
        </header>
        <nav class="tabs" aria-label="Sections of the virtual machine">
            {TABS.into_iter().map(|(id, label)| {
                let current = id == tab;
                view! { <a href=format!("{base}?tab={id}") aria-current=current.then_some("page")>{label}</a> }
            }).collect_view()}
        </nav>
        <section class="tab-body" data-testid=format!("tab-{tab}")>{body}</section>
    }
}

#[component]
fn Overview(vm: VmDetail) -> impl IntoView {
    let grace = vm.termination_grace_seconds.map_or_else(
        || "180 s (KubeVirt's default)".to_string(),
        |s| format!("{s} s"),
    );
    view! {
        <dl class="facts">
            <dt>"Guest grace period"</dt><dd>{grace}</dd>
            <dt>"Labels"</dt>
            <dd>{vm.labels.iter().map(|(k, v)| view! { <code class="label">{format!("{k}={v}")}</code>" " }).collect_view()}</dd>
        </dl>
        <h2>"Instance"</h2>
        {match vm.instance {
            None => view! { <p class="muted" data-testid="no-instance">"No instance: the VM is stopped."</p> }.into_any(),
            Some(i) => view! {
                <dl class="facts" data-testid="instance">
                    <dt>"Phase"</dt><dd data-testid="vmi-phase">{i.phase.clone()}</dd>
                    <dt>"Node"</dt><dd>{i.node.clone()}</dd>
                    <dt>"Addresses"</dt><dd>{i.ips.join(", ")}</dd>
                    <dt>"Guest"</dt><dd>{if i.guest_os.is_empty() { "—".to_string() } else { i.guest_os.clone() }}</dd>
                    <dt>"Started"</dt><dd>{age(&i.created)}" ago"</dd>
                    {i.deleting_since.clone().map(|since| view! { <dt>"Stopping since"</dt><dd>{age(&since)}</dd> })}
                </dl>
                <ConditionsTable conditions=i.conditions empty="No conditions." />
            }.into_any(),
        }}
        <h2>"Virtual machine conditions"</h2>
        <ConditionsTable conditions=vm.conditions empty="No conditions." />
    }
}

/// The VM's operations, newest first: who asked what, how it went, and whether the
/// forced fallback fired.
#[component]
fn Operations(operations: Vec<OperationView>) -> impl IntoView {
    if operations.is_empty() {
        return view! { <p class="muted">"No lifecycle actions through Bosun yet."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="grid" data-testid="operations-table">
                <thead><tr><th>"When"</th><th>"Action"</th><th>"By"</th><th>"Result"</th><th>"Fallback"</th><th>"States"</th></tr></thead>
                <tbody>
                    {operations.into_iter().map(|o| {
                        let states = o.transitions.iter().map(|t| t.state.as_str()).collect::<Vec<_>>().join(" → ");
                        view! {
                            <tr data-operation=o.id.clone()>
                                <td>{age(&o.created)}" ago"</td>
                                <td>{o.action.name()}</td>
                                <td>{o.user.clone()}</td>
                                <td data-state=o.state.as_str()>{o.state.as_str()}" — "{o.message.clone()}</td>
                                <td>{o.fallback.clone().unwrap_or_default()}</td>
                                <td class="states">{states}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
