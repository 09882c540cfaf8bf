//! OpenKruise Rollouts as the console shows them: a row per rollout, the steps of its
//! canary strategy, and which actions its state allows. The state rules live here so the
//! browser greys out exactly the buttons the server would refuse.

use serde::{Deserialize, Serialize};

use crate::{Action, AuditEntry, Condition, KindId, ObjectRef, RevisionRow};

/// `status.canaryStatus.currentStepState` of a rollout waiting for an approval.
pub const STEP_PAUSED: &str = "StepPaused";

/// The workload a rollout drives (`spec.workloadRef`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadRef {
    /// The API kind (`CloneSet`, `Deployment`).
    pub kind: String,
    pub name: String,
    /// The console's kind, when it knows it (it can then link and act on it).
    pub kind_id: Option<KindId>,
}

/// One row of the Rollouts page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutRow {
    pub cluster: String,
    pub namespace: String,
    pub name: String,
    pub workload: Option<WorkloadRef>,
    /// `status.phase`: Initial, Healthy, Progressing, Terminating, Disabled, Disabling.
    pub phase: String,
    /// 1-based index of the current step; 0 when no run is active.
    pub step: i64,
    /// Steps of the canary strategy.
    pub steps: i64,
    /// `StepUpgrade`, `StepPaused`, `StepReady`, `Completed`...; empty without a run.
    pub step_state: String,
    pub canary_ready: i64,
    pub canary_replicas: i64,
    /// Traffic of the current step (`20%`), or empty.
    pub traffic: String,
    pub message: String,
    /// RFC 3339.
    pub created: String,
    /// A run is in progress (phase Progressing, or the workload says it is rolling).
    pub active: bool,
    /// `spec.strategy.paused`.
    pub paused: bool,
}

impl RolloutRow {
    #[must_use]
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef::new(&self.cluster, &self.namespace, KindId::Rollout, &self.name)
    }

    /// The workload the rollout drives, when the console knows its kind.
    #[must_use]
    pub fn workload_ref(&self) -> Option<ObjectRef> {
        let w = self.workload.as_ref()?;
        Some(ObjectRef::new(
            &self.cluster,
            &self.namespace,
            w.kind_id?,
            &w.name,
        ))
    }

    /// Why `action` cannot be done in the rollout's present state, in words that name
    /// the state; `None` when it can. The server refuses with the same sentence (409).
    #[must_use]
    pub fn refusal(&self, action: Action) -> Option<String> {
        let who = format!("rollout {}/{}", self.namespace, self.name);
        match action {
            Action::RolloutApprove if self.step_state != STEP_PAUSED => Some(if self.active {
                format!(
                    "{who} is not waiting for an approval: step {} of {} is in state {}",
                    self.step,
                    self.steps,
                    if self.step_state.is_empty() {
                        "(none)"
                    } else {
                        &self.step_state
                    }
                )
            } else {
                format!(
                    "{who} is not waiting for an approval: it is {} with no run in progress",
                    self.phase_or_unknown()
                )
            }),
            Action::RolloutPause if self.paused => Some(format!("{who} is already paused")),
            Action::RolloutResume if !self.paused => Some(format!("{who} is not paused")),
            Action::RolloutUndo | Action::RolloutRestart if self.workload_ref().is_none() => {
                Some(match &self.workload {
                    None => format!("{who} names no workload"),
                    Some(w) => format!("{who} drives a {} the console cannot act on", w.kind),
                })
            }
            _ => None,
        }
    }

    fn phase_or_unknown(&self) -> &str {
        if self.phase.is_empty() {
            "without a phase"
        } else {
            &self.phase
        }
    }
}

/// How a step waits before the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum StepPause {
    /// Goes on as soon as its pods are ready.
    None,
    /// Waits for an approval.
    Manual,
    /// Waits this many seconds.
    Timed { seconds: i64 },
}

/// One step of a canary strategy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutStep {
    /// 1-based.
    pub index: i64,
    /// `20%`, or empty when the step routes no traffic.
    pub traffic: String,
    /// Canary pods of the step (`1`, `50%`), or empty.
    pub replicas: String,
    pub pause: StepPause,
}

/// The rollout detail page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutDetail {
    pub row: RolloutRow,
    pub uid: String,
    /// `canary` or `blueGreen`.
    pub strategy: String,
    pub steps: Vec<RolloutStep>,
    pub stable_revision: String,
    pub canary_revision: String,
    /// When the current step entered its state (RFC 3339), or empty.
    pub step_since: String,
    /// When a timed pause of the current step ends (RFC 3339): the page counts down to it.
    pub pause_until: Option<String>,
    pub conditions: Vec<Condition>,
    pub yaml: String,
}

/// What to list on the Rollouts page and `GET .../rollouts`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutQuery {
    /// A cluster, or every cluster.
    pub cluster: Option<String>,
    /// A namespace, or every namespace.
    pub namespace: Option<String>,
    /// Only rollouts with a run in progress.
    #[serde(default)]
    pub active: bool,
    /// Name contains this (case-insensitive).
    pub q: Option<String>,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
}

/// A rollout's history: the revisions of its workload and the console's past actions on
/// the rollout (approvals, pauses, undos, restarts) from the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutHistory {
    pub revisions: Vec<RevisionRow>,
    pub runs: Vec<AuditEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(state: &str, paused: bool) -> RolloutRow {
        RolloutRow {
            cluster: "demo".into(),
            namespace: "shop".into(),
            name: "cart".into(),
            workload: Some(WorkloadRef {
                kind: "CloneSet".into(),
                name: "cart".into(),
                kind_id: Some(KindId::CloneSet),
            }),
            phase: "Progressing".into(),
            step: 2,
            steps: 3,
            step_state: state.into(),
            canary_ready: 1,
            canary_replicas: 1,
            traffic: "50%".into(),
            message: String::new(),
            created: String::new(),
            active: true,
            paused,
        }
    }

    #[test]
    fn approval_needs_a_paused_step_and_names_the_state_otherwise() {
        assert_eq!(
            row(STEP_PAUSED, false).refusal(Action::RolloutApprove),
            None
        );
        assert_eq!(
            row("StepUpgrade", false).refusal(Action::RolloutApprove),
            Some("rollout shop/cart is not waiting for an approval: step 2 of 3 is in state StepUpgrade".into())
        );
        assert!(
            row("StepUpgrade", true)
                .refusal(Action::RolloutPause)
                .is_some()
        );
        assert!(
            row("StepUpgrade", false)
                .refusal(Action::RolloutResume)
                .is_some()
        );
        assert_eq!(
            row("StepUpgrade", false).workload_ref().map(|w| w.kind),
            Some(KindId::CloneSet)
        );
    }
}
