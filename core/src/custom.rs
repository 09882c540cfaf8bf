//! Custom resources and other kinds the kind table does not know: which a cluster serves,
//! a page of one, and one object, each authorized like every read and filtered to the
//! namespaces the caller may read.

use bosun_model::{ApiKind, ApiKindRef, CustomList, CustomObject, CustomQuery};

use crate::actions::read;
use crate::authz::Target;
use crate::clusters::{ensure_connected, validate_namespace};
use crate::request::Invocation;
use crate::workloads::{validate_object_name, visibility};
use crate::{Context, Error, Result};

/// A group, version or plural as a path segment: lower-case letters, digits, `-`, `.`.
fn validate_segment(what: &str, value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 253
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "{what} {value:?} is invalid: it is made of lower-case letters, digits, '-' and '.'"
        )))
    }
}

fn validate_kind(kind: &ApiKindRef) -> Result<()> {
    validate_segment("group", &kind.group)?;
    validate_segment("version", &kind.version)?;
    validate_segment("resource", &kind.plural)
}

/// The kinds `cluster` serves that have no page of their own, from discovery.
pub async fn kinds(ctx: &Context, inv: &Invocation, cluster: &str) -> Result<Vec<ApiKind>> {
    read(ctx, inv, Target::scope(cluster, ""), async {
        ensure_connected(ctx, cluster)?;
        ctx.clusters.api_kinds(cluster).await
    })
    .await
}

/// The discovered kind a resource name means on `cluster`, read as kubectl reads one: its
/// plural (`certificates`) or plural and group (`certificates.cert-manager.io`). Lets the
/// REST paths of Bosun's own kinds (`/clusters/{c}/namespaces/{ns}/{plural}`) serve every
/// custom resource too.
///
/// Returns the kind and whether it is namespaced.
///
/// # Errors
/// 404 when the cluster serves nothing of that name; 400 when the plural alone names
/// kinds of several groups (the message lists them, to pick one).
pub async fn by_resource_name(
    ctx: &Context,
    inv: &Invocation,
    cluster: &str,
    name: &str,
) -> Result<(ApiKindRef, bool)> {
    // `deployments.apps` is Bosun's own kind; `nodes.metrics.k8s.io` is not.
    if let Some((plural, group)) = name.split_once('.')
        && plural
            .parse::<bosun_model::KindId>()
            .is_ok_and(|k| k.info().group == group)
    {
        return Err(Error::BadRequest(format!(
            "{name:?} is one of Bosun's own kinds: name it {plural:?} in the path"
        )));
    }
    let served = kinds(ctx, inv, cluster).await?;
    let kind = pick(&served, cluster, name)?;
    let found = ApiKindRef {
        cluster: cluster.to_string(),
        group: kind.group_segment().to_string(),
        version: kind.version.clone(),
        plural: kind.plural.clone(),
    };
    Ok((found, kind.namespaced))
}

/// The one kind of `served` that `name` means (see [`by_resource_name`]).
fn pick<'a>(served: &'a [ApiKind], cluster: &str, name: &str) -> Result<&'a ApiKind> {
    let found: Vec<&ApiKind> = served
        .iter()
        .filter(|k| k.plural == name || k.resource_name() == name)
        .collect();
    match found.as_slice() {
        [kind] => Ok(kind),
        [] => Err(Error::NotFound(format!(
            "{name:?} is neither one of Bosun's kinds nor a resource cluster {cluster} serves \
             (GET /api/v1/clusters/{cluster}/api-kinds lists what it serves)"
        ))),
        several => Err(Error::BadRequest(format!(
            "{name:?} names resources of several API groups on cluster {cluster}: use one of {}",
            several
                .iter()
                .map(|k| k.resource_name())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// A page of one discovered kind, holding only what the caller may read.
pub async fn list(
    ctx: &Context,
    inv: &Invocation,
    kind: &ApiKindRef,
    query: &CustomQuery,
) -> Result<CustomList> {
    let namespace = query.namespace.as_deref().filter(|n| *n != "_all");
    read(
        ctx,
        inv,
        Target::scope(&kind.cluster, namespace.unwrap_or("")),
        async {
            ensure_connected(ctx, &kind.cluster)?;
            validate_kind(kind)?;
            if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
                validate_namespace(ns)?;
            }
            ctx.clusters
                .custom_list(kind, query, &visibility(inv))
                .await
        },
    )
    .await
}

/// One object of a discovered kind (`namespace` empty or `_` for a cluster-scoped one).
pub async fn object(
    ctx: &Context,
    inv: &Invocation,
    kind: &ApiKindRef,
    namespace: &str,
    name: &str,
) -> Result<CustomObject> {
    let namespace = if namespace == "_" { "" } else { namespace };
    read(ctx, inv, Target::scope(&kind.cluster, namespace), async {
        ensure_connected(ctx, &kind.cluster)?;
        validate_kind(kind)?;
        if !namespace.is_empty() {
            validate_namespace(namespace)?;
        }
        validate_object_name(name)?;
        ctx.clusters.custom_object(kind, namespace, name).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(group: &str, plural: &str) -> ApiKind {
        ApiKind {
            group: group.into(),
            version: "v1".into(),
            kind: "Whatever".into(),
            plural: plural.into(),
            namespaced: true,
        }
    }

    #[test]
    fn a_resource_name_is_a_plural_or_a_plural_with_its_group() {
        let served = [
            kind("cert-manager.io", "certificates"),
            kind("acme.example.com", "certificates"),
            kind("cert-manager.io", "issuers"),
        ];
        assert_eq!(pick(&served, "c", "issuers").unwrap().plural, "issuers");
        let named = pick(&served, "c", "certificates.acme.example.com").unwrap();
        assert_eq!(named.group, "acme.example.com");
        let Err(Error::BadRequest(why)) = pick(&served, "c", "certificates") else {
            panic!("two groups serve certificates");
        };
        assert!(
            why.contains("certificates.cert-manager.io, certificates.acme.example.com"),
            "{why}"
        );
        assert!(matches!(
            pick(&served, "c", "widgets"),
            Err(Error::NotFound(_))
        ));
    }
}
