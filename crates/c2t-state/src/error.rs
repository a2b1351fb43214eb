//! [`StateError`]: every failure of the state store, naming the state file and the operation.
//!
//! SQLite's result codes are classified here, once, so callers can match on *kinds* (disk full,
//! read-only, cannot open, busy, …) without knowing SQLite. The underlying cause is kept as an
//! opaque [`std::error::Error`] source, so no `rusqlite` type leaks out of the crate.

use std::fmt;
use std::path::{Path, PathBuf};

use rusqlite::ffi::ErrorCode;

/// The boxed, opaque cause of a [`StateError`] (a SQLite or JSON error).
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error of the state store.
///
/// Every variant carries the state file's `path` (`:memory:` for an in-memory store) and, where
/// an operation failed, `op`: a short human phrase such as `"marking a batch as sent"`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// `SQLITE_FULL`: the disk (or the file system quota) is full.
    #[error("the state file {} cannot be written: disk full (while {op})", path.display())]
    DiskFull {
        /// The state file.
        path: PathBuf,
        /// What the store was doing.
        op: &'static str,
        /// The SQLite error.
        #[source]
        source: Cause,
    },
    /// `SQLITE_READONLY`: the file, its directory or the connection is read-only.
    #[error(
        "the state file {} cannot be written: it is read-only (while {op}); \
         check the permissions of the file and of its directory",
        path.display()
    )]
    ReadOnly {
        /// The state file.
        path: PathBuf,
        /// What the store was doing.
        op: &'static str,
        /// The SQLite error, if the check was SQLite's.
        #[source]
        source: Option<Cause>,
    },
    /// `SQLITE_CANTOPEN`: the file cannot be opened or created.
    #[error("the state file {} cannot be opened (while {op}): {reason}", path.display())]
    CannotOpen {
        /// The state file.
        path: PathBuf,
        /// What the store was doing.
        op: &'static str,
        /// A human explanation: "it is a directory", "directory … does not exist", or SQLite's text.
        reason: String,
        /// The SQLite error.
        #[source]
        source: Cause,
    },
    /// `SQLITE_BUSY` / `SQLITE_LOCKED` after the busy timeout: another process holds the file.
    #[error(
        "the state file {} is busy (while {op}): another crm2twenty process is probably using it",
        path.display()
    )]
    Busy {
        /// The state file.
        path: PathBuf,
        /// What the store was doing.
        op: &'static str,
        /// The SQLite error.
        #[source]
        source: Cause,
    },
    /// The file exists but is not a crm2twenty state file (`SQLITE_NOTADB`, or a foreign
    /// SQLite database).
    #[error("{} is not a crm2twenty state file ({detail})", path.display())]
    NotAStateFile {
        /// The file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// The file's schema is newer than this build understands.
    #[error(
        "the state file {} was written by a newer crm2twenty (schema version {found}, \
         this build knows up to {supported}); upgrade crm2twenty",
        path.display()
    )]
    TooNew {
        /// The state file.
        path: PathBuf,
        /// The file's `user_version`.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// The file's schema is older than this build, and it was opened read-only, so it cannot be
    /// migrated.
    #[error(
        "the state file {} has schema version {found} but this build needs {supported}; \
         open it once read-write to migrate it",
        path.display()
    )]
    NeedsMigration {
        /// The state file.
        path: PathBuf,
        /// The file's `user_version`.
        found: i64,
        /// The schema version this build needs.
        supported: i64,
    },
    /// A run id that the store does not know.
    #[error("the state file {} has no run {run} (while {op})", path.display())]
    UnknownRun {
        /// The state file.
        path: PathBuf,
        /// What the store was doing.
        op: &'static str,
        /// The run id.
        run: i64,
    },
    /// A batch id that the store does not know.
    #[error("the state file {} has no batch {batch} (while {op})", path.display())]
    UnknownBatch {
        /// The state file.
        path: PathBuf,
        /// What the store was doing.
        op: &'static str,
        /// The batch id.
        batch: i64,
    },
    /// A batch status change that makes no sense (e.g. failing a confirmed batch). A caller bug.
    #[error(
        "the state file {}: batch {batch} is {from} and cannot become {to} (while {op})",
        path.display()
    )]
    InvalidTransition {
        /// The state file.
        path: PathBuf,
        /// What the store was doing.
        op: &'static str,
        /// The batch id.
        batch: i64,
        /// Its current status.
        from: String,
        /// The requested status.
        to: String,
    },
    /// Any other SQLite failure, or a stored value that cannot be read back.
    #[error("the state file {}: {op} failed", path.display())]
    Other {
        /// The state file.
        path: PathBuf,
        /// What the store was doing.
        op: &'static str,
        /// The cause.
        #[source]
        source: Cause,
    },
}

