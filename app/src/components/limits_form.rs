//! Forms for a namespace's ResourceQuota and LimitRange: fields for what teams set most
//! (CPU, memory, storage, object counts; defaults, min / max, limit/request ratio), turned
//! into YAML and sent through the one apply path (dry run first if asked), so a form and
//! the YAML editor can never disagree about what is stored or audited.

use bosun_model::{ApplyOptions, ApplyReport, SectionRow};
use leptos::prelude::*;

use crate::api::resources::apply_yaml;
use crate::components::{ApplyResults, use_toasts};

/// The quota keys the form offers: key, label, example.
const QUOTA_FIELDS: [(&str, &str, &str); 10] = [
    ("requests.cpu", "CPU requests", "4"),
    ("requests.memory", "Memory requests", "8Gi"),
    ("limits.cpu", "CPU limits", "8"),
    ("limits.memory", "Memory limits", "16Gi"),
    ("requests.storage", "Storage requests", "100Gi"),
    ("pods", "Pods", "50"),
    ("services", "Services", "10"),
    ("configmaps", "ConfigMaps", "50"),
    ("secrets", "Secrets", "50"),
    ("persistentvolumeclaims", "Volume claims", "10"),
];

/// The LimitRange columns the form offers: field, label.
const LIMIT_FIELDS: [(&str, &str); 5] = [
    ("min", "Min"),
    ("max", "Max"),
    ("defaultRequest", "Default request"),
    ("default", "Default limit"),
    ("maxLimitRequestRatio", "Max limit/request ratio"),
];

/// Whether `text` is a Kubernetes quantity (`500m`, `2`, `1.5Gi`, `1e3`).
#[must_use]
pub fn is_quantity(text: &str) -> bool {
    bosun_model::quantity::parse(text).is_some_and(|n| n >= 0.0)
}

/// Refuses a value that is not a quantity, naming the field.
fn checked(label: &str, value: &str) -> Result<(), String> {
    if value.is_empty() || is_quantity(value) {
        Ok(())
    } else {
        Err(format!(
            "{label}: {value:?} is not a quantity (like 500m, 2, 512Mi, 10Gi)"
        ))
    }
}

/// The YAML of a ResourceQuota with the given hard limits (empty ones left out).
#[must_use]
pub fn quota_yaml(name: &str, namespace: &str, hard: &[(String, String)]) -> String {
    let mut yaml = format!(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  hard:\n"
    );
    for (key, value) in hard.iter().filter(|(_, v)| !v.is_empty()) {
        yaml.push_str(&format!("    {key}: \"{value}\"\n"));
    }
    yaml
}

/// The YAML of a LimitRange for containers: `fields` holds (field, resource, value).
#[must_use]
pub fn limit_range_yaml(
    name: &str,
    namespace: &str,
    fields: &[(String, String, String)],
) -> String {
    let mut yaml = format!(
        "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  limits:\n  - type: Container\n"
    );
    for (field, _) in LIMIT_FIELDS {
        let set: Vec<_> = fields
            .iter()
            .filter(|(f, _, v)| f == field && !v.is_empty())
            .collect();
        if set.is_empty() {
            continue;
        }
        yaml.push_str(&format!("    {field}:\n"));
        for (_, resource, value) in set {
            yaml.push_str(&format!("      {resource}: \"{value}\"\n"));
        }
    }
    yaml
}

/// Where a form's YAML goes and what it shows: one per form, shared by its Check and
/// Save buttons.
#[derive(Clone)]
struct Sender {
    cluster: String,
    namespace: String,
    report: RwSignal<Option<ApplyReport>>,
    busy: RwSignal<bool>,
    on_applied: Callback<()>,
}

impl Sender {
    fn new(cluster: String, namespace: String, on_applied: Callback<()>) -> Self {
        Self {
            cluster,
            namespace,
            report: RwSignal::new(None),
            busy: RwSignal::new(false),
            on_applied,
        }
    }

