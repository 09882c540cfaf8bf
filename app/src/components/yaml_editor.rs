//! YAML shown and edited with line numbers and syntax colours, and the answer of an
//! apply: one line per document with its outcome and, for a change, the diff.
//!
//! The editor is a plain textarea over a highlighted copy of its text (the textarea's
//! own text is transparent), so typing, selection, undo and the phone keyboard are the
//! browser's, and the colours follow every keystroke.

use std::time::Duration;

use bosun_model::{ApplyOutcome, ApplyReport, FieldConflict, YamlCheck};
use leptos::prelude::*;

use crate::api::resources::check_yaml;
use crate::components::DiffView;

/// How long typing must pause before the text is checked against the cluster's schema.
const CHECK_AFTER: Duration = Duration::from_millis(500);

/// One line of YAML split into coloured parts: (class, text).
fn highlight_line(line: &str) -> Vec<(&'static str, String)> {
    let indent_len = line.len() - line.trim_start().len();
    let (indent, rest) = line.split_at(indent_len);
    let mut parts = vec![("", indent.to_string())];
    if rest.starts_with('#') {
        parts.push(("y-comment", rest.to_string()));
        return parts;
    }
    if rest == "---" || rest.starts_with("--- ") {
        parts.push(("y-doc", rest.to_string()));
        return parts;
    }
    let mut body = rest;
    if let Some(item) = body.strip_prefix("- ") {
        parts.push(("y-punct", "- ".to_string()));
        body = item;
    }
    let (content, comment) = split_comment(body);
    match key_split(content) {
        Some((key, value)) => {
            parts.push(("y-key", key.to_string()));
            parts.push(("y-punct", ":".to_string()));
            parts.push((value_class(value.trim()), value.to_string()));
        }
        None => parts.push((value_class(content.trim()), content.to_string())),
    }
    if !comment.is_empty() {
        parts.push(("y-comment", comment.to_string()));
    }
    parts
}

/// The text before a ` #` comment that is not inside quotes, and the comment.
fn split_comment(text: &str) -> (&str, &str) {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if previous == ' ' => return text.split_at(i),
            _ => {}
        }
        previous = c;
    }
    (text, "")
}

/// `key` and what follows the colon, when the line is a mapping entry.
fn key_split(text: &str) -> Option<(&str, &str)> {
    let colon = text
        .find(": ")
        .or_else(|| text.strip_suffix(':').map(str::len))?;
    let key = &text[..colon];
    if key.is_empty() || key.contains(['{', '[', '"']) && !key.starts_with('"') {
        return None;
    }
    Some((key, &text[colon + 1..]))
}

fn value_class(value: &str) -> &'static str {
    if value.is_empty() {
        ""
    } else if value.starts_with(['"', '\'']) {
        "y-string"
    } else if matches!(value, "true" | "false" | "null" | "~") {
        "y-bool"
    } else if value.parse::<f64>().is_ok() {
        "y-number"
    } else if value.starts_with(['|', '>']) {
        "y-punct"
    } else {
        "y-string"
    }
}

/// The highlighted lines of `text`, each ending in a newline.
fn highlighted(text: &str) -> impl IntoView + use<> {
    text.split('\n')
        .map(|line| {
            let parts = highlight_line(line);
            view! {
                <span class="y-line">
                    {parts.into_iter().map(|(class, t)| view! { <span class=class>{t}</span> }).collect_view()}
                    "\n"
                </span>
            }
        })
        .collect_view()
}

fn gutter(lines: usize, marked: &[usize]) -> impl IntoView + use<> {
    let marked = marked.to_vec();
    (1..=lines.max(1))
        .map(|n| {
            let class = if marked.contains(&n) {
                "gutter-line error"
            } else {
                "gutter-line"
            };
            view! { <span class=class>{n}"\n"</span> }
        })
        .collect_view()
}

/// Checks `text` against `cluster`'s OpenAPI schema (through the apply's own reading of
/// each document) a moment after typing stops; the answer to the latest text only. An
/// empty `cluster` checks nothing (the editor is closed, or no cluster is chosen).
pub fn use_yaml_check(
    text: RwSignal<String>,
    cluster: Signal<String>,
    namespace: Signal<Option<String>>,
) -> RwSignal<Option<YamlCheck>> {
    let found = RwSignal::new(None::<YamlCheck>);
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (yaml, cluster, namespace) = (text.get(), cluster.get(), namespace.get());
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        if cluster.is_empty() || yaml.trim().is_empty() {
            found.set(None);
            return;
        }
        set_timeout(
            move || {
                if generation.try_get_value() != Some(mine) {
                    return;
                }
                leptos::task::spawn_local(async move {
                    // A refused check (too many documents, the cluster gone) is said, not
                    // shown as a text with no problems.
                    let answer = check_yaml(cluster, yaml, namespace)
                        .await
                        .unwrap_or_else(|e| YamlCheck {
                            issues: Vec::new(),
                            unchecked: vec![e.message],
                        });
                    if generation.try_get_value() == Some(mine) {
                        found.try_set(Some(answer));
                    }
                });
            },
            CHECK_AFTER,
        );
    });
    found
}

