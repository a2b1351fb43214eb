//! The store's domain types: runs, records, batches, rejects and counts.
//!
//! Plain data with `serde::Serialize` (for `state export --json`). Statuses are enums whose
//! `as_str` spelling is what the state file stores.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;

macro_rules! status_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every status, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The spelling stored in the state file (and used in JSON).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownStatus;
            fn from_str(s: &str) -> Result<Self, UnknownStatus> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownStatus(s.to_owned())),
                }
            }
        }
    };
}

/// A status string that is not one of the known spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status {0:?}")]
pub struct UnknownStatus(pub String);

status_enum! {
    /// The status of a run.
    pub enum RunStatus {
        /// Started and not finished (or interrupted: a crash leaves it `running`).
        Running => "running",
        /// Finished.
        Done => "done",
        /// Stopped by an error.
        Failed => "failed",
        /// Stopped by the user (Ctrl-C) between two batches: everything it sent is confirmed
        /// or refused, nothing is in doubt.
        Interrupted => "interrupted",
        /// Its writes were undone.
        RolledBack => "rolled_back",
    }
}

status_enum! {
    /// The status of one record (one `(object, source_key)`).
    pub enum RecordStatus {
        /// Known, not yet sent. (Reserved: no method of this version sets it.)
        Planned => "planned",
        /// In a batch being sent, or in a batch whose outcome is unknown (crash): in doubt.
        Sent => "sent",
        /// Twenty confirmed the write of the payload whose hash is `payload_hash`.
        Confirmed => "confirmed",
        /// Rejected (by Twenty or by a validation) or part of a failed batch; see `last_error`.
        Rejected => "rejected",
    }
}

status_enum! {
    /// The status of one batch.
    pub enum BatchStatus {
        /// Being sent, or left by a crash: its outcome is unknown.
        Sending => "sending",
        /// Twenty confirmed it.
        Confirmed => "confirmed",
        /// It failed; its records are `rejected` with the error.
        Failed => "failed",
    }
}

/// One import run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    /// Run id, increasing.
    pub id: i64,
    /// RFC 3339 UTC timestamp.
    pub started_at: String,
    /// RFC 3339 UTC timestamp; `None` while running (or after a crash).
    pub finished_at: Option<String>,
    /// Status.
    pub status: RunStatus,
    /// The version of crm2twenty that ran it.
    pub tool_version: String,
    /// The Twenty workspace URL (never the API key).
    pub workspace_url: String,
    /// The hash of the mapping used.
    pub mapping_hash: String,
}

/// What the store knows about one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordState {
    /// Twenty object name (singular).
    pub object: String,
    /// The record's key in the source export.
    pub source_key: String,
    /// The record's id in Twenty; `None` if it was only ever rejected.
    pub twenty_id: Option<String>,
    /// Hash of the last payload Twenty *confirmed* (see [`crate::payload_hash`]); `None` if none
    /// was ever confirmed. A payload in flight is not recorded here.
    pub payload_hash: Option<String>,
    /// The last run that wrote it (confirmed a write); `None` if never confirmed.
    pub run_id: Option<i64>,
    /// The first run that wrote it (confirmed a write); `None` if never confirmed.
    pub first_run_id: Option<i64>,
    /// The last run that touched it (sent, confirmed, rejected or failed it). [`crate::Store::counts`]
    /// for a run counts the records whose `last_run_id` is that run.
    pub last_run_id: Option<i64>,
    /// The last batch that carried it, while that batch decides its status; `None` after a
    /// reject.
    pub batch_id: Option<i64>,
    /// Status.
    pub status: RecordStatus,
    /// The last error (reject message or batch failure), cleared when it is sent again.
    pub last_error: Option<String>,
    /// Whether the record already existed in the workspace when we first sent it, i.e. we
    /// updated it rather than created it. `false` if it was never sent.
    pub existed_before: bool,
    /// The values it had in the workspace before our first update, for rollback.
    pub previous: Option<Value>,
    /// RFC 3339 UTC timestamp of the last change.
    pub updated_at: String,
}

/// One record of a batch, as given to [`crate::Store::batch_sending`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchItem {
    /// The record's key in the source export.
    pub source_key: String,
    /// The record's id in Twenty (deterministic, or the id of the existing record it updates).
    pub twenty_id: String,
    /// [`crate::payload_hash`] of the payload being sent.
    pub payload_hash: String,
    /// Whether the record already exists in the workspace (this write is an update). Only the
    /// first send of a record is kept (see [`RecordState::existed_before`]).
    pub existed_before: bool,
    /// The values the existing record has before this write, for rollback. Only the first send
    /// of a record is kept.
    pub previous: Option<Value>,
}

/// One batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchRow {
    /// Batch id, increasing.
    pub id: i64,
    /// The run that (last) sent it.
    pub run_id: i64,
    /// Twenty object name.
    pub object: String,
    /// Status.
    pub status: BatchStatus,
    /// Number of items.
    pub size: u64,
    /// 1 for the first send, +1 for each [`crate::Store::batch_retry`].
    pub attempt: u32,
    /// RFC 3339 UTC timestamp of the (last) send.
    pub started_at: String,
    /// RFC 3339 UTC timestamp of the outcome.
    pub finished_at: Option<String>,
    /// HTTP status of the confirming response.
    pub http_status: Option<u16>,
    /// The failure message of a failed batch.
    pub error: Option<String>,
}

/// One rejected source row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    /// The run.
    pub run_id: i64,
    /// Twenty object name.
    pub object: String,
    /// The record's key in the source export (may be empty if the row had none).
    pub source_key: String,
    /// The source file.
    pub file: String,
    /// The line in the source file (1-based).
    pub line: u64,
    /// Why.
    pub message: String,
}

/// Record counts of one object, by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Confirmed records.
    pub confirmed: u64,
    /// Rejected records (including records of failed batches).
    pub rejected: u64,
    /// Records in doubt: in a batch being sent or left by a crash.
    pub sent: u64,
}