    /// Reads `fields` (label, value), each a quantity or empty and at least one set, makes
    /// the YAML from the values in order with `build`, and sends it through the apply
    /// path (a dry run when asked). A bad value is named and nothing is sent.
    fn send(
        &self,
        fields: &[(String, RwSignal<String>)],
        dry_run: bool,
        build: impl FnOnce(&[String]) -> String,
    ) {
        let toasts = use_toasts();
        let bad = |why: String| {
            toasts.error(&crate::AppError::new(
                bosun_model::ErrorCode::BadRequest,
                why,
            ))
        };
        let mut values = Vec::with_capacity(fields.len());
        for (label, value) in fields {
            let value = value.get_untracked().trim().to_string();
            if let Err(why) = checked(label, &value) {
                bad(why);
                return;
            }
            values.push(value);
        }
        if values.iter().all(String::is_empty) {
            bad("Set at least one limit".into());
            return;
        }
        let yaml = build(&values);
        let (cluster, namespace) = (self.cluster.clone(), self.namespace.clone());
        let (report, busy, on_applied) = (self.report, self.busy, self.on_applied);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let options = ApplyOptions {
                dry_run,
                force: false,
                namespace: Some(namespace),
                ..ApplyOptions::default()
            };
            match apply_yaml(cluster, yaml, options, None).await {
                // Once stored, the page reloads the object (this form with it): the toast
                // carries the answer.
                Ok(r) if !dry_run && r.succeeded() => {
                    let said: Vec<String> = r.results.iter().map(|d| d.message.clone()).collect();
                    toasts.ok(said.join("; "));
                    on_applied.run(());
                }
                Ok(r) => report.set(Some(r)),
                Err(e) => toasts.error(&e),
            }
            busy.set(false);
        });
    }
}

/// Check and Save, and the answer of a check.
#[component]
fn FormActions(
    busy: RwSignal<bool>,
    report: RwSignal<Option<ApplyReport>>,
    #[prop(into)] check: Callback<()>,
    save: &'static str,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <div class="actions">
            <button type="button" disabled=move || busy.get() on:click=move |_| check.run(())>"Check (dry run)"</button>
            <button type="submit" class="primary" data-testid=testid disabled=move || busy.get()>{save}</button>
        </div>
        {move || report.get().map(|report| view! { <ApplyResults report /> })}
    }
}

/// Creates or edits a ResourceQuota. `existing` are the rows of its Usage section
/// (resource, used, hard), which fill the form.
#[component]
pub fn QuotaForm(
    cluster: String,
    namespace: String,
    #[prop(optional)] name: Option<String>,
    #[prop(optional)] existing: Vec<SectionRow>,
    #[prop(into)] on_applied: Callback<()>,
) -> impl IntoView {
    let editing = name.is_some();
    let name = RwSignal::new(name.unwrap_or_else(|| "compute".to_string()));
    let hard_of = |key: &str| {
        existing
            .iter()
            .find(|r| r.cells.first().map(String::as_str) == Some(key))
            .and_then(|r| r.cells.get(2).cloned())
            .unwrap_or_default()
    };
    let fields: Vec<(String, RwSignal<String>)> = QUOTA_FIELDS
        .iter()
        .map(|(key, label, _)| ((*label).to_string(), RwSignal::new(hard_of(key))))
        .collect();
    let sender = Sender::new(cluster, namespace.clone(), on_applied);
    let (busy, report) = (sender.busy, sender.report);
    let send = {
        let fields = fields.clone();
        move |dry_run: bool| {
            sender.send(&fields, dry_run, |values| {
                let hard: Vec<(String, String)> = QUOTA_FIELDS
                    .iter()
                    .zip(values)
                    .map(|((key, _, _), v)| ((*key).to_string(), v.clone()))
                    .collect();
                quota_yaml(&name.get_untracked(), &namespace, &hard)
            });
        }
    };
    let check = send.clone();
    view! {
        <form class="limits-form" data-testid="quota-form" on:submit=move |ev| { ev.prevent_default(); send(false); }>
            <div class="filters">
                <label><span>"Quota name"</span>
                    <input name="quota-name" required readonly=editing prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                {QUOTA_FIELDS.iter().zip(fields).map(|((key, label, example), (_, value))| view! {
                    <label><span>{*label}</span>
                        <input name=*key placeholder=*example inputmode="decimal" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) /></label>
                }).collect_view()}
            </div>
            <FormActions busy report check=move |()| check(true) save="Save quota" testid="save-quota" />
        </form>
    }
    .into_any()
}

