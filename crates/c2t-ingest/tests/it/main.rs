//! Integration tests: every fixture is written by the test itself (bytes or rust_xlsxwriter).

mod csv_encoding;
mod csv_structure;
mod errors;
mod xlsx;

use std::path::PathBuf;

use c2t_ingest::{ReadOptions, Row, RowReject, Source};

/// A temp dir holding one file; keep the dir alive while reading.
pub struct Fixture {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn fixture(name: &str, bytes: &[u8]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    Fixture { _dir: dir, path }
}

pub fn open(f: &Fixture) -> Source {
    Source::open(&f.path, &ReadOptions::default()).unwrap()
}

pub fn split(src: Source) -> (Vec<Row>, Vec<RowReject>) {
    let mut rows = Vec::new();
    let mut rejects = Vec::new();
    for item in src {
        match item {
            Ok(r) => rows.push(r),
            Err(r) => rejects.push(r),
        }
    }
    (rows, rejects)
}

pub fn row(line: u64, cells: &[&str]) -> Row {
    Row {
        line,
        cells: cells.iter().map(|c| (*c).to_owned()).collect(),
    }
}

pub fn reject(line: u64, reason: &str) -> RowReject {
    RowReject {
        line,
        reason: reason.to_owned(),
    }
}

pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|c| (*c).to_owned()).collect()
}

pub fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}
