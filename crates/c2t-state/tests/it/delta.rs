//! The delta logic: `is_current` and `payload_hash` together.

use c2t_state::payload_hash;
use serde_json::json;

use crate::support::{item, store_with_run};

#[test]
fn only_a_confirmed_payload_with_the_same_hash_is_current() {
    let (mut store, run) = store_with_run();
    let v1 = json!({"name": "Acme", "employees": 10});
    let v1_reordered = json!({"employees": 10, "name": "Acme"});
    let v2 = json!({"name": "Acme", "employees": 11});
    let h1 = payload_hash(&v1);
    let h2 = payload_hash(&v2);
    assert_eq!(h1, payload_hash(&v1_reordered));
    assert_ne!(h1, h2);

    // Unknown record: not current.
    assert!(!store.is_current("company", "A", &h1).unwrap());

    // Sent but not confirmed (in doubt): not current.
    let b = store
        .batch_sending(run, "company", &[item("A", &h1)])
        .unwrap();
    assert!(!store.is_current("company", "A", &h1).unwrap());

    // Confirmed: current for that hash only.
    store.batch_confirmed(b, 201).unwrap();
    assert!(store.is_current("company", "A", &h1).unwrap());
    assert!(
        store
            .is_current("company", "A", &payload_hash(&v1_reordered))
            .unwrap()
    );
    assert!(!store.is_current("company", "A", &h2).unwrap());
    assert!(!store.is_current("person", "A", &h1).unwrap());

    // A changed payload in flight: neither hash is current until confirmed.
    let b = store
        .batch_sending(run, "company", &[item("A", &h2)])
        .unwrap();
    assert!(!store.is_current("company", "A", &h1).unwrap());
    assert!(!store.is_current("company", "A", &h2).unwrap());
    store.batch_confirmed(b, 200).unwrap();
    assert!(store.is_current("company", "A", &h2).unwrap());
    assert!(!store.is_current("company", "A", &h1).unwrap());

    // A reject makes it not current (the latest attempt did not land).
    store
        .reject(run, "company", "A", "a.csv", 2, "bad")
        .unwrap();
    assert!(!store.is_current("company", "A", &h2).unwrap());
}
