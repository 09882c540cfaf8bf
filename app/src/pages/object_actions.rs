//! The buttons of rollouts and virtual machines: drawn from the kind table for the
//! user's role, and greyed out, with the reason, where the object's state rules an action
//! out (the same words the server answers with).

use bosun_model::{Action, Environment, ObjectRef, Role, RolloutRow, VmRow};
use leptos::prelude::*;

use crate::api::actions::ObjectAction;
use crate::components::Pending;

/// One button: its label, the action it opens the dialog for, and why it is disabled.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub label: String,
    pub action: ObjectAction,
    pub refusal: Option<String>,
}

/// A rollout's buttons. Approve names the step the page shows, so a stale page cannot
/// approve a later step.
#[must_use]
pub fn rollout_entries(row: &RolloutRow, role: Role) -> Vec<Entry> {
    let object = row.object_ref();
    object
        .kind
        .info()
        .actions
        .iter()
        .copied()
        .filter(|a| a.allowed_for(Some(role)))
        .filter(|a| match a {
            Action::RolloutPause => !row.paused,
            Action::RolloutResume => row.paused,
            _ => true,
        })
        .filter_map(|a| {
            let action = match a {
                Action::RolloutApprove => ObjectAction::Approve {
                    step: (row.step > 0).then_some(row.step),
                },
                Action::RolloutPause => ObjectAction::PauseRollout,
                Action::RolloutResume => ObjectAction::ResumeRollout,
                Action::RolloutUndo => ObjectAction::Undo,
                Action::RolloutRestart => ObjectAction::RestartRollout,
                _ => return None,
            };
            let label = match (a, row.step) {
                (Action::RolloutApprove, step) if step > 0 => format!("Approve step {step}"),
                _ => a.label().to_string(),
            };
            Some(Entry {
                label,
                action,
                refusal: row.refusal(a),
            })
        })
        .collect()
}

/// A VM's buttons; "Stop" is "Force stop" while the VM is already stopping.
#[must_use]
pub fn vm_entries(row: &VmRow, role: Role) -> Vec<Entry> {
    let stop = row.stop_action();
    let object = row.object_ref();
    object
        .kind
        .info()
        .actions
        .iter()
        .copied()
        .filter(|a| a.allowed_for(Some(role)))
        .filter(|a| match a {
            Action::VmStop | Action::VmForceStop => *a == stop,
            Action::VmPause => !row.paused(),
            Action::VmUnpause => row.paused(),
            _ => true,
        })
        .filter_map(|a| {
            Some(Entry {
                label: a.label().to_string(),
                action: ObjectAction::vm(a)?,
                refusal: row.refusal(a),
            })
        })
        .collect()
}

/// A table row's actions: a disclosure menu of what the object's state allows now
/// (the detail page shows every action, with the reason where one is ruled out), and
/// whatever else the row wants in it (a pin).
#[component]
pub fn ActionMenu(
    object: ObjectRef,
    environment: Environment,
    entries: Vec<Entry>,
    pending: RwSignal<Option<Pending>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let label = format!("Actions for {}", object.name);
    view! {
        <details class="menu">
            <summary aria-label=label>"Actions"</summary>
            <div class="menu-items">
                {entries.into_iter().filter(|e| e.refusal.is_none()).map(|entry| {
                    let object = object.clone();
                    let action = entry.action.clone();
                    view! {
                        <button type="button" data-action=entry.action.action().name()
                            on:click=move |ev| {
                                crate::pages::workload_table::close_menu(&ev);
                                pending.set(Some(Pending::One { object: object.clone(), action: action.clone(), environment, diff: None }));
                            }>
                            {entry.label.clone()}
                        </button>
                    }
                }).collect_view()}
                {children.map(|c| c())}
            </div>
        </details>
    }
}

/// The buttons, each opening the confirmation dialog; `children` join them (a pin).
#[component]
pub fn ActionButtons(
    object: ObjectRef,
    environment: Environment,
    entries: Vec<Entry>,
    pending: RwSignal<Option<Pending>>,
    #[prop(optional)] large: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let class = if large {
        "action-buttons large"
    } else {
        "action-buttons"
    };
    view! {
        <div class=class data-testid="object-actions">
            {entries.into_iter().map(|entry| {
                let object = object.clone();
                let action = entry.action.clone();
                let disabled = entry.refusal.is_some();
                let danger = action.action().destructive();
                view! {
                    <button type="button" class:danger=danger disabled=disabled title=entry.refusal.clone().unwrap_or_default()
                        data-action=entry.action.action().name()
                        on:click=move |_| pending.set(Some(Pending::One { object: object.clone(), action: action.clone(), environment, diff: None }))>
                        {entry.label.clone()}
                    </button>
                }
            }).collect_view()}
            {children.map(|c| c())}
        </div>
    }
}
