//! Paged lists: every list Bosun serves is a page of a server-side sorted, filtered list.

use serde::{Deserialize, Serialize};

use crate::KindId;

/// Largest page anyone gets, whatever `limit` asks for.
pub const MAX_PAGE: usize = 500;
/// Page size when none is asked for.
pub const DEFAULT_PAGE: usize = 100;

/// One page of a list: `{"items": [...], "total": N, "continue": "<token or null>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items match the filters, over all pages.
    pub total: usize,
    /// Pass as `continue` to get the next page; `None` on the last page.
    #[serde(rename = "continue")]
    pub continue_token: Option<String>,
    /// Parts of the answer that are missing, and why (a cluster still syncing, a watch
    /// that is forbidden): shown where the data would be.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl<T> Page<T> {
    /// Cuts one page out of a complete, sorted list. The token is the offset of the next
    /// page: lists are served from watch caches, so a page is a slice of memory.
    #[must_use]
    pub fn slice(all: Vec<T>, offset: usize, limit: usize) -> Self {
        let total = all.len();
        let limit = limit.clamp(1, MAX_PAGE);
        let items: Vec<T> = all.into_iter().skip(offset).take(limit).collect();
        let next = offset.saturating_add(items.len());
        Self {
            continue_token: (next < total).then(|| next.to_string()),
            items,
            total,
            warnings: Vec::new(),
        }
    }

    /// The same page with each item turned into another (a cached object into its row).
    #[must_use]
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            continue_token: self.continue_token,
            warnings: self.warnings,
        }
    }

    /// Reads a token made by [`Page::slice`]; anything else is the caller's mistake.
    pub fn offset_of(token: Option<&str>) -> Result<usize, String> {
        match token.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(0),
            Some(t) => t.parse().map_err(|_| {
                format!("invalid continue token {t:?}: pass the one a previous page returned")
            }),
        }
    }
}

/// What to list on the Workloads page and `GET .../{kind}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadQuery {
    /// A cluster name, or `None` for every cluster.
    pub cluster: Option<String>,
    /// A namespace, or `None` for every namespace (`_all` in URLs).
    pub namespace: Option<String>,
    /// One kind, or `None` for every workload kind.
    pub kind: Option<KindId>,
    /// Name contains this (case-insensitive).
    pub q: Option<String>,
    /// A Kubernetes label selector: `app=web,tier in (front,back),!canary`.
    pub label_selector: Option<String>,
    /// `name`, `namespace`, `kind`, `age`, `status`, `ready`, `cluster`; `-` first for descending.
    pub sort: Option<String>,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
}

/// What to list on pod pages and `GET .../pods`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodQuery {
    pub cluster: String,
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    /// `spec.nodeName=node-1,status.phase!=Running` on the fields the API server supports.
    pub field_selector: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_the_list_once() {
        let all: Vec<u32> = (0..250).collect();
        let first = Page::slice(all.clone(), 0, 100);
        assert_eq!((first.items.len(), first.total), (100, 250));
        let offset = Page::<u32>::offset_of(first.continue_token.as_deref()).unwrap();
        let third = Page::slice(all.clone(), 200, 100);
        assert_eq!(offset, 100);
        assert_eq!(third.items.len(), 50);
        assert_eq!(third.continue_token, None);
        assert!(Page::<u32>::offset_of(Some("abc")).is_err());
        let many: Vec<u32> = (0..1000).collect();
        assert_eq!(Page::slice(many, 0, 100_000).items.len(), MAX_PAGE);
    }
}

/// `GET /clusters/{c}/namespaces/{ns}/events` filters: every one optional. Warnings come
/// first, then the newest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventQuery {
    /// One cluster, or every connected one (`None` or `_all`).
    #[serde(default)]
    pub cluster: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    /// `Normal` or `Warning`.
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
    /// The reason, exactly (case-insensitive): `BackOff`, `FailedScheduling`.
    #[serde(default)]
    pub reason: Option<String>,
    /// The involved object's kind (`Pod`) and name (contains).
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// Words in the message.
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default, rename = "continue")]
    pub continue_token: Option<String>,
}
