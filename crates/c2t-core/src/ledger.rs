//! The ledger: what became of every input row. A row is imported, merged into another record,
//! skipped by a named rule, or rejected with a reason — and the four counts add up to the rows read.

use compact_str::CompactString;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The fate of one input row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Written as a record of its own (to a Twenty-ready file or through the API).
    Imported,
    /// Folded into another row's record (boxed: few rows are, and every entry has the size of
    /// the largest outcome).
    Merged(Box<Merged>),
    /// Left out on purpose by a named rule (`stale`, `test_data`, `lookup_only`, …).
    Skipped { rule: CompactString },
    /// Could not be used; `reason` says why.
    Rejected { reason: CompactString },
}

impl Outcome {
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Imported => "imported",
            Outcome::Merged { .. } => "merged",
            Outcome::Skipped { .. } => "skipped",
            Outcome::Rejected { .. } => "rejected",
        }
    }
}

/// What a merged row went into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Merged {
    /// The surviving row (`file:line`).
    pub into: CompactString,
    pub rule: CompactString,
}

/// One ledger line: where the row came from and what became of it.
///
/// One per input row (64 bytes): the file and object names are shared by the entries of a file,
/// rules and reasons up to 24 bytes are held inline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub file: Arc<str>,
    pub line: u64,
    pub object: Arc<str>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Counts per outcome, per file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub read: u64,
    pub imported: u64,
    pub merged: u64,
    pub skipped: u64,
    pub rejected: u64,
}

impl Counts {
    /// True when every row read has exactly one outcome.
    pub fn balances(&self) -> bool {
        self.read == self.imported + self.merged + self.skipped + self.rejected
    }
}

/// Every row's outcome, in the order they were settled, plus the rows read per file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Ledger {
    pub entries: Vec<Entry>,
    pub read: BTreeMap<String, u64>,
    /// The file and object names the entries share (a few per run).
    #[serde(skip)]
    names: Vec<Arc<str>>,
}

impl Ledger {
    /// Counts one row read from `file`; every such row must later get exactly one outcome.
    pub fn count_read(&mut self, file: &str, rows: u64) {
        *self.read.entry(file.to_string()).or_default() += rows;
    }

    pub fn record(&mut self, file: &str, line: u64, object: &str, outcome: Outcome) {
        let (file, object) = (self.name(file), self.name(object));
        self.entries.push(Entry {
            file,
            line,
            object,
            outcome,
        });
    }

    /// The shared copy of a file or object name.
    fn name(&mut self, s: &str) -> Arc<str> {
        if let Some(n) = self.names.iter().rev().find(|n| &***n == s) {
            return n.clone();
        }
        let n: Arc<str> = s.into();
        self.names.push(n.clone());
        n
    }

    /// Counts per file (sorted by file name).
    pub fn counts(&self) -> BTreeMap<String, Counts> {
        let mut out: BTreeMap<String, Counts> = BTreeMap::new();
        for (file, n) in &self.read {
            out.entry(file.clone()).or_default().read = *n;
        }
        for e in &self.entries {
            if !out.contains_key(&*e.file) {
                out.insert(e.file.to_string(), Counts::default());
            }
            let c = out.get_mut(&*e.file).expect("inserted above");
            match e.outcome {
                Outcome::Imported => c.imported += 1,
                Outcome::Merged(_) => c.merged += 1,
                Outcome::Skipped { .. } => c.skipped += 1,
                Outcome::Rejected { .. } => c.rejected += 1,
            }
        }
        out
    }

    /// The counts of all files together.
    pub fn totals(&self) -> Counts {
        let mut t = Counts::default();
        for c in self.counts().values() {
            t.read += c.read;
            t.imported += c.imported;
            t.merged += c.merged;
            t.skipped += c.skipped;
            t.rejected += c.rejected;
        }
        t
    }

    /// Rows that have no outcome or more than one, as `file:line` — empty when the ledger balances.
    pub fn unbalanced_files(&self) -> Vec<String> {
        self.counts()
            .into_iter()
            .filter(|(_, c)| !c.balances())
            .map(|(f, c)| {
                format!(
                    "{f}: read {} but accounted {}",
                    c.read,
                    c.imported + c.merged + c.skipped + c.rejected
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_balance_only_when_every_row_has_one_outcome() {
        let mut l = Ledger::default();
        l.count_read("a.csv", 3);
        l.record("a.csv", 2, "person", Outcome::Imported);
        l.record(
            "a.csv",
            3,
            "person",
            Outcome::Merged(Box::new(Merged {
                into: "a.csv:2".into(),
                rule: "email".into(),
            })),
        );
        assert!(!l.totals().balances());
        assert_eq!(l.unbalanced_files(), vec!["a.csv: read 3 but accounted 2"]);
        l.record(
            "a.csv",
            4,
            "person",
            Outcome::Rejected {
                reason: "ragged".into(),
            },
        );
        assert!(l.totals().balances());
        assert!(l.unbalanced_files().is_empty());
    }
}
