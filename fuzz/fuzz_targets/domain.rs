//! Websites: never panics; the cleaned URL and the dedup key read back to themselves.
#![no_main]
use c2t_normalize::domain;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = c2t_fuzz::text(data);
    if let Ok(d) = domain(&s) {
        assert_eq!(domain(&d.url).as_ref(), Ok(&d), "input {s:?}");
        assert_eq!(domain(&d.key).map(|k| k.key), Ok(d.key.clone()), "input {s:?}");
    }
});
