//! Request middleware, outermost first: trace id and request log, the panic catcher,
//! security headers, body limits, Origin and Host checks, authentication, the sign-in
//! redirect for pages, and server-function error statuses.

pub mod authenticate;
pub mod client_addr;
pub mod headers;
pub mod limits;
pub mod origin;
pub mod page_guard;
pub mod rpc_status;
pub mod trace;
