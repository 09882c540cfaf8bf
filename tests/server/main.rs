//! Integration tests of the `bosun` server, linked into one test binary (one link of the
//! whole server instead of one per file): real HTTP, real SQLite, the real binary, and
//! the demo cluster reached through kube-rs.

mod common;

mod actions;
mod auth;
mod authz_matrix;
mod bad_input;
mod batch;
mod cli;
mod cluster_errors;
mod clusters;
mod compat;
mod custom;
mod events;
mod hardening;
mod metrics;
mod nodes;
mod pages;
mod pins;
mod resources;
mod rollouts;
mod templates;
mod vms;
mod workloads;
