//! Garbage collector: deletes objects whose owners are all gone, finishes Foreground
//! deletions once dependents are gone, and empties terminating namespaces.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;

use super::{Ctx, delete_pod};
use crate::kinds::{KINDS, Res, res};
use crate::meta;
use crate::store::Store;

fn stored_resources() -> Vec<Res> {
    let mut out: Vec<Res> = Vec::new();
    for d in KINDS.iter().filter(|d| !d.virtual_kind) {
        if !out.contains(&d.res()) {
            out.push(d.res());
        }
    }
    out
}

fn owner_uids(o: &Value) -> Vec<&str> {
    o.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|rs| rs.iter().filter_map(|r| r["uid"].as_str()).collect())
        .unwrap_or_default()
}

/// Deletes an object as the collector does (pods and VMIs terminate gracefully).
fn collect(store: &Store, r: Res, o: &Value) {
    if r == res::PODS {
        delete_pod(store, o);
    } else if r == res::VMIS {
        store.remove(r, meta::namespace(o), meta::name(o));
    } else if meta::get(o, &["metadata", "finalizers"])
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty())
    {
        let _ = store.modify(r, meta::namespace(o), meta::name(o), |x| {
            if !meta::is_terminating(x) {
                meta::set(
                    x,
                    &["metadata", "deletionTimestamp"],
                    serde_json::json!(crate::clock::now_rfc3339()),
                );
            }
            Ok(())
        });
    } else {
        store.remove(r, meta::namespace(o), meta::name(o));
    }
}

pub fn reconcile(ctx: &mut Ctx) {
    let store = ctx.store;
    let all: Vec<(Res, Vec<Arc<Value>>)> = stored_resources()
        .into_iter()
        .map(|r| (r, store.all(r)))
        .collect();
    let uids: HashSet<&str> = all
        .iter()
        .flat_map(|(_, v)| v.iter().map(|o| meta::uid(o)))
        .collect();
    let mut dependents: HashMap<&str, usize> = HashMap::new();
    let terminating_ns: HashSet<&str> = all
        .iter()
        .filter(|(r, _)| *r == res::NAMESPACES)
        .flat_map(|(_, v)| {
            v.iter()
                .filter(|n| meta::is_terminating(n))
                .map(|n| meta::name(n))
        })
        .collect();
    let foreground: HashSet<&str> = all
        .iter()
        .flat_map(|(_, v)| v.iter())
        .filter(|o| {
            meta::is_terminating(o)
                && o.pointer("/metadata/finalizers")
                    .is_some_and(|f| f.to_string().contains("foregroundDeletion"))
        })
        .map(|o| meta::uid(o))
        .collect();
    for (r, objs) in &all {
        for o in objs {
            let owners = owner_uids(o);
            for u in &owners {
                *dependents.entry(u).or_default() += 1;
            }
            let orphaned = !owners.is_empty() && owners.iter().all(|u| !uids.contains(u));
            let owner_fg = owners.iter().any(|u| foreground.contains(u));
            let ns_gone = terminating_ns.contains(meta::namespace(o)) && *r != res::NAMESPACES;
            if (orphaned || owner_fg || ns_gone) && !(meta::is_terminating(o) && *r != res::PODS) {
                if ns_gone && *r == res::PODS {
                    store.remove(*r, meta::namespace(o), meta::name(o));
                } else {
                    collect(store, *r, o);
                }
            }
        }
    }
    // Foreground owners whose dependents are gone, and emptied namespaces.
    for (r, objs) in &all {
        for o in objs {
            if foreground.contains(meta::uid(o)) && !dependents.contains_key(meta::uid(o)) {
                store.remove(*r, meta::namespace(o), meta::name(o));
            }
        }
    }
    for ns in terminating_ns {
        let empty = all
            .iter()
            .filter(|(r, _)| *r != res::NAMESPACES)
            .all(|(_, v)| v.iter().all(|o| meta::namespace(o) != ns));
        if empty {
            store.remove(res::NAMESPACES, "", ns);
        }
    }
}

/// Orphan propagation: drop ownerReferences to `uid` from every object.
pub fn orphan_dependents(store: &Store, uid: &str) {
    for r in stored_resources() {
        for o in store.all(r) {
            if owner_uids(&o).contains(&uid) {
                let _ = store.modify(r, meta::namespace(&o), meta::name(&o), |x| {
                    if let Some(refs) = x
                        .pointer_mut("/metadata/ownerReferences")
                        .and_then(Value::as_array_mut)
                    {
                        refs.retain(|rf| rf["uid"] != uid);
                    }
                    Ok(())
                });
            }
        }
    }
}
