use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Role;

/// Everything a person can ask Bosun to do, reads included. Authorization decides on an
/// action and its target, the audit log names actions by [`Action::name`], and the UI
/// draws a button only for actions the kind table lists and the user's role allows, so
/// the three can never disagree about what an action is called or who may do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    SignIn,
    SignOut,
    /// Read anything the console shows about clusters and what runs on them.
    Read,
    AuditRead,
    UserList,
    UserCreate,
    UserSetRole,
    UserDisable,
    UserEnable,
    UserSetPassword,
    /// An admin makes a token for any account (`bosun token create`).
    TokenCreate,
    /// An admin revokes anyone's token.
    TokenRevoke,
    /// An admin lists every account's tokens.
    TokenList,
    /// A person makes an API token for themselves.
    OwnTokenCreate,
    /// A person revokes one of their own tokens.
    OwnTokenRevoke,
    /// A token's first use of the day (its later uses that day are not written).
    TokenUse,
    ClusterAdd,
    ClusterUpdate,
    ClusterRemove,
    ClusterTest,
    Restart,
    Scale,
    Rollback,
    Delete,
    Suspend,
    Resume,
    RunNow,
    PodDelete,
    /// Lets a rollout paused at a step go on to the next one.
    RolloutApprove,
    RolloutPause,
    RolloutResume,
    /// Rolls the rollout's workload back to its previous revision.
    RolloutUndo,
    /// Restarts the rollout's workload (a new canary run starts).
    RolloutRestart,
    VmStart,
    VmStop,
    /// Stop without waiting for the guest (`gracePeriod: 0`): may lose data.
    VmForceStop,
    /// Graceful restart, with a forced one when the guest does not stop in time.
    VmRestart,
    /// Restart without waiting for the guest (`gracePeriodSeconds: 0`): may lose data.
    VmForceRestart,
    VmPause,
    VmUnpause,
    /// The end of a tracked operation (a VM restart that ran on after its request),
    /// written by the console itself with the outcome.
    OperationEnd,
    /// Pins an object to the caller's Quick actions.
    PinAdd,
    PinRemove,
    /// A person changes their own password (the current one required).
    PasswordChange,
    /// A person ends all their own sessions and API tokens ("sign out everywhere").
    SessionsEnd,
    /// An admin ends all sessions and API tokens of an account.
    UserSessionsEnd,
    /// `kubectl cordon`: no new pods are scheduled on the node.
    NodeCordon,
    NodeUncordon,
    /// `kubectl drain`: cordon, then evict the node's pods (a tracked operation).
    NodeDrain,
    /// Adds or removes a taint (`kubectl taint`).
    NodeTaint,
    /// Sets or removes labels of an object (`kubectl label`).
    Label,
    /// Stops a running tracked operation (a drain); what it did stays done.
    OperationCancel,
    /// Shows one value of a Secret. Changes nothing, but who saw which secret is
    /// recorded, so it is audited like a change.
    SecretReveal,
    /// Server-side apply of YAML (create or edit any object; dry runs included).
    Apply,
    /// Creates a namespace.
    NamespaceCreate,
    /// Stores a new YAML template.
    TemplateCreate,
    TemplateUpdate,
    TemplateDelete,
    /// Applies a template to clusters and namespaces (a task; re-runs too).
    TaskRun,
    /// Deletes the objects a task created.
    TaskCleanup,
}

impl Action {
    /// Every action, for tests that walk the whole authorization matrix.
    pub const ALL: [Action; 60] = [
        Action::SignIn,
        Action::SignOut,
        Action::Read,
        Action::AuditRead,
        Action::UserList,
        Action::UserCreate,
        Action::UserSetRole,
        Action::UserDisable,
        Action::UserEnable,
        Action::UserSetPassword,
        Action::TokenCreate,
        Action::TokenRevoke,
        Action::TokenList,
        Action::OwnTokenCreate,
        Action::OwnTokenRevoke,
        Action::TokenUse,
        Action::ClusterAdd,
        Action::ClusterUpdate,
        Action::ClusterRemove,
        Action::ClusterTest,
        Action::Restart,
        Action::Scale,
        Action::Rollback,
        Action::Delete,
        Action::Suspend,
        Action::Resume,
        Action::RunNow,
        Action::PodDelete,
        Action::RolloutApprove,
        Action::RolloutPause,
        Action::RolloutResume,
        Action::RolloutUndo,
        Action::RolloutRestart,
        Action::VmStart,
        Action::VmStop,
        Action::VmForceStop,
        Action::VmRestart,
        Action::VmForceRestart,
        Action::VmPause,
        Action::VmUnpause,
        Action::OperationEnd,
        Action::PinAdd,
        Action::PinRemove,
        Action::PasswordChange,
        Action::SessionsEnd,
        Action::UserSessionsEnd,
        Action::NodeCordon,
        Action::NodeUncordon,
        Action::NodeDrain,
        Action::NodeTaint,
        Action::Label,
        Action::OperationCancel,
        Action::SecretReveal,
        Action::Apply,
        Action::NamespaceCreate,
        Action::TemplateCreate,
        Action::TemplateUpdate,
        Action::TemplateDelete,
        Action::TaskRun,
        Action::TaskCleanup,
    ];

