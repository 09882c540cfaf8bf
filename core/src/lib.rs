//! Bosun's server-side domain, free of any web framework and of Kubernetes: accounts and
//! roles, authorization, the one audited action call, cluster records and their encrypted
//! credentials, workloads as seen through the [`backend::ClusterBackend`] trait, login
//! throttling, sessions, the audit log and the one error type every layer maps to an
//! HTTP status.
//!
//! The server binary's REST API, the Leptos server functions and the CLI all call into
//! this crate, so a rule (who may do what, what gets audited) is written once.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod actions;
pub mod apply;
pub mod audit;
pub mod auth;
pub mod authz;
pub mod backend;
pub mod bootstrap;
pub mod clusters;
pub mod context;
pub mod custom;
pub mod db;
pub mod error;
pub mod events;
pub mod labels;
pub mod live;
pub mod metrics;
pub mod nodes;
pub mod objects;
pub mod operations;
pub mod password;
pub mod pins;
pub mod registry_secret;
pub mod request;
pub mod resources;
pub mod rollouts;
pub mod secrets;
pub mod session;
pub mod tasks;
pub mod templates;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod vms;
pub mod workloads;

pub use auth::Caller;
pub use backend::{ClusterBackend, ClusterMetrics, Connection, Operation};
pub use bosun_model::{ErrorCode, Role};
pub use context::{Context, Limits};
pub use error::{Error, Result};
pub use request::{Invocation, RequestCaller};
