//! `metav1.Status` errors with the reasons and codes the real API server uses, so clients
//! (kubectl, kube-rs) classify them the same way.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::{Value, json};

/// A failed API call, rendered as a `Status` object.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
    /// Seconds for the `Retry-After` header (throttling), as the real server sends it.
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = std::result::Result<T, ApiError>;

fn details(name: &str, group: &str, kind: &str) -> Value {
    let mut d = json!({ "name": name, "kind": kind });
    if !group.is_empty() {
        d["group"] = json!(group);
    }
    d
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    /// No or unknown credentials (the body carries no details, as on the real server).
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// An authorizer's denial, as `apierrors.NewForbidden` words it: `why` is the
    /// "User ... cannot ..." sentence. A collection request has no name.
    pub fn forbidden(group: &str, resource: &str, name: &str, why: &str) -> Self {
        let q = qualified(group, resource);
        let message = if name.is_empty() {
            format!("{q} is forbidden: {why}")
        } else {
            format!("{q} \"{name}\" is forbidden: {why}")
        };
        let mut d = json!({ "kind": resource });
        if !name.is_empty() {
            d["name"] = json!(name);
        }
        if !group.is_empty() {
            d["group"] = json!(group);
        }
        let mut e = Self::new(403, "Forbidden", message);
        e.details = Some(d);
        e
    }

    /// An aggregated API whose backend does not answer.
    pub fn service_unavailable() -> Self {
        Self::new(
            503,
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        )
    }

    /// API Priority and Fairness turning a request away: retry after `seconds`.
    pub fn throttled(seconds: u64) -> Self {
        let mut e = Self::new(
            429,
            "TooManyRequests",
            "Too many requests, please try again later.",
        );
        e.details = Some(json!({ "retryAfterSeconds": seconds }));
        e.retry_after = Some(seconds);
        e
    }

    pub fn not_found(group: &str, plural: &str, name: &str) -> Self {
        let q = qualified(group, plural);
        let mut e = Self::new(404, "NotFound", format!("{q} \"{name}\" not found"));
        e.details = Some(details(name, group, plural));
        e
    }

    pub fn already_exists(group: &str, plural: &str, name: &str) -> Self {
        let q = qualified(group, plural);
        let mut e = Self::new(
            409,
            "AlreadyExists",
            format!("{q} \"{name}\" already exists"),
        );
        e.details = Some(details(name, group, plural));
        e
    }

    pub fn conflict(group: &str, plural: &str, name: &str) -> Self {
        let q = qualified(group, plural);
        let mut e = Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {q} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
            ),
        );
        e.details = Some(details(name, group, plural));
        e
    }

    /// `apierrors.NewConflict`: why `resource.group "name"` cannot be changed now, as
    /// aggregated APIs (KubeVirt's) word their refusals.
    pub fn conflict_because(group: &str, resource: &str, name: &str, why: &str) -> Self {
        let q = qualified(group, resource);
        let mut e = Self::new(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on {q} \"{name}\": {why}"),
        );
        e.details = Some(details(name, group, resource));
        e
    }

    /// `apierrors.NewApplyConflict`: a server-side apply would change fields other
    /// managers own; the causes name each field and its manager.
    pub fn apply_conflict(message: String, causes: Vec<Value>) -> Self {
        let mut e = Self::new(409, "Conflict", message);
        e.details = Some(json!({ "causes": causes }));
        e
    }

    pub fn invalid(group: &str, kind: &str, name: &str, field: &str, detail: &str) -> Self {
        let msg = format!("{kind} \"{name}\" is invalid: {field}: {detail}");
        let mut d = details(name, group, kind);
        d["causes"] = json!([{ "reason": "FieldValueInvalid", "message": detail, "field": field }]);
        let mut e = Self::new(422, "Invalid", msg);
        e.details = Some(d);
        e
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
    }

    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got {content_type})"
            ),
        )
    }

    pub fn too_many_requests(message: impl Into<String>, causes: Value) -> Self {
        let mut e = Self::new(429, "TooManyRequests", message);
        e.details = Some(json!({ "causes": causes }));
        e
    }

    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    pub fn path_not_found() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    }

    /// The `Status` object body.
    pub fn to_status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d) = &self.details {
            s["details"] = d.clone();
        }
        s
    }
}

fn qualified(group: &str, plural: &str) -> String {
    if group.is_empty() {
        plural.to_string()
    } else {
        format!("{plural}.{group}")
    }
}

/// A successful `Status` (eviction, some deletes).
pub fn success(code: u16) -> Value {
    json!({ "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": code })
}

/// Serialises a JSON body with `application/json`.
pub fn json_response(code: u16, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = (StatusCode::from_u16(code).unwrap_or(StatusCode::OK), bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = json_response(self.code, &self.to_status());
        if let Some(seconds) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        resp
    }
}
