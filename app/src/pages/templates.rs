//! YAML templates: the list, and one template's page, where it is edited (variables read
//! live from the YAML), checked with a dry run on a cluster, and run as a task on one or
//! more clusters and namespaces.

use std::collections::BTreeMap;

use bosun_model::template::variables;
use bosun_model::{
    Action, CheckReport, CheckRequest, Me, Role, TaskRequest, TaskTarget, Template, TemplateInput,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::templates::{
    check_template, delete_template, fetch_template, list_templates, run_task, save_template,
};
use crate::components::{ApplyResults, ClusterSelect, ErrorBox, YamlEditor, YamlView, use_toasts};
use crate::format::age;

const EXAMPLE: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\n  labels:\n    team: {{ team | default: \"platform\" }}\ndata:\n  greeting: hello\n";

fn role() -> Role {
    use_context::<Me>().map_or(Role::Viewer, |m| m.role)
}

/// Links between the template and task pages.
#[component]
pub fn TemplateTabs(current: &'static str) -> impl IntoView {
    let class = move |tab: &str| {
        if tab == current {
            "chip active"
        } else {
            "chip"
        }
    };
    view! {
        <nav class="kind-picker" aria-label="Templates and tasks">
            <div class="kind-group">
                <a class=class("templates") href="/templates">"Templates"</a>
                <a class=class("tasks") href="/tasks">"Task history"</a>
                <a class="chip" href="/apply">"Create from YAML"</a>
            </div>
        </nav>
    }
}

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let templates = Resource::new(|| (), |()| list_templates());
    let may_create = Action::TemplateCreate.allowed_for(Some(role()));
    view! {
        <Title text="Templates" />
        <h1>"Templates"</h1>
        <TemplateTabs current="templates" />
        <p class="muted">"Named YAML with {{ variables }}: check it on a cluster, then apply it to as many clusters and namespaces as you need. Each run is a task with its results kept."</p>
        {may_create.then(|| view! { <p><a class="button primary" href="/templates/new" data-testid="new-template">"New template"</a></p> })}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match templates.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty-state">"No template yet."</p>
                    }.into_any(),
                    Ok(list) => view! { <TemplateTable list /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TemplateTable(list: Vec<Template>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="grid" data-testid="templates-table">
                <thead><tr><th>"Name"</th><th>"Description"</th><th>"Variables"</th><th>"Changed"</th></tr></thead>
                <tbody>
                    {list.into_iter().map(|t| view! {
                        <tr data-name=t.name.clone()>
                            <td><a href=format!("/templates/{}", t.id)>{t.name.clone()}</a></td>
                            <td>{t.description.clone()}</td>
                            <td>{t.variables.iter().map(|v| v.name.clone()).collect::<Vec<_>>().join(", ")}</td>
                            <td>{format!("{} by {}", age(&t.updated_at), t.updated_by)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn TemplatePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").and_then(|id| id.parse::<i64>().ok()));
    let loaded = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => fetch_template(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <TemplateTabs current="templates" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(template) => view! { <TemplateEditor template /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The form of one template (new when `template` is none) and, once saved, its run panel.
#[component]
fn TemplateEditor(template: Option<Template>) -> impl IntoView {
    let may_edit = Action::TemplateUpdate.allowed_for(Some(role()));
    let id = template.as_ref().map(|t| t.id);
    let name = RwSignal::new(
        template
            .as_ref()
            .map(|t| t.name.clone())
            .unwrap_or_default(),
    );
    let description = RwSignal::new(
        template
            .as_ref()
            .map(|t| t.description.clone())
            .unwrap_or_default(),
    );
    let text = RwSignal::new(
        template
            .as_ref()
            .map_or_else(|| EXAMPLE.to_string(), |t| t.yaml.clone()),
    );
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let toasts = use_toasts();
    let navigate = use_navigate();
    let read = Memo::new(move |_| text.with(|t| variables(t)));
    let error_line = Signal::derive(move || match read.get() {
        Err(bosun_model::RenderError::Syntax { line, .. }) => Some(line),
        _ => None,
    });
    let save = {
        let navigate = navigate.clone();
        move |_| {
            let input = TemplateInput {
                name: name.get_untracked(),
                description: description.get_untracked(),
                yaml: text.get_untracked(),
            };
            busy.set(true);
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match save_template(id, input).await {
                    Ok(saved) => {
                        toasts.ok(format!("Template {} saved", saved.name));
                        if id.is_none() {
                            navigate(&format!("/templates/{}", saved.id), Default::default());
                        }
                    }
                    Err(e) => toasts.error(&e),
                }
                busy.set(false);
            });
        }
    };
    let delete = move |_| {
        let Some(id) = id else { return };
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match delete_template(id).await {
                Ok(()) => {
                    toasts.ok("Template deleted; its tasks keep their YAML".to_string());
                    navigate("/templates", Default::default());
                }
                Err(e) => toasts.error(&e),
            }
            busy.set(false);
        });
    };
    let title = template
        .as_ref()
        .map_or_else(|| "New template".to_string(), |t| t.name.clone());
    view! {
        <Title text=title.clone() />
        <h1>{title}</h1>
        {template.as_ref().map(|t| view! {
            <p class="muted">{format!("Created {} by {}, changed {} by {}", age(&t.created_at), t.created_by, age(&t.updated_at), t.updated_by)}</p>
        })}
        <div class="filters">
            <label><span>"Name"</span>
                <input data-testid="template-name" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
            <label class="wide"><span>"Description"</span>
                <input data-testid="template-description" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) /></label>
        </div>
        {view! { <YamlEditor text error_line label="Template YAML" /> }.into_any()}
        <p class="muted" data-testid="template-variables">
            {move || match read.get() {
                Ok(vars) if vars.is_empty() => "No variables: write {{ name }} or {{ name | default: \"value\" }} where a value changes per run.".to_string(),
                Ok(vars) => format!("Variables: {}", vars.iter().map(|v| match &v.default {
                    Some(d) => format!("{} (default {d:?})", v.name),
                    None => v.name.clone(),
                }).collect::<Vec<_>>().join(", ")),
                Err(e) => format!("Cannot read the variables: {e}"),
            }}
        </p>
        {may_edit.then(|| view! {
            <div class="actions">
                <button type="button" class="primary" data-testid="save-template" disabled=move || busy.get() on:click=save>"Save"</button>
                {id.is_some().then(|| view! {
                    <button type="button" class="danger" data-testid="delete-template" disabled=move || busy.get() on:click=delete>
                        {move || if confirming.get() { "Really delete?" } else { "Delete" }}
                    </button>
                })}
            </div>
        })}
        {id.map(|id| view! { <RunPanel id read /> }.into_any())}
    }
    .into_any()
}

/// One target row of the run panel.
#[derive(Clone, Copy)]
struct TargetRow {
    key: usize,
    cluster: RwSignal<String>,
    namespace: RwSignal<String>,
}

impl TargetRow {
    fn new(key: usize) -> Self {
        Self {
            key,
            cluster: RwSignal::new(String::new()),
            namespace: RwSignal::new(String::new()),
        }
    }
}

/// Values for the variables, targets, a dry run on the first target, and the task itself.
#[component]
fn RunPanel(
    id: i64,
    read: Memo<Result<Vec<bosun_model::Variable>, bosun_model::RenderError>>,
) -> impl IntoView {
    let may_run = Action::TaskRun.allowed_for(Some(role()));
    let values = RwSignal::new(BTreeMap::<String, String>::new());
    let targets = RwSignal::new(vec![TargetRow::new(0)]);
    let next_key = StoredValue::new(1usize);
    let dry_run = RwSignal::new(false);
    let checked = RwSignal::new(None::<CheckReport>);
    let busy = RwSignal::new(false);
    let toasts = use_toasts();
    let navigate = use_navigate();
    let chosen_targets = move || {
        targets
            .get_untracked()
            .iter()
            .filter(|t| !t.cluster.get_untracked().is_empty())
            .map(|t| TaskTarget {
                cluster: t.cluster.get_untracked(),
                namespace: t.namespace.get_untracked().trim().to_string(),
            })
            .collect::<Vec<_>>()
    };
    let given = move || {
        values
            .get_untracked()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect::<BTreeMap<_, _>>()
    };
    let check = move |_| {
        let Some(first) = chosen_targets().into_iter().next() else {
            toasts.error(&crate::AppError::new(
                bosun_model::ErrorCode::BadRequest,
                "Pick a cluster for the first target".to_string(),
            ));
            return;
        };
        busy.set(true);
        let request = CheckRequest {
            cluster: first.cluster,
            namespace: first.namespace,
            values: given(),
        };
        leptos::task::spawn_local(async move {
            match check_template(id, request).await {
                Ok(report) => checked.set(Some(report)),
                Err(e) => toasts.error(&e),
            }
            busy.set(false);
        });
    };
    let run = move |_| {
        let request = TaskRequest {
            template_id: id,
            targets: chosen_targets(),
            values: given(),
            dry_run: dry_run.get_untracked(),
        };
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match run_task(request).await {
                Ok(task) => navigate(&format!("/tasks/{}", task.id), Default::default()),
                Err(e) => toasts.error(&e),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="run-panel" data-testid="run-panel">
            <h2>"Run"</h2>
            <p class="muted">"Checks and tasks use the template as saved."</p>
            <div class="filters">
                {move || read.get().unwrap_or_default().into_iter().map(|v| {
                    let key = v.name.clone();
                    let key2 = v.name.clone();
                    view! {
                        <label><span>{v.name.clone()}</span>
                            <input data-testid=format!("value-{}", v.name) placeholder=v.default.clone().unwrap_or_else(|| "required".into())
                                prop:value=move || values.with(|m| m.get(&key).cloned().unwrap_or_default())
                                on:input=move |ev| { let value = event_target_value(&ev); values.update(|m| { m.insert(key2.clone(), value); }); } />
                        </label>
                    }
                }).collect_view()}
            </div>
            <h3>"Targets"</h3>
            <For each=move || targets.get() key=|t| t.key let:row>
                <div class="filters target-row" data-testid="target-row">
                    <ClusterSelect value=row.cluster testid="target-cluster" />
                    <label><span>"Namespace"</span>
                        <input data-testid="target-namespace" placeholder="the documents' own, else default"
                            prop:value=move || row.namespace.get() on:input=move |ev| row.namespace.set(event_target_value(&ev)) /></label>
                    <button type="button" on:click=move |_| targets.update(|ts| ts.retain(|t| t.key != row.key))
                        disabled=move || targets.with(|ts| ts.len() < 2)>"Remove"</button>
                </div>
            </For>
            <div class="actions">
                <button type="button" data-testid="add-target" on:click=move |_| {
                    let key = next_key.get_value();
                    next_key.set_value(key + 1);
                    targets.update(|ts| ts.push(TargetRow::new(key)));
                }>"Add target"</button>
                <button type="button" data-testid="check-template" disabled=move || busy.get() || !may_run on:click=check>"Check (dry run on the first target)"</button>
                <button type="button" class="primary" data-testid="run-task" disabled=move || busy.get() || !may_run on:click=run>"Run task"</button>
                <label><input type="checkbox" prop:checked=move || dry_run.get() on:change=move |ev| dry_run.set(event_target_checked(&ev)) />" Dry run only"</label>
            </div>
            {(!may_run).then(|| view! { <p class="warning">"Checking and running templates needs the operator role."</p> })}
            {move || checked.get().map(|c| view! {
                <ApplyResults report=c.report />
                <details open><summary>"Rendered YAML"</summary><YamlView yaml=c.rendered /></details>
            })}
        </section>
    }
    .into_any()
}
