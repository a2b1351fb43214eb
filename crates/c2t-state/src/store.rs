//! [`Store`]: the state file, opened with durable settings and migrated, behind a domain API.
//!
//! Durability: `journal_mode=WAL`, `synchronous=FULL` (a committed transaction survives a power
//! loss), `foreign_keys=ON`, `busy_timeout=5000`. Every change that touches more than one row runs
//! in one `BEGIN IMMEDIATE` transaction, so a crash leaves either the old or the new state.
//!
//! The record life cycle:
//!
//! ```text
//!            batch_sending / batch_retry          batch_confirmed
//!  (none) ──────────────────────────────▶ sent ─────────────────▶ confirmed
//!                                          │  batch_failed
//!                                          └──────────────▶ rejected ◀── reject (any state)
//! ```
//!
//! A record follows *its latest batch*: confirming or failing an older batch that no longer
//! carries it leaves it alone. A reject detaches it from its batch.
//!
//! This module knows nothing of HTTP, CSV or the API key; no SQL leaves it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use rusqlite::types::Type;
use rusqlite::{
    Connection, MAIN_DB, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior,
    params,
};
use serde_json::Value;

use crate::error::{BadValue, Ctx, StateError};
use crate::model::{
    BatchItem, BatchRow, BatchStatus, Counts, RecordState, RecordStatus, Reject, Run, RunStatus,
};
use crate::schema;

/// The version written into `runs.tool_version`: this crate's version, which is the workspace's
/// (and so crm2twenty's) version.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// `PRAGMA busy_timeout`, in milliseconds.
const BUSY_TIMEOUT_MS: i64 = 5000;

/// Current time as RFC 3339 UTC with milliseconds, computed by SQLite.
const NOW_SQL: &str = "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

const RUN_COLS: &str =
    "id, started_at, finished_at, status, tool_version, workspace_url, mapping_hash";
const RECORD_COLS: &str = "object, source_key, twenty_id, payload_hash, run_id, first_run_id, \
     last_run_id, batch_id, status, last_error, existed_before, previous, updated_at";
const BATCH_COLS: &str =
    "id, run_id, object, status, size, attempt, started_at, finished_at, http_status, error";

/// Inserts or updates a record as `sent` in a batch. `existed_before` and `previous` are kept from
/// the first send (they describe the workspace *before our first write*).
const UPSERT_SENT: &str = "
INSERT INTO records (object, source_key, twenty_id, status, last_run_id, batch_id, last_error,
                     existed_before, previous, updated_at)
VALUES (?1, ?2, ?3, 'sent', ?4, ?5, NULL, ?6, ?7, ?8)
ON CONFLICT (object, source_key) DO UPDATE SET
    twenty_id      = excluded.twenty_id,
    status         = 'sent',
    last_run_id    = excluded.last_run_id,
    batch_id       = excluded.batch_id,
    last_error     = NULL,
    previous       = CASE WHEN records.existed_before IS NULL
                          THEN excluded.previous ELSE records.previous END,
    existed_before = COALESCE(records.existed_before, excluded.existed_before),
    updated_at     = excluded.updated_at";

