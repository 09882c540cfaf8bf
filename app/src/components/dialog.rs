//! The one confirmation dialog of every workload and pod action: it names the cluster,
//! namespace, kind and object, says what will happen (downtime, data loss, the diff a
//! rollback applies), asks for the object's name on production clusters where an action
//! deletes, and answers with a toast.

use bosun_model::diff::DiffLine;
use bosun_model::{ActionReply, Environment, ObjectRef};
use leptos::prelude::*;

use crate::api::workloads::{WorkloadAction, act};
use crate::components::{DiffView, use_toasts};

/// What the dialog is about to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    /// One action on one object. `diff` is shown for a rollback; `replicas` pre-fills a
    /// scale.
    One {
        object: ObjectRef,
        action: WorkloadAction,
        environment: Environment,
        diff: Option<Vec<DiffLine>>,
    },
    /// Restart of several workloads.
    Batch {
        targets: Vec<ObjectRef>,
        force: bool,
    },
}

fn title(action: &WorkloadAction, kind_label: &str) -> String {
    let kind = kind_label.to_lowercase();
    match action {
        WorkloadAction::Restart { force: false } => format!("Restart {kind}?"),
        WorkloadAction::Restart { force: true } => format!("Force restart {kind}?"),
        WorkloadAction::Scale { .. } => format!("Scale {kind}"),
        WorkloadAction::Rollback { revision } => {
            format!("Roll back {kind} to revision {revision}?")
        }
        WorkloadAction::Delete => format!("Delete {kind}?"),
        WorkloadAction::Suspend => format!("Suspend {kind}?"),
        WorkloadAction::Resume => format!("Resume {kind}?"),
        WorkloadAction::RunNow => format!("Run {kind} now?"),
        WorkloadAction::DeletePod => "Delete pod?".to_string(),
    }
}

fn explanation(action: &WorkloadAction) -> &'static str {
    match action {
        WorkloadAction::Restart { force: false } => {
            "Pods are replaced by a rolling update, as kubectl rollout restart does."
        }
        WorkloadAction::Restart { force: true } => {
            "The restart is requested, then every current pod is deleted at once so replacements start now. Expect downtime until they are ready."
        }
        WorkloadAction::Scale { .. } => "The replica count is set through the /scale subresource.",
        WorkloadAction::Rollback { .. } => {
            "The pod template below is applied, as kubectl rollout undo does; pods roll to it."
        }
        WorkloadAction::Delete => {
            "The workload and, in the background, its pods are deleted. This cannot be undone."
        }
        WorkloadAction::Suspend => "No new runs start until it is resumed; running ones continue.",
        WorkloadAction::Resume => "Runs start again on schedule.",
        WorkloadAction::RunNow => {
            "A Job is created from the template now, as kubectl create job --from=cronjob does."
        }
        WorkloadAction::DeletePod => {
            "The pod is deleted; its controller, if it has one, starts a replacement."
        }
    }
}

fn confirm_label(action: &WorkloadAction) -> &'static str {
    match action {
        WorkloadAction::Restart { force: false } => "Restart",
        WorkloadAction::Restart { force: true } => "Force restart",
        WorkloadAction::Scale { .. } => "Scale",
        WorkloadAction::Rollback { .. } => "Roll back",
        WorkloadAction::Delete | WorkloadAction::DeletePod => "Delete",
        WorkloadAction::Suspend => "Suspend",
        WorkloadAction::Resume => "Resume",
        WorkloadAction::RunNow => "Run now",
    }
}

fn destructive(action: &WorkloadAction) -> bool {
    matches!(
        action,
        WorkloadAction::Delete
            | WorkloadAction::DeletePod
            | WorkloadAction::Restart { force: true }
    )
}

/// What the dialog reports of an action that succeeded.
pub type Done = (ObjectRef, WorkloadAction, ActionReply);

