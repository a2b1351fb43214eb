//! Crash simulation: a batch marked `sending` and never confirmed survives a restart as pending.

use std::process::Command;

use c2t_state::{BatchStatus, RecordStatus, RunStatus, Store};

use crate::support::item;

#[test]
fn a_batch_left_sending_is_pending_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let (run, confirmed, crashed);
    {
        let mut store = Store::open(&path).unwrap();
        run = store.begin_run("https://crm.example.com", "m").unwrap();
        confirmed = store
            .batch_sending(run, "company", &[item("A-1", "h1")])
            .unwrap();
        store.batch_confirmed(confirmed, 201).unwrap();
        crashed = store
            .batch_sending(run, "company", &[item("A-2", "h2"), item("A-3", "h3")])
            .unwrap();
        // Dropped without confirming: the process "dies" here.
    }

    let mut store = Store::open(&path).unwrap();
    let pending = store.pending_batches().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, crashed);
    assert_eq!(pending[0].status, BatchStatus::Sending);
    assert_eq!(pending[0].size, 2);
    let items = store.batch_items(crashed).unwrap();
    assert_eq!(items, vec![item("A-2", "h2"), item("A-3", "h3")]);
    assert_eq!(
        store.record("company", "A-2").unwrap().unwrap().status,
        RecordStatus::Sent
    );
    assert!(store.is_current("company", "A-1", "h1").unwrap());
    assert_eq!(
        store.last_run().unwrap().unwrap().status,
        RunStatus::Running
    );

    // Resume: a new run re-sends the pending batch (same ids, so Twenty upserts) and confirms it.
    let run2 = store.begin_run("https://crm.example.com", "m").unwrap();
    assert_eq!(store.batch_retry(crashed, run2).unwrap(), 2);
    store.batch_confirmed(crashed, 200).unwrap();
    assert!(store.pending_batches().unwrap().is_empty());
    assert!(store.is_current("company", "A-3", "h3").unwrap());
}

/// Environment variable that turns `crash_child` into the crashing child process.
const CHILD_ENV: &str = "C2T_STATE_TEST_CRASH_CHILD";

/// The child half of `an_aborted_process_leaves_a_consistent_file`: writes, then aborts
/// (no destructors, no WAL checkpoint, no clean close). A no-op when run as a normal test.
#[test]
fn crash_child() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut store = Store::open(std::path::Path::new(&path)).unwrap();
    let run = store.begin_run("https://crm.example.com", "m").unwrap();
    let b = store
        .batch_sending(run, "person", &[item("P-1", "h1")])
        .unwrap();
    store.batch_confirmed(b, 201).unwrap();
    store
        .batch_sending(run, "person", &[item("P-2", "h2")])
        .unwrap();
    std::process::abort();
}

#[test]
fn an_aborted_process_leaves_a_consistent_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "crash::crash_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &path)
        .status()
        .unwrap();
    assert!(!status.success(), "the child must die by abort");
    assert!(
        dir.path().join("state.db-wal").exists(),
        "the WAL was not checkpointed"
    );

    let store = Store::open(&path).unwrap();
    let pending = store.pending_batches().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        store.batch_items(pending[0].id).unwrap(),
        vec![item("P-2", "h2")]
    );
    assert!(store.is_current("person", "P-1", "h1").unwrap());
    assert_eq!(
        store.record("person", "P-2").unwrap().unwrap().status,
        RecordStatus::Sent
    );
}

#[test]
fn the_file_really_is_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let mut store = Store::open(&path).unwrap();
    store.begin_run("u", "m").unwrap();
    // journal_mode=WAL is persistent: another connection sees it in the file.
    let other = rusqlite::Connection::open(&path).unwrap();
    let mode: String = other
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert!(dir.path().join("state.db-wal").exists());
}
