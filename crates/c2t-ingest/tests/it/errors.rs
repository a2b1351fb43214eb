use c2t_ingest::{IngestError, ReadOptions, Source};

use crate::fixture;

fn open_err(name: &str, bytes: &[u8]) -> (IngestError, String) {
    let f = fixture(name, bytes);
    let err = Source::open(&f.path, &ReadOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(&f.path.display().to_string()),
        "message must name the path: {msg}"
    );
    (err, msg)
}

#[test]
fn empty_and_whitespace_only_files() {
    for bytes in [&b""[..], b"  \r\n\n \t\n", b"\xef\xbb\xbf", b"\xff\xfe"] {
        let (err, msg) = open_err("e.csv", bytes);
        assert!(
            matches!(err, IngestError::Empty { .. }),
            "{bytes:?}: {err:?}"
        );
        assert!(msg.ends_with(" is empty: no header row found"), "{msg}");
    }
}

#[test]
fn missing_file_is_io() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.csv");
    let err = Source::open(&path, &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, IngestError::Io { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot read {}", path.display()))
    );
}

#[test]
fn binary_data_is_not_tabular() {
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    let (err, msg) = open_err("data.csv", &bytes);
    assert!(matches!(err, IngestError::NotTabular { .. }), "{err:?}");
    assert!(msg.contains("looks like binary data, not text"), "{msg}");
}

#[test]
fn pdf_and_gzip_are_not_tabular() {
    let (err, msg) = open_err("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n");
    assert!(matches!(err, IngestError::NotTabular { .. }));
    assert!(
        msg.ends_with("is not a CSV or spreadsheet file: it is a PDF document"),
        "{msg}"
    );
    let (_, msg) = open_err("leads.csv.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00");
    assert!(msg.contains("gzip-compressed data"), "{msg}");
}

#[test]
fn zip_that_is_not_a_workbook() {
    // Smallest valid zip: an empty archive (end-of-central-directory record only).
    let mut bytes = b"PK\x05\x06".to_vec();
    bytes.extend([0u8; 18]);
    let (err, msg) = open_err("WE_00D000000000001_1.ZIP", &bytes);
    assert!(matches!(err, IngestError::NotTabular { .. }), "{err:?}");
    assert!(
        msg.contains("it is a zip archive, not an .xlsx or .ods workbook"),
        "{msg}"
    );
}

#[test]
fn guess_encoding_on_bytes() {
    assert_eq!(
        c2t_ingest::guess_encoding(b"a,b\n1,2\n"),
        Ok(("UTF-8", false))
    );
    assert_eq!(
        c2t_ingest::guess_encoding(b"\xef\xbb\xbfa,b\n"),
        Ok(("UTF-8", true))
    );
    assert_eq!(
        c2t_ingest::guess_encoding(b"nom;ville\nAndr\xe9;S\xe8te\n"),
        Ok(("windows-1252", false))
    );
    let png = c2t_ingest::guess_encoding(b"\x89PNG\r\n\x1a\n").unwrap_err();
    assert_eq!(png, "it is a PNG image");
    assert_eq!(c2t_ingest::guess_encoding(b""), Ok(("UTF-8", false)));
}

/// A workbook the xlsx fuzz target found: a corrupted cell reference makes calamine overflow
/// while turning it into a row and column (a panic where overflow checks are on, as in this
/// test's build and the fuzz build). The reader reports a damaged workbook instead of crashing.
#[test]
fn a_panic_in_the_spreadsheet_reader_is_a_damaged_workbook_error() {
    let bytes = include_bytes!("fixtures/damaged-cell-reference.xlsx");
    let f = fixture("export.xlsx", bytes);
    match Source::open(&f.path, &ReadOptions::default()) {
        Err(err) => {
            let msg = err.to_string();
            assert!(matches!(err, IngestError::Spreadsheet { .. }), "{err:?}");
            assert!(
                msg.starts_with(&f.path.display().to_string()),
                "message must name the path: {msg}"
            );
            if cfg!(debug_assertions) {
                assert!(msg.contains("damaged workbook"), "{msg}");
                assert!(msg.contains("overflow"), "{msg}");
            }
        }
        // Without overflow checks calamine wraps around and reads on.
        Ok(src) => {
            if cfg!(debug_assertions) {
                panic!("the damaged workbook opened: {:?}", src.headers);
            }
        }
    }
}
