//! Admission of objects created through the API, as the API server's LimitRanger and
//! ResourceQuota plugins do it: a new pod's containers get their namespace's LimitRange
//! defaults, a pod or claim outside the LimitRange's bounds is refused (`limits.rs`), and a
//! create that would take a ResourceQuota past its hard limit is refused with 403 and the
//! API server's words. The quota controller reports usage from the same
//! [`usage`] reading, so what is refused and what the status says agree.
//!
//! Caveat: pods the simulated controllers create are not admitted (a quota does not stop
//! a ReplicaSet here); requests through the API are.

mod limits;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::kinds::{KINDS, KindDef, Res, res};
use crate::meta;
use crate::status::{ApiError, ApiResult};
use crate::store::Store;

const RESOURCE_QUOTAS: Res = ("", "resourcequotas");
const LIMIT_RANGES: Res = ("", "limitranges");

/// Defaults a new object and checks it against its namespace's quotas.
///
/// # Errors
/// 403 `Forbidden` when a quota would be exceeded or a pod leaves a quota-tracked
/// resource unspecified.
pub fn admit(store: &Store, def: &KindDef, obj: &mut Value) -> ApiResult<()> {
    if !def.namespaced {
        return Ok(());
    }
    let ns = meta::namespace(obj).to_string();
    if def.res() == res::PODS {
        requests_from_limits(obj);
        apply_limit_defaults(store, &ns, obj);
    }
    if matches!(def.plural, "pods" | "persistentvolumeclaims") && def.group.is_empty() {
        let (ranges, _) = store.list(LIMIT_RANGES, Some(&ns));
        let broken = limits::violations(&ranges, def.plural, obj);
        if !broken.is_empty() {
            // As the API server aggregates errors: one alone, several in brackets.
            let why = if broken.len() == 1 {
                broken.join("")
            } else {
                format!("[{}]", broken.join(", "))
            };
            return Err(ApiError::forbidden(
                def.group,
                def.plural,
                meta::name(obj),
                &why,
            ));
        }
    }
    check_quotas(store, def, &ns, obj)
}

fn containers_mut(pod: &mut Value) -> Vec<&mut Value> {
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return Vec::new();
    };
    spec.iter_mut()
        .filter(|(k, _)| *k == "containers" || *k == "initContainers")
        .filter_map(|(_, v)| v.as_array_mut())
        .flat_map(|a| a.iter_mut())
        .collect()
}

/// Pod defaulting, before admission: a container's limit without a request is also its
/// request.
fn requests_from_limits(pod: &mut Value) {
    for container in containers_mut(pod) {
        let Some(limits) = container
            .pointer("/resources/limits")
            .and_then(Value::as_object)
            .cloned()
        else {
            continue;
        };
        for (resource, value) in limits {
            if container
                .pointer(&format!("/resources/requests/{resource}"))
                .is_none()
            {
                meta::set(container, &["resources", "requests", &resource], value);
            }
        }
    }
}

/// LimitRanger: containers without a limit or request get the namespace's defaults (a
/// request defaults to `defaultRequest`, else to the default limit, as the LimitRange's own
/// defaulting sets it), and the pod is annotated with what was set.
fn apply_limit_defaults(store: &Store, ns: &str, pod: &mut Value) {
    let (ranges, _) = store.list(LIMIT_RANGES, Some(ns));
    let mut set: Vec<String> = Vec::new();
    for range in ranges {
        let Some(limits) = range.pointer("/spec/limits").and_then(Value::as_array) else {
            continue;
        };
        for item in limits.iter().filter(|l| l["type"] == "Container") {
            let defaults = item.get("default").and_then(Value::as_object);
            let default_requests = item.get("defaultRequest").and_then(Value::as_object);
            for container in containers_mut(pod) {
                let name = meta::s(container, &["name"]).to_string();
                let mut filled = (Vec::new(), Vec::new());
                for (resource, value) in defaults.into_iter().flatten() {
                    if container
                        .pointer(&format!("/resources/limits/{resource}"))
                        .is_none()
                    {
                        meta::set(container, &["resources", "limits", resource], value.clone());
                        filled.1.push(resource.clone());
                    }
                }
                // The container's own limits became its requests already (pod defaulting);
                // what is left unset takes defaultRequest, else the default limit.
                let requested: BTreeMap<String, Value> = default_requests
                    .into_iter()
                    .flatten()
                    .chain(defaults.into_iter().flatten())
                    .fold(BTreeMap::new(), |mut m, (k, v)| {
                        m.entry(k.clone()).or_insert_with(|| v.clone());
                        m
                    });
                for (resource, value) in requested {
                    if container
                        .pointer(&format!("/resources/requests/{resource}"))
                        .is_none()
                    {
                        meta::set(container, &["resources", "requests", &resource], value);
                        filled.0.push(resource);
                    }
                }
                if !filled.0.is_empty() {
                    set.push(format!(
                        "{} request for container {name}",
                        filled.0.join(", ")
                    ));
                }
                if !filled.1.is_empty() {
                    set.push(format!(
                        "{} limit for container {name}",
                        filled.1.join(", ")
                    ));
                }
            }
        }
    }
    if !set.is_empty() {
        meta::set(
            pod,
            &["metadata", "annotations", "kubernetes.io/limit-ranger"],
            json!(format!("LimitRanger plugin set: {}", set.join("; "))),
        );
    }
}

