//! Request middleware, outermost first: trace id and request log, Origin check,
//! authentication, and the sign-in redirect for pages.

pub mod authenticate;
pub mod origin;
pub mod page_guard;
pub mod trace;
