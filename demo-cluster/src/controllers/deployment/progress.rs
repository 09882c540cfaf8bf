//! The Deployment's `Progressing` condition, as the real controller keeps it
//! (`checkPausedConditions`, `getNewReplicaSet` and `syncRolloutStatus`): its
//! `lastUpdateTime` moves whenever the rollout makes progress, and a rollout that makes
//! none for `spec.progressDeadlineSeconds` (simulated) fails with
//! `ProgressDeadlineExceeded`, which `kubectl rollout status` reports as
//! "exceeded its progress deadline". A new ReplicaSet starts the clock again.

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::clock::{now_rfc3339, parse_time};
use crate::controllers::set_condition;
use crate::meta;

const PROGRESSING: &str = "Progressing";
const PAUSED: &str = "DeploymentPaused";
const RESUMED: &str = "DeploymentResumed";
const NEW_RS_CREATED: &str = "NewReplicaSetCreated";
const FOUND_NEW_RS: &str = "FoundNewReplicaSet";
const RS_UPDATED: &str = "ReplicaSetUpdated";
const NEW_RS_AVAILABLE: &str = "NewReplicaSetAvailable";
const TIMED_OUT: &str = "ProgressDeadlineExceeded";

/// The replica counts progress is measured by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub replicas: i64,
    pub updated: i64,
    pub ready: i64,
    pub available: i64,
}

impl Counts {
    /// The counts a Deployment's stored status reports.
    pub fn of_status(d: &Value) -> Self {
        Self {
            replicas: meta::i(d, &["status", "replicas"]),
            updated: meta::i(d, &["status", "updatedReplicas"]),
            ready: meta::i(d, &["status", "readyReplicas"]),
            available: meta::i(d, &["status", "availableReplicas"]),
        }
    }

    /// `DeploymentProgressing`: more updated, ready or available replicas, or fewer old
    /// ones, than at the last sync.
    fn progressed_since(&self, before: &Counts) -> bool {
        self.updated > before.updated
            || self.replicas - self.updated < before.replicas - before.updated
            || self.ready > before.ready
            || self.available > before.available
    }
}

/// What this sync did about the new ReplicaSet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewReplicaSet {
    Created,
    /// An older ReplicaSet matches the template again (a rollback).
    Found,
    Unchanged,
}

/// One sync's view of a Deployment's rollout.
pub struct Rollout<'a> {
    pub deployment: &'a Value,
    pub new_rs: Option<&'a str>,
    pub new_rs_event: NewReplicaSet,
    pub desired: i64,
    pub paused: bool,
    /// Counts in the stored status (the last sync) and now.
    pub before: Counts,
    pub now: Counts,
    pub time_scale: f64,
}

impl Rollout<'_> {
    /// `None` when `progressDeadlineSeconds` is unset or the maximum (no deadline).
    fn deadline_secs(&self) -> Option<f64> {
        meta::get(self.deployment, &["spec", "progressDeadlineSeconds"])
            .and_then(Value::as_i64)
            .filter(|s| *s != i64::from(i32::MAX))
            .map(|s| s as f64)
    }

    /// "ReplicaSet \"web-abc\" {what}." or, without a new ReplicaSet, the Deployment's.
    fn message(&self, what: &str) -> String {
        match self.new_rs {
            Some(rs) => format!("ReplicaSet \"{rs}\" {what}."),
            None => format!("Deployment \"{}\" {what}.", meta::name(self.deployment)),
        }
    }

    fn complete(&self) -> bool {
        self.now.updated == self.desired
            && self.now.replicas == self.desired
            && self.now.available == self.desired
    }

    /// No progress reported for longer than the deadline (simulated seconds).
    fn timed_out(&self, cond: &Value, deadline: f64) -> bool {
        match cond["reason"].as_str() {
            Some(TIMED_OUT) => true,
            Some(NEW_RS_AVAILABLE) => false,
            _ => cond["lastUpdateTime"]
                .as_str()
                .and_then(parse_time)
                .is_some_and(|from| {
                    let real = (OffsetDateTime::now_utc() - from).as_seconds_f64();
                    real * self.time_scale > deadline
                }),
        }
    }
}

fn find(conds: &[Value]) -> Option<&Value> {
    conds.iter().find(|c| c["type"] == PROGRESSING)
}

/// Replaces the condition with a fresh `lastUpdateTime`, keeping `lastTransitionTime`
/// while the status stays True (progress is news even when the reason is not).
fn refresh(conds: &mut Vec<Value>, reason: &str, message: &str) {
    let now = now_rfc3339();
    let transition = find(conds)
        .filter(|c| c["status"] == "True")
        .map_or_else(|| json!(now), |c| c["lastTransitionTime"].clone());
    conds.retain(|c| c["type"] != PROGRESSING);
    conds.push(json!({
        "type": PROGRESSING, "status": "True", "reason": reason, "message": message,
        "lastUpdateTime": now, "lastTransitionTime": transition,
    }));
}

