//! c2t-twenty: the Twenty CRM API client of crm2twenty.
//!
//! It speaks JSON records (`serde_json::Value`) and knows nothing of CSV, mappings or the
//! pipeline. Synchronous (ureq 3, `http_status_as_error(false)` so Twenty's error bodies are
//! read), `Send + Sync`, paced and retried:
//!
//! - **Pacing**: every request (retries included) goes through one token bucket per client,
//!   `requests_per_minute` (default 100, Twenty's per-workspace budget) with a small burst,
//!   shared by all threads; reads of the metadata API, which Twenty does not charge, do not wait.
//! - **Retries** (own loop, `max_retries`, exponential back-off with seeded jitter):
//!   429 → everybody waits `max(Retry-After, back-off)`; 5xx, 408, timeouts, resets and
//!   connections closed without an answer → back-off and replay. A 4xx is never retried.
//!   Replaying is only safe for idempotent writes: **records sent through
//!   [`Client::batch_create`] / [`Client::graphql_create_many`] must carry client-chosen ids
//!   and be upserts** (crm2twenty's writes are designed that way).
//! - **Errors**: Twenty's 1.5, 2.x, metadata-validation and GraphQL error bodies are parsed into
//!   [`ApiError`]; the API key never appears in errors or `Debug` output.
//! - **Versions**: [`detect`] learns REST-upsert support, the batch cap and the note/task target
//!   style from the server; metadata is parsed from both the 1.5 and the 2.x shapes.

mod client;
mod detect;
mod error;
mod key;
mod meta;
pub mod pacing;

pub use client::{
    BATCH_MAX, Client, ClientConfig, ClientStats, LIST_ALL_PAGE, MASS_MUTATION_MAX, MassOp, Member,
    Page, RequestLog, UploadSource, UploadedFile, Webhook, encoded_len,
};
pub use detect::{
    Capabilities, PROBE_BATCH, TargetStyle, detect, detect_with, targets_from_metadata,
};
pub use error::ApiError;
pub use key::ApiKey;
pub use meta::{
    FieldMeta, NewField, OPTION_COLORS, ObjectMeta, OptionMeta, option_value, parse_objects,
};
