//! Pod eviction honouring PodDisruptionBudgets.

use std::sync::Arc;

use axum::response::Response;
use serde_json::{Value, json};

use super::Req;
use super::delete::{DeleteOpts, delete_object};
use super::resource::{get_obj, parse_body};
use crate::controllers::pdb::disruptions_allowed;
use crate::kinds::{KINDS, res};
use crate::status::{ApiError, ApiResult, json_response, success};
use crate::{Shared, meta, selectors};

pub fn evict(app: &Arc<Shared>, ns: &str, name: &str, req: &Req) -> ApiResult<Response> {
    let body = parse_body(req)?;
    let def = KINDS
        .iter()
        .find(|d| d.res() == res::PODS)
        .ok_or_else(ApiError::path_not_found)?;
    // The budget check and the delete it allows are one step across evictions.
    let _guard = app
        .evictions
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let pod = get_obj(app, def, ns, name)?;
    if !meta::is_terminating(&pod) && meta::pod_ready(&pod) {
        let pods = app.store.list(res::PODS, Some(ns)).0;
        for pdb in app.store.list(res::PDBS, Some(ns)).0 {
            let sel = pdb.pointer("/spec/selector").cloned().unwrap_or(json!({}));
            if !selectors::label_selector_object_matches(&sel, meta::labels(&pod)) {
                continue;
            }
            let (allowed, healthy, desired) = disruptions_allowed(&pdb, &pods);
            if allowed <= 0 {
                return Err(ApiError::too_many_requests(
                    "Cannot evict pod as it would violate the pod's disruption budget.",
                    json!([{ "reason": "DisruptionBudget", "message": format!(
                        "The disruption budget {} needs {desired} healthy pods and has {healthy} currently", meta::name(&pdb)) }]),
                ));
            }
        }
    }
    let grace = body
        .pointer("/deleteOptions/gracePeriodSeconds")
        .and_then(Value::as_i64);
    let opts = DeleteOpts {
        grace,
        propagation: "Background".into(),
        precondition_uid: String::new(),
        precondition_rv: String::new(),
    };
    delete_object(app, def, ns, name, &opts)?;
    Ok(json_response(201, &success(201)))
}
