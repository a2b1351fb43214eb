//! The review file: the decisions the tool took by itself (rows merged into others as
//! duplicates, rows skipped as test data or as stale), one a line in `review.csv`, with a
//! `decision` a person may change; the next run given the file (`--review FILE`) honours it.
//!
//! ```text
//! kind,file,line,record,detail,decision
//! merge,Account.csv,4,ACME Corp.,into Account.csv:2 (same domain),merge
//! test_data,Contact.csv,21,Test Test,Email = test@example.com,skip
//! stale,Account.csv,8,Northwind,last activity 2022-09-30 (before 2024-11-24),skip
//! ```
//!
//! `decision` is `merge` or `keep` for a merge (`keep`: the row stays a record of its own, it is
//! merged with nothing), `skip` or `keep` for test data and stale rows (`keep`: imported).
//! Rows are named by file and line, as in `ledger.csv`.

use crate::job::{Prepared, Status};
use std::collections::BTreeSet;
use std::path::Path;

/// What a person decided, by (file, line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Review {
    /// Rows merged with nothing.
    pub apart: BTreeSet<(String, u64)>,
    /// Rows imported although they look like test data.
    pub keep_test: BTreeSet<(String, u64)>,
    /// Rows imported although they are stale.
    pub keep_stale: BTreeSet<(String, u64)>,
}

/// Why a review file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("cannot read the review file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Bad {
        path: String,
        line: u64,
        message: String,
    },
}

const HEADERS: [&str; 6] = ["kind", "file", "line", "record", "detail", "decision"];

impl Review {
    /// Reads a review file (as [`write`] writes it, edited).
    pub fn read(path: &Path) -> Result<Review, ReviewError> {
        let shown = path.display().to_string();
        let mut r = csv::ReaderBuilder::new()
            .flexible(false)
            .from_path(path)
            .map_err(|e| match e.into_kind() {
                csv::ErrorKind::Io(source) => ReviewError::Io {
                    path: shown.clone(),
                    source,
                },
                other => ReviewError::Bad {
                    path: shown.clone(),
                    line: 1,
                    message: format!("{other:?}"),
                },
            })?;
        let headers = r
            .headers()
            .map_err(|e| ReviewError::Bad {
                path: shown.clone(),
                line: 1,
                message: e.to_string(),
            })?
            .clone();
        let pos = |name: &str| -> Result<usize, ReviewError> {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
                .ok_or_else(|| ReviewError::Bad {
                    path: shown.clone(),
                    line: 1,
                    message: format!(
                        "no `{name}` column; a review file has the columns {}",
                        HEADERS.join(", ")
                    ),
                })
        };
        let (kind, file, line, decision) =
            (pos("kind")?, pos("file")?, pos("line")?, pos("decision")?);
        let mut review = Review::default();
        for (i, row) in r.records().enumerate() {
            let at = i as u64 + 2;
            let row = row.map_err(|e| ReviewError::Bad {
                path: shown.clone(),
                line: at,
                message: e.to_string(),
            })?;
            let get = |p: usize| row.get(p).unwrap_or_default().trim();
            let bad = |message: String| ReviewError::Bad {
                path: shown.clone(),
                line: at,
                message,
            };
            let place = (
                get(file).to_string(),
                get(line)
                    .parse::<u64>()
                    .map_err(|_| bad(format!("`{}` is not a line number", get(line))))?,
            );
            let d = get(decision).to_ascii_lowercase();
            match (get(kind), d.as_str()) {
                ("merge", "merge") | ("test_data" | "stale", "skip") => {}
                ("merge", "keep") => {
                    review.apart.insert(place);
                }
                ("test_data", "keep") => {
                    review.keep_test.insert(place);
                }
                ("stale", "keep") => {
                    review.keep_stale.insert(place);
                }
                (k @ ("merge" | "test_data" | "stale"), other) => {
                    let allowed = if k == "merge" {
                        "merge or keep"
                    } else {
                        "skip or keep"
                    };
                    return Err(bad(format!(
                        "decision `{other}` for a {k} row; write {allowed}"
                    )));
                }
                (other, _) => {
                    return Err(bad(format!(
                        "kind `{other}` is not one of merge, test_data, stale"
                    )));
                }
            }
        }
        Ok(review)
    }

    pub fn is_empty(&self) -> bool {
        self.apart.is_empty() && self.keep_test.is_empty() && self.keep_stale.is_empty()
    }
}

/// Writes `review.csv` for a prepared export: every merge, test-data and stale decision, with
/// the decision taken (the tool's, or the review's when the run was given one).
pub fn write(p: &Prepared, review: &Review, path: &Path) -> std::io::Result<usize> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(HEADERS)?;
    let mut n = 0;
    for (r, rec) in p.records.iter().enumerate() {
        if rec.is_created() {
            continue;
        }
        let file = p.file_name(rec.file).to_string();
        let place = (file.clone(), rec.line);
        let line = rec.line.to_string();
        let name = rec.display_name();
        // What the review kept, then what the run decided (a row kept apart may be stale).
        let mut rows: Vec<(&str, &str, String)> = Vec::new();
        let kept = "kept by the review".to_string();
        if review.apart.contains(&place) {
            rows.push(("merge", "keep", kept.clone()));
        }
        match &p.status[r] {
            Status::Merged(m) => rows.push((
                "merge",
                "merge",
                format!(
                    "into {}:{} ({})",
                    p.file_name(p.records[m.survivor].file),
                    p.records[m.survivor].line,
                    crate::words::words(&m.rule)
                ),
            )),
            Status::Skipped(s) if s.rule == "test_data" => {
                rows.push(("test_data", "skip", s.detail.clone()))
            }
            Status::Skipped(s) if s.rule == "stale" => {
                rows.push(("stale", "skip", s.detail.clone()))
            }
            _ => {}
        }
        if review.keep_test.contains(&place) {
            rows.push(("test_data", "keep", kept.clone()));
        }
        if review.keep_stale.contains(&place) {
            rows.push(("stale", "keep", kept));
        }
        for (kind, decision, detail) in rows {
            w.write_record([kind, &file, &line, &name, &detail, decision])?;
            n += 1;
        }
    }
    w.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_decisions_and_names_mistakes_with_their_line() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("review.csv");
        std::fs::write(
            &path,
            "kind,file,line,record,detail,decision\n\
             merge,Account.csv,4,ACME,into Account.csv:2,keep\n\
             merge,Account.csv,5,Acme,into Account.csv:2,merge\n\
             test_data,Contact.csv,21,Test Test,x,KEEP\n\
             stale,Account.csv,8,Northwind,old,skip\n",
        )
        .unwrap();
        let r = Review::read(&path).unwrap();
        assert!(r.apart.contains(&("Account.csv".into(), 4)));
        assert!(!r.apart.contains(&("Account.csv".into(), 5)));
        assert!(r.keep_test.contains(&("Contact.csv".into(), 21)));
        assert!(r.keep_stale.is_empty());
        std::fs::write(
            &path,
            "kind,file,line,record,detail,decision\nstale,Account.csv,8,N,old,maybe\n",
        )
        .unwrap();
        let e = Review::read(&path).unwrap_err().to_string();
        assert!(
            e.ends_with("review.csv:2: decision `maybe` for a stale row; write skip or keep"),
            "{e}"
        );
        std::fs::write(&path, "kind,file,line\nmerge,A.csv,x\n").unwrap();
        let e = Review::read(&path).unwrap_err().to_string();
        assert!(e.contains("no `decision` column"), "{e}");
    }
}
