//! KubeVirt lifecycle subresources (`subresources.kubevirt.io/v1`): start, stop, restart.
//! They change the VM's run strategy or delete its VMI, as virt-api does.

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::Req;
use crate::clock::now_rfc3339;
use crate::kinds::res;
use crate::status::{ApiError, ApiResult};
use crate::{Shared, controllers::kubevirt::run_strategy, meta};

pub fn handle(app: &Arc<Shared>, rest: &[&str], req: &Req) -> ApiResult<Response> {
    let ["namespaces", ns, "virtualmachines", name, action] = rest else {
        return Err(ApiError::path_not_found());
    };
    if req.method != Method::PUT {
        return Err(ApiError::method_not_allowed());
    }
    let body: Value = if req.body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&req.body)
            .map_err(|e| ApiError::bad_request(format!("can not unmarshal request body: {e}")))?
    };
    let vm = app
        .store
        .get(res::VMS, ns, name)
        .ok_or_else(|| ApiError::not_found("kubevirt.io", "virtualmachines", name))?;
    let strategy = run_strategy(&vm);
    let vmi = app.store.get(res::VMIS, ns, name);
    match *action {
        "start" => {
            if strategy == "Always" && vmi.is_some() {
                return Err(ApiError::conflict_msg(
                    "Always does not support manual start requests".to_string(),
                ));
            }
            set_strategy(app, ns, name, &vm, "Always")?;
        }
        "stop" => {
            let grace = body["gracePeriod"].as_i64();
            if vmi.is_none() && strategy == "Halted" {
                return Err(ApiError::conflict_msg("VM is not running"));
            }
            set_strategy(app, ns, name, &vm, "Halted")?;
            if let Some(vmi) = vmi {
                terminate_vmi(app, ns, name, &vmi, grace);
            }
        }
        "restart" => {
            if matches!(strategy.as_str(), "Halted" | "Once") {
                return Err(ApiError::conflict_msg(format!(
                    "{strategy} does not support manual restart requests"
                )));
            }
            let grace = body["gracePeriodSeconds"].as_i64();
            if let Some(g) = grace.filter(|g| *g != 0) {
                return Err(ApiError::bad_request(format!(
                    "gracePeriodSeconds {g} is not supported, only 0 (force)"
                )));
            }
            let Some(vmi) = vmi else {
                return Err(ApiError::conflict_msg("VM is not running"));
            };
            terminate_vmi(app, ns, name, &vmi, grace);
        }
        _ => return Err(ApiError::path_not_found()),
    }
    Ok((StatusCode::ACCEPTED, "").into_response())
}

fn set_strategy(app: &Shared, ns: &str, name: &str, vm: &Value, strategy: &str) -> ApiResult<()> {
    let legacy = meta::get(vm, &["spec", "running"]).is_some_and(Value::is_boolean);
    app.store.modify(res::VMS, ns, name, |o| {
        if legacy {
            o["spec"]["running"] = json!(strategy == "Always");
        } else {
            o["spec"]["runStrategy"] = json!(strategy);
        }
        Ok(())
    })?;
    Ok(())
}

/// Graceful (deletionTimestamp, the controller finishes it) or forced (immediate) stop.
fn terminate_vmi(app: &Shared, ns: &str, name: &str, vmi: &Value, grace: Option<i64>) {
    if grace == Some(0) {
        app.store.remove(res::VMIS, ns, name);
        return;
    }
    if meta::is_terminating(vmi) {
        return;
    }
    let _ = app.store.modify(res::VMIS, ns, name, |o| {
        o["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
        o["metadata"]["deletionGracePeriodSeconds"] = json!(grace.unwrap_or(30));
        Ok(())
    });
}
