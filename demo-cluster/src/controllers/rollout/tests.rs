//! The rollout controller over a seeded world, pass by pass.

use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::clock::Clock;
use crate::controllers::{BURST_REPLICAS, CtlState, run_pass};
use crate::seed;
use crate::store::Store;

fn world() -> (Store, CtlState) {
    let store = Store::new(100_000);
    seed::seed(&store).expect("seeded");
    (store, CtlState::default())
}

/// Runs passes (letting simulated time pass) until `done` holds or the budget is spent.
fn settle(store: &Store, state: &mut CtlState, done: impl Fn(&Store) -> bool) -> bool {
    let clock = Clock::new(1000.0);
    for _ in 0..400 {
        run_pass(store, clock, state);
        if done(store) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    false
}

fn rollout(store: &Store, ns: &str, name: &str) -> Arc<Value> {
    store.get(res::ROLLOUTS, ns, name).expect("rollout")
}

fn cart(store: &Store) -> Arc<Value> {
    rollout(store, "shop", "cart-rollout")
}

fn step(ro: &Value) -> (i64, String) {
    (
        meta::i(ro, &["status", "canaryStatus", "currentStepIndex"]),
        meta::s(ro, &["status", "canaryStatus", "currentStepState"]).to_string(),
    )
}

fn approve(store: &Store) {
    store
        .modify(res::ROLLOUTS, "shop", "cart-rollout", |o| {
            o["status"]["canaryStatus"]["currentStepState"] = json!("StepReady");
            Ok(())
        })
        .expect("approved");
}

fn condition<'a>(ro: &'a Value, ty: &str) -> Option<&'a Value> {
    ro.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == ty)
}

#[test]
fn an_approval_that_lands_after_the_controllers_read_is_not_undone() {
    let (store, mut state) = world();
    // The controller reads the rollout at StepPaused, while its CloneSet has no pods yet
    // (so the status it computes differs from the one it read: it will write)...
    let stale = cart(&store);
    assert_eq!(step(&stale), (1, "StepPaused".into()));
    // ...an approval lands...
    approve(&store);
    // ...and the controller writes the status it computed from its read. Before writes
    // were conditional, this put StepPaused back and the approval was lost.
    let mut ctx = Ctx {
        store: &store,
        clock: Clock::new(1000.0),
        state: &mut state,
        pods_by_owner: Default::default(),
        burst_left: BURST_REPLICAS,
    };
    reconcile_one(&mut ctx, &stale);
    let ro = cart(&store);
    assert_eq!(step(&ro), (1, "StepReady".into()), "{}", ro["status"]);
    // The next pass sees the approval and moves on to step 2.
    assert!(settle(&store, &mut state, |s| step(&cart(s)).0 == 2));
    let ro = cart(&store);
    assert_eq!(ro["status"]["currentStepIndex"], 2, "v1beta1 mirror");
    assert_eq!(
        meta::i(
            &store.get(res::CLONESETS, "shop", "cart").expect("cloneset"),
            &["spec", "updateStrategy", "partition"]
        ),
        2,
        "50% of 4 upgraded"
    );
}

#[test]
fn undo_to_the_stable_revision_cancels_the_run() {
    let (store, mut state) = world();
    run_pass(&store, Clock::new(1000.0), &mut state);
    store
        .modify(res::CLONESETS, "shop", "cart", |o| {
            o["spec"]["template"]["spec"]["containers"][0]["image"] =
                json!("ghcr.io/bosun/cart:1.4.0");
            Ok(())
        })
        .expect("rolled back");
    assert!(settle(&store, &mut state, |s| meta::s(
        &cart(s),
        &["status", "phase"]
    ) == "Healthy"));
    let ro = cart(&store);
    assert!(ro["status"].get("canaryStatus").is_none(), "{ro}");
    assert!(ro["status"].get("currentStepState").is_none(), "{ro}");
    assert!(
        meta::s(&ro, &["status", "message"]).contains("rolled back to the stable revision"),
        "{ro}"
    );
    let progressing = condition(&ro, "Progressing").expect("Progressing");
    assert_eq!(
        (&progressing["status"], &progressing["reason"]),
        (&json!("False"), &json!("Completed"))
    );
    assert_eq!(
        condition(&ro, "Succeeded").expect("Succeeded")["status"],
        "False"
    );
    let cs = store.get(res::CLONESETS, "shop", "cart").expect("cloneset");
    assert_eq!(meta::i(&cs, &["spec", "updateStrategy", "partition"]), 0);
    assert!(meta::annotation(&cs, IN_PROGRESSING).is_none());
    // Every pod ends up on the stable revision.
    assert!(settle(&store, &mut state, |s| {
        let cs = s.get(res::CLONESETS, "shop", "cart").expect("cloneset");
        meta::i(&cs, &["status", "updatedReadyReplicas"]) == 4
            && meta::s(&cs, &["status", "updateRevision"])
                == meta::s(&ro, &["status", "stableRevision"])
    }));
}

