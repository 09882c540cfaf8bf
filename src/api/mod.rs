//! The `/api/v1` JSON API for automation. Handlers are thin adapters over the domain calls
//! the server functions and the CLI make too; only the envelope differs.
//!
//! [`ROUTES`] is the one table of routes: the router is built from it, and the
//! authorization matrix test walks it, so a route cannot be missing from the matrix.

mod audit;
mod auth;
mod batch;
mod clusters;
mod compat;
mod custom;
mod envelope;
mod events;
mod metrics;
mod nodes;
mod operations;
mod paths;
mod pins;
mod pods;
mod resources;
mod rollouts;
mod tasks;
mod templates;
mod tokens;
mod users;
mod vms;
mod workloads;

use axum::Router;
use axum::routing::{MethodFilter, MethodRouter, on};
use bosun_model::Action;

pub use envelope::{Api, ApiError, ApiJson, ApiPath, ApiQuery, Data, data, ndjson, per_part};

use crate::server::AppState;

/// One REST route: method, path under `/api/v1`, the action it performs (which decides
/// who may call it), and its handler.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub action: Action,
    handler: fn(MethodFilter) -> MethodRouter<AppState>,
}

const fn route(
    method: &'static str,
    path: &'static str,
    action: Action,
    handler: fn(MethodFilter) -> MethodRouter<AppState>,
) -> Route {
    Route {
        method,
        path,
        action,
        handler,
    }
}

