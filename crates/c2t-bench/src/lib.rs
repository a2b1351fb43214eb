//! Synthetic Salesforce exports of any size, and the pieces of the `c2t-bench` harness.
//!
//! `c2t-gen` writes an export; `c2t-bench` generates exports and times the release `crm2twenty`
//! binary (and optionally a pandas script) on them. See README.md.

pub mod csvw;
pub mod rng;
pub mod synth;
pub mod words;

pub use synth::{Config, Stats, generate};
