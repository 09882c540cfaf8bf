//! KubeVirt's aggregated API, `subresources.kubevirt.io/v1`, answered as virt-api
//! answers it: `PUT .../virtualmachines/{name}/start|stop|restart` (`vm.rs`) and
//! `PUT .../virtualmachineinstances/{name}/pause|unpause` (`vmi.rs`), 202 with an empty
//! body on success, `Status` errors otherwise (404 for a missing VM or VMI, 409 for a
//! request the VM's state refuses, 400 for a body it cannot use). Authentication and RBAC
//! ran before (`update` on e.g. `virtualmachines/restart` in this group). Each call
//! changes stored objects only; the controllers do the rest (`controllers/kubevirt`).

mod vm;
mod vmi;

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::Req;
use crate::Shared;
use crate::kinds::KUBEVIRT_SUBRESOURCES;
use crate::status::{ApiError, ApiResult};

const GROUP: &str = "kubevirt.io";

pub fn handle(app: &Arc<Shared>, rest: &[&str], req: &Req) -> ApiResult<Response> {
    let ["namespaces", ns, resource, name, action] = rest else {
        return Err(ApiError::path_not_found());
    };
    if !KUBEVIRT_SUBRESOURCES.contains(&(*resource, *action)) {
        return Err(ApiError::path_not_found());
    }
    if req.method != Method::PUT {
        return Err(ApiError::method_not_allowed());
    }
    let call = Call {
        app,
        ns,
        name,
        body: body(req)?,
    };
    match (*resource, *action) {
        (_, "start") => vm::start(&call)?,
        (_, "stop") => vm::stop(&call)?,
        (_, "restart") => vm::restart(&call)?,
        (_, "pause") => vmi::pause(&call)?,
        _ => vmi::unpause(&call)?,
    }
    Ok((StatusCode::ACCEPTED, "").into_response())
}

/// One lifecycle call: where it goes and what it asks.
struct Call<'a> {
    app: &'a Shared,
    ns: &'a str,
    name: &'a str,
    body: Value,
}

impl Call<'_> {
    /// `dryRun: ["All"]` in the body: check everything, change nothing.
    fn dry_run(&self) -> bool {
        self.body["dryRun"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x == "All"))
    }

    /// 409 as virt-api words it for a VM (`resource` "virtualmachine") or a VMI.
    fn conflict(&self, resource: &str, why: &str) -> ApiError {
        ApiError::conflict_because(GROUP, resource, self.name, why)
    }

    fn not_found(&self, resource: &str) -> ApiError {
        ApiError::not_found(GROUP, resource, self.name)
    }
}

/// The options body (`StartOptions`, `StopOptions`, ...); none is the same as `{}`.
fn body(req: &Req) -> ApiResult<Value> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    let v: Value = serde_json::from_slice(&req.body).map_err(|e| {
        ApiError::bad_request(format!(
            "Can not unmarshal Request body to struct, error: {e}"
        ))
    })?;
    if !v.is_object() {
        return Err(ApiError::bad_request(
            "Can not unmarshal Request body to struct, error: not a JSON object",
        ));
    }
    Ok(v)
}
