//! The `autoscaling/v1` Scale subresource (get, put, patch).

use std::sync::Arc;

use axum::response::Response;
use http::Method;
use serde_json::{Value, json};

use super::Req;
use super::resource::{apply_patch, get_obj, parse_body};
use crate::kinds::KindDef;
use crate::status::{ApiError, ApiResult, json_response};
use crate::store::UPDATE_ATTEMPTS;
use crate::{Shared, meta, selectors};

fn to_scale(obj: &Value) -> Value {
    let selector = meta::get(obj, &["spec", "selector"])
        .map(selectors::selector_string)
        .unwrap_or_default();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta::name(obj),
            "namespace": meta::namespace(obj),
            "uid": meta::uid(obj),
            "resourceVersion": meta::s(obj, &["metadata", "resourceVersion"]),
            "creationTimestamp": meta::s(obj, &["metadata", "creationTimestamp"]),
        },
        "spec": { "replicas": meta::i(obj, &["spec", "replicas"]) },
        "status": { "replicas": meta::i(obj, &["status", "replicas"]), "selector": selector },
    })
}

/// GET, PUT or PATCH of a Scale. A PUT's resourceVersion is its precondition; a PATCH
/// (or a PUT without one) goes to the latest object, read again after a lost race, so
/// only `spec.replicas` changes and nothing written meanwhile is lost.
pub fn handle(
    app: &Arc<Shared>,
    def: &KindDef,
    ns: &str,
    name: &str,
    req: &Req,
) -> ApiResult<Response> {
    if !matches!(req.method, Method::GET | Method::PUT | Method::PATCH) {
        return Err(ApiError::method_not_allowed());
    }
    for _ in 0..UPDATE_ATTEMPTS {
        let obj = get_obj(app, def, ns, name)?;
        let scale = to_scale(&obj);
        let new_scale = match req.method {
            Method::GET => return Ok(json_response(200, &scale)),
            Method::PUT => parse_body(req)?,
            _ => {
                let scale_def = KindDef {
                    custom: false,
                    ..*def
                };
                apply_patch(&scale_def, &scale, req)?
            }
        };
        let replicas = replicas_of(&new_scale, name)?;
        let old_rv = meta::s(&obj, &["metadata", "resourceVersion"]).to_string();
        let sent_rv = meta::s(&new_scale, &["metadata", "resourceVersion"]).to_string();
        let ours = sent_rv.is_empty() || sent_rv == old_rv;
        let expected = if ours { old_rv } else { sent_rv };
        let mut new = (*obj).clone();
        meta::set(&mut new, &["spec", "replicas"], json!(replicas));
        match app.store.replace(def.res(), new, Some(&expected)) {
            Err(e) if ours && e.reason == "Conflict" => {}
            Err(e) => return Err(e),
            Ok(stored) => return Ok(json_response(200, &to_scale(&stored))),
        }
    }
    Err(ApiError::conflict(def.group, def.plural, name))
}

/// `spec.replicas` of a Scale, refused (422) outside 0..=i32::MAX as the real server does.
fn replicas_of(scale: &Value, name: &str) -> ApiResult<i64> {
    let replicas = meta::get(scale, &["spec", "replicas"])
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::bad_request("spec.replicas is required"))?;
    if replicas < 0 || replicas > i64::from(i32::MAX) {
        let bound = if replicas < 0 {
            "must be greater than or equal to 0".to_string()
        } else {
            format!("must be less than or equal to {}", i32::MAX)
        };
        return Err(ApiError::invalid(
            "autoscaling",
            "Scale",
            name,
            "spec.replicas",
            &format!("Invalid value: {replicas}: {bound}"),
        ));
    }
    Ok(replicas)
}
