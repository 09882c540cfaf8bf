//! Generic handlers for every stored kind: get, create, update, patch, delete, and the
//! status subresource. Kind-specific behaviour lives in `defaults` and the controllers.

use std::sync::Arc;

use axum::response::Response;
use http::Method;
use serde_json::{Value, json};

use super::delete::{delete, delete_collection};
use super::{Req, ResourcePath, access_review, list, logs, metrics, pods, scale, watch};
use crate::kinds::{KindDef, res};
use crate::meta;
use crate::patch::{PatchType, apply as ssa, json as jsonpatch, merge, strategic};
use crate::status::{ApiError, ApiResult, json_response};
use crate::store::UPDATE_ATTEMPTS;
use crate::{Shared, defaults, table};

pub async fn handle(app: &Arc<Shared>, rp: ResourcePath, req: Req) -> ApiResult<Response> {
    let def = rp.def;
    if def.plural == "selfsubjectaccessreviews" {
        return access_review::create(app, &req);
    }
    if def.virtual_kind {
        return metrics::handle(app, &rp, &req);
    }
    let ns = rp.namespace.clone().unwrap_or_default();
    match (&rp.name, rp.sub.as_deref()) {
        (None, _) => match req.method {
            Method::GET if req.query.flag("watch") => {
                watch::serve(app, def, rp.namespace.as_deref(), &req)
            }
            Method::GET => list::serve(app, def, rp.namespace.as_deref(), &req),
            Method::POST => create(app, def, &ns, &req),
            Method::DELETE => delete_collection(app, def, rp.namespace.as_deref(), &req),
            _ => Err(ApiError::method_not_allowed()),
        },
        (Some(name), None) => {
            if def.namespaced && rp.namespace.is_none() {
                return Err(ApiError::path_not_found());
            }
            match req.method {
                Method::GET => {
                    let obj = get_obj(app, def, &ns, name)?;
                    Ok(respond(def, &obj, &req, 200))
                }
                Method::PUT => update(app, def, &ns, name, &req, false),
                Method::PATCH => patch(app, def, &ns, name, &req, false),
                Method::DELETE => delete(app, def, &ns, name, &req),
                _ => Err(ApiError::method_not_allowed()),
            }
        }
        (Some(name), Some(sub)) if def.subresources.contains(&sub) => {
            match (sub, req.method.clone()) {
                ("status", Method::GET) => {
                    Ok(respond(def, &*get_obj(app, def, &ns, name)?, &req, 200))
                }
                ("status" | "finalize", Method::PUT) => {
                    update(app, def, &ns, name, &req, sub == "status")
                }
                ("status", Method::PATCH) => patch(app, def, &ns, name, &req, true),
                ("scale", _) => scale::handle(app, def, &ns, name, &req),
                ("log", Method::GET) => logs::serve(app, &ns, name, &req),
                ("eviction", Method::POST) => pods::evict(app, &ns, name, &req),
                _ => Err(ApiError::method_not_allowed()),
            }
        }
        _ => Err(ApiError::path_not_found()),
    }
}

/// The stored object, or 404.
pub fn get_obj(app: &Shared, def: &KindDef, ns: &str, name: &str) -> ApiResult<Arc<Value>> {
    app.store
        .get(def.res(), ns, name)
        .ok_or_else(|| ApiError::not_found(def.group, def.plural, name))
}

/// The object as served at the requested version.
pub fn versioned(def: &KindDef, obj: &Value) -> Value {
    let mut o = obj.clone();
    o["apiVersion"] = json!(def.api_version());
    o["kind"] = json!(def.kind);
    o
}

/// JSON or single-row Table, as the client asked.
pub fn respond(def: &KindDef, obj: &Value, req: &Req, code: u16) -> Response {
    let o = versioned(def, obj);
    if table::wants_table(&req.accept) {
        let rv = meta::s(&o, &["metadata", "resourceVersion"]).to_string();
        let inc = req.query.get("includeObject").unwrap_or("Metadata");
        return json_response(
            code,
            &table::table(def, &[&o], json!({ "resourceVersion": rv }), inc, true),
        );
    }
    json_response(code, &o)
}

/// Parses a JSON (or YAML) request body; malformed input is a 400.
pub fn parse_body(req: &Req) -> ApiResult<Value> {
    if req.body.is_empty() {
        return Err(ApiError::bad_request("request body is empty"));
    }
    if req.content_type.contains("protobuf") {
        return crate::protobuf::decode(&req.body).map_err(|e| {
            let mut err = ApiError::unsupported_media_type(&req.content_type);
            err.message = e;
            err
        });
    }
    if req.content_type.contains("cbor") {
        return Err(ApiError::unsupported_media_type(&req.content_type));
    }
    if req.content_type.contains("yaml") {
        return serde_yaml::from_slice(&req.body)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")));
    }
    serde_json::from_slice(&req.body).map_err(|e| {
        ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
    })
}

