//! Bosun's side of talking to Kubernetes: one kube-rs client per cluster, watch caches
//! that lists are served from, and cluster health.
//!
//! Real clusters and the built-in demo cluster go through exactly this code: the demo
//! cluster is just another kubeconfig.
#![forbid(unsafe_code)]

pub mod cache;
pub mod error;
pub mod nodes;
pub mod registry;
pub mod summary;

pub use error::{Error, Result};
pub use registry::{Cluster, ClusterRegistry};
