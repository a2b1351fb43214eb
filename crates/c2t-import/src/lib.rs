//! The API route of crm2twenty: from the pipeline's prepared records (cleaned, merged, linked)
//! into a live Twenty workspace.
//!
//! - [`check`] compares the workspace (its objects, fields, select options and members, read
//!   through the metadata API) with what the import will write, and lists what is missing; its
//!   `apply` creates the missing custom objects, fields (including the unique `sourceRecordId`
//!   field every later run matches records by) and select options.
//! - [`automations`] lists the workspace's active workflows and webhooks, which the import's
//!   writes can set off: `check` warns about them and says how to pause them.
//! - [`load`] writes the records in dependency order — companies, people, opportunities, custom
//!   objects, notes, tasks, then their targets — in batches through the client, recording every
//!   batch in the state store before and after it is sent. Ids are chosen here (UUID v5 of the
//!   source record, or the id of the record already in the workspace), so a batch re-sent after a
//!   crash or a lost answer upserts the same rows: nothing is imported twice.
//!
//! This crate holds the logic of the import; it knows no CSV (the pipeline read the files) and no
//! HTTP (the client speaks it).

pub mod automations;
pub mod check;
pub mod load;
pub mod payload;
pub mod rollback;
pub mod validate;
pub mod verify;
pub mod workspace;

pub use check::{Plan, check};
pub use load::{Event, ImportOptions, Summary, import};
pub use workspace::Workspace;