/// The LimitRange form's resources, one row each.
const LIMIT_RESOURCES: [&str; 2] = ["cpu", "memory"];

/// Creates or edits a LimitRange for containers (CPU and memory). `existing` are the
/// rows of its Limits section (type, resource, min, max, default request, default limit,
/// ratio), which fill the form.
#[component]
pub fn LimitRangeForm(
    cluster: String,
    namespace: String,
    #[prop(optional)] name: Option<String>,
    #[prop(optional)] existing: Vec<SectionRow>,
    #[prop(into)] on_applied: Callback<()>,
) -> impl IntoView {
    let editing = name.is_some();
    let name = RwSignal::new(name.unwrap_or_else(|| "defaults".to_string()));
    // (resource, field, value) for every cell of the table, row by row.
    let mut cells: Vec<(&'static str, &'static str, RwSignal<String>)> = Vec::new();
    let mut labelled: Vec<(String, RwSignal<String>)> = Vec::new();
    for resource in LIMIT_RESOURCES {
        let row = existing.iter().find(|r| {
            r.cells.first().map(String::as_str) == Some("Container")
                && r.cells.get(1).map(String::as_str) == Some(resource)
        });
        for (column, (field, label)) in LIMIT_FIELDS.iter().enumerate() {
            let now = row
                .and_then(|r| r.cells.get(column + 2).cloned())
                .unwrap_or_default();
            let value = RwSignal::new(now);
            cells.push((resource, field, value));
            labelled.push((format!("{resource} {label}"), value));
        }
    }
    let sender = Sender::new(cluster, namespace.clone(), on_applied);
    let (busy, report) = (sender.busy, sender.report);
    let send = {
        let cells = cells.clone();
        move |dry_run: bool| {
            sender.send(&labelled, dry_run, |values| {
                let fields: Vec<(String, String, String)> = cells
                    .iter()
                    .zip(values)
                    .map(|((resource, field, _), v)| {
                        ((*field).to_string(), (*resource).to_string(), v.clone())
                    })
                    .collect();
                limit_range_yaml(&name.get_untracked(), &namespace, &fields)
            });
        }
    };
    let check = send.clone();
    view! {
        <form class="limits-form" data-testid="limit-range-form" on:submit=move |ev| { ev.prevent_default(); send(false); }>
            <label><span>"Limit range name"</span>
                <input name="limit-range-name" required readonly=editing prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
            <div class="table-wrap">
                <table class="grid">
                    <thead><tr><th>"Container"</th>{LIMIT_FIELDS.iter().map(|(_, label)| view! { <th>{*label}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {LIMIT_RESOURCES.into_iter().map(|resource| view! {
                            <tr>
                                <th scope="row">{resource}</th>
                                {cells.iter().filter(|c| c.0 == resource).zip(LIMIT_FIELDS).map(|((resource, field, value), (_, label))| {
                                    let value = *value;
                                    view! { <td><input name=format!("{resource}-{field}") aria-label=format!("{resource} {label}") inputmode="decimal" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) /></td> }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <FormActions busy report check=move |()| check(true) save="Save limits" testid="save-limit-range" />
        </form>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_told_from_typos() {
        for ok in ["500m", "2", "1.5Gi", "1e3", "0"] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in ["", "2 cores", "1GB", "-1", "m"] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }

    #[test]
    fn forms_become_the_yaml_kubectl_would_take() {
        let yaml = quota_yaml(
            "compute",
            "team-a",
            &[
                ("pods".into(), "10".into()),
                ("requests.cpu".into(), String::new()),
            ],
        );
        assert_eq!(
            yaml,
            "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: compute\n  namespace: team-a\nspec:\n  hard:\n    pods: \"10\"\n"
        );
        let yaml = limit_range_yaml(
            "defaults",
            "team-a",
            &[
                ("default".into(), "cpu".into(), "500m".into()),
                ("max".into(), "memory".into(), "1Gi".into()),
                ("min".into(), "cpu".into(), String::new()),
            ],
        );
        assert!(
            yaml.contains("    max:\n      memory: \"1Gi\"\n    default:\n      cpu: \"500m\"\n"),
            "{yaml}"
        );
        assert!(!yaml.contains("min:"), "{yaml}");
    }
}
