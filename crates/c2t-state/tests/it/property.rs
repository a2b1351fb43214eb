//! Property-style test: random sequences of sending / confirmed / failed / retry / reject /
//! forget / reopen, driven by a seeded PRNG, are mirrored in a small in-memory model; after each
//! step the store must agree with the model (counts overall and per run, pending batches, delta,
//! rollback lists), and the per-run counts must sum to the overall counts.

use std::collections::{BTreeMap, BTreeSet};

use c2t_state::{BatchItem, Counts, RecordStatus, StateError, Store};

use crate::support::item;

/// SplitMix64: tiny, seeded, good enough to drive a test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

const OBJECTS: [&str; 2] = ["company", "person"];
const KEYS: [&str; 8] = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"];
const HASHES: [&str; 3] = ["h0", "h1", "h2"];

type Key = (String, String);

#[derive(Debug, Clone)]
struct MRecord {
    status: RecordStatus,
    batch: Option<i64>,
    last_run: i64,
    confirmed_hash: Option<String>,
    run_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MStatus {
    Sending,
    Confirmed,
    Failed,
}

#[derive(Debug, Clone)]
struct MBatch {
    object: String,
    status: MStatus,
    run: i64,
    items: Vec<(String, String)>,
}

#[derive(Default)]
struct Model {
    records: BTreeMap<Key, MRecord>,
    batches: BTreeMap<i64, MBatch>,
    runs: Vec<i64>,
}

impl Model {
    fn send(&mut self, batch: i64, run: i64) {
        let b = &self.batches[&batch];
        for (key, _) in &b.items {
            let k = (b.object.clone(), key.clone());
            let rec = self.records.entry(k).or_insert(MRecord {
                status: RecordStatus::Sent,
                batch: None,
                last_run: run,
                confirmed_hash: None,
                run_id: None,
            });
            rec.status = RecordStatus::Sent;
            rec.batch = Some(batch);
            rec.last_run = run;
        }
    }

    fn settle(&mut self, batch: i64, status: MStatus) {
        let b = self.batches.get_mut(&batch).unwrap();
        b.status = status;
        let b = b.clone();
        for rec in self.records.values_mut().filter(|r| r.batch == Some(batch)) {
            rec.last_run = b.run;
            if status == MStatus::Confirmed {
                rec.status = RecordStatus::Confirmed;
                rec.run_id = Some(b.run);
            } else {
                rec.status = RecordStatus::Rejected;
            }
        }
        if status == MStatus::Confirmed {
            for (key, hash) in &b.items {
                // A forgotten record stays forgotten.
                if let Some(rec) = self.records.get_mut(&(b.object.clone(), key.clone()))
                    && rec.batch == Some(batch)
                {
                    rec.confirmed_hash = Some(hash.clone());
                }
            }
        }
    }

    fn counts(&self, run: Option<i64>) -> BTreeMap<String, Counts> {
        let mut out: BTreeMap<String, Counts> = BTreeMap::new();
        for ((object, _), rec) in &self.records {
            if run.is_some_and(|r| r != rec.last_run) {
                continue;
            }
            let c = out.entry(object.clone()).or_default();
            match rec.status {
                RecordStatus::Confirmed => c.confirmed += 1,
                RecordStatus::Rejected => c.rejected += 1,
                RecordStatus::Sent => c.sent += 1,
                RecordStatus::Planned => unreachable!(),
            }
        }
        out
    }

