//! KubeVirt virtual machines as the console shows them, and which lifecycle actions a
//! VM's state allows. The rules live here so the browser offers exactly what the server
//! accepts ("Stop" becomes "Force stop" while a VM is already stopping).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Action, Condition, KindId, ObjectRef};

/// The lifecycle commands of a VM; `force` in the options makes stop and restart forced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VmCommand {
    Start,
    Stop,
    Restart,
    Pause,
    Unpause,
}

impl VmCommand {
    /// The action a command is, forced or not.
    ///
    /// # Errors
    /// `force` on a command that cannot be forced, in words.
    pub fn action(self, force: bool) -> Result<Action, String> {
        Ok(match (self, force) {
            (VmCommand::Stop, false) => Action::VmStop,
            (VmCommand::Stop, true) => Action::VmForceStop,
            (VmCommand::Restart, false) => Action::VmRestart,
            (VmCommand::Restart, true) => Action::VmForceRestart,
            (VmCommand::Start, false) => Action::VmStart,
            (VmCommand::Pause, false) => Action::VmPause,
            (VmCommand::Unpause, false) => Action::VmUnpause,
            (other, true) => {
                return Err(format!(
                    "force applies to stop and restart, not to {}",
                    other.as_str()
                ));
            }
        })
    }

    /// The command and force of a VM action.
    #[must_use]
    pub fn of(action: Action) -> Option<(VmCommand, bool)> {
        Some(match action {
            Action::VmStart => (VmCommand::Start, false),
            Action::VmStop => (VmCommand::Stop, false),
            Action::VmForceStop => (VmCommand::Stop, true),
            Action::VmRestart => (VmCommand::Restart, false),
            Action::VmForceRestart => (VmCommand::Restart, true),
            Action::VmPause => (VmCommand::Pause, false),
            Action::VmUnpause => (VmCommand::Unpause, false),
            _ => return None,
        })
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            VmCommand::Start => "start",
            VmCommand::Stop => "stop",
            VmCommand::Restart => "restart",
            VmCommand::Pause => "pause",
            VmCommand::Unpause => "unpause",
        }
    }
}

/// One row of the Virtual machines page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmRow {
    pub cluster: String,
    pub namespace: String,
    pub name: String,
    /// `status.printableStatus`: Stopped, Starting, Running, Paused, Stopping,
    /// Terminating, ... as `kubectl get vm` shows it.
    pub status: String,
    /// The effective run strategy (`spec.runStrategy`, or `Always`/`Halted` from the
    /// legacy `spec.running`).
    pub run_strategy: String,
    /// The node of the running instance, or empty.
    pub node: String,
    /// The first IP address of the running instance, or empty.
    pub ip: String,
    /// Virtual CPUs (`2`), or empty.
    pub cpu: String,
    /// Guest memory (`2Gi`), or empty.
    pub memory: String,
    /// RFC 3339.
    pub created: String,
    /// The instance is running and Ready.
    pub ready: bool,
    /// An instance exists (running, starting or stopping).
    pub has_instance: bool,
}

