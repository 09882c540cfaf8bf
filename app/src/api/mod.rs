//! Server functions, one file per domain. Each is a thin adapter: it builds the request's
//! invocation and makes one domain call, which authorizes (and, for changes, audits).

pub mod account;
pub mod actions;
pub mod audit;
pub mod auth;
pub mod clusters;
pub mod custom;
pub mod events;
pub mod metrics;
pub mod nodes;
pub mod pins;
pub mod pods;
pub mod resources;
pub mod rollouts;
pub mod templates;
pub mod users;
pub mod vms;
pub mod workloads;

#[cfg(feature = "ssr")]
pub mod ssr;

pub use auth::{CurrentUser, Login, Logout};
pub use users::{CreateUser, EndUserSessions, ListUsers, SetUserDisabled, SetUserRole};

/// The REST stream of a list page (`?watch=true`): the page again, as a JSON line, each
/// time it changes. `None` scopes are all clusters / all namespaces; empty parameters are
/// left out.
#[must_use]
pub fn list_stream_url(
    cluster: Option<&str>,
    namespace: Option<&str>,
    resource: &str,
    params: &[(&str, Option<&str>)],
) -> String {
    stream_url(
        &format!(
            "/api/v1/clusters/{}/namespaces/{}/{resource}",
            scope(cluster),
            scope(namespace)
        ),
        params,
    )
}

/// The REST stream of a list of a cluster-scoped kind (`/clusters/{c}/{resource}`:
/// nodes, namespaces, persistent volumes…), as [`list_stream_url`].
#[must_use]
pub fn cluster_list_stream_url(
    cluster: Option<&str>,
    resource: &str,
    params: &[(&str, Option<&str>)],
) -> String {
    stream_url(
        &format!("/api/v1/clusters/{}/{resource}", scope(cluster)),
        params,
    )
}

/// A path segment for a cluster or namespace filter: `_all` when there is none.
fn scope(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty())
        .map_or_else(|| "_all".to_string(), crate::format::url_encode)
}

fn stream_url(path: &str, params: &[(&str, Option<&str>)]) -> String {
    let mut pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.unwrap_or(""))).collect();
    pairs.push(("watch", "true"));
    format!("{path}{}", crate::format::query_string(&pairs))
}
