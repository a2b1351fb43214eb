//! twenty-sandbox: a small, faithful Twenty-compatible HTTP server.
//!
//! Used by crm2twenty's integration tests, benchmarks and users' rehearsals. It imitates the REST
//! (and a sliver of the GraphQL and metadata) API of Twenty 1.5 or 2.x, as recorded from live
//! servers in `shared/twenty-live*/`: answer shapes, error bodies, unique keys, upsert, soft
//! delete, batch caps, rate limits; plus fault injection to rehearse a client's error handling.
//!
//! ```no_run
//! let mut config = twenty_sandbox::Config::for_tests("secret");
//! config.profile = twenty_sandbox::ProfileKind::Twenty2;
//! let sandbox = twenty_sandbox::spawn(config).unwrap();
//! println!("{}", sandbox.base_url()); // http://127.0.0.1:PORT
//! // … drive it with any HTTP client; dropping `sandbox` stops it.
//! ```
//!
//! Modules: [`schema`] (objects and fields, seeded from `schema/*.json`), [`profile`] (version
//! differences), [`validate`], [`filter`], [`workspace`] (record semantics), [`store`] (SQLite),
//! [`metadata`], [`webhooks`], [`graphql`], [`routes`], [`limits`], [`faults`], [`server`];
//! file uploads: [`multipart`] (the upload middleware), [`files`] (storage, FILES fields,
//! downloads), [`sniff`] (what the bytes are), [`token`] (signed file URLs), with [`sha256`] and
//! [`node_inspect`] as helpers.
//!
//! Tests inspect uploads with [`SandboxHandle::uploads`] and [`SandboxHandle::upload_requests`]
//! (or `GET /sandbox/files` and `GET /sandbox/stats`).

pub mod errors;
pub mod faults;
pub mod files;
pub mod filter;
pub mod graphql;
pub mod limits;
pub mod metadata;
pub mod multipart;
pub mod node_inspect;
pub mod profile;
pub mod routes;
pub mod schema;
pub mod server;
pub mod sha256;
pub mod sniff;
pub mod store;
pub mod token;
pub mod validate;
pub mod webhooks;
pub mod workspace;

pub use faults::{Fault, FaultSpec};
pub use files::StoredFile;
pub use limits::{Rate, parse_rate};
pub use profile::ProfileKind;
pub use server::{Config, SandboxHandle, dump, run, spawn};
