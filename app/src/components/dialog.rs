//! The one confirmation dialog of every action (workloads, pods, rollouts, VMs): it names the cluster,
//! namespace, kind and object, says what will happen (downtime, data loss, the diff a
//! rollback applies), asks for the object's name on production clusters where an action
//! deletes, and answers with a toast.

use bosun_model::diff::DiffLine;
use bosun_model::{ActionReply, Environment, ObjectRef, VmCommand};
use leptos::prelude::*;

use crate::api::actions::{ObjectAction, act};
use crate::components::{DiffView, use_toasts};

/// What the dialog is about to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    /// One action on one object. `diff` is shown for a rollback; `replicas` pre-fills a
    /// scale.
    One {
        object: ObjectRef,
        action: ObjectAction,
        environment: Environment,
        diff: Option<Vec<DiffLine>>,
    },
    /// One action on several objects (a restart of workloads, a VM command), each item
    /// carried out, audited and answered on its own.
    Batch {
        targets: Vec<ObjectRef>,
        action: ObjectAction,
    },
}

fn vm_title(command: VmCommand, force: bool) -> &'static str {
    match (command, force) {
        (VmCommand::Start, _) => "Start virtual machine?",
        (VmCommand::Stop, false) => "Stop virtual machine?",
        (VmCommand::Stop, true) => "Force stop virtual machine?",
        (VmCommand::Restart, false) => "Restart virtual machine?",
        (VmCommand::Restart, true) => "Force restart virtual machine?",
        (VmCommand::Pause, _) => "Pause virtual machine?",
        (VmCommand::Unpause, _) => "Unpause virtual machine?",
    }
}

fn title(action: &ObjectAction, kind_label: &str) -> String {
    let kind = kind_label.to_lowercase();
    match action {
        ObjectAction::Restart { force: false } => format!("Restart {kind}?"),
        ObjectAction::Restart { force: true } => format!("Force restart {kind}?"),
        ObjectAction::Scale { .. } => format!("Scale {kind}"),
        ObjectAction::Rollback { revision } => {
            format!("Roll back {kind} to revision {revision}?")
        }
        ObjectAction::Delete => format!("Delete {kind}?"),
        ObjectAction::Suspend => format!("Suspend {kind}?"),
        ObjectAction::Resume => format!("Resume {kind}?"),
        ObjectAction::RunNow => format!("Run {kind} now?"),
        ObjectAction::DeletePod => "Delete pod?".to_string(),
        ObjectAction::Approve { step: Some(step) } => format!("Approve step {step}?"),
        ObjectAction::Approve { step: None } => "Approve the current step?".to_string(),
        ObjectAction::PauseRollout => "Pause rollout?".to_string(),
        ObjectAction::ResumeRollout => "Resume rollout?".to_string(),
        ObjectAction::Undo => "Undo rollout?".to_string(),
        ObjectAction::RestartRollout => "Restart the rollout's workload?".to_string(),
        ObjectAction::Vm { command, options } => vm_title(*command, options.force).to_string(),
    }
}

fn vm_explanation(command: VmCommand, force: bool) -> &'static str {
    match (command, force) {
        (VmCommand::Start, _) => "The VM is started and followed until it is Running and Ready.",
        (VmCommand::Stop, false) => {
            "The guest is asked to shut down. If it has not stopped within the wait below, it is stopped at once, which can lose unsaved data."
        }
        (VmCommand::Stop, true) => {
            "The VM is stopped at once, without waiting for the guest (grace period 0). Unsaved data in the guest is lost."
        }
        (VmCommand::Restart, false) => {
            "The guest is asked to restart. If it has not stopped within the wait below, it is force restarted, which can lose unsaved data. A stopped VM is started."
        }
        (VmCommand::Restart, true) => {
            "The VM is restarted at once, without waiting for the guest (gracePeriodSeconds 0). Unsaved data in the guest is lost."
        }
        (VmCommand::Pause, _) => "The guest's CPUs are paused; its memory is kept.",
        (VmCommand::Unpause, _) => "The guest runs again from where it was paused.",
    }
}

