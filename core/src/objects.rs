//! Objects as the API server returns them, for APIs that promise raw Kubernetes objects
//! (the Kruise Dashboard compatible routes): authorized like every read, served from the
//! watch caches.

use bosun_model::{KindId, ObjectRef};
use serde_json::Value;

use crate::actions::read;
use crate::authz::Target;
use crate::backend::ClusterMetrics;
use crate::request::Invocation;
use crate::workloads::{validate_ref, visibility};
use crate::{Context, Result};

/// One object.
pub async fn get(ctx: &Context, inv: &Invocation, object: &ObjectRef) -> Result<Value> {
    read(ctx, inv, Target::object(object), async {
        validate_ref(object)?;
        ctx.clusters.raw_object(object)
    })
    .await
}

/// Every object of a kind in one namespace (or every namespace) that the caller may read.
pub async fn list(
    ctx: &Context,
    inv: &Invocation,
    cluster: &str,
    namespace: Option<&str>,
    kind: KindId,
) -> Result<Vec<Value>> {
    let target = Target::scope(cluster, namespace.unwrap_or(""));
    read(ctx, inv, target, async {
        if let Some(ns) = namespace {
            crate::clusters::validate_namespace(ns)?;
        }
        let visible = visibility(inv);
        Ok(ctx
            .clusters
            .raw_objects(cluster, namespace, kind)?
            .into_iter()
            .filter(|o| {
                visible(
                    cluster,
                    o.pointer("/metadata/namespace")
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                )
            })
            .collect())
    })
    .await
}

/// The pods of a workload.
pub async fn pods_of(ctx: &Context, inv: &Invocation, object: &ObjectRef) -> Result<Vec<Value>> {
    read(ctx, inv, Target::object(object), async {
        validate_ref(object)?;
        ctx.clusters.raw_pods_of(object)
    })
    .await
}

/// Node and pod counts and usage of a cluster.
pub async fn metrics(ctx: &Context, inv: &Invocation, cluster: &str) -> Result<ClusterMetrics> {
    read(
        ctx,
        inv,
        Target::cluster(cluster),
        ctx.clusters.metrics(cluster),
    )
    .await
}
