//! Pods over the API: lists from the watch cache, details, deletion, events and logs
//! (streamed while following).

use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::Operation;
use bosun_core::workloads as domain;
use bosun_model::{ActionReply, EventRow, KindId, LogOptions, Page, PodDetail, PodQuery, PodRow};
use futures::StreamExt;
use serde::Deserialize;

use super::paths::{NamedPath, ScopePath};
use super::{Api, ApiError, ApiPath, ApiQuery, Data, data};
use crate::server::AppState;

/// The kind every route here serves.
const KIND: KindId = KindId::Pod;

/// `?labelSelector=&fieldSelector=&q=&limit=&continue=&sort=&watch=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PodParams {
    /// Stream the page again (a JSON line) each time it changes.
    #[serde(default)]
    watch: bool,
    #[serde(rename = "labelSelector")]
    label_selector: Option<String>,
    #[serde(rename = "fieldSelector")]
    field_selector: Option<String>,
    q: Option<String>,
    limit: Option<usize>,
    #[serde(rename = "continue")]
    continue_token: Option<String>,
    sort: Option<String>,
}

/// `GET /clusters/{cluster}/namespaces/{ns}/pods`
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ScopePath>,
    ApiQuery(p): ApiQuery<PodParams>,
) -> Result<Response, ApiError> {
    let query = PodQuery {
        cluster: path.cluster,
        namespace: (path.ns != "_all").then_some(path.ns),
        label_selector: p.label_selector,
        field_selector: p.field_selector,
        q: p.q,
        sort: p.sort,
        limit: p.limit,
        continue_token: p.continue_token,
    };
    if p.watch {
        return Ok(super::ndjson(
            domain::follow_pods(&state.ctx, &inv, &query).await?,
        ));
    }
    let page: Page<PodRow> = domain::pods(&state.ctx, &inv, &query).await?;
    Ok(data(page).into_response())
}

/// `GET .../pods/{name}`
pub async fn get(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
) -> Result<Data<PodDetail>, ApiError> {
    Ok(data(
        domain::pod(&state.ctx, &inv, &path.object(KIND)).await?,
    ))
}

/// `DELETE .../pods/{name}`
pub async fn delete(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
) -> Result<Data<ActionReply>, ApiError> {
    let op = Operation::DeletePod {
        target: path.object(KIND),
    };
    Ok(data(domain::act(&state.ctx, &inv, op).await?))
}

/// `GET .../pods/{name}/events?limit=&continue=`
pub async fn events(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
    ApiQuery(params): ApiQuery<super::workloads::PageParams>,
) -> Result<Data<Page<EventRow>>, ApiError> {
    let events = domain::events(&state.ctx, &inv, &path.object(KIND)).await?;
    Ok(data(params.page(events)?))
}

/// `?container=&tailLines=&sinceSeconds=&timestamps=&previous=&follow=&download=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogParams {
    container: Option<String>,
    #[serde(rename = "tailLines")]
    tail_lines: Option<i64>,
    #[serde(rename = "sinceSeconds")]
    since_seconds: Option<i64>,
    #[serde(default)]
    timestamps: bool,
    #[serde(default)]
    previous: bool,
    #[serde(default)]
    follow: bool,
    #[serde(default)]
    download: bool,
}

/// `GET .../pods/{name}/logs`: plain text, streamed as the container writes when
/// following; with `download=true` as an attachment named after the pod.
pub async fn logs(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamedPath>,
    ApiQuery(p): ApiQuery<LogParams>,
) -> Result<Response, ApiError> {
    let options = LogOptions {
        container: p.container.clone(),
        tail_lines: p.tail_lines,
        since_seconds: p.since_seconds,
        timestamps: p.timestamps,
        previous: p.previous,
        follow: p.follow,
    };
    let stream = domain::logs(&state.ctx, &inv, &path.object(KIND), &options).await?;
    // An error after the first bytes cannot change the status any more: it ends the
    // stream with a last line saying why.
    let body = Body::from_stream(stream.map(|chunk| {
        Ok::<_, std::convert::Infallible>(match chunk {
            Ok(text) => text,
            Err(e) => format!("\n[bosun] log stream ended: {}\n", e.public_message()),
        })
    }));
    let mut response = (
        [(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response();
    if p.download {
        let file = format!(
            "attachment; filename=\"{}{}.log\"",
            path.name,
            p.container.map(|c| format!("-{c}")).unwrap_or_default()
        );
        if let Ok(value) = http::HeaderValue::from_str(&file) {
            response
                .headers_mut()
                .insert(http::header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(response)
}
