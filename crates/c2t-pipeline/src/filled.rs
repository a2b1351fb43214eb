//! Which fields and composite parts of a record hold a value, as bits of a `u64` computed on the
//! cleaning threads ([`mask`]), so that the export learns which columns to write by OR-ing one
//! number per record instead of reading every record's values back from the store a second time.
//!
//! Bits are numbered per object, the first time a thread meets a (field, part) pair: the shared
//! table is locked only for pairs the thread has not seen (a few dozen per run). An object with
//! more than 63 filled pairs sets [`OVERFLOW`], and the caller falls back to reading the values
//! ([`crate::store::Store::filled_many`]).

use crate::record::{Key, Obj, Val};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::sync::{LazyLock, Mutex};

/// Set when a pair had no bit left: the mask does not name every filled pair.
pub const OVERFLOW: u64 = 1 << 63;

/// Per object: the (field, part) pair of each bit, in bit order.
type Table = FxHashMap<Key, Vec<(Key, Key)>>;

static PAIRS: LazyLock<Mutex<Table>> = LazyLock::new(Default::default);

thread_local! {
    /// Per object (by address), (field, part) by address and length → bit, as this thread has
    /// looked them up.
    static BITS: RefCell<FxHashMap<usize, FxHashMap<[usize; 4], u64>>> =
        RefCell::new(FxHashMap::default());
}

/// The bit of (field, part) for `object`, from this thread's table `bits` of that object.
fn bit(bits: &mut FxHashMap<[usize; 4], u64>, object: Key, field: Key, part: Key) -> u64 {
    let at = [
        field.as_ptr() as usize,
        field.len(),
        part.as_ptr() as usize,
        part.len(),
    ];
    *bits.entry(at).or_insert_with(|| {
        let mut all = PAIRS.lock().unwrap_or_else(|e| e.into_inner());
        let pairs = all.entry(object).or_default();
        let i = match pairs.iter().position(|&(f, p)| f == field && p == part) {
            Some(i) => i,
            None => {
                pairs.push((field, part));
                pairs.len() - 1
            }
        };
        if i < 63 { 1 << i } else { OVERFLOW }
    })
}

/// The mask of `values`, records of `object` (an interned name: objects are told apart by
/// address): a bit for each field that holds a value (as [`Val::is_empty`] says) with part
/// `""`, and one for each part of a composite field that does.
pub fn mask(object: Key, values: &Obj) -> u64 {
    BITS.with_borrow_mut(|all| {
        let bits = all.entry(object.as_ptr() as usize).or_default();
        let mut m = 0;
        for (k, v) in values.iter() {
            if v.is_empty() {
                continue;
            }
            m |= bit(bits, object, k, "");
            if let Val::Obj(parts) = v {
                for (sub, sv) in parts.iter() {
                    if !sv.is_empty() {
                        m |= bit(bits, object, k, sub);
                    }
                }
            }
        }
        m
    })
}

/// The (field, part) pairs of the bits of `mask` (without [`OVERFLOW`]), records of `object`.
pub fn pairs(object: &str, mask: u64) -> Vec<(Key, Key)> {
    let all = PAIRS.lock().unwrap_or_else(|e| e.into_inner());
    all.get(object)
        .map(|pairs| {
            pairs
                .iter()
                .take(63)
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, &p)| p)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::intern;

    #[test]
    fn bits_are_numbered_per_object_and_run_out_into_overflow() {
        let (a, b) = (intern("filled-test-a"), intern("filled-test-b"));
        let mut values = Obj::new();
        for i in 0..70 {
            values.insert(&format!("f{i}"), Val::str("x"));
        }
        values.insert("empty", Val::str(""));
        let m = mask(a, &values);
        assert_ne!(m & OVERFLOW, 0, "70 pairs do not fit in 63 bits");
        assert_eq!(pairs(a, m).len(), 63);
        // Another object has bits of its own.
        let mut one = Obj::new();
        one.insert("name", Val::str("Ada"));
        assert_eq!(mask(b, &one), 1);
        assert_eq!(pairs("filled-test-b", 1), [("name", "")]);
    }
}
