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
pub mod quota;
pub mod replicaset;
pub mod revisions;
pub mod rollout;
pub mod scheduler;
pub mod statefulset;
pub mod volumes;

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
    /// Pod creations the current controller may still make this pass.
    pub burst_left: usize,
}

/// Most pods one controller creates per pass (the real controllers' `burstReplicas`).
pub const BURST_REPLICAS: usize = 500;

/// Memory the controllers keep between passes (timers, name counter).
#[derive(Default)]
pub struct CtlState {
    timers: HashMap<String, Instant>,
    counter: u64,
    /// Controller panics caught so far (each is also logged).
    panics: u64,
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

    /// Takes one pod creation from this pass' budget; false once it is spent.
    pub fn take_burst(&mut self) -> bool {
        if self.burst_left == 0 {
            return false;
        }
        self.burst_left -= 1;
        true
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
                    tracing::warn!("a controller pass panicked outside a controller; continuing");
                }
                pass_state
            })
            .await
            .unwrap_or_default();
            tokio::task::yield_now().await;
        }
    })
}

/// A controller's reconcile function.
type Reconcile = fn(&mut Ctx);

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
        burst_left: BURST_REPLICAS,
    };
    let controllers: [(&str, Reconcile); 16] = [
        ("gc", gc::reconcile),
        ("rollout", rollout::reconcile),
        ("deployment", deployment::reconcile),
        ("replicaset", replicaset::reconcile),
        ("statefulset", statefulset::reconcile),
        ("daemonset", daemonset::reconcile),
        ("cloneset", cloneset::reconcile),
        ("cronjob", cronjob::reconcile),
        ("job", job::reconcile),
        ("kubevirt", kubevirt::reconcile),
        ("scheduler", scheduler::reconcile),
        ("kubelet", kubelet::reconcile),
        ("pdb", pdb::reconcile),
        ("endpoints", endpoints::reconcile),
        ("volumes", volumes::reconcile),
        ("quota", quota::reconcile),
    ];
    // Objects are user-editable JSON: one controller panicking on a malformed object
    // must not stop the others.
    for (name, reconcile) in controllers {
        ctx.burst_left = BURST_REPLICAS;
        let run = std::panic::AssertUnwindSafe(|| reconcile(&mut ctx));
        if std::panic::catch_unwind(run).is_err() {
            ctx.state.panics += 1;
            tracing::warn!("the {name} controller panicked; continuing");
        }
    }
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| events::prune(store))).is_err() {
        tracing::warn!("event pruning panicked; continuing");
    }
    prune_timers(store, ctx.state);
}

