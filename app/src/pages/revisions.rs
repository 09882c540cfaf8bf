//! A workload's revision history: revision, change-cause, images, age; a diff of the pod
//! template between any two revisions; and a rollback that shows its diff before asking.

use bosun_model::diff::diff_lines;
use bosun_model::{Action, Environment, Me, ObjectRef, RevisionRow, Role};
use leptos::prelude::*;

use crate::api::actions::ObjectAction;
use crate::components::{DiffView, Pending};
use crate::format::age;

#[component]
pub fn Revisions(
    rows: Vec<RevisionRow>,
    object: ObjectRef,
    environment: Environment,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let can_roll_back = use_context::<Me>()
        .is_some_and(|m| Action::Rollback.allowed_for(Some(m.role)) && m.role >= Role::Operator);
    let current = rows.iter().find(|r| r.current).map(|r| r.revision);
    // Diff the current revision against the one before it, until the user picks others.
    let newest_other = rows.iter().find(|r| !r.current).map(|r| r.revision);
    let left = RwSignal::new(newest_other.or(current).unwrap_or(0));
    let right = RwSignal::new(current.unwrap_or(0));
    let templates: Vec<(i64, String)> = rows
        .iter()
        .map(|r| (r.revision, r.template.clone()))
        .collect();
    let current_template = rows
        .iter()
        .find(|r| r.current)
        .map(|r| r.template.clone())
        .unwrap_or_default();
    let diff = {
        let templates = templates.clone();
        move || {
            let of = |n: i64| {
                templates
                    .iter()
                    .find(|(r, _)| *r == n)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default()
            };
            diff_lines(&of(left.get()), &of(right.get()))
        }
    };
    view! {
        <div class="table-wrap">
            <table class="grid" data-testid="revisions-table">
                <thead>
                    <tr><th>"From"</th><th>"To"</th><th>"Revision"</th><th>"Change cause"</th><th>"Images"</th><th>"Age"</th><th></th></tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let n = r.revision;
                        let rollback = {
                            let object = object.clone();
                            let to = diff_lines(&current_template, &r.template);
                            move |_| pending.set(Some(Pending::One {
                                object: object.clone(),
                                action: ObjectAction::Rollback { revision: n },
                                environment,
                                diff: Some(to.clone()),
                            }))
                        };
                        view! {
                            <tr data-revision=n>
                                <td><input type="radio" name="diff-from" aria-label=format!("Diff from revision {n}") prop:checked=move || left.get() == n on:change=move |_| left.set(n) /></td>
                                <td><input type="radio" name="diff-to" aria-label=format!("Diff to revision {n}") prop:checked=move || right.get() == n on:change=move |_| right.set(n) /></td>
                                <td class="num">{n}{r.current.then_some(" (current)")}</td>
                                <td>{r.change_cause.clone()}</td>
                                <td class="images">{r.images.join(", ")}</td>
                                <td>{age(&r.created)}</td>
                                <td>
                                    {(can_roll_back && !r.current).then(|| view! {
                                        <button type="button" on:click=rollback>{format!("Roll back to {n}")}</button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2>{move || format!("Pod template: revision {} → revision {}", left.get(), right.get())}</h2>
        {move || view! { <DiffView lines=diff() /> }}
    }
}
