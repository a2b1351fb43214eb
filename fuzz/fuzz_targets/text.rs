//! Free text, links and booleans: never panics; cleaning, CSV-injection neutralising and link
//! cleaning are idempotent.
#![no_main]
use c2t_normalize::{boolean, clean, csv_safe, is_test_value, link};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = c2t_fuzz::text(data);
    let c = clean(&s);
    assert_eq!(clean(&c), c, "input {s:?}");
    let safe = csv_safe(&s);
    assert_eq!(csv_safe(&safe), safe, "input {s:?}");
    assert!(!safe.starts_with(['=', '@', '\t', '\r']), "input {s:?}");
    let _ = is_test_value(&s);
    if let Ok(l) = link(&s) {
        assert_eq!(link(&l).as_ref(), Ok(&l), "input {s:?}");
    }
    if let Ok(b) = boolean(&s) {
        assert_eq!(boolean(&b.to_string()), Ok(b), "input {s:?}");
    }
});
