//! Any bytes saved as `export.csv` and read to the end with everything guessed (encoding,
//! delimiter, even the container format: the reader looks at the bytes, not the name).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    c2t_fuzz::read_all(data, "csv", &c2t_ingest::ReadOptions::default());
});
