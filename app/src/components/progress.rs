//! Following a rollout after a restart: a progress bar of updated, ready and available
//! pods, until the rollout completes or fails, or the page is left.

use std::time::Duration;

use bosun_model::{ObjectRef, RolloutStatus};
use leptos::prelude::*;

use crate::api::workloads::fetch_rollout_status;

/// How often the status is read (from the server's watch cache, not from the cluster).
const EVERY: Duration = Duration::from_secs(1);

/// The bar, for one workload. `restarted_at` is the stamp of a restart just made: until
/// the cluster's object carries it, the old (finished) rollout is not taken for the new
/// one. Stops asking once the rollout is done or failed.
#[component]
pub fn RolloutProgress(
    object: ObjectRef,
    #[prop(default = None)] restarted_at: Option<String>,
) -> impl IntoView {
    let status: RwSignal<Option<Result<RolloutStatus, String>>> = RwSignal::new(None);
    let finished = RwSignal::new(false);
    let in_flight = RwSignal::new(false);
    let poll = {
        let object = object.clone();
        move || {
            if finished.get_untracked() || in_flight.get_untracked() {
                return;
            }
            in_flight.set(true);
            let object = object.clone();
            let expected = restarted_at.clone();
            leptos::task::spawn_local(async move {
                let answer = fetch_rollout_status(object, expected.clone()).await;
                let seen = |s: &RolloutStatus| expected.is_none() || s.restarted_at >= expected;
                if let Ok(s) = &answer
                    && seen(s)
                    && (s.done || s.failed)
                {
                    finished.set(true);
                }
                // Until the cache shows the restart, the status is of the rollout before it.
                let answer = answer.map(|s| {
                    if seen(&s) {
                        s
                    } else {
                        RolloutStatus {
                            done: false,
                            failed: false,
                            message: "Waiting for the cluster to see the restart…".into(),
                            ..s
                        }
                    }
                });
                if answer.is_err() {
                    finished.set(true);
                }
                status.set(Some(answer.map_err(|e| e.message)));
                in_flight.set(false);
            });
        }
    };
    Effect::new({
        let poll = poll.clone();
        move |_| {
            poll();
            if let Ok(handle) = set_interval_with_handle(poll.clone(), EVERY) {
                on_cleanup(move || handle.clear());
            }
        }
    });
    let name = object.name.clone();
    view! {
        <div class="progress" data-testid="rollout-progress" data-workload=name>
            {move || match status.get() {
                None => view! { <span class="muted">"Following the rollout…"</span> }.into_any(),
                Some(Err(message)) => view! { <span class="error">{message}</span> }.into_any(),
                Some(Ok(s)) => {
                    let state = if s.failed { "failed" } else if s.done { "complete" } else { "progressing" };
                    view! {
                        <div class=format!("bar {state}") role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=s.percent()>
                            <div class="fill" style=format!("width: {}%", s.percent())></div>
                        </div>
                        <span class="progress-text" data-state=state>
                            {format!("{} · updated {}/{}, ready {}, available {}", s.message, s.updated, s.desired, s.ready, s.available)}
                        </span>
                    }.into_any()
                }
            }}
        </div>
    }
}
