//! The simulated control plane: level-triggered controllers run one after another on
//! every store change and on a ticker. Each pass reads the store and writes only
//! differences (the store drops no-op writes), so passes converge.

pub mod cloneset;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod endpoints;
pub mod events;
pub mod gc;
pub mod job;
pub mod kubelet;
pub mod kubevirt;
pub mod pdb;
pub mod replicaset;
pub mod revisions;
pub mod rollout;
pub mod scheduler;
pub mod statefulset;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::watch;

use crate::clock::{Clock, now_rfc3339};
use crate::kinds::res;
use crate::store::Store;
use crate::{Shared, defaults, meta};

/// What every controller gets for one pass.
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub clock: Clock,
    pub state: &'a mut CtlState,
    /// Active (not terminating) pods grouped by controller uid, built once per pass.
    pub pods_by_owner: HashMap<String, Vec<Arc<Value>>>,
}

/// Memory the controllers keep between passes (timers, name counter).
#[derive(Default)]
pub struct CtlState {
    timers: HashMap<String, Instant>,
    counter: u64,
}

impl CtlState {
    /// When `key` was first seen (starting now if new).
    pub fn since(&mut self, key: &str) -> Instant {
        *self
            .timers
            .entry(key.to_string())
            .or_insert_with(Instant::now)
    }

    pub fn has(&self, key: &str) -> bool {
        self.timers.contains_key(key)
    }

    pub fn forget(&mut self, key: &str) {
        self.timers.remove(key);
    }

    /// A fresh 5-character name suffix.
    pub fn suffix(&mut self) -> String {
        self.counter += 1;
        meta::safe_encode(meta::fnv(&self.counter.to_le_bytes()), 5)
    }
}

impl Ctx<'_> {
    /// Whether `sim_secs` of simulated time passed since `key` was first seen.
    pub fn after(&mut self, key: &str, sim_secs: f64) -> bool {
        let t = self.state.since(key);
        self.clock.passed(t, sim_secs)
    }

    pub fn owned_pods(&self, owner: &Value) -> Vec<Arc<Value>> {
        self.pods_by_owner
            .get(meta::uid(owner))
            .cloned()
            .unwrap_or_default()
    }
}

/// Spawns the controller loop.
pub fn spawn(
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut state = CtlState::default();
        let tick = shared
            .clock
            .real(Duration::from_millis(500))
            .clamp(Duration::from_millis(20), Duration::from_millis(500));
        loop {
            tokio::select! {
                () = shared.store.changed() => {}
                () = tokio::time::sleep(tick) => {}
                _ = shutdown.changed() => return,
            }
            // Let a burst of writes land before reconciling.
            tokio::time::sleep(Duration::from_millis(5)).await;
            // A pass over a large world takes milliseconds of CPU: keep it off the async
            // workers so watches and requests stay responsive. Objects are user-editable
            // JSON, so a malformed one must not stop the control plane either.
            let pass_shared = shared.clone();
            let mut pass_state = std::mem::take(&mut state);
            state = tokio::task::spawn_blocking(move || {
                let pass = std::panic::AssertUnwindSafe(|| {
                    run_pass(&pass_shared.store, pass_shared.clock, &mut pass_state);
                });
                if std::panic::catch_unwind(pass).is_err() {
                    tracing::warn!("a controller pass panicked; continuing");
                }
                pass_state
            })
            .await
            .unwrap_or_default();
            tokio::task::yield_now().await;
        }
    })
}

