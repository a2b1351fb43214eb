//! The local pipeline of crm2twenty, from export files to Twenty-ready data:
//!
//! ```text
//! detect → propose mapping → read (c2t-ingest) → transform (c2t-normalize) → rules (test data)
//!        → de-duplicate → link → rules (stale) → audit / ledger → Twenty-ready CSVs
//! ```
//!
//! It knows nothing of HTTP: the API import consumes the same [`Prepared`] records.
//!
//! It uses two cores: rows are read on one thread and cleaned on two ([`job`]), and the other
//! phases split their loops in two ([`par`]). Results always go back in input order, so the
//! output never depends on thread timing. `C2T_TIMINGS=1` prints each phase's time ([`timing`]).

pub mod attach;
pub mod audit;
pub mod dedupe;
pub mod derive;
pub mod detect;
pub mod export;
pub mod filled;
pub mod html;
pub mod job;
pub mod link;
pub mod members;
pub mod par;
pub mod presets;
pub mod propose;
pub mod record;
pub mod render;
pub mod review;
pub mod store;
pub mod timing;
pub mod transform;
pub mod words;

pub use job::{Prepared, prepare};