/// The import state store. See the [crate docs](crate).
///
/// Not `Sync`: one thread (the coordinator) owns it.
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    fixed_now: Option<String>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens the state file at `path`, creating it if needed, sets the durability pragmas and
    /// migrates the schema to this build's version.
    ///
    /// Fails with [`StateError::CannotOpen`] (missing directory, path is a directory, …),
    /// [`StateError::ReadOnly`], [`StateError::NotAStateFile`] (not SQLite, or another
    /// application's database) or [`StateError::TooNew`].
    pub fn open(path: &Path) -> Result<Store, StateError> {
        const OP: &str = "opening";
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).ctx(path, OP)?;
        Store::init(conn, path.to_path_buf())
    }

    /// Opens an in-memory store (for tests and dry runs); it is gone when dropped. Its path is
    /// reported as `:memory:` and its journal mode is `memory`, not WAL.
    pub fn open_in_memory() -> Result<Store, StateError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().ctx(&path, "opening")?;
        Store::init(conn, path)
    }

    /// Opens an existing state file read-only (for `state show`, `state export`, reports).
    /// Reads work; every write fails with [`StateError::ReadOnly`]. The schema must be current.
    pub fn open_read_only(path: &Path) -> Result<Store, StateError> {
        const OP: &str = "opening read-only";
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).ctx(path, OP)?;
        conn.pragma_update(None, "busy_timeout", BUSY_TIMEOUT_MS)
            .ctx(path, OP)?;
        let (version, app_id, tables) = identity(&conn).ctx(path, OP)?;
        check_identity(path, version, app_id, tables)?;
        if version < schema::latest() {
            return Err(StateError::NeedsMigration {
                path: path.to_path_buf(),
                found: version,
                supported: schema::latest(),
            });
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            fixed_now: None,
        })
    }

    fn init(conn: Connection, path: PathBuf) -> Result<Store, StateError> {
        const OP: &str = "setting up the connection";
        let p = path.as_path();
        conn.pragma_update(None, "busy_timeout", BUSY_TIMEOUT_MS)
            .ctx(p, OP)?;
        if conn.is_readonly(MAIN_DB).ctx(p, OP)? {
            return Err(StateError::ReadOnly {
                path,
                op: "opening",
                source: None,
            });
        }
        conn.pragma_update(None, "foreign_keys", true).ctx(p, OP)?;
        conn.pragma_update(None, "synchronous", "FULL").ctx(p, OP)?;
        let mut store = Store {
            conn,
            path,
            fixed_now: None,
        };
        store.migrate()?;
        // After the migration, so a foreign database is refused before being converted.
        let mode: String = store
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .ctx(&store.path, "enabling the write-ahead log")?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            return Err(StateError::Other {
                path: store.path,
                op: "enabling the write-ahead log",
                source: Box::new(BadValue(format!(
                    "journal_mode is {mode:?}; the file system may not support WAL"
                ))),
            });
        }
        Ok(store)
    }

    /// Brings the schema to the newest version. Foreign keys are off meanwhile (a migration may
    /// rebuild a table, which SQLite documents doing so; the pragma cannot change inside a
    /// transaction) and checked before the commit.
    fn migrate(&mut self) -> Result<(), StateError> {
        const OP: &str = "migrating the schema";
        self.conn
            .pragma_update(None, "foreign_keys", false)
            .ctx(&self.path, OP)?;
        let done = self.migrate_keys_off();
        self.conn
            .pragma_update(None, "foreign_keys", true)
            .ctx(&self.path, OP)?;
        done
    }

    fn migrate_keys_off(&mut self) -> Result<(), StateError> {
        const OP: &str = "migrating the schema";
        let p = self.path.as_path();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .ctx(p, OP)?;
        let (version, app_id, tables) = identity(&tx).ctx(p, OP)?;
        check_identity(p, version, app_id, tables)?;
        if version == 0 {
            tx.pragma_update(None, "application_id", schema::APPLICATION_ID)
                .ctx(p, OP)?;
        }
        let from = usize::try_from(version).unwrap_or(0);
        for migration in &schema::MIGRATIONS[from..] {
            tx.execute_batch(migration).ctx(p, OP)?;
        }
        if version != schema::latest() {
            tx.pragma_update(None, "user_version", schema::latest())
                .ctx(p, OP)?;
            let broken: i64 = tx
                .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })
                .ctx(p, OP)?;
            if broken > 0 {
                return Err(StateError::Other {
                    path: self.path.clone(),
                    op: OP,
                    source: Box::new(BadValue(format!(
                        "{broken} references broken by the migration; the file is left as it was"
                    ))),
                });
            }
        }
        tx.commit().ctx(p, OP)
    }

    /// The state file's path (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fixes the clock used for every timestamp the store writes (hermetic tests, snapshot
    /// runs); `None` returns to the system clock. The value is stored verbatim, so give an
    /// RFC 3339 UTC timestamp.
    pub fn set_clock(&mut self, fixed_now: Option<String>) {
        self.fixed_now = fixed_now;
    }

    pub(crate) fn now(&self, op: &'static str) -> Result<String, StateError> {
        match &self.fixed_now {
            Some(now) => Ok(now.clone()),
            None => self
                .conn
                .query_row(NOW_SQL, [], |r| r.get(0))
                .ctx(&self.path, op),
        }
    }

    // ---------------------------------------------------------------------------------------
    // Runs

    /// Starts a run (status `running`) and returns its id.
    ///
    /// `workspace_url` is stored without any `user:password@` part, as a precaution: credentials
    /// never go into the state file.
    pub fn begin_run(
        &mut self,
        workspace_url: &str,
        mapping_hash: &str,
    ) -> Result<i64, StateError> {
        const OP: &str = "starting a run";
        let now = self.now(OP)?;
        self.conn
            .execute(
                "INSERT INTO runs (started_at, status, tool_version, workspace_url, mapping_hash)
                 VALUES (?1, 'running', ?2, ?3, ?4)",
                params![
                    now,
                    TOOL_VERSION,
                    strip_userinfo(workspace_url),
                    mapping_hash
                ],
            )
            .ctx(&self.path, OP)?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Sets a run's status. `finished_at` becomes now, or `None` for [`RunStatus::Running`]
    /// (a resumed run).
    pub fn finish_run(&mut self, run: i64, status: RunStatus) -> Result<(), StateError> {
        const OP: &str = "finishing a run";
        let now = self.now(OP)?;
        let finished = (status != RunStatus::Running).then_some(now);
        let changed = self
            .conn
            .execute(
                "UPDATE runs SET status = ?2, finished_at = ?3 WHERE id = ?1",
                params![run, status.as_str(), finished],
            )
            .ctx(&self.path, OP)?;
        if changed == 0 {
            return Err(self.unknown_run(OP, run));
        }
        Ok(())
    }

    /// The newest run, if any.
    pub fn last_run(&self) -> Result<Option<Run>, StateError> {
        const OP: &str = "reading the last run";
        self.conn
            .prepare_cached(&format!(
                "SELECT {RUN_COLS} FROM runs ORDER BY id DESC LIMIT 1"
            ))
            .and_then(|mut st| st.query_row([], run_from_row).optional())
            .ctx(&self.path, OP)
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<Run>, StateError> {
        const OP: &str = "reading the runs";
        self.conn
            .prepare_cached(&format!("SELECT {RUN_COLS} FROM runs ORDER BY id"))
            .and_then(|mut st| st.query_map([], run_from_row)?.collect())
            .ctx(&self.path, OP)
    }

    // ---------------------------------------------------------------------------------------
    // Records

    /// What the store knows about one record.
    pub fn record(
        &self,
        object: &str,
        source_key: &str,
    ) -> Result<Option<RecordState>, StateError> {
        const OP: &str = "reading a record";
        self.conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLS} FROM records WHERE object = ?1 AND source_key = ?2"
            ))
            .and_then(|mut st| {
                st.query_row(params![object, source_key], record_from_row)
                    .optional()
            })
            .ctx(&self.path, OP)
    }

    /// Is this payload already confirmed (same hash)? The delta logic: unchanged records are not
    /// sent again. `false` for unknown, in-doubt (`sent`) and rejected records.
    pub fn is_current(
        &self,
        object: &str,
        source_key: &str,
        payload_hash: &str,
    ) -> Result<bool, StateError> {
        const OP: &str = "checking whether a record is current";
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM records WHERE object = ?1 AND source_key = ?2
                                AND status = 'confirmed' AND payload_hash = ?3)",
            )
            .and_then(|mut st| {
                st.query_row(params![object, source_key, payload_hash], |r| r.get(0))
            })
            .ctx(&self.path, OP)
    }

    /// The records whose last confirmed write is by `run`, in insertion order (the order they
    /// first entered the store). For rollback: delete those with `existed_before == false`,
    /// restore `previous` for the others.
    ///
    /// Records in doubt (`sent`) are not included: resolve [`Store::pending_batches`] first.
    pub fn written_by(&self, run: i64) -> Result<Vec<RecordState>, StateError> {
        const OP: &str = "listing the records written by a run";
        self.conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLS} FROM records WHERE run_id = ?1 ORDER BY rowid"
            ))
            .and_then(|mut st| st.query_map([run], record_from_row)?.collect())
            .ctx(&self.path, OP)
    }

    /// Record counts per object, by status.
    ///
    /// - `None`: the current state of every record.
    /// - `Some(run)`: the records whose last event (sent, confirmed, rejected, failed) happened
    ///   in `run`, by their current status. Summing over all runs gives the `None` counts.
    ///
    /// Rows rejected without a source key are not records; see [`Store::rejects`].
    pub fn counts(&self, run: Option<i64>) -> Result<BTreeMap<String, Counts>, StateError> {
        const OP: &str = "counting records";
        let rows: Vec<(String, String, i64)> = self
            .conn
            .prepare_cached(
                "SELECT object, status, COUNT(*) FROM records
                 WHERE ?1 IS NULL OR last_run_id = ?1
                 GROUP BY object, status",
            )
            .and_then(|mut st| {
                st.query_map([run], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .ctx(&self.path, OP)?;
        let mut out: BTreeMap<String, Counts> = BTreeMap::new();
        for (object, status, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            let counts = out.entry(object).or_default();
            match status.parse::<RecordStatus>() {
                Ok(RecordStatus::Confirmed) => counts.confirmed += n,
                Ok(RecordStatus::Rejected) => counts.rejected += n,
                Ok(RecordStatus::Sent) => counts.sent += n,
                Ok(RecordStatus::Planned) => {}
                Err(e) => return Err(self.bad_value(OP, e.to_string())),
            }
        }
        Ok(out)
    }

    /// Forgets a record (after a rollback deleted or restored it): the next import treats it as
    /// new. Forgetting an unknown record is not an error. History (batches, rejects) is kept.
    pub fn forget(&mut self, object: &str, source_key: &str) -> Result<(), StateError> {
        const OP: &str = "forgetting a record";
        self.conn
            .execute(
                "DELETE FROM records WHERE object = ?1 AND source_key = ?2",
                params![object, source_key],
            )
            .ctx(&self.path, OP)?;
        self.upload_used(object, source_key)
    }

    // ---------------------------------------------------------------------------------------
    // Names

    /// Remembers what records are called (`(source key, name)` of `object`), for people.
    pub fn remember_names(
        &mut self,
        object: &str,
        names: &[(String, String)],
    ) -> Result<(), StateError> {
        const OP: &str = "recording the records' names";
        let tx = self.conn.transaction().ctx(&self.path, OP)?;
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO names (object, source_key, name) VALUES (?1, ?2, ?3)
                     ON CONFLICT (object, source_key) DO UPDATE SET name = excluded.name",
                )
                .ctx(&self.path, OP)?;
            for (key, name) in names.iter().filter(|(_, n)| !n.is_empty()) {
                st.execute(params![object, key, name]).ctx(&self.path, OP)?;
            }
        }
        tx.commit().ctx(&self.path, OP)
    }

    /// What the record of `object` with this source key is called, when it was said.
    pub fn name_of(&self, object: &str, source_key: &str) -> Result<Option<String>, StateError> {
        const OP: &str = "reading a record's name";
        self.conn
            .prepare_cached("SELECT name FROM names WHERE object = ?1 AND source_key = ?2")
            .and_then(|mut st| {
                st.query_row(params![object, source_key], |r| r.get(0))
                    .optional()
            })
            .ctx(&self.path, OP)
    }

    // ---------------------------------------------------------------------------------------
    // Uploads

    /// Records a file uploaded for an attachment record that is not written yet.
    pub fn upload_done(
        &mut self,
        run: i64,
        object: &str,
        source_key: &str,
        content_hash: &str,
        size: u64,
        uploaded: &serde_json::Value,
    ) -> Result<(), StateError> {
        const OP: &str = "recording an upload";
        let now = self.now(OP)?;
        self.conn
            .execute(
                "INSERT INTO uploads (object, source_key, content_hash, size, uploaded, run_id, uploaded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (object, source_key) DO UPDATE SET
                   content_hash = excluded.content_hash, size = excluded.size,
                   uploaded = excluded.uploaded, run_id = excluded.run_id,
                   uploaded_at = excluded.uploaded_at",
                params![
                    object,
                    source_key,
                    content_hash,
                    i64::try_from(size).unwrap_or(i64::MAX),
                    uploaded.to_string(),
                    run,
                    now
                ],
            )
            .ctx(&self.path, OP)?;
        Ok(())
    }

    /// The upload of these bytes for this record that a run left unused, if any.
    pub fn upload_of(
        &self,
        object: &str,
        source_key: &str,
        content_hash: &str,
    ) -> Result<Option<serde_json::Value>, StateError> {
        const OP: &str = "looking up an upload";
        let text: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT uploaded FROM uploads
                 WHERE object = ?1 AND source_key = ?2 AND content_hash = ?3",
            )
            .and_then(|mut st| {
                st.query_row(params![object, source_key, content_hash], |r| r.get(0))
                    .optional()
            })
            .ctx(&self.path, OP)?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Forgets the upload of a record (its record is written, or gone).
    pub fn upload_used(&mut self, object: &str, source_key: &str) -> Result<(), StateError> {
        const OP: &str = "forgetting an upload";
        self.conn
            .execute(
                "DELETE FROM uploads WHERE object = ?1 AND source_key = ?2",
                params![object, source_key],
            )
            .ctx(&self.path, OP)?;
        Ok(())
    }

    // ---------------------------------------------------------------------------------------
    // Batches

    /// Marks a batch as being sent, in one transaction: a new `sending` batch row, its items, and
    /// its records as `sent` with their Twenty ids. Returns the batch id.
    ///
    /// Call it *before* sending. If the process dies before [`Store::batch_confirmed`] or
    /// [`Store::batch_failed`], the batch shows up in [`Store::pending_batches`].
    pub fn batch_sending(
        &mut self,
        run: i64,
        object: &str,
        items: &[BatchItem],
    ) -> Result<i64, StateError> {
        const OP: &str = "marking a batch as sending";
        let now = self.now(OP)?;
        let size = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let p = self.path.as_path();
        let tx = immediate(&mut self.conn, p, OP)?;
        if !run_exists(&tx, run).ctx(p, OP)? {
            return Err(unknown_run(p, OP, run));
        }
        tx.execute(
            "INSERT INTO batches (run_id, object, status, size, attempt, started_at)
             VALUES (?1, ?2, 'sending', ?3, 1, ?4)",
            params![run, object, size, now],
        )
        .ctx(p, OP)?;
        let batch = tx.last_insert_rowid();
        {
            let mut insert_item = tx
                .prepare_cached(
                    "INSERT INTO batch_items (batch_id, pos, source_key, twenty_id, payload_hash,
                                              existed_before, previous)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .ctx(p, OP)?;
            for (pos, item) in items.iter().enumerate() {
                let previous = item.previous.as_ref().map(Value::to_string);
                insert_item
                    .execute(params![
                        batch,
                        i64::try_from(pos).unwrap_or(i64::MAX),
                        item.source_key,
                        item.twenty_id,
                        item.payload_hash,
                        item.existed_before,
                        previous,
                    ])
                    .ctx(p, OP)?;
            }
            mark_sent(&tx, run, object, batch, items, &now).ctx(p, OP)?;
        }
        tx.commit().ctx(p, OP)?;
        Ok(batch)
    }

    /// Marks a batch as confirmed, in one transaction: the batch `confirmed` with the HTTP status,
    /// and its records (those it still carries) `confirmed` with the payload hash it sent and
    /// `run_id` set to its run.
    ///
    /// Confirming a confirmed batch again does nothing; confirming a failed one is an error
    /// ([`StateError::InvalidTransition`]; retry it with [`Store::batch_retry`] first).
    pub fn batch_confirmed(&mut self, batch: i64, http_status: u16) -> Result<(), StateError> {
        const OP: &str = "marking a batch as confirmed";
        let now = self.now(OP)?;
        let p = self.path.as_path();
        let tx = immediate(&mut self.conn, p, OP)?;
        let (run, status) = batch_head(&tx, p, OP, batch)?;
        match status {
            BatchStatus::Confirmed => return Ok(()),
            BatchStatus::Failed => {
                return Err(invalid(p, OP, batch, status, BatchStatus::Confirmed));
            }
            BatchStatus::Sending => {}
        }
        tx.execute(
            "UPDATE batches SET status = 'confirmed', finished_at = ?2, http_status = ?3,
                                error = NULL
             WHERE id = ?1",
            params![batch, now, http_status],
        )
        .ctx(p, OP)?;
        tx.execute(
            "UPDATE records SET
                 status       = 'confirmed',
                 payload_hash = (SELECT bi.payload_hash FROM batch_items bi
                                 WHERE bi.batch_id = ?1 AND bi.source_key = records.source_key
                                 ORDER BY bi.pos DESC LIMIT 1),
                 run_id       = ?2,
                 first_run_id = COALESCE(first_run_id, ?2),
                 last_run_id  = ?2,
                 last_error   = NULL,
                 updated_at   = ?3
             WHERE batch_id = ?1",
            params![batch, run, now],
        )
        .ctx(p, OP)?;
        tx.commit().ctx(p, OP)
    }

    /// Marks a batch as failed, in one transaction: the batch `failed` with the error, and its
    /// records (those it still carries) `rejected` with the error as `last_error`. Their
    /// confirmed payload hash, if any, is kept (the workspace still holds that older write).
    ///
    /// Failing a failed batch again does nothing; failing a confirmed one is an error.
    pub fn batch_failed(&mut self, batch: i64, error: &str) -> Result<(), StateError> {
        const OP: &str = "marking a batch as failed";
        let now = self.now(OP)?;
        let p = self.path.as_path();
        let tx = immediate(&mut self.conn, p, OP)?;
        let (run, status) = batch_head(&tx, p, OP, batch)?;
        match status {
            BatchStatus::Failed => return Ok(()),
            BatchStatus::Confirmed => {
                return Err(invalid(p, OP, batch, status, BatchStatus::Failed));
            }
            BatchStatus::Sending => {}
        }
        tx.execute(
            "UPDATE batches SET status = 'failed', finished_at = ?2, error = ?3 WHERE id = ?1",
            params![batch, now, error],
        )
        .ctx(p, OP)?;
        tx.execute(
            "UPDATE records SET status = 'rejected', last_error = ?3, last_run_id = ?2,
                                updated_at = ?4
             WHERE batch_id = ?1",
            params![batch, run, error, now],
        )
        .ctx(p, OP)?;
        tx.commit().ctx(p, OP)
    }

    /// Starts another attempt of a `sending` (crash-left) or `failed` batch, in one transaction:
    /// the batch goes back to `sending` under `run` with `attempt + 1`, and its records to `sent`
    /// in it. Returns the new attempt number. Then re-send [`Store::batch_items`] and confirm or
    /// fail the same batch id.
    pub fn batch_retry(&mut self, batch: i64, run: i64) -> Result<u32, StateError> {
        const OP: &str = "retrying a batch";
        let now = self.now(OP)?;
        let p = self.path.as_path();
        let tx = immediate(&mut self.conn, p, OP)?;
        let (_, status) = batch_head(&tx, p, OP, batch)?;
        if status == BatchStatus::Confirmed {
            return Err(invalid(p, OP, batch, status, BatchStatus::Sending));
        }
        if !run_exists(&tx, run).ctx(p, OP)? {
            return Err(unknown_run(p, OP, run));
        }
        let (object, attempt): (String, i64) = tx
            .query_row(
                "UPDATE batches SET status = 'sending', attempt = attempt + 1, run_id = ?2,
                                    started_at = ?3, finished_at = NULL, http_status = NULL,
                                    error = NULL
                 WHERE id = ?1 RETURNING object, attempt",
                params![batch, run, now],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx(p, OP)?;
        let items = load_items(&tx, batch).ctx(p, OP)?;
        mark_sent(&tx, run, &object, batch, &items, &now).ctx(p, OP)?;
        tx.commit().ctx(p, OP)?;
        Ok(u32::try_from(attempt).unwrap_or(u32::MAX))
    }

    /// One batch.
    pub fn batch(&self, batch: i64) -> Result<Option<BatchRow>, StateError> {
        const OP: &str = "reading a batch";
        self.conn
            .prepare_cached(&format!("SELECT {BATCH_COLS} FROM batches WHERE id = ?1"))
            .and_then(|mut st| st.query_row([batch], batch_from_row).optional())
            .ctx(&self.path, OP)
    }

    /// What a batch carried, in order (to re-send a pending batch).
    pub fn batch_items(&self, batch: i64) -> Result<Vec<BatchItem>, StateError> {
        const OP: &str = "reading a batch's items";
        if self.batch(batch)?.is_none() {
            return Err(StateError::UnknownBatch {
                path: self.path.clone(),
                op: OP,
                batch,
            });
        }
        load_items(&self.conn, batch).ctx(&self.path, OP)
    }

    /// The batches still `sending`: left by a crash (or in flight). Their records are in doubt
    /// and must be re-sent; IDs are deterministic, so the re-send upserts. Oldest first.
    pub fn pending_batches(&self) -> Result<Vec<BatchRow>, StateError> {
        const OP: &str = "listing pending batches";
        self.conn
            .prepare_cached(&format!(
                "SELECT {BATCH_COLS} FROM batches WHERE status = 'sending' ORDER BY id"
            ))
            .and_then(|mut st| st.query_map([], batch_from_row)?.collect())
            .ctx(&self.path, OP)
    }

    // ---------------------------------------------------------------------------------------
    // Rejects

    /// Records a rejected source row, in one transaction: a `rejects` row, and (if `source_key`
    /// is not empty) the record becomes `rejected` with `message` as `last_error`, detached from
    /// its batch. A confirmed payload hash, if any, is kept.
    pub fn reject(
        &mut self,
        run: i64,
        object: &str,
        source_key: &str,
        file: &str,
        line: u64,
        message: &str,
    ) -> Result<(), StateError> {
        const OP: &str = "recording a reject";
        let now = self.now(OP)?;
        let p = self.path.as_path();
        let tx = immediate(&mut self.conn, p, OP)?;
        if !run_exists(&tx, run).ctx(p, OP)? {
            return Err(unknown_run(p, OP, run));
        }
        tx.execute(
            "INSERT INTO rejects (run_id, object, source_key, file, line, message)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                run,
                object,
                source_key,
                file,
                i64::try_from(line).unwrap_or(i64::MAX),
                message
            ],
        )
        .ctx(p, OP)?;
        if !source_key.is_empty() {
            tx.execute(
                "INSERT INTO records (object, source_key, status, last_run_id, last_error,
                                      updated_at)
                 VALUES (?1, ?2, 'rejected', ?3, ?4, ?5)
                 ON CONFLICT (object, source_key) DO UPDATE SET
                     status      = 'rejected',
                     last_run_id = excluded.last_run_id,
                     last_error  = excluded.last_error,
                     batch_id    = NULL,
                     updated_at  = excluded.updated_at",
                params![object, source_key, run, message, now],
            )
            .ctx(p, OP)?;
        }
        tx.commit().ctx(p, OP)
    }

    /// The rejected rows of one run (`Some`) or of all runs (`None`), in the order recorded.
    pub fn rejects(&self, run: Option<i64>) -> Result<Vec<Reject>, StateError> {
        const OP: &str = "listing rejects";
        self.conn
            .prepare_cached(
                "SELECT run_id, object, source_key, file, line, message FROM rejects
                 WHERE ?1 IS NULL OR run_id = ?1 ORDER BY id",
            )
            .and_then(|mut st| {
                st.query_map([run], |r| {
                    Ok(Reject {
                        run_id: r.get(0)?,
                        object: r.get(1)?,
                        source_key: r.get(2)?,
                        file: r.get(3)?,
                        line: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
                        message: r.get(5)?,
                    })
                })?
                .collect()
            })
            .ctx(&self.path, OP)
    }

    // ---------------------------------------------------------------------------------------

    fn unknown_run(&self, op: &'static str, run: i64) -> StateError {
        unknown_run(&self.path, op, run)
    }

    fn bad_value(&self, op: &'static str, detail: String) -> StateError {
        StateError::Other {
            path: self.path.clone(),
            op,
            source: Box::new(BadValue(detail)),
        }
    }

    #[cfg(test)]
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }
}

