//! crm2twenty's import state store: one SQLite file that remembers what was sent to Twenty.
//!
//! It records **runs** (who, when, against which workspace and mapping), **records** (per
//! `(object, source_key)`: the Twenty id, the hash of the last confirmed payload, the status, and
//! what a rollback needs), **batches** (the write intent before sending, the outcome after) and
//! **rejects** (source rows that did not make it, with file and line).
//!
//! That gives the importer:
//! - *delta*: [`Store::is_current`] skips records whose payload is unchanged since Twenty
//!   confirmed it (see [`payload_hash`]);
//! - *resume after a crash*: [`Store::batch_sending`] is committed before a batch is sent, so a
//!   batch whose outcome is unknown is listed by [`Store::pending_batches`] and re-sent (IDs are
//!   deterministic, so the re-send upserts);
//! - *rollback*: [`Store::written_by`] lists a run's writes with `existed_before` and `previous`;
//! - *reports*: [`Store::counts`], [`Store::rejects`], [`Store::runs`].
//!
//! Durability: WAL with `synchronous=FULL`; every multi-row change is one transaction, so a crash
//! leaves the old or the new state, never half.
//!
//! What it must **not** know: HTTP, CSV, the mapping's contents, and the API key. Nothing here
//! takes the key, and a workspace URL is stored without any `user:password@` part. No SQL leaves
//! the crate: callers see domain types and [`StateError`] only.
//!
//! ```
//! use c2t_state::{BatchItem, RunStatus, Store, payload_hash};
//! use serde_json::json;
//!
//! let mut store = Store::open_in_memory()?;
//! let run = store.begin_run("https://crm.example.com", "mapping-hash")?;
//! let payload = json!({"name": "Acme"});
//! let hash = payload_hash(&payload);
//! assert!(!store.is_current("company", "A-1", &hash)?);
//!
//! let batch = store.batch_sending(run, "company", &[BatchItem {
//!     source_key: "A-1".into(),
//!     twenty_id: "1b4e28ba-2fa1-11d2-883f-0016d3cca427".into(),
//!     payload_hash: hash.clone(),
//!     existed_before: false,
//!     previous: None,
//! }])?;
//! // ... send the batch to Twenty ...
//! store.batch_confirmed(batch, 201)?;
//! assert!(store.is_current("company", "A-1", &hash)?);
//! store.finish_run(run, RunStatus::Done)?;
//! # Ok::<(), c2t_state::StateError>(())
//! ```

mod error;
mod hash;
mod model;
mod schema;
mod store;
mod undo;

pub use error::{Cause, StateError};
pub use hash::payload_hash;
pub use model::{
    BatchItem, BatchRow, BatchStatus, Counts, RecordState, RecordStatus, Reject, Run, RunStatus,
    UnknownStatus,
};
pub use store::{Store, TOOL_VERSION};
pub use undo::{RunWrite, UndoAction, WorkspaceChange};
