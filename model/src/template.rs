//! YAML templates and apply tasks: named YAML with `{{ variables }}` that a team keeps in
//! Bosun, and the record of each time one was applied to clusters and namespaces. The
//! renderer lives here so the page can preview exactly what the server will apply.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{ApplyReport, ApplyResult};

/// A stored template as everyone who may read it sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub yaml: String,
    /// The variables the YAML uses, in order of first use.
    pub variables: Vec<Variable>,
    pub created_by: String,
    pub created_at: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// What a person writes to create or change a template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub yaml: String,
}

/// One `{{ name }}` of a template, with its default (`{{ name | default: "web" }}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    pub name: String,
    pub default: Option<String>,
    /// 1-based line of its first use.
    pub line: usize,
}

/// Where a template is checked or applied.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskTarget {
    pub cluster: String,
    pub namespace: String,
}

/// `POST /templates/{id}/check`: render with `values` and dry-run against one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub cluster: String,
    pub namespace: String,
    #[serde(default)]
    pub values: BTreeMap<String, String>,
}

/// `POST /tasks`: apply a template with values to every target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskRequest {
    pub template_id: i64,
    pub targets: Vec<TaskTarget>,
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// Only a server-side dry run on every target.
    #[serde(default)]
    pub dry_run: bool,
}

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Pending,
    Running,
    Succeeded,
    Failed,
    /// Some targets or documents succeeded and some failed.
    PartiallyFailed,
}

impl TaskState {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            TaskState::Pending => "pending",
            TaskState::Running => "running",
            TaskState::Succeeded => "succeeded",
            TaskState::Failed => "failed",
            TaskState::PartiallyFailed => "partially_failed",
        }
    }

    #[must_use]
    pub fn finished(self) -> bool {
        !matches!(self, TaskState::Pending | TaskState::Running)
    }

    /// The state of a task from how many documents succeeded and failed.
    #[must_use]
    pub fn from_counts(succeeded: usize, failed: usize) -> Self {
        match (succeeded, failed) {
            (_, 0) => TaskState::Succeeded,
            (0, _) => TaskState::Failed,
            _ => TaskState::PartiallyFailed,
        }
    }
}

impl std::str::FromStr for TaskState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            TaskState::Pending,
            TaskState::Running,
            TaskState::Succeeded,
            TaskState::Failed,
            TaskState::PartiallyFailed,
        ]
        .into_iter()
        .find(|state| state.name() == s)
        .ok_or_else(|| {
            format!(
                "unknown task state {s:?}: pending, running, succeeded, failed or partially_failed"
            )
        })
    }
}

/// A template's check: the YAML as it would be applied, and the dry run's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    pub rendered: String,
    pub report: ApplyReport,
}

/// A task in the history list: what, where, who, and how it ended, without the YAML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRow {
    pub id: i64,
    pub template_id: Option<i64>,
    pub template_name: String,
    pub targets: Vec<TaskTarget>,
    pub dry_run: bool,
    pub state: TaskState,
    pub message: String,
    pub rerun_of: Option<i64>,
    pub created_by: String,
    pub created_at: String,
    pub finished_at: Option<String>,
}

/// What became of one target of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetResult {
    pub cluster: String,
    pub namespace: String,
    /// Why nothing was applied here (the cluster is unknown, the caller may not), when so.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
    /// One result per document.
    pub results: Vec<ApplyResult>,
}

impl TargetResult {
    /// Whether every document landed on this target.
    #[must_use]
    pub fn succeeded(&self) -> bool {
        self.error.is_empty() && self.results.iter().all(|r| r.outcome.succeeded())
    }
}

/// One task: a template applied with values, who ran it, and what happened where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: i64,
    /// `None` once the template is deleted; the rendered YAML stays.
    pub template_id: Option<i64>,
    pub template_name: String,
    pub values: BTreeMap<String, String>,
    pub targets: Vec<TaskTarget>,
    pub dry_run: bool,
    /// The YAML as applied, variables replaced.
    pub rendered: String,
    pub state: TaskState,
    pub results: Vec<TargetResult>,
    pub message: String,
    /// The task this one re-ran, if it is a re-run.
    pub rerun_of: Option<i64>,
    pub created_by: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    /// What "delete what it created" did, once asked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cleanup: Vec<CleanupResult>,
}

