//! Integration tests of twenty-sandbox: one binary, several modules.
//!
//! - `contract`: replays every recorded request of `shared/twenty-live*/` against the sandbox in
//!   the matching profile and compares status, answer shape and error messages.
//! - `december`: replays `shared/twenty-live*/2026-12/` (single exchanges, the throttle, and the
//!   gzip proxy recordings of whole crm2twenty runs against a real 2.19).
//! - `api`: black-box HTTP tests of the routes and errors.
//! - `ops`: rate limits, faults, stats, persistence, the binary and `dump`.
//! - `uploads`: file uploads, FILES values, downloads and deletes on both lines
//!   (`docs/evidence/twenty-attachments.md`).

mod api;
mod common;
mod contract;
mod december;
mod ops;
mod uploads;