/// Drops timers whose object no longer exists (keys are `prefix/{uid}[/...]`).
fn prune_timers(store: &Store, state: &mut CtlState) {
    if state.timers.is_empty() {
        return;
    }
    let timer_uid = |k: &str| k.split('/').nth(1).unwrap_or("").to_string();
    let mut missing: std::collections::HashSet<String> = state
        .timers
        .keys()
        .map(|k| timer_uid(k))
        .filter(|u| !u.is_empty())
        .collect();
    for r in [
        res::PODS,
        res::VMS,
        res::VMIS,
        res::CRONJOBS,
        res::ROLLOUTS,
        ("", "persistentvolumeclaims"),
    ] {
        if missing.is_empty() {
            return;
        }
        for o in store.all(r) {
            missing.remove(meta::uid(&o));
        }
    }
    state.timers.retain(|k, _| !missing.contains(&timer_uid(k)));
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
        .filter(Value::is_object)
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
        meta::set(&mut pod, &["metadata", "annotations"], a.clone());
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
        if !meta::is_terminating(o) {
            meta::set(o, &["metadata", "deletionTimestamp"], json!(now_rfc3339()));
            meta::set(o, &["metadata", "deletionGracePeriodSeconds"], json!(grace));
        }
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

/// Writes `status`, computed from `obj` as this pass read it, if it differs. Like a real
/// controller's `UpdateStatus` the write holds only for the version read: if anything
/// landed since (an approval patched onto the status, another controller's write), the
/// write is dropped and the next pass, which that change already woke, recomputes.
pub fn write_status(store: &Store, r: crate::kinds::Res, obj: &Value, status: Value) {
    if obj.get("status") == Some(&status) {
        return;
    }
    update(store, r, obj, |o| o["status"] = status);
}

/// A controller's `Update` of an object it read this pass: `f` applies to that read and
/// the write holds only if the object did not change since. A lost race is not an
/// error for a level-triggered controller, so the conflict is dropped (see `write_status`).
pub fn update(store: &Store, r: crate::kinds::Res, obj: &Value, f: impl FnOnce(&mut Value)) {
    if let Err(e) = store.update(r, obj, f)
        && e.reason != "Conflict"
        && e.reason != "NotFound"
    {
        tracing::debug!(
            "update of {}/{} failed: {}",
            r.1,
            meta::name(obj),
            e.message
        );
    }
}

/// Counts (ready, available) pods.
pub fn ready_count(pods: &[Arc<Value>]) -> i64 {
    pods.iter().filter(|p| meta::pod_ready(p)).count() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    fn pods_of(store: &Store, app: &str) -> usize {
        store
            .all(res::PODS)
            .iter()
            .filter(|p| meta::s(p, &["metadata", "labels", "app"]) == app)
            .count()
    }

    #[test]
    fn malformed_objects_do_not_stop_other_controllers() {
        let store = Store::new(10_000);
        let clock = Clock::new(1000.0);
        let mut state = CtlState::default();
        // Stored directly: the API refuses these with 422, but old or seeded data may hold
        // anything, and a controller tripping over one must not starve the others.
        let bad_specs = [
            json!("not an object"),
            json!({ "replicas": i64::MAX, "selector": "s", "template": "t" }),
            json!({ "replicas": 3, "selector": {}, "template": { "metadata": { "labels": "l" }, "spec": "s" } }),
            json!({ "replicas": 2, "template": { "metadata": "m" }, "updateStrategy": { "partition": i64::MIN } }),
        ];
        for (i, spec) in bad_specs.iter().enumerate() {
            for (r, kind, api) in [
                (res::DEPLOYMENTS, "Deployment", "apps/v1"),
                (res::REPLICASETS, "ReplicaSet", "apps/v1"),
                (res::CLONESETS, "CloneSet", "apps.kruise.io/v1alpha1"),
                (res::JOBS, "Job", "batch/v1"),
                (res::STATEFULSETS, "StatefulSet", "apps/v1"),
                (res::DAEMONSETS, "DaemonSet", "apps/v1"),
                (
                    res::KRUISE_STATEFULSETS,
                    "StatefulSet",
                    "apps.kruise.io/v1beta1",
                ),
                (
                    res::KRUISE_DAEMONSETS,
                    "DaemonSet",
                    "apps.kruise.io/v1alpha1",
                ),
                (res::CRONJOBS, "CronJob", "batch/v1"),
                (res::PDBS, "PodDisruptionBudget", "policy/v1"),
                (res::ROLLOUTS, "Rollout", "rollouts.kruise.io/v1beta1"),
                (res::VMS, "VirtualMachine", "kubevirt.io/v1"),
                (res::VMIS, "VirtualMachineInstance", "kubevirt.io/v1"),
                (res::PODS, "Pod", "v1"),
            ] {
                let obj = json!({
                    "apiVersion": api, "kind": kind,
                    "metadata": { "name": format!("bad-{i}"), "namespace": "default" },
                    "spec": spec,
                    "status": if i % 2 == 0 { json!("not an object") } else { json!({ "conditions": "c" }) },
                });
                store.create(r, obj).expect("stored");
            }
        }
        // Named to sort first: the huge bad ones would otherwise take each pass' pod
        // creation budget (which is the budget's point).
        seed::put(
            &store,
            res::DEPLOYMENTS,
            seed::deployment("default", "a-good", 2, "nginx:1.27"),
        )
        .expect("good deployment");
        for _ in 0..4 {
            run_pass(&store, clock, &mut state);
        }
        assert_eq!(pods_of(&store, "a-good"), 2);
        assert_eq!(state.panics, 0, "no controller panics on malformed objects");
    }

    #[test]
    fn pod_creations_per_pass_are_capped() {
        let store = Store::new(10_000);
        let clock = Clock::new(1000.0);
        let mut state = CtlState::default();
        seed::put(
            &store,
            res::DEPLOYMENTS,
            seed::deployment("default", "big", 1_200, "nginx:1.27"),
        )
        .expect("deployment");
        // The first pass creates the ReplicaSet, then as many pods as one pass may.
        run_pass(&store, clock, &mut state);
        assert_eq!(pods_of(&store, "big"), BURST_REPLICAS);
        run_pass(&store, clock, &mut state);
        assert_eq!(pods_of(&store, "big"), 2 * BURST_REPLICAS);
        run_pass(&store, clock, &mut state);
        assert_eq!(pods_of(&store, "big"), 1_200);
    }

    #[test]
    fn newest_replicaset_follows_deployment_annotations() {
        let store = Store::new(10_000);
        let clock = Clock::new(1000.0);
        let mut state = CtlState::default();
        let mut d = seed::deployment("default", "web2", 4, "nginx:1.27");
        d["spec"]["strategy"] = json!({
            "type": "RollingUpdate",
            "rollingUpdate": { "maxSurge": "50%", "maxUnavailable": 0 },
        });
        seed::put(&store, res::DEPLOYMENTS, d).expect("deployment");
        run_pass(&store, clock, &mut state);
        let rs = || {
            store
                .all(res::REPLICASETS)
                .into_iter()
                .find(|r| meta::name(r).starts_with("web2-"))
                .expect("replicaset")
        };
        assert_eq!(
            meta::annotation(&rs(), "deployment.kubernetes.io/max-replicas"),
            Some("6"),
            "desired + resolved maxSurge"
        );
        store
            .modify(res::DEPLOYMENTS, "default", "web2", |o| {
                meta::set(
                    o,
                    &["metadata", "annotations", "kubernetes.io/change-cause"],
                    json!("retag"),
                );
                Ok(())
            })
            .expect("annotate");
        run_pass(&store, clock, &mut state);
        assert_eq!(
            meta::annotation(&rs(), "kubernetes.io/change-cause"),
            Some("retag")
        );
    }

    #[test]
    fn timers_of_deleted_objects_are_dropped() {
        let store = Store::new(100);
        let mut state = CtlState::default();
        state.since("start/gone-uid");
        state.since("vmi-sched/gone-uid");
        state.since("once/gone-uid");
        run_pass(&store, Clock::new(1.0), &mut state);
        assert!(state.timers.is_empty(), "{:?}", state.timers.keys());
    }
}
