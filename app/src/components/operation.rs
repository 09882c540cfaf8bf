//! A tracked operation, live: every state it passed through with its time, the forced
//! fallback when it fired, pushed by the server as the operation moves on.

use bosun_model::{Action, ItemState, Me, OperationItem, OperationState, OperationView, Role};
use leptos::prelude::*;

use crate::api::vms::operation_stream_url;
use crate::components::follow;

fn state_class(state: OperationState) -> &'static str {
    match state {
        OperationState::Running | OperationState::Stopped | OperationState::Paused => "ok",
        OperationState::Succeeded => "ok",
        OperationState::Failed
        | OperationState::TimedOut
        | OperationState::Interrupted
        | OperationState::Cancelled => "bad",
        OperationState::ForceStopping => "forced",
        _ => "busy",
    }
}

/// The time of day of an RFC 3339 stamp (`10:00:03`).
fn clock(rfc3339: &str) -> String {
    rfc3339.get(11..19).unwrap_or(rfc3339).to_string()
}

/// One operation's timeline. `on_finish` hears once when it ends (to refresh a page).
#[component]
pub fn OperationProgress(
    id: String,
    #[prop(optional, into)] on_finish: Option<Callback<OperationView>>,
) -> impl IntoView {
    let view_of: RwSignal<Option<OperationView>> = RwSignal::new(None);
    let problem = RwSignal::new(None::<String>);
    let told = StoredValue::new(false);
    follow(
        operation_stream_url(&id),
        false,
        move |op: OperationView| {
            if op.finished
                && !told.get_value()
                && let Some(cb) = on_finish
            {
                told.set_value(true);
                cb.run(op.clone());
            }
            view_of.set(Some(op));
        },
        move |message| problem.set(Some(message)),
    );
    view! {
        <div class="operation" data-testid="operation" data-operation=id.clone()
            data-state=move || view_of.get().map(|o| o.state.as_str()).unwrap_or("")>
            {move || match view_of.get() {
                None => view! { <span class="muted">"Following the operation…"</span> }.into_any(),
                Some(op) => view! {
                    <p class="operation-head">
                        <span class=format!("op-state {}", state_class(op.state)) data-testid="operation-state">{op.state.as_str()}</span>
                        " "{op.message.clone()}
                    </p>
                    {op.fallback.clone().map(|why| view! { <p class="warning" data-testid="fallback">{format!("Forced fallback: {why}")}</p> })}
                    {(!op.items.is_empty()).then(|| view! { <Items items=op.items.clone() /> })}
                    {(!op.finished && op.action == Action::NodeDrain).then(|| view! { <CancelButton id=op.id.clone() /> })}
                    <ol class="op-steps" data-testid="operation-steps">
                        {op.transitions.iter().map(|t| view! {
                            <li class=state_class(t.state) data-state=t.state.as_str()>
                                <span class="op-step-state">{t.state.as_str()}</span>
                                <time datetime=t.at.clone()>{clock(&t.at)}</time>
                                <span class="op-step-message">{t.message.clone()}</span>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any(),
            }}
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </div>
    }
}

fn item_class(state: ItemState) -> &'static str {
    match state {
        ItemState::Evicted => "ok",
        ItemState::Skipped => "muted",
        ItemState::Failed => "bad",
        ItemState::Blocked => "forced",
        _ => "busy",
    }
}

/// What the operation works through (a drain's pods), each with its state.
#[component]
fn Items(items: Vec<OperationItem>) -> impl IntoView {
    let done = items.iter().filter(|i| i.state.settled()).count();
    view! {
        <p class="muted" data-testid="items-done">{format!("{done} of {} settled", items.len())}</p>
        <div class="table-wrap">
            <table class="grid" data-testid="operation-items">
                <thead><tr><th>"Pod"</th><th>"State"</th><th>"Attempts"</th><th>"Message"</th></tr></thead>
                <tbody>
                    {items.into_iter().map(|i| view! {
                        <tr data-item=format!("{}/{}", i.namespace, i.name) data-state=format!("{:?}", i.state)>
                            <td>{format!("{}/{}", i.namespace, i.name)}</td>
                            <td class=format!("op-state {}", item_class(i.state))>{format!("{:?}", i.state)}</td>
                            <td>{i.attempts}</td>
                            <td>{i.message}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Stops a running drain (operators and up).
#[component]
fn CancelButton(id: String) -> impl IntoView {
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    let toasts = crate::components::use_toasts();
    let busy = RwSignal::new(false);
    let cancel = move |_| {
        let id = id.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::api::nodes::cancel_operation(id).await {
                Ok(op) => toasts.ok(op.message),
                Err(e) => toasts.error(&e),
            }
            busy.set(false);
        });
    };
    view! {
        <Show when=move || Action::OperationCancel.allowed_for(Some(role))>
            <button type="button" data-testid="cancel-operation" disabled=move || busy.get() on:click=cancel.clone()>"Cancel"</button>
        </Show>
    }
}
