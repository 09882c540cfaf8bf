//! `SelfSubjectAccessReview`: "may I?" answered by the same authorizer that admits
//! requests, for the requesting user (what `kubectl auth can-i` and a console's
//! enabled/disabled buttons ask).

use std::sync::Arc;

use axum::response::Response;
use http::Method;
use serde_json::{Value, json};

use super::Req;
use super::resource::{parse_body, require_object};
use crate::access::{Attributes, authorize};
use crate::status::{ApiError, ApiResult, json_response};
use crate::{Shared, meta};

pub fn create(app: &Arc<Shared>, req: &Req) -> ApiResult<Response> {
    if req.method != Method::POST {
        return Err(ApiError::method_not_allowed());
    }
    let mut review = parse_body(req)?;
    require_object(&review)?;
    let attrs = attributes(&review)?;
    let decision = authorize(&app.store, &req.user, &attrs);
    let mut status = json!({ "allowed": decision.allowed });
    if !decision.reason.is_empty() {
        status["reason"] = json!(decision.reason);
    }
    review["status"] = status;
    Ok(json_response(201, &review))
}

/// The attributes asked about: exactly one of `resourceAttributes` and
/// `nonResourceAttributes`, as the real validation demands.
fn attributes(review: &Value) -> ApiResult<Attributes> {
    let field = |path: &[&str]| meta::s(review, path).to_string();
    let resource = review
        .pointer("/spec/resourceAttributes")
        .filter(|v| v.is_object());
    let non_resource = review
        .pointer("/spec/nonResourceAttributes")
        .filter(|v| v.is_object());
    match (resource, non_resource) {
        (Some(_), None) => {
            let ra = |f: &str| field(&["spec", "resourceAttributes", f]);
            Ok(Attributes {
                verb: ra("verb"),
                resource_request: true,
                path: String::new(),
                group: ra("group"),
                namespace: ra("namespace"),
                resource: ra("resource"),
                subresource: ra("subresource"),
                name: ra("name"),
            })
        }
        (None, Some(_)) => Ok(Attributes {
            verb: field(&["spec", "nonResourceAttributes", "verb"]),
            path: field(&["spec", "nonResourceAttributes", "path"]),
            ..Attributes::default()
        }),
        _ => Err(ApiError::invalid(
            "authorization.k8s.io",
            "SelfSubjectAccessReview",
            "",
            "spec.resourceAttributes",
            "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )),
    }
}
