//! Batch restart over the API: every item authorized, carried out and audited on its own;
//! the answer lists them in the order given.

use axum::extract::State;
use bosun_core::workloads as domain;
use bosun_model::{BatchItem, BatchStatus, ObjectRef};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use super::{Api, ApiError, ApiJson, Data, data};
use crate::server::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    targets: Vec<ObjectRef>,
    #[serde(default)]
    force: bool,
}

/// The answer to a batch: every item in the order given, and counts.
#[derive(Debug, Serialize)]
pub struct BatchResult {
    items: Vec<BatchItem>,
    total: usize,
    restarted: usize,
    skipped: usize,
    failed: usize,
}

/// `POST /batch/restart` `{"targets":[{"cluster","namespace","kind","name"}],"force":false}`
pub async fn batch_restart(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiJson(body): ApiJson<BatchBody>,
) -> Result<Data<BatchResult>, ApiError> {
    domain::check_batch(&state.ctx, &inv, &body.targets).await?;
    let order = body.targets.clone();
    let mut items: Vec<BatchItem> =
        domain::restart_batch(&state.ctx, &inv, body.targets, body.force)
            .collect()
            .await;
    items.sort_by_key(|item| {
        order
            .iter()
            .position(|t| {
                t.cluster == item.cluster
                    && t.namespace == item.namespace
                    && t.kind == item.kind
                    && t.name == item.name
            })
            .unwrap_or(usize::MAX)
    });
    let count = |s: BatchStatus| items.iter().filter(|i| i.status == s).count();
    Ok(data(BatchResult {
        total: items.len(),
        restarted: count(BatchStatus::Restarted),
        skipped: count(BatchStatus::Skipped),
        failed: count(BatchStatus::Failed),
        items,
    }))
}
