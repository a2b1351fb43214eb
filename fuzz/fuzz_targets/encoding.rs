//! Encoding detection on any bytes, then a full read with an encoding and delimiter forced the way
//! a mapping file forces them (the first byte of the input picks them).
#![no_main]
use libfuzzer_sys::fuzz_target;

const LABELS: &[Option<&str>] = &[
    None,
    Some("utf-8"),
    Some("windows-1252"),
    Some("latin1"),
    Some("utf-16le"),
    Some("utf-16be"),
    Some("shift_jis"),
    Some("gb18030"),
    Some("iso-2022-jp"),
    Some("macintosh"),
    Some("no-such-encoding"),
];
const DELIMITERS: &[Option<u8>] = &[None, Some(b','), Some(b';'), Some(b'\t'), Some(b'"')];

fuzz_target!(|data: &[u8]| {
    if let Ok((name, _bom)) = c2t_ingest::guess_encoding(data) {
        assert!(encoding_name_is_known(name), "{name}");
    }
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let opts = c2t_ingest::ReadOptions {
        encoding: LABELS[usize::from(pick) % LABELS.len()].map(str::to_string),
        delimiter: DELIMITERS[usize::from(pick / 16) % DELIMITERS.len()],
        sheet: None,
    };
    c2t_fuzz::read_all(rest, "csv", &opts);
});

fn encoding_name_is_known(name: &str) -> bool {
    !name.is_empty() && name.is_ascii()
}
