//! Rows of the Resources tables: the summary columns each kind prints, read the way
//! `kubectl get` prints them. The column headers are `bosun_model::resource::columns`.

use std::collections::BTreeMap;

use bosun_model::{KindId, ResourceRow};
use kube::api::DynamicObject;
use serde_json::Value;

use super::created;
use crate::json;
use crate::selector::LabelSelector;

/// What a namespace holds, counted once per request over the pod and workload caches.
#[derive(Debug, Default)]
pub struct NamespaceTally {
    pub pods: BTreeMap<String, usize>,
    pub workloads: BTreeMap<String, usize>,
    /// `cpu 1/4, pods 3/10` per namespace, from its quotas' status.
    pub quota: BTreeMap<String, String>,
}

/// A Resources row of `obj`, a cached object of `kind`.
#[must_use]
pub fn resource_row(
    cluster: &str,
    kind: KindId,
    obj: &DynamicObject,
    tally: &NamespaceTally,
) -> ResourceRow {
    let v = &obj.data;
    let name = obj.metadata.name.clone().unwrap_or_default();
    let columns = match kind {
        KindId::Namespace => vec![
            json::str(v, "/status/phase").to_string(),
            tally.pods.get(&name).copied().unwrap_or(0).to_string(),
            tally.workloads.get(&name).copied().unwrap_or(0).to_string(),
            tally.quota.get(&name).cloned().unwrap_or_default(),
        ],
        KindId::Service => vec![
            or(json::str(v, "/spec/type"), "ClusterIP"),
            or(json::str(v, "/spec/clusterIP"), "<none>"),
            external_ips(v),
            service_ports(v),
            or(&selector_text(v, "/spec/selector"), "<none>"),
        ],
        KindId::Ingress => vec![
            or(json::str(v, "/spec/ingressClassName"), "<none>"),
            or(&ingress_hosts(v).join(","), "*"),
            load_balancer(v),
            if json::array(v, "/spec/tls").is_empty() {
                "80".to_string()
            } else {
                "80, 443".to_string()
            },
        ],
        KindId::Endpoints => vec![endpoints_text(v)],
        KindId::EndpointSlice => vec![
            json::str(v, "/addressType").to_string(),
            slice_ports(v),
            slice_endpoints_text(v),
            or(
                obj.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("kubernetes.io/service-name"))
                    .map_or("", String::as_str),
                "<none>",
            ),
        ],
        KindId::NetworkPolicy => vec![
            or(
                &label_selector_text(v.pointer("/spec/podSelector")),
                "<all pods>",
            ),
            policy_types(v).join(", "),
        ],
        KindId::PersistentVolume => vec![
            json::str(v, "/spec/capacity/storage").to_string(),
            access_modes(v),
            json::str(v, "/spec/persistentVolumeReclaimPolicy").to_string(),
            json::str(v, "/status/phase").to_string(),
            claim_of(v),
            json::str(v, "/spec/storageClassName").to_string(),
        ],
        KindId::PersistentVolumeClaim => vec![
            json::str(v, "/status/phase").to_string(),
            json::str(v, "/spec/volumeName").to_string(),
            json::str(v, "/status/capacity/storage").to_string(),
            access_modes_at(v, "/status/accessModes"),
            json::str(v, "/spec/storageClassName").to_string(),
        ],
        KindId::StorageClass => vec![
            json::str(v, "/provisioner").to_string(),
            or(json::str(v, "/reclaimPolicy"), "Delete"),
            or(json::str(v, "/volumeBindingMode"), "Immediate"),
            json::bool(v, "/allowVolumeExpansion").to_string(),
            if is_default_class(obj) { "yes" } else { "" }.to_string(),
        ],
        KindId::ConfigMap => {
            let keys = data_keys(v);
            vec![keys.len().to_string(), keys.join(", ")]
        }
        KindId::Secret => vec![
            or(json::str(v, "/type"), "Opaque"),
            data_keys(v).len().to_string(),
        ],
        KindId::ResourceQuota => vec![quota_usage(v)],
        KindId::LimitRange => vec![
            json::array(v, "/spec/limits")
                .iter()
                .map(|l| json::str(l, "/type").to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ],
        KindId::PodDisruptionBudget => vec![
            or(&scalar(v.pointer("/spec/minAvailable")), "N/A"),
            or(&scalar(v.pointer("/spec/maxUnavailable")), "N/A"),
            json::int(v, "/status/disruptionsAllowed").to_string(),
        ],
        KindId::ServiceAccount => vec![json::array(v, "/secrets").len().to_string()],
        KindId::Role | KindId::ClusterRole => vec![json::array(v, "/rules").len().to_string()],
        KindId::RoleBinding | KindId::ClusterRoleBinding => vec![
            format!(
                "{}/{}",
                json::str(v, "/roleRef/kind"),
                json::str(v, "/roleRef/name")
            ),
            subjects_text(v),
        ],
        _ => Vec::new(),
    };
    ResourceRow {
        cluster: cluster.to_string(),
        namespace: obj.metadata.namespace.clone().unwrap_or_default(),
        kind,
        name,
        created: Some(created(obj)).filter(|c| !c.is_empty()),
        labels: obj.metadata.labels.clone().unwrap_or_default(),
        columns,
    }
}

