//! The RBAC authorizer: a request is allowed when a ClusterRoleBinding, or a RoleBinding in
//! the request's namespace, binds the user (or one of its groups, or its service account)
//! to a role with a rule matching the request. Roles and bindings are read from the store
//! on every decision, so `kubectl create rolebinding` takes effect at once.

use serde_json::Value;

use super::attributes::Attributes;
use super::users::{MASTERS_GROUP, User};
use crate::kinds::res;
use crate::meta;
use crate::store::Store;

/// An authorizer's answer. `reason` says which binding allowed the request, or (on a
/// denial) which bound roles could not be found, in the real authorizer's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}

impl Decision {
    fn allow(reason: String) -> Self {
        Self {
            allowed: true,
            reason,
        }
    }
}

/// Decides a request as the real server's authorizer chain does (the `system:masters`
/// group first, then RBAC).
#[must_use]
pub fn authorize(store: &Store, user: &User, attrs: &Attributes) -> Decision {
    if user.in_group(MASTERS_GROUP) || !attrs.resource_request {
        return Decision::allow(String::new());
    }
    let mut missing_roles = Vec::new();
    for binding in store.all(res::CLUSTER_ROLE_BINDINGS) {
        if let Some(d) = binding_allows(store, &binding, user, attrs, &mut missing_roles) {
            return d;
        }
    }
    if !attrs.namespace.is_empty() {
        for binding in store.list(res::ROLE_BINDINGS, Some(&attrs.namespace)).0 {
            if let Some(d) = binding_allows(store, &binding, user, attrs, &mut missing_roles) {
                return d;
            }
        }
    }
    let reason = match missing_roles.as_slice() {
        [] => String::new(),
        [one] => format!("RBAC: {one}"),
        many => format!("RBAC: [{}]", many.join(", ")),
    };
    Decision {
        allowed: false,
        reason,
    }
}

/// The sentence after "is forbidden: ", as `responsewriters.forbiddenMessage` builds it.
pub fn forbidden_message(user: &User, attrs: &Attributes) -> String {
    let scope = if attrs.namespace.is_empty() {
        "at the cluster scope".to_string()
    } else {
        format!("in the namespace \"{}\"", attrs.namespace)
    };
    format!(
        "User \"{}\" cannot {} resource \"{}\" in API group \"{}\" {scope}",
        user.name,
        attrs.verb,
        attrs.resource_path(),
        attrs.group
    )
}

/// Whether one binding that names the user grants the request; a binding to a missing
/// role grants nothing and is remembered for the denial's reason.
fn binding_allows(
    store: &Store,
    binding: &Value,
    user: &User,
    attrs: &Attributes,
    missing_roles: &mut Vec<String>,
) -> Option<Decision> {
    let binding_ns = meta::namespace(binding);
    let subject = binding
        .get("subjects")
        .and_then(Value::as_array)?
        .iter()
        .find(|s| applies_to(s, user, binding_ns))?;
    let role_kind = meta::s(binding, &["roleRef", "kind"]);
    let role_name = meta::s(binding, &["roleRef", "name"]);
    let role = match role_kind {
        "ClusterRole" => store.get(res::CLUSTER_ROLES, "", role_name),
        "Role" if !binding_ns.is_empty() => store.get(res::ROLES, binding_ns, role_name),
        _ => None,
    };
    let Some(role) = role else {
        let what = if role_kind == "Role" {
            "role"
        } else {
            "clusterrole"
        };
        missing_roles.push(format!(
            "{what}.rbac.authorization.k8s.io \"{role_name}\" not found"
        ));
        return None;
    };
    let granted = role
        .get("rules")
        .and_then(Value::as_array)
        .is_some_and(|rules| rules.iter().any(|r| rule_allows(r, attrs)));
    granted.then(|| Decision::allow(describe(binding, role_kind, role_name, subject)))
}

/// `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to Group "z"`.
fn describe(binding: &Value, role_kind: &str, role_name: &str, subject: &Value) -> String {
    let binding_ns = meta::namespace(binding);
    let kind = meta::s(subject, &["kind"]);
    let mut subject_name = meta::s(subject, &["name"]).to_string();
    if kind == "ServiceAccount" {
        let sa_ns = match meta::s(subject, &["namespace"]) {
            "" => binding_ns,
            ns => ns,
        };
        subject_name = format!("{subject_name}/{sa_ns}");
    }
    let source = if binding_ns.is_empty() {
        format!("ClusterRoleBinding \"{}\"", meta::name(binding))
    } else {
        format!("RoleBinding \"{}/{binding_ns}\"", meta::name(binding))
    };
    format!("RBAC: allowed by {source} of {role_kind} \"{role_name}\" to {kind} \"{subject_name}\"")
}

/// Whether a binding subject names the user (`appliesToUser`).
fn applies_to(subject: &Value, user: &User, binding_ns: &str) -> bool {
    let name = meta::s(subject, &["name"]);
    match meta::s(subject, &["kind"]) {
        "User" => user.name == name,
        "Group" => user.in_group(name),
        "ServiceAccount" => {
            let ns = match meta::s(subject, &["namespace"]) {
                "" => binding_ns,
                ns => ns,
            };
            !ns.is_empty() && user.name == format!("system:serviceaccount:{ns}:{name}")
        }
        _ => false,
    }
}

