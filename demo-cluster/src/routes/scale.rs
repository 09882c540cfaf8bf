//! The `autoscaling/v1` Scale subresource (get, put, patch).

use std::sync::Arc;

use axum::response::Response;
use http::Method;
use serde_json::{Value, json};

use super::Req;
use super::resource::{apply_patch, get_obj, parse_body};
use crate::kinds::KindDef;
use crate::status::{ApiError, ApiResult, json_response};
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

pub fn handle(
    app: &Arc<Shared>,
    def: &KindDef,
    ns: &str,
    name: &str,
    req: &Req,
) -> ApiResult<Response> {
    let obj = get_obj(app, def, ns, name)?;
    let scale = to_scale(&obj);
    let new_scale = match req.method {
        Method::GET => return Ok(json_response(200, &scale)),
        Method::PUT => parse_body(req)?,
        Method::PATCH => {
            let scale_def = KindDef {
                custom: false,
                ..*def
            };
            apply_patch(&scale_def, &scale, req)?
        }
        _ => return Err(ApiError::method_not_allowed()),
    };
    let replicas = meta::get(&new_scale, &["spec", "replicas"])
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
    let rv = meta::s(&new_scale, &["metadata", "resourceVersion"]).to_string();
    let mut new = (*obj).clone();
    meta::set(&mut new, &["spec", "replicas"], json!(replicas));
    let expected = (req.method == Method::PUT).then_some(rv);
    let stored = app.store.replace(def.res(), new, expected.as_deref())?;
    Ok(json_response(200, &to_scale(&stored)))
}