fn dry_run(req: &Req) -> bool {
    req.query.get("dryRun").is_some_and(|v| !v.is_empty())
}

/// DNS-1123 subdomain check used for object names.
pub fn validate_name(def: &KindDef, name: &str) -> ApiResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        return Ok(());
    }
    if name.is_empty() {
        return Err(ApiError::invalid(
            def.group,
            def.kind,
            name,
            "metadata.name",
            "Required value: name or generateName is required",
        ));
    }
    Err(ApiError::invalid(
        def.group,
        def.kind,
        name,
        "metadata.name",
        &format!(
            "Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        ),
    ))
}

/// Objects must be JSON objects whose `metadata` (if any) is an object; anything else
/// is a 400, never a panic on indexing.
pub fn require_object(v: &Value) -> ApiResult<()> {
    if !v.is_object() {
        return Err(ApiError::bad_request(
            "Object 'Kind' is missing or the body is not a JSON object",
        ));
    }
    if v.get("metadata")
        .is_some_and(|m| !m.is_object() && !m.is_null())
    {
        return Err(ApiError::bad_request("metadata must be an object"));
    }
    if v.pointer("/metadata/annotations")
        .is_some_and(|m| !m.is_object() && !m.is_null())
        || v.pointer("/metadata/labels")
            .is_some_and(|m| !m.is_object() && !m.is_null())
    {
        return Err(ApiError::bad_request(
            "metadata.labels and metadata.annotations must be objects",
        ));
    }
    Ok(())
}

/// Rejects (422, as the typed decoding of the real server would) fields the controllers
/// read as objects or replica counts when they have the wrong shape.
pub fn validate_shape(def: &KindDef, name: &str, obj: &Value) -> ApiResult<()> {
    let invalid = |field: &str, detail: String| {
        Err(ApiError::invalid(def.group, def.kind, name, field, &detail))
    };
    for (pointer, field) in [
        ("/spec", "spec"),
        ("/spec/selector", "spec.selector"),
        ("/spec/template", "spec.template"),
        ("/spec/template/metadata", "spec.template.metadata"),
        (
            "/spec/template/metadata/labels",
            "spec.template.metadata.labels",
        ),
        ("/status", "status"),
    ] {
        if let Some(v) = obj.pointer(pointer)
            && !v.is_object()
            && !v.is_null()
        {
            return invalid(field, format!("Invalid value: {v}: must be an object"));
        }
    }
    if let Some(r) = obj.pointer("/spec/replicas").filter(|v| !v.is_null()) {
        match r.as_i64() {
            Some(n) if n < 0 => {
                return invalid(
                    "spec.replicas",
                    format!("Invalid value: {n}: must be greater than or equal to 0"),
                );
            }
            Some(n) if n <= i64::from(i32::MAX) => {}
            _ => {
                return invalid(
                    "spec.replicas",
                    format!(
                        "Invalid value: {r}: must be an integer between 0 and {}",
                        i32::MAX
                    ),
                );
            }
        }
    }
    Ok(())
}

fn check_kind(def: &KindDef, obj: &Value) -> ApiResult<()> {
    require_object(obj)?;
    let kind = meta::s(obj, &["kind"]);
    if !kind.is_empty() && kind != def.kind {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({}) does not match the expected API version ({})",
            meta::s(obj, &["apiVersion"]),
            def.api_version()
        )));
    }
    Ok(())
}

