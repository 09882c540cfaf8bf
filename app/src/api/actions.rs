//! The one server function that carries out an action on an object, whatever its kind:
//! workloads, pods, rollouts and virtual machines. The dialog sends every action here, and
//! here each goes to the same domain call the REST API and the CLI make.

use bosun_model::{ActionReply, ObjectRef, VmActionOptions, VmCommand};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// The actions the pages offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ObjectAction {
    Restart {
        force: bool,
    },
    Scale {
        replicas: i64,
    },
    Rollback {
        revision: i64,
    },
    Delete,
    Suspend,
    Resume,
    RunNow,
    DeletePod,
    /// Approves the rollout's current step; the page says which step it saw.
    Approve {
        step: Option<i64>,
    },
    PauseRollout,
    ResumeRollout,
    Undo,
    RestartRollout,
    /// A VM lifecycle command, carried out as a tracked operation.
    Vm {
        command: VmCommand,
        options: VmActionOptions,
    },
}

impl ObjectAction {
    /// The action of the kind table this is.
    #[must_use]
    pub fn action(&self) -> bosun_model::Action {
        use bosun_model::Action;
        match self {
            ObjectAction::Restart { .. } => Action::Restart,
            ObjectAction::Scale { .. } => Action::Scale,
            ObjectAction::Rollback { .. } => Action::Rollback,
            ObjectAction::Delete => Action::Delete,
            ObjectAction::Suspend => Action::Suspend,
            ObjectAction::Resume => Action::Resume,
            ObjectAction::RunNow => Action::RunNow,
            ObjectAction::DeletePod => Action::PodDelete,
            ObjectAction::Approve { .. } => Action::RolloutApprove,
            ObjectAction::PauseRollout => Action::RolloutPause,
            ObjectAction::ResumeRollout => Action::RolloutResume,
            ObjectAction::Undo => Action::RolloutUndo,
            ObjectAction::RestartRollout => Action::RolloutRestart,
            ObjectAction::Vm { command, options } => {
                command.action(options.force).unwrap_or(Action::VmRestart)
            }
        }
    }

    /// The VM action for a table action, with default options.
    #[must_use]
    pub fn vm(action: bosun_model::Action) -> Option<Self> {
        let (command, force) = VmCommand::of(action)?;
        Some(ObjectAction::Vm {
            command,
            options: VmActionOptions {
                force,
                ..VmActionOptions::default()
            },
        })
    }
}

#[cfg(feature = "ssr")]
async fn carry_out(
    ui: &crate::api::ssr::Ui,
    target: ObjectRef,
    action: ObjectAction,
) -> bosun_core::Result<ActionReply> {
    use bosun_core::Operation;
    use bosun_core::rollouts::{self, RolloutCommand};
    let (ctx, inv) = (&ui.ctx, &ui.inv);
    let rollout_command = match &action {
        ObjectAction::Approve { step } => Some(RolloutCommand::Approve { step: *step }),
        ObjectAction::PauseRollout => Some(RolloutCommand::Pause),
        ObjectAction::ResumeRollout => Some(RolloutCommand::Resume),
        ObjectAction::Undo => Some(RolloutCommand::Undo),
        ObjectAction::RestartRollout => Some(RolloutCommand::Restart),
        _ => None,
    };
    if let Some(command) = rollout_command {
        return rollouts::command(ctx, inv, &target, command).await;
    }
    let op = match action {
        ObjectAction::Restart { force } => Operation::Restart { target, force },
        ObjectAction::Scale { replicas } => Operation::Scale { target, replicas },
        ObjectAction::Rollback { revision } => Operation::Rollback { target, revision },
        ObjectAction::Delete => Operation::Delete { target },
        ObjectAction::Suspend => Operation::SetSuspended {
            target,
            suspend: true,
        },
        ObjectAction::Resume => Operation::SetSuspended {
            target,
            suspend: false,
        },
        ObjectAction::RunNow => Operation::RunNow {
            target,
            job_name: None,
        },
        ObjectAction::DeletePod => Operation::DeletePod { target },
        ObjectAction::Vm { command, options } => {
            let accepted = bosun_core::vms::command(ctx, inv, &target, command, options).await?;
            return Ok(ActionReply {
                message: accepted.message,
                timestamp: bosun_core::db::now_rfc3339(),
                success: true,
                restarted_at: None,
                operation_id: Some(accepted.operation_id),
            });
        }
        // Handled above.
        ObjectAction::Approve { .. }
        | ObjectAction::PauseRollout
        | ObjectAction::ResumeRollout
        | ObjectAction::Undo
        | ObjectAction::RestartRollout => {
            return Err(bosun_core::Error::Internal(
                "rollout action fell through".into(),
            ));
        }
    };
    bosun_core::workloads::act(ctx, inv, op).await
}

/// Carries out one action on one object.
#[server(prefix = "/rpc", endpoint = "actions/act", input = Json)]
pub async fn act(object: ObjectRef, action: ObjectAction) -> Result<ActionReply, AppError> {
    use crate::api::ssr::{fail, ui};
    let ui = ui()?;
    carry_out(&ui, object, action).await.map_err(fail)
}
