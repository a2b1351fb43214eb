//! Round trips through every method of the API.

use c2t_state::{
    BatchStatus, Counts, RecordStatus, Reject, RunStatus, StateError, Store, TOOL_VERSION,
};
use serde_json::json;

use crate::support::{item, store_with_run, update_item};

const NOW: &str = "2026-01-02T03:04:05.000Z";

#[test]
fn runs_round_trip() {
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(store.last_run().unwrap(), None);
    assert!(store.runs().unwrap().is_empty());

    store.set_clock(Some(NOW.to_owned()));
    let r1 = store
        .begin_run("https://user:secret@crm.example.com/", "m1")
        .unwrap();
    let r2 = store.begin_run("https://crm.example.com/", "m2").unwrap();
    assert!(r2 > r1);

    let last = store.last_run().unwrap().unwrap();
    assert_eq!(last.id, r2);
    assert_eq!(last.status, RunStatus::Running);
    assert_eq!(last.started_at, NOW);
    assert_eq!(last.finished_at, None);
    assert_eq!(last.tool_version, TOOL_VERSION);
    assert_eq!(last.mapping_hash, "m2");

    store.finish_run(r1, RunStatus::Failed).unwrap();
    store.finish_run(r2, RunStatus::Done).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].id, r1);
    assert_eq!(runs[0].status, RunStatus::Failed);
    assert_eq!(runs[0].finished_at.as_deref(), Some(NOW));
    // Credentials never reach the state file.
    assert_eq!(runs[0].workspace_url, "https://crm.example.com/");
    assert_eq!(runs[1].status, RunStatus::Done);

    store.finish_run(r2, RunStatus::RolledBack).unwrap();
    assert_eq!(
        store.last_run().unwrap().unwrap().status,
        RunStatus::RolledBack
    );
    // Resuming: back to running, not finished.
    store.finish_run(r2, RunStatus::Running).unwrap();
    assert_eq!(store.last_run().unwrap().unwrap().finished_at, None);

    let err = store.finish_run(999, RunStatus::Done).unwrap_err();
    assert!(
        matches!(err, StateError::UnknownRun { run: 999, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("has no run 999"), "{err}");
}

#[test]
fn system_clock_timestamps_are_rfc3339_utc() {
    let mut store = Store::open_in_memory().unwrap();
    let run = store.begin_run("u", "m").unwrap();
    let started = store.last_run().unwrap().unwrap().started_at;
    assert_eq!(started.len(), "2026-01-02T03:04:05.000Z".len(), "{started}");
    assert!(
        started.ends_with('Z') && started.as_bytes()[10] == b'T',
        "{started}"
    );
    store.finish_run(run, RunStatus::Done).unwrap();
}

#[test]
fn batch_sending_then_confirmed() {
    let (mut store, run) = store_with_run();
    let items = [item("A-1", "h1"), item("A-2", "h2")];
    let batch = store.batch_sending(run, "company", &items).unwrap();

    let row = store.batch(batch).unwrap().unwrap();
    assert_eq!(row.status, BatchStatus::Sending);
    assert_eq!(
        (row.run_id, row.object.as_str(), row.size, row.attempt),
        (run, "company", 2, 1)
    );
    assert_eq!(row.started_at, NOW);
    assert_eq!(store.batch_items(batch).unwrap(), items);

    let rec = store.record("company", "A-1").unwrap().unwrap();
    assert_eq!(rec.status, RecordStatus::Sent);
    assert_eq!(rec.twenty_id.as_deref(), Some(items[0].twenty_id.as_str()));
    assert_eq!(rec.payload_hash, None, "not confirmed yet");
    assert_eq!(rec.run_id, None);
    assert_eq!(rec.last_run_id, Some(run));
    assert_eq!(rec.batch_id, Some(batch));
    assert_eq!(store.pending_batches().unwrap().len(), 1);

    store.batch_confirmed(batch, 201).unwrap();
    let row = store.batch(batch).unwrap().unwrap();
    assert_eq!(row.status, BatchStatus::Confirmed);
    assert_eq!(row.http_status, Some(201));
    assert_eq!(row.finished_at.as_deref(), Some(NOW));

    let rec = store.record("company", "A-2").unwrap().unwrap();
    assert_eq!(rec.status, RecordStatus::Confirmed);
    assert_eq!(rec.payload_hash.as_deref(), Some("h2"));
    assert_eq!((rec.run_id, rec.first_run_id), (Some(run), Some(run)));
    assert_eq!(rec.updated_at, NOW);
    assert!(store.pending_batches().unwrap().is_empty());
    assert_eq!(store.record("company", "nope").unwrap(), None);
    assert_eq!(
        store.record("person", "A-1").unwrap(),
        None,
        "objects are separate"
    );

    // Confirming twice is harmless; failing a confirmed batch is a bug.
    store.batch_confirmed(batch, 201).unwrap();
    let err = store.batch_failed(batch, "late").unwrap_err();
    assert!(
        matches!(err, StateError::InvalidTransition { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("is confirmed and cannot become failed"),
        "{err}"
    );
}

#[test]
fn existed_before_and_previous_are_kept_from_the_first_send() {
    let (mut store, run) = store_with_run();
    let before = json!({"name": "Old name", "employees": 3});
    let b1 = store
        .batch_sending(run, "company", &[update_item("A-1", "h1", before.clone())])
        .unwrap();
    store.batch_confirmed(b1, 200).unwrap();

    // A later run sees the record as existing with *our* values; that must not overwrite.
    let run2 = store
        .begin_run("https://crm.example.com", "mapping-1")
        .unwrap();
    let b2 = store
        .batch_sending(
            run2,
            "company",
            &[update_item("A-1", "h2", json!({"name": "Ours"}))],
        )
        .unwrap();
    store.batch_confirmed(b2, 200).unwrap();

    let rec = store.record("company", "A-1").unwrap().unwrap();
    assert!(rec.existed_before);
    assert_eq!(rec.previous, Some(before));
    assert_eq!(rec.payload_hash.as_deref(), Some("h2"));
    assert_eq!((rec.first_run_id, rec.run_id), (Some(run), Some(run2)));
}

#[test]
fn batch_failed_rejects_its_records_but_keeps_the_confirmed_hash() {
    let (mut store, run) = store_with_run();
    let b1 = store
        .batch_sending(run, "person", &[item("P-1", "h1")])
        .unwrap();
    store.batch_confirmed(b1, 201).unwrap();
    let b2 = store
        .batch_sending(run, "person", &[item("P-1", "h2"), item("P-2", "h3")])
        .unwrap();
    store.batch_failed(b2, "HTTP 503 after 5 attempts").unwrap();
    store.batch_failed(b2, "again").unwrap(); // idempotent

    let row = store.batch(b2).unwrap().unwrap();
    assert_eq!(row.status, BatchStatus::Failed);
    assert_eq!(row.error.as_deref(), Some("HTTP 503 after 5 attempts"));

    let p1 = store.record("person", "P-1").unwrap().unwrap();
    assert_eq!(p1.status, RecordStatus::Rejected);
    assert_eq!(p1.last_error.as_deref(), Some("HTTP 503 after 5 attempts"));
    assert_eq!(
        p1.payload_hash.as_deref(),
        Some("h1"),
        "the workspace still has h1"
    );
    assert_eq!(p1.run_id, Some(run));
    assert!(!store.is_current("person", "P-1", "h1").unwrap());

    let err = store.batch_confirmed(b2, 200).unwrap_err();
    assert!(
        matches!(err, StateError::InvalidTransition { .. }),
        "{err:?}"
    );
}

#[test]
fn batch_retry_starts_a_new_attempt_of_the_same_batch() {
    let (mut store, run) = store_with_run();
    let b = store
        .batch_sending(run, "company", &[item("A-1", "h1"), item("A-2", "h2")])
        .unwrap();
    store.batch_failed(b, "timeout").unwrap();
    let run2 = store
        .begin_run("https://crm.example.com", "mapping-1")
        .unwrap();
    assert_eq!(store.batch_retry(b, run2).unwrap(), 2);

    let row = store.batch(b).unwrap().unwrap();
    assert_eq!(
        (row.status, row.attempt, row.run_id),
        (BatchStatus::Sending, 2, run2)
    );
    assert_eq!((row.finished_at, row.error), (None, None));
    let rec = store.record("company", "A-1").unwrap().unwrap();
    assert_eq!((rec.status, rec.last_error), (RecordStatus::Sent, None));

    store.batch_confirmed(b, 200).unwrap();
    let rec = store.record("company", "A-2").unwrap().unwrap();
    assert_eq!(
        (rec.status, rec.run_id),
        (RecordStatus::Confirmed, Some(run2))
    );

    let err = store.batch_retry(b, run2).unwrap_err();
    assert!(
        matches!(err, StateError::InvalidTransition { .. }),
        "{err:?}"
    );
    let err = store.batch_retry(12345, run2).unwrap_err();
    assert!(
        matches!(err, StateError::UnknownBatch { batch: 12345, .. }),
        "{err:?}"
    );
}

#[test]
fn a_record_follows_its_latest_batch() {
    let (mut store, run) = store_with_run();
    let old = store
        .batch_sending(run, "company", &[item("A-1", "old")])
        .unwrap();
    let new = store
        .batch_sending(run, "company", &[item("A-1", "new")])
        .unwrap();
    store.batch_confirmed(new, 200).unwrap();
    // The older batch's late outcome does not override the newer one.
    store.batch_failed(old, "late failure").unwrap();
    let rec = store.record("company", "A-1").unwrap().unwrap();
    assert_eq!(rec.status, RecordStatus::Confirmed);
    assert_eq!(rec.payload_hash.as_deref(), Some("new"));
}

#[test]
fn unknown_ids_are_errors() {
    let (mut store, _run) = store_with_run();
    let err = store
        .batch_sending(77, "company", &[item("A-1", "h")])
        .unwrap_err();
    assert!(
        matches!(err, StateError::UnknownRun { run: 77, .. }),
        "{err:?}"
    );
    assert_eq!(
        store.record("company", "A-1").unwrap(),
        None,
        "nothing written"
    );
    assert!(matches!(
        store.batch_confirmed(5, 200).unwrap_err(),
        StateError::UnknownBatch { batch: 5, .. }
    ));
    assert!(matches!(
        store.batch_failed(5, "x").unwrap_err(),
        StateError::UnknownBatch { batch: 5, .. }
    ));
    assert!(matches!(
        store.batch_items(5).unwrap_err(),
        StateError::UnknownBatch { batch: 5, .. }
    ));
    assert!(matches!(
        store
            .reject(77, "company", "A-1", "f.csv", 2, "bad")
            .unwrap_err(),
        StateError::UnknownRun { run: 77, .. }
    ));
    assert_eq!(store.batch(5).unwrap(), None);
}

#[test]
fn rejects_round_trip() {
    let (mut store, run) = store_with_run();
    let b = store
        .batch_sending(run, "person", &[item("P-1", "h1")])
        .unwrap();
    store
        .reject(
            run,
            "person",
            "P-1",
            "contacts.csv",
            12,
            "email: invalid syntax",
        )
        .unwrap();
    store
        .reject(run, "person", "", "contacts.csv", 13, "no key")
        .unwrap();

    assert_eq!(
        store.rejects(Some(run)).unwrap(),
        vec![
            Reject {
                run_id: run,
                object: "person".into(),
                source_key: "P-1".into(),
                file: "contacts.csv".into(),
                line: 12,
                message: "email: invalid syntax".into(),
            },
            Reject {
                run_id: run,
                object: "person".into(),
                source_key: "".into(),
                file: "contacts.csv".into(),
                line: 13,
                message: "no key".into(),
            },
        ]
    );
    assert_eq!(store.rejects(None).unwrap().len(), 2);
    assert!(store.rejects(Some(run + 1)).unwrap().is_empty());

    let rec = store.record("person", "P-1").unwrap().unwrap();
    assert_eq!(rec.status, RecordStatus::Rejected);
    assert_eq!(
        rec.batch_id, None,
        "a reject detaches the record from its batch"
    );
    assert_eq!(
        store.record("person", "").unwrap(),
        None,
        "keyless rows are not records"
    );

    // The batch's late confirmation no longer touches the rejected record.
    store.batch_confirmed(b, 200).unwrap();
    assert_eq!(
        store.record("person", "P-1").unwrap().unwrap().status,
        RecordStatus::Rejected
    );
}

#[test]
fn written_by_lists_a_runs_confirmed_writes_in_insertion_order() {
    let (mut store, r1) = store_with_run();
    let b = store
        .batch_sending(
            r1,
            "company",
            &[item("C", "1"), item("A", "1"), item("B", "1")],
        )
        .unwrap();
    store.batch_confirmed(b, 200).unwrap();
    let b = store
        .batch_sending(r1, "person", &[item("P", "1")])
        .unwrap();
    store.batch_confirmed(b, 200).unwrap();
    let pending = store
        .batch_sending(r1, "person", &[item("Q", "1")])
        .unwrap();

    let r2 = store
        .begin_run("https://crm.example.com", "mapping-1")
        .unwrap();
    let b = store
        .batch_sending(r2, "company", &[item("A", "2")])
        .unwrap();
    store.batch_confirmed(b, 200).unwrap();

    let keys = |run| -> Vec<(String, String)> {
        store
            .written_by(run)
            .unwrap()
            .into_iter()
            .map(|r| (r.object, r.source_key))
            .collect()
    };
    let pair = |o: &str, k: &str| (o.to_owned(), k.to_owned());
    assert_eq!(
        keys(r1),
        vec![
            pair("company", "C"),
            pair("company", "B"),
            pair("person", "P")
        ]
    );
    assert_eq!(keys(r2), vec![pair("company", "A")]);
    assert_eq!(store.pending_batches().unwrap()[0].id, pending);
}

#[test]
fn counts_by_object_and_run() {
    let (mut store, r1) = store_with_run();
    let b = store
        .batch_sending(r1, "company", &[item("A", "1"), item("B", "1")])
        .unwrap();
    store.batch_confirmed(b, 200).unwrap();
    store
        .batch_sending(r1, "person", &[item("P", "1")])
        .unwrap();
    store
        .reject(r1, "person", "Q", "people.csv", 3, "bad")
        .unwrap();

    let r2 = store
        .begin_run("https://crm.example.com", "mapping-1")
        .unwrap();
    let b = store
        .batch_sending(r2, "company", &[item("B", "2")])
        .unwrap();
    store.batch_failed(b, "boom").unwrap();

    let c = |confirmed, rejected, sent| Counts {
        confirmed,
        rejected,
        sent,
    };
    let all = store.counts(None).unwrap();
    assert_eq!(all["company"], c(1, 1, 0));
    assert_eq!(all["person"], c(0, 1, 1));
    let one = store.counts(Some(r1)).unwrap();
    assert_eq!(one["company"], c(1, 0, 0));
    assert_eq!(one["person"], c(0, 1, 1));
    let two = store.counts(Some(r2)).unwrap();
    assert_eq!(two["company"], c(0, 1, 0));
    assert!(!two.contains_key("person"));
    assert!(store.counts(Some(99)).unwrap().is_empty());
}

#[test]
fn forget_makes_a_record_new_again() {
    let (mut store, run) = store_with_run();
    let b = store
        .batch_sending(
            run,
            "company",
            &[update_item("A", "1", json!({"name": "x"}))],
        )
        .unwrap();
    store.batch_confirmed(b, 200).unwrap();
    store.forget("company", "A").unwrap();
    store.forget("company", "A").unwrap(); // idempotent
    assert_eq!(store.record("company", "A").unwrap(), None);
    assert!(!store.is_current("company", "A", "1").unwrap());
    assert!(store.written_by(run).unwrap().is_empty());
    // History stays.
    assert_eq!(store.batch_items(b).unwrap().len(), 1);

    // Sent again after the rollback: existed_before comes from the new send.
    let b = store
        .batch_sending(run, "company", &[item("A", "1")])
        .unwrap();
    store.batch_confirmed(b, 200).unwrap();
    let rec = store.record("company", "A").unwrap().unwrap();
    assert!(!rec.existed_before);
    assert_eq!(rec.previous, None);
}

#[test]
fn an_empty_batch_is_allowed() {
    let (mut store, run) = store_with_run();
    let b = store.batch_sending(run, "company", &[]).unwrap();
    assert_eq!(store.batch(b).unwrap().unwrap().size, 0);
    store.batch_confirmed(b, 200).unwrap();
}

#[test]
fn statuses_round_trip_through_their_spelling() {
    for s in RunStatus::ALL {
        assert_eq!(s.as_str().parse::<RunStatus>().unwrap(), *s);
    }
    for s in RecordStatus::ALL {
        assert_eq!(s.as_str().parse::<RecordStatus>().unwrap(), *s);
    }
    for s in BatchStatus::ALL {
        assert_eq!(s.to_string().parse::<BatchStatus>().unwrap(), *s);
    }
    assert!("nope".parse::<RunStatus>().is_err());
    assert_eq!(
        serde_json::to_value(RunStatus::RolledBack).unwrap(),
        json!("rolled_back")
    );
}
