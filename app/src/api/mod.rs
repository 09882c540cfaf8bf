//! Server functions, one file per domain. Each starts with the one-line role check from
//! [`ssr::authorize`], then makes one domain call and, for changes, one audit call.

pub mod audit;
pub mod auth;
pub mod clusters;
pub mod nodes;
pub mod users;

#[cfg(feature = "ssr")]
pub mod ssr;

pub use audit::RecentAudit;
pub use auth::{CurrentUser, Login, Logout};
pub use users::{CreateUser, ListUsers, SetUserDisabled, SetUserRole};
