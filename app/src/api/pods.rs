//! Pods: lists, details and logs.

use bosun_model::{LogOptions, ObjectRef, Page, PodDetail, PodQuery, PodRow};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;

/// A page of pods from the watch cache.
#[server(prefix = "/rpc", endpoint = "pods/list", input = Json)]
pub async fn list_pods(query: PodQuery) -> Result<Page<PodRow>, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::workloads::pods(&ui.ctx, &ui.inv, &query)
        .await
        .map_err(fail)
}

/// One pod's detail.
#[server(prefix = "/rpc", endpoint = "pods/get", input = Json)]
pub async fn fetch_pod(object: ObjectRef) -> Result<PodDetail, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    bosun_core::workloads::pod(&ui.ctx, &ui.inv, &object)
        .await
        .map_err(fail)
}

/// A pod's logs (not followed; the page follows through the REST endpoint's stream).
#[server(prefix = "/rpc", endpoint = "pods/logs", input = Json)]
pub async fn pod_logs(object: ObjectRef, options: LogOptions) -> Result<String, AppError> {
    use crate::api::ssr::{fail, ui};
    use futures::TryStreamExt;
    let ui = ui()?;
    let options = LogOptions {
        follow: false,
        ..options
    };
    let stream = bosun_core::workloads::logs(&ui.ctx, &ui.inv, &object, &options)
        .await
        .map_err(fail)?;
    let chunks: Vec<String> = stream.try_collect().await.map_err(fail)?;
    Ok(chunks.concat())
}

/// The live stream of the pod list `query` asks for.
#[must_use]
pub fn pods_stream_url(query: &PodQuery) -> String {
    let limit = query.limit.map(|l| l.to_string());
    super::list_stream_url(
        Some(&query.cluster),
        query.namespace.as_deref(),
        "pods",
        &[
            ("labelSelector", query.label_selector.as_deref()),
            ("fieldSelector", query.field_selector.as_deref()),
            ("q", query.q.as_deref()),
            ("sort", query.sort.as_deref()),
            ("limit", limit.as_deref()),
            ("continue", query.continue_token.as_deref()),
        ],
    )
}
