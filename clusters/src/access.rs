//! "Who can": what a user, group or service account may do in a namespace, read from the
//! RBAC objects in the watch caches as the API server's authorizer reads them: the
//! RoleBindings of that namespace and every ClusterRoleBinding, including the groups
//! every authenticated caller (and every service account) belongs to.

use std::time::Duration;

use bosun_core::{Error, Result};
use bosun_model::{AccessQuery, AccessReport, KindId, Section};
use serde_json::Value;

use crate::cluster::Cluster;
use crate::json;
use crate::rows::{as_json, sections::rules_section};

const PATIENCE: Duration = Duration::from_secs(10);

async fn objects(cluster: &Cluster, kind: KindId) -> Result<Vec<Value>> {
    let cache = cluster.ready_cache(kind, PATIENCE).await?;
    Ok(cache
        .objects()
        .unwrap_or_default()
        .iter()
        .map(|o| as_json(o))
        .collect())
}

/// The (kind, name, namespace) a binding's subject must have to be the caller, with the
/// groups the API server adds on its own.
fn identities(q: &AccessQuery, sa_namespace: &str) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    match q.kind.as_str() {
        "User" => out.push(("User", q.name.clone(), String::new())),
        "Group" => out.push(("Group", q.name.clone(), String::new())),
        _ => {
            out.push(("ServiceAccount", q.name.clone(), sa_namespace.to_string()));
            // A service account is also the user system:serviceaccount:<ns>:<name>.
            out.push((
                "User",
                format!("system:serviceaccount:{sa_namespace}:{}", q.name),
                String::new(),
            ));
            out.push(("Group", "system:serviceaccounts".into(), String::new()));
            out.push((
                "Group",
                format!("system:serviceaccounts:{sa_namespace}"),
                String::new(),
            ));
        }
    }
    if q.kind == "User" && q.name == "system:anonymous" {
        out.push(("Group", "system:unauthenticated".into(), String::new()));
    } else if q.kind != "Group" {
        out.push(("Group", "system:authenticated".into(), String::new()));
    }
    out
}

fn binds(
    binding: &Value,
    who: &[(&'static str, String, String)],
    binding_ns: &str,
) -> Option<String> {
    json::array(binding, "/subjects").iter().find_map(|s| {
        let kind = json::str(s, "/kind");
        let name = json::str(s, "/name");
        let ns = match json::str(s, "/namespace") {
            "" if kind == "ServiceAccount" => binding_ns,
            ns => ns,
        };
        who.iter()
            .find(|(k, n, wanted_ns)| {
                *k == kind && n == name && (wanted_ns.is_empty() || wanted_ns == ns)
            })
            .map(|(k, n, _)| format!("{k} {n}"))
    })
}

/// What the subject may do in `q.namespace`.
///
/// # Errors
/// 400 for an unknown subject kind or an empty name; the RBAC caches' errors.
pub async fn access(cluster: &Cluster, q: &AccessQuery) -> Result<AccessReport> {
    if !matches!(q.kind.as_str(), "User" | "Group" | "ServiceAccount") {
        return Err(Error::BadRequest(format!(
            "subject kind {:?} is not one RBAC binds: User, Group or ServiceAccount",
            q.kind
        )));
    }
    if q.name.trim().is_empty() {
        return Err(Error::BadRequest("the subject needs a name".into()));
    }
    if q.kind == "ServiceAccount" && q.namespace.is_empty() && q.subject_namespace.is_empty() {
        return Err(Error::BadRequest(
            "a service account lives in a namespace: give namespace or subjectNamespace".into(),
        ));
    }
    let sa_namespace = if q.subject_namespace.is_empty() {
        q.namespace.as_str()
    } else {
        q.subject_namespace.as_str()
    };
    let who = identities(q, sa_namespace);
    let roles = objects(cluster, KindId::Role).await?;
    let cluster_roles = objects(cluster, KindId::ClusterRole).await?;
    let role_named = |kind: &str, name: &str, ns: &str| -> Option<&Value> {
        match kind {
            "Role" => roles.iter().find(|r| {
                json::str(r, "/metadata/name") == name && json::str(r, "/metadata/namespace") == ns
            }),
            _ => cluster_roles
                .iter()
                .find(|r| json::str(r, "/metadata/name") == name),
        }
    };
    let mut grants: Vec<Section> = Vec::new();
    let mut notes = Vec::new();
    let mut add = |binding_kind: &str, binding: &Value, via: String, scope: &str| {
        let (role_kind, role_name) = (
            json::str(binding, "/roleRef/kind"),
            json::str(binding, "/roleRef/name"),
        );
        let binding_ns = json::str(binding, "/metadata/namespace");
        let title = format!(
            "{binding_kind} {}{} → {role_kind} {role_name} ({scope}, as {via})",
            if binding_ns.is_empty() {
                String::new()
            } else {
                format!("{binding_ns}/")
            },
            json::str(binding, "/metadata/name"),
        );
        match role_named(role_kind, role_name, binding_ns) {
            Some(role) => {
                if role.get("aggregationRule").is_some() {
                    notes.push(format!(
                        "ClusterRole {role_name} is aggregated: its rules are those the cluster has gathered into it"
                    ));
                }
                grants.push(rules_section(&title, role));
            }
            None => grants.push(
                Section::new(&title, &["API groups", "Resources", "Resource names", "Verbs"])
                    .with_note(&format!("{role_kind} {role_name} does not exist: this binding grants nothing until it does")),
            ),
        }
    };
    for binding in objects(cluster, KindId::ClusterRoleBinding).await? {
        if let Some(via) = binds(&binding, &who, "") {
            add("ClusterRoleBinding", &binding, via, "cluster-wide");
        }
    }
    if !q.namespace.is_empty() {
        for binding in objects(cluster, KindId::RoleBinding).await? {
            let ns = json::str(&binding, "/metadata/namespace");
            if ns == q.namespace
                && let Some(via) = binds(&binding, &who, ns)
            {
                add("RoleBinding", &binding, via, &format!("in namespace {ns}"));
            }
        }
    }
    if grants.is_empty() {
        notes.push("no binding names this subject or its groups: it may do nothing here".into());
    }
    let subject = match q.kind.as_str() {
        "ServiceAccount" => format!("ServiceAccount {sa_namespace}/{}", q.name),
        kind => format!("{kind} {}", q.name),
    };
    Ok(AccessReport {
        subject,
        namespace: q.namespace.clone(),
        grants,
        notes,
    })
}
