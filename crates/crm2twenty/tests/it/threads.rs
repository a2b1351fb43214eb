//! The local job cleans, links and writes on several threads, and keeps the records' values in
//! memory or in a temporary file. These tests check that the output is the same on every run,
//! wherever the values wait, and keeps the order of the source rows, on an export large enough
//! to be split into many batches and halves.

use crate::util::{read_csv, run_env, stderr};
use std::path::Path;

/// Every file of `dir`, by name, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn migrate_gives_the_same_bytes_every_run_in_source_order() {
    let tmp = tempfile::tempdir().unwrap();
    let export = tmp.path().join("export");
    let cfg = c2t_bench::synth::Config {
        people: 5_000,
        companies: 500,
        seed: 7,
        long_notes: 1,
    };
    c2t_bench::synth::generate(&cfg, &export, |_, _| {}).unwrap();
    let spool = tmp.path().join("spool");
    std::fs::create_dir(&spool).unwrap();
    let migrate = |out: &str, env: &[(&str, &Path)]| {
        let o = run_env(
            &[
                "migrate",
                export.to_str().unwrap(),
                "--out",
                out,
                "--as-of",
                "2026-11-24",
                "-q",
            ],
            tmp.path(),
            env,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        files(&tmp.path().join(out))
    };
    let first = migrate("one", &[]);
    // Every record's values through the temporary file this time (none kept in memory).
    let second = migrate(
        "two",
        &[
            ("C2T_SPOOL_MEMORY_MB", Path::new("0")),
            ("TMPDIR", spool.as_path()),
        ],
    );
    assert!(
        std::fs::read_dir(&spool).unwrap().next().is_none(),
        "the temporary file is gone once the run ends"
    );
    assert!(
        first.len() > 5,
        "{:?}",
        first.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, a), (name2, b)) in first.iter().zip(&second) {
        assert_eq!(name, name2);
        assert!(a == b, "{name} differs between two runs");
    }
    assert_eq!(first.len(), second.len());

    // People come out in the order of their rows in Contact.csv (5 000 rows: five batches,
    // cleaned on two threads, linked and written in halves). Their ids are UUID v5 of the
    // source id, as `export::record_id` makes them.
    let id_of = |sf_id: &str| {
        let key = format!("salesforce|person|id:{sf_id}");
        uuid::Uuid::new_v5(&c2t_pipeline::export::ID_NAMESPACE, key.as_bytes()).to_string()
    };
    let row_of: std::collections::HashMap<String, usize> = read_csv(&export.join("Contact.csv"))
        .iter()
        .enumerate()
        .map(|(i, r)| (id_of(r["Id"].trim()), i))
        .collect();
    let people = read_csv(&tmp.path().join("one/02-people.csv"));
    assert!(people.len() > 4_000, "{} people", people.len());
    let rows: Vec<usize> = people
        .iter()
        .map(|p| {
            *row_of
                .get(&p["Id"])
                .unwrap_or_else(|| panic!("{} is no contact", p["Id"]))
        })
        .collect();
    assert!(
        rows.windows(2).all(|w| w[0] < w[1]),
        "people are not in the order of their source rows"
    );
}
