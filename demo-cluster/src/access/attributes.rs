//! Request attributes (verb, API group, resource/subresource, namespace, name) read from
//! the method and path the way the real API server's `RequestInfoFactory` reads them:
//! from the path's grammar alone, before routing, so a refusal never depends on whether
//! the resource exists.

use http::Method;

use crate::routes::Query;

/// What authorization and throttling decide on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    pub verb: String,
    /// Discovery, OpenAPI, `/version`, `/healthz`: allowed to every authenticated user.
    pub resource_request: bool,
    pub path: String,
    pub group: String,
    pub namespace: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
}

/// Verbs that change stored state; the rest only read.
const MUTATING_VERBS: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

/// Subresources of a namespace that stay on the `namespaces` resource
/// (`/api/v1/namespaces/{ns}/status`), unlike `/api/v1/namespaces/{ns}/pods`.
const NAMESPACE_SUBRESOURCES: &[&str] = &["status", "finalize"];

impl Attributes {
    /// Parses a request as the real server does.
    pub fn from_request(method: &Method, path: &str, query: &Query) -> Self {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut attrs = Attributes {
            verb: method.as_str().to_ascii_lowercase(),
            path: path.to_string(),
            ..Attributes::default()
        };
        // `/api/{version}/...` or `/apis/{group}/{version}/...`; shorter paths are discovery.
        let rest: &[&str] = match parts.as_slice() {
            ["api", _version, rest @ ..] if !rest.is_empty() => rest,
            ["apis", group, _version, rest @ ..] if !rest.is_empty() => {
                attrs.group = (*group).to_string();
                rest
            }
            _ => return attrs,
        };
        attrs.resource_request = true;
        attrs.verb = match *method {
            Method::POST => "create",
            Method::PUT => "update",
            Method::PATCH => "patch",
            Method::DELETE => "delete",
            _ => "get",
        }
        .to_string();
        let mut rest = rest;
        if rest.first() == Some(&"watch") {
            attrs.verb = "watch".into();
            rest = &rest[1..];
        }
        if rest.first() == Some(&"namespaces")
            && let Some(ns) = rest.get(1)
        {
            attrs.namespace = (*ns).to_string();
            if rest.len() > 2 && !NAMESPACE_SUBRESOURCES.contains(&rest[2]) {
                rest = &rest[2..];
            }
        }
        attrs.resource = rest.first().map(|s| (*s).to_string()).unwrap_or_default();
        attrs.name = rest.get(1).map(|s| (*s).to_string()).unwrap_or_default();
        attrs.subresource = rest.get(2).map(|s| (*s).to_string()).unwrap_or_default();
        if attrs.name.is_empty() && attrs.verb == "get" {
            attrs.verb = if query.flag("watch") { "watch" } else { "list" }.into();
            // `kubectl get pod x --watch` lists by `metadata.name=x`: RBAC's resourceNames
            // then apply, as they do on the real server.
            if let Some(name) = exact_name(query.get("fieldSelector").unwrap_or("")) {
                attrs.name = name.to_string();
            }
        }
        if attrs.name.is_empty() && attrs.verb == "delete" {
            attrs.verb = "deletecollection".into();
        }
        attrs
    }

    /// Whether the request changes stored state. Access reviews are created but store
    /// nothing, so they do not count against a user's mutation quota.
    pub fn is_mutating(&self) -> bool {
        self.resource_request
            && MUTATING_VERBS.contains(&self.verb.as_str())
            && self.group != "authorization.k8s.io"
    }

    /// `resource` or `resource/subresource`, as RBAC rules and messages name it.
    pub fn resource_path(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }
}

/// The name a field selector pins with `metadata.name=x` (or `==`), if it does.
fn exact_name(selector: &str) -> Option<&str> {
    selector.split(',').find_map(|term| {
        let (field, value) = term.split_once("==").or_else(|| term.split_once('='))?;
        (field.trim() == "metadata.name" && !value.is_empty() && !field.ends_with('!'))
            .then_some(value.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(method: Method, path: &str, query: &str) -> Attributes {
        Attributes::from_request(&method, path, &Query::parse(query))
    }

    #[test]
    fn resource_requests_are_read_from_the_path() {
        let a = attrs(
            Method::PATCH,
            "/apis/apps/v1/namespaces/shop/deployments/web/scale",
            "",
        );
        assert_eq!(
            (
                a.verb.as_str(),
                a.group.as_str(),
                a.namespace.as_str(),
                a.resource_path().as_str(),
                a.name.as_str()
            ),
            ("patch", "apps", "shop", "deployments/scale", "web")
        );
        assert!(a.is_mutating());
        let list = attrs(Method::GET, "/api/v1/pods", "");
        assert_eq!((list.verb.as_str(), list.namespace.as_str()), ("list", ""));
        let watch = attrs(Method::GET, "/api/v1/namespaces/shop/pods", "watch=true");
        assert_eq!(watch.verb, "watch");
        let legacy = attrs(Method::GET, "/api/v1/watch/namespaces/shop/pods", "");
        assert_eq!(
            (legacy.verb.as_str(), legacy.resource.as_str()),
            ("watch", "pods")
        );
        let named = attrs(
            Method::GET,
            "/api/v1/namespaces/shop/pods",
            "fieldSelector=metadata.name%3Dweb-1&watch=1",
        );
        assert_eq!(
            (named.verb.as_str(), named.name.as_str()),
            ("watch", "web-1")
        );
        let all = attrs(Method::DELETE, "/api/v1/namespaces/shop/configmaps", "");
        assert_eq!(all.verb, "deletecollection");
        let evict = attrs(
            Method::POST,
            "/api/v1/namespaces/data/pods/postgres-0/eviction",
            "",
        );
        assert_eq!(
            (evict.verb.as_str(), evict.resource_path().as_str()),
            ("create", "pods/eviction")
        );
    }

    #[test]
    fn a_namespace_is_in_itself() {
        let ns = attrs(Method::GET, "/api/v1/namespaces/shop", "");
        assert_eq!(
            (
                ns.resource.as_str(),
                ns.name.as_str(),
                ns.namespace.as_str()
            ),
            ("namespaces", "shop", "shop")
        );
        let status = attrs(Method::PUT, "/api/v1/namespaces/shop/finalize", "");
        assert_eq!(status.resource_path(), "namespaces/finalize");
        let cluster = attrs(Method::GET, "/api/v1/namespaces", "");
        assert_eq!(
            (cluster.verb.as_str(), cluster.namespace.as_str()),
            ("list", "")
        );
    }

    #[test]
    fn discovery_is_not_a_resource_request() {
        for path in [
            "/api",
            "/api/v1",
            "/apis",
            "/apis/apps/v1",
            "/version",
            "/openapi/v2",
        ] {
            let a = attrs(Method::GET, path, "");
            assert!(!a.resource_request, "{path}");
            assert_eq!(a.verb, "get");
        }
        let restart = attrs(
            Method::PUT,
            "/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/vm-1/restart",
            "",
        );
        assert_eq!(restart.resource_path(), "virtualmachines/restart");
        assert_eq!(restart.verb, "update");
        assert!(
            !attrs(
                Method::POST,
                "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                ""
            )
            .is_mutating()
        );
    }
}
