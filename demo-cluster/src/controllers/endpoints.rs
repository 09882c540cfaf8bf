//! Endpoints controller: each Service with a selector gets an Endpoints object and an
//! EndpointSlice (what `kubectl describe service` reads) listing its ready pods.

use std::sync::Arc;

use serde_json::{Value, json};

use super::Ctx;
use crate::kinds::res;
use crate::meta;

const SERVICES: crate::kinds::Res = ("", "services");
const ENDPOINTS: crate::kinds::Res = ("", "endpoints");
const SLICES: crate::kinds::Res = ("discovery.k8s.io", "endpointslices");

/// The EndpointSlice equivalent of an Endpoints `subsets` value.
fn slice(svc: &Value, subsets: &Value) -> Value {
    let name = meta::name(svc);
    let subset = subsets.get(0);
    // Ready and not-ready addresses alike, told apart by their conditions, as the
    // EndpointSlice controller writes them.
    let endpoints: Vec<Value> = [("addresses", true), ("notReadyAddresses", false)]
        .iter()
        .flat_map(|(field, ready)| {
            subset
                .and_then(|s| s[*field].as_array())
                .into_iter()
                .flatten()
                .map(move |x| {
                    json!({
                        "addresses": [x["ip"].clone()],
                        "conditions": { "ready": ready, "serving": ready, "terminating": false },
                        "nodeName": x["nodeName"].clone(),
                        "targetRef": x["targetRef"].clone(),
                    })
                })
        })
        .collect();
    json!({
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": format!("{name}-{}", meta::safe_encode(meta::fnv(name.as_bytes()), 5)),
            "namespace": meta::namespace(svc),
            "labels": {
                "kubernetes.io/service-name": name,
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
            },
            "ownerReferences": [meta::owner_ref(svc)],
        },
        "addressType": "IPv4",
        "endpoints": endpoints,
        "ports": subset.map_or(json!([]), |s| s["ports"].clone()),
    })
}

fn sync_slice(ctx: &Ctx, svc: &Value, subsets: &Value) {
    let want = slice(svc, subsets);
    let (ns, name) = (
        meta::namespace(&want).to_string(),
        meta::name(&want).to_string(),
    );
    match ctx.store.get(SLICES, &ns, &name) {
        None => {
            let _ = ctx.store.create(SLICES, want);
        }
        Some(cur)
            if cur.get("endpoints") != want.get("endpoints")
                || cur.get("ports") != want.get("ports") =>
        {
            super::update(ctx.store, SLICES, &cur, |o| {
                o["endpoints"] = want["endpoints"].clone();
                o["ports"] = want["ports"].clone();
            });
        }
        Some(_) => {}
    }
}

fn subsets(svc: &Value, pods: &[Arc<Value>]) -> Value {
    let Some(sel) = svc
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .filter(|s| !s.is_empty())
    else {
        return Value::Null;
    };
    let mut addresses: Vec<Value> = pods
        .iter()
        .filter(|p| meta::namespace(p) == meta::namespace(svc) && !meta::is_terminating(p) && meta::pod_ready(p))
        .filter(|p| sel.iter().all(|(k, v)| meta::labels(p).and_then(|l| l.get(k)) == Some(v)))
        .map(|p| {
            json!({
                "ip": meta::s(p, &["status", "podIP"]),
                "nodeName": meta::s(p, &["spec", "nodeName"]),
                "targetRef": { "kind": "Pod", "name": meta::name(p), "namespace": meta::namespace(p), "uid": meta::uid(p) },
            })
        })
        .collect();
    if addresses.is_empty() {
        return Value::Null;
    }
    addresses.sort_by(|a, b| a["ip"].as_str().cmp(&b["ip"].as_str()));
    let ports: Vec<Value> = svc
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let port = p["targetPort"].as_i64().or_else(|| p["port"].as_i64()).unwrap_or(0);
                    let mut e = json!({ "port": port, "protocol": p["protocol"].as_str().unwrap_or("TCP") });
                    if let Some(n) = p["name"].as_str() {
                        e["name"] = json!(n);
                    }
                    e
                })
                .collect()
        })
        .unwrap_or_default();
    json!([{ "addresses": addresses, "ports": ports }])
}

pub fn reconcile(ctx: &mut Ctx) {
    let services = ctx.store.all(SERVICES);
    if services.is_empty() {
        return;
    }
    let pods = ctx.store.all(res::PODS);
    for svc in services {
        if svc.pointer("/spec/selector").is_none() {
            continue;
        }
        let (ns, name) = (meta::namespace(&svc), meta::name(&svc));
        let want = subsets(&svc, &pods);
        sync_slice(ctx, &svc, &want);
        match ctx.store.get(ENDPOINTS, ns, name) {
            None => {
                let mut ep = json!({
                    "apiVersion": "v1",
                    "kind": "Endpoints",
                    "metadata": { "name": name, "namespace": ns, "labels": svc.pointer("/metadata/labels").cloned().unwrap_or(json!({})) },
                });
                if !want.is_null() {
                    ep["subsets"] = want;
                }
                let _ = ctx.store.create(ENDPOINTS, ep);
            }
            Some(ep) if ep.get("subsets").unwrap_or(&Value::Null) != &want => {
                super::update(ctx.store, ENDPOINTS, &ep, |o| match o.as_object_mut() {
                    Some(m) if want.is_null() => {
                        m.remove("subsets");
                    }
                    _ => o["subsets"] = want,
                });
            }
            Some(_) => {}
        }
    }
}
