//! One object of a Resources kind: its sections (what `kubectl describe` tells, as tables
//! and usage bars), labels, events, and its YAML, which operators edit in place: check it
//! with a server-side dry run (the diff against the live object), then apply it. A
//! Secret's values are revealed one at a time, on request, and kept only on screen.

use bosun_model::{
    Action, ApplyOptions, ApplyReport, KindId, Me, ObjectRef, ResourceDetail, Role, Section,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::actions::{ObjectAction, act};
use crate::api::resources::{apply_yaml, fetch_resource, reveal_secret};
use crate::api::workloads::object_events;
use crate::components::{
    ApplyResults, ErrorBox, LimitRangeForm, QuotaForm, SkipSchemaCheck, YamlEditor, YamlView,
    failed_line, use_toasts, use_yaml_check,
};
use crate::format::age;
use crate::pages::resources::{KindPicker, plural_label};

#[component]
pub fn ResourceDetailPage() -> impl IntoView {
    let params = use_params_map();
    let object = Memo::new(move |_| {
        let p = params.get();
        let kind = p.get("kind").unwrap_or_default().parse::<KindId>().ok()?;
        let ns = p.get("namespace").unwrap_or_default();
        Some(ObjectRef::new(
            &p.get("cluster").unwrap_or_default(),
            if ns == "_" { "" } else { &ns },
            kind,
            &p.get("name").unwrap_or_default(),
        ))
    });
    let refresh = RwSignal::new(0u32);
    let detail = Resource::new(
        move || (object.get(), refresh.get()),
        |(object, _)| async move {
            match object {
                Some(object) => fetch_resource(object).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let events = Resource::new(
        move || (object.get(), refresh.get()),
        |(object, _)| async move {
            match object {
                Some(object) => object_events(object).await,
                None => Ok(Vec::new()),
            }
        },
    );
    view! {
        <Title text=move || object.get().map(|o| o.name).unwrap_or_default() />
        <KindPicker current=object.get_untracked().map(|o| o.kind) />
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (detail.await, object.get()) {
                    (Err(error), _) => view! { <ErrorBox error /> }.into_any(),
                    (Ok(Some(detail)), Some(object)) => view! { <DetailView detail object refresh /> }.into_any(),
                    _ => view! { <p class="error">"No such resource kind."</p> }.into_any(),
                }
            })}
        </Transition>
        <h2>"Events"</h2>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match events.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(events) if events.is_empty() => view! { <p class="muted">"No events."</p> }.into_any(),
                    Ok(events) => view! {
                        <div class="table-wrap"><table class="grid" data-testid="events">
                            <thead><tr><th>"Type"</th><th>"Reason"</th><th>"Message"</th><th>"Count"</th><th>"Last seen"</th></tr></thead>
                            <tbody>{events.into_iter().map(|e| {
                                let class = if e.type_ == "Warning" { "outcome-failure" } else { "" };
                                view! {
                                <tr class=class>
                                    <td>{e.type_}</td><td>{e.reason}</td><td>{e.message}</td><td>{e.count}</td><td>{age(&e.last_seen)}</td>
                                </tr>
                            }}).collect_view()}</tbody>
                        </table></div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DetailView(detail: ResourceDetail, object: ObjectRef, refresh: RwSignal<u32>) -> impl IntoView {
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    let row = detail.row.clone();
    let kind = object.kind;
    let where_ = if row.namespace.is_empty() {
        format!("cluster {}", row.cluster)
    } else {
        format!("cluster {} · namespace {}", row.cluster, row.namespace)
    };
    let created = row.created.as_deref().map(age).unwrap_or_default();
    let may_reveal = kind == KindId::Secret && Action::SecretReveal.allowed_for(Some(role));
    let rows_of = |title: &str| {
        detail
            .sections
            .iter()
            .find(|s| s.title == title)
            .map(|s| s.rows.clone())
            .unwrap_or_default()
    };
    let forms = Action::Apply.allowed_for(Some(role)).then(|| {
        let applied = move |()| refresh.update(|r| *r += 1);
        let (cluster, namespace, name) = (row.cluster.clone(), row.namespace.clone(), row.name.clone());
        match kind {
            KindId::ResourceQuota => view! {
                <details class="form-panel" data-testid="edit-with-form"><summary>"Edit with a form"</summary>
                    <QuotaForm cluster namespace name existing=rows_of("Usage") on_applied=applied />
                </details>
            }.into_any(),
            KindId::LimitRange => view! {
                <details class="form-panel" data-testid="edit-with-form"><summary>"Edit with a form"</summary>
                    <LimitRangeForm cluster namespace name existing=rows_of("Limits") on_applied=applied />
                </details>
            }.into_any(),
            KindId::Namespace => view! {
                <details class="form-panel" data-testid="namespace-limits"><summary>"Add a quota or container limits"</summary>
                    <h3>"Resource quota"</h3>
                    <QuotaForm cluster=cluster.clone() namespace=name.clone() on_applied=applied />
                    <h3>"Container limits (LimitRange)"</h3>
                    <LimitRangeForm cluster namespace=name on_applied=applied />
                </details>
            }.into_any(),
            _ => ().into_any(),
        }
    });
    view! {
        <h1><span class="muted">{kind.info().label}" "</span>{row.name.clone()}</h1>
        <p class="muted">{where_}" · created "{created}" ago · "
            <a href=format!("/resources/{}", kind.route())>{format!("all {}", plural_label(kind))}</a>
            {(kind == KindId::Namespace).then(|| view! {
                " · "<a data-testid="namespace-events" href=format!("/events?cluster={}&ns={}", row.cluster, row.name)>"events in this namespace"</a>
            })}
        </p>
        <div class="chips" data-testid="labels">
            {row.labels.iter().map(|(k, v)| view! { <span class="chip">{format!("{k}={v}")}</span> }).collect_view()}
        </div>
        {(!detail.annotations.is_empty()).then(|| view! {
            <details><summary>{format!("Annotations ({})", detail.annotations.len())}</summary>
                <dl class="facts">{detail.annotations.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd>{v.clone()}</dd> }).collect_view()}</dl>
            </details>
        })}
        {detail.sections.into_iter().map(|section| {
            let secret_data = may_reveal && section.title == "Data";
            view! { <SectionTable section object=object.clone() secret_data /> }
        }).collect_view()}
        {forms}
        <YamlPanel yaml=detail.yaml.clone() object=object.clone() editable=Action::Apply.allowed_for(Some(role)) refresh />
        {Action::Delete.allowed_for(Some(role)).then(|| view! { <DeleteForm object=object.clone() /> })}
    }
}

#[component]
fn SectionTable(section: Section, object: ObjectRef, secret_data: bool) -> impl IntoView {
    let bars = section.rows.iter().any(|r| r.fraction.is_some());
    let testid = format!("section-{}", section.title.to_lowercase().replace(' ', "-"));
    view! {
        <h2>{section.title.clone()}</h2>
        {section.note.clone().map(|n| view! { <p class="muted">{n}</p> })}
        {(!section.rows.is_empty()).then(|| view! {
            <div class="table-wrap"><table class="grid" data-testid=testid>
                <thead><tr>
                    {section.headers.iter().map(|h| view! { <th>{h.clone()}</th> }).collect_view()}
                    {bars.then(|| view! { <th>"Usage"</th> })}
                    {secret_data.then(|| view! { <th></th> })}
                </tr></thead>
                <tbody>
                    {section.rows.into_iter().map(|r| {
                        let key = r.cells.first().cloned().unwrap_or_default();
                        view! {
                            <tr>
                                {if secret_data {
                                    view! { <SecretCells cells=r.cells.clone() object=object.clone() key /> }.into_any()
                                } else {
                                    r.cells.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view().into_any()
                                }}
                                {bars.then(|| view! { <td><UsageBar fraction=r.fraction /></td> })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        })}
    }
}

#[component]
fn UsageBar(fraction: Option<f64>) -> impl IntoView {
    fraction.map(|f| {
        let percent = (f * 100.0).round();
        let class = if f >= 1.0 {
            "bar usage over"
        } else if f >= 0.8 {
            "bar usage high"
        } else {
            "bar usage"
        };
        view! {
            <span class=class data-testid="usage-bar" role="meter" aria-valuenow=percent aria-valuemin="0" aria-valuemax="100">
                <span class="fill" style=format!("width: {}%", percent.min(100.0))></span>
            </span>
            <span class="muted">{format!(" {percent}%")}</span>
        }
    })
}

/// A Secret key's cells: the hidden size until revealed, then the value (kept only in
/// this component's state; hiding or leaving the page forgets it).
#[component]
fn SecretCells(cells: Vec<String>, object: ObjectRef, key: String) -> impl IntoView {
    let shown = RwSignal::new(None::<String>);
    let toasts = use_toasts();
    let hidden = cells.get(1).cloned().unwrap_or_default();
    let reveal = {
        let key = key.clone();
        move |_| {
            let (object, key) = (object.clone(), key.clone());
            leptos::task::spawn_local(async move {
                match reveal_secret(object, key).await {
                    Ok(v) if v.encoding == "utf-8" => shown.set(Some(v.value)),
                    Ok(v) => shown.set(Some(format!("(binary, base64) {}", v.value))),
                    Err(e) => toasts.error(&e),
                }
            });
        }
    };
    view! {
        <td>{key.clone()}</td>
        <td>{move || match shown.get() {
            Some(value) => view! { <code class="secret-value" data-testid="secret-value">{value}</code> }.into_any(),
            None => view! { <span class="muted">{hidden.clone()}</span> }.into_any(),
        }}</td>
        <td>{move || if shown.get().is_some() {
            view! { <button type="button" on:click=move |_| shown.set(None)>"Hide"</button> }.into_any()
        } else {
            let reveal = reveal.clone();
            view! { <button type="button" data-testid="reveal" on:click=reveal>"Reveal"</button> }.into_any()
        }}</td>
    }
}

/// The YAML, and for operators an editor: check (server-side dry run, with the diff),
/// then apply; a stale copy or a field owned by another manager is refused and said so.
#[component]
fn YamlPanel(
    yaml: String,
    object: ObjectRef,
    editable: bool,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let text = RwSignal::new(yaml.clone());
    let report = RwSignal::new(None::<ApplyReport>);
    let force = RwSignal::new(false);
    let skip_schema = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let toasts = use_toasts();
    let schema = {
        let (cluster, namespace) = (object.cluster.clone(), object.namespace.clone());
        use_yaml_check(
            text,
            Signal::derive(move || {
                if editing.get() {
                    cluster.clone()
                } else {
                    String::new()
                }
            }),
            Signal::derive(move || Some(namespace.clone()).filter(|n| !n.is_empty())),
        )
    };
    let run = move |dry_run: bool| {
        let object = object.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let options = ApplyOptions {
                dry_run,
                force: force.get_untracked(),
                namespace: (!object.namespace.is_empty()).then(|| object.namespace.clone()),
                skip_schema_check: skip_schema.get_untracked(),
            };
            match apply_yaml(
                object.cluster.clone(),
                text.get_untracked(),
                options,
                Some(object),
            )
            .await
            {
                Ok(r) => {
                    let done = !dry_run && r.succeeded();
                    report.set(Some(r));
                    if done {
                        toasts.ok("Applied");
                        editing.set(false);
                        refresh.update(|n| *n += 1);
                    }
                }
                Err(e) => toasts.error(&e),
            }
            busy.set(false);
        });
    };
    let check = {
        let run = run.clone();
        move |_| run(true)
    };
    let on_force = {
        let run = run.clone();
        Callback::new(move |()| {
            force.set(true);
            run(report.with_untracked(|r| r.as_ref().is_some_and(|r| r.dry_run)));
        })
    };
    let apply = move |_| run(false);
    let error_line = Signal::derive(move || report.with(|r| r.as_ref().and_then(failed_line)));
    let original = yaml.clone();
    view! {
        <h2>"YAML"</h2>
        <Show when=move || editing.get() fallback=move || view! {
            <YamlView yaml=yaml.clone() />
            {editable.then(|| view! { <button type="button" data-testid="edit-yaml" on:click=move |_| { report.set(None); editing.set(true); }>"Edit"</button> })}
        }>
            <p class="muted">"Edit, then Check: the cluster validates it (a server-side dry run) and the diff shows what would change. Apply writes it as Bosun's field manager; if the object changed since it was read, the apply is refused."</p>
            <YamlEditor text error_line label="Edit YAML" check=schema />
            <div class="actions">
                <button type="button" data-testid="check-yaml" disabled=move || busy.get() on:click=check.clone()>"Check (dry run)"</button>
                <button type="button" class="primary" data-testid="apply-yaml" disabled=move || busy.get() on:click=apply.clone()>"Apply"</button>
                <label><input type="checkbox" prop:checked=move || force.get() on:change=move |ev| force.set(event_target_checked(&ev)) />" Take over fields other managers own (force)"</label>
                <SkipSchemaCheck skip=skip_schema />
                {
                    let original = original.clone();
                    view! { <button type="button" on:click=move |_| { text.set(original.clone()); report.set(None); editing.set(false); }>"Cancel"</button> }
                }
            </div>
        </Show>
        {move || report.get().map(|report| view! { <ApplyResults report on_force /> })}
    }
}

/// Deleting the object; a namespace asks for its name to be typed (it takes everything
/// in it along, as its Contents section lists).
#[component]
fn DeleteForm(object: ObjectRef) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let toasts = use_toasts();
    let navigate = use_navigate();
    let must_type = object.kind == KindId::Namespace;
    let name = object.name.clone();
    let ready = {
        let name = name.clone();
        move || !busy.get() && (!must_type || typed.get() == name)
    };
    let list = format!("/resources/{}", object.kind.route());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (object, list, navigate) = (object.clone(), list.clone(), navigate.clone());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match act(object, ObjectAction::Delete).await {
                Ok(reply) => {
                    toasts.ok(reply.message);
                    navigate(&list, Default::default());
                }
                Err(e) => toasts.error(&e),
            }
            busy.set(false);
        });
    };
    view! {
        <details class="danger-zone" data-testid="delete-form">
            <summary>"Delete"</summary>
            <form on:submit=submit>
                {must_type.then(|| view! {
                    <p>"Deleting a namespace deletes everything in it (see Contents above). Type its name to confirm."</p>
                    <input aria-label="Namespace name" data-testid="confirm-name" placeholder=name.clone()
                        prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                })}
                <button type="submit" class="danger" disabled=move || !ready()>{format!("Delete {}", name)}</button>
            </form>
        </details>
    }
}
