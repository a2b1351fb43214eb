//! Throughput of `c2t_ingest::Source` on a generated ~200 MB CSV (figures only, no asserts).
//!
//! `cargo run --release -p c2t-ingest --example bench_ingest [MB]`
//! Prints rows/s and MB/s for UTF-8 and for windows-1252 (the transcoding path).

use std::io::{BufWriter, Write};
use std::time::Instant;

use c2t_ingest::{ReadOptions, Source};

fn generate(path: &std::path::Path, target: u64, latin1: bool) -> u64 {
    let mut w = BufWriter::new(std::fs::File::create(path).unwrap());
    let header = "Record ID,First Name,Last Name,Email,Phone,Company,City,Create Date,Notes\n";
    w.write_all(header.as_bytes()).unwrap();
    let (e_acute, quote_note) = if latin1 {
        (&b"\xe9"[..], &b"\"Appel\xe9 le 3 mars,\nrappeler\""[..])
    } else {
        ("é".as_bytes(), "\"Appelé le 3 mars,\nrappeler\"".as_bytes())
    };
    let mut written = header.len() as u64;
    let mut rows = 0u64;
    let mut line = Vec::with_capacity(256);
    while written < target {
        rows += 1;
        line.clear();
        write!(line, "{rows},Ren",).unwrap();
        line.extend_from_slice(e_acute);
        write!(
            line,
            ",Dupont{},rene.dupont{rows}@example.com,+33 6 12 34 {:02} {:02},Acme {} SARL,Paris,2024-0{}-1{} 10:00:00,",
            rows % 97,
            rows % 100,
            (rows / 100) % 100,
            rows % 1000,
            rows % 9 + 1,
            rows % 9
        )
        .unwrap();
        if rows.is_multiple_of(10) {
            line.extend_from_slice(quote_note);
        } else {
            line.extend_from_slice(b"Lead from web form");
        }
        line.push(b'\n');
        w.write_all(&line).unwrap();
        written += line.len() as u64;
    }
    w.flush().unwrap();
    rows
}

fn main() {
    let mb: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    for (label, latin1) in [("UTF-8", false), ("windows-1252", true)] {
        let path = dir.path().join("bench.csv");
        let rows = generate(&path, mb * 1_000_000, latin1);
        let size = std::fs::metadata(&path).unwrap().len();
        let t = Instant::now();
        let src = Source::open(&path, &ReadOptions::default()).unwrap();
        let enc = src.encoding;
        let (mut ok, mut bad, mut cells) = (0u64, 0u64, 0u64);
        for item in src {
            match item {
                Ok(r) => {
                    ok += 1;
                    cells += r.cells.len() as u64;
                }
                Err(_) => bad += 1,
            }
        }
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(ok + bad, rows);
        println!(
            "{label:>12} (detected {enc}): {:.1} MB, {ok} rows ({bad} rejects, {cells} cells) in {secs:.2} s = {:.0} rows/s, {:.1} MB/s",
            size as f64 / 1e6,
            ok as f64 / secs,
            size as f64 / 1e6 / secs
        );
    }
}
