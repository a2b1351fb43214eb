//! The ledger: what became of every input row. A row is imported, merged into another record,
//! skipped by a named rule, or rejected with a reason — and the four counts add up to the rows read.

use compact_str::CompactString;
use serde::Serialize;
use std::collections::BTreeMap;

/// The fate of one input row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Written as a record of its own (to a Twenty-ready file or through the API).
    Imported,
    /// Folded into another row's record; `into` names the surviving row (`file:line`).
    Merged {
        into: CompactString,
        rule: CompactString,
    },
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

/// One ledger line: where the row came from and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
///
/// One per input row: names up to 24 bytes (file, object, rule, `file:line`) are held inline.
pub struct Entry {
    pub file: CompactString,
    pub line: u64,
    pub object: CompactString,
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
}

impl Ledger {
    /// Counts one row read from `file`; every such row must later get exactly one outcome.
    pub fn count_read(&mut self, file: &str, rows: u64) {
        *self.read.entry(file.to_string()).or_default() += rows;
    }

    pub fn record(&mut self, file: &str, line: u64, object: &str, outcome: Outcome) {
        self.entries.push(Entry {
            file: file.into(),
            line,
            object: object.into(),
            outcome,
        });
    }

    /// Counts per file (sorted by file name).
    pub fn counts(&self) -> BTreeMap<String, Counts> {
        let mut out: BTreeMap<String, Counts> = BTreeMap::new();
        for (file, n) in &self.read {
            out.entry(file.clone()).or_default().read = *n;
        }
        for e in &self.entries {
            if !out.contains_key(e.file.as_str()) {
                out.insert(e.file.to_string(), Counts::default());
            }
            let c = out.get_mut(e.file.as_str()).expect("inserted above");
            match e.outcome {
                Outcome::Imported => c.imported += 1,
                Outcome::Merged { .. } => c.merged += 1,
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
            Outcome::Merged {
                into: "a.csv:2".into(),
                rule: "email".into(),
            },
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