#[test]
fn a_template_change_of_a_healthy_rollout_starts_a_run_paused_at_step_1() {
    let (store, mut state) = world();
    let billing = || rollout(&store, "payments", "billing-rollout");
    run_pass(&store, Clock::new(1000.0), &mut state);
    assert_eq!(meta::s(&billing(), &["status", "phase"]), "Healthy");
    let before = condition(&billing(), "Succeeded").cloned();
    assert!(settle(&store, &mut state, |s| {
        let cs = s
            .get(res::CLONESETS, "payments", "billing")
            .expect("cloneset");
        meta::i(&cs, &["status", "readyReplicas"]) == 3
    }));
    assert_eq!(
        condition(&billing(), "Succeeded").cloned(),
        before,
        "settled passes keep conditions"
    );
    store
        .modify(res::CLONESETS, "payments", "billing", |o| {
            o["spec"]["template"]["spec"]["containers"][0]["env"] =
                json!([{ "name": "RESTARTED_AT", "value": "2026-01-01T00:00:00Z" }]);
            Ok(())
        })
        .expect("restarted");
    assert!(settle(&store, &mut state, |s| step(&rollout(
        s,
        "payments",
        "billing-rollout"
    )) == (
        1,
        "StepPaused".into()
    )));
    let ro = billing();
    assert_eq!(meta::s(&ro, &["status", "phase"]), "Progressing");
    assert!(
        condition(&ro, "Succeeded").is_none(),
        "a new run is not yet a success"
    );
    assert_eq!(
        condition(&ro, "Progressing").expect("Progressing")["reason"],
        "InRolling"
    );
    let cs = store
        .get(res::CLONESETS, "payments", "billing")
        .expect("cloneset");
    assert_eq!(meta::i(&cs, &["spec", "updateStrategy", "partition"]), 2);
    assert_eq!(meta::annotation(&cs, IN_PROGRESSING), Some("{}"));
    assert_eq!(meta::i(&cs, &["status", "updatedReadyReplicas"]), 1);
}

#[test]
fn paused_rollouts_keep_approvals_until_resumed() {
    let (store, mut state) = world();
    run_pass(&store, Clock::new(1000.0), &mut state);
    let set_paused = |paused: bool| {
        store
            .modify(res::ROLLOUTS, "shop", "cart-rollout", |o| {
                o["spec"]["strategy"]["paused"] = json!(paused);
                Ok(())
            })
            .expect("paused");
    };
    set_paused(true);
    approve(&store);
    for _ in 0..20 {
        run_pass(&store, Clock::new(1000.0), &mut state);
    }
    let ro = cart(&store);
    assert_eq!(step(&ro), (1, "StepReady".into()), "approved, not advanced");
    assert_eq!(
        condition(&ro, "Progressing").expect("Progressing")["reason"],
        "Paused"
    );
    set_paused(false);
    assert!(settle(&store, &mut state, |s| step(&cart(s)).0 == 2));
    assert_eq!(
        condition(&cart(&store), "Progressing").expect("Progressing")["reason"],
        "InRolling"
    );
}

#[test]
fn a_timed_pause_ends_by_itself_and_says_when_it_began() {
    let (store, mut state) = world();
    // Slow enough to see each state: 30 simulated seconds are 300 ms here.
    let clock = Clock::new(100.0);
    approve(&store);
    let mut paused_at = None;
    for _ in 0..2000 {
        run_pass(&store, clock, &mut state);
        let ro = cart(&store);
        if step(&ro) == (2, "StepPaused".into()) && paused_at.is_none() {
            let since = meta::s(&ro, &["status", "canaryStatus", "lastUpdateTime"]).to_string();
            assert!(crate::clock::parse_time(&since).is_some(), "{ro}");
            assert_eq!(
                meta::s(&ro, &["status", "message"]),
                "Rollout is in step(2/3), and wait duration(30 seconds) to enter the next step"
            );
            paused_at = Some((std::time::Instant::now(), since));
        }
        if let Some((at, since)) = &paused_at {
            if step(&ro).0 == 3 {
                assert!(
                    at.elapsed() >= std::time::Duration::from_millis(250),
                    "waited its duration"
                );
                return;
            }
            if step(&ro) == (2, "StepPaused".into()) {
                assert_eq!(
                    meta::s(&ro, &["status", "canaryStatus", "lastUpdateTime"]),
                    since,
                    "the pause keeps its start"
                );
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    panic!(
        "step 2 never paused and moved on: {}",
        cart(&store)["status"]
    );
}
