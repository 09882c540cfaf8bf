//! Pins: the objects a person keeps one tap away on the Quick actions page.

use serde::{Deserialize, Serialize};

use crate::{KindId, ObjectRef};
use crate::{OperationView, RolloutRow, VmRow, WorkloadRow};

/// One pinned object of one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    pub id: i64,
    pub target: ObjectRef,
    /// RFC 3339.
    pub created: String,
}

/// Whether a kind can be pinned: workloads, rollouts and virtual machines.
#[must_use]
pub fn pinnable(kind: KindId) -> bool {
    use crate::Category;
    matches!(
        kind.info().category,
        Category::Workload | Category::Rollout | Category::VirtualMachine
    )
}

/// What a pinned object looks like now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PinnedState {
    Workload(WorkloadRow),
    Rollout(RolloutRow),
    Vm {
        row: VmRow,
        /// The VM's operation in progress, or its latest one.
        operation: Option<Box<OperationView>>,
    },
    /// The object cannot be shown (deleted, its cluster gone or unreachable).
    Missing {
        reason: String,
    },
}

/// A card of the Quick actions page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinCard {
    pub pin: Pin,
    pub state: PinnedState,
}
