//! The Events page: events of one or every cluster, filtered and paged from a watch
//! cache, and followed live (the page again each time the events change).

use bosun_model::{EventQuery, EventRow, KindId, Page};
use futures::Stream;

use crate::actions::read;
use crate::authz::Target;
use crate::request::Invocation;
use crate::workloads::{list_receivers, live_page, visibility};
use crate::{Context, Result};

fn scope(query: &EventQuery) -> Target {
    Target::scope(
        query
            .cluster
            .as_deref()
            .filter(|c| *c != "_all")
            .unwrap_or(""),
        query
            .namespace
            .as_deref()
            .filter(|n| *n != "_all")
            .unwrap_or(""),
    )
}

/// A page of events the caller may read: warnings first, then the newest.
pub async fn list(ctx: &Context, inv: &Invocation, query: &EventQuery) -> Result<Page<EventRow>> {
    read(ctx, inv, scope(query), async {
        if let Some(ns) = query.namespace.as_deref().filter(|n| *n != "_all") {
            crate::clusters::validate_namespace(ns)?;
        }
        ctx.clusters.event_list(query, &visibility(inv)).await
    })
    .await
}

/// [`list`], followed live.
pub async fn follow(
    ctx: &Context,
    inv: &Invocation,
    query: &EventQuery,
) -> Result<impl Stream<Item = Result<Page<EventRow>>> + Send + 'static> {
    // The first look starts the events' watch; its changes are followed from then on.
    list(ctx, inv, query).await?;
    let cluster = query.cluster.clone().filter(|c| c != "_all");
    let receivers = list_receivers(ctx, cluster.as_deref(), &[KindId::Event]);
    let first = list(ctx, inv, query).await?;
    let (backend, inv, query) = (ctx.clusters.clone(), inv.clone(), query.clone());
    Ok(live_page(cluster.as_deref(), receivers, first, move || {
        backend.event_list_now(&query, &visibility(&inv))
    }))
}
