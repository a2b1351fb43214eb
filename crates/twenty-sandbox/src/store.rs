//! SQLite persistence of the workspace: records and schema survive a restart.
//!
//! The workspace lives in memory (see [`crate::workspace`]) and every mutation is written through
//! to SQLite in one transaction per request, so the file is always a consistent copy. Records are
//! stored as JSON documents keyed by `(object, id)`; the schema and the profile are stored in a
//! small key/value table. Uploaded files (see [`crate::files`]) are a third table: their
//! description as JSON and their bytes as a blob. `--db :memory:` gives a throw-away database for
//! tests.

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

/// One write to persist.
#[derive(Debug, Clone)]
pub enum Change {
    /// Insert or replace a record.
    Put {
        /// Singular object name.
        object: String,
        /// Record id.
        id: String,
        /// Stored record values.
        data: Map<String, Value>,
    },
    /// Delete a record for good.
    Delete {
        /// Singular object name.
        object: String,
        /// Record id.
        id: String,
    },
    /// Replace a key of the key/value table (schema, profile).
    Meta {
        /// Key.
        key: String,
        /// Value.
        value: String,
    },
    /// Store an uploaded file (its description, and its bytes when given; `None` keeps the
    /// stored bytes and replaces the description only).
    PutFile {
        /// File id.
        id: String,
        /// The file's description (JSON, see [`crate::files`]).
        meta: String,
        /// The bytes, when the file is new.
        bytes: Option<bytes::Bytes>,
    },
    /// Delete an uploaded file and its bytes.
    DeleteFile {
        /// File id.
        id: String,
    },
}

/// A stored record: `(object, id, values)`.
pub type StoredRecord = (String, String, Map<String, Value>);

/// The SQLite database.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (or creates) the database; `:memory:` is an in-memory database.
    pub fn open(path: &str) -> anyhow::Result<Store> {
        let conn = if path == ":memory:" {
            Connection::open_in_memory()?
        } else {
            let conn = Connection::open(path).with_context(|| format!("opening {path}"))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn
        };
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS records (
                 object TEXT NOT NULL,
                 id TEXT NOT NULL,
                 data TEXT NOT NULL,
                 PRIMARY KEY (object, id)
             );
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS files (
                 id TEXT PRIMARY KEY,
                 meta TEXT NOT NULL,
                 bytes BLOB NOT NULL
             );",
        )?;
        Ok(Store { conn })
    }

    /// Reads a key of the key/value table.
    pub fn meta(&self, key: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Every stored record: `(object, id, values)`.
    pub fn load_records(&self) -> anyhow::Result<Vec<StoredRecord>> {
        let mut stmt = self
            .conn
            .prepare("SELECT object, id, data FROM records ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (object, id, data) = row?;
            let map: Map<String, Value> = serde_json::from_str(&data)
                .with_context(|| format!("corrupt record {object}/{id}"))?;
            out.push((object, id, map));
        }
        Ok(out)
    }

    /// Every stored file's description: `(id, JSON)`, in upload order (bytes stay on disk).
    pub fn load_files(&self) -> anyhow::Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, meta FROM files ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The bytes of a stored file.
    pub fn file_bytes(&self, id: &str) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row("SELECT bytes FROM files WHERE id = ?1", [id], |r| r.get(0))
            .optional()?)
    }

    /// Writes changes in one transaction.
    pub fn apply(&mut self, changes: &[Change]) -> anyhow::Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut put = tx.prepare_cached(
                "INSERT OR REPLACE INTO records (object, id, data) VALUES (?1, ?2, ?3)",
            )?;
            let mut del = tx.prepare_cached("DELETE FROM records WHERE object = ?1 AND id = ?2")?;
            let mut meta =
                tx.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?;
            let mut put_file = tx.prepare_cached(
                "INSERT OR REPLACE INTO files (id, meta, bytes) VALUES (?1, ?2, ?3)",
            )?;
            let mut update_file = tx.prepare_cached("UPDATE files SET meta = ?2 WHERE id = ?1")?;
            let mut del_file = tx.prepare_cached("DELETE FROM files WHERE id = ?1")?;
            for change in changes {
                match change {
                    Change::Put { object, id, data } => {
                        put.execute(params![object, id, serde_json::to_string(data)?])?;
                    }
                    Change::Delete { object, id } => {
                        del.execute(params![object, id])?;
                    }
                    Change::Meta { key, value } => {
                        meta.execute(params![key, value])?;
                    }
                    Change::PutFile {
                        id,
                        meta,
                        bytes: Some(bytes),
                    } => {
                        put_file.execute(params![id, meta, &bytes[..]])?;
                    }
                    Change::PutFile {
                        id,
                        meta,
                        bytes: None,
                    } => {
                        update_file.execute(params![id, meta])?;
                    }
                    Change::DeleteFile { id } => {
                        del_file.execute(params![id])?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(())
    }
}
