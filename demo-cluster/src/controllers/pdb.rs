//! PodDisruptionBudget status: expected / healthy / desired pods and allowed disruptions.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Ctx, write_status};
use crate::kinds::res;
use crate::meta;

pub fn reconcile(ctx: &mut Ctx) {
    let pdbs = ctx.store.all(res::PDBS);
    if pdbs.is_empty() {
        return;
    }
    let pods = ctx.store.all(res::PODS);
    for pdb in pdbs {
        let (allowed, healthy, desired) = disruptions_allowed(&pdb, &pods);
        let expected = pods
            .iter()
            .filter(|p| meta::namespace(p) == meta::namespace(&pdb) && !meta::is_terminating(p))
            .filter(|p| {
                crate::selectors::label_selector_object_matches(
                    pdb.pointer("/spec/selector").unwrap_or(&json!({})),
                    meta::labels(p),
                )
            })
            .count();
        let mut conds = pdb
            .pointer("/status/conditions")
            .and_then(|c| c.as_array())
            .cloned()
            .unwrap_or_default();
        if allowed > 0 {
            super::set_condition(
                &mut conds,
                "DisruptionAllowed",
                "True",
                "SufficientPods",
                "",
            );
        } else {
            super::set_condition(
                &mut conds,
                "DisruptionAllowed",
                "False",
                "InsufficientPods",
                "",
            );
        }
        let status = json!({
            "observedGeneration": meta::i(&pdb, &["metadata", "generation"]),
            "disruptionsAllowed": allowed,
            "currentHealthy": healthy,
            "desiredHealthy": desired,
            "expectedPods": expected,
            "conditions": conds,
        });
        write_status(ctx.store, res::PDBS, &pdb, status);
    }
}

/// How many more pods matching `pdb` may be disrupted now.
pub fn disruptions_allowed(pdb: &Value, pods: &[Arc<Value>]) -> (i64, i64, i64) {
    let sel = pdb.pointer("/spec/selector").cloned().unwrap_or(json!({}));
    let ns = meta::namespace(pdb);
    let matching: Vec<&Arc<Value>> = pods
        .iter()
        .filter(|p| meta::namespace(p) == ns && !meta::is_terminating(p) && !meta::pod_finished(p))
        .filter(|p| crate::selectors::label_selector_object_matches(&sel, meta::labels(p)))
        .collect();
    let expected = matching.len() as i64;
    let healthy = matching.iter().filter(|p| meta::pod_ready(p)).count() as i64;
    let desired = if let Some(min) = pdb.pointer("/spec/minAvailable") {
        meta::int_or_percent(Some(min), expected, "0", true)
    } else if let Some(max) = pdb.pointer("/spec/maxUnavailable") {
        expected.saturating_sub(meta::int_or_percent(Some(max), expected, "0", true))
    } else {
        expected
    };
    (healthy.saturating_sub(desired).max(0), healthy, desired)
}
