//! Countries and streets: never panics; a country's name and code read back to it; a split
//! street joined back splits the same way.
#![no_main]
use c2t_normalize::{country, split_street};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = c2t_fuzz::text(data);
    if let Ok(c) = country(&s) {
        assert_eq!(country(c.name), Ok(c), "input {s:?}");
        assert_eq!(country(c.code), Ok(c), "input {s:?}");
    }
    let (s1, s2) = split_street(&s);
    assert!(!s1.contains(['\n', '\r']) && !s2.contains(['\n', '\r']), "input {s:?}");
    let joined = if s2.is_empty() { s1.clone() } else { format!("{s1}\n{s2}") };
    assert_eq!(split_street(&joined), (s1, s2), "input {s:?}");
});
