//! Types that cross the wire between the Bosun server and the browser.
//!
//! This crate compiles for both the server and wasm32, so it holds plain data only:
//! no database, no Kubernetes client, no I/O. The kind-and-action table lives here so the
//! browser draws exactly the buttons the server will accept.
#![forbid(unsafe_code)]

mod action;
pub mod apply;
mod audit;
mod cluster;
pub mod custom;
pub mod diff;
mod error_code;
pub mod kinds;
pub mod metrics;
mod node;
mod operation;
mod page;
mod pin;
pub mod quantity;
pub mod resource;
mod role;
mod rollout;
pub mod template;
mod token;
mod user;
mod vm;
mod workload;

pub use action::Action;
pub use apply::{
    ApplyOptions, ApplyOutcome, ApplyReport, ApplyResult, FieldConflict, FieldIssue,
    RegistrySecret, SchemaVerdict, YamlCheck, YamlIssue,
};
pub use audit::{AuditEntry, AuditQuery, Outcome, Source};
pub use cluster::{
    ClusterHealth, ClusterInput, ClusterSaved, ClusterSummary, ClusterUpdate, ConnectionCheck,
    Environment, NodeCounts, SourceKind, WatchError, WorkloadCounts,
};
pub use custom::{ApiKind, ApiKindRef, CustomList, CustomObject, CustomQuery, CustomRow};
pub use error_code::ErrorCode;
pub use kinds::{Category, KINDS, KindId, KindInfo};
pub use metrics::{NodeUsage, PodUsage, PodUsageQuery, UsagePoint, UsageReport};
pub use node::{NodeCondition, NodeDetail, NodeQuery, NodeRow, ResourceFigures, Taint};
pub use operation::{
    DEFAULT_DRAIN_TIMEOUT_SECONDS, DEFAULT_START_TIMEOUT_SECONDS, DEFAULT_STOP_TIMEOUT_SECONDS,
    DrainOptions, ItemState, MAX_TIMEOUT_SECONDS, OperationAccepted, OperationItem,
    OperationOptions, OperationState, OperationView, Transition, VmActionOptions,
};
pub use page::{DEFAULT_PAGE, EventQuery, MAX_PAGE, Page, PodQuery, WorkloadQuery};
pub use pin::{Pin, PinCard, PinnedState, pinnable};
pub use resource::{
    AccessQuery, AccessReport, ResourceDetail, ResourceQuery, ResourceRow, SecretValue, Section,
    SectionRow,
};
pub use role::{ParseRoleError, Role};
pub use rollout::{
    RolloutDetail, RolloutHistory, RolloutQuery, RolloutRow, RolloutStep, STEP_PAUSED, StepPause,
    WorkloadRef,
};
pub use template::{
    CheckReport, CheckRequest, CleanupResult, RenderError, TargetResult, Task, TaskQuery,
    TaskRequest, TaskRow, TaskState, TaskTarget, Template, TemplateInput, Variable,
};
pub use token::{DEFAULT_TOKEN_DAYS, IssuedToken, MAX_TOKEN_DAYS, NewToken, TokenInfo, TokenScope};
pub use user::{Me, UserSummary};
pub use vm::{VmCommand, VmDetail, VmInstance, VmQuery, VmRow};
pub use workload::{
    ActionReply, BatchItem, BatchStatus, Condition, ContainerSpec, ContainerState, EventRow,
    Health, LogOptions, ObjectRef, PodDetail, PodRow, RevisionRow, RolloutStatus, WorkloadDetail,
    WorkloadRow,
};
