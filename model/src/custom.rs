//! Kinds a cluster serves that Bosun's kind table does not know (custom resources of any
//! CRD, and built-in APIs without a page of their own), read generically: what discovery
//! says about the kind, the columns the API server prints for it, the object as it is.

use serde::{Deserialize, Serialize};

use crate::{Condition, EventRow};

/// A kind found by discovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKind {
    /// `""` for the core group.
    pub group: String,
    /// The version discovery prefers.
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub namespaced: bool,
}

impl ApiKind {
    /// The group as a path segment: `core` for the core group, as the API docs name it.
    #[must_use]
    pub fn group_segment(&self) -> &str {
        if self.group.is_empty() {
            "core"
        } else {
            &self.group
        }
    }

    /// `cert-manager.io/v1`, as a document's `apiVersion` names it.
    #[must_use]
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `certificates.cert-manager.io`, as kubectl names a resource.
    #[must_use]
    pub fn resource_name(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

/// Which kind of which cluster: `/clusters/{c}/custom/{group}/{version}/{plural}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKindRef {
    pub cluster: String,
    /// `core` stands for the core group.
    pub group: String,
    pub version: String,
    pub plural: String,
}

impl ApiKindRef {
    /// The group as the API has it (`core` → `""`).
    #[must_use]
    pub fn api_group(&self) -> &str {
        if self.group == "core" {
            ""
        } else {
            &self.group
        }
    }
}

/// A page of objects of a discovered kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomQuery {
    /// A namespace, or `None` for every one (ignored for cluster-scoped kinds).
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    pub limit: Option<usize>,
    /// The API server's continue token of the previous page.
    pub continue_token: Option<String>,
}

/// One object in a list: its name, namespace and the cells of the columns the API server
/// prints for its kind (a CRD's printer columns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRow {
    pub namespace: String,
    pub name: String,
    pub cells: Vec<String>,
}

/// A page of a discovered kind's objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomList {
    pub kind: ApiKind,
    /// Column titles of `cells` (Name is the row's own name and not repeated).
    pub columns: Vec<String>,
    pub rows: Vec<CustomRow>,
    /// Set when there are more: ask again with it for the next page.
    pub continue_token: Option<String>,
    /// How many more the API server counted after this page, when it said.
    pub remaining: Option<i64>,
}

/// One object of a discovered kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomObject {
    pub kind: ApiKind,
    pub namespace: String,
    pub name: String,
    pub created: String,
    pub labels: Vec<(String, String)>,
    /// `status.conditions`, as most controllers report them.
    pub conditions: Vec<Condition>,
    /// The object without `managedFields`.
    pub yaml: String,
    /// Events about it, warnings first: controllers (cert-manager, operators) explain
    /// themselves here more than in conditions.
    pub events: Vec<EventRow>,
    /// Why the events could not be read, when they could not (the object is shown anyway).
    pub events_unreadable: Option<String>,
}
