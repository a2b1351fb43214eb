//! Unit tests that need the connection: pragmas, disk full, atomicity, schema identity.

use super::*;
use serde_json::json;

fn item(key: &str, hash: &str) -> BatchItem {
    BatchItem {
        source_key: key.to_owned(),
        twenty_id: format!("id-{key}"),
        payload_hash: hash.to_owned(),
        existed_before: false,
        previous: None,
    }
}

fn pragma_text(store: &Store, name: &str) -> String {
    store
        .connection()
        .pragma_query_value(None, name, |r| r.get::<_, rusqlite::types::Value>(0))
        .map(|v| match v {
            rusqlite::types::Value::Text(t) => t,
            rusqlite::types::Value::Integer(i) => i.to_string(),
            other => format!("{other:?}"),
        })
        .unwrap()
}

#[test]
fn file_store_sets_durable_pragmas() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.db")).unwrap();
    assert_eq!(pragma_text(&store, "journal_mode"), "wal");
    assert_eq!(pragma_text(&store, "synchronous"), "2"); // FULL
    assert_eq!(pragma_text(&store, "foreign_keys"), "1");
    assert_eq!(pragma_text(&store, "busy_timeout"), "5000");
    assert_eq!(
        pragma_text(&store, "user_version"),
        schema::latest().to_string()
    );
    assert_eq!(
        pragma_text(&store, "application_id"),
        schema::APPLICATION_ID.to_string()
    );
}

#[test]
fn in_memory_store_sets_the_other_pragmas() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(pragma_text(&store, "journal_mode"), "memory");
    assert_eq!(pragma_text(&store, "synchronous"), "2");
    assert_eq!(pragma_text(&store, "foreign_keys"), "1");
}

#[test]
fn disk_full_is_reported_clearly_and_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let mut store = Store::open(&path).unwrap();
    let run = store.begin_run("https://crm.example.com", "m").unwrap();
    let before = store.counts(None).unwrap();

    // Cap the file at its current size: the next write that needs a page fails with SQLITE_FULL,
    // exactly as a full disk does.
    let pages: i64 = store
        .connection()
        .pragma_query_value(None, "page_count", |r| r.get(0))
        .unwrap();
    store
        .connection()
        .pragma_update(None, "max_page_count", pages)
        .unwrap();

    let big = "x".repeat(4000);
    let items: Vec<BatchItem> = (0..200)
        .map(|i| BatchItem {
            previous: Some(json!({ "blob": big })),
            ..item(&format!("k{i}"), "h")
        })
        .collect();
    let err = store.batch_sending(run, "company", &items).unwrap_err();
    assert!(matches!(err, StateError::DiskFull { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "the state file {} cannot be written: disk full",
            path.display()
        )),
        "{msg}"
    );
    assert!(msg.contains("marking a batch as sending"), "{msg}");
    assert_eq!(err.path(), path);

    // Nothing half-written: no batch, no record.
    assert_eq!(store.counts(None).unwrap(), before);
    assert!(store.pending_batches().unwrap().is_empty());
    assert!(store.record("company", "k0").unwrap().is_none());
}

#[test]
fn a_failing_statement_mid_batch_leaves_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let run = store.begin_run("u", "m").unwrap();
    // Make the 3rd record's upsert fail inside the transaction.
    store
        .connection()
        .execute_batch(
            "CREATE TRIGGER boom BEFORE INSERT ON records WHEN NEW.source_key = 'c'
             BEGIN SELECT RAISE(ABORT, 'boom'); END;",
        )
        .unwrap();
    let items = [item("a", "1"), item("b", "2"), item("c", "3")];
    let err = store.batch_sending(run, "company", &items).unwrap_err();
    assert!(matches!(err, StateError::Other { .. }), "{err:?}");
    assert!(store.record("company", "a").unwrap().is_none());
    assert!(store.pending_batches().unwrap().is_empty());
    let n: i64 = store
        .connection()
        .query_row("SELECT COUNT(*) FROM batch_items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn a_foreign_sqlite_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE customers (id INTEGER)")
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StateError::NotAStateFile { .. }), "{err:?}");
    assert!(err.to_string().contains("another application"), "{err}");
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(
        mode, "delete",
        "a foreign file must not be converted to WAL"
    );
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    drop(Store::open(&path).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", schema::latest() + 1)
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StateError::TooNew { .. }), "{err:?}");
    assert!(err.to_string().contains("newer crm2twenty"), "{err}");
}

#[test]
fn a_hand_edited_status_is_reported_not_panicked() {
    let mut store = Store::open_in_memory().unwrap();
    let run = store.begin_run("u", "m").unwrap();
    store
        .connection()
        .execute_batch("PRAGMA ignore_check_constraints = ON")
        .unwrap();
    store
        .connection()
        .execute("UPDATE runs SET status = 'exploded' WHERE id = ?1", [run])
        .unwrap();
    let err = store.last_run().unwrap_err();
    assert!(matches!(err, StateError::Other { .. }), "{err:?}");
    assert!(err.to_string().contains("reading the last run"), "{err}");
}

#[test]
fn strip_userinfo_removes_credentials_only() {
    assert_eq!(
        strip_userinfo("https://user:secret@crm.example.com/x?y=1"),
        "https://crm.example.com/x?y=1"
    );
    assert_eq!(
        strip_userinfo("https://crm.example.com/a@b"),
        "https://crm.example.com/a@b"
    );
    assert_eq!(strip_userinfo("crm.example.com"), "crm.example.com");
}

/// A state file of version 2 (before runs could be interrupted) keeps its runs and everything
/// that refers to them, and takes the new status.
#[test]
fn version_2_files_take_interrupted_runs_and_keep_their_references() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "application_id", schema::APPLICATION_ID)
            .unwrap();
        conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
        conn.execute_batch(schema::MIGRATIONS[1]).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO runs VALUES (1, '2026-12-01T00:00:00Z', NULL, 'running', '0.1.0', 'http://x', 'h');
             INSERT INTO runs VALUES (2, '2026-12-02T00:00:00Z', NULL, 'running', '0.1.0', 'http://x', 'h');
             INSERT INTO batches (id, run_id, object, status, size, started_at) VALUES (7, 1, 'person', 'confirmed', 1, 't');
             INSERT INTO records (object, source_key, twenty_id, run_id, first_run_id, last_run_id, batch_id, status, updated_at)
                 VALUES ('person', 'A', 'id-A', 1, 1, 1, 7, 'confirmed', 't');
             INSERT INTO undo_log VALUES (1, 'person', 'A', 'id-A', 'deleted', 't');",
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    store.finish_run(2, RunStatus::Interrupted).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(
        runs.iter().map(|r| r.status).collect::<Vec<_>>(),
        [RunStatus::Running, RunStatus::Interrupted]
    );
    assert_eq!(store.counts(Some(1)).unwrap()["person"].confirmed, 1);
    let conn = store.connection();
    let orphans: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(orphans, 0);
    // References still name `runs`, and are enforced.
    assert!(
        conn.execute(
            "INSERT INTO batches (run_id, object, status, size, started_at) VALUES (99, 'person', 'sending', 1, 't')",
            [],
        )
        .is_err()
    );
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'batches'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sql.contains("REFERENCES runs(id)"), "{sql}");
    assert!(
        !conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'runs_v2'",
                [],
                |r| r.get::<_, i64>(0)
            )
            .unwrap()
            .eq(&1)
    );
}
