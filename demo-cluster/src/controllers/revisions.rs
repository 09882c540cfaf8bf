//! ControllerRevisions for StatefulSets, DaemonSets and CloneSets: one per distinct pod
//! template, numbered; a template that returns (rollback) gets the next number again.

use std::sync::Arc;

use serde_json::{Value, json};

use super::Ctx;
use crate::kinds::res;
use crate::meta;

/// Revisions controlled by `owner`, oldest first.
pub fn owned(ctx: &Ctx, owner: &Value) -> Vec<Arc<Value>> {
    let uid = meta::uid(owner);
    let mut v: Vec<Arc<Value>> = ctx
        .store
        .list(res::CONTROLLER_REVISIONS, Some(meta::namespace(owner)))
        .0
        .into_iter()
        .filter(|r| meta::controller_uid(r) == Some(uid))
        .collect();
    v.sort_by_key(|r| meta::i(r, &["revision"]));
    v
}

/// The pod template stored in a revision.
pub fn template_of(rev: &Value) -> Value {
    let mut t = rev
        .pointer("/data/spec/template")
        .cloned()
        .unwrap_or(json!({}));
    if let Some(m) = t.as_object_mut() {
        m.remove("$patch");
    }
    t
}

/// Ensures the revision of the owner's current template exists and is the newest.
/// Returns the revision name (`{owner}-{hash}`) and the hash.
pub fn ensure(ctx: &mut Ctx, owner: &Value) -> (String, String) {
    let template = owner
        .pointer("/spec/template")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or(json!({}));
    let hash = meta::template_hash(&template);
    let name = format!("{}-{hash}", meta::name(owner));
    let revs = owned(ctx, owner);
    let max = revs.last().map_or(0, |r| meta::i(r, &["revision"]));
    match revs.iter().find(|r| meta::name(r) == name) {
        Some(r) if meta::i(r, &["revision"]) < max => {
            super::update(ctx.store, res::CONTROLLER_REVISIONS, r, |o| {
                o["revision"] = json!(max.saturating_add(1));
            });
        }
        Some(_) => {}
        None => {
            let cr = revision_object(owner, &template, max.saturating_add(1));
            let _ = ctx.store.create(res::CONTROLLER_REVISIONS, cr);
        }
    }
    (name, hash)
}

/// The ControllerRevision `{owner}-{hash}` holding `template` as revision `number`. The
/// template carries `"$patch": "replace"`, as the real controllers store it for rollbacks.
pub fn revision_object(owner: &Value, template: &Value, number: i64) -> Value {
    let hash = meta::template_hash(template);
    let mut labels = template
        .pointer("/metadata/labels")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or(json!({}));
    labels["controller-revision-hash"] = json!(hash);
    let mut data_template = template.clone();
    data_template["$patch"] = json!("replace");
    json!({
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {
            "name": format!("{}-{hash}", meta::name(owner)),
            "namespace": meta::namespace(owner),
            "labels": labels,
            "ownerReferences": [meta::owner_ref(owner)],
        },
        "data": { "spec": { "template": data_template } },
        "revision": number,
    })
}

/// Deletes the oldest revisions beyond `spec.revisionHistoryLimit`, except `keep`.
pub fn prune(ctx: &Ctx, owner: &Value, keep: &[&str]) {
    let limit = meta::get(owner, &["spec", "revisionHistoryLimit"])
        .and_then(Value::as_i64)
        .unwrap_or(10)
        .max(0) as usize;
    let revs = owned(ctx, owner);
    let removable: Vec<&Arc<Value>> = revs
        .iter()
        .filter(|r| !keep.contains(&meta::name(r)))
        .collect();
    if removable.len() > limit {
        for r in &removable[..removable.len() - limit] {
            ctx.store
                .remove(res::CONTROLLER_REVISIONS, meta::namespace(r), meta::name(r));
        }
    }
}
