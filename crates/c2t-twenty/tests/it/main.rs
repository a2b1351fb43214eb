//! Integration tests of c2t-twenty against twenty-sandbox, in both profiles.

mod common;
mod metadata;
mod recorded;
mod records;
mod resilience;