/// Normalises a new object: kind, namespace, generateName, name validation, defaults.
pub fn prepare_new(app: &Shared, def: &KindDef, ns: &str, mut obj: Value) -> ApiResult<Value> {
    check_kind(def, &obj)?;
    validate_shape(def, meta::name(&obj), &obj)?;
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    let storage = crate::kinds::storage_def(def.res()).unwrap_or(def);
    obj["apiVersion"] = json!(storage.api_version());
    obj["kind"] = json!(def.kind);
    if def.namespaced {
        let body_ns = meta::namespace(&obj);
        if !body_ns.is_empty() && body_ns != ns {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        obj["metadata"]["namespace"] = json!(ns);
        if app.store.get(res::NAMESPACES, "", ns).is_none() {
            return Err(ApiError::not_found("", "namespaces", ns));
        }
    } else if let Some(m) = obj["metadata"].as_object_mut() {
        m.remove("namespace");
    }
    if meta::name(&obj).is_empty() {
        let prefix = meta::s(&obj, &["metadata", "generateName"]).to_string();
        if !prefix.is_empty() {
            let n = meta::fnv(uuid::Uuid::new_v4().as_bytes());
            obj["metadata"]["name"] = json!(format!("{prefix}{}", meta::safe_encode(n, 5)));
        }
    }
    validate_name(def, meta::name(&obj))?;
    for f in [
        "uid",
        "resourceVersion",
        "generation",
        "deletionTimestamp",
        "creationTimestamp",
        "managedFields",
    ] {
        if let Some(m) = obj["metadata"].as_object_mut() {
            m.remove(f);
        }
    }
    if def.has_status()
        && def.plural != "namespaces"
        && !def.custom
        && let Some(m) = obj.as_object_mut()
    {
        m.remove("status");
    }
    defaults::apply(def, &mut obj);
    if def.custom {
        defaults::prune_patch_directives(&mut obj);
    }
    crate::admission::admit(&app.store, def, &mut obj)?;
    Ok(obj)
}

fn create(app: &Arc<Shared>, def: &'static KindDef, ns: &str, req: &Req) -> ApiResult<Response> {
    if def.namespaced && ns.is_empty() {
        return Err(ApiError::method_not_allowed());
    }
    let body = parse_body(req)?;
    let mut obj = prepare_new(app, def, ns, body)?;
    if let Some(manager) = req.query.get("fieldManager") {
        let applied = obj.clone();
        ssa::record(&mut obj, &applied, manager, "Update");
    }
    if dry_run(req) {
        return Ok(respond(def, &obj, req, 201));
    }
    let created = app.store.create(def.res(), obj)?;
    Ok(respond(def, &created, req, 201))
}

/// Writes `new` over `old`, keeping status (main resource) or everything but status
/// (status subresource), applying defaults and finalizer completion.
fn commit(
    app: &Shared,
    def: &KindDef,
    old: &Value,
    mut new: Value,
    status_only: bool,
    expected_rv: Option<&str>,
    req: &Req,
) -> ApiResult<Response> {
    require_object(&new)?;
    validate_shape(def, meta::name(old), &new)?;
    if meta::name(&new) != meta::name(old) {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({}) does not match the name on the URL ({})",
            meta::name(&new),
            meta::name(old)
        )));
    }
    let storage = crate::kinds::storage_def(def.res()).unwrap_or(def);
    new["apiVersion"] = json!(storage.api_version());
    new["kind"] = json!(def.kind);
    if def.namespaced {
        new["metadata"]["namespace"] = json!(meta::namespace(old));
    }
    let mut new = if status_only {
        let mut o = old.clone();
        o["status"] = new.get("status").cloned().unwrap_or(Value::Null);
        o
    } else {
        if def.has_status() {
            match old.get("status") {
                Some(s) => new["status"] = s.clone(),
                None => {
                    if let Some(m) = new.as_object_mut() {
                        m.remove("status");
                    }
                }
            }
        }
        defaults::apply(def, &mut new);
        new
    };
    if def.custom {
        defaults::prune_patch_directives(&mut new);
    }
    let applied = PatchType::from_content_type(&req.content_type) == Some(PatchType::Apply);
    if !status_only
        && !applied
        && let Some(manager) = req.query.get("fieldManager")
    {
        ssa::record_update(old, &mut new, manager);
    }
    if dry_run(req) {
        return Ok(respond(def, &new, req, 200));
    }
    let stored = app.store.replace(def.res(), new, expected_rv)?;
    finish_if_finalized(app, def, &stored);
    Ok(respond(def, &stored, req, 200))
}

/// An object marked for deletion goes away once its finalizers are cleared.
pub fn finish_if_finalized(app: &Shared, def: &KindDef, obj: &Value) {
    let fins = meta::get(obj, &["metadata", "finalizers"])
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if meta::is_terminating(obj)
        && fins == 0
        && def.plural != "pods"
        && def.res() != res::VMIS
        && def.res() != res::NAMESPACES
    {
        app.store
            .remove(def.res(), meta::namespace(obj), meta::name(obj));
    }
}

/// PUT of a whole object (or its status). The client's resourceVersion is its
/// precondition (409 when stale); without one the write goes to the latest object, read
/// again after a lost race, so the status (or spec) it keeps is never an older one.
fn update(
    app: &Arc<Shared>,
    def: &'static KindDef,
    ns: &str,
    name: &str,
    req: &Req,
    status_only: bool,
) -> ApiResult<Response> {
    let body = parse_body(req)?;
    check_kind(def, &body)?;
    let rv = meta::s(&body, &["metadata", "resourceVersion"]).to_string();
    let mut new = body;
    if !new.get("metadata").is_some_and(Value::is_object) {
        new["metadata"] = json!({});
    }
    if meta::name(&new).is_empty() {
        new["metadata"]["name"] = json!(name);
    }
    for _ in 0..UPDATE_ATTEMPTS {
        let old = get_obj(app, def, ns, name)?;
        let ours = rv.is_empty();
        let expected = if ours {
            meta::s(&old, &["metadata", "resourceVersion"]).to_string()
        } else {
            rv.clone()
        };
        match commit(
            app,
            def,
            &old,
            new.clone(),
            status_only,
            Some(&expected),
            req,
        ) {
            Err(e) if ours && e.reason == "Conflict" => {}
            other => return other,
        }
    }
    Err(ApiError::conflict(def.group, def.plural, name))
}