    fn batches_with(&self, status: MStatus) -> Vec<i64> {
        self.batches
            .iter()
            .filter(|(_, b)| b.status == status)
            .map(|(id, _)| *id)
            .collect()
    }
}

fn check(store: &Store, model: &Model, step: usize) {
    let ctx = |what: &str| format!("step {step}: {what}");
    let all = store.counts(None).unwrap();
    assert_eq!(all, model.counts(None), "{}", ctx("counts(None)"));

    let mut summed: BTreeMap<String, Counts> = BTreeMap::new();
    for &run in &model.runs {
        let per_run = store.counts(Some(run)).unwrap();
        assert_eq!(per_run, model.counts(Some(run)), "{}", ctx("counts(run)"));
        for (object, c) in per_run {
            let s = summed.entry(object).or_default();
            s.confirmed += c.confirmed;
            s.rejected += c.rejected;
            s.sent += c.sent;
        }
        let written: BTreeSet<Key> = store
            .written_by(run)
            .unwrap()
            .into_iter()
            .map(|r| (r.object, r.source_key))
            .collect();
        let expected: BTreeSet<Key> = model
            .records
            .iter()
            .filter(|(_, r)| r.run_id == Some(run))
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(written, expected, "{}", ctx("written_by"));
    }
    assert_eq!(summed, all, "{}", ctx("per-run counts sum to the total"));

    let pending: Vec<i64> = store
        .pending_batches()
        .unwrap()
        .iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(
        pending,
        model.batches_with(MStatus::Sending),
        "{}",
        ctx("pending")
    );

    for object in OBJECTS {
        for key in KEYS {
            let rec = model.records.get(&(object.to_owned(), key.to_owned()));
            let stored = store.record(object, key).unwrap();
            assert_eq!(
                stored.as_ref().map(|r| r.status),
                rec.map(|r| r.status),
                "{}",
                ctx(key)
            );
            for hash in HASHES {
                let expected = rec.is_some_and(|r| {
                    r.status == RecordStatus::Confirmed && r.confirmed_hash.as_deref() == Some(hash)
                });
                assert_eq!(
                    store.is_current(object, key, hash).unwrap(),
                    expected,
                    "{}",
                    ctx(&format!("is_current({object}, {key}, {hash})"))
                );
            }
        }
    }
}

fn run_sequence(seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let mut store = Store::open(&path).unwrap();
    let mut model = Model::default();
    let mut run = store.begin_run("https://crm.example.com", "m").unwrap();
    model.runs.push(run);

    for step in 0..steps {
        match rng.below(100) {
            0..=4 => {
                run = store.begin_run("https://crm.example.com", "m").unwrap();
                model.runs.push(run);
            }
            5..=34 => {
                let object = *rng.pick(&OBJECTS).unwrap();
                let mut keys: Vec<&str> = KEYS.to_vec();
                let n = 1 + rng.below(4);
                let items: Vec<BatchItem> = (0..n)
                    .map(|_| {
                        let key = keys.remove(rng.below(keys.len()));
                        item(key, rng.pick(&HASHES).unwrap())
                    })
                    .collect();
                let batch = store.batch_sending(run, object, &items).unwrap();
                model.batches.insert(
                    batch,
                    MBatch {
                        object: object.to_owned(),
                        status: MStatus::Sending,
                        run,
                        items: items
                            .iter()
                            .map(|i| (i.source_key.clone(), i.payload_hash.clone()))
                            .collect(),
                    },
                );
                model.send(batch, run);
            }
            35..=59 => {
                if let Some(&b) = rng.pick(&model.batches_with(MStatus::Sending)) {
                    store.batch_confirmed(b, 200).unwrap();
                    model.settle(b, MStatus::Confirmed);
                }
            }
            60..=69 => {
                if let Some(&b) = rng.pick(&model.batches_with(MStatus::Sending)) {
                    store.batch_failed(b, "boom").unwrap();
                    model.settle(b, MStatus::Failed);
                }
            }
            70..=77 => {
                let mut candidates = model.batches_with(MStatus::Failed);
                candidates.extend(model.batches_with(MStatus::Sending));
                if let Some(&b) = rng.pick(&candidates) {
                    store.batch_retry(b, run).unwrap();
                    let mb = model.batches.get_mut(&b).unwrap();
                    mb.status = MStatus::Sending;
                    mb.run = run;
                    model.send(b, run);
                }
            }
            78..=85 => {
                let object = *rng.pick(&OBJECTS).unwrap();
                let key = *rng.pick(&KEYS).unwrap();
                store
                    .reject(run, object, key, "in.csv", step as u64, "bad")
                    .unwrap();
                let rec = model
                    .records
                    .entry((object.to_owned(), key.to_owned()))
                    .or_insert(MRecord {
                        status: RecordStatus::Rejected,
                        batch: None,
                        last_run: run,
                        confirmed_hash: None,
                        run_id: None,
                    });
                rec.status = RecordStatus::Rejected;
                rec.batch = None;
                rec.last_run = run;
            }
            86..=90 => {
                let object = *rng.pick(&OBJECTS).unwrap();
                let key = *rng.pick(&KEYS).unwrap();
                store.forget(object, key).unwrap();
                model.records.remove(&(object.to_owned(), key.to_owned()));
            }
            91..=94 => {
                // Settled batches: repeating the outcome is a no-op, the opposite is refused.
                if let Some(&b) = rng.pick(&model.batches_with(MStatus::Confirmed)) {
                    store.batch_confirmed(b, 200).unwrap();
                    let err = store.batch_failed(b, "late").unwrap_err();
                    assert!(
                        matches!(err, StateError::InvalidTransition { .. }),
                        "{err:?}"
                    );
                }
            }
            _ => {
                // Crash and restart.
                drop(store);
                store = Store::open(&path).unwrap();
            }
        }
        check(&store, &model, step);
    }
}

#[test]
fn random_sequences_keep_counts_consistent() {
    for seed in [1, 7, 42, 2026] {
        run_sequence(seed, 250);
    }
}
