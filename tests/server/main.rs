//! Integration tests of the `bosun` server, linked into one test binary (one link of the
//! whole server instead of one per file): real HTTP, real SQLite, the real binary.

mod common;

mod auth;
mod authz_matrix;
mod bad_input;
mod cli;
mod clusters;
mod pages;