fn strings(rule: &Value, field: &str) -> Vec<String> {
    rule.get(field)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// `RuleAllows` for resource requests: verb, API group, resource (with `*/subresource`
/// wildcards) and resourceNames must all match.
fn rule_allows(rule: &Value, attrs: &Attributes) -> bool {
    let any = |field: &str, want: &str| strings(rule, field).iter().any(|v| v == "*" || v == want);
    let combined = attrs.resource_path();
    let resource_matches = strings(rule, "resources").iter().any(|r| {
        r == "*"
            || *r == combined
            || (!attrs.subresource.is_empty()
                && r.strip_prefix("*/") == Some(attrs.subresource.as_str()))
    });
    let names = strings(rule, "resourceNames");
    any("verbs", &attrs.verb)
        && any("apiGroups", &attrs.group)
        && resource_matches
        && (names.is_empty() || names.contains(&attrs.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::Query;
    use http::Method;
    use serde_json::json;

    const RBAC: &str = "rbac.authorization.k8s.io";

    fn user(name: &str, groups: &[&str]) -> User {
        User {
            name: name.into(),
            groups: groups.iter().map(|g| (*g).to_string()).collect(),
            mutations_per_minute: None,
        }
    }

    fn put(store: &Store, r: crate::kinds::Res, obj: Value) {
        store.create(r, obj).expect("stored");
    }

    fn world() -> Store {
        let store = Store::new(100);
        put(
            &store,
            res::CLUSTER_ROLES,
            json!({ "metadata": { "name": "reader" }, "rules": [{ "apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"] }] }),
        );
        put(
            &store,
            res::CLUSTER_ROLE_BINDINGS,
            json!({ "metadata": { "name": "readers" }, "roleRef": { "kind": "ClusterRole", "name": "reader" }, "subjects": [{ "kind": "Group", "name": "viewers", "apiGroup": RBAC }] }),
        );
        put(
            &store,
            res::ROLES,
            json!({ "metadata": { "name": "scaler", "namespace": "shop" }, "rules": [
                { "apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["patch"], "resourceNames": ["web"] },
                { "apiGroups": [""], "resources": ["*/log"], "verbs": ["get"] },
            ] }),
        );
        put(
            &store,
            res::ROLE_BINDINGS,
            json!({ "metadata": { "name": "ci", "namespace": "shop" }, "roleRef": { "kind": "Role", "name": "scaler" }, "subjects": [
                { "kind": "User", "name": "ci-bot" }, { "kind": "ServiceAccount", "name": "deployer" },
            ] }),
        );
        put(
            &store,
            res::ROLE_BINDINGS,
            json!({ "metadata": { "name": "dangling", "namespace": "data" }, "roleRef": { "kind": "ClusterRole", "name": "gone" }, "subjects": [{ "kind": "User", "name": "ci-bot" }] }),
        );
        store
    }

    fn decide(store: &Store, u: &User, method: Method, path: &str) -> Decision {
        authorize(
            store,
            u,
            &Attributes::from_request(&method, path, &Query::default()),
        )
    }

    #[test]
    fn groups_bound_by_cluster_role_bindings_may_read_but_not_write() {
        let store = world();
        let viewer = user("demo-viewer", &["viewers"]);
        let read = decide(&store, &viewer, Method::GET, "/api/v1/namespaces/shop/pods");
        assert_eq!(
            read,
            Decision::allow(
                "RBAC: allowed by ClusterRoleBinding \"readers\" of ClusterRole \"reader\" to Group \"viewers\"".into()
            )
        );
        let web = "/apis/apps/v1/namespaces/shop/deployments/web";
        assert!(!decide(&store, &viewer, Method::PATCH, web).allowed);
        let attrs = Attributes::from_request(&Method::PATCH, web, &Query::default());
        assert_eq!(
            forbidden_message(&viewer, &attrs),
            "User \"demo-viewer\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"shop\""
        );
        let nodes =
            Attributes::from_request(&Method::DELETE, "/api/v1/nodes/node-1", &Query::default());
        assert!(
            forbidden_message(&viewer, &nodes).ends_with("in API group \"\" at the cluster scope")
        );
        assert!(decide(&store, &user("x", &[]), Method::GET, "/version").allowed);
        assert!(decide(&store, &user("root", &[MASTERS_GROUP]), Method::DELETE, web).allowed);
    }

    #[test]
    fn role_bindings_apply_in_their_namespace_with_resource_names_and_subresources() {
        let store = world();
        let ci = user("ci-bot", &[]);
        let scale = "/apis/apps/v1/namespaces/shop/deployments/web/scale";
        assert!(decide(&store, &ci, Method::PATCH, scale).allowed);
        assert!(
            !decide(
                &store,
                &ci,
                Method::PATCH,
                "/apis/apps/v1/namespaces/shop/deployments/api/scale"
            )
            .allowed
        );
        assert!(
            !decide(
                &store,
                &ci,
                Method::PATCH,
                "/apis/apps/v1/namespaces/shop/deployments/web"
            )
            .allowed
        );
        assert!(
            decide(
                &store,
                &ci,
                Method::GET,
                "/api/v1/namespaces/shop/pods/web-1/log"
            )
            .allowed
        );
        assert!(
            !decide(
                &store,
                &ci,
                Method::GET,
                "/api/v1/namespaces/data/pods/web-1/log"
            )
            .allowed
        );
        let sa = user("system:serviceaccount:shop:deployer", &[]);
        assert!(decide(&store, &sa, Method::PATCH, scale).allowed);
        let dangling = decide(&store, &ci, Method::GET, "/api/v1/namespaces/data/pods");
        assert_eq!(
            dangling.reason,
            "RBAC: clusterrole.rbac.authorization.k8s.io \"gone\" not found"
        );
    }
}
