//! The `bosun` server binary as a library, so integration tests can start the real
//! server in-process on a loopback port and talk to it over HTTP.
#![forbid(unsafe_code)]

pub mod api;
pub mod bundle;
pub mod cli;
pub mod config;
#[cfg(feature = "demo-cluster")]
pub mod demo;
pub mod http;
pub mod logging;
pub mod server;
pub mod session_store;
