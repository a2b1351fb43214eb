//! Select labels and multi-select cells: never panics; option values are valid Twenty option
//! values and idempotent; a split cell joined back splits the same way.
#![no_main]
use c2t_normalize::{option_value, split_multi};
use libfuzzer_sys::fuzz_target;

// Single-character separators, as every preset uses. (With a separator holding spaces, `" / "`,
// trimming the parts can leave a fragment of it that splits differently the second time.)
const SEPARATORS: [&str; 4] = [";", ",", "|", "\n"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let sep = SEPARATORS[usize::from(pick) % 4];
    let s = c2t_fuzz::text(rest);
    let v = option_value(&s);
    assert_eq!(option_value(&v), v, "input {s:?}");
    assert!(v.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'), "input {s:?}: {v}");
    assert!(!v.starts_with(|c: char| c.is_ascii_digit()), "input {s:?}: {v}");
    let parts = split_multi(&s, sep);
    assert_eq!(split_multi(&parts.join(sep), sep), parts, "input {s:?}");
});
