//! Person and company names: never panics; the dedup keys are idempotent. (A split name joined
//! back as "First Last" does not always split the same way: `King Lovelace, Ada` gives last name
//! `King Lovelace`, and `Ada King Lovelace` gives `Lovelace`. That is the format's ambiguity, not
//! a bug, so it is not asserted.)
#![no_main]
use c2t_normalize::{fingerprint, person_key, similarity, split_full_name};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = c2t_fuzz::text(data);
    let (first, last) = split_full_name(&s);
    let f = fingerprint(&s);
    assert_eq!(fingerprint(&f), f, "input {s:?}");
    let key = person_key(&first, &last);
    assert_eq!(person_key(&key, ""), key, "input {s:?}");
    let sim = similarity(&s, "Acme Inc");
    assert!((0.0..=1.0).contains(&sim), "input {s:?}: {sim}");
});
