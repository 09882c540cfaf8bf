//! Lists with label/field selectors and limit/continue paging, as JSON or Table. As on the
//! API server, every page of a paged list shows the snapshot its first page was taken at:
//! the `continue` token carries that resourceVersion and the last key served.

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};
use serde_json::{Value, json};

use super::{Query, Req};
use crate::kinds::KindDef;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::status::{ApiError, ApiResult};
use crate::{Shared, meta, table};

/// Objects of a resource matching the request's selectors, sorted by namespace/name,
/// and the resourceVersion they were read at.
pub fn select(
    app: &Shared,
    def: &KindDef,
    ns: Option<&str>,
    q: &Query,
) -> ApiResult<(Vec<Arc<Value>>, u64)> {
    let labels = LabelSelector::parse(q.get("labelSelector").unwrap_or(""))?;
    let fields = FieldSelector::parse(q.get("fieldSelector").unwrap_or(""))?;
    let (items, rv) = match q.get("continue").filter(|t| !t.is_empty()) {
        None => app.store.list(def.res(), ns),
        Some(token) => {
            let (rv, after_ns, after_name) = decode_continue(token)?;
            let items = app
                .store
                .list_at(def.res(), ns, rv, (&after_ns, &after_name))
                .map_err(|_| expired())?;
            (items, rv)
        }
    };
    let items = items
        .into_iter()
        .filter(|o| labels.matches(meta::labels(o)) && fields.matches(o))
        .collect();
    Ok((items, rv))
}

/// What the API server answers a `continue` whose snapshot left its history.
fn expired() -> ApiError {
    ApiError::gone(
        "The provided continue parameter is too old to display a consistent list result. \
         You can start a new list without the continue parameter.",
    )
}

fn encode_continue(rv: u64, ns: &str, name: &str) -> String {
    format!("{rv}/{ns}/{name}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decode_continue(token: &str) -> ApiResult<(u64, String, String)> {
    let bad = || ApiError::bad_request("continue key is not valid");
    if !token.len().is_multiple_of(2) || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let bytes: Result<Vec<u8>, _> = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&token[i..i + 2], 16))
        .collect();
    let s = String::from_utf8(bytes.map_err(|_| bad())?).map_err(|_| bad())?;
    let (rv, key) = s.split_once('/').ok_or_else(bad)?;
    let rv = rv.parse().map_err(|_| bad())?;
    let (ns, name) = key.split_once('/').ok_or_else(bad)?;
    Ok((rv, ns.to_string(), name.to_string()))
}

pub fn serve(
    app: &Arc<Shared>,
    def: &'static KindDef,
    ns: Option<&str>,
    req: &Req,
) -> ApiResult<Response> {
    let (mut items, rv) = select(app, def, ns, &req.query)?;
    let mut list_meta = json!({ "resourceVersion": rv.to_string() });
    if let Some(limit) = req.query.int("limit").filter(|l| *l > 0) {
        let limit = limit as usize;
        if items.len() > limit {
            let remaining = items.len() - limit;
            items.truncate(limit);
            let last = &items[limit - 1];
            list_meta["continue"] =
                json!(encode_continue(rv, meta::namespace(last), meta::name(last)));
            list_meta["remainingItemCount"] = json!(remaining);
        }
    }
    if table::wants_table(&req.accept) {
        let inc = req.query.get("includeObject").unwrap_or("Metadata");
        // Only full objects need the served apiVersion; cells and metadata do not.
        let versioned: Vec<Value> = if inc == "Object" {
            items
                .iter()
                .map(|o| super::resource::versioned(def, o))
                .collect()
        } else {
            Vec::new()
        };
        let refs: Vec<&Value> = if inc == "Object" {
            versioned.iter().collect()
        } else {
            items.iter().map(|o| o.as_ref()).collect()
        };
        return Ok(crate::status::json_response(
            200,
            &table::table(def, &refs, list_meta, inc, true),
        ));
    }
    Ok(raw_list(def, &items, &list_meta))
}

/// Serialises a list without cloning the items (10,000 pods must stay fast).
fn raw_list(def: &KindDef, items: &[Arc<Value>], list_meta: &Value) -> Response {
    let mut buf = Vec::with_capacity(items.len() * 2048 + 256);
    buf.extend_from_slice(b"{\"kind\":");
    buf.extend_from_slice(json!(format!("{}List", def.kind)).to_string().as_bytes());
    buf.extend_from_slice(b",\"apiVersion\":");
    buf.extend_from_slice(json!(def.api_version()).to_string().as_bytes());
    buf.extend_from_slice(b",\"metadata\":");
    buf.extend_from_slice(list_meta.to_string().as_bytes());
    buf.extend_from_slice(b",\"items\":[");
    let storage_version =
        crate::kinds::storage_def(def.res()).map(|d| d.version) == Some(def.version);
    for (i, o) in items.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        if storage_version {
            let _ = serde_json::to_writer(&mut buf, o.as_ref());
        } else {
            let _ = serde_json::to_writer(&mut buf, &super::resource::versioned(def, o));
        }
    }
    buf.extend_from_slice(b"]}");
    let mut resp = buf.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}
