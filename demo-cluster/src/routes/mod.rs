//! HTTP entry point: one fallback handler records the request, admits it (authentication,
//! throttling, authorization), parses the Kubernetes path grammar and hands off to
//! discovery, OpenAPI or the generic resource handlers.

mod access_review;
mod delete;
mod kubevirt;
mod list;
mod logs;
mod metrics;
mod pods;
mod query;
mod resource;
mod scale;
mod watch;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, Uri, header};

use crate::access::User;
use crate::kinds::{self, KUBEVIRT_SUBRESOURCES_GROUP, KindDef};
use crate::status::{ApiError, ApiResult, json_response};
use crate::{RecordedRequest, Shared, discovery, openapi};

pub use query::Query;

/// Builds the axum router.
pub fn router(shared: Arc<Shared>) -> Router {
    // A bug must cost one request a 500 Status, never the connection or the server.
    Router::new().fallback(handle).with_state(shared).layer(
        tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            json_response(
                500,
                &serde_json::json!({
                    "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": "internal error", "reason": "InternalError", "code": 500,
                }),
            )
        }),
    )
}

/// A parsed resource path.
pub struct ResourcePath {
    pub def: &'static KindDef,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub sub: Option<String>,
}

/// Everything a handler needs about the request.
pub struct Req {
    pub method: Method,
    pub query: Query,
    pub content_type: String,
    pub accept: String,
    pub body: Bytes,
    /// Who the request acts as (authenticated and authorized already).
    pub user: User,
}

async fn handle(
    State(app): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header_str = |h: header::HeaderName| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let content_type = header_str(header::CONTENT_TYPE);
    if let Some(rec) = &app.recorder {
        rec.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(RecordedRequest {
                method: method.to_string(),
                path: uri.path().to_string(),
                query: uri.query().unwrap_or("").to_string(),
                content_type: content_type.clone(),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
    }
    let query = Query::parse(uri.query().unwrap_or(""));
    let user = match app
        .access
        .admit(&app.store, &headers, &method, uri.path(), &query)
    {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    let req = Req {
        method,
        query,
        content_type,
        accept: header_str(header::ACCEPT),
        body,
        user,
    };
    match dispatch(&app, uri.path(), req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn ok(v: Option<serde_json::Value>) -> ApiResult<Response> {
    v.map(|v| json_response(200, &v))
        .ok_or_else(ApiError::path_not_found)
}

async fn dispatch(app: &Arc<Shared>, path: &str, mut req: Req) -> ApiResult<Response> {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    if let ["apis", g, _, ..] = segs.as_slice()
        && app
            .unavailable_groups
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(*g)
    {
        return Err(ApiError::service_unavailable());
    }
    match segs.as_slice() {
        ["version"] => return ok(Some(discovery::version())),
        ["healthz" | "readyz" | "livez"] => return Ok("ok".into_response()),
        ["api"] => return ok(Some(discovery::api_versions(&app.server_address))),
        ["apis"] => return ok(Some(discovery::api_group_list())),
        ["api", v] => return ok(discovery::resource_list("", v)),
        ["apis", g] => return ok(discovery::api_group(g)),
        ["apis", g, v] => return ok(discovery::resource_list(g, v)),
        ["openapi", "v2"] => return ok(Some(openapi::v2_document())),
        ["openapi", "v3"] => return ok(Some(openapi::v3_index())),
        ["openapi", "v3", "api", v] => return ok(openapi::v3_document("", v)),
        ["openapi", "v3", "apis", g, v] => return ok(openapi::v3_document(g, v)),
        _ => {}
    }
    let (group, version, rest): (&str, &str, &[&str]) = match segs.as_slice() {
        ["api", v, rest @ ..] => ("", v, rest),
        ["apis", g, v, rest @ ..] => (g, v, rest),
        _ => return Err(ApiError::path_not_found()),
    };
    let mut rest = rest.to_vec();
    if rest.first() == Some(&"watch") {
        rest.remove(0);
        req.query.set("watch", "true");
    }
    if group == KUBEVIRT_SUBRESOURCES_GROUP {
        return kubevirt::handle(app, &rest, &req);
    }
    let rp = parse_resource(group, version, &rest)?;
    resource::handle(app, rp, req).await
}

fn parse_resource(group: &str, version: &str, rest: &[&str]) -> ApiResult<ResourcePath> {
    let find =
        |plural: &str| kinds::find(group, version, plural).ok_or_else(ApiError::path_not_found);
    let owned = |s: &&str| (*s).to_string();
    match rest {
        ["namespaces", ns, plural, tail @ ..]
            if kinds::find(group, version, plural).is_some_and(|d| d.namespaced) =>
        {
            Ok(ResourcePath {
                def: find(plural)?,
                namespace: Some((*ns).to_string()),
                name: tail.first().map(owned),
                sub: (tail.len() > 1).then(|| tail[1..].join("/")),
            })
        }
        [plural, tail @ ..] => {
            let def = find(plural)?;
            if def.namespaced && !tail.is_empty() {
                return Err(ApiError::path_not_found());
            }
            Ok(ResourcePath {
                def,
                namespace: None,
                name: tail.first().map(owned),
                sub: (tail.len() > 1).then(|| tail[1..].join("/")),
            })
        }
        [] => Err(ApiError::path_not_found()),
    }
}