/// Every REST route.
pub static ROUTES: &[Route] = &[
    route("POST", "/login", Action::SignIn, |m| on(m, auth::login)),
    route("POST", "/logout", Action::SignOut, |m| on(m, auth::logout)),
    route("GET", "/me", Action::Read, |m| on(m, auth::me)),
    route("POST", "/me/password", Action::PasswordChange, |m| {
        on(m, auth::change_password)
    }),
    route("POST", "/me/sessions/end", Action::SessionsEnd, |m| {
        on(m, auth::end_sessions)
    }),
    route("GET", "/me/tokens", Action::Read, |m| {
        on(m, tokens::list_own)
    }),
    route("POST", "/me/tokens", Action::OwnTokenCreate, |m| {
        on(m, tokens::create_own)
    }),
    route("DELETE", "/me/tokens/{id}", Action::OwnTokenRevoke, |m| {
        on(m, tokens::revoke_own)
    }),
    route("GET", "/tokens", Action::TokenList, |m| on(m, tokens::list)),
    route("DELETE", "/tokens/{id}", Action::TokenRevoke, |m| {
        on(m, tokens::revoke)
    }),
    route("GET", "/users", Action::UserList, |m| on(m, users::list)),
    route("POST", "/users", Action::UserCreate, |m| {
        on(m, users::create)
    }),
    route("PATCH", "/users/{name}", Action::UserSetRole, |m| {
        on(m, users::update)
    }),
    route(
        "POST",
        "/users/{name}/sessions/end",
        Action::UserSessionsEnd,
        |m| on(m, users::end_sessions),
    ),
    route("GET", "/audit", Action::AuditRead, |m| on(m, audit::list)),
    route("GET", "/templates", Action::Read, |m| {
        on(m, templates::list)
    }),
    route("POST", "/templates", Action::TemplateCreate, |m| {
        on(m, templates::create)
    }),
    route("GET", "/templates/{id}", Action::Read, |m| {
        on(m, templates::get)
    }),
    route("PUT", "/templates/{id}", Action::TemplateUpdate, |m| {
        on(m, templates::update)
    }),
    route("DELETE", "/templates/{id}", Action::TemplateDelete, |m| {
        on(m, templates::delete)
    }),
    route("POST", "/templates/{id}/check", Action::Apply, |m| {
        on(m, templates::check)
    }),
    route("GET", "/tasks", Action::Read, |m| on(m, tasks::list)),
    route("POST", "/tasks", Action::TaskRun, |m| on(m, tasks::create)),
    route("GET", "/tasks/{id}", Action::Read, |m| on(m, tasks::get)),
    route("POST", "/tasks/{id}/rerun", Action::TaskRun, |m| {
        on(m, tasks::rerun)
    }),
    route("POST", "/tasks/{id}/cleanup", Action::TaskCleanup, |m| {
        on(m, tasks::cleanup)
    }),
    route("GET", "/clusters", Action::Read, |m| on(m, clusters::list)),
    route("POST", "/clusters", Action::ClusterAdd, |m| {
        on(m, clusters::add)
    }),
    route("GET", "/clusters/{cluster}", Action::Read, |m| {
        on(m, clusters::get)
    }),
    route("PUT", "/clusters/{cluster}", Action::ClusterUpdate, |m| {
        on(m, clusters::update)
    }),
    route(
        "DELETE",
        "/clusters/{cluster}",
        Action::ClusterRemove,
        |m| on(m, clusters::remove),
    ),
    route(
        "POST",
        "/clusters/{cluster}/test",
        Action::ClusterTest,
        |m| on(m, clusters::test),
    ),
    route("GET", "/clusters/{cluster}/namespaces", Action::Read, |m| {
        on(m, resources::list_namespaces)
    }),
    route(
        "POST",
        "/clusters/{cluster}/namespaces",
        Action::NamespaceCreate,
        |m| on(m, resources::create_namespace),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}",
        Action::Read,
        |m| on(m, resources::get_namespace),
    ),
    route(
        "DELETE",
        "/clusters/{cluster}/namespaces/{ns}",
        Action::Delete,
        |m| on(m, resources::delete_namespace),
    ),
    route("GET", "/clusters/{cluster}/access", Action::Read, |m| {
        on(m, resources::access)
    }),
    route(
        "GET",
        "/clusters/{cluster}/metrics/nodes",
        Action::Read,
        |m| on(m, metrics::nodes),
    ),
    route(
        "GET",
        "/clusters/{cluster}/metrics/pods",
        Action::Read,
        |m| on(m, metrics::pods),
    ),
    route("GET", "/clusters/{cluster}/api-kinds", Action::Read, |m| {
        on(m, custom::kinds)
    }),
    route(
        "GET",
        "/clusters/{cluster}/custom/{group}/{version}/{plural}",
        Action::Read,
        |m| on(m, custom::list),
    ),
    route(
        "GET",
        "/clusters/{cluster}/custom/{group}/{version}/{plural}/{ns}/{name}",
        Action::Read,
        |m| on(m, custom::get),
    ),
    route("POST", "/clusters/{cluster}/apply", Action::Apply, |m| {
        on(m, resources::apply_yaml)
    }),
    route("POST", "/clusters/{cluster}/validate", Action::Read, |m| {
        on(m, resources::validate_yaml)
    }),
    route("GET", "/clusters/{cluster}/{kind}", Action::Read, |m| {
        on(m, resources::list_cluster_scoped)
    }),
    route(
        "GET",
        "/clusters/{cluster}/{kind}/{name}",
        Action::Read,
        |m| on(m, resources::get_cluster_scoped),
    ),
    route(
        "DELETE",
        "/clusters/{cluster}/{kind}/{name}",
        Action::Delete,
        |m| on(m, resources::delete_cluster_scoped),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/reveal",
        Action::SecretReveal,
        |m| on(m, resources::reveal),
    ),
    route(
        "POST",
        "/clusters/{cluster}/namespaces/{ns}/registry-secrets",
        Action::Apply,
        |m| on(m, resources::create_registry_secret),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/events",
        Action::Read,
        |m| on(m, events::list),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/workloads",
        Action::Read,
        |m| on(m, workloads::list_all),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/pods",
        Action::Read,
        |m| on(m, pods::list),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/pods/{name}",
        Action::Read,
        |m| on(m, pods::get),
    ),
    route(
        "DELETE",
        "/clusters/{cluster}/namespaces/{ns}/pods/{name}",
        Action::PodDelete,
        |m| on(m, pods::delete),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/pods/{name}/logs",
        Action::Read,
        |m| on(m, pods::logs),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/pods/{name}/events",
        Action::Read,
        |m| on(m, pods::events),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/rollouts",
        Action::Read,
        |m| on(m, rollouts::list),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/rollouts/{name}",
        Action::Read,
        |m| on(m, rollouts::get),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/rollouts/{name}/status",
        Action::Read,
        |m| on(m, rollouts::status),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/rollouts/{name}/history",
        Action::Read,
        |m| on(m, rollouts::history),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/rollouts/{name}/events",
        Action::Read,
        |m| on(m, rollouts::events),
    ),
    route(
        "POST",
        "/clusters/{cluster}/namespaces/{ns}/rollouts/{name}/approve",
        Action::RolloutApprove,
        |m| on(m, rollouts::approve),
    ),
    route(
        "POST",
        "/clusters/{cluster}/namespaces/{ns}/rollouts/{name}/pause",
        Action::RolloutPause,
        |m| on(m, rollouts::pause),
    ),
    route(
        "POST",
        "/clusters/{cluster}/namespaces/{ns}/rollouts/{name}/resume",
        Action::RolloutResume,
        |m| on(m, rollouts::resume),
    ),
    route(
        "POST",
        "/clusters/{cluster}/namespaces/{ns}/rollouts/{name}/undo",
        Action::RolloutUndo,
        |m| on(m, rollouts::undo),
    ),
    route(
        "POST",
        "/clusters/{cluster}/namespaces/{ns}/rollouts/{name}/restart",
        Action::RolloutRestart,
        |m| on(m, rollouts::restart),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/virtualmachines",
        Action::Read,
        |m| on(m, vms::list),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/virtualmachines/{name}",
        Action::Read,
        |m| on(m, vms::get),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/virtualmachines/{name}/history",
        Action::Read,
        |m| on(m, vms::history),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/virtualmachines/{name}/events",
        Action::Read,
        |m| on(m, vms::events),
    ),
    route(
        "PUT",
        "/clusters/{cluster}/namespaces/{ns}/virtualmachines/{name}/start",
        Action::VmStart,
        |m| on(m, vms::start),
    ),
    route(
        "PUT",
        "/clusters/{cluster}/namespaces/{ns}/virtualmachines/{name}/stop",
        Action::VmStop,
        |m| on(m, vms::stop),
    ),
    route(
        "PUT",
        "/clusters/{cluster}/namespaces/{ns}/virtualmachines/{name}/restart",
        Action::VmRestart,
        |m| on(m, vms::restart),
    ),
    route(
        "PUT",
        "/clusters/{cluster}/namespaces/{ns}/virtualmachines/{name}/pause",
        Action::VmPause,
        |m| on(m, vms::pause),
    ),
    route(
        "PUT",
        "/clusters/{cluster}/namespaces/{ns}/virtualmachines/{name}/unpause",
        Action::VmUnpause,
        |m| on(m, vms::unpause),
    ),
    route("GET", "/operations/{id}", Action::Read, |m| {
        on(m, operations::get)
    }),
    route(
        "POST",
        "/operations/{id}/cancel",
        Action::OperationCancel,
        |m| on(m, operations::cancel),
    ),
    route("GET", "/clusters/{cluster}/nodes", Action::Read, |m| {
        on(m, nodes::list)
    }),
    route(
        "GET",
        "/clusters/{cluster}/nodes/{name}",
        Action::Read,
        |m| on(m, nodes::get),
    ),
    route(
        "GET",
        "/clusters/{cluster}/nodes/{name}/history",
        Action::Read,
        |m| on(m, nodes::history),
    ),
    route(
        "POST",
        "/clusters/{cluster}/nodes/{name}/cordon",
        Action::NodeCordon,
        |m| on(m, nodes::cordon),
    ),
    route(
        "POST",
        "/clusters/{cluster}/nodes/{name}/uncordon",
        Action::NodeUncordon,
        |m| on(m, nodes::uncordon),
    ),
    route(
        "POST",
        "/clusters/{cluster}/nodes/{name}/drain",
        Action::NodeDrain,
        |m| on(m, nodes::drain),
    ),
    route(
        "PATCH",
        "/clusters/{cluster}/nodes/{name}/taints",
        Action::NodeTaint,
        |m| on(m, nodes::taints),
    ),
    route(
        "PATCH",
        "/clusters/{cluster}/nodes/{name}/labels",
        Action::Label,
        |m| on(m, nodes::node_labels),
    ),
    route(
        "PATCH",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/labels",
        Action::Label,
        |m| on(m, nodes::object_labels),
    ),
    route("POST", "/batch/vm", Action::VmRestart, |m| {
        on(m, vms::batch)
    }),
    route("GET", "/me/pins", Action::Read, |m| on(m, pins::list)),
    route("POST", "/me/pins", Action::PinAdd, |m| on(m, pins::add)),
    route("DELETE", "/me/pins", Action::PinRemove, |m| {
        on(m, pins::remove)
    }),
    // The Kruise Dashboard backend API, for the default cluster (seed 004).
    route("GET", "/namespaces", Action::Read, |m| {
        on(m, compat::namespaces)
    }),
    route("GET", "/cluster/metrics", Action::Read, |m| {
        on(m, compat::metrics)
    }),
    route("GET", "/workload/{namespace}", Action::Read, |m| {
        on(m, compat::all_workloads)
    }),
    route("GET", "/workload/{namespace}/{type}", Action::Read, |m| {
        on(m, compat::list_workloads)
    }),
    route(
        "GET",
        "/workload/{namespace}/{type}/{name}",
        Action::Read,
        |m| on(m, compat::get_workload),
    ),
    route(
        "DELETE",
        "/workload/{namespace}/{type}/{name}",
        Action::Delete,
        |m| on(m, compat::delete),
    ),
    route(
        "GET",
        "/workload/{namespace}/{type}/{name}/pods",
        Action::Read,
        |m| on(m, compat::workload_pods),
    ),
    route(
        "POST",
        "/workload/{namespace}/{type}/{name}/scale",
        Action::Scale,
        |m| on(m, compat::scale),
    ),
    route(
        "POST",
        "/workload/{namespace}/{type}/{name}/restart",
        Action::Restart,
        |m| on(m, compat::restart),
    ),
    route("GET", "/rollout/{namespace}/{name}", Action::Read, |m| {
        on(m, compat::get_rollout)
    }),
    route(
        "GET",
        "/rollout/status/{namespace}/{name}",
        Action::Read,
        |m| on(m, compat::get_rollout),
    ),
    route(
        "GET",
        "/rollout/history/{namespace}/{name}",
        Action::Read,
        |m| on(m, compat::rollout_history),
    ),
    route("GET", "/rollout/list/{namespace}", Action::Read, |m| {
        on(m, compat::list_rollouts)
    }),
    route("GET", "/rollout/active/{namespace}", Action::Read, |m| {
        on(m, compat::active_rollouts)
    }),
    route(
        "POST",
        "/rollout/pause/{namespace}/{name}",
        Action::RolloutPause,
        |m| on(m, compat::pause),
    ),
    route(
        "POST",
        "/rollout/resume/{namespace}/{name}",
        Action::RolloutResume,
        |m| on(m, compat::resume),
    ),
    route(
        "POST",
        "/rollout/undo/{namespace}/{name}",
        Action::RolloutUndo,
        |m| on(m, compat::undo),
    ),
    route(
        "POST",
        "/rollout/restart/{namespace}/{name}",
        Action::RolloutRestart,
        |m| on(m, compat::restart_rollout),
    ),
    route(
        "POST",
        "/rollout/approve/{namespace}/{name}",
        Action::RolloutApprove,
        |m| on(m, compat::approve),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/{kind}",
        Action::Read,
        |m| on(m, workloads::list),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}",
        Action::Read,
        |m| on(m, workloads::get),
    ),
    route(
        "DELETE",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}",
        Action::Delete,
        |m| on(m, workloads::delete),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/pods",
        Action::Read,
        |m| on(m, workloads::pods),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/revisions",
        Action::Read,
        |m| on(m, workloads::revisions),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/status",
        Action::Read,
        |m| on(m, workloads::status),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/events",
        Action::Read,
        |m| on(m, workloads::events),
    ),
    route(
        "GET",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/history",
        Action::Read,
        |m| on(m, workloads::history),
    ),
    route(
        "PUT",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/restart",
        Action::Restart,
        |m| on(m, workloads::restart),
    ),
    route(
        "PUT",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/scale",
        Action::Scale,
        |m| on(m, workloads::scale),
    ),
    route(
        "PUT",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/rollback",
        Action::Rollback,
        |m| on(m, workloads::rollback),
    ),
    route(
        "PUT",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/suspend",
        Action::Suspend,
        |m| on(m, workloads::suspend),
    ),
    route(
        "POST",
        "/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/run",
        Action::RunNow,
        |m| on(m, workloads::run),
    ),
    route(
        "PUT",
        "/apps/{appId}/_proxy/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/restart",
        Action::Restart,
        |m| on(m, workloads::restart_via_proxy),
    ),
    route("POST", "/batch/restart", Action::Restart, |m| {
        on(m, batch::batch_restart)
    }),
];