impl StateError {
    /// The state file this error is about.
    pub fn path(&self) -> &Path {
        match self {
            StateError::DiskFull { path, .. }
            | StateError::ReadOnly { path, .. }
            | StateError::CannotOpen { path, .. }
            | StateError::Busy { path, .. }
            | StateError::NotAStateFile { path, .. }
            | StateError::TooNew { path, .. }
            | StateError::NeedsMigration { path, .. }
            | StateError::UnknownRun { path, .. }
            | StateError::UnknownBatch { path, .. }
            | StateError::InvalidTransition { path, .. }
            | StateError::Other { path, .. } => path,
        }
    }

    /// Classifies a SQLite error.
    pub(crate) fn from_sqlite(path: &Path, op: &'static str, err: rusqlite::Error) -> StateError {
        let path = path.to_path_buf();
        match err.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StateError::DiskFull {
                path,
                op,
                source: Box::new(err),
            },
            Some(ErrorCode::ReadOnly) => StateError::ReadOnly {
                path,
                op,
                source: Some(Box::new(err)),
            },
            Some(ErrorCode::CannotOpen) => {
                let reason = cannot_open_reason(&path, &err);
                StateError::CannotOpen {
                    path,
                    op,
                    reason,
                    source: Box::new(err),
                }
            }
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StateError::Busy {
                path,
                op,
                source: Box::new(err),
            },
            Some(ErrorCode::NotADatabase) => StateError::NotAStateFile {
                path,
                detail: "the file is not a SQLite database".to_owned(),
            },
            _ => StateError::Other {
                path,
                op,
                source: Box::new(err),
            },
        }
    }
}

/// Explains `SQLITE_CANTOPEN` in user terms, by looking at the path.
fn cannot_open_reason(path: &Path, err: &rusqlite::Error) -> String {
    if path.is_dir() {
        return "it is a directory, not a file".to_owned();
    }
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
            format!("the directory {} does not exist", dir.display())
        }
        dir if !dir_is_writable(dir.filter(|d| !d.as_os_str().is_empty())) => format!(
            "its directory {} is read-only (the state file and its -wal and -shm companions \
             are written there); make it writable or choose another state file",
            dir.filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .display()
        ),
        _ => match err {
            rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
            other => other.to_string(),
        },
    }
}

/// Whether a file can be created in `dir` (the current directory for `None`). Asks the file
/// system itself, with a probe file removed at once, so permissions, ACLs, read-only mounts and
/// privileges all count. Only called to explain an error.
fn dir_is_writable(dir: Option<&Path>) -> bool {
    let dir = dir.unwrap_or(Path::new("."));
    let probe = dir.join(format!(".crm2twenty-write-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(e) => e.kind() == std::io::ErrorKind::AlreadyExists,
    }
}

/// Attaches the path and the operation to a fallible SQLite call.
pub(crate) trait Ctx<T> {
    fn ctx(self, path: &Path, op: &'static str) -> Result<T, StateError>;
}

impl<T> Ctx<T> for rusqlite::Result<T> {
    fn ctx(self, path: &Path, op: &'static str) -> Result<T, StateError> {
        self.map_err(|e| StateError::from_sqlite(path, op, e))
    }
}

/// A stored value that does not parse (an unknown status, invalid JSON): the file was edited by
/// hand or is damaged.
#[derive(Debug)]
pub(crate) struct BadValue(pub String);

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unexpected stored value: {}", self.0)
    }
}

impl std::error::Error for BadValue {}
