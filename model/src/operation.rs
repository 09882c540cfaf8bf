//! Tracked operations: an action that runs on after its request (a VM's graceful restart
//! that waits for the guest, falls back to a forced one, and waits for the new instance; a
//! node's drain, pod by pod), with every state it passed through. Persisted, so a console
//! restart resumes or closes them instead of forgetting them.

use serde::{Deserialize, Serialize};

use crate::{Action, ObjectRef};

/// Where an operation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OperationState {
    /// Accepted; the first request to the cluster is being sent.
    Requested,
    /// The graceful stop was requested; waiting for the guest to shut down.
    Stopping,
    /// The guest did not stop in time (or a forced action was asked for): stopped at once.
    ForceStopping,
    /// Waiting for the new instance to be Running and Ready.
    Starting,
    /// A VM operation: done, the VM runs (and is Ready). A drain: under way.
    Running,
    /// Done as asked (a drain: every pod that had to go is gone).
    Succeeded,
    /// Stopped by a person before it ended; what it did stays done.
    Cancelled,
    /// Done: the VM is stopped.
    Stopped,
    /// Done: the VM is paused.
    Paused,
    /// Ended with an error from the cluster or an unexpected turn.
    Failed,
    /// The VM did not reach the wanted state within the deadline.
    TimedOut,
    /// The console stopped while the operation ran and could not tell how it ended, or a
    /// forced action took over.
    Interrupted,
}

impl OperationState {
    /// Every state, for parsing and tests.
    pub const ALL: [OperationState; 12] = [
        OperationState::Requested,
        OperationState::Stopping,
        OperationState::ForceStopping,
        OperationState::Starting,
        OperationState::Running,
        OperationState::Stopped,
        OperationState::Paused,
        OperationState::Failed,
        OperationState::TimedOut,
        OperationState::Interrupted,
        OperationState::Succeeded,
        OperationState::Cancelled,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            OperationState::Requested => "Requested",
            OperationState::Stopping => "Stopping",
            OperationState::ForceStopping => "ForceStopping",
            OperationState::Starting => "Starting",
            OperationState::Running => "Running",
            OperationState::Stopped => "Stopped",
            OperationState::Paused => "Paused",
            OperationState::Failed => "Failed",
            OperationState::TimedOut => "TimedOut",
            OperationState::Interrupted => "Interrupted",
            OperationState::Succeeded => "Succeeded",
            OperationState::Cancelled => "Cancelled",
        }
    }

    /// Parses [`OperationState::as_str`].
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Whether an operation of `action` in this state has ended (nothing more will happen
    /// to it). `Running` ends a VM operation but is the working state of a drain.
    #[must_use]
    pub fn finished(self, action: Action) -> bool {
        match self {
            OperationState::Requested
            | OperationState::Stopping
            | OperationState::ForceStopping
            | OperationState::Starting => false,
            OperationState::Running => action != Action::NodeDrain,
            _ => true,
        }
    }

    /// Whether it ended as asked.
    #[must_use]
    pub fn succeeded(self) -> bool {
        matches!(
            self,
            OperationState::Running
                | OperationState::Stopped
                | OperationState::Paused
                | OperationState::Succeeded
        )
    }
}

impl std::fmt::Display for OperationState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The options of a VM lifecycle action, as the REST body spells them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VmActionOptions {
    /// Stop or restart without waiting for the guest (grace period 0).
    #[serde(default)]
    pub force: bool,
    /// The grace period of a stop (a restart accepts only 0, which is `force`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<i64>,
    /// How long a graceful stop or restart waits for the guest before forcing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_timeout_seconds: Option<i64>,
    /// How long to wait for the VM to be Running and Ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_timeout_seconds: Option<i64>,
}

/// The options of a drain, as `kubectl drain`'s flags and the REST body spell them, with
/// kubectl's defaults (all off).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DrainOptions {
    /// Leave DaemonSet pods alone (they would be recreated at once); without it they stop
    /// the drain.
    #[serde(default)]
    pub ignore_daemon_sets: bool,
    /// Evict pods with `emptyDir` volumes, whose data is lost.
    #[serde(default)]
    pub delete_empty_dir_data: bool,
    /// Evict pods no controller will recreate.
    #[serde(default)]
    pub force: bool,
    /// The grace period sent with each eviction; `None` (or -1) is each pod's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<i64>,
    /// How long the whole drain may take before it ends as `TimedOut`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i64>,
}

