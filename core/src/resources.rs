//! The Resources pages (network, storage, config, access control, namespaces): lists and
//! details authorized like every read, a Secret's value revealed only to those allowed
//! and audited, and namespaces created through the one action call.

use std::collections::BTreeMap;

use bosun_model::{
    Action, ActionReply, KindId, ObjectRef, Page, ResourceDetail, ResourceQuery, ResourceRow,
    SecretValue,
};
use futures::Stream;
use serde_json::json;

use crate::actions::{detached, perform, read};
use crate::authz::Target;
use crate::backend::Operation;
use crate::request::Invocation;
use crate::workloads::{act, list_receivers, live_page, validate_ref, visibility};
use crate::{Context, Error, Result};

fn resource_kind(kind: KindId) -> Result<()> {
    if kind.info().category.is_resource() {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "{kind} have a page of their own: this call serves {}",
            KindId::resources()
                .map(KindId::route)
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// A page of one Resources kind, holding only what the caller may read.
pub async fn list(
    ctx: &Context,
    inv: &Invocation,
    query: &ResourceQuery,
) -> Result<Page<ResourceRow>> {
    let target = Target::scope(
        query.cluster.as_deref().unwrap_or(""),
        query.namespace.as_deref().unwrap_or(""),
    );
    read(ctx, inv, target, async {
        resource_kind(query.kind)?;
        if let Some(ns) = query.namespace.as_deref().filter(|n| *n != "_all") {
            crate::clusters::validate_namespace(ns)?;
        }
        ctx.clusters.resources(query, &visibility(inv)).await
    })
    .await
}

/// The caches a live page of `kind` is made of: the kind itself, and for namespaces what
/// their rows count (pods, workloads, quota usage).
fn followed_kinds(kind: KindId) -> Vec<KindId> {
    let mut kinds = vec![kind];
    if kind == KindId::Namespace {
        kinds.extend([KindId::Pod, KindId::ResourceQuota]);
        kinds.extend(KindId::workloads());
    }
    kinds
}

/// [`list`], followed live: the page again each time it changes.
pub async fn follow(
    ctx: &Context,
    inv: &Invocation,
    query: &ResourceQuery,
) -> Result<impl Stream<Item = Result<Page<ResourceRow>>> + Send + 'static> {
    // The first look authorizes and starts the kind's watch; its changes count from then.
    list(ctx, inv, query).await?;
    let cluster = query.cluster.clone().filter(|c| c != "_all");
    let receivers = list_receivers(ctx, cluster.as_deref(), &followed_kinds(query.kind));
    let first = list(ctx, inv, query).await?;
    let (backend, inv, query) = (ctx.clusters.clone(), inv.clone(), query.clone());
    Ok(live_page(cluster.as_deref(), receivers, first, move || {
        backend.resources_now(&query, &visibility(&inv))
    }))
}

/// One object of a Resources kind.
pub async fn detail(ctx: &Context, inv: &Invocation, object: &ObjectRef) -> Result<ResourceDetail> {
    read(ctx, inv, Target::object(object), async {
        validate_ref(object)?;
        resource_kind(object.kind)?;
        ctx.clusters.resource(object).await
    })
    .await
}

/// A Secret key as the API server allows it: letters, digits, `-`, `_`, `.`.
fn validate_secret_key(key: &str) -> Result<()> {
    let ok = !key.is_empty()
        && key.len() <= 253
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "key {key:?} is invalid: a Secret key is made of letters, digits, '-', '_' and '.'"
        )))
    }
}

/// One value of a Secret, read from the cluster now: operators and up, and audited
/// (`secret.reveal`, with the key; never the value).
pub async fn reveal(
    ctx: &Context,
    inv: &Invocation,
    object: &ObjectRef,
    key: &str,
) -> Result<SecretValue> {
    let (ctx, inv, object, key) = (ctx.clone(), inv.clone(), object.clone(), key.to_string());
    detached(async move {
        perform(
            &ctx,
            &inv,
            Action::SecretReveal,
            &Target::object(&object),
            json!({ "key": key }),
            |_| async {
                validate_ref(&object)?;
                if object.kind != KindId::Secret {
                    return Err(Error::BadRequest(format!(
                        "only secrets have values to reveal (got {})",
                        object.kind
                    )));
                }
                validate_secret_key(&key)?;
                ctx.clusters.secret_value(&object, &key).await
            },
        )
        .await
    })
    .await
}

/// "Who can": what a user, group or service account may do in a namespace.
pub async fn access(
    ctx: &Context,
    inv: &Invocation,
    query: &bosun_model::AccessQuery,
) -> Result<bosun_model::AccessReport> {
    read(
        ctx,
        inv,
        Target::scope(&query.cluster, &query.namespace),
        async {
            crate::clusters::validate_cluster_name(&query.cluster)?;
            for ns in [&query.namespace, &query.subject_namespace] {
                if !ns.is_empty() {
                    crate::clusters::validate_namespace(ns)?;
                }
            }
            ctx.clusters.access(query).await
        },
    )
    .await
}

/// Creates a namespace with labels.
pub async fn create_namespace(
    ctx: &Context,
    inv: &Invocation,
    cluster: &str,
    name: &str,
    labels: BTreeMap<String, String>,
) -> Result<ActionReply> {
    let target = ObjectRef::new(cluster, "", KindId::Namespace, name);
    act(ctx, inv, Operation::CreateNamespace { target, labels }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_follow_the_api_servers_rule() {
        assert!(validate_secret_key("tls.crt").is_ok());
        assert!(validate_secret_key(".dockerconfigjson").is_ok());
        assert!(validate_secret_key("a/b").is_err());
        assert!(validate_secret_key("").is_err());
    }
}