fn or(value: &str, fallback: &str) -> String {
    if value.is_empty() {
        fallback.to_string()
    } else {
        value.to_string()
    }
}

/// An int-or-string field as text.
pub(crate) fn scalar(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// `app=web,tier=front` of a plain string map.
pub(crate) fn selector_text(v: &Value, pointer: &str) -> String {
    json::string_map(v, pointer)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A `LabelSelector` (matchLabels and matchExpressions) in kubectl's syntax, as the
/// selector module reads and prints it.
pub(crate) fn label_selector_text(selector: Option<&Value>) -> String {
    selector.map_or_else(String::new, |s| LabelSelector::from_spec(s).to_query())
}

fn external_ips(v: &Value) -> String {
    let mut ips: Vec<String> = json::array(v, "/spec/externalIPs")
        .iter()
        .filter_map(|ip| ip.as_str().map(str::to_string))
        .collect();
    let lb = load_balancer(v);
    if !lb.is_empty() {
        ips.push(lb);
    }
    if ips.is_empty() {
        match json::str(v, "/spec/type") {
            "LoadBalancer" => "<pending>".to_string(),
            _ => "<none>".to_string(),
        }
    } else {
        ips.join(",")
    }
}

fn load_balancer(v: &Value) -> String {
    json::array(v, "/status/loadBalancer/ingress")
        .iter()
        .map(|i| {
            let ip = json::str(i, "/ip");
            if ip.is_empty() {
                json::str(i, "/hostname").to_string()
            } else {
                ip.to_string()
            }
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

/// `80/TCP,443:30443/TCP`, as `kubectl get services` prints ports.
fn service_ports(v: &Value) -> String {
    let ports: Vec<String> = json::array(v, "/spec/ports")
        .iter()
        .map(|p| {
            let port = json::int(p, "/port");
            let proto = or(json::str(p, "/protocol"), "TCP");
            match json::opt_int(p, "/nodePort") {
                Some(node) => format!("{port}:{node}/{proto}"),
                None => format!("{port}/{proto}"),
            }
        })
        .collect();
    or(&ports.join(","), "<none>")
}

pub(crate) fn ingress_hosts(v: &Value) -> Vec<String> {
    json::array(v, "/spec/rules")
        .iter()
        .map(|r| or(json::str(r, "/host"), "*"))
        .collect()
}

/// `10.0.0.5:8080,10.0.0.6:8080 + 3 more...`, as `kubectl get endpoints` prints them.
fn endpoints_text(v: &Value) -> String {
    let mut all = Vec::new();
    for subset in json::array(v, "/subsets") {
        for address in json::array(subset, "/addresses") {
            let ip = json::str(address, "/ip");
            let ports = json::array(subset, "/ports");
            if ports.is_empty() {
                all.push(ip.to_string());
            }
            for port in ports {
                all.push(format!("{ip}:{}", json::int(port, "/port")));
            }
        }
    }
    first_three(&all, "<none>")
}

/// How kubectl prints a list of addresses in a column: the first three, then how many
/// more; `empty` when there are none.
fn first_three<S: AsRef<str>>(all: &[S], empty: &str) -> String {
    if all.is_empty() {
        return empty.to_string();
    }
    let shown: Vec<&str> = all.iter().take(3).map(AsRef::as_ref).collect();
    if all.len() > 3 {
        format!("{} + {} more...", shown.join(","), all.len() - 3)
    } else {
        shown.join(",")
    }
}

/// `kubectl get endpointslices`' PORTS: the port numbers, `<unset>` for a slice of all.
fn slice_ports(v: &Value) -> String {
    let ports: Vec<String> = json::array(v, "/ports")
        .iter()
        .map(|p| json::opt_int(p, "/port").map_or_else(|| "<unset>".to_string(), |n| n.to_string()))
        .collect();
    if ports.is_empty() {
        "<unset>".to_string()
    } else {
        ports.join(",")
    }
}

/// `kubectl get endpointslices`' ENDPOINTS: the first three addresses, then how many more.
fn slice_endpoints_text(v: &Value) -> String {
    let all: Vec<&str> = json::array(v, "/endpoints")
        .iter()
        .flat_map(|e| json::array(e, "/addresses"))
        .filter_map(Value::as_str)
        .collect();
    first_three(&all, "<unset>")
}

pub(crate) fn policy_types(v: &Value) -> Vec<String> {
    let declared: Vec<String> = json::array(v, "/spec/policyTypes")
        .iter()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect();
    if !declared.is_empty() {
        return declared;
    }
    // As the API server defaults them: Ingress always, Egress when egress rules exist.
    let mut types = vec!["Ingress".to_string()];
    if v.pointer("/spec/egress").is_some() {
        types.push("Egress".to_string());
    }
    types
}

fn access_modes(v: &Value) -> String {
    access_modes_at(v, "/spec/accessModes")
}

/// `RWO,ROX`, as kubectl abbreviates access modes.
fn access_modes_at(v: &Value, pointer: &str) -> String {
    json::array(v, pointer)
        .iter()
        .filter_map(Value::as_str)
        .map(|m| match m {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn claim_of(v: &Value) -> String {
    let name = json::str(v, "/spec/claimRef/name");
    if name.is_empty() {
        String::new()
    } else {
        format!("{}/{name}", json::str(v, "/spec/claimRef/namespace"))
    }
}

const DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";

pub fn is_default_class(obj: &DynamicObject) -> bool {
    obj.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(DEFAULT_CLASS))
        .is_some_and(|v| v == "true")
}

/// The keys of a ConfigMap's or Secret's `data` and `binaryData`, sorted.
pub(crate) fn data_keys(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = ["/data", "/binaryData"]
        .iter()
        .filter_map(|p| v.pointer(p).and_then(Value::as_object))
        .flat_map(|m| m.keys().cloned())
        .collect();
    keys.sort();
    keys
}

/// `pods 3/10, requests.cpu 500m/2`, from a quota's status.
pub fn quota_usage(v: &Value) -> String {
    let hard = json::string_map(v, "/status/hard");
    let hard = if hard.is_empty() {
        json::string_map(v, "/spec/hard")
    } else {
        hard
    };
    let used = json::string_map(v, "/status/used");
    hard.iter()
        .map(|(resource, limit)| {
            let now = used.get(resource).map_or("0", String::as_str);
            format!("{resource} {now}/{limit}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `User alice, Group ops, ServiceAccount shop/builder`.
fn subjects_text(v: &Value) -> String {
    json::array(v, "/subjects")
        .iter()
        .map(|s| {
            let kind = json::str(s, "/kind");
            let name = json::str(s, "/name");
            match json::str(s, "/namespace") {
                "" => format!("{kind} {name}"),
                ns => format!("{kind} {ns}/{name}"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> DynamicObject {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn services_print_as_kubectl_get_does() {
        let svc = object(json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"type": "NodePort", "clusterIP": "10.96.0.12", "selector": {"app": "web"},
                     "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 9090}]},
        }));
        let row = resource_row("demo", KindId::Service, &svc, &NamespaceTally::default());
        assert_eq!(
            row.columns,
            vec![
                "NodePort",
                "10.96.0.12",
                "<none>",
                "80:30080/TCP,9090/TCP",
                "app=web"
            ]
        );
    }

    #[test]
    fn quotas_and_selectors_read_plainly() {
        let quota = json!({"status": {"hard": {"pods": "10", "requests.cpu": "2"},
                                      "used": {"pods": "3"}}});
        assert_eq!(quota_usage(&quota), "pods 3/10, requests.cpu 0/2");
        let selector = json!({"matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]},
                                 {"key": "canary", "operator": "DoesNotExist"}]});
        assert_eq!(
            label_selector_text(Some(&selector)),
            "app=web,tier in (a,b),!canary"
        );
        let ep = json!({"subsets": [{"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"},
            {"ip": "10.0.0.3"}, {"ip": "10.0.0.4"}], "ports": [{"port": 8080}]}]});
        assert_eq!(
            endpoints_text(&ep),
            "10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 1 more..."
        );
    }
}
