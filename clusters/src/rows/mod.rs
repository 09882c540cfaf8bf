//! Summary rows and detail views of cached objects. Kinds differ in the shape of their
//! status (the table's `StatusShape`), not in code: one function per shape.

mod event;
mod health;
mod node;
mod pod;
mod resource;
mod rollout;
pub mod sections;
mod vm;
mod workload;

use bosun_model::Condition;
use bosun_model::kinds::KindInfo;
use kube::api::DynamicObject;
use serde_json::Value;

use crate::json;
use crate::selector::LabelSelector;

pub use event::event_row;
pub use node::{node_cordoned, node_detail, node_ready, node_row, pod_is_active, pod_sum, taints};
pub use pod::{pod_detail, pod_row};
pub use resource::{NamespaceTally, is_default_class, quota_usage, resource_row};
pub use rollout::{IN_PROGRESSING, rollout_detail, rollout_row, workload_ref};
pub use vm::{vm_detail, vm_row};
pub use workload::{workload_detail, workload_row};

/// An object as one JSON value (`metadata` included), the way the table's pointers read it.
#[must_use]
pub fn as_json(obj: &DynamicObject) -> Value {
    serde_json::to_value(obj).unwrap_or(Value::Null)
}

pub(crate) fn created(obj: &DynamicObject) -> String {
    obj.metadata
        .creation_timestamp
        .as_ref()
        .map(|t| t.0.to_string())
        .unwrap_or_default()
}

/// The pod template of a workload, by the table's pointers.
#[must_use]
pub fn pod_template<'a>(info: &KindInfo, obj: &'a Value) -> Option<&'a Value> {
    json::first_object(obj, info.pod_template)
}

/// The selector a workload uses for its pods.
#[must_use]
pub fn selector_of(obj: &Value) -> LabelSelector {
    obj.pointer("/spec/selector")
        .map(LabelSelector::from_spec)
        .unwrap_or_default()
}

pub(crate) fn conditions(obj: &Value) -> Vec<Condition> {
    json::array(obj, "/status/conditions")
        .iter()
        .map(|c| Condition {
            type_: json::str(c, "/type").to_string(),
            status: json::str(c, "/status").to_string(),
            reason: json::str(c, "/reason").to_string(),
            message: json::str(c, "/message").to_string(),
            last_transition: json::str(c, "/lastTransitionTime").to_string(),
        })
        .collect()
}

/// The object as YAML for the read-only YAML tab (managedFields already stripped).
#[must_use]
pub fn yaml(obj: &DynamicObject) -> String {
    serde_yaml::to_string(obj).unwrap_or_else(|e| format!("# cannot render YAML: {e}\n"))
}
