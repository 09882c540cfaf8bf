//! Apply tasks: the searchable history and one task's page (its state followed while it
//! runs, a result per document per target, the rendered YAML, re-run and clean-up).

use bosun_model::{Action, ApplyReport, Me, Page, Role, Task, TaskQuery, TaskRow, TaskState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::templates::{clean_up_task, fetch_task, list_tasks, rerun_task};
use crate::components::{ApplyResults, ErrorBox, YamlView, use_toasts};
use crate::format::{age, url_encode};
use crate::pages::templates::TemplateTabs;

const STATES: [TaskState; 5] = [
    TaskState::Pending,
    TaskState::Running,
    TaskState::Succeeded,
    TaskState::Failed,
    TaskState::PartiallyFailed,
];

fn state_badge(state: TaskState) -> impl IntoView {
    let class = match state {
        TaskState::Succeeded => "badge ok",
        TaskState::Failed => "badge bad",
        TaskState::PartiallyFailed => "badge warn",
        TaskState::Pending | TaskState::Running => "badge",
    };
    view! { <span class=class data-testid="task-state" data-state=state.name()>{state.name().replace('_', " ")}</span> }
}

fn targets_text(row: &TaskRow) -> String {
    row.targets
        .iter()
        .map(|t| {
            if t.namespace.is_empty() {
                t.cluster.clone()
            } else {
                format!("{}/{}", t.cluster, t.namespace)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn TasksPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let q = query.get();
        let value = |key: &str| q.get(key).filter(|v| !v.is_empty());
        TaskQuery {
            q: value("q"),
            state: value("state").and_then(|s| s.parse().ok()),
            template_id: value("template").and_then(|s| s.parse().ok()),
            limit: None,
            continue_token: value("continue"),
        }
    });
    let rows = Resource::new(move || filters.get(), list_tasks);
    view! {
        <Title text="Task history" />
        <h1>"Task history"</h1>
        <TemplateTabs current="tasks" />
        {move || {
            let f = filters.get();
            view! {
                <form class="filters" method="get" action="/tasks">
                    <label><span>"Search"</span><input type="search" name="q" value=f.q.clone().unwrap_or_default() placeholder="template, user, cluster, value…" /></label>
                    <label><span>"State"</span>
                        <select name="state">
                            <option value="">"Any"</option>
                            {STATES.iter().map(|s| view! { <option value=s.name() selected=f.state == Some(*s)>{s.name().replace('_', " ")}</option> }).collect_view()}
                        </select>
                    </label>
                    {f.template_id.map(|t| view! { <input type="hidden" name="template" value=t.to_string() /> })}
                    <button type="submit">"Filter"</button>
                </form>
            }
        }}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! {
                        <p class="empty-state">"No task matches. Run one from a template."</p>
                    }.into_any(),
                    Ok(page) => {
                        let next = page.continue_token.clone().map(|token| next_href(&filters.get_untracked(), &token));
                        view! { <TaskTable page next /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn next_href(query: &TaskQuery, token: &str) -> String {
    let mut href = format!("/tasks?continue={}", url_encode(token));
    if let Some(q) = &query.q {
        href.push_str(&format!("&q={}", url_encode(q)));
    }
    if let Some(state) = query.state {
        href.push_str(&format!("&state={}", state.name()));
    }
    if let Some(t) = query.template_id {
        href.push_str(&format!("&template={t}"));
    }
    href
}

#[component]
fn TaskTable(page: Page<TaskRow>, next: Option<String>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="grid" data-testid="tasks-table">
                <thead><tr><th>"Task"</th><th>"Template"</th><th>"State"</th><th>"Targets"</th><th>"By"</th><th>"Started"</th><th>"Result"</th></tr></thead>
                <tbody>
                    {page.items.into_iter().map(|t| view! {
                        <tr data-task=t.id.to_string()>
                            <td><a href=format!("/tasks/{}", t.id)>{format!("#{}", t.id)}</a>{t.dry_run.then_some(" (dry run)")}</td>
                            <td>{t.template_name.clone()}</td>
                            <td>{state_badge(t.state)}</td>
                            <td>{targets_text(&t)}</td>
                            <td>{t.created_by.clone()}</td>
                            <td>{age(&t.created_at)}</td>
                            <td>{t.message.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="muted">{format!("{} task(s)", page.total)}</p>
        {next.map(|href| view! { <a class="next" href=href>"Next page"</a> })}
    }
}

/// How often a running task's page looks again.
const POLL_MS: u64 = 1_000;

#[component]
pub fn TaskPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").and_then(|id| id.parse::<i64>().ok()));
    let refresh = RwSignal::new(0u32);
    let task = Resource::new(
        move || (id.get(), refresh.get()),
        |(id, _)| async move {
            match id {
                Some(id) => fetch_task(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    // While the task runs, look again every second.
    Effect::new(move |_| {
        let running = task
            .get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|t| !t.state.finished());
        if running {
            set_timeout(
                move || refresh.update(|r| *r += 1),
                std::time::Duration::from_millis(POLL_MS),
            );
        }
    });
    view! {
        <TemplateTabs current="tasks" />
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match task.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(None) => view! { <p class="error">"No such task."</p> }.into_any(),
                    Ok(Some(task)) => view! { <TaskView task refresh /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TaskView(task: Task, refresh: RwSignal<u32>) -> impl IntoView {
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    let toasts = use_toasts();
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let id = task.id;
    let finished = task.state.finished();
    let rerun = move |_| {
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match rerun_task(id).await {
                Ok(task) => navigate(&format!("/tasks/{}", task.id), Default::default()),
                Err(e) => toasts.error(&e),
            }
            busy.set(false);
        });
    };
    let cleanup = move |_| {
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match clean_up_task(id).await {
                Ok(_) => {
                    toasts.ok("Deleted what the task created".to_string());
                    refresh.update(|r| *r += 1);
                }
                Err(e) => toasts.error(&e),
            }
            busy.set(false);
        });
    };
    let may_clean = !task.dry_run
        && task.cleanup.is_empty()
        && finished
        && Action::TaskCleanup.allowed_for(Some(role));
    let title = format!("Task #{} · {}", task.id, task.template_name);
    view! {
        <Title text=title.clone() />
        <h1>{title}</h1>
        <p>{state_badge(task.state)}" "<span data-testid="task-message">{task.message.clone()}</span></p>
        <dl class="facts">
            <dt>"Run by"</dt><dd>{task.created_by.clone()}</dd>
            <dt>"Started"</dt><dd>{format!("{} ({})", age(&task.created_at), task.created_at)}</dd>
            <dt>"Finished"</dt><dd>{task.finished_at.clone().unwrap_or_else(|| "not yet".into())}</dd>
            <dt>"Kind of run"</dt><dd>{if task.dry_run { "dry run (nothing stored)" } else { "apply" }}</dd>
            <dt>"Template"</dt><dd>{match task.template_id {
                Some(t) => view! { <a href=format!("/templates/{t}")>{task.template_name.clone()}</a> }.into_any(),
                None => view! { <span>{format!("{} (deleted)", task.template_name)}</span> }.into_any(),
            }}</dd>
            {task.rerun_of.map(|r| view! { <dt>"Re-run of"</dt><dd><a href=format!("/tasks/{r}")>{format!("#{r}")}</a></dd> })}
            <dt>"Values"</dt><dd>{if task.values.is_empty() { "none (defaults)".to_string() } else {
                task.values.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
            }}</dd>
        </dl>
        <div class="actions">
            {Action::TaskRun.allowed_for(Some(role)).then(|| view! {
                <button type="button" data-testid="rerun-task" disabled=move || busy.get() || !finished on:click=rerun>"Re-run"</button>
            })}
            {may_clean.then(|| view! {
                <button type="button" class="danger" data-testid="cleanup-task" disabled=move || busy.get() on:click=cleanup>
                    {move || if confirming.get() { "Really delete what it created?" } else { "Delete what it created" }}
                </button>
            })}
        </div>
        <h2>"Results"</h2>
        {(task.results.is_empty()).then(|| view! { <p class="muted">"No target finished yet."</p> })}
        {task.results.iter().map(|target| {
            let place = if target.namespace.is_empty() { target.cluster.clone() } else { format!("{} / {}", target.cluster, target.namespace) };
            view! {
                <section class="task-target" data-testid="task-target" data-cluster=target.cluster.clone()>
                    <h3>{place}</h3>
                    {if target.error.is_empty() {
                        view! { <ApplyResults report=ApplyReport { dry_run: task.dry_run, results: target.results.clone() } /> }.into_any()
                    } else {
                        view! { <p class="error">{target.error.clone()}</p> }.into_any()
                    }}
                </section>
            }
        }).collect_view()}
        {(!task.cleanup.is_empty()).then(|| view! {
            <h2>"Clean-up"</h2>
            <ul data-testid="task-cleanup">
                {task.cleanup.iter().map(|c| view! {
                    <li class=if c.deleted { "outcome-success" } else { "outcome-failure" }>
                        {format!("{} {}/{} on {}: {}", c.kind, c.namespace, c.name, c.cluster, c.message)}
                    </li>
                }).collect_view()}
            </ul>
        })}
        <h2>"Rendered YAML"</h2>
        <YamlView yaml=task.rendered.clone() />
    }
    .into_any()
}
