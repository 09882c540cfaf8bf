//! LimitRanger's validation, after its defaults: a container, a pod (its containers
//! summed) or a claim outside its namespace's LimitRange `min`, `max` or
//! `maxLimitRequestRatio` is refused with the API server's words, every broken rule named.

use std::collections::BTreeMap;

use serde_json::Value;

use super::parse_quantity;

/// One side (requests or limits) of what is checked: resource → (as written, amount).
type Amounts = BTreeMap<String, (String, f64)>;

fn amounts(v: Option<&Value>) -> Amounts {
    v.and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            let raw = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            let amount = parse_quantity(&raw)?;
            Some((k.clone(), (raw, amount)))
        })
        .collect()
}

fn bounds(item: &Value, field: &str) -> Amounts {
    amounts(item.get(field))
}

/// A pod's requests and limits summed over its containers (an init container runs alone,
/// so the pod needs at least its largest one).
fn pod_totals(pod: &Value, side: &str) -> Amounts {
    let of = |list: &str| -> Vec<Amounts> {
        pod.pointer(&format!("/spec/{list}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| amounts(c.pointer(&format!("/resources/{side}"))))
            .collect()
    };
    let mut sums: BTreeMap<String, f64> = BTreeMap::new();
    for container in of("containers") {
        for (k, (_, amount)) in container {
            *sums.entry(k).or_default() += amount;
        }
    }
    for init in of("initContainers") {
        for (k, (_, amount)) in init {
            let sum = sums.entry(k).or_default();
            *sum = sum.max(amount);
        }
    }
    sums.into_iter()
        .map(|(k, v)| (k.clone(), (super::format_quantity(&k, v), v)))
        .collect()
}

/// The rules of one LimitRange item broken by `requests` and `limits` of a `kind`.
fn broken(item: &Value, kind: &str, requests: &Amounts, limits: &Amounts) -> Vec<String> {
    let mut out = Vec::new();
    for (resource, (min, floor)) in bounds(item, "min") {
        match (requests.get(&resource), limits.get(&resource)) {
            (None, _) => out.push(format!(
                "minimum {resource} usage per {kind} is {min}.  No request is specified"
            )),
            (Some((raw, request)), _) if *request < floor => out.push(format!(
                "minimum {resource} usage per {kind} is {min}, but request is {raw}"
            )),
            (_, Some((raw, limit))) if *limit < floor => out.push(format!(
                "minimum {resource} usage per {kind} is {min}, but limit is {raw}"
            )),
            _ => {}
        }
    }
    for (resource, (max, ceiling)) in bounds(item, "max") {
        let request = requests.get(&resource);
        if kind == "PersistentVolumeClaim" {
            if let Some((raw, _)) = request.filter(|(_, a)| *a > ceiling) {
                out.push(format!(
                    "maximum {resource} usage per {kind} is {max}, but request is {raw}"
                ));
            }
            continue;
        }
        match (limits.get(&resource), request) {
            (None, _) => out.push(format!(
                "maximum {resource} usage per {kind} is {max}.  No limit is specified"
            )),
            (Some((raw, limit)), _) if *limit > ceiling => out.push(format!(
                "maximum {resource} usage per {kind} is {max}, but limit is {raw}"
            )),
            (_, Some((raw, request))) if *request > ceiling => out.push(format!(
                "maximum {resource} usage per {kind} is {max}, but request is {raw}"
            )),
            _ => {}
        }
    }
    for (resource, (ratio, most)) in bounds(item, "maxLimitRequestRatio") {
        let request = requests.get(&resource).map_or(0.0, |r| r.1);
        let limit = limits.get(&resource).map_or(0.0, |l| l.1);
        let prefix = format!("{resource} max limit to request ratio per {kind} is {ratio}");
        if request <= 0.0 {
            out.push(format!(
                "{prefix}, but no request is specified or request is 0"
            ));
        } else if limit <= 0.0 {
            out.push(format!("{prefix}, but no limit is specified or limit is 0"));
        } else if limit / request > most + 1e-9 {
            out.push(format!(
                "{prefix}, but provided ratio is {:.6}",
                limit / request
            ));
        }
    }
    out
}

/// What the namespace's LimitRanges (`ranges`) say against a new pod or claim: the
/// API server's messages, empty when it fits. `resource` is `pods` or
/// `persistentvolumeclaims`.
pub fn violations(ranges: &[std::sync::Arc<Value>], resource: &str, obj: &Value) -> Vec<String> {
    let items = ranges
        .iter()
        .filter_map(|r| r.pointer("/spec/limits").and_then(Value::as_array))
        .flatten();
    let mut out = Vec::new();
    for item in items {
        match (resource, item.get("type").and_then(Value::as_str)) {
            ("pods", Some("Container")) => {
                for list in ["initContainers", "containers"] {
                    for container in obj
                        .pointer(&format!("/spec/{list}"))
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let requests = amounts(container.pointer("/resources/requests"));
                        let limits = amounts(container.pointer("/resources/limits"));
                        out.extend(broken(item, "Container", &requests, &limits));
                    }
                }
            }
            ("pods", Some("Pod")) => {
                let (requests, limits) = (pod_totals(obj, "requests"), pod_totals(obj, "limits"));
                out.extend(broken(item, "Pod", &requests, &limits));
            }
            ("persistentvolumeclaims", Some("PersistentVolumeClaim")) => {
                let requests = amounts(obj.pointer("/spec/resources/requests"));
                let limits = amounts(obj.pointer("/spec/resources/limits"));
                out.extend(broken(item, "PersistentVolumeClaim", &requests, &limits));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Arc;

    fn range() -> Vec<Arc<Value>> {
        vec![Arc::new(json!({ "spec": { "limits": [
            { "type": "Container", "min": { "cpu": "100m" }, "max": { "cpu": "1", "memory": "1Gi" },
              "maxLimitRequestRatio": { "cpu": "2" } },
            { "type": "Pod", "max": { "cpu": "1500m" } },
            { "type": "PersistentVolumeClaim", "min": { "storage": "1Gi" }, "max": { "storage": "10Gi" } },
        ] } }))]
    }

    fn pod(containers: Value) -> Value {
        json!({ "spec": { "containers": containers } })
    }

    #[test]
    fn a_pod_within_every_bound_passes() {
        let fits = pod(json!([{ "resources": {
            "requests": { "cpu": "500m" }, "limits": { "cpu": "1", "memory": "512Mi" } } }]));
        assert_eq!(violations(&range(), "pods", &fits), Vec::<String>::new());
    }

    #[test]
    fn each_broken_rule_is_named_in_the_api_servers_words() {
        let over = pod(json!([
            { "resources": { "requests": { "cpu": "250m" }, "limits": { "cpu": "1", "memory": "2Gi" } } },
            { "resources": { "requests": { "cpu": "50m", "memory": "1Mi" }, "limits": { "cpu": "50m" } } },
        ]));
        assert_eq!(
            violations(&range(), "pods", &over),
            vec![
                "maximum memory usage per Container is 1Gi, but limit is 2Gi",
                "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000",
                "minimum cpu usage per Container is 100m, but request is 50m",
                "maximum memory usage per Container is 1Gi.  No limit is specified",
            ]
        );
        let wide = pod(json!([
            { "resources": { "requests": { "cpu": "1" }, "limits": { "cpu": "1", "memory": "1Gi" } } },
            { "resources": { "requests": { "cpu": "1" }, "limits": { "cpu": "1", "memory": "1Gi" } } },
        ]));
        assert_eq!(
            violations(&range(), "pods", &wide),
            vec!["maximum cpu usage per Pod is 1500m, but limit is 2"]
        );
    }

    #[test]
    fn claims_are_held_to_their_storage_bounds() {
        let claim =
            |size: &str| json!({ "spec": { "resources": { "requests": { "storage": size } } } });
        assert_eq!(
            violations(&range(), "persistentvolumeclaims", &claim("20Gi")),
            vec!["maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi"]
        );
        assert_eq!(
            violations(&range(), "persistentvolumeclaims", &claim("500Mi")),
            vec!["minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi"]
        );
        assert!(violations(&range(), "persistentvolumeclaims", &claim("5Gi")).is_empty());
    }
}
