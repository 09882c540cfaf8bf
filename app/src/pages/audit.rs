use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::audit::audit_log;
use crate::components::ErrorBox;

/// The newest audit records: who did what, to what, and how it ended.
#[component]
pub fn AuditPage() -> impl IntoView {
    let entries = Resource::new(
        || (),
        |()| {
            audit_log(bosun_model::AuditQuery {
                limit: Some(200),
                ..Default::default()
            })
        },
    );
    view! {
        <Title text="Audit" />
        <h1>"Audit log"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(page) => { let rows = page.items; view! {
                        <div class="table-wrap">
                            <table class="grid" data-testid="audit-table">
                                <thead>
                                    <tr><th>"When"</th><th>"Who"</th><th>"Action"</th><th>"Target"</th><th>"Outcome"</th><th>"Detail"</th></tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|e| view! {
                                        <tr>
                                            <td><time datetime=e.at.clone()>{e.at.clone()}</time></td>
                                            <td>{e.user}</td>
                                            <td><code>{e.action}</code></td>
                                            <td>{format!("{}/{}/{}/{}", e.cluster, e.namespace, e.kind, e.name)}</td>
                                            <td class=format!("outcome-{}", e.outcome)>{e.outcome.clone()}</td>
                                            <td>{e.error}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any() },
                }
            })}
        </Suspense>
    }
}
