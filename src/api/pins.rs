//! The caller's pins (Quick actions) over the API.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::pins as domain;
use bosun_core::workloads::parse_kind;
use bosun_model::{ObjectRef, Pin, PinCard};
use http::StatusCode;
use serde::Deserialize;

use super::{Api, ApiError, ApiJson, ApiQuery, Data, data};
use crate::server::AppState;

/// `GET /me/pins`: every pin with its object's state now.
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
) -> Result<Data<Vec<PinCard>>, ApiError> {
    Ok(data(domain::cards(&state.ctx, &inv).await?))
}

/// `POST /me/pins` `{"cluster", "namespace", "kind", "name"}`: 201 with the pin.
pub async fn add(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiJson(target): ApiJson<ObjectRef>,
) -> Result<Response, ApiError> {
    let pin: Pin = domain::add(&state.ctx, &inv, &target).await?;
    Ok((StatusCode::CREATED, data(pin)).into_response())
}

/// `?cluster=&namespace=&kind=&name=` of the pin to remove.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinParams {
    cluster: String,
    namespace: String,
    kind: String,
    name: String,
}

/// `DELETE /me/pins?cluster=&namespace=&kind=&name=`
pub async fn remove(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiQuery(params): ApiQuery<PinParams>,
) -> Result<Data<serde_json::Value>, ApiError> {
    let target = ObjectRef::new(
        &params.cluster,
        &params.namespace,
        parse_kind(&params.kind)?,
        &params.name,
    );
    domain::remove(&state.ctx, &inv, &target).await?;
    Ok(data(serde_json::json!({ "removed": true })))
}
