//! Types that cross the wire between the Bosun server and the browser.
//!
//! This crate compiles for both the server and wasm32, so it holds plain data only:
//! no database, no Kubernetes client, no I/O.
#![forbid(unsafe_code)]

mod cluster;
mod error_code;
mod node;
mod role;
mod user;

pub use cluster::{ClusterHealth, ClusterSummary, NodeCounts};
pub use error_code::ErrorCode;
pub use node::NodeRow;
pub use role::{ParseRoleError, Role};
pub use user::{AuditEntry, Me, UserSummary};