/// How long a drain runs when its request names no timeout.
pub const DEFAULT_DRAIN_TIMEOUT_SECONDS: i64 = 600;

/// The options an operation runs with, by what it is. Serialised without a tag, as the
/// options themselves, so VM operations read as they always did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OperationOptions {
    Vm(VmActionOptions),
    Drain(DrainOptions),
}

impl OperationOptions {
    /// A VM operation's options (defaults for any other).
    #[must_use]
    pub fn vm(&self) -> VmActionOptions {
        match self {
            OperationOptions::Vm(options) => *options,
            OperationOptions::Drain(_) => VmActionOptions::default(),
        }
    }
}

/// Where one pod of a drain stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ItemState {
    /// Waiting for its turn.
    Pending,
    /// The eviction is being asked for.
    Evicting,
    /// A PodDisruptionBudget refused the eviction (429); asked again shortly.
    Blocked,
    /// Evicted; waiting for the pod to be gone.
    Terminating,
    /// Gone (or replaced by a pod of the same name with a new uid).
    Evicted,
    /// Left alone (a DaemonSet's pod, a mirror pod, a finished pod).
    Skipped,
    Failed,
}

impl ItemState {
    /// Whether nothing more will happen to this pod.
    #[must_use]
    pub fn settled(self) -> bool {
        matches!(
            self,
            ItemState::Evicted | ItemState::Skipped | ItemState::Failed
        )
    }
}

/// One object an operation works through (a pod of a drain), with its latest word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationItem {
    pub namespace: String,
    pub name: String,
    /// The uid of the pod being replaced, to tell a recreated pod of the same name from it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    pub state: ItemState,
    pub message: String,
    /// Evictions asked for so far (more than one when a budget made it wait).
    #[serde(default)]
    pub attempts: u32,
}

/// Defaults of [`VmActionOptions`] (the seed's: 60 s to stop, 120 s to start).
pub const DEFAULT_STOP_TIMEOUT_SECONDS: i64 = 60;
pub const DEFAULT_START_TIMEOUT_SECONDS: i64 = 120;
/// Longest deadline a request may ask for (a day).
pub const MAX_TIMEOUT_SECONDS: i64 = 86_400;

/// The reply to a VM action: the operation that carries it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationAccepted {
    pub operation_id: String,
    pub state: OperationState,
    /// What happened so far, in a sentence (for the toast).
    pub message: String,
}

/// One state an operation passed through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub state: OperationState,
    /// RFC 3339.
    pub at: String,
    pub message: String,
}

/// An operation, whole: `GET /api/v1/operations/{id}` and the live view on VM pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationView {
    pub id: String,
    pub action: Action,
    pub target: ObjectRef,
    /// Who asked.
    pub user: String,
    pub state: OperationState,
    pub finished: bool,
    /// The options in force (defaults filled in).
    pub options: OperationOptions,
    /// Why a forced fallback fired, when it did.
    pub fallback: Option<String>,
    /// The latest word on it.
    pub message: String,
    /// RFC 3339.
    pub created: String,
    pub updated: String,
    pub finished_at: Option<String>,
    /// Every state, oldest first, with its time.
    pub transitions: Vec<Transition>,
    /// What it works through, one by one (a drain's pods); empty for VM operations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<OperationItem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_parse_back_and_know_when_they_end() {
        for s in OperationState::ALL {
            assert_eq!(OperationState::parse(s.as_str()), Some(s));
        }
        assert!(!OperationState::Stopping.finished(Action::VmRestart));
        assert!(OperationState::TimedOut.finished(Action::VmRestart));
        assert!(OperationState::Running.finished(Action::VmStart));
        assert!(!OperationState::Running.finished(Action::NodeDrain));
        let drain: OperationOptions =
            serde_json::from_str(r#"{"ignoreDaemonSets":true,"force":false}"#).unwrap();
        assert!(matches!(drain, OperationOptions::Drain(d) if d.ignore_daemon_sets));
        let vm: OperationOptions = serde_json::from_str(r#"{"force":true}"#).unwrap();
        assert!(matches!(vm, OperationOptions::Vm(v) if v.force));
        assert!(!OperationState::TimedOut.succeeded());
        let options: VmActionOptions =
            serde_json::from_str(r#"{"force":true,"stopTimeoutSeconds":5}"#).unwrap();
        assert!(options.force);
        assert_eq!(options.stop_timeout_seconds, Some(5));
        assert!(serde_json::from_str::<VmActionOptions>(r#"{"forse":true}"#).is_err());
    }
}
