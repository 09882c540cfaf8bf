//! Request middleware, outermost first: trace id and request log, Origin check,
//! authentication, the sign-in redirect for pages, and server-function error statuses.

pub mod authenticate;
pub mod origin;
pub mod page_guard;
pub mod rpc_status;
pub mod trace;
