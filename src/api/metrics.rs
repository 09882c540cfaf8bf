//! CPU and memory usage over the API, as the console's sampler keeps it: the latest
//! reading and the last hours of samples.

use axum::extract::State;
use bosun_core::metrics as domain;
use bosun_model::{NodeUsage, PodUsage, PodUsageQuery, UsageReport};
use serde::Deserialize;

use super::{Api, ApiError, ApiPath, ApiQuery, Data, data};
use crate::server::AppState;

/// `/clusters/{cluster}/metrics/...`
#[derive(Debug, Deserialize)]
pub struct ClusterPath {
    cluster: String,
}

/// `?name=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeParams {
    name: Option<String>,
}

/// `GET /clusters/{c}/metrics/nodes[?name=]`: every node's usage against its allocatable
/// capacity, each with its history.
pub async fn nodes(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ClusterPath>,
    ApiQuery(params): ApiQuery<NodeParams>,
) -> Result<Data<UsageReport<NodeUsage>>, ApiError> {
    Ok(data(
        domain::nodes(&state.ctx, &inv, &path.cluster, params.name.as_deref()).await?,
    ))
}

/// `GET /clusters/{c}/metrics/pods?namespace=&name=&limit=`: pods busiest first against
/// their requests and limits; one pod (`name`) with its history.
pub async fn pods(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ClusterPath>,
    ApiQuery(query): ApiQuery<PodUsageQuery>,
) -> Result<Data<UsageReport<PodUsage>>, ApiError> {
    Ok(data(
        domain::pods(&state.ctx, &inv, &path.cluster, &query).await?,
    ))
}