// -------------------------------------------------------------------------------------------
// Helpers on a connection or transaction.

/// `(user_version, application_id, number of tables)`.
fn identity(conn: &Connection) -> rusqlite::Result<(i64, i64, i64)> {
    let version = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let app_id = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let tables = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?;
    Ok((version, app_id, tables))
}

fn check_identity(path: &Path, version: i64, app_id: i64, tables: i64) -> Result<(), StateError> {
    let foreign = if version == 0 {
        tables > 0 || (app_id != 0 && app_id != schema::APPLICATION_ID)
    } else {
        app_id != schema::APPLICATION_ID
    };
    if foreign {
        return Err(StateError::NotAStateFile {
            path: path.to_path_buf(),
            detail: "it is a SQLite database of another application".to_owned(),
        });
    }
    if version > schema::latest() {
        return Err(StateError::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported: schema::latest(),
        });
    }
    Ok(())
}

pub(crate) fn immediate<'c>(
    conn: &'c mut Connection,
    path: &Path,
    op: &'static str,
) -> Result<Transaction<'c>, StateError> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .ctx(path, op)
}

pub(crate) fn run_exists(conn: &Connection, run: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?1)")?
        .query_row([run], |r| r.get(0))
}

pub(crate) fn unknown_run(path: &Path, op: &'static str, run: i64) -> StateError {
    StateError::UnknownRun {
        path: path.to_path_buf(),
        op,
        run,
    }
}

