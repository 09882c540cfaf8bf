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