impl VmRow {
    #[must_use]
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef::new(
            &self.cluster,
            &self.namespace,
            KindId::VirtualMachine,
            &self.name,
        )
    }

    /// The VM is on its way down (its instance is terminating, or the VM is deleted).
    #[must_use]
    pub fn stopping(&self) -> bool {
        matches!(self.status.as_str(), "Stopping" | "Terminating")
    }

    #[must_use]
    pub fn paused(&self) -> bool {
        self.status == "Paused"
    }

    /// The stop the console offers now: "Force stop" in place of "Stop" while the VM is
    /// already stopping (a second graceful stop would only wait again).
    #[must_use]
    pub fn stop_action(&self) -> Action {
        if self.stopping() {
            Action::VmForceStop
        } else {
            Action::VmStop
        }
    }

    /// Why `action` cannot be done in the VM's present state, naming the state; `None`
    /// when it can. A restart of a stopped VM is allowed: it starts it.
    #[must_use]
    pub fn refusal(&self, action: Action) -> Option<String> {
        let who = format!("virtual machine {}/{}", self.namespace, self.name);
        let status = if self.status.is_empty() {
            "Unknown"
        } else {
            self.status.as_str()
        };
        match action {
            Action::VmStart if self.stopping() => {
                Some(format!("{who} is {status}: start it once it has stopped"))
            }
            Action::VmStart if self.has_instance => {
                Some(format!("{who} is already running ({status})"))
            }
            Action::VmStop | Action::VmForceStop if !self.has_instance => {
                Some(format!("{who} is already stopped"))
            }
            Action::VmStop if self.stopping() => Some(format!(
                "{who} is already {status}: force stop it to stop it at once"
            )),
            Action::VmRestart if self.stopping() => Some(format!(
                "{who} is {status}: force restart it, or start it once it has stopped"
            )),
            Action::VmPause if self.paused() => Some(format!("{who} is already paused")),
            Action::VmPause if status != "Running" => Some(format!(
                "{who} is not running ({status}): only a running VM can be paused"
            )),
            Action::VmUnpause if !self.paused() => Some(format!("{who} is not paused ({status})")),
            _ => None,
        }
    }
}

/// The running instance of a VM (its VirtualMachineInstance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmInstance {
    pub uid: String,
    /// Pending, Scheduling, Scheduled, Running, Succeeded, Failed, Unknown.
    pub phase: String,
    pub node: String,
    pub ips: Vec<String>,
    /// `Fedora Linux 40`, from the guest agent, or empty.
    pub guest_os: String,
    pub conditions: Vec<Condition>,
    /// RFC 3339.
    pub created: String,
    /// RFC 3339 of its deletion, when it is stopping.
    pub deleting_since: Option<String>,
}

/// The VM detail page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmDetail {
    pub row: VmRow,
    pub uid: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub conditions: Vec<Condition>,
    pub instance: Option<VmInstance>,
    /// The guest's own grace period (`terminationGracePeriodSeconds`): how long a stop
    /// without one would wait.
    pub termination_grace_seconds: Option<i64>,
    pub yaml: String,
}

/// What to list on the Virtual machines page and `GET .../virtualmachines`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmQuery {
    pub cluster: Option<String>,
    pub namespace: Option<String>,
    /// Name contains this (case-insensitive).
    pub q: Option<String>,
    /// Only VMs with this printable status.
    pub status: Option<String>,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm(status: &str, has_instance: bool) -> VmRow {
        VmRow {
            cluster: "demo".into(),
            namespace: "vms".into(),
            name: "db".into(),
            status: status.into(),
            run_strategy: "Always".into(),
            node: String::new(),
            ip: String::new(),
            cpu: "2".into(),
            memory: "2Gi".into(),
            created: String::new(),
            ready: status == "Running",
            has_instance,
        }
    }

    #[test]
    fn stop_becomes_force_stop_while_stopping() {
        assert_eq!(vm("Running", true).stop_action(), Action::VmStop);
        let stopping = vm("Stopping", true);
        assert_eq!(stopping.stop_action(), Action::VmForceStop);
        assert!(stopping.refusal(Action::VmStop).is_some());
        assert_eq!(stopping.refusal(Action::VmForceStop), None);
    }

    #[test]
    fn states_decide_what_applies() {
        let stopped = vm("Stopped", false);
        assert_eq!(stopped.refusal(Action::VmStart), None);
        assert_eq!(
            stopped.refusal(Action::VmRestart),
            None,
            "restart starts it"
        );
        assert_eq!(
            stopped.refusal(Action::VmStop).as_deref(),
            Some("virtual machine vms/db is already stopped")
        );
        assert!(vm("Running", true).refusal(Action::VmStart).is_some());
        assert_eq!(vm("Running", true).refusal(Action::VmPause), None);
        assert!(vm("Paused", true).refusal(Action::VmPause).is_some());
        assert_eq!(vm("Paused", true).refusal(Action::VmUnpause), None);
        assert!(vm("Starting", true).refusal(Action::VmPause).is_some());
    }
}