/// Brings the `Progressing` condition in `conds` up to date for this sync.
pub fn update(conds: &mut Vec<Value>, r: &Rollout) {
    let Some(deadline) = r.deadline_secs() else {
        conds.retain(|c| c["type"] != PROGRESSING);
        return;
    };
    let reason = find(conds).and_then(|c| c["reason"].as_str()).unwrap_or("");
    // A reported lack of progress is not overwritten by a pause.
    if reason != TIMED_OUT {
        if r.paused {
            set_condition(
                conds,
                PROGRESSING,
                "Unknown",
                PAUSED,
                "Deployment is paused",
            );
            return;
        }
        if reason == PAUSED {
            set_condition(
                conds,
                PROGRESSING,
                "Unknown",
                RESUMED,
                "Deployment is resumed",
            );
        }
    } else if r.paused {
        return;
    }
    match (r.new_rs_event, r.new_rs) {
        (NewReplicaSet::Created, Some(rs)) => {
            let msg = format!("Created new replica set \"{rs}\"");
            set_condition(conds, PROGRESSING, "True", NEW_RS_CREATED, &msg);
        }
        (NewReplicaSet::Found, Some(rs)) if find(conds).is_none() => {
            let msg = format!("Found new replica set \"{rs}\"");
            set_condition(conds, PROGRESSING, "True", FOUND_NEW_RS, &msg);
        }
        _ => {}
    }
    let current = find(conds).cloned();
    let settled = current
        .as_ref()
        .is_some_and(|c| c["reason"] == NEW_RS_AVAILABLE && r.now.replicas == r.now.updated);
    if settled {
        return;
    }
    if r.complete() {
        let msg = r.message("has successfully progressed");
        set_condition(conds, PROGRESSING, "True", NEW_RS_AVAILABLE, &msg);
    } else if r.now.progressed_since(&r.before) {
        refresh(conds, RS_UPDATED, &r.message("is progressing"));
    } else if current.is_some_and(|c| r.timed_out(&c, deadline)) {
        let msg = r.message("has timed out progressing");
        set_condition(conds, PROGRESSING, "False", TIMED_OUT, &msg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(deadline: i64) -> Value {
        json!({ "metadata": { "name": "reports" }, "spec": { "progressDeadlineSeconds": deadline } })
    }

    fn rollout<'a>(d: &'a Value, before: Counts, now: Counts) -> Rollout<'a> {
        Rollout {
            deployment: d,
            new_rs: Some("reports-abc"),
            new_rs_event: NewReplicaSet::Unchanged,
            desired: 1,
            paused: false,
            before,
            now,
            time_scale: 1.0,
        }
    }

    fn progressing(reason: &str, updated_secs_ago: i64) -> Vec<Value> {
        let at = crate::clock::format_time(
            OffsetDateTime::now_utc() - time::Duration::seconds(updated_secs_ago),
        );
        vec![
            json!({ "type": PROGRESSING, "status": "True", "reason": reason, "message": "",
            "lastUpdateTime": at, "lastTransitionTime": at }),
        ]
    }

    const STUCK: Counts = Counts {
        replicas: 1,
        updated: 1,
        ready: 0,
        available: 0,
    };

    #[test]
    fn a_rollout_without_progress_past_its_deadline_times_out() {
        let d = deployment(60);
        let mut conds = progressing(RS_UPDATED, 61);
        update(&mut conds, &rollout(&d, STUCK, STUCK));
        assert_eq!(conds[0]["status"], "False");
        assert_eq!(conds[0]["reason"], TIMED_OUT);
        assert_eq!(
            conds[0]["message"],
            "ReplicaSet \"reports-abc\" has timed out progressing."
        );
        // Still inside the deadline: nothing changes.
        let mut fresh = progressing(RS_UPDATED, 30);
        let before = fresh.clone();
        update(&mut fresh, &rollout(&d, STUCK, STUCK));
        assert_eq!(fresh, before);
    }

    #[test]
    fn progress_moves_the_last_update_time_and_completion_settles() {
        let d = deployment(60);
        let mut conds = progressing(NEW_RS_CREATED, 50);
        let old_transition = conds[0]["lastTransitionTime"].clone();
        let ready = Counts { ready: 1, ..STUCK };
        update(&mut conds, &rollout(&d, STUCK, ready));
        assert_eq!(conds[0]["reason"], RS_UPDATED);
        assert!(crate::clock::age_secs(conds[0]["lastUpdateTime"].as_str().unwrap_or("")) <= 1);
        assert_eq!(conds[0]["lastTransitionTime"], old_transition);
        let done = Counts {
            available: 1,
            ..ready
        };
        update(&mut conds, &rollout(&d, ready, done));
        assert_eq!(conds[0]["reason"], NEW_RS_AVAILABLE);
    }

    #[test]
    fn a_new_replica_set_restarts_the_clock_and_a_pause_is_reported() {
        let d = deployment(60);
        let mut conds = progressing(RS_UPDATED, 600);
        conds[0]["reason"] = json!(TIMED_OUT);
        conds[0]["status"] = json!("False");
        let mut r = rollout(&d, STUCK, STUCK);
        r.new_rs_event = NewReplicaSet::Created;
        update(&mut conds, &r);
        assert_eq!(conds[0]["reason"], NEW_RS_CREATED);
        assert_eq!(conds[0]["status"], "True");
        let mut paused = progressing(RS_UPDATED, 600);
        let mut r = rollout(&d, STUCK, STUCK);
        r.paused = true;
        update(&mut paused, &r);
        assert_eq!(
            (paused[0]["status"].as_str(), paused[0]["reason"].as_str()),
            (Some("Unknown"), Some(PAUSED))
        );
        let mut none = progressing(RS_UPDATED, 600);
        update(
            &mut none,
            &rollout(&deployment(i64::from(i32::MAX)), STUCK, STUCK),
        );
        assert!(none.is_empty(), "no deadline, no Progressing condition");
    }
}
