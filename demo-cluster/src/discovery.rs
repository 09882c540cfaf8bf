//! Legacy discovery documents (`/version`, `/api`, `/api/v1`, `/apis`, `/apis/{g}/{v}`),
//! generated from the kind table. kubectl accepts these when aggregated discovery is not
//! offered.

use serde_json::{Value, json};

use crate::kinds::{self, KINDS, KUBEVIRT_SUBRESOURCES, KUBEVIRT_SUBRESOURCES_GROUP};

/// `/version`.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0-bosun-demo",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `/api`.
pub fn api_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{ "clientCIDR": "0.0.0.0/0", "serverAddress": server_address }],
    })
}

fn versions_of(group: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (g, v) in kinds::group_versions() {
        if g == group && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// Preferred (storage) version of a group: the first one in the table.
fn preferred(group: &str) -> &'static str {
    versions_of(group).first().copied().unwrap_or("v1")
}

/// `/apis`.
pub fn api_group_list() -> Value {
    let mut groups: Vec<&str> = Vec::new();
    for (g, _) in kinds::group_versions() {
        if !g.is_empty() && !groups.contains(&g) {
            groups.push(g);
        }
    }
    let groups: Vec<Value> = groups
        .iter()
        .map(|g| {
            let versions: Vec<Value> = versions_of(g)
                .iter()
                .map(|v| json!({ "groupVersion": format!("{g}/{v}"), "version": v }))
                .collect();
            let p = preferred(g);
            json!({
                "name": g,
                "versions": versions,
                "preferredVersion": { "groupVersion": format!("{g}/{p}"), "version": p },
            })
        })
        .collect();
    json!({ "kind": "APIGroupList", "apiVersion": "v1", "groups": groups })
}

/// `/apis/{group}` (single group document).
pub fn api_group(group: &str) -> Option<Value> {
    let vs = versions_of(group);
    if vs.is_empty() {
        return None;
    }
    let versions: Vec<Value> = vs
        .iter()
        .map(|v| json!({ "groupVersion": format!("{group}/{v}"), "version": v }))
        .collect();
    let p = preferred(group);
    Some(json!({
        "kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": versions,
        "preferredVersion": { "groupVersion": format!("{group}/{p}"), "version": p },
    }))
}

fn subresource_entry(d: &kinds::KindDef, sub: &str) -> Value {
    let name = format!("{}/{sub}", d.plural);
    let (group, version, kind, verbs): (&str, &str, &str, Vec<&str>) = match sub {
        "scale" => ("autoscaling", "v1", "Scale", vec!["get", "patch", "update"]),
        "eviction" => ("policy", "v1", "Eviction", vec!["create"]),
        "log" => ("", "", "Pod", vec!["get"]),
        "finalize" => ("", "", d.kind, vec!["update"]),
        _ => ("", "", d.kind, vec!["get", "patch", "update"]),
    };
    let mut e = json!({ "name": name, "singularName": "", "namespaced": d.namespaced, "kind": kind, "verbs": verbs });
    if !group.is_empty() {
        e["group"] = json!(group);
        e["version"] = json!(version);
    }
    e
}

/// `/api/v1` or `/apis/{group}/{version}`.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    if group == KUBEVIRT_SUBRESOURCES_GROUP && version == "v1" {
        let resources: Vec<Value> = KUBEVIRT_SUBRESOURCES
            .iter()
            .map(|(r, s)| {
                json!({ "name": format!("{r}/{s}"), "singularName": "", "namespaced": true, "kind": "", "verbs": ["update"] })
            })
            .collect();
        return Some(
            json!({ "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources }),
        );
    }
    let defs: Vec<&kinds::KindDef> = KINDS
        .iter()
        .filter(|d| d.group == group && d.version == version)
        .collect();
    if defs.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for d in defs {
        let mut e = json!({
            "name": d.plural,
            "singularName": d.singular,
            "namespaced": d.namespaced,
            "kind": d.kind,
            "verbs": kinds::verbs(d),
        });
        if !d.short_names.is_empty() {
            e["shortNames"] = json!(d.short_names);
        }
        if !d.categories.is_empty() {
            e["categories"] = json!(d.categories);
        }
        resources.push(e);
        for sub in d.subresources {
            resources.push(subresource_entry(d, sub));
        }
    }
    Some(
        json!({ "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources }),
    )
}