impl Task {
    /// The list row of this task.
    #[must_use]
    pub fn row(&self) -> TaskRow {
        TaskRow {
            id: self.id,
            template_id: self.template_id,
            template_name: self.template_name.clone(),
            targets: self.targets.clone(),
            dry_run: self.dry_run,
            state: self.state,
            message: self.message.clone(),
            rerun_of: self.rerun_of,
            created_by: self.created_by.clone(),
            created_at: self.created_at.clone(),
            finished_at: self.finished_at.clone(),
        }
    }
}

/// One object a task created, and whether deleting it worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanupResult {
    pub cluster: String,
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub deleted: bool,
    pub message: String,
}

/// `GET /tasks` filters: free text (template, user, cluster, namespace, values), state,
/// template, paging.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskQuery {
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub state: Option<TaskState>,
    #[serde(default)]
    pub template_id: Option<i64>,
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default, rename = "continue")]
    pub continue_token: Option<String>,
}

/// Why a template cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("line {line}: {message}")]
    Syntax { line: usize, message: String },
    #[error("no value for {}: give {} or add a default ({{{{ {} | default: \"…\" }}}})", .names.join(", "), if .names.len() == 1 { "it" } else { "them" }, .names[0])]
    Missing { names: Vec<String> },
    #[error("the value of {name} holds a line break or control character: values are single-line")]
    Multiline { name: String },
    #[error("{name} is not a variable of this template (it has: {known})")]
    Unknown { name: String, known: String },
}

/// One `{{ … }}` found in a template.
struct Placeholder {
    start: usize,
    end: usize,
    variable: Variable,
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Reads `name` or `name | default: "value"` (quotes optional).
fn parse_inside(inside: &str, line: usize) -> Result<Variable, RenderError> {
    let syntax = |message: String| RenderError::Syntax { line, message };
    let (name, default) = match inside.split_once('|') {
        None => (inside.trim(), None),
        Some((name, filter)) => {
            let filter = filter.trim();
            let Some(value) = filter
                .strip_prefix("default:")
                .or_else(|| filter.strip_prefix("default "))
            else {
                return Err(syntax(format!(
                    "unknown filter {filter:?}: the only one is default, as in {{{{ {} | default: \"value\" }}}}",
                    name.trim()
                )));
            };
            let value = value.trim();
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            (name.trim(), Some(unquoted.to_string()))
        }
    };
    if !is_identifier(name) {
        return Err(syntax(format!(
            "{name:?} is not a variable name: letters, digits, _ and -, starting with a letter"
        )));
    }
    Ok(Variable {
        name: name.to_string(),
        default,
        line,
    })
}

fn placeholders(yaml: &str) -> Result<Vec<Placeholder>, RenderError> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(open) = yaml[rest..].find("{{").map(|i| i + rest) {
        let line = line_at(yaml, open);
        let Some(close) = yaml[open + 2..].find("}}").map(|i| i + open + 2) else {
            return Err(RenderError::Syntax {
                line,
                message: "{{ without a closing }}".into(),
            });
        };
        let inside = &yaml[open + 2..close];
        if inside.contains('\n') || inside.contains("{{") {
            return Err(RenderError::Syntax {
                line,
                message: "{{ without a closing }} on the same line".into(),
            });
        }
        found.push(Placeholder {
            start: open,
            end: close + 2,
            variable: parse_inside(inside, line)?,
        });
        rest = close + 2;
    }
    Ok(found)
}

/// The variables of a template, in order of first use; a default given at any use counts.
///
/// # Errors
/// A `{{` that is not closed on its line, a bad name or an unknown filter, with its line.
pub fn variables(yaml: &str) -> Result<Vec<Variable>, RenderError> {
    Ok(merged(&placeholders(yaml)?))
}

/// One variable per name, in order of first use, with the first default given.
fn merged(found: &[Placeholder]) -> Vec<Variable> {
    let mut seen: Vec<Variable> = Vec::new();
    for p in found {
        match seen.iter_mut().find(|v| v.name == p.variable.name) {
            Some(known) => {
                if known.default.is_none() {
                    known.default.clone_from(&p.variable.default);
                }
            }
            None => seen.push(p.variable.clone()),
        }
    }
    seen
}

