//! Applying YAML: what is asked (`POST /api/v1/clusters/{c}/apply`, the YAML editor) and
//! what each document became. A multi-document apply answers per document, so a failure
//! in the third never hides that the first two landed.

use serde::{Deserialize, Serialize};

use crate::diff::DiffLine;

/// Options of an apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyOptions {
    /// Server-side dry run: every check the cluster makes, nothing stored.
    #[serde(default)]
    pub dry_run: bool,
    /// Take over fields another field manager owns (server-side apply's `force`).
    #[serde(default)]
    pub force: bool,
    /// The namespace for documents of namespaced kinds that name none.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Send without checking against the cluster's OpenAPI schema first (kubectl's
    /// `--validate=false`), for a schema that is wrong; the server still checks.
    #[serde(default)]
    pub skip_schema_check: bool,
}

/// What became of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApplyOutcome {
    Created,
    Configured,
    Unchanged,
    Failed,
    /// Not sent: an earlier document could not be read, so nothing was applied.
    Skipped,
}

impl ApplyOutcome {
    #[must_use]
    pub fn succeeded(self) -> bool {
        matches!(
            self,
            ApplyOutcome::Created | ApplyOutcome::Configured | ApplyOutcome::Unchanged
        )
    }
}

/// The result of one document of an apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyResult {
    /// 1-based position of the document in the YAML.
    pub document: usize,
    /// 1-based line of the YAML where the document starts.
    pub line: usize,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub outcome: ApplyOutcome,
    /// kubectl's words for a success (`configmap/web created (server dry run)`), the
    /// reason for a failure (naming the line or field when the cluster or parser did).
    pub message: String,
    /// The object before and after, line by line, when it existed and was changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diff: Vec<DiffLine>,
    /// Fields other managers own that this document would change (a server-side apply
    /// conflict): applying again with `force` takes them over.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<FieldConflict>,
}

/// A field of an object that its kind's schema refuses (an unknown field, a value of the
/// wrong type), as the cluster's OpenAPI schema says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldIssue {
    /// `spec.template.spec.containers[0].image`; keys holding `.` or `/` are bracketed.
    pub field: String,
    pub message: String,
}

/// What a cluster's schema says of one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SchemaVerdict {
    /// Checked against the kind's schema; the issues found (none: it fits).
    Checked(Vec<FieldIssue>),
    /// No schema could be read for it (the cluster publishes none for the kind, or did not
    /// answer): why. The server's dry run still checks it.
    Unchecked(String),
}

/// A problem with a document, found before anything is sent: YAML that does not parse,
/// an object Bosun cannot apply, a field its kind's schema refuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YamlIssue {
    /// 1-based position of the document in the YAML.
    pub document: usize,
    /// 1-based line of the whole YAML the issue is on.
    pub line: usize,
    /// The field's path, empty when the issue is the document's as a whole.
    pub field: String,
    pub message: String,
}

/// What checking YAML against a cluster found (`POST .../validate`, the editor as you type).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YamlCheck {
    pub issues: Vec<YamlIssue>,
    /// Documents no schema checked, each with why (`document 2: …`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<String>,
}

/// A field another field manager owns, from an API server's apply conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldConflict {
    /// As the API server prints it: `.spec.replicas`, `.spec.template.spec.containers[name="web"].image`.
    pub field: String,
    /// The owner: `ci-pipeline`, or for an update `kubectl-edit using apps/v1 at …`.
    pub manager: String,
}

impl FieldConflict {
    /// The conflicts an API server's "Apply failed with N conflict(s)" message names (the
    /// 409's message is all a client reliably gets: kube-rs keeps no status causes).
    #[must_use]
    pub fn parse_all(message: &str) -> Vec<FieldConflict> {
        let Some((_, rest)) = message.split_once("Apply failed with ") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let Some((_, single)) = rest.split_once(" conflict: conflict with ") {
            if let Some((manager, field)) = single.split_once(": .") {
                out.push(FieldConflict {
                    field: format!(".{}", first_word(field)),
                    manager: unquote(manager),
                });
            }
            return out;
        }
        let mut manager = None;
        for line in rest.lines() {
            if let Some((_, owner)) = line.split_once("conflicts with ") {
                manager = Some(unquote(owner.trim_end().trim_end_matches(':')));
            } else if let (Some(field), Some(manager)) = (line.strip_prefix("- "), &manager) {
                out.push(FieldConflict {
                    field: first_word(field).to_string(),
                    manager: manager.clone(),
                });
            }
        }
        out
    }
}

/// A field path ends at the first space (a client may have added a sentence after it).
fn first_word(text: &str) -> &str {
    let word = text.split_whitespace().next().unwrap_or("");
    word.strip_suffix('.').unwrap_or(word)
}

/// `"kubectl-edit" using apps/v1 at T` → `kubectl-edit using apps/v1 at T`.
fn unquote(label: &str) -> String {
    let label = label.trim();
    match label.strip_prefix('"').and_then(|l| l.split_once('"')) {
        Some((name, rest)) => format!("{name}{rest}"),
        None => label.to_string(),
    }
}

/// An apply's answer: one result per document, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyReport {
    pub dry_run: bool,
    pub results: Vec<ApplyResult>,
}

impl ApplyReport {
    /// Whether every document succeeded.
    #[must_use]
    pub fn succeeded(&self) -> bool {
        self.results.iter().all(|r| r.outcome.succeeded())
    }
}

/// What the form and `POST /clusters/{c}/namespaces/{ns}/registry-secrets` take.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySecret {
    pub name: String,
    /// `https://index.docker.io/v1/`, `ghcr.io`, `registry.example.com:5000`.
    pub server: String,
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub dry_run: bool,
}

impl std::fmt::Debug for RegistrySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrySecret")
            .field("name", &self.name)
            .field("server", &self.server)
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_are_read_from_the_api_servers_message() {
        let one = "document 1 (line 1): Apply failed with 1 conflict: conflict with \"ci-pipeline\": .spec.replicas. Apply with \"force\" to take these fields over";
        assert_eq!(
            FieldConflict::parse_all(one),
            vec![FieldConflict {
                field: ".spec.replicas".into(),
                manager: "ci-pipeline".into()
            }]
        );
        let updated = "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using apps/v1 at 2026-11-23T10:00:00Z: .metadata.labels.tier";
        assert_eq!(
            FieldConflict::parse_all(updated)[0].manager,
            "kubectl-edit using apps/v1 at 2026-11-23T10:00:00Z"
        );
        let many = "Apply failed with 3 conflicts: conflicts with \"ci\":\n- .spec.replicas\n- .spec.template.spec.containers[name=\"web\"].image\nconflicts with \"kubectl-edit\" using apps/v1:\n- .metadata.labels.tier. Apply with \"force\"";
        let found = FieldConflict::parse_all(many);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(
            found[1].field,
            ".spec.template.spec.containers[name=\"web\"].image"
        );
        assert_eq!(found[1].manager, "ci");
        assert_eq!(
            (found[2].field.as_str(), found[2].manager.as_str()),
            (".metadata.labels.tier", "kubectl-edit using apps/v1")
        );
        assert!(FieldConflict::parse_all("the object has been modified").is_empty());
    }
}
