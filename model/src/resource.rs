//! The Resources pages (network, storage, config, access control, namespaces): one row
//! and one detail shape for every such kind. What differs between kinds is which summary
//! columns a row has and which sections a detail shows, so a kind is a list of column
//! headers here plus the code that fills them, never a page of its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::KindId;

/// What to list on a Resources page and `GET .../{plural}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceQuery {
    /// A cluster name, or `None` for every cluster.
    pub cluster: Option<String>,
    /// A namespace, or `None` for every namespace (ignored for cluster-scoped kinds).
    pub namespace: Option<String>,
    pub kind: KindId,
    /// Name contains this (case-insensitive).
    pub q: Option<String>,
    pub label_selector: Option<String>,
    /// `name`, `namespace`, `cluster`, `age`; `-` first for descending.
    pub sort: Option<String>,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
}

impl ResourceQuery {
    /// Every object of `kind`, first page, by name.
    #[must_use]
    pub fn of(kind: KindId) -> Self {
        Self {
            cluster: None,
            namespace: None,
            kind,
            q: None,
            label_selector: None,
            sort: None,
            limit: None,
            continue_token: None,
        }
    }
}

/// One object as a Resources table shows it. `columns` line up with
/// [`columns`]`(kind)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRow {
    pub cluster: String,
    /// Empty for cluster-scoped kinds.
    pub namespace: String,
    pub kind: KindId,
    pub name: String,
    /// RFC 3339.
    pub created: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub columns: Vec<String>,
}

/// One line of a detail section. `fraction` (0..=1, more when over) asks for a usage bar
/// (a quota's used against hard).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionRow {
    pub cells: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
}

/// A titled table of a detail page: a Service's ports, a binding's subjects, the rules a
/// role grants. `note` says why a section is empty or partial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<SectionRow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Section {
    #[must_use]
    pub fn new(title: &str, headers: &[&str]) -> Self {
        Self {
            title: title.to_string(),
            headers: headers.iter().map(|h| (*h).to_string()).collect(),
            rows: Vec::new(),
            note: None,
        }
    }

    /// A two-column "field: value" section.
    #[must_use]
    pub fn fields(title: &str, pairs: Vec<(&str, String)>) -> Self {
        let mut section = Self::new(title, &["Field", "Value"]);
        for (field, value) in pairs {
            if !value.is_empty() {
                section.push(vec![field.to_string(), value]);
            }
        }
        section
    }

    pub fn push(&mut self, cells: Vec<String>) {
        self.rows.push(SectionRow {
            cells,
            fraction: None,
        });
    }

    #[must_use]
    pub fn with_note(mut self, note: &str) -> Self {
        self.note = Some(note.to_string());
        self
    }
}

/// One object of a Resources kind with everything its page shows. A Secret's values are
/// never in it (its data section lists keys and sizes; a value is revealed on request).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceDetail {
    pub row: ResourceRow,
    pub annotations: BTreeMap<String, String>,
    pub sections: Vec<Section>,
    /// The object as YAML, as the cache holds it (no managedFields; Secret values hidden).
    pub yaml: String,
    /// The resourceVersion the YAML was read at: an edit based on it is refused if the
    /// object changed since.
    pub resource_version: String,
}

/// A Secret value revealed on request (audited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretValue {
    pub key: String,
    pub value: String,
    /// `utf-8` when the value is text, else `base64` (the value as stored).
    pub encoding: String,
}

/// The column headers of a kind's Resources table (after name, namespace and age).
#[must_use]
pub fn columns(kind: KindId) -> &'static [&'static str] {
    match kind {
        KindId::Namespace => &["Status", "Pods", "Workloads", "Quota"],
        KindId::Service => &["Type", "Cluster IP", "External IP", "Ports", "Selector"],
        KindId::Ingress => &["Class", "Hosts", "Address", "Ports"],
        KindId::Endpoints => &["Endpoints"],
        KindId::EndpointSlice => &["Address type", "Ports", "Endpoints", "Service"],
        KindId::NetworkPolicy => &["Pod selector", "Policy types"],
        KindId::PersistentVolume => &[
            "Capacity",
            "Access modes",
            "Reclaim policy",
            "Status",
            "Claim",
            "Storage class",
        ],
        KindId::PersistentVolumeClaim => &[
            "Status",
            "Volume",
            "Capacity",
            "Access modes",
            "Storage class",
        ],
        KindId::StorageClass => &[
            "Provisioner",
            "Reclaim policy",
            "Volume binding mode",
            "Allow expansion",
            "Default",
        ],
        KindId::ConfigMap => &["Data", "Keys"],
        KindId::Secret => &["Type", "Data"],
        KindId::ResourceQuota => &["Used / hard"],
        KindId::LimitRange => &["Limits"],
        KindId::PodDisruptionBudget => &["Min available", "Max unavailable", "Allowed disruptions"],
        KindId::ServiceAccount => &["Secrets"],
        KindId::Role | KindId::ClusterRole => &["Rules"],
        KindId::RoleBinding | KindId::ClusterRoleBinding => &["Role", "Subjects"],
        _ => &[],
    }
}

/// Sorts a Resources list accepts.
pub const RESOURCE_SORTS: &[&str] = &["name", "namespace", "cluster", "age"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_kind_has_columns() {
        for kind in KindId::resources() {
            assert!(!columns(kind).is_empty(), "{kind} has no columns");
        }
    }

    #[test]
    fn a_fields_section_leaves_out_empty_values() {
        let s = Section::fields(
            "Spec",
            vec![("Type", "ClusterIP".into()), ("IP", String::new())],
        );
        assert_eq!(s.rows.len(), 1);
        assert_eq!(s.rows[0].cells, vec!["Type", "ClusterIP"]);
    }
}

/// "Who can": a subject of RBAC whose grants are looked up in one namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessQuery {
    pub cluster: String,
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    pub name: String,
    /// The namespace whose RoleBindings count (ClusterRoleBindings always do).
    #[serde(default)]
    pub namespace: String,
    /// A service account's own namespace (default: `namespace`).
    #[serde(default, rename = "subjectNamespace")]
    pub subject_namespace: String,
}

/// What a subject may do: one section per binding that grants it something, titled with
/// the binding and role, holding the role's rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessReport {
    pub subject: String,
    pub namespace: String,
    pub grants: Vec<Section>,
    pub notes: Vec<String>,
}