/// The resource a quota key counts objects of.
fn counted(key: &str) -> Option<(&str, &str)> {
    Some(match key {
        "pods" | "cpu" | "memory" | "requests.cpu" | "requests.memory" | "limits.cpu"
        | "limits.memory" => ("", "pods"),
        "services" | "services.loadbalancers" | "services.nodeports" => ("", "services"),
        "configmaps" => ("", "configmaps"),
        "secrets" => ("", "secrets"),
        "persistentvolumeclaims" | "requests.storage" => ("", "persistentvolumeclaims"),
        "resourcequotas" => ("", "resourcequotas"),
        "replicationcontrollers" => ("", "replicationcontrollers"),
        _ => {
            let rest = key.strip_prefix("count/")?;
            match rest.split_once('.') {
                Some((plural, group)) => (group, plural),
                None => ("", rest),
            }
        }
    })
}

fn pod_active(pod: &Value) -> bool {
    !meta::is_terminating(pod) && !meta::pod_finished(pod)
}

/// The sum of one resource over a pod's containers; `None` when a container has none.
fn pod_sum(pod: &Value, pointer: &str) -> Option<f64> {
    let containers = pod.pointer("/spec/containers").and_then(Value::as_array)?;
    containers.iter().try_fold(0.0, |sum, c| {
        // A quantity may be written as a number (`cpu: 1`) as well as a string.
        let value = c.pointer(pointer)?;
        let parsed = match value {
            Value::String(s) => parse_quantity(s)?,
            other => other.as_f64()?,
        };
        Some(sum + parsed)
    })
}

/// What one object adds to a quota key (`None`: the key does not count it).
fn contribution(def_res: (&str, &str), obj: &Value, key: &str) -> Option<f64> {
    if counted(key)? != def_res {
        return None;
    }
    let is_pod = def_res == ("", "pods");
    if is_pod && !pod_active(obj) {
        return Some(0.0);
    }
    let spec_type = meta::s(obj, &["spec", "type"]);
    Some(match key {
        "cpu" | "requests.cpu" => pod_sum(obj, "/resources/requests/cpu")?,
        "memory" | "requests.memory" => pod_sum(obj, "/resources/requests/memory")?,
        "limits.cpu" => pod_sum(obj, "/resources/limits/cpu")?,
        "limits.memory" => pod_sum(obj, "/resources/limits/memory")?,
        "requests.storage" => obj
            .pointer("/spec/resources/requests/storage")
            .and_then(Value::as_str)
            .and_then(parse_quantity)
            .unwrap_or(0.0),
        "services.loadbalancers" => f64::from(u8::from(spec_type == "LoadBalancer")),
        "services.nodeports" => f64::from(u8::from(
            spec_type == "NodePort" || spec_type == "LoadBalancer",
        )),
        _ => 1.0,
    })
}

/// How much of `key` the namespace uses now.
pub fn usage(store: &Store, ns: &str, key: &str) -> f64 {
    let Some((group, plural)) = counted(key) else {
        return 0.0;
    };
    let Some(def) = KINDS
        .iter()
        .find(|d| d.group == group && d.plural == plural)
    else {
        return 0.0;
    };
    let (objects, _) = store.list(def.res(), Some(ns));
    objects
        .iter()
        .filter_map(|o| contribution((group, plural), o, key))
        .sum()
}

