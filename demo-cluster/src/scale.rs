//! Bulk world for load tests: N namespaces × M Deployments × K replicas, created directly
//! in steady state (ReplicaSets and Running/Ready pods already bound to nodes) so that
//! 10,000 pods exist within seconds instead of waiting for the control plane.

use serde_json::json;

use crate::ScaleSpec;
use crate::clock::now_rfc3339;
use crate::controllers::kubelet::started_status;
use crate::error::Result;
use crate::kinds::{res, storage_def};
use crate::seed::{deployment, put};
use crate::{defaults, meta};

pub fn generate(store: &crate::store::Store, spec: ScaleSpec) -> Result<()> {
    let workers = ["node-2", "node-3"];
    let now = now_rfc3339();
    let mut n = 0usize;
    for i in 0..spec.namespaces {
        let ns = format!("load-{i:03}");
        put(
            store,
            res::NAMESPACES,
            json!({ "metadata": { "name": ns } }),
        )?;
        for j in 0..spec.deployments_per_namespace {
            let name = format!("app-{j:03}");
            let replicas = spec.replicas as i64;
            let d = put(
                store,
                res::DEPLOYMENTS,
                deployment(&ns, &name, replicas, "ghcr.io/bosun/load:1.0.0"),
            )?;
            let mut template = d["spec"]["template"].clone();
            let hash = meta::template_hash(&template);
            template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
            let mut rs = json!({
                "metadata": {
                    "name": format!("{name}-{hash}"), "namespace": ns,
                    "labels": template["metadata"]["labels"].clone(),
                    "annotations": { "deployment.kubernetes.io/revision": "1" },
                    "ownerReferences": [meta::owner_ref(&d)],
                },
                "spec": { "replicas": replicas, "selector": { "matchLabels": { "app": name, "pod-template-hash": hash } }, "template": template.clone() },
                "status": { "replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas, "fullyLabeledReplicas": replicas, "observedGeneration": 1 },
            });
            if let Some(def) = storage_def(res::REPLICASETS) {
                rs["apiVersion"] = json!(def.api_version());
                rs["kind"] = json!(def.kind);
                defaults::apply(def, &mut rs);
            }
            let rs = store
                .create(res::REPLICASETS, rs)
                .map_err(|e| crate::Error::Seed {
                    what: name.clone(),
                    message: e.message,
                })?;
            for k in 0..spec.replicas {
                let node = workers[n % workers.len()];
                n += 1;
                let pod_name = format!(
                    "{name}-{hash}-{}",
                    meta::safe_encode(meta::fnv(format!("{ns}/{name}/{k}").as_bytes()), 5)
                );
                let mut pod = crate::controllers::pod_from_template(&rs, &template, &pod_name, &[]);
                pod["spec"]["nodeName"] = json!(node);
                pod["status"] = started_status(&pod, node, &now);
                store
                    .create(res::PODS, pod)
                    .map_err(|e| crate::Error::Seed {
                        what: pod_name.clone(),
                        message: e.message,
                    })?;
            }
        }
    }
    Ok(())
}
