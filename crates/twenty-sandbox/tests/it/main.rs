//! Integration tests of twenty-sandbox: one binary, several modules.
//!
//! - `contract`: replays every recorded request of `shared/twenty-live*/` against the sandbox in
//!   the matching profile and compares status, answer shape and error messages.
//! - `api`: black-box HTTP tests of the routes and errors.
//! - `ops`: rate limits, faults, stats, persistence, the binary and `dump`.

mod api;
mod common;
mod contract;
mod ops;
