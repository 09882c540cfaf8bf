//! A tracked operation, live: every state it passed through with its time, the forced
//! fallback when it fired, pushed by the server as the operation moves on.

use bosun_model::{OperationState, OperationView};
use leptos::prelude::*;

use crate::api::vms::operation_stream_url;
use crate::components::follow;

fn state_class(state: OperationState) -> &'static str {
    match state {
        OperationState::Running | OperationState::Stopped | OperationState::Paused => "ok",
        OperationState::Failed | OperationState::TimedOut | OperationState::Interrupted => "bad",
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