fn method_filter(method: &str) -> MethodFilter {
    match method {
        "GET" => MethodFilter::GET,
        "POST" => MethodFilter::POST,
        "PUT" => MethodFilter::PUT,
        "PATCH" => MethodFilter::PATCH,
        "DELETE" => MethodFilter::DELETE,
        other => panic!("route table: unsupported method {other}"),
    }
}

/// The `/api/v1` router, built from [`ROUTES`]. Routes sharing a path are merged into one
/// method router, so a wrong method gets 405 rather than 404.
pub fn router() -> Router<AppState> {
    let mut paths: Vec<&'static str> = Vec::new();
    for r in ROUTES {
        if !paths.contains(&r.path) {
            paths.push(r.path);
        }
    }
    let mut router = Router::new();
    for path in paths {
        let handler = ROUTES
            .iter()
            .filter(|r| r.path == path)
            .map(|r| (r.handler)(method_filter(r.method)))
            .reduce(MethodRouter::merge);
        if let Some(handler) = handler {
            router = router.route(path, handler);
        }
    }
    router
        .fallback(|| async { ApiError(bosun_core::Error::NotFound("no such API endpoint".into())) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_listed_once() {
        let mut seen: Vec<(&str, &str)> = ROUTES.iter().map(|r| (r.method, r.path)).collect();
        seen.sort_unstable();
        let before = seen.len();
        seen.dedup();
        assert_eq!(seen.len(), before, "a route is listed twice");
        // Building the router checks the paths parse and do not conflict.
        let _ = router();
    }
}