fn invalid(
    path: &Path,
    op: &'static str,
    batch: i64,
    from: BatchStatus,
    to: BatchStatus,
) -> StateError {
    StateError::InvalidTransition {
        path: path.to_path_buf(),
        op,
        batch,
        from: from.to_string(),
        to: to.to_string(),
    }
}

/// A batch's `(run_id, status)`, or [`StateError::UnknownBatch`].
fn batch_head(
    conn: &Connection,
    path: &Path,
    op: &'static str,
    batch: i64,
) -> Result<(i64, BatchStatus), StateError> {
    conn.prepare_cached("SELECT run_id, status FROM batches WHERE id = ?1")
        .and_then(|mut st| {
            st.query_row([batch], |r| Ok((r.get(0)?, parse(r, 1)?)))
                .optional()
        })
        .ctx(path, op)?
        .ok_or_else(|| StateError::UnknownBatch {
            path: path.to_path_buf(),
            op,
            batch,
        })
}

fn mark_sent(
    conn: &Connection,
    run: i64,
    object: &str,
    batch: i64,
    items: &[BatchItem],
    now: &str,
) -> rusqlite::Result<()> {
    let mut upsert = conn.prepare_cached(UPSERT_SENT)?;
    for item in items {
        let previous = item.previous.as_ref().map(Value::to_string);
        upsert.execute(params![
            object,
            item.source_key,
            item.twenty_id,
            run,
            batch,
            item.existed_before,
            previous,
            now,
        ])?;
    }
    Ok(())
}