    /// The stable dotted name written to the audit log and shown on the Audit page.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Action::SignIn => "session.login",
            Action::SignOut => "session.logout",
            Action::Read => "read",
            Action::AuditRead => "audit.read",
            Action::UserList => "user.list",
            Action::UserCreate => "user.create",
            Action::UserSetRole => "user.set_role",
            Action::UserDisable => "user.disable",
            Action::UserEnable => "user.enable",
            Action::UserSetPassword => "user.passwd",
            Action::TokenCreate => "token.create",
            Action::TokenRevoke => "token.revoke",
            Action::TokenList => "token.list",
            Action::OwnTokenCreate => "me.token_create",
            Action::OwnTokenRevoke => "me.token_revoke",
            Action::TokenUse => "token.use",
            Action::ClusterAdd => "cluster.add",
            Action::ClusterUpdate => "cluster.update",
            Action::ClusterRemove => "cluster.remove",
            Action::ClusterTest => "cluster.test",
            Action::Restart => "workload.restart",
            Action::Scale => "workload.scale",
            Action::Rollback => "workload.rollback",
            Action::Delete => "workload.delete",
            Action::Suspend => "workload.suspend",
            Action::Resume => "workload.resume",
            Action::RunNow => "workload.run",
            Action::PodDelete => "pod.delete",
            Action::RolloutApprove => "rollout.approve",
            Action::RolloutPause => "rollout.pause",
            Action::RolloutResume => "rollout.resume",
            Action::RolloutUndo => "rollout.undo",
            Action::RolloutRestart => "rollout.restart",
            Action::VmStart => "vm.start",
            Action::VmStop => "vm.stop",
            Action::VmForceStop => "vm.force_stop",
            Action::VmRestart => "vm.restart",
            Action::VmForceRestart => "vm.force_restart",
            Action::VmPause => "vm.pause",
            Action::VmUnpause => "vm.unpause",
            Action::OperationEnd => "operation.end",
            Action::PinAdd => "pin.add",
            Action::PinRemove => "pin.remove",
            Action::PasswordChange => "me.password",
            Action::SessionsEnd => "me.sessions_end",
            Action::UserSessionsEnd => "user.sessions_end",
            Action::NodeCordon => "node.cordon",
            Action::NodeUncordon => "node.uncordon",
            Action::NodeDrain => "node.drain",
            Action::NodeTaint => "node.taint",
            Action::Label => "object.label",
            Action::OperationCancel => "operation.cancel",
            Action::SecretReveal => "secret.reveal",
            Action::Apply => "object.apply",
            Action::NamespaceCreate => "namespace.create",
            Action::TemplateCreate => "template.create",
            Action::TemplateUpdate => "template.update",
            Action::TemplateDelete => "template.delete",
            Action::TaskRun => "task.run",
            Action::TaskCleanup => "task.delete_created",
        }
    }

    /// What someone whose password was generated by Bosun may do before replacing it:
    /// replace it, or leave. Whoever read the generated password could do nothing else.
    #[must_use]
    pub fn allowed_before_password_change(self) -> bool {
        matches!(
            self,
            Action::SignIn
                | Action::SignOut
                | Action::PasswordChange
                | Action::SessionsEnd
                | Action::TokenUse
        )
    }

    /// The least role that may perform the action; `None` means anyone, signed in or not.
    #[must_use]
    pub fn required_role(self) -> Option<Role> {
        match self {
            Action::SignIn | Action::SignOut => None,
            Action::Read
            | Action::AuditRead
            | Action::PinAdd
            | Action::PinRemove
            | Action::PasswordChange
            | Action::SessionsEnd
            | Action::OwnTokenCreate
            | Action::OwnTokenRevoke
            | Action::TokenUse => Some(Role::Viewer),
            Action::Restart
            | Action::Scale
            | Action::Rollback
            | Action::Delete
            | Action::Suspend
            | Action::Resume
            | Action::RunNow
            | Action::PodDelete
            | Action::RolloutApprove
            | Action::RolloutPause
            | Action::RolloutResume
            | Action::RolloutUndo
            | Action::RolloutRestart
            | Action::VmStart
            | Action::VmStop
            | Action::VmForceStop
            | Action::VmRestart
            | Action::VmForceRestart
            | Action::VmPause
            | Action::VmUnpause
            | Action::OperationEnd
            | Action::NodeCordon
            | Action::NodeUncordon
            | Action::NodeDrain
            | Action::NodeTaint
            | Action::Label
            | Action::OperationCancel
            | Action::SecretReveal
            | Action::Apply
            | Action::NamespaceCreate
            | Action::TemplateCreate
            | Action::TemplateUpdate
            | Action::TemplateDelete
            | Action::TaskRun
            | Action::TaskCleanup => Some(Role::Operator),
            Action::UserList
            | Action::UserCreate
            | Action::UserSetRole
            | Action::UserDisable
            | Action::UserEnable
            | Action::UserSetPassword
            | Action::TokenCreate
            | Action::TokenRevoke
            | Action::TokenList
            | Action::UserSessionsEnd
            | Action::ClusterAdd
            | Action::ClusterUpdate
            | Action::ClusterRemove
            | Action::ClusterTest => Some(Role::Admin),
        }
    }

    /// Whether the action changes something; only those are written to the audit log
    /// when they are carried out (refusals of any action are written too).
    #[must_use]
    pub fn mutates(self) -> bool {
        !matches!(
            self,
            Action::Read
                | Action::AuditRead
                | Action::UserList
                | Action::TokenList
                | Action::ClusterTest
        )
    }

    /// The verb on a button.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Action::SignIn => "Sign in",
            Action::SignOut => "Sign out",
            Action::Read | Action::AuditRead | Action::UserList | Action::TokenList => "View",
            Action::UserCreate => "Create user",
            Action::UserSetRole => "Change role",
            Action::UserDisable => "Disable",
            Action::UserEnable => "Enable",
            Action::UserSetPassword => "Set password",
            Action::TokenCreate | Action::OwnTokenCreate => "Create token",
            Action::TokenRevoke | Action::OwnTokenRevoke => "Revoke token",
            Action::TokenUse => "Use token",
            Action::ClusterAdd => "Add cluster",
            Action::ClusterUpdate => "Save",
            Action::ClusterRemove => "Delete cluster",
            Action::ClusterTest => "Test connection",
            Action::Restart => "Restart",
            Action::Scale => "Scale",
            Action::Rollback => "Roll back",
            Action::Delete => "Delete",
            Action::Suspend => "Suspend",
            Action::Resume => "Resume",
            Action::RunNow => "Run now",
            Action::PodDelete => "Delete pod",
            Action::RolloutApprove => "Approve",
            Action::RolloutPause => "Pause",
            Action::RolloutResume => "Resume",
            Action::RolloutUndo => "Undo",
            Action::RolloutRestart => "Restart",
            Action::VmStart => "Start",
            Action::VmStop => "Stop",
            Action::VmForceStop => "Force stop",
            Action::VmRestart => "Restart",
            Action::VmForceRestart => "Force restart",
            Action::VmPause => "Pause",
            Action::VmUnpause => "Unpause",
            Action::OperationEnd => "End",
            Action::PinAdd => "Pin",
            Action::PinRemove => "Unpin",
            Action::PasswordChange => "Change password",
            Action::SessionsEnd => "Sign out everywhere",
            Action::UserSessionsEnd => "Sign out everywhere",
            Action::NodeCordon => "Cordon",
            Action::NodeUncordon => "Uncordon",
            Action::NodeDrain => "Drain",
            Action::NodeTaint => "Taint",
            Action::Label => "Labels",
            Action::OperationCancel => "Cancel",
            Action::SecretReveal => "Reveal",
            Action::Apply => "Apply",
            Action::NamespaceCreate => "Create namespace",
            Action::TemplateCreate => "Create template",
            Action::TemplateUpdate => "Save template",
            Action::TemplateDelete => "Delete template",
            Action::TaskRun => "Run",
            Action::TaskCleanup => "Delete what it created",
        }
    }

    /// Whether the action applies to an object of any kind (labels), so the kind table
    /// need not list it on every row.
    #[must_use]
    pub fn applies_to_every_kind(self) -> bool {
        matches!(self, Action::Label | Action::Apply)
    }

    /// Whether the action may lose data (the dialog says so and colours the button).
    #[must_use]
    pub fn destructive(self) -> bool {
        matches!(
            self,
            Action::Delete
                | Action::PodDelete
                | Action::VmForceStop
                | Action::VmForceRestart
                | Action::NodeDrain
                | Action::TemplateDelete
                | Action::TaskCleanup
        )
    }

    /// Whether a role may perform this action.
    #[must_use]
    pub fn allowed_for(self, role: Option<Role>) -> bool {
        match (self.required_role(), role) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(need), Some(have)) => have.allows(need),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_unique_audit_name() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }

    #[test]
    fn workload_actions_need_an_operator_and_cluster_changes_an_admin() {
        assert!(!Action::Restart.allowed_for(Some(Role::Viewer)));
        assert!(Action::Restart.allowed_for(Some(Role::Operator)));
        assert!(!Action::ClusterAdd.allowed_for(Some(Role::Operator)));
        assert!(Action::Read.allowed_for(Some(Role::Viewer)));
        assert!(!Action::Read.allowed_for(None));
        assert!(Action::SignIn.allowed_for(None));
    }
}
