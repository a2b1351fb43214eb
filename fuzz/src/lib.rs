//! What the fuzz targets share: reading a whole file through `c2t_ingest::Source` and checking
//! the reader's promises on whatever bytes it is given.

use c2t_ingest::{ReadOptions, Source};
use std::path::PathBuf;

/// A scratch file of this process (one per extension), rewritten for every input: libFuzzer runs
/// one input at a time, and a fresh temp file per input would cost more than the read itself.
fn scratch(ext: &str) -> PathBuf {
    std::env::temp_dir().join(format!("c2t-fuzz-{}.{ext}", std::process::id()))
}

/// Crates whose panics on damaged input `c2t_ingest` catches and reports as a damaged workbook
/// (`sheet::open`): calamine and the zip and XML readers under it. A panic there is their bug,
/// which we cannot fix but must survive; the check is that it comes back as an error naming the
/// file. A panic anywhere else (our code) still aborts the run as a crash.
const CAUGHT_IN: &[&str] = &["/calamine-", "/quick-xml-", "/zip-"];

/// libFuzzer's panic hook aborts on every panic, even one that is caught; this hook lets the
/// panics of [`CAUGHT_IN`] unwind to the reader's `catch_unwind` and hands the others on.
fn tolerate_reader_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let file = info.location().map(|l| l.file()).unwrap_or_default();
            if !CAUGHT_IN.iter().any(|c| file.contains(c)) {
                abort(info);
            }
        }));
    });
}

/// Writes `data` to a file named `*.{ext}` and reads it to the end with `opts`, checking that:
/// - opening either succeeds or fails with an error whose message names the file;
/// - every row has exactly one cell per header, and headers are unique and non-empty;
/// - rows and rejects come in strictly increasing line order after the header, so no line is
///   counted twice (every row is accounted for once);
/// - a CSV yields at most one item per physical line (no endless loop of rejects).
pub fn read_all(data: &[u8], ext: &str, opts: &ReadOptions) {
    tolerate_reader_panics();
    let path = scratch(ext);
    std::fs::write(&path, data).expect("write scratch file");
    let src = match Source::open(&path, opts) {
        Ok(s) => s,
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains(&path.display().to_string()),
                "error does not name the file: {msg}"
            );
            return;
        }
    };
    let headers = src.headers.clone();
    assert!(!headers.is_empty(), "a source with no header");
    let mut seen = std::collections::HashSet::new();
    for h in &headers {
        assert!(!h.is_empty(), "empty header name in {headers:?}");
        assert!(seen.insert(h.as_str()), "duplicate header {h:?} in {headers:?}");
    }
    let _ = (src.header_warnings(), src.sheet_names(), src.format, src.encoding);
    let is_csv = src.format == c2t_ingest::Format::Csv;
    // Physical lines as a text editor counts them (CR, LF, CRLF), plus the last one.
    let lines = physical_lines(data) + 1;
    let mut last = src.header_line;
    let mut items = 0u64;
    let mut src = src;
    for item in src.by_ref() {
        items += 1;
        let line = match &item {
            Ok(row) => {
                assert_eq!(row.cells.len(), headers.len(), "row at line {}", row.line);
                row.line
            }
            Err(rej) => {
                assert!(!rej.reason.is_empty(), "reject without a reason");
                rej.line
            }
        };
        assert!(line > last, "line {line} after line {last}: {item:?}");
        last = line;
        if is_csv {
            assert!(line <= lines, "line {line} past the {lines} lines of the file");
        }
    }
    if is_csv {
        assert!(items <= lines, "{items} items from {lines} lines");
    }
    let _ = (src.cell_warnings(), src.cell_warning_count(), src.blank_rows_skipped());
}

fn physical_lines(data: &[u8]) -> u64 {
    let mut n = 0;
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'\n' => n += 1,
            b'\r' => {
                n += 1;
                if data.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    n
}

/// The input as text (lossily: the normalisers take `&str`).
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}
