//! Create from YAML: paste one or more documents, check them with a server-side dry run,
//! apply them, and read what became of each.

use bosun_model::{Action, ApplyOptions, ApplyReport, Me, Role};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::resources::apply_yaml;
use crate::components::{
    ApplyResults, ClusterSelect, SkipSchemaCheck, YamlEditor, failed_line, use_toasts,
    use_yaml_check,
};
use crate::pages::resources::KindPicker;

const EXAMPLE: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: example\ndata:\n  greeting: hello\n";

#[component]
pub fn ApplyPage() -> impl IntoView {
    let role = use_context::<Me>().map_or(Role::Viewer, |m| m.role);
    let cluster = RwSignal::new(String::new());
    let namespace = RwSignal::new(String::new());
    let text = RwSignal::new(EXAMPLE.to_string());
    let report = RwSignal::new(None::<ApplyReport>);
    let force = RwSignal::new(false);
    let skip_schema = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let toasts = use_toasts();
    let run = move |dry_run: bool| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let options = ApplyOptions {
                dry_run,
                force: force.get_untracked(),
                namespace: Some(namespace.get_untracked()).filter(|n| !n.is_empty()),
                skip_schema_check: skip_schema.get_untracked(),
            };
            match apply_yaml(cluster.get_untracked(), text.get_untracked(), options, None).await {
                Ok(r) => report.set(Some(r)),
                Err(e) => toasts.error(&e),
            }
            busy.set(false);
        });
    };
    let on_force = Callback::new(move |()| {
        force.set(true);
        run(report.with_untracked(|r| r.as_ref().is_some_and(|r| r.dry_run)));
    });
    let error_line = Signal::derive(move || report.with(|r| r.as_ref().and_then(failed_line)));
    let check = use_yaml_check(
        text,
        cluster.into(),
        Signal::derive(move || Some(namespace.get()).filter(|n| !n.is_empty())),
    );
    let may_apply = Action::Apply.allowed_for(Some(role));
    view! {
        <Title text="Create from YAML" />
        <KindPicker current=None />
        <h1>"Create from YAML"</h1>
        {(!may_apply).then(|| view! { <p class="warning">"Applying needs the operator role: you can check nothing here."</p> })}
        <div class="filters">
            <ClusterSelect value=cluster testid="apply-cluster" />
            <label><span>"Namespace"</span>
                <input data-testid="apply-namespace" placeholder="default (for documents that name none)"
                    prop:value=move || namespace.get() on:input=move |ev| namespace.set(event_target_value(&ev)) />
            </label>
        </div>
        <YamlEditor text error_line label="YAML to apply" check />
        <div class="actions">
            <button type="button" data-testid="check-yaml" disabled=move || busy.get() || cluster.get().is_empty() on:click=move |_| run(true)>"Check (dry run)"</button>
            <button type="button" class="primary" data-testid="apply-yaml" disabled=move || busy.get() || cluster.get().is_empty() || !may_apply on:click=move |_| run(false)>"Apply"</button>
            <label><input type="checkbox" prop:checked=move || force.get() on:change=move |ev| force.set(event_target_checked(&ev)) />" Take over fields other managers own (force)"</label>
            <SkipSchemaCheck skip=skip_schema />
        </div>
        {move || report.get().map(|report| view! { <ApplyResults report on_force /> })}
    }
}
