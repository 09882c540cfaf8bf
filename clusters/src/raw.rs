//! Requests whose method, path, content type and body must be exactly what the reference
//! tools send (kubectl, kubectl-kruise). kube-rs' conveniences differ in places (its
//! `restart` uses another annotation and patch type; its `evict` another body key), so
//! actions build their requests here, byte for byte.

use bosun_core::Result;
use http::{Method, Request, header};
use kube::Client;
use kube::api::ApiResource;
use serde_json::Value;

/// The field manager Bosun writes as (`?fieldManager=bosun`).
pub const FIELD_MANAGER: &str = "bosun";

pub const STRATEGIC_MERGE: &str = "application/strategic-merge-patch+json";
pub const MERGE: &str = "application/merge-patch+json";
pub const JSON_PATCH: &str = "application/json-patch+json";
pub const JSON: &str = "application/json";

/// The URL path of a resource collection, object or subresource.
#[must_use]
pub fn path(
    resource: &ApiResource,
    namespace: Option<&str>,
    name: Option<&str>,
    sub: Option<&str>,
) -> String {
    let mut p = if resource.group.is_empty() {
        format!("/api/{}", resource.version)
    } else {
        format!("/apis/{}/{}", resource.group, resource.version)
    };
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        p.push_str("/namespaces/");
        p.push_str(ns);
    }
    p.push('/');
    p.push_str(&resource.plural);
    if let Some(name) = name {
        p.push('/');
        p.push_str(name);
    }
    if let Some(sub) = sub {
        p.push('/');
        p.push_str(sub);
    }
    p
}

/// One request to `cluster`, answered as JSON. The error of a failed request keeps the
/// API server's status, reason and message.
pub async fn send(
    client: &Client,
    cluster: &str,
    method: Method,
    path_and_query: &str,
    content_type: Option<&str>,
    body: Option<&Value>,
) -> Result<Value> {
    let mut builder = Request::builder().method(method).uri(path_and_query);
    if let Some(ct) = content_type {
        builder = builder.header(header::CONTENT_TYPE, ct);
    }
    let bytes = body
        .map(|b| serde_json::to_vec(b).unwrap_or_default())
        .unwrap_or_default();
    let request = builder.body(bytes).map_err(|e| {
        bosun_core::Error::Internal(format!("building a request to {cluster}: {e}"))
    })?;
    client
        .request::<Value>(request)
        .await
        .map_err(|e| crate::error::from_kube(cluster, e))
}

/// `PATCH` with Bosun's field manager.
pub async fn patch(
    client: &Client,
    cluster: &str,
    path: &str,
    content_type: &str,
    body: &Value,
) -> Result<Value> {
    let uri = format!("{path}?fieldManager={FIELD_MANAGER}");
    send(
        client,
        cluster,
        Method::PATCH,
        &uri,
        Some(content_type),
        Some(body),
    )
    .await
}

/// `GET` of one object.
pub async fn get(client: &Client, cluster: &str, path: &str) -> Result<Value> {
    send(client, cluster, Method::GET, path, None, None).await
}

/// `PUT` of a JSON body to an endpoint that answers without a JSON object (KubeVirt's
/// lifecycle subresources answer 202 with an empty body).
pub async fn put_accepted(client: &Client, cluster: &str, path: &str, body: &Value) -> Result<()> {
    let request = Request::builder()
        .method(Method::PUT)
        .uri(path)
        .header(header::CONTENT_TYPE, JSON)
        .body(serde_json::to_vec(body).unwrap_or_default())
        .map_err(|e| {
            bosun_core::Error::Internal(format!("building a request to {cluster}: {e}"))
        })?;
    client
        .request_text(request)
        .await
        .map(|_| ())
        .map_err(|e| crate::error::from_kube(cluster, e))
}
