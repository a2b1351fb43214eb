//! Clear errors for files that cannot be opened or written.
//!
//! Tests run as root, where `chmod 0444` does not stop writes. So "cannot be written" is shown
//! with [`Store::open_read_only`] (SQLite's own `SQLITE_READONLY`), and "cannot be opened" with a
//! directory given as the state file and with a file inside a directory that does not exist
//! (`SQLITE_CANTOPEN`); both fail for root too. The `chmod 0444` case runs only when the test is
//! not root. Disk full (`SQLITE_FULL`) is a unit test in `src/store/tests.rs`
//! (`max_page_count`).

use std::fs;
use std::os::unix::fs::PermissionsExt;

use c2t_state::{StateError, Store};

use crate::support::item;

#[test]
fn a_directory_as_the_state_file_cannot_be_opened() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StateError::CannotOpen { .. }), "{err:?}");
    assert_eq!(err.path(), dir.path());
    assert_eq!(
        err.to_string(),
        format!(
            "the state file {} cannot be opened (while opening): it is a directory, not a file",
            dir.path().display()
        )
    );
}

#[test]
fn a_state_file_in_a_missing_directory_cannot_be_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/state.db");
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StateError::CannotOpen { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "the state file {} cannot be opened",
            path.display()
        )),
        "{msg}"
    );
    assert!(
        msg.contains(&format!(
            "the directory {} does not exist",
            dir.path().join("no/such/dir").display()
        )),
        "{msg}"
    );
}

#[test]
fn writing_a_read_only_store_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let run = {
        let mut store = Store::open(&path).unwrap();
        let run = store.begin_run("https://crm.example.com", "m").unwrap();
        let b = store
            .batch_sending(run, "company", &[item("A", "h")])
            .unwrap();
        store.batch_confirmed(b, 201).unwrap();
        run
    };

    let mut store = Store::open_read_only(&path).unwrap();
    // Reads work.
    assert_eq!(store.runs().unwrap().len(), 1);
    assert!(store.is_current("company", "A", "h").unwrap());
    // Writes fail clearly, and change nothing.
    let err = store.begin_run("https://crm.example.com", "m").unwrap_err();
    assert!(matches!(err, StateError::ReadOnly { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "the state file {} cannot be written: it is read-only (while starting a run); \
             check the permissions of the file and of its directory",
            path.display()
        )
    );
    let err = store
        .batch_sending(run, "company", &[item("B", "h")])
        .unwrap_err();
    assert!(matches!(err, StateError::ReadOnly { .. }), "{err:?}");
    assert!(
        err.to_string().contains("marking a batch as sending"),
        "{err}"
    );
    assert_eq!(store.runs().unwrap().len(), 1);
}

#[test]
fn a_read_only_file_says_so_when_not_root() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    drop(Store::open(&path).unwrap());
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    if fs::OpenOptions::new().write(true).open(&path).is_ok() {
        eprintln!("running as root: chmod 0444 does not stop writes; covered by open_read_only");
        return;
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StateError::ReadOnly { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("cannot be written: it is read-only"),
        "{err}"
    );
}

#[test]
fn open_read_only_needs_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.db");
    let err = Store::open_read_only(&path).unwrap_err();
    assert!(matches!(err, StateError::CannotOpen { .. }), "{err:?}");
    assert!(!path.exists(), "read-only open must not create the file");
}

#[test]
fn a_file_that_is_not_sqlite_is_not_a_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contacts.csv");
    fs::write(&path, "id,name\n".repeat(200)).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StateError::NotAStateFile { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{} is not a crm2twenty state file (the file is not a SQLite database)",
            path.display()
        )
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "id,name\n".repeat(200));
}

#[test]
fn reopening_keeps_everything_and_does_not_remigrate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let run = {
        let mut store = Store::open(&path).unwrap();
        store.begin_run("https://crm.example.com", "m").unwrap()
    };
    for _ in 0..3 {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.last_run().unwrap().unwrap().id, run);
        assert_eq!(store.path(), path);
    }
}