/// The dialog, shown while `pending` holds something. `on_done` hears of every single
/// action that succeeded (to follow a restart or refresh a list); `on_batch` receives a
/// confirmed batch to run.
#[component]
pub fn ActionDialog(
    pending: RwSignal<Option<Pending>>,
    #[prop(into)] on_done: Callback<Done>,
    #[prop(optional, into)] on_batch: Option<Callback<(Vec<ObjectRef>, bool)>>,
) -> impl IntoView {
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let replicas = RwSignal::new(String::new());
    let close = move || {
        pending.set(None);
        typed.set(String::new());
        busy.set(false);
    };
    // Pre-fill the replica count when a scale opens.
    Effect::new(move |_| {
        if let Some(Pending::One {
            action: WorkloadAction::Scale { replicas: n },
            ..
        }) = pending.get()
        {
            replicas.set(n.to_string());
        }
    });
    let confirm = move || {
        let Some(current) = pending.get_untracked() else {
            return;
        };
        match current {
            Pending::Batch { targets, force } => {
                if let Some(run) = on_batch {
                    run.run((targets, force));
                }
                close();
            }
            Pending::One { object, action, .. } => {
                let action = match action {
                    WorkloadAction::Scale { .. } => {
                        match replicas.get_untracked().trim().parse::<i64>() {
                            Ok(n) => WorkloadAction::Scale { replicas: n },
                            Err(_) => {
                                toasts.error(&crate::AppError::new(
                                    bosun_model::ErrorCode::BadRequest,
                                    "replicas must be a whole number",
                                ));
                                return;
                            }
                        }
                    }
                    other => other,
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
    view! {
        <Show when=move || pending.get().is_some()>
            <div class="overlay" on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title" data-testid="dialog">
                    {move || pending.get().map(|p| match p {
                        Pending::Batch { targets, force } => {
                            let shown: Vec<ObjectRef> = targets.iter().take(20).cloned().collect();
                            let more = targets.len().saturating_sub(20);
                            view! {
                                <h2 id="dialog-title">{format!("{} {} workloads?", if force { "Force restart" } else { "Restart" }, targets.len())}</h2>
                                <p>{if force { explanation(&WorkloadAction::Restart { force: true }) } else { explanation(&WorkloadAction::Restart { force: false }) }}</p>
                                <ul class="targets">
                                    {shown.into_iter().map(|t| view! { <li><code>{format!("{} · {}", t.cluster, t.describe())}</code></li> }).collect_view()}
                                </ul>
                                {(more > 0).then(|| view! { <p class="muted">{format!("and {more} more")}</p> })}
                            }.into_any()
                        }
                        Pending::One { object, action, environment, diff } => {
                            let info = object.kind.info();
                            let typed_needed = destructive(&action) && action != (WorkloadAction::Restart { force: true }) && environment == Environment::Prod;
                            let name = object.name.clone();
                            view! {
                                <h2 id="dialog-title">{title(&action, info.label)}</h2>
                                <dl class="facts target-facts">
                                    <dt>"Cluster"</dt><dd>{format!("{} ({environment})", object.cluster)}</dd>
                                    <dt>"Namespace"</dt><dd>{object.namespace.clone()}</dd>
                                    <dt>"Kind"</dt><dd>{info.label}</dd>
                                    <dt>"Name"</dt><dd><strong>{object.name.clone()}</strong></dd>
                                </dl>
                                <p class=if destructive(&action) { "warning" } else { "" }>{explanation(&action)}</p>
                                {matches!(action, WorkloadAction::Scale { .. }).then(|| view! {
                                    <label for="replicas">"Replicas"</label>
                                    <input id="replicas" type="number" min="0" inputmode="numeric"
                                        prop:value=move || replicas.get()
                                        on:input=move |ev| replicas.set(event_target_value(&ev)) />
                                })}
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
                                Some(Pending::One { action, .. }) if destructive(&action) => "danger",
                                _ => "primary",
                            }
                            data-testid="dialog-confirm"
                            disabled=move || busy.get() || match pending.get() {
                                Some(Pending::One { object, action, environment, .. }) => {
                                    destructive(&action)
                                        && action != (WorkloadAction::Restart { force: true })
                                        && environment == Environment::Prod
                                        && typed.get() != object.name
                                }
                                _ => false,
                            }
                            on:click=move |_| confirm()
                        >
                            {move || match pending.get() {
                                Some(Pending::One { action, .. }) => confirm_label(&action).to_string(),
                                Some(Pending::Batch { force, .. }) => if force { "Force restart all" } else { "Restart all" }.to_string(),
                                None => String::new(),
                            }}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
