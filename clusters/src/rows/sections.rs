//! The sections of a Resources detail page: what `kubectl describe` would tell about the
//! object, as tables. Each function reads one kind; objects the section also needs (a
//! Service's Endpoints, the role a binding grants) are passed in by the caller, which
//! takes them from their caches.

use bosun_model::{Section, SectionRow};
use serde_json::Value;

use super::resource::{
    data_keys, ingress_hosts, label_selector_text, policy_types, scalar, selector_text,
};
use crate::{json, quantity};

fn cell(v: &Value, pointer: &str) -> String {
    json::str(v, pointer).to_string()
}

fn list(v: &Value, pointer: &str) -> String {
    json::array(v, pointer)
        .iter()
        .map(|item| match item {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Service: its spec, ports, and the addresses behind it (from its Endpoints).
#[must_use]
pub fn service(v: &Value, endpoints: Option<&Value>) -> Vec<Section> {
    let spec = Section::fields(
        "Service",
        vec![
            ("Type", cell(v, "/spec/type")),
            ("Cluster IP", cell(v, "/spec/clusterIP")),
            ("External name", cell(v, "/spec/externalName")),
            ("Selector", selector_text(v, "/spec/selector")),
            ("Session affinity", cell(v, "/spec/sessionAffinity")),
            (
                "External traffic policy",
                cell(v, "/spec/externalTrafficPolicy"),
            ),
        ],
    );
    let mut ports = Section::new(
        "Ports",
        &["Name", "Port", "Target port", "Protocol", "Node port"],
    );
    for p in json::array(v, "/spec/ports") {
        ports.push(vec![
            cell(p, "/name"),
            json::int(p, "/port").to_string(),
            scalar(p.pointer("/targetPort")),
            cell(p, "/protocol"),
            json::opt_int(p, "/nodePort").map_or(String::new(), |n| n.to_string()),
        ]);
    }
    let mut behind = match endpoints {
        Some(ep) => endpoints_table(ep),
        None => Section::new(
            "Endpoints",
            &["Address", "Ready", "Target", "Node", "Ports"],
        )
        .with_note("no Endpoints object of this name: the Service selects no ready pod yet"),
    };
    if behind.rows.is_empty() && behind.note.is_none() {
        behind.note = Some("no pod behind this Service is ready".to_string());
    }
    vec![spec, ports, behind]
}

/// An EndpointSlice: its endpoints with their conditions (ready, serving, terminating, as
/// kube-proxy reads them) and the ports every endpoint serves.
#[must_use]
pub fn endpoint_slice(v: &Value) -> Vec<Section> {
    let yes_no = |e: &Value, pointer: &str| match e.pointer(pointer).and_then(Value::as_bool) {
        Some(true) => "yes".to_string(),
        Some(false) => "no".to_string(),
        None => "unknown".to_string(),
    };
    let mut endpoints = Section::new(
        "Endpoints",
        &[
            "Addresses",
            "Ready",
            "Serving",
            "Terminating",
            "Target",
            "Node",
            "Zone",
        ],
    );
    for e in json::array(v, "/endpoints") {
        let target = match cell(e, "/targetRef/kind").as_str() {
            "" => String::new(),
            kind => format!("{kind}/{}", json::str(e, "/targetRef/name")),
        };
        endpoints.push(vec![
            list(e, "/addresses"),
            yes_no(e, "/conditions/ready"),
            yes_no(e, "/conditions/serving"),
            yes_no(e, "/conditions/terminating"),
            target,
            cell(e, "/nodeName"),
            cell(e, "/zone"),
        ]);
    }
    if endpoints.rows.is_empty() {
        endpoints.note = Some("no endpoints: the Service selects no pod".to_string());
    }
    let mut ports = Section::new("Ports", &["Name", "Port", "Protocol", "App protocol"]);
    for p in json::array(v, "/ports") {
        ports.push(vec![
            cell(p, "/name"),
            json::opt_int(p, "/port").map_or_else(|| "<unset>".to_string(), |n| n.to_string()),
            cell(p, "/protocol"),
            cell(p, "/appProtocol"),
        ]);
    }
    let spec = Section::fields(
        "EndpointSlice",
        vec![
            ("Address type", cell(v, "/addressType")),
            (
                "Service",
                cell(v, "/metadata/labels/kubernetes.io~1service-name"),
            ),
            (
                "Managed by",
                cell(
                    v,
                    "/metadata/labels/endpointslice.kubernetes.io~1managed-by",
                ),
            ),
        ],
    );
    vec![spec, endpoints, ports]
}

/// The addresses of an Endpoints object, ready or not.
#[must_use]
pub fn endpoints_table(v: &Value) -> Section {
    let mut section = Section::new(
        "Endpoints",
        &["Address", "Ready", "Target", "Node", "Ports"],
    );
    for subset in json::array(v, "/subsets") {
        let ports = json::array(subset, "/ports")
            .iter()
            .map(|p| match json::str(p, "/name") {
                "" => json::int(p, "/port").to_string(),
                name => format!("{name}:{}", json::int(p, "/port")),
            })
            .collect::<Vec<_>>()
            .join(", ");
        for (pointer, ready) in [("/addresses", "yes"), ("/notReadyAddresses", "no")] {
            for a in json::array(subset, pointer) {
                let target = match cell(a, "/targetRef/kind").as_str() {
                    "" => String::new(),
                    kind => format!("{kind}/{}", json::str(a, "/targetRef/name")),
                };
                section.push(vec![
                    cell(a, "/ip"),
                    ready.to_string(),
                    target,
                    cell(a, "/nodeName"),
                    ports.clone(),
                ]);
            }
        }
    }
    section
}

/// An Ingress: hosts and paths to backends, and its TLS secrets.
#[must_use]
pub fn ingress(v: &Value) -> Vec<Section> {
    let spec = Section::fields(
        "Ingress",
        vec![
            ("Class", cell(v, "/spec/ingressClassName")),
            ("Hosts", ingress_hosts(v).join(", ")),
            (
                "Default backend",
                backend(v.pointer("/spec/defaultBackend")),
            ),
        ],
    );
    let mut rules = Section::new("Rules", &["Host", "Path", "Path type", "Backend"]);
    for rule in json::array(v, "/spec/rules") {
        let host = match json::str(rule, "/host") {
            "" => "*".to_string(),
            h => h.to_string(),
        };
        for path in json::array(rule, "/http/paths") {
            rules.push(vec![
                host.clone(),
                match json::str(path, "/path") {
                    "" => "/".to_string(),
                    p => p.to_string(),
                },
                cell(path, "/pathType"),
                backend(path.pointer("/backend")),
            ]);
        }
    }
    let mut tls = Section::new("TLS", &["Hosts", "Secret"]);
    for entry in json::array(v, "/spec/tls") {
        tls.push(vec![list(entry, "/hosts"), cell(entry, "/secretName")]);
    }
    if tls.rows.is_empty() {
        tls.note = Some("no TLS: served over plain HTTP".to_string());
    }
    vec![spec, rules, tls]
}

/// `web:80` for a service backend, `Kind/name` for a resource backend.
fn backend(b: Option<&Value>) -> String {
    let Some(b) = b else { return String::new() };
    let service = json::str(b, "/service/name");
    if service.is_empty() {
        let kind = json::str(b, "/resource/kind");
        return if kind.is_empty() {
            String::new()
        } else {
            format!("{kind}/{}", json::str(b, "/resource/name"))
        };
    }
    let port = match json::str(b, "/service/port/name") {
        "" => json::int(b, "/service/port/number").to_string(),
        name => name.to_string(),
    };
    format!("{service}:{port}")
}

/// A NetworkPolicy, its rules in words: who may reach the selected pods, and where they
/// may go.
#[must_use]
pub fn network_policy(v: &Value) -> Vec<Section> {
    let types = policy_types(v);
    let selected = match label_selector_text(v.pointer("/spec/podSelector")) {
        s if s.is_empty() => "every pod in the namespace".to_string(),
        s => s,
    };
    let spec = Section::fields(
        "Policy",
        vec![
            ("Applies to pods", selected),
            ("Policy types", types.join(", ")),
        ],
    );
    let mut sections = vec![spec];
    for (kind, rules_at, peers_at, title, header) in [
        ("Ingress", "/spec/ingress", "/from", "Ingress rules", "From"),
        ("Egress", "/spec/egress", "/to", "Egress rules", "To"),
    ] {
        if !types.iter().any(|t| t == kind) {
            continue;
        }
        let mut section = Section::new(title, &[header, "Ports"]);
        let rules = json::array(v, rules_at);
        for rule in rules {
            let peers: Vec<String> = json::array(rule, peers_at).iter().map(peer).collect();
            let ports: Vec<String> = json::array(rule, "/ports")
                .iter()
                .map(|p| {
                    let proto = match json::str(p, "/protocol") {
                        "" => "TCP",
                        other => other,
                    };
                    match (scalar(p.pointer("/port")), json::opt_int(p, "/endPort")) {
                        (port, _) if port.is_empty() => format!("any {proto} port"),
                        (port, Some(end)) => format!("{port}-{end}/{proto}"),
                        (port, None) => format!("{port}/{proto}"),
                    }
                })
                .collect();
            section.push(vec![
                if peers.is_empty() {
                    "anywhere".to_string()
                } else {
                    peers.join("; ")
                },
                if ports.is_empty() {
                    "all ports".to_string()
                } else {
                    ports.join(", ")
                },
            ]);
        }
        if rules.is_empty() {
            section.note = Some(format!(
                "no rules: all {} traffic of the selected pods is denied",
                kind.to_ascii_lowercase()
            ));
        }
        sections.push(section);
    }
    sections
}

/// One `from`/`to` peer in words.
fn peer(p: &Value) -> String {
    if let Some(block) = p.pointer("/ipBlock") {
        let except = list(block, "/except");
        let cidr = json::str(block, "/cidr");
        return if except.is_empty() {
            format!("addresses {cidr}")
        } else {
            format!("addresses {cidr} except {except}")
        };
    }
    let pods = p
        .pointer("/podSelector")
        .map(|s| match label_selector_text(Some(s)) {
            t if t.is_empty() => "all pods".to_string(),
            t => format!("pods {t}"),
        });
    let namespaces = p
        .pointer("/namespaceSelector")
        .map(|s| match label_selector_text(Some(s)) {
            t if t.is_empty() => "every namespace".to_string(),
            t => format!("namespaces {t}"),
        });
    match (pods, namespaces) {
        (Some(pods), Some(ns)) => format!("{pods} in {ns}"),
        (Some(pods), None) => format!("{pods} in this namespace"),
        (None, Some(ns)) => format!("all pods in {ns}"),
        (None, None) => "anywhere".to_string(),
    }
}

/// A PersistentVolume.
#[must_use]
pub fn persistent_volume(v: &Value) -> Vec<Section> {
    vec![Section::fields(
        "Volume",
        vec![
            ("Capacity", cell(v, "/spec/capacity/storage")),
            ("Access modes", list(v, "/spec/accessModes")),
            (
                "Reclaim policy",
                cell(v, "/spec/persistentVolumeReclaimPolicy"),
            ),
            ("Status", cell(v, "/status/phase")),
            (
                "Claim",
                match json::str(v, "/spec/claimRef/name") {
                    "" => String::new(),
                    name => format!("{}/{name}", json::str(v, "/spec/claimRef/namespace")),
                },
            ),
            ("Storage class", cell(v, "/spec/storageClassName")),
            ("Volume mode", cell(v, "/spec/volumeMode")),
            ("Source", volume_source(v)),
        ],
    )]
}

fn volume_source(v: &Value) -> String {
    if let Some(path) = v.pointer("/spec/hostPath/path").and_then(Value::as_str) {
        return format!("hostPath {path}");
    }
    if let Some(driver) = v.pointer("/spec/csi/driver").and_then(Value::as_str) {
        return format!("CSI {driver} ({})", json::str(v, "/spec/csi/volumeHandle"));
    }
    if let Some(server) = v.pointer("/spec/nfs/server").and_then(Value::as_str) {
        return format!("NFS {server}:{}", json::str(v, "/spec/nfs/path"));
    }
    if let Some(path) = v.pointer("/spec/local/path").and_then(Value::as_str) {
        return format!("local {path}");
    }
    String::new()
}

/// A PersistentVolumeClaim and the pods that mount it.
#[must_use]
pub fn persistent_volume_claim(v: &Value, used_by: &[String]) -> Vec<Section> {
    let claim = Section::fields(
        "Claim",
        vec![
            ("Status", cell(v, "/status/phase")),
            ("Volume", cell(v, "/spec/volumeName")),
            ("Requested", cell(v, "/spec/resources/requests/storage")),
            ("Capacity", cell(v, "/status/capacity/storage")),
            ("Access modes", list(v, "/spec/accessModes")),
            ("Storage class", cell(v, "/spec/storageClassName")),
            ("Volume mode", cell(v, "/spec/volumeMode")),
        ],
    );
    let mut pods = Section::new("Used by", &["Pod"]);
    for pod in used_by {
        pods.push(vec![pod.clone()]);
    }
    if used_by.is_empty() {
        pods.note = Some("no pod mounts this claim".to_string());
    }
    vec![claim, pods]
}

/// A StorageClass and its provisioner's parameters.
#[must_use]
pub fn storage_class(v: &Value, default: bool) -> Vec<Section> {
    let class = Section::fields(
        "Storage class",
        vec![
            ("Provisioner", cell(v, "/provisioner")),
            ("Reclaim policy", cell(v, "/reclaimPolicy")),
            ("Volume binding mode", cell(v, "/volumeBindingMode")),
            (
                "Allow volume expansion",
                json::bool(v, "/allowVolumeExpansion").to_string(),
            ),
            (
                "Default class",
                if default { "yes" } else { "no" }.to_string(),
            ),
        ],
    );
    let mut params = Section::new("Parameters", &["Parameter", "Value"]);
    for (k, value) in json::string_map(v, "/parameters") {
        params.push(vec![k, value]);
    }
    vec![class, params]
}

/// A ConfigMap's data: keys and values (binary values by size).
#[must_use]
pub fn config_map(v: &Value) -> Vec<Section> {
    let mut data = Section::new("Data", &["Key", "Value"]);
    for (k, value) in json::string_map(v, "/data") {
        data.push(vec![k, value]);
    }
    for (k, value) in json::string_map(v, "/binaryData") {
        data.push(vec![k, format!("<binary, {} bytes>", value.len() / 4 * 3)]);
    }
    if data.rows.is_empty() {
        data.note = Some("no data".to_string());
    }
    vec![data]
}

/// A Secret as the cache holds it: type and keys with sizes, values hidden.
#[must_use]
pub fn secret(v: &Value) -> Vec<Section> {
    let kind = Section::fields("Secret", vec![("Type", cell(v, "/type"))]);
    let mut data = Section::new("Data", &["Key", "Value"]);
    for key in data_keys(v) {
        let shown = json::str(v, &format!("/data/{}", pointer_escape(&key))).to_string();
        data.push(vec![key, shown]);
    }
    data.note = Some(if data.rows.is_empty() {
        "no data".to_string()
    } else {
        "values are hidden: revealing one is an audited action".to_string()
    });
    vec![kind, data]
}

/// A key as one JSON pointer segment (`~` and `/` escaped).
fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A ResourceQuota's usage, one bar per resource.
#[must_use]
pub fn resource_quota(v: &Value) -> Vec<Section> {
    vec![quota_section("Usage", v)]
}

/// Used against hard, per resource, with the fraction a bar draws.
#[must_use]
pub fn quota_section(title: &str, v: &Value) -> Section {
    let mut section = Section::new(title, &["Resource", "Used", "Hard"]);
    let hard = match json::string_map(v, "/status/hard") {
        h if h.is_empty() => json::string_map(v, "/spec/hard"),
        h => h,
    };
    let used = json::string_map(v, "/status/used");
    for (resource, limit) in hard {
        let now = used.get(&resource).cloned().unwrap_or_else(|| "0".into());
        let fraction = match (quantity::parse(&now), quantity::parse(&limit)) {
            (Some(u), Some(h)) if h > 0.0 => Some(u / h),
            (Some(_), Some(_)) => Some(1.0),
            _ => None,
        };
        section.rows.push(SectionRow {
            cells: vec![resource, now, limit],
            fraction,
        });
    }
    section
}

/// A LimitRange's limits, one line per type and resource.
#[must_use]
pub fn limit_range(v: &Value) -> Vec<Section> {
    let mut section = Section::new(
        "Limits",
        &[
            "Type",
            "Resource",
            "Min",
            "Max",
            "Default request",
            "Default limit",
            "Max limit/request ratio",
        ],
    );
    for limit in json::array(v, "/spec/limits") {
        let mut resources: Vec<String> = [
            "/min",
            "/max",
            "/defaultRequest",
            "/default",
            "/maxLimitRequestRatio",
        ]
        .iter()
        .flat_map(|p| json::string_map(limit, p).into_keys())
        .collect();
        resources.sort();
        resources.dedup();
        for resource in resources {
            let at = |p: &str| json::str(limit, &format!("{p}/{resource}")).to_string();
            section.push(vec![
                cell(limit, "/type"),
                resource.clone(),
                at("/min"),
                at("/max"),
                at("/defaultRequest"),
                at("/default"),
                at("/maxLimitRequestRatio"),
            ]);
        }
    }
    vec![section]
}

/// A PodDisruptionBudget.
#[must_use]
pub fn disruption_budget(v: &Value) -> Vec<Section> {
    vec![Section::fields(
        "Budget",
        vec![
            ("Min available", scalar(v.pointer("/spec/minAvailable"))),
            ("Max unavailable", scalar(v.pointer("/spec/maxUnavailable"))),
            ("Selector", label_selector_text(v.pointer("/spec/selector"))),
            (
                "Current healthy",
                json::int(v, "/status/currentHealthy").to_string(),
            ),
            (
                "Desired healthy",
                json::int(v, "/status/desiredHealthy").to_string(),
            ),
            (
                "Allowed disruptions",
                json::int(v, "/status/disruptionsAllowed").to_string(),
            ),
            (
                "Expected pods",
                json::int(v, "/status/expectedPods").to_string(),
            ),
        ],
    )]
}

/// A ServiceAccount.
#[must_use]
pub fn service_account(v: &Value) -> Vec<Section> {
    vec![Section::fields(
        "Service account",
        vec![
            (
                "Automount token",
                v.pointer("/automountServiceAccountToken")
                    .and_then(Value::as_bool)
                    .map_or("default (yes)".to_string(), |b| b.to_string()),
            ),
            ("Secrets", names(v, "/secrets")),
            ("Image pull secrets", names(v, "/imagePullSecrets")),
        ],
    )]
}

fn names(v: &Value, pointer: &str) -> String {
    json::array(v, pointer)
        .iter()
        .map(|s| json::str(s, "/name").to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Role's or ClusterRole's rules.
#[must_use]
pub fn role(v: &Value) -> Vec<Section> {
    let mut sections = vec![rules_section("Rules", v)];
    if let Some(agg) = v.pointer("/aggregationRule") {
        let selectors: Vec<String> = json::array(agg, "/clusterRoleSelectors")
            .iter()
            .map(|s| label_selector_text(Some(s)))
            .collect();
        sections.push(Section::fields(
            "Aggregation",
            vec![("Aggregates cluster roles matching", selectors.join("; "))],
        ));
    }
    sections
}

/// The rules of a role as a table, one line per rule.
#[must_use]
pub fn rules_section(title: &str, role: &Value) -> Section {
    let mut section = Section::new(
        title,
        &["API groups", "Resources", "Resource names", "Verbs"],
    );
    for rule in json::array(role, "/rules") {
        let groups = json::array(rule, "/apiGroups")
            .iter()
            .map(|g| match g.as_str() {
                Some("") => "core".to_string(),
                Some(g) => g.to_string(),
                None => String::new(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let resources = match list(rule, "/resources") {
            r if r.is_empty() => list(rule, "/nonResourceURLs"),
            r => r,
        };
        section.push(vec![
            groups,
            resources,
            list(rule, "/resourceNames"),
            list(rule, "/verbs"),
        ]);
    }
    if section.rows.is_empty() {
        section.note = Some("no rules: grants nothing".to_string());
    }
    section
}

/// A RoleBinding or ClusterRoleBinding: who it binds, and what the role it names grants
/// (`role` is that role, when it exists).
#[must_use]
pub fn binding(v: &Value, role: Option<&Value>, namespace: &str) -> Vec<Section> {
    let role_ref = format!(
        "{}/{}",
        json::str(v, "/roleRef/kind"),
        json::str(v, "/roleRef/name")
    );
    let scope = if namespace.is_empty() {
        "every namespace".to_string()
    } else {
        format!("namespace {namespace} only")
    };
    let head = Section::fields(
        "Binding",
        vec![("Role", role_ref.clone()), ("Applies in", scope)],
    );
    let mut subjects = Section::new("Subjects", &["Kind", "Name", "Namespace"]);
    for s in json::array(v, "/subjects") {
        subjects.push(vec![
            cell(s, "/kind"),
            cell(s, "/name"),
            cell(s, "/namespace"),
        ]);
    }
    let granted = match role {
        Some(role) => rules_section("Rules granted", role),
        None => Section::new(
            "Rules granted",
            &["API groups", "Resources", "Resource names", "Verbs"],
        )
        .with_note(&format!(
            "{role_ref} does not exist: this binding grants nothing until it does"
        )),
    };
    vec![head, subjects, granted]
}

/// A namespace: its phase, what it holds (what deleting it deletes), its quotas and the
/// container limits its LimitRanges set (as `kubectl describe namespace` shows them).
#[must_use]
pub fn namespace(
    v: &Value,
    contents: &[(String, usize)],
    quotas: &[Value],
    limits: &[Value],
) -> Vec<Section> {
    let head = Section::fields("Namespace", vec![("Status", cell(v, "/status/phase"))]);
    let mut held = Section::new("Contents", &["Kind", "Count"]);
    for (kind, count) in contents.iter().filter(|(_, n)| *n > 0) {
        held.push(vec![kind.clone(), count.to_string()]);
    }
    held.note = Some(if held.rows.is_empty() {
        "empty".to_string()
    } else {
        "deleting the namespace deletes all of these".to_string()
    });
    let mut sections = vec![head, held];
    for quota in quotas {
        let name = json::str(quota, "/metadata/name");
        sections.push(quota_section(&format!("Quota {name}"), quota));
    }
    for range in limits {
        let name = json::str(range, "/metadata/name");
        sections.extend(limit_range(range).into_iter().map(|mut s| {
            s.title = format!("Limits {name}");
            s
        }));
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn network_policy_rules_read_as_sentences() {
        let policy = json!({"spec": {
            "podSelector": {"matchLabels": {"app": "db"}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}},
                                  {"namespaceSelector": {"matchLabels": {"team": "ops"}},
                                   "podSelector": {}},
                                  {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
                         "ports": [{"port": 5432}]}],
            "egress": [],
        }});
        let sections = network_policy(&policy);
        assert_eq!(sections[0].rows[0].cells[1], "app=db");
        assert_eq!(
            sections[1].rows[0].cells,
            vec![
                "pods app=web in this namespace; all pods in namespaces team=ops; addresses 10.0.0.0/8 except 10.1.0.0/16",
                "5432/TCP"
            ]
        );
        assert_eq!(
            sections[2].note.as_deref(),
            Some("no rules: all egress traffic of the selected pods is denied")
        );
    }

    #[test]
    fn quota_rows_carry_the_fraction_for_a_bar() {
        let quota = json!({"status": {"hard": {"requests.memory": "1Gi", "pods": "4"},
                                      "used": {"requests.memory": "512Mi", "pods": "4"}}});
        let section = quota_section("Usage", &quota);
        assert_eq!(section.rows[0].cells, vec!["pods", "4", "4"]);
        assert_eq!(section.rows[0].fraction, Some(1.0));
        assert_eq!(section.rows[1].fraction, Some(0.5));
    }

    #[test]
    fn a_binding_shows_what_its_role_grants() {
        let binding_obj = json!({"roleRef": {"kind": "Role", "name": "reader"},
            "subjects": [{"kind": "User", "name": "alice"}]});
        let role = json!({"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]});
        let sections = binding(&binding_obj, Some(&role), "shop");
        assert_eq!(sections[1].rows[0].cells, vec!["User", "alice", ""]);
        assert_eq!(
            sections[2].rows[0].cells,
            vec!["core", "pods", "", "get, list"]
        );
        let missing = binding(&binding_obj, None, "shop");
        assert!(
            missing[2]
                .note
                .as_deref()
                .unwrap()
                .contains("does not exist")
        );
    }
}
