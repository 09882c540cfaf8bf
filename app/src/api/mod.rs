//! Server functions, one file per domain. Each is a thin adapter: it builds the request's
//! invocation and makes one domain call, which authorizes (and, for changes, audits).

pub mod actions;
pub mod audit;
pub mod auth;
pub mod clusters;
pub mod nodes;
pub mod pins;
pub mod pods;
pub mod rollouts;
pub mod users;
pub mod vms;
pub mod workloads;

#[cfg(feature = "ssr")]
pub mod ssr;

pub use auth::{CurrentUser, Login, Logout};
pub use users::{CreateUser, ListUsers, SetUserDisabled, SetUserRole};
