//! DELETE semantics: graceful pod/VMI termination, finalizers, Foreground/Orphan
//! propagation, namespace termination, and deletecollection.

use std::sync::Arc;

use axum::response::Response;
use serde_json::{Value, json};

use super::resource::{get_obj, respond, versioned};
use super::{Req, list};
use crate::Shared;
use crate::clock::now_rfc3339;
use crate::kinds::{KindDef, res};
use crate::meta;
use crate::status::{ApiError, ApiResult, json_response};

fn dry_run(req: &Req) -> bool {
    req.query.get("dryRun").is_some_and(|v| !v.is_empty())
}

/// Options of a DELETE, from the query and/or a DeleteOptions body.
pub struct DeleteOpts {
    pub grace: Option<i64>,
    pub propagation: String,
    pub precondition_uid: String,
    pub precondition_rv: String,
}

pub fn delete_opts(req: &Req) -> DeleteOpts {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    DeleteOpts {
        grace: req
            .query
            .int("gracePeriodSeconds")
            .or_else(|| body["gracePeriodSeconds"].as_i64()),
        propagation: req
            .query
            .get("propagationPolicy")
            .or_else(|| body["propagationPolicy"].as_str())
            .unwrap_or("Background")
            .to_string(),
        precondition_uid: body
            .pointer("/preconditions/uid")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        precondition_rv: body
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    }
}

pub fn delete(
    app: &Arc<Shared>,
    def: &'static KindDef,
    ns: &str,
    name: &str,
    req: &Req,
) -> ApiResult<Response> {
    let opts = delete_opts(req);
    if dry_run(req) {
        return Ok(respond(def, &*get_obj(app, def, ns, name)?, req, 200));
    }
    let out = delete_object(app, def, ns, name, &opts)?;
    Ok(respond(def, &out, req, 200))
}

/// Deletes one object with Kubernetes semantics: graceful pod/VMI termination,
/// finalizers, Foreground/Orphan propagation, namespace termination.
pub fn delete_object(
    app: &Shared,
    def: &KindDef,
    ns: &str,
    name: &str,
    opts: &DeleteOpts,
) -> ApiResult<Arc<Value>> {
    let store = &app.store;
    let r = def.res();
    let obj = get_obj(app, def, ns, name)?;
    if !opts.precondition_uid.is_empty() && opts.precondition_uid != meta::uid(&obj) {
        return Err(ApiError::conflict(def.group, def.plural, name));
    }
    if !opts.precondition_rv.is_empty()
        && opts.precondition_rv != meta::s(&obj, &["metadata", "resourceVersion"])
    {
        return Err(ApiError::conflict(def.group, def.plural, name));
    }
    let now = now_rfc3339();
    if r == res::PODS || r == res::VMIS {
        // KubeVirt defaults a guest's grace period to 180 s, Kubernetes a pod's to 30 s.
        let default_grace = meta::get(&obj, &["spec", "terminationGracePeriodSeconds"])
            .and_then(Value::as_i64)
            .unwrap_or(if r == res::VMIS { 180 } else { 30 });
        let grace = opts.grace.unwrap_or(default_grace);
        let unscheduled = r == res::PODS && meta::s(&obj, &["spec", "nodeName"]).is_empty();
        if grace == 0 || unscheduled || (r == res::PODS && meta::pod_finished(&obj)) {
            return store
                .remove(r, ns, name)
                .ok_or_else(|| ApiError::not_found(def.group, def.plural, name));
        }
        if meta::is_terminating(&obj) {
            return Ok(obj);
        }
        return store.modify(r, ns, name, |o| {
            if !meta::is_terminating(o) {
                o["metadata"]["deletionTimestamp"] = json!(now);
                o["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
            }
            Ok(())
        });
    }
    if r == res::NAMESPACES {
        return store.modify(r, ns, name, |o| {
            if o["metadata"].get("deletionTimestamp").is_none() {
                o["metadata"]["deletionTimestamp"] = json!(now);
            }
            o["status"]["phase"] = json!("Terminating");
            Ok(())
        });
    }
    let has_finalizers = meta::get(&obj, &["metadata", "finalizers"])
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty());
    if opts.propagation == "Foreground" || has_finalizers {
        let fg = opts.propagation == "Foreground";
        return store.modify(r, ns, name, |o| {
            if o["metadata"].get("deletionTimestamp").is_none() {
                o["metadata"]["deletionTimestamp"] = json!(now);
                o["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            }
            if fg {
                let mut f = o["metadata"]["finalizers"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                if !f.contains(&json!("foregroundDeletion")) {
                    f.push(json!("foregroundDeletion"));
                }
                o["metadata"]["finalizers"] = json!(f);
            }
            Ok(())
        });
    }
    if opts.propagation == "Orphan" {
        crate::controllers::gc::orphan_dependents(store, meta::uid(&obj));
    }
    store
        .remove(r, ns, name)
        .ok_or_else(|| ApiError::not_found(def.group, def.plural, name))
}

pub fn delete_collection(
    app: &Arc<Shared>,
    def: &'static KindDef,
    ns: Option<&str>,
    req: &Req,
) -> ApiResult<Response> {
    let (items, _) = list::select(app, def, ns, &req.query)?;
    let opts = delete_opts(req);
    let mut out = Vec::new();
    for o in items {
        if let Ok(d) = delete_object(app, def, meta::namespace(&o), meta::name(&o), &opts) {
            out.push(versioned(def, &d));
        }
    }
    let rv = app.store.current_rv().to_string();
    Ok(json_response(
        200,
        &json!({ "kind": format!("{}List", def.kind), "apiVersion": def.api_version(), "metadata": { "resourceVersion": rv }, "items": out }),
    ))
}