/// Applies a patch body of the given content type to a copy of `old`.
pub fn apply_patch(def: &KindDef, old: &Value, req: &Req) -> ApiResult<Value> {
    let pt = PatchType::from_content_type(&req.content_type)
        .ok_or_else(|| ApiError::unsupported_media_type(&req.content_type))?;
    let mut new = old.clone();
    match pt {
        PatchType::Merge => merge::apply(&mut new, &parse_json(req)?),
        PatchType::Json => jsonpatch::apply(&mut new, &parse_json(req)?).map_err(|e| {
            ApiError::invalid(
                def.group,
                def.kind,
                meta::name(old),
                "",
                &format!("the server rejected our request due to an error in our request: {e}"),
            )
        })?,
        PatchType::Strategic => {
            if def.custom {
                return Err(ApiError::unsupported_media_type(&req.content_type));
            }
            strategic::apply(&mut new, &parse_json(req)?);
        }
        PatchType::Apply => {
            let applied = parse_apply(req)?;
            let manager = req.query.get("fieldManager").unwrap_or("unknown");
            let force = req.query.get("force") == Some("true");
            ssa::apply(&mut new, &applied, manager, def.custom, force)?;
        }
    }
    if !new.is_object() {
        return Err(ApiError::bad_request("patch produced a non-object"));
    }
    Ok(new)
}

fn parse_json(req: &Req) -> ApiResult<Value> {
    serde_json::from_slice(&req.body)
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))
}

fn parse_apply(req: &Req) -> ApiResult<Value> {
    let v: Value = serde_yaml::from_slice(&req.body)
        .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
    require_object(&v)?;
    Ok(v)
}

/// PATCH, applied to the latest object atomically as the API server's `GuaranteedUpdate`
/// does: read, apply, write only if the object is still the one read, else read the newer
/// one and apply again. Two clients patching different fields both land, and nothing
/// written between the read and the write is lost. A resourceVersion the patch itself
/// sets stays the client's precondition: 409 when it is not the stored one.
fn patch(
    app: &Arc<Shared>,
    def: &'static KindDef,
    ns: &str,
    name: &str,
    req: &Req,
    status_only: bool,
) -> ApiResult<Response> {
    for _ in 0..UPDATE_ATTEMPTS {
        let Some(old) = app.store.get(def.res(), ns, name) else {
            if PatchType::from_content_type(&req.content_type) == Some(PatchType::Apply)
                && !status_only
            {
                match apply_create(app, def, ns, name, req) {
                    // Someone created it meanwhile: apply to theirs.
                    Err(e) if e.reason == "AlreadyExists" => continue,
                    other => return other,
                }
            }
            return Err(ApiError::not_found(def.group, def.plural, name));
        };
        let new = apply_patch(def, &old, req)?;
        let old_rv = meta::s(&old, &["metadata", "resourceVersion"]).to_string();
        let patch_rv = meta::s(&new, &["metadata", "resourceVersion"]).to_string();
        let ours = patch_rv.is_empty() || patch_rv == old_rv;
        let expected = if ours { old_rv } else { patch_rv };
        match commit(app, def, &old, new, status_only, Some(&expected), req) {
            Err(e) if ours && e.reason == "Conflict" => {}
            other => return other,
        }
    }
    Err(ApiError::conflict(def.group, def.plural, name))
}

fn apply_create(
    app: &Arc<Shared>,
    def: &'static KindDef,
    ns: &str,
    name: &str,
    req: &Req,
) -> ApiResult<Response> {
    let applied = parse_apply(req)?;
    let mut obj = applied.clone();
    if meta::name(&obj).is_empty() {
        obj["metadata"]["name"] = json!(name);
    }
    let mut obj = prepare_new(app, def, ns, obj)?;
    let manager = req.query.get("fieldManager").unwrap_or("unknown");
    ssa::record(&mut obj, &applied, manager, "Apply");
    if dry_run(req) {
        return Ok(respond(def, &obj, req, 201));
    }
    let created = app.store.create(def.res(), obj)?;
    Ok(respond(def, &created, req, 201))
}