fn check_quotas(store: &Store, def: &KindDef, ns: &str, obj: &Value) -> ApiResult<()> {
    let (quotas, _) = store.list(RESOURCE_QUOTAS, Some(ns));
    let name = meta::name(obj);
    for quota in quotas {
        let Some(hard) = quota.pointer("/spec/hard").and_then(Value::as_object) else {
            continue;
        };
        let tracked: Vec<(&String, f64, &str)> = hard
            .iter()
            .filter_map(|(k, v)| {
                let raw = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                let limit = parse_quantity(&raw)?;
                counted(k)
                    .filter(|c| *c == def.res())
                    .map(|_| (k, limit, v.as_str().unwrap_or("")))
            })
            .collect();
        if tracked.is_empty() {
            continue;
        }
        let missing: Vec<&str> = tracked
            .iter()
            .filter(|(k, _, _)| contribution(def.res(), obj, k).is_none())
            .map(|(k, _, _)| k.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::forbidden(
                def.group,
                def.plural,
                name,
                &format!(
                    "failed quota: {}: must specify {}",
                    meta::name(&quota),
                    missing.join(",")
                ),
            ));
        }
        let mut requested = Vec::new();
        let mut used = Vec::new();
        let mut limited = Vec::new();
        for (key, limit, raw) in &tracked {
            let adds = contribution(def.res(), obj, key).unwrap_or(0.0);
            if adds <= 0.0 {
                continue;
            }
            let now = usage(store, ns, key);
            if now + adds > *limit + 1e-9 {
                requested.push(format!("{key}={}", format_quantity(key, adds)));
                used.push(format!("{key}={}", format_quantity(key, now)));
                limited.push(format!("{key}={raw}"));
            }
        }
        if !requested.is_empty() {
            return Err(ApiError::forbidden(
                def.group,
                def.plural,
                name,
                &format!(
                    "exceeded quota: {}, requested: {}, used: {}, limited: {}",
                    meta::name(&quota),
                    requested.join(","),
                    used.join(","),
                    limited.join(",")
                ),
            ));
        }
    }
    Ok(())
}

/// A quantity (`250m`, `2`, `1Gi`, `1e3`) in base units.
#[must_use]
pub fn parse_quantity(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    let split = raw
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(raw.len());
    let (number, suffix) = raw.split_at(split);
    let value: f64 = number.parse().ok()?;
    let binary = |power: i32| 1024.0_f64.powi(power);
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => binary(1),
        "Mi" => binary(2),
        "Gi" => binary(3),
        "Ti" => binary(4),
        _ => return None,
    };
    Some(value * factor)
}

/// A usage figure as the API server prints it: CPU in cores or millicores, memory and
/// storage in the largest binary unit that divides it, counts as integers.
#[must_use]
pub fn format_quantity(key: &str, value: f64) -> String {
    if key.ends_with("cpu") {
        let millis = (value * 1000.0).round() as i64;
        return if millis % 1000 == 0 {
            (millis / 1000).to_string()
        } else {
            format!("{millis}m")
        };
    }
    let whole = value.round() as i64;
    if key.ends_with("memory") || key.ends_with("storage") {
        for (unit, size) in [("Gi", 1_i64 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] {
            if whole != 0 && whole % size == 0 {
                return format!("{}{unit}", whole / size);
            }
        }
    }
    whole.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_print_as_the_api_server_prints_them() {
        assert_eq!(format_quantity("requests.cpu", 1.5), "1500m");
        assert_eq!(format_quantity("limits.cpu", 2.0), "2");
        assert_eq!(format_quantity("requests.memory", 268_435_456.0), "256Mi");
        assert_eq!(
            format_quantity("requests.memory", 2.0 * 1_073_741_824.0),
            "2Gi"
        );
        assert_eq!(format_quantity("pods", 3.0), "3");
        assert_eq!(parse_quantity("500m"), Some(0.5));
        assert_eq!(parse_quantity("1Gi"), Some(1_073_741_824.0));
    }

    #[test]
    fn a_limit_without_a_request_is_the_request_and_numbers_are_quantities() {
        let mut pod = json!({"spec": {"containers": [
            {"name": "a", "resources": {"limits": {"cpu": 1, "memory": "64Mi"}}},
            {"name": "b", "resources": {"requests": {"cpu": "250m"}, "limits": {"cpu": "1"}}},
        ]}});
        requests_from_limits(&mut pod);
        assert_eq!(
            pod.pointer("/spec/containers/0/resources/requests/cpu"),
            Some(&json!(1))
        );
        assert_eq!(
            pod.pointer("/spec/containers/1/resources/requests/cpu"),
            Some(&json!("250m"))
        );
        assert_eq!(pod_sum(&pod, "/resources/requests/cpu"), Some(1.25));
    }

    #[test]
    fn quota_keys_name_what_they_count() {
        assert_eq!(counted("requests.cpu"), Some(("", "pods")));
        assert_eq!(
            counted("count/deployments.apps"),
            Some(("apps", "deployments"))
        );
        assert_eq!(counted("count/configmaps"), Some(("", "configmaps")));
        assert_eq!(counted("bogus"), None);
    }
}
