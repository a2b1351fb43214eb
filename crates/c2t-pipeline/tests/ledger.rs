//! The ledger always balances: whatever the rows of an export (valid, duplicated, ragged, empty,
//! test data, stale, NUL bytes, broken quotes, blank lines), every row read gets exactly one
//! outcome, and every row the reader rejects is in `rejects` with its file and line.

use c2t_core::Mapping;
use c2t_pipeline::job::{self, Options};
use proptest::prelude::*;
use std::collections::BTreeMap;

const MAPPING: &str = r#"
version = 1
source = "generic"
[settings]
as_of = "2026-11-24"
[[file]]
path = "companies.csv"
object = "company"
id_column = "Id"
activity_column = "Last Activity"
columns = [
  { column = "Id", transform = "id" },
  { column = "Name", field = "name", transform = "text" },
  { column = "Website", field = "domainName", transform = "domain" },
]
[[file]]
path = "people.csv"
object = "person"
id_column = "Id"
activity_column = "Last Activity"
columns = [
  { column = "Id", transform = "id" },
  { column = "Name", field = "name", transform = "full_name" },
  { column = "Email", field = "emails", transform = "email" },
  { column = "Company", field = "company", transform = "relation", object = "company", by = "name" },
]
"#;

const NAMES: [&str; 6] = ["Acme", "ACME Inc", "Summit", "", "test", "Kestrel GmbH"];
const SITES: [&str; 5] = ["", "acme.com", "www.acme.com", "summit.io", "not a site"];
const PEOPLE: [&str; 5] = ["Ada Lovelace", "", "Grace Hopper", "asdf", "Lovelace, Ada"];
const EMAILS: [&str; 6] = [
    "ada@acme.com",
    "ADA@acme.com",
    "",
    "grace@summit.io",
    "bad@",
    "x@example.com",
];
const DATES: [&str; 3] = ["2026-10-01", "2001-01-01", ""];

/// One line of a file: a well-formed row built from the pools, or one of the ways rows break.
fn line(cols: usize) -> impl Strategy<Value = String> {
    let good = (0usize..8, 0usize..6, 0usize..6, 0usize..3).prop_map(move |(id, a, b, d)| {
        if cols == 4 {
            format!("c{id},{},{},{}", NAMES[a], SITES[b % 5], DATES[d])
        } else {
            format!(
                "p{id},{},{},{},{}",
                PEOPLE[a % 5],
                EMAILS[b],
                NAMES[(a + b) % 6],
                DATES[d]
            )
        }
    });
    prop_oneof![
        6 => good,
        1 => Just(String::new()),
        1 => Just("x,y".to_string()),
        1 => Just("a,b,c,d,e,f,g".to_string()),
        1 => Just("n\0,u,l,l,!".to_string()),
        1 => Just("\"broken,quote".to_string()),
        1 => Just("\"multi\nline\",2,3,4".to_string()),
    ]
}

fn file(header: &'static str, cols: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(line(cols), 0..25).prop_map(move |lines| {
        let mut text = format!("{header}\n");
        for l in lines {
            text.push_str(&l);
            text.push('\n');
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn the_ledger_always_balances(
        companies in file("Id,Name,Website,Last Activity", 4),
        people in file("Id,Name,Email,Company,Last Activity", 5),
    ) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("companies.csv"), &companies).unwrap();
        std::fs::write(dir.path().join("people.csv"), &people).unwrap();
        let mapping = Mapping::from_toml(MAPPING).unwrap();
        let p = job::prepare(dir.path(), mapping, &Options::default()).unwrap();
        let totals = p.ledger.totals();
        prop_assert!(totals.balances(), "{:?}; {:?}", totals, p.ledger.unbalanced_files());
        prop_assert!(p.ledger.unbalanced_files().is_empty());
        // One outcome per (file, line), and rows read = outcomes, per file.
        let mut per_line: BTreeMap<(&str, u64), usize> = BTreeMap::new();
        for e in &p.ledger.entries {
            *per_line.entry((&*e.file, e.line)).or_default() += 1;
        }
        prop_assert!(per_line.values().all(|&n| n == 1), "{:?}", per_line);
        for (f, n) in &p.ledger.read {
            let entries = p.ledger.entries.iter().filter(|e| *e.file == **f).count() as u64;
            prop_assert_eq!(*n, entries, "{}", f);
        }
        // Every reject has its file and line, and is in the ledger as rejected.
        for r in &p.rejects {
            let e = p.ledger.entries.iter().find(|e| *e.file == *r.file && e.line == r.line);
            prop_assert!(e.is_some_and(|e| e.outcome.kind() == "rejected"), "{:?}", r);
        }
        // A file the reader refuses as a whole (a tiny file with a NUL in more than 1 % of its
        // bytes is binary data) has no rows read, and says why.
        for f in p.files.iter().filter(|f| f.error.is_some()) {
            prop_assert_eq!(p.ledger.read.get(&f.path).copied().unwrap_or(0), 0);
            prop_assert!(f.error.as_deref().unwrap_or("").contains(&f.path));
        }
    }
}
