//! Helpers shared by the test modules.

use c2t_state::{BatchItem, Store};
use serde_json::Value;

/// A batch item with a deterministic fake Twenty id.
pub fn item(key: &str, hash: &str) -> BatchItem {
    BatchItem {
        source_key: key.to_owned(),
        twenty_id: format!("00000000-0000-5000-8000-{:012x}", fnv(key)),
        payload_hash: hash.to_owned(),
        existed_before: false,
        previous: None,
    }
}

/// A batch item for a record that already existed in the workspace.
pub fn update_item(key: &str, hash: &str, previous: Value) -> BatchItem {
    BatchItem {
        existed_before: true,
        previous: Some(previous),
        ..item(key, hash)
    }
}

/// An in-memory store with a fixed clock and one run.
pub fn store_with_run() -> (Store, i64) {
    let mut store = Store::open_in_memory().unwrap();
    store.set_clock(Some("2026-01-02T03:04:05.000Z".to_owned()));
    let run = store
        .begin_run("https://crm.example.com", "mapping-1")
        .unwrap();
    (store, run)
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) & 0xffff_ffff_ffff
}