fn explanation(action: &ObjectAction) -> &'static str {
    match action {
        ObjectAction::Restart { force: false } => {
            "Pods are replaced by a rolling update, as kubectl rollout restart does."
        }
        ObjectAction::Restart { force: true } => {
            "The restart is requested, then every current pod is deleted at once so replacements start now. Expect downtime until they are ready."
        }
        ObjectAction::Scale { .. } => "The replica count is set through the /scale subresource.",
        ObjectAction::Rollback { .. } => {
            "The pod template below is applied, as kubectl rollout undo does; pods roll to it."
        }
        ObjectAction::Delete => {
            "The workload and, in the background, its pods are deleted. This cannot be undone."
        }
        ObjectAction::Suspend => "No new runs start until it is resumed; running ones continue.",
        ObjectAction::Resume => "Runs start again on schedule.",
        ObjectAction::RunNow => {
            "A Job is created from the template now, as kubectl create job --from=cronjob does."
        }
        ObjectAction::DeletePod => {
            "The pod is deleted; its controller, if it has one, starts a replacement."
        }
        ObjectAction::Approve { .. } => {
            "The rollout leaves its paused step and goes on to the next one, as kubectl-kruise rollout approve does. If it has moved on since this page showed it, nothing is approved."
        }
        ObjectAction::PauseRollout => {
            "The rollout stops where it is; pods already updated stay as they are."
        }
        ObjectAction::ResumeRollout => "The rollout goes on from where it was paused.",
        ObjectAction::Undo => {
            "The workload is rolled back to its previous revision, as kubectl rollout undo does; the canary run ends."
        }
        ObjectAction::RestartRollout => {
            "The rollout's workload is restarted; a new canary run starts at step 1."
        }
        ObjectAction::Vm { command, options } => vm_explanation(*command, options.force),
    }
}

fn confirm_label(action: &ObjectAction) -> &'static str {
    match action {
        ObjectAction::Restart { force: false } | ObjectAction::RestartRollout => "Restart",
        ObjectAction::Restart { force: true } => "Force restart",
        ObjectAction::Scale { .. } => "Scale",
        ObjectAction::Rollback { .. } => "Roll back",
        ObjectAction::Delete | ObjectAction::DeletePod => "Delete",
        ObjectAction::Suspend => "Suspend",
        ObjectAction::Resume | ObjectAction::ResumeRollout => "Resume",
        ObjectAction::RunNow => "Run now",
        ObjectAction::Approve { .. } => "Approve",
        ObjectAction::PauseRollout => "Pause",
        ObjectAction::Undo => "Undo",
        ObjectAction::Vm { .. } => action.action().label(),
    }
}

fn destructive(action: &ObjectAction) -> bool {
    matches!(action, ObjectAction::Restart { force: true }) || action.action().destructive()
}

/// Whether the dialog asks for the wait before a forced fallback and for Running.
fn vm_waits(action: &ObjectAction) -> (bool, bool) {
    match action {
        ObjectAction::Vm { command, options } if !options.force => match command {
            VmCommand::Stop => (true, false),
            VmCommand::Restart => (true, true),
            VmCommand::Start => (false, true),
            _ => (false, false),
        },
        ObjectAction::Vm {
            command: VmCommand::Restart,
            ..
        } => (false, true),
        _ => (false, false),
    }
}

/// Whether confirming needs the object's name typed: deleting on a production cluster.
fn typed_confirmation(action: &ObjectAction, environment: Environment) -> bool {
    environment == Environment::Prod
        && matches!(action, ObjectAction::Delete | ObjectAction::DeletePod)
}

/// The seconds typed into a wait field, or the default when left empty.
fn seconds(raw: &str, name: &str) -> Result<Option<i64>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(format!(
            "{name} must be a whole number of seconds, 1 or more"
        )),
    }
}

/// What the dialog reports of an action that succeeded.
pub type Done = (ObjectRef, ObjectAction, ActionReply);

