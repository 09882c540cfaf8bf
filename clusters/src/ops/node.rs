//! Node changes as kubectl makes them (`../shared/REFERENCE.md`): cordon and uncordon,
//! taints, labels of any object, and the eviction a drain sends for each pod.

use std::collections::BTreeMap;

use bosun_core::{Error, Result};
use bosun_model::{ActionReply, ObjectRef, Taint};
use http::Method;
use serde_json::{Map, Value, json};

use super::{locate, reply};
use crate::cluster::Cluster;
use crate::{raw, rows};

/// `kubectl cordon` / `uncordon`: a strategic merge patch of `spec.unschedulable`;
/// uncordon sends `null`, which removes the field, as kubectl does.
pub(super) async fn set_unschedulable(
    cluster: &Cluster,
    target: &ObjectRef,
    unschedulable: bool,
) -> Result<ActionReply> {
    let at = locate(cluster, target)?;
    let value = if unschedulable {
        Value::Bool(true)
    } else {
        Value::Null
    };
    let body = json!({"spec": {"unschedulable": value}});
    raw::patch(at.client, at.cluster, &at.path, raw::STRATEGIC_MERGE, &body).await?;
    Ok(reply(format!(
        "node {} {}",
        target.name,
        if unschedulable {
            "cordoned"
        } else {
            "uncordoned"
        }
    )))
}

/// The node's taints after adding `add` (a taint with the same key and effect is
/// replaced, as `kubectl taint --overwrite`) and removing `remove` (`key` or
/// `key:Effect`, as `kubectl taint key-`).
///
/// # Errors
/// `NotFound` naming a taint to remove that the node does not have.
pub fn changed_taints(
    current: Vec<Taint>,
    add: &[Taint],
    remove: &[String],
    node: &str,
) -> Result<Vec<Taint>> {
    let mut taints = current;
    for spec in remove {
        let (key, effect) = match spec.split_once(':') {
            Some((k, e)) => (k, Some(e)),
            None => (spec.as_str(), None),
        };
        let before = taints.len();
        taints.retain(|t| !(t.key == key && effect.is_none_or(|e| t.effect == e)));
        if taints.len() == before {
            return Err(Error::NotFound(format!(
                "taint {spec:?} not found on node {node}"
            )));
        }
    }
    for taint in add {
        let mut taint = taint.clone();
        if taint.effect == "NoExecute" && taint.time_added.is_none() {
            taint.time_added = Some(crate::json::now_rfc3339());
        }
        match taints
            .iter_mut()
            .find(|t| t.key == taint.key && t.effect == taint.effect)
        {
            Some(existing) => *existing = taint,
            None => taints.push(taint),
        }
    }
    Ok(taints)
}

/// `kubectl taint`: reads the node, then a strategic merge patch with the whole new
/// list (`spec.taints` is replaced as a whole; `null` when none are left).
pub(super) async fn change_taints(
    cluster: &Cluster,
    target: &ObjectRef,
    add: &[Taint],
    remove: &[String],
) -> Result<ActionReply> {
    let at = locate(cluster, target)?;
    let node = raw::get(at.client, at.cluster, &at.path).await?;
    let taints = changed_taints(rows::taints(&node), add, remove, &target.name)?;
    let value = if taints.is_empty() {
        Value::Null
    } else {
        serde_json::to_value(&taints).unwrap_or(Value::Null)
    };
    let body = json!({"spec": {"taints": value}});
    raw::patch(at.client, at.cluster, &at.path, raw::STRATEGIC_MERGE, &body).await?;
    let shown: Vec<String> = taints.iter().map(Taint::spec).collect();
    Ok(reply(format!(
        "node {} taints: {}",
        target.name,
        if shown.is_empty() {
            "none".to_string()
        } else {
            shown.join(", ")
        }
    )))
}

/// `kubectl label`: a merge patch of `metadata.labels`, `null` for each label removed.
pub(super) async fn change_labels(
    cluster: &Cluster,
    target: &ObjectRef,
    set: &BTreeMap<String, String>,
    remove: &[String],
) -> Result<ActionReply> {
    let at = locate(cluster, target)?;
    let mut labels = Map::new();
    for key in remove {
        labels.insert(key.clone(), Value::Null);
    }
    for (key, value) in set {
        labels.insert(key.clone(), Value::String(value.clone()));
    }
    let body = json!({"metadata": {"labels": labels}});
    raw::patch(at.client, at.cluster, &at.path, raw::MERGE, &body).await?;
    Ok(reply(format!("{} labelled", target.describe())))
}

/// One eviction, with the body kubectl drain sends (kube-rs' `evict` spells the options'
/// key differently). A 429 (a disruption budget) comes back as the cluster's error.
pub(super) async fn evict(
    cluster: &Cluster,
    target: &ObjectRef,
    grace_period_seconds: Option<i64>,
) -> Result<ActionReply> {
    let at = locate(cluster, target)?;
    let mut delete_options = Map::new();
    if let Some(grace) = grace_period_seconds.filter(|g| *g >= 0) {
        delete_options.insert("gracePeriodSeconds".into(), json!(grace));
    }
    let body = json!({
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": target.name, "namespace": target.namespace},
        "deleteOptions": delete_options,
    });
    raw::send(
        at.client,
        at.cluster,
        Method::POST,
        &format!("{}/eviction", at.path),
        Some(raw::JSON),
        Some(&body),
    )
    .await?;
    Ok(reply(format!(
        "pod {}/{} evicted",
        target.namespace, target.name
    )))
}

/// The pods bound to a node, listed live as kubectl drain lists them
/// (`fieldSelector=spec.nodeName=NODE`), so a drain sees pods the cache has not yet.
pub async fn pods_on_node(cluster: &Cluster, node: &str) -> Result<Vec<Value>> {
    let client = &cluster.clients()?.action;
    let path = format!(
        "/api/v1/pods?fieldSelector={}",
        crate::history::url_encode(&format!("spec.nodeName={node}"))
    );
    let list = raw::get(client, cluster.name(), &path).await?;
    Ok(crate::json::array(&list, "/items").to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taint(key: &str, value: &str, effect: &str) -> Taint {
        Taint {
            key: key.into(),
            value: value.into(),
            effect: effect.into(),
            time_added: None,
        }
    }

    #[test]
    fn taints_are_added_replaced_and_removed_by_key_and_effect() {
        let now = vec![
            taint("a", "1", "NoSchedule"),
            taint("a", "", "PreferNoSchedule"),
        ];
        let out = changed_taints(now.clone(), &[taint("a", "2", "NoSchedule")], &[], "n").unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].value, "2");
        let out = changed_taints(now.clone(), &[], &["a:NoSchedule".into()], "n").unwrap();
        assert_eq!(out, vec![taint("a", "", "PreferNoSchedule")]);
        let out = changed_taints(now.clone(), &[], &["a".into()], "n").unwrap();
        assert!(out.is_empty());
        assert!(changed_taints(now, &[], &["b".into()], "n").is_err());
        let out = changed_taints(vec![], &[taint("x", "", "NoExecute")], &[], "n").unwrap();
        assert!(out[0].time_added.is_some());
    }
}
