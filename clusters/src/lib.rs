//! Bosun's side of talking to Kubernetes: the cluster client manager (per cluster a
//! short-timeout action client, a watch client and a reflector cache per served kind),
//! background health and discovery, lists served from the caches, and the actions
//! themselves, byte for byte as kubectl and kubectl-kruise send them.
//!
//! Real clusters and the built-in demo cluster go through exactly this code: the demo
//! cluster is just another kubeconfig. Nothing here is reachable except through the
//! domain's [`bosun_core::ClusterBackend`] trait, which authorizes and audits first.
#![forbid(unsafe_code)]

mod access;
mod apply;
mod cache;
mod certificate;
mod cluster;
mod config;
mod counts;
mod custom;
mod discovery;
mod error;
mod events;
mod history;
mod json;
mod logs;
mod manager;
mod metrics;
mod ops;
use bosun_model::quantity;
mod query;
mod raw;
mod resources;
mod rows;
mod schema;
mod selector;
mod status;
mod usage;

pub use config::ACTION_DEADLINE;
pub use manager::ClusterManager;
pub use raw::FIELD_MANAGER;