/// The template with every variable replaced by its value, or its default.
///
/// Values are single-line: a line break in a value could add keys the template's author
/// never wrote. Line numbers of the result are those of the template.
///
/// # Errors
/// Syntax errors, values for names the template does not use, values with line breaks,
/// and variables with neither value nor default (all of them named at once).
pub fn render(yaml: &str, values: &BTreeMap<String, String>) -> Result<String, RenderError> {
    let found = placeholders(yaml)?;
    let vars = merged(&found);
    if let Some(name) = values.keys().find(|k| !vars.iter().any(|v| &v.name == *k)) {
        return Err(RenderError::Unknown {
            name: name.clone(),
            known: if vars.is_empty() {
                "none".into()
            } else {
                vars.iter()
                    .map(|v| v.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        });
    }
    // U+0085, U+2028 and U+2029 are line breaks to a YAML parser too.
    let breaks = |c: char| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}');
    if let Some((name, _)) = values.iter().find(|(_, v)| v.chars().any(breaks)) {
        return Err(RenderError::Multiline { name: name.clone() });
    }
    let missing: Vec<String> = vars
        .iter()
        .filter(|v| v.default.is_none() && values.get(&v.name).is_none_or(String::is_empty))
        .map(|v| v.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(RenderError::Missing { names: missing });
    }
    let mut out = String::with_capacity(yaml.len());
    let mut at = 0;
    for p in found {
        out.push_str(&yaml[at..p.start]);
        let value = values
            .get(&p.variable.name)
            .filter(|v| !v.is_empty())
            .or_else(|| {
                vars.iter()
                    .find(|v| v.name == p.variable.name)
                    .and_then(|v| v.default.as_ref())
            })
            .map_or("", String::as_str);
        out.push_str(value);
        at = p.end;
    }
    out.push_str(&yaml[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_cannot_hold_a_line_break_of_any_kind() {
        let yaml = "kind: ConfigMap\nmetadata:\n  name: {{ name }}\n";
        let err = render(yaml, &values(&[("name", "web\u{2028}evil: x")])).unwrap_err();
        assert_eq!(
            err,
            RenderError::Multiline {
                name: "name".into()
            }
        );
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    const WEB: &str = "kind: ConfigMap\nmetadata:\n  name: {{ name }}\ndata:\n  size: \"{{size | default: \"3\"}}\"\n  again: {{ name }}\n";

    #[test]
    fn variables_are_listed_once_with_their_default_and_line() {
        let vars = variables(WEB).unwrap();
        assert_eq!(vars.len(), 2);
        assert_eq!(
            (
                vars[0].name.as_str(),
                vars[0].default.as_deref(),
                vars[0].line
            ),
            ("name", None, 3)
        );
        assert_eq!(
            (
                vars[1].name.as_str(),
                vars[1].default.as_deref(),
                vars[1].line
            ),
            ("size", Some("3"), 5)
        );
    }

    #[test]
    fn render_uses_values_then_defaults() {
        let out = render(WEB, &values(&[("name", "web")])).unwrap();
        assert_eq!(
            out,
            "kind: ConfigMap\nmetadata:\n  name: web\ndata:\n  size: \"3\"\n  again: web\n"
        );
        let out = render(WEB, &values(&[("name", "web"), ("size", "5")])).unwrap();
        assert!(out.contains("size: \"5\""));
    }

    #[test]
    fn render_names_every_missing_variable() {
        let err = render("a: {{ a }}\nb: {{ b }}\n", &BTreeMap::new()).unwrap_err();
        assert_eq!(
            err,
            RenderError::Missing {
                names: vec!["a".into(), "b".into()]
            }
        );
        assert!(err.to_string().contains("a, b"), "{err}");
    }

    #[test]
    fn render_refuses_line_breaks_and_unknown_names() {
        let err = render(WEB, &values(&[("name", "web\nevil: true")])).unwrap_err();
        assert_eq!(
            err,
            RenderError::Multiline {
                name: "name".into()
            }
        );
        let err = render(WEB, &values(&[("name", "web"), ("colour", "red")])).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        assert!(err.to_string().contains("name, size"), "{err}");
    }

    #[test]
    fn syntax_errors_name_their_line() {
        let err = variables("a: 1\nb: {{ name\n").unwrap_err();
        assert!(matches!(err, RenderError::Syntax { line: 2, .. }), "{err}");
        let err = variables("a: {{ 1x }}\n").unwrap_err();
        assert!(err.to_string().starts_with("line 1:"), "{err}");
        let err = variables("a: {{ x | upper }}\n").unwrap_err();
        assert!(err.to_string().contains("unknown filter"), "{err}");
    }

    #[test]
    fn task_state_follows_the_counts() {
        assert_eq!(TaskState::from_counts(3, 0), TaskState::Succeeded);
        assert_eq!(TaskState::from_counts(0, 2), TaskState::Failed);
        assert_eq!(TaskState::from_counts(1, 1), TaskState::PartiallyFailed);
        assert_eq!(
            "partially_failed".parse::<TaskState>(),
            Ok(TaskState::PartiallyFailed)
        );
    }
}
