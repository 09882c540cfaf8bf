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