/// The text of a batch dialog's confirm button.
fn batch_label(action: &ObjectAction) -> String {
    match action {
        ObjectAction::Restart { force: true } => "Force restart all".into(),
        ObjectAction::Restart { force: false } => "Restart all".into(),
        other => format!("{} all", other.action().label()),
    }
}

/// The dialog, shown while `pending` holds something. `on_done` hears of every single
/// action that succeeded (to follow a restart or refresh a list); `on_batch` receives a
/// confirmed batch to run.
#[component]
pub fn ActionDialog(
    pending: RwSignal<Option<Pending>>,
    #[prop(into)] on_done: Callback<Done>,
    #[prop(optional, into)] on_batch: Option<Callback<(Vec<ObjectRef>, ObjectAction)>>,
) -> impl IntoView {
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let replicas = RwSignal::new(String::new());
    let stop_wait = RwSignal::new(String::new());
    let start_wait = RwSignal::new(String::new());
    let close = move || {
        pending.set(None);
        typed.set(String::new());
        busy.set(false);
    };
    // Pre-fill the replica count when a scale opens, and the VM waits with the defaults.
    Effect::new(move |_| match pending.get() {
        Some(Pending::One {
            action: ObjectAction::Scale { replicas: n },
            ..
        }) => replicas.set(n.to_string()),
        Some(Pending::One {
            action: ObjectAction::Vm { .. },
            ..
        }) => {
            stop_wait.set(bosun_model::DEFAULT_STOP_TIMEOUT_SECONDS.to_string());
            start_wait.set(bosun_model::DEFAULT_START_TIMEOUT_SECONDS.to_string());
        }
        _ => {}
    });
    let refuse = move |message: String| {
        toasts.error(&crate::AppError::new(
            bosun_model::ErrorCode::BadRequest,
            message,
        ));
    };
    // The action with what was typed into the dialog.
    let completed = move |action: ObjectAction| -> Result<ObjectAction, String> {
        Ok(match action {
            ObjectAction::Scale { .. } => match replicas.get_untracked().trim().parse::<i64>() {
                Ok(n) => ObjectAction::Scale { replicas: n },
                Err(_) => return Err("replicas must be a whole number".into()),
            },
            ObjectAction::Vm {
                command,
                mut options,
            } => {
                let (stop, start) = vm_waits(&ObjectAction::Vm { command, options });
                if stop {
                    options.stop_timeout_seconds =
                        seconds(&stop_wait.get_untracked(), "the wait for the guest")?;
                }
                if start {
                    options.start_timeout_seconds =
                        seconds(&start_wait.get_untracked(), "the wait for Running")?;
                }
                ObjectAction::Vm { command, options }
            }
            other => other,
        })
    };
    let confirm = move || {
        let Some(current) = pending.get_untracked() else {
            return;
        };
        match current {
            Pending::Batch { targets, action } => {
                let action = match completed(action) {
                    Ok(a) => a,
                    Err(message) => return refuse(message),
                };
                if let Some(run) = on_batch {
                    run.run((targets, action));
                }
                close();
            }
            Pending::One { object, action, .. } => {
                let action = match completed(action) {
                    Ok(a) => a,
                    Err(message) => return refuse(message),
                };
                busy.set(true);
                leptos::task::spawn_local(async move {
                    match act(object.clone(), action.clone()).await {
                        Ok(reply) => {
                            toasts.ok(reply.message.clone());
                            on_done.run((object, action, reply));
                        }
                        Err(e) => toasts.error(&e),
                    }
                    close();
                });
            }
        }
    };
    let waits = move |action: &ObjectAction| {
        let (stop, start) = vm_waits(action);
        view! {
            {stop.then(|| view! {
                <label for="stop-wait">"Force it if the guest has not stopped within (seconds)"</label>
                <input id="stop-wait" type="number" min="1" inputmode="numeric" data-testid="stop-wait"
                    prop:value=move || stop_wait.get()
                    on:input=move |ev| stop_wait.set(event_target_value(&ev)) />
            })}
            {start.then(|| view! {
                <label for="start-wait">"Wait for Running and Ready (seconds)"</label>
                <input id="start-wait" type="number" min="1" inputmode="numeric" data-testid="start-wait"
                    prop:value=move || start_wait.get()
                    on:input=move |ev| start_wait.set(event_target_value(&ev)) />
            })}
        }
    };
    view! {
        <Show when=move || pending.get().is_some()>
            <div class="overlay" on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title" data-testid="dialog">
                    {move || pending.get().map(|p| match p {
                        Pending::Batch { targets, action } => {
                            let shown: Vec<ObjectRef> = targets.iter().take(20).cloned().collect();
                            let more = targets.len().saturating_sub(20);
                            let what = targets.first().map_or("objects", |t| t.kind.info().label);
                            let heading = match &action {
                                ObjectAction::Restart { force: true } => format!("Force restart {} workloads?", targets.len()),
                                ObjectAction::Restart { force: false } => format!("Restart {} workloads?", targets.len()),
                                other => format!("{} {} {}?", other.action().label(), targets.len(), what.to_lowercase() + "s"),
                            };
                            view! {
                                <h2 id="dialog-title">{heading}</h2>
                                <p class=if destructive(&action) { "warning" } else { "" }>{explanation(&action)}</p>
                                {waits(&action)}
                                <ul class="targets">
                                    {shown.into_iter().map(|t| view! { <li><code>{format!("{} · {}", t.cluster, t.describe())}</code></li> }).collect_view()}
                                </ul>
                                {(more > 0).then(|| view! { <p class="muted">{format!("and {more} more")}</p> })}
                            }.into_any()
                        }
                        Pending::One { object, action, environment, diff } => {
                            let info = object.kind.info();
                            let typed_needed = typed_confirmation(&action, environment);
                            let name = object.name.clone();
                            view! {
                                <h2 id="dialog-title">{title(&action, info.label)}</h2>
                                <dl class="facts target-facts">
                                    <dt>"Cluster"</dt><dd>{format!("{} ({environment})", object.cluster)}</dd>
                                    <dt>"Namespace"</dt><dd>{object.namespace.clone()}</dd>
                                    <dt>"Kind"</dt><dd>{info.label}</dd>
                                    <dt>"Name"</dt><dd><strong>{object.name.clone()}</strong></dd>
                                </dl>
                                <p class=if destructive(&action) { "warning" } else { "" } data-testid="dialog-explanation">{explanation(&action)}</p>
                                {matches!(action, ObjectAction::Scale { .. }).then(|| view! {
                                    <label for="replicas">"Replicas"</label>
                                    <input id="replicas" type="number" min="0" inputmode="numeric"
                                        prop:value=move || replicas.get()
                                        on:input=move |ev| replicas.set(event_target_value(&ev)) />
                                })}
                                {waits(&action)}
                                {diff.map(|lines| view! { <DiffView lines /> })}
                                {typed_needed.then(|| view! {
                                    <label for="typed-name">{format!("This is a production cluster: type {name} to confirm")}</label>
                                    <input id="typed-name" autocomplete="off" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                                })}
                            }.into_any()
                        }
                    })}
                    <div class="dialog-buttons">
                        <button type="button" on:click=move |_| close() data-testid="dialog-cancel">"Cancel"</button>
                        <button
                            type="button"
                            class=move || match pending.get() {
                                Some(Pending::One { action, .. } | Pending::Batch { action, .. }) if destructive(&action) => "danger",
                                _ => "primary",
                            }
                            data-testid="dialog-confirm"
                            disabled=move || busy.get() || match pending.get() {
                                Some(Pending::One { object, action, environment, .. }) => {
                                    typed_confirmation(&action, environment) && typed.get() != object.name
                                }
                                _ => false,
                            }
                            on:click=move |_| confirm()
                        >
                            {move || match pending.get() {
                                Some(Pending::One { action, .. }) => confirm_label(&action).to_string(),
                                Some(Pending::Batch { action, .. }) => batch_label(&action),
                                None => String::new(),
                            }}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
