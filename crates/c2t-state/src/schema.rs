//! The state file's SQL schema and its migrations, keyed by `PRAGMA user_version`.
//!
//! `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`. Never edit a released migration:
//! append a new one. The file is marked with `PRAGMA application_id` so that a foreign SQLite
//! database given as the state file is refused instead of being "migrated".

/// `PRAGMA application_id` of a crm2twenty state file: ASCII `c2ts`.
pub(crate) const APPLICATION_ID: i64 = 0x6332_7473;

/// Migrations, in order. The newest schema version is `MIGRATIONS.len()`.
pub(crate) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4];

/// The newest schema version.
pub(crate) fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

const V1: &str = r#"
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    status        TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'rolled_back')),
    tool_version  TEXT NOT NULL,
    workspace_url TEXT NOT NULL,   -- never the API key
    mapping_hash  TEXT NOT NULL
);

CREATE TABLE batches (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id),
    object      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('sending', 'confirmed', 'failed')),
    size        INTEGER NOT NULL,
    attempt     INTEGER NOT NULL DEFAULT 1,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    http_status INTEGER,
    error       TEXT
);
CREATE INDEX batches_by_status ON batches(status);

-- What each batch carried: the intent, so a batch left `sending` by a crash can be re-sent and a
-- confirmation can record the confirmed payload hash.
CREATE TABLE batch_items (
    batch_id       INTEGER NOT NULL REFERENCES batches(id),
    pos            INTEGER NOT NULL,
    source_key     TEXT NOT NULL,
    twenty_id      TEXT NOT NULL,
    payload_hash   TEXT NOT NULL,
    existed_before INTEGER NOT NULL,
    previous       TEXT,              -- JSON
    PRIMARY KEY (batch_id, pos)
);

CREATE TABLE records (
    object         TEXT NOT NULL,
    source_key     TEXT NOT NULL,
    twenty_id      TEXT,
    payload_hash   TEXT,              -- of the last payload confirmed written
    run_id         INTEGER REFERENCES runs(id),     -- last run that wrote it (confirmed)
    first_run_id   INTEGER REFERENCES runs(id),     -- first run that wrote it (confirmed)
    last_run_id    INTEGER REFERENCES runs(id),     -- last run that touched it
    batch_id       INTEGER REFERENCES batches(id),  -- last batch that carried it
    status         TEXT NOT NULL CHECK (status IN ('planned', 'sent', 'confirmed', 'rejected')),
    last_error     TEXT,
    existed_before INTEGER,           -- NULL until first sent; then kept
    previous       TEXT,              -- JSON; values before our first update
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (object, source_key)
);
CREATE INDEX records_by_run ON records(run_id);
CREATE INDEX records_by_last_run ON records(last_run_id);
CREATE INDEX records_by_batch ON records(batch_id);

CREATE TABLE rejects (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id),
    object     TEXT NOT NULL,
    source_key TEXT NOT NULL,
    file       TEXT NOT NULL,
    line       INTEGER NOT NULL,
    message    TEXT NOT NULL
);
CREATE INDEX rejects_by_run ON rejects(run_id);
"#;

/// Version 2: the undo log of rollbacks, so a rollback that is interrupted and run again goes on
/// where it stopped (and a report can say what was undone), and the changes `check --apply` made.
const V2: &str = r#"
CREATE TABLE undo_log (
    run_id     INTEGER NOT NULL REFERENCES runs(id),
    object     TEXT NOT NULL,
    source_key TEXT NOT NULL,
    twenty_id  TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('deleted', 'restored', 'gone')),
    done_at    TEXT NOT NULL,
    PRIMARY KEY (run_id, object, source_key)
);

-- What `check --apply` created in the workspace (custom objects, fields, options), for the report.
CREATE TABLE workspace_changes (
    id            INTEGER PRIMARY KEY,
    done_at       TEXT NOT NULL,
    workspace_url TEXT NOT NULL,   -- never the API key
    what          TEXT NOT NULL
);
"#;

/// Version 3: a run may be `interrupted` (stopped by the user between two batches, nothing in
/// doubt). SQLite cannot change a CHECK constraint in place, so `runs` is rebuilt the way
/// SQLite documents (<https://sqlite.org/lang_altertable.html>, "Making Other Kinds Of Table
/// Schema Changes"): foreign keys off (see `Store::migrate`), a new table, the rows copied, the
/// old table dropped and the new one renamed; the other tables' references name `runs` and so
/// point at the new table, and the keys are checked before the commit.
const V3: &str = r#"
CREATE TABLE runs_v3 (
    id            INTEGER PRIMARY KEY,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    status        TEXT NOT NULL
                  CHECK (status IN ('running', 'done', 'failed', 'interrupted', 'rolled_back')),
    tool_version  TEXT NOT NULL,
    workspace_url TEXT NOT NULL,   -- never the API key
    mapping_hash  TEXT NOT NULL
);
INSERT INTO runs_v3 (id, started_at, finished_at, status, tool_version, workspace_url, mapping_hash)
    SELECT id, started_at, finished_at, status, tool_version, workspace_url, mapping_hash
    FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v3 RENAME TO runs;
"#;

/// Files uploaded for attachment records not yet confirmed written: a run killed between the
/// upload and the record's write reuses the upload instead of sending the bytes again. The row
/// goes when the record is confirmed.
const V4: &str = r#"
CREATE TABLE uploads (
    object       TEXT NOT NULL,
    source_key   TEXT NOT NULL,
    content_hash TEXT NOT NULL,   -- SHA-256 of the file's bytes
    size         INTEGER NOT NULL,
    uploaded     TEXT NOT NULL,   -- JSON: what the server answered (id, path)
    run_id       INTEGER NOT NULL REFERENCES runs(id),
    uploaded_at  TEXT NOT NULL,
    PRIMARY KEY (object, source_key)
);

-- What each record written is called (a company's name, a person's name or email, a note's
-- title), for the people reading `runs` and `rollback --dry-run`.
CREATE TABLE names (
    object     TEXT NOT NULL,
    source_key TEXT NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (object, source_key)
);
"#;