/// One pass of every controller, in dependency order.
pub fn run_pass(store: &Store, clock: Clock, state: &mut CtlState) {
    let mut pods_by_owner: HashMap<String, Vec<Arc<Value>>> = HashMap::new();
    for p in store.all(res::PODS) {
        if meta::is_terminating(&p) {
            continue;
        }
        if let Some(uid) = meta::controller_uid(&p) {
            pods_by_owner
                .entry(uid.to_string())
                .or_default()
                .push(p.clone());
        }
    }
    let mut ctx = Ctx {
        store,
        clock,
        state,
        pods_by_owner,
    };
    gc::reconcile(&mut ctx);
    rollout::reconcile(&mut ctx);
    deployment::reconcile(&mut ctx);
    replicaset::reconcile(&mut ctx);
    statefulset::reconcile(&mut ctx);
    daemonset::reconcile(&mut ctx);
    cloneset::reconcile(&mut ctx);
    cronjob::reconcile(&mut ctx);
    job::reconcile(&mut ctx);
    kubevirt::reconcile(&mut ctx);
    scheduler::reconcile(&mut ctx);
    kubelet::reconcile(&mut ctx);
    pdb::reconcile(&mut ctx);
    endpoints::reconcile(&mut ctx);
    events::prune(store);
}

/// A pod built from a template, owned by `owner`.
pub fn pod_from_template(
    owner: &Value,
    template: &Value,
    name: &str,
    extra_labels: &[(&str, String)],
) -> Value {
    let mut labels = template
        .pointer("/metadata/labels")
        .cloned()
        .unwrap_or(json!({}));
    for (k, v) in extra_labels {
        labels[*k] = json!(v);
    }
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": meta::namespace(owner),
            "labels": labels,
            "ownerReferences": [meta::owner_ref(owner)],
        },
        "spec": template.get("spec").cloned().unwrap_or(json!({})),
        "status": { "phase": "Pending" },
    });
    if let Some(a) = template.pointer("/metadata/annotations") {
        pod["metadata"]["annotations"] = a.clone();
    }
    if let Some(spec) = pod.get_mut("spec") {
        defaults::pod_spec(spec);
    }
    pod
}

/// Creates a controller's pod and records `SuccessfulCreate` on the owner.
pub fn create_pod(store: &Store, owner: &Value, pod: Value, component: &str) {
    let name = meta::name(&pod).to_string();
    if store.create(res::PODS, pod).is_ok() {
        events::record(
            store,
            owner,
            "Normal",
            "SuccessfulCreate",
            &format!("Created pod: {name}"),
            component,
        );
    }
}

/// Deletes a pod the way a controller does: graceful if it runs on a node.
pub fn delete_pod(store: &Store, pod: &Value) {
    let (ns, name) = (meta::namespace(pod), meta::name(pod));
    if meta::s(pod, &["spec", "nodeName"]).is_empty() || meta::pod_finished(pod) {
        store.remove(res::PODS, ns, name);
        return;
    }
    if meta::is_terminating(pod) {
        return;
    }
    let grace = meta::get(pod, &["spec", "terminationGracePeriodSeconds"])
        .and_then(Value::as_i64)
        .unwrap_or(30);
    let _ = store.modify(res::PODS, ns, name, |o| {
        o["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
        o["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
        Ok(())
    });
}

/// Sets a status condition, keeping its timestamps when nothing about it changed
/// (otherwise every pass would write and the controllers would never settle).
pub fn set_condition(conds: &mut Vec<Value>, ty: &str, status: &str, reason: &str, message: &str) {
    let now = now_rfc3339();
    if let Some(c) = conds.iter_mut().find(|c| c["type"] == ty) {
        if c["status"] == status && c["reason"] == reason {
            return;
        }
        let transition = if c["status"] == status {
            c["lastTransitionTime"].clone()
        } else {
            json!(now)
        };
        *c = json!({ "type": ty, "status": status, "reason": reason, "message": message, "lastUpdateTime": now, "lastTransitionTime": transition });
        return;
    }
    conds.push(json!({ "type": ty, "status": status, "reason": reason, "message": message, "lastUpdateTime": now, "lastTransitionTime": now }));
}

/// Writes `status` on an object if it differs.
pub fn write_status(store: &Store, r: crate::kinds::Res, obj: &Value, status: Value) {
    if obj.get("status") == Some(&status) {
        return;
    }
    let _ = store.modify(r, meta::namespace(obj), meta::name(obj), |o| {
        o["status"] = status;
        Ok(())
    });
}

/// Counts (ready, available) pods.
pub fn ready_count(pods: &[Arc<Value>]) -> i64 {
    pods.iter().filter(|p| meta::pod_ready(p)).count() as i64
}