/// The way past a schema that is wrong (kubectl's `--validate=false`): the apply is sent
/// without the schema check; the server still checks it.
#[component]
pub fn SkipSchemaCheck(skip: RwSignal<bool>) -> impl IntoView {
    view! {
        <label title="Send without checking against the cluster's OpenAPI schema first, as kubectl apply --validate=false; the cluster still checks it">
            <input type="checkbox" data-testid="skip-schema" prop:checked=move || skip.get()
                on:change=move |ev| skip.set(event_target_checked(&ev)) />
            " Skip the schema check"
        </label>
    }
}

/// What the schema check found, each at its line, under the editor.
#[component]
fn SchemaIssues(check: RwSignal<Option<YamlCheck>>) -> impl IntoView {
    move || {
        check.get().map(|found| {
            let has_issues = !found.issues.is_empty();
            let fine = !has_issues && found.unchecked.is_empty();
            let count = found.issues.len();
            view! {
                <div class="schema-issues" data-testid="yaml-issues" data-count=count>
                    {fine.then(|| view! { <p class="outcome-success">"Fits the cluster's schema."</p> })}
                    {has_issues.then(|| view! {
                        <ul>
                            {found.issues.into_iter().map(|i| {
                                let field = (!i.field.is_empty()).then(|| view! { <code>{i.field}</code>": " });
                                view! {
                                    <li data-line=i.line>
                                        <span class="outcome-failure">{format!("line {}", i.line)}</span>" "
                                        {field}{i.message}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })}
                    {found.unchecked.into_iter().map(|why| view! { <p class="muted">"Not checked here: "{why}</p> }).collect_view()}
                </div>
            }
            .into_any()
        })
    }
}

/// Read-only YAML with line numbers and colours.
#[component]
pub fn YamlView(yaml: String) -> impl IntoView {
    let lines = yaml.split('\n').count();
    view! {
        <div class="yaml-view" data-testid="yaml">
            <pre class="gutter" aria-hidden="true">{gutter(lines, &[])}</pre>
            <pre class="code">{highlighted(&yaml)}</pre>
        </div>
    }
}

/// An editable YAML text with line numbers and colours. `error_line` marks the line an
/// apply complained about; with `check` (from [`use_yaml_check`]), every line the schema
/// check names is marked and listed under the text.
#[component]
pub fn YamlEditor(
    text: RwSignal<String>,
    #[prop(into)] error_line: Signal<Option<usize>>,
    #[prop(optional, into)] label: String,
    #[prop(optional)] check: Option<RwSignal<Option<YamlCheck>>>,
) -> impl IntoView {
    let marked = move || {
        let mut lines: Vec<usize> = error_line.get().into_iter().collect();
        if let Some(check) = check {
            check.with(|c| lines.extend(c.iter().flat_map(|c| c.issues.iter().map(|i| i.line))));
        }
        lines
    };
    let scroll = RwSignal::new((0i32, 0i32));
    let area = NodeRef::<leptos::html::Textarea>::new();
    let label = if label.is_empty() {
        "YAML".to_string()
    } else {
        label
    };
    view! {
        <div class="yaml-editor">
            <pre class="gutter" aria-hidden="true"
                style=move || format!("margin-top: {}px", -scroll.get().0)>
                {move || gutter(text.with(|t| t.split('\n').count()), &marked())}
            </pre>
            <div class="editor-body">
                <pre class="code highlight" aria-hidden="true"
                    style=move || { let (top, left) = scroll.get(); format!("transform: translate({}px, {}px)", -left, -top) }>
                    {move || text.with(|t| highlighted(t))}
                </pre>
                <textarea
                    node_ref=area
                    aria-label=label
                    data-testid="yaml-editor"
                    spellcheck="false"
                    autocapitalize="off"
                    autocomplete="off"
                    wrap="off"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                    on:scroll=move |_| {
                        if let Some(el) = area.get() {
                            scroll.set((el.scroll_top(), el.scroll_left()));
                        }
                    }
                ></textarea>
            </div>
        </div>
        {check.map(|check| view! { <SchemaIssues check /> })}
    }
    .into_any()
}

/// Fields other managers own that the apply would change, and the choice to take them
/// over (`force`) instead of leaving them to their owner.
#[component]
fn ConflictPrompt(
    conflicts: Vec<FieldConflict>,
    dry_run: bool,
    on_force: Option<Callback<()>>,
) -> impl IntoView {
    let label = if dry_run {
        "Check again, taking these fields over"
    } else {
        "Apply, taking these fields over"
    };
    view! {
        <div class="conflicts" data-testid="apply-conflicts" role="alert">
            <p><strong>"Other field managers own fields this YAML changes."</strong>" Taking them over makes Bosun their manager: the next apply by their owner conflicts in turn, or, if it forces, sets them back. Leave them if another tool (a pipeline, an autoscaler) is meant to set them."</p>
            <table>
                <thead><tr><th>"Field"</th><th>"Managed by"</th></tr></thead>
                <tbody>
                    {conflicts.into_iter().map(|c| view! {
                        <tr><td><code>{c.field}</code></td><td>{c.manager}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            {on_force.map(|force| view! {
                <button type="button" class="danger" data-testid="force-apply" on:click=move |_| force.run(())>{label}</button>
            })}
        </div>
    }
}

/// The answer of an apply, one row per document; with `on_force`, a conflict offers to
/// send the same YAML again with `force`.
#[component]
pub fn ApplyResults(
    report: ApplyReport,
    #[prop(optional, into)] on_force: Option<Callback<()>>,
) -> impl IntoView {
    let conflicts: Vec<FieldConflict> = report
        .results
        .iter()
        .flat_map(|r| r.conflicts.iter().cloned())
        .collect();
    let dry_run = report.dry_run;
    let heading = match (report.dry_run, report.succeeded()) {
        (true, true) => "Dry run: the cluster accepts every document (nothing was changed).",
        (true, false) => "Dry run: the cluster refuses some documents (nothing was changed).",
        (false, true) => "Applied.",
        (false, false) => "Some documents were not applied: see each one.",
    };
    view! {
        <div class="apply-results" data-testid="apply-results">
            <p class=if report.succeeded() { "outcome-success" } else { "outcome-failure" }>{heading}</p>
            {(!conflicts.is_empty()).then(|| view! { <ConflictPrompt conflicts dry_run on_force /> }.into_any())}
            <ol>
                {report.results.into_iter().map(|r| {
                    let class = match r.outcome {
                        ApplyOutcome::Failed => "outcome-failure",
                        ApplyOutcome::Skipped => "muted",
                        _ => "outcome-success",
                    };
                    let outcome = format!("{:?}", r.outcome).to_lowercase();
                    let has_diff = !r.diff.is_empty();
                    let shown = outcome.clone();
                    view! {
                        <li data-outcome=outcome>
                            <span class=class>{shown}</span>" "
                            <span>{format!("{} {}", r.kind, if r.namespace.is_empty() { r.name.clone() } else { format!("{}/{}", r.namespace, r.name) })}</span>
                            " — "<span data-testid="apply-message">{r.message.clone()}</span>
                            {has_diff.then(|| view! { <DiffView lines=r.diff.clone() /> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </div>
    }
    .into_any()
}

/// The first line an apply's failures name (`line 12`), to mark in the editor.
#[must_use]
pub fn failed_line(report: &ApplyReport) -> Option<usize> {
    report
        .results
        .iter()
        .filter(|r| r.outcome == ApplyOutcome::Failed)
        .find_map(|r| {
            let at = r.message.find("line ")?;
            let digits: String = r.message[at + 5..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_into_keys_values_and_comments() {
        let parts = highlight_line("  replicas: 3 # more later");
        assert_eq!(
            parts,
            vec![
                ("", "  ".to_string()),
                ("y-key", "replicas".to_string()),
                ("y-punct", ":".to_string()),
                ("y-number", " 3 ".to_string()),
                ("y-comment", "# more later".to_string()),
            ]
        );
        let item = highlight_line("- name: \"a # not a comment\"");
        assert_eq!(item[1], ("y-punct", "- ".to_string()));
        assert_eq!(item[4], ("y-string", " \"a # not a comment\"".to_string()));
        assert_eq!(highlight_line("# c")[1].0, "y-comment");
    }
}
