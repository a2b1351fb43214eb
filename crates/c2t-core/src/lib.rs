//! The vocabulary every crm2twenty crate shares, and nothing else: Twenty's schema as the tool
//! knows it ([`schema`]), the mapping file a person edits ([`mapping`]), the presets that describe
//! known CRMs' exports ([`preset`]), the row-level issues the cleaners raise ([`issue`]) and the
//! ledger that accounts for every input row ([`ledger`]).
//!
//! This crate does no I/O beyond parsing the text handed to it: no files, no HTTP, no CSV.

pub mod issue;
pub mod ledger;
pub mod mapping;
pub mod preset;
pub mod schema;

pub use issue::{Issue, IssueCode};
pub use ledger::{Ledger, Merged, Outcome};
pub use mapping::{ColumnMapping, FileMapping, Mapping, RefKey, RowFilter, Settings, Transform};
pub use preset::Preset;
pub use schema::{FieldDef, FieldType, ObjectDef, Schema};
