//! Bosun's server-side domain, free of any web framework: accounts and roles, API tokens,
//! login throttling, sessions, the audit log and the one error type every layer maps to
//! an HTTP status.
//!
//! The server binary and the Leptos server functions both call into this crate, so a rule
//! (who may do what, how a login is checked) is written once.
#![forbid(unsafe_code)]

pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod context;
pub mod db;
pub mod error;
pub mod password;
pub mod session;
pub mod throttle;
pub mod tokens;
pub mod users;

pub use auth::Caller;
pub use bosun_model::{ErrorCode, Role};
pub use context::Context;
pub use error::{Error, Result};
