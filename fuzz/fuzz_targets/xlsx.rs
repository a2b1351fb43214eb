//! Any bytes saved as `export.xlsx` and read to the end (the seed corpus holds real workbooks, so
//! mutations reach calamine's zip and XML readers).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    c2t_fuzz::read_all(data, "xlsx", &c2t_ingest::ReadOptions::default());
});
