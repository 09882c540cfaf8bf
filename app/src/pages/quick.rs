//! Quick actions: the person's pinned workloads, rollouts and VMs as cards with large
//! buttons (restart, scale ±1, approve the next step, VM restart), the same confirmation
//! dialog as everywhere, and the live result on the card. Made for a phone: the web app
//! manifest opens the console here from a home screen.

use bosun_model::{
    Action, ClusterSummary, Me, ObjectRef, PinCard, PinnedState, Role, RolloutDetail, RolloutRow,
    VmDetail, VmRow, WorkloadRow,
};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::actions::ObjectAction;
use crate::api::clusters::list_clusters;
use crate::api::pins::pin_cards;
use crate::api::rollouts::status_stream_url;
use crate::api::vms::vm_stream_url;
use crate::components::{
    ActionDialog, Done, ErrorBox, HealthBadge, OperationProgress, Pending, PinButton,
    RolloutProgress, follow,
};
use crate::pages::object_actions::{ActionButtons, Entry, rollout_entries};
use crate::pages::rollouts::{environment_of, step_text};
use crate::pages::workload_table::detail_href;

/// What happened on a card since the page loaded: a restart to follow, an operation.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Restarted(Option<String>),
    Operation(String),
}

#[component]
pub fn QuickActionsPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let cards = Resource::new(move || refresh.get(), |_| pin_cards());
    let clusters = Resource::new(|| (), |()| list_clusters());
    let pending = RwSignal::new(None::<Pending>);
    let outcomes: RwSignal<Vec<(ObjectRef, Outcome)>> = RwSignal::new(Vec::new());
    let on_done = Callback::new(move |(object, action, reply): Done| {
        let outcome = match (action, reply.operation_id) {
            (_, Some(id)) => Some(Outcome::Operation(id)),
            (ObjectAction::Restart { .. }, None) => Some(Outcome::Restarted(reply.restarted_at)),
            _ => None,
        };
        if let Some(outcome) = outcome {
            outcomes.update(|o| {
                o.retain(|(obj, _)| *obj != object);
                o.push((object, outcome));
            });
        }
        refresh.update(|n| *n += 1);
    });
    view! {
        <Title text="Quick actions" />
        <h1>"Quick actions"</h1>
        <Transition fallback=|| view! { <p class="loading">"Loading your pins…"</p> }>
            {move || Suspend::new(async move {
                let clusters = clusters.await.unwrap_or_default();
                match cards.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(cards) if cards.is_empty() => view! {
                        <p class="empty-state" data-testid="no-pins">
                            "Nothing pinned yet. Pin workloads, rollouts and virtual machines with ☆ Pin on their pages; they appear here with one-tap actions."
                        </p>
                    }.into_any(),
                    Ok(cards) => view! {
                        <div class="cards quick" data-testid="quick-cards">
                            {cards.into_iter().map(|card| view! { <Card card clusters=clusters.clone() pending outcomes /> }).collect_view()}
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
        <ActionDialog pending on_done />
    }
}

#[component]
fn Card(
    card: PinCard,
    clusters: Vec<ClusterSummary>,
    pending: RwSignal<Option<Pending>>,
    outcomes: RwSignal<Vec<(ObjectRef, Outcome)>>,
) -> impl IntoView {
    let object = card.pin.target.clone();
    let environment = environment_of(&clusters, &object.cluster);
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    let outcome = {
        let object = object.clone();
        move || {
            outcomes
                .get()
                .into_iter()
                .find(|(o, _)| *o == object)
                .map(|(_, outcome)| outcome)
        }
    };
    let title = format!("{} {}", object.kind.info().label, object.name);
    // A VM's operation still running when the page loaded is followed too.
    let running = match &card.state {
        PinnedState::Vm { operation, .. } => {
            operation.clone().filter(|o| !o.finished).map(|o| o.id)
        }
        _ => None,
    };
    let body = match card.state {
        PinnedState::Missing { reason } => view! { <p class="error">{reason}</p> }.into_any(),
        PinnedState::Workload(row) => {
            view! { <WorkloadCard row environment role pending /> }.into_any()
        }
        PinnedState::Rollout(row) => {
            view! { <RolloutCard row environment role pending /> }.into_any()
        }
        PinnedState::Vm { row, .. } => view! { <VmCard row environment role pending /> }.into_any(),
    };
    let obj = object.clone();
    view! {
        <article class="card quick-card" data-testid="quick-card" data-kind=object.kind.route() data-name=object.name.clone()>
            <header>
                <h2>{title}</h2>
                <p class="muted">{format!("{} · {}", object.cluster, object.namespace)}</p>
            </header>
            {body}
            {move || match outcome() {
                Some(Outcome::Restarted(restarted_at)) => view! { <RolloutProgress object=obj.clone() restarted_at /> }.into_any(),
                Some(Outcome::Operation(id)) => view! { <OperationProgress id /> }.into_any(),
                None => match running.clone() {
                    Some(id) => view! { <OperationProgress id /> }.into_any(),
                    None => ().into_any(),
                },
            }}
            <footer><PinButton object=object.clone() pinned=true /></footer>
        </article>
    }
}

fn allowed(entries: Vec<Entry>, role: Role) -> Vec<Entry> {
    entries
        .into_iter()
        .filter(|e| e.action.action().allowed_for(Some(role)))
        .collect()
}

#[component]
fn WorkloadCard(
    row: WorkloadRow,
    environment: bosun_model::Environment,
    role: Role,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let object = row.object_ref();
    let info = row.kind.info();
    let mut entries = Vec::new();
    if info.actions.contains(&Action::Restart) {
        entries.push(Entry {
            label: "Restart".into(),
            action: ObjectAction::Restart { force: false },
            refusal: None,
        });
    }
    if info.scale {
        entries.push(Entry {
            label: "Scale −1".into(),
            action: ObjectAction::Scale {
                replicas: (row.desired - 1).max(0),
            },
            refusal: (row.desired == 0).then(|| "already at 0 replicas".to_string()),
        });
        entries.push(Entry {
            label: "Scale +1".into(),
            action: ObjectAction::Scale {
                replicas: row.desired + 1,
            },
            refusal: None,
        });
    }
    let entries = allowed(entries, role);
    view! {
        <p class="summary">
            <HealthBadge health=row.health reason=row.reason.clone() />
            {format!(" {}/{} ready", row.ready, row.desired)}
            " · " <a href=detail_href(&object)>"details"</a>
        </p>
        <ActionButtons object entries environment pending large=true />
    }
}

#[component]
fn RolloutCard(
    row: RolloutRow,
    environment: bosun_model::Environment,
    role: Role,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let object = row.object_ref();
    let live = RwSignal::new(row);
    follow(
        status_stream_url(&object),
        true,
        move |d: RolloutDetail| live.set(d.row),
        |_| {},
    );
    let href = detail_href(&object);
    view! {
        {move || {
            let row = live.get();
            // On a phone, the card offers what matters: the approval, then pause/resume.
            let entries: Vec<Entry> = rollout_entries(&row, role)
                .into_iter()
                .filter(|e| matches!(e.action, ObjectAction::Approve { .. } | ObjectAction::PauseRollout | ObjectAction::ResumeRollout))
                .collect();
            view! {
                <p class="summary" data-testid="card-rollout" data-step=row.step data-state=row.step_state.clone()>
                    <span class=format!("phase phase-{}", row.phase.to_lowercase())>{row.phase.clone()}</span>
                    " · step " <strong data-testid="card-step">{step_text(&row)}</strong>
                    {(!row.step_state.is_empty()).then(|| format!(" · {}", row.step_state))}
                    {(!row.traffic.is_empty()).then(|| format!(" · traffic {}", row.traffic))}
                    " · " <a href=href.clone()>"details"</a>
                </p>
                <ActionButtons object=object.clone() entries environment pending large=true />
            }
        }}
    }
}

#[component]
fn VmCard(
    row: VmRow,
    environment: bosun_model::Environment,
    role: Role,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let object = row.object_ref();
    let live = RwSignal::new(row);
    follow(
        vm_stream_url(&object),
        true,
        move |vm: VmDetail| live.set(vm.row),
        |_| {},
    );
    let href = detail_href(&object);
    view! {
        {move || {
            let row = live.get();
            // On a phone, the card offers the lifecycle that matters: restart, start, stop.
            let entries: Vec<Entry> = crate::pages::object_actions::vm_entries(&row, role)
                .into_iter()
                .filter(|e| {
                    matches!(
                        e.action.action(),
                        Action::VmRestart | Action::VmStart | Action::VmStop | Action::VmForceStop
                    ) && e.refusal.is_none()
                })
                .collect();
            view! {
                <p class="summary">
                    <span class=format!("vm-status vm-{}", row.status.to_lowercase()) data-testid="card-vm-status">{row.status.clone()}</span>
                    {(!row.node.is_empty()).then(|| format!(" · {}", row.node))}
                    " · " <a href=href.clone()>"details"</a>
                </p>
                <ActionButtons object=object.clone() entries environment pending large=true />
            }
        }}
    }
}