fn load_items(conn: &Connection, batch: i64) -> rusqlite::Result<Vec<BatchItem>> {
    conn.prepare_cached(
        "SELECT source_key, twenty_id, payload_hash, existed_before, previous
         FROM batch_items WHERE batch_id = ?1 ORDER BY pos",
    )?
    .query_map([batch], |r| {
        Ok(BatchItem {
            source_key: r.get(0)?,
            twenty_id: r.get(1)?,
            payload_hash: r.get(2)?,
            existed_before: r.get(3)?,
            previous: json(r, 4)?,
        })
    })?
    .collect()
}

// -------------------------------------------------------------------------------------------
// Row conversions.

fn parse<T>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(idx)?;
    text.parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

fn json(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Value>> {
    let text: Option<String> = row.get(idx)?;
    text.map(|t| {
        serde_json::from_str(&t)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
    })
    .transpose()
}

fn run_from_row(r: &Row<'_>) -> rusqlite::Result<Run> {
    Ok(Run {
        id: r.get(0)?,
        started_at: r.get(1)?,
        finished_at: r.get(2)?,
        status: parse(r, 3)?,
        tool_version: r.get(4)?,
        workspace_url: r.get(5)?,
        mapping_hash: r.get(6)?,
    })
}

fn record_from_row(r: &Row<'_>) -> rusqlite::Result<RecordState> {
    Ok(RecordState {
        object: r.get(0)?,
        source_key: r.get(1)?,
        twenty_id: r.get(2)?,
        payload_hash: r.get(3)?,
        run_id: r.get(4)?,
        first_run_id: r.get(5)?,
        last_run_id: r.get(6)?,
        batch_id: r.get(7)?,
        status: parse(r, 8)?,
        last_error: r.get(9)?,
        existed_before: r.get::<_, Option<bool>>(10)?.unwrap_or(false),
        previous: json(r, 11)?,
        updated_at: r.get(12)?,
    })
}

fn batch_from_row(r: &Row<'_>) -> rusqlite::Result<BatchRow> {
    Ok(BatchRow {
        id: r.get(0)?,
        run_id: r.get(1)?,
        object: r.get(2)?,
        status: parse(r, 3)?,
        size: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
        attempt: r.get(5)?,
        started_at: r.get(6)?,
        finished_at: r.get(7)?,
        http_status: r.get(8)?,
        error: r.get(9)?,
    })
}

/// Removes a `user:password@` part from a URL, so credentials never reach the state file.
pub(crate) fn strip_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..scheme_end + 3], &rest[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests;
