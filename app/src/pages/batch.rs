//! Running a batch restart from the Workloads page: items go to the server a few at a
//! time, so each result appears as it completes; the server authorizes, carries out and
//! audits every item on its own.

use bosun_model::{BatchItem, BatchStatus, ObjectRef};
use futures::StreamExt;
use leptos::prelude::*;

use crate::api::workloads::batch_restart;

/// Items in flight at once from one page.
const IN_FLIGHT: usize = 4;

/// Starts the batch; results land in `items` as they complete, and restarted workloads
/// join `following` so their rollouts show progress.
pub fn run_batch(
    targets: Vec<ObjectRef>,
    force: bool,
    items: RwSignal<Vec<BatchItem>>,
    following: RwSignal<Vec<(ObjectRef, Option<String>)>>,
) {
    items.set(Vec::new());
    leptos::task::spawn_local(async move {
        let calls = futures::stream::iter(targets).map(move |target| async move {
            match batch_restart(vec![target.clone()], force).await {
                Ok(mut answer) if !answer.is_empty() => answer.remove(0),
                Ok(_) => failed(target, "no answer".into()),
                Err(e) => failed(target, e.message),
            }
        });
        let mut results = calls.buffer_unordered(IN_FLIGHT);
        while let Some(item) = results.next().await {
            if item.status == BatchStatus::Restarted {
                let object = ObjectRef::new(&item.cluster, &item.namespace, item.kind, &item.name);
                following.update(|f| f.push((object, item.restarted_at.clone())));
            }
            items.update(|all| all.push(item));
        }
    });
}

fn failed(target: ObjectRef, message: String) -> BatchItem {
    BatchItem {
        cluster: target.cluster,
        namespace: target.namespace,
        kind: target.kind,
        name: target.name,
        success: false,
        status: BatchStatus::Failed,
        message,
        restarted_at: None,
    }
}

/// The results of the last batch, one line per item.
#[component]
pub fn BatchResults(items: RwSignal<Vec<BatchItem>>) -> impl IntoView {
    view! {
        <Show when=move || !items.get().is_empty()>
            <section class="batch-results" aria-label="Batch results" data-testid="batch-results">
                <h2>
                    {move || {
                        let all = items.get();
                        let count = |s: BatchStatus| all.iter().filter(|i| i.status == s).count();
                        format!(
                            "Batch: {} restarted, {} skipped, {} failed",
                            count(BatchStatus::Restarted),
                            count(BatchStatus::Skipped),
                            count(BatchStatus::Failed)
                        )
                    }}
                </h2>
                <ul>
                    <For each=move || items.get() key=|i| format!("{}/{}/{}/{}", i.cluster, i.namespace, i.kind, i.name) let:item>
                        <li class=format!("batch-item {}", status_word(item.status)) data-item=item.name.clone() data-status=status_word(item.status)>
                            <strong>{status_word(item.status)}</strong>
                            <span>{format!(" {} · {}/{}/{}: {}", item.cluster, item.kind, item.namespace, item.name, item.message)}</span>
                        </li>
                    </For>
                </ul>
                <button type="button" on:click=move |_| items.set(Vec::new())>"Dismiss"</button>
            </section>
        </Show>
    }
}

fn status_word(status: BatchStatus) -> &'static str {
    match status {
        BatchStatus::Restarted => "restarted",
        BatchStatus::Skipped => "skipped",
        BatchStatus::Failed => "failed",
    }
}
