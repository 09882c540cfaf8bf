//! The schemas of `/openapi/v3`'s `components`, generated from the Kubernetes types
//! themselves (k8s-openapi's JSON schemas), so what a client validates against is the real
//! shape of each kind: `kubectl explain` walks them and the console checks YAML with them.
//! Custom kinds are published as the API server publishes a CRD whose schema preserves
//! unknown fields: typed `apiVersion`, `kind` and `metadata`, anything else allowed.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use k8s_openapi::api::{apps, batch, core, discovery, networking, policy, rbac, storage};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Value, json};

use crate::kinds::{self, KINDS, KindDef};

/// The `components.schemas` of every group-version's document, built once.
pub fn components(group: &str, version: &str) -> Value {
    static ALL: OnceLock<BTreeMap<(String, String), Value>> = OnceLock::new();
    ALL.get_or_init(build_all)
        .get(&(group.to_string(), version.to_string()))
        .cloned()
        .unwrap_or_else(|| json!({}))
}

fn build_all() -> BTreeMap<(String, String), Value> {
    kinds::group_versions()
        .into_iter()
        .map(|(g, v)| ((g.to_string(), v.to_string()), build(g, v)))
        .collect()
}

fn build(group: &str, version: &str) -> Value {
    let mut generator = SchemaSettings::openapi3().into_generator();
    let mut named: Vec<(&KindDef, String)> = Vec::new();
    for d in KINDS
        .iter()
        .filter(|d| d.group == group && d.version == version && !d.virtual_kind)
    {
        if d.custom {
            let name = custom_schema_name(d);
            let schema = custom_schema(&mut generator);
            generator
                .definitions_mut()
                .insert(name.clone(), schema.to_value());
            named.push((d, name));
        } else if let Some(reference) = builtin_schema(&mut generator, d.kind) {
            let name = reference
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .map(str::to_string);
            if let Some(name) = name {
                named.push((d, name));
            }
        }
    }
    let mut definitions = generator.take_definitions(true);
    // Any JSON value (a CRD schema's `default`, `example`, `enum` items): the API server
    // publishes it without a type, where the generated schema says object.
    if let Some(Value::Object(json_value)) =
        definitions.get_mut("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON")
    {
        json_value.remove("type");
    }
    for (d, name) in named {
        if let Some(Value::Object(schema)) = definitions.get_mut(&name) {
            schema.insert(
                "x-kubernetes-group-version-kind".into(),
                json!([{ "group": d.group, "kind": d.kind, "version": d.version }]),
            );
        }
    }
    Value::Object(definitions)
}

/// As the API server names a CRD's schema: the group reversed, then version and kind
/// (`io.cert-manager.v1.Certificate`).
fn custom_schema_name(d: &KindDef) -> String {
    let mut parts: Vec<&str> = d.group.split('.').collect();
    parts.reverse();
    format!("{}.{}.{}", parts.join("."), d.version, d.kind)
}

fn custom_schema(generator: &mut SchemaGenerator) -> Schema {
    let metadata = generator.subschema_for::<ObjectMeta>();
    schemars::json_schema!({
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": true,
        "properties": {
            "apiVersion": { "type": "string" },
            "kind": { "type": "string" },
            "metadata": metadata,
        },
    })
}

fn reference<T: JsonSchema>(generator: &mut SchemaGenerator) -> Option<Schema> {
    Some(generator.subschema_for::<T>())
}

/// The `$ref` to a built-in kind's schema (adding it and what it uses to the generator).
fn builtin_schema(g: &mut SchemaGenerator, kind: &str) -> Option<Schema> {
    match kind {
        "Namespace" => reference::<core::v1::Namespace>(g),
        "Node" => reference::<core::v1::Node>(g),
        "Pod" => reference::<core::v1::Pod>(g),
        "Service" => reference::<core::v1::Service>(g),
        "Endpoints" => reference::<core::v1::Endpoints>(g),
        "ConfigMap" => reference::<core::v1::ConfigMap>(g),
        "Secret" => reference::<core::v1::Secret>(g),
        "ServiceAccount" => reference::<core::v1::ServiceAccount>(g),
        "PersistentVolume" => reference::<core::v1::PersistentVolume>(g),
        "PersistentVolumeClaim" => reference::<core::v1::PersistentVolumeClaim>(g),
        "Event" => reference::<core::v1::Event>(g),
        "ResourceQuota" => reference::<core::v1::ResourceQuota>(g),
        "LimitRange" => reference::<core::v1::LimitRange>(g),
        "Deployment" => reference::<apps::v1::Deployment>(g),
        "ReplicaSet" => reference::<apps::v1::ReplicaSet>(g),
        "StatefulSet" => reference::<apps::v1::StatefulSet>(g),
        "DaemonSet" => reference::<apps::v1::DaemonSet>(g),
        "ControllerRevision" => reference::<apps::v1::ControllerRevision>(g),
        "Job" => reference::<batch::v1::Job>(g),
        "CronJob" => reference::<batch::v1::CronJob>(g),
        "EndpointSlice" => reference::<discovery::v1::EndpointSlice>(g),
        "Ingress" => reference::<networking::v1::Ingress>(g),
        "NetworkPolicy" => reference::<networking::v1::NetworkPolicy>(g),
        "StorageClass" => reference::<storage::v1::StorageClass>(g),
        "Role" => reference::<rbac::v1::Role>(g),
        "RoleBinding" => reference::<rbac::v1::RoleBinding>(g),
        "ClusterRole" => reference::<rbac::v1::ClusterRole>(g),
        "ClusterRoleBinding" => reference::<rbac::v1::ClusterRoleBinding>(g),
        "PodDisruptionBudget" => reference::<policy::v1::PodDisruptionBudget>(g),
        "CustomResourceDefinition" => reference::<CustomResourceDefinition>(g),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_kind_has_a_schema_marked_with_its_group_version_kind() {
        for d in KINDS.iter().filter(|d| !d.virtual_kind) {
            let components = components(d.group, d.version);
            let found = components.as_object().unwrap().values().any(|s| {
                s.get("x-kubernetes-group-version-kind")
                    .and_then(Value::as_array)
                    .is_some_and(|gvks| {
                        gvks.iter().any(|gvk| {
                            gvk["group"] == d.group
                                && gvk["version"] == d.version
                                && gvk["kind"] == d.kind
                        })
                    })
            });
            assert!(found, "{}/{} {} has no schema", d.group, d.version, d.kind);
        }
    }

    #[test]
    fn references_point_into_the_same_document() {
        let apps = components("apps", "v1");
        let deployment = &apps["io.k8s.api.apps.v1.Deployment"];
        let spec = deployment["properties"]["spec"].to_string();
        assert!(
            spec.contains("#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"),
            "{spec}"
        );
        assert!(apps.get("io.k8s.api.core.v1.Container").is_some());
        let replicas = &apps["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["replicas"];
        assert_eq!(replicas["type"], "integer");
        // A CRD schema's `default` and `enum` hold any JSON, as the API server publishes.
        let crds = components("apiextensions.k8s.io", "v1");
        let any = &crds["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON"];
        assert!(any.is_object() && any.get("type").is_none(), "{any}");
    }
}
