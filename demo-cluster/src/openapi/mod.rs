//! OpenAPI documents. kubectl's default `--validate=strict` reads `/openapi/v3` to learn
//! whether the server validates fields itself; each group-version document therefore lists
//! the PATCH operation of every kind with a `fieldValidation` parameter. Each also carries
//! the kinds' schemas (`components.schemas`), which `kubectl explain` and the console's
//! YAML validation read.

mod schemas;

use serde_json::{Map, Value, json};

use crate::kinds::{self, KINDS};

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`: the index of per-group-version documents.
pub fn v3_index() -> Value {
    let mut paths = Map::new();
    for (g, v) in kinds::group_versions() {
        let p = gv_path(g, v);
        let hash = format!("{:016X}", crate::meta::fnv(p.as_bytes()));
        paths.insert(
            p.clone(),
            json!({ "serverRelativeURL": format!("/openapi/v3/{p}?hash={hash}") }),
        );
    }
    json!({ "paths": paths })
}

fn operation(d: &kinds::KindDef, action: &str) -> Value {
    let params: Vec<Value> = ["dryRun", "fieldManager", "fieldValidation", "force"]
        .iter()
        .map(|n| json!({ "name": n, "in": "query", "schema": { "type": "string", "uniqueItems": true } }))
        .collect();
    json!({
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": { "group": d.group, "version": d.version, "kind": d.kind },
        "parameters": params,
        "responses": { "200": { "description": "OK" } },
    })
}

/// `/openapi/v3/api/v1`, `/openapi/v3/apis/{g}/{v}`.
pub fn v3_document(group: &str, version: &str) -> Option<Value> {
    if !kinds::group_versions().contains(&(group, version)) {
        return None;
    }
    let prefix = format!("/{}", gv_path(group, version));
    let mut paths = Map::new();
    for d in KINDS
        .iter()
        .filter(|d| d.group == group && d.version == version && !d.virtual_kind)
    {
        let item = if d.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", d.plural)
        } else {
            format!("{prefix}/{}/{{name}}", d.plural)
        };
        paths.insert(
            item,
            json!({ "get": operation(d, "get"), "put": operation(d, "put"), "patch": operation(d, "patch"), "delete": operation(d, "delete") }),
        );
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": { "title": "Bosun demo cluster", "version": "v1.32.0" },
        "paths": paths,
        "components": { "schemas": schemas::components(group, version) },
    }))
}

/// `/openapi/v2`: a valid, definition-free Swagger document.
pub fn v2_document() -> Value {
    json!({
        "swagger": "2.0",
        "info": { "title": "Bosun demo cluster", "version": "v1.32.0" },
        "paths": {},
        "definitions": {},
    })
}
