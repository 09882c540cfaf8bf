//! The audit log as people and scripts read it.

use serde::{Deserialize, Serialize};

/// Where an audited request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The console's pages (server functions).
    Ui,
    /// The REST API.
    Api,
    /// The `bosun` command line.
    Cli,
}

impl Source {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Ui => "ui",
            Source::Api => "api",
            Source::Cli => "cli",
        }
    }
}

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Succeeded,
    Failed,
    /// Refused by Bosun's own authorization (a refusal by the cluster is `failed`).
    Denied,
}

impl Outcome {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Denied => "denied",
        }
    }
}

/// One line of the audit log: who did what to what, from where, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339.
    pub at: String,
    pub user: String,
    pub source: String,
    pub cluster: String,
    pub namespace: String,
    pub kind: String,
    pub name: String,
    /// `workload.restart`, `cluster.add`... (`Action::name`).
    pub action: String,
    /// The request's parameters as JSON (`{"force":true}`), never secrets.
    pub parameters: String,
    /// `succeeded`, `failed` or `denied`.
    pub outcome: String,
    pub error: String,
    pub trace_id: String,
}

/// Filters of the Audit page and `GET /api/v1/audit`; every column can be filtered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub cluster: Option<String>,
    pub namespace: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub user: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub source: Option<String>,
    /// Only records older than this id (the `continue` of the previous page).
    pub before: Option<i64>,
    pub limit: Option<u32>,
}
