//! Helpers: run the binary hermetically, read its CSV outputs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn example(name: &str) -> PathBuf {
    repo().join("examples").join(name)
}

/// Runs the binary with a clean environment (no colour, a fixed HOME).
pub fn run(args: &[&str], cwd: &Path) -> Output {
    run_env(args, cwd, &[])
}

/// [`run`] with these environment variables set too.
pub fn run_env(args: &[&str], cwd: &Path, env: &[(&str, &Path)]) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("crm2twenty").unwrap();
    cmd.current_dir(cwd)
        .env_clear()
        .env("HOME", cwd)
        .env("NO_COLOR", "1")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// `migrate DIR --out o --as-of 2026-11-24` in `cwd`, no workspace: the local job on an export
/// folder, with staleness measured from a fixed date.
pub fn migrate_into_o(dir: &Path, cwd: &Path) -> Output {
    run(
        &[
            "migrate",
            dir.to_str().unwrap(),
            "--out",
            "o",
            "--as-of",
            "2026-11-24",
        ],
        cwd,
    )
}

/// `migrate DIR --mapping MAPPING --out o` in `cwd`.
pub fn migrate_mapped_into_o(dir: &Path, mapping: &Path, cwd: &Path) -> Output {
    run(
        &[
            "migrate",
            dir.to_str().unwrap(),
            "--mapping",
            mapping.to_str().unwrap(),
            "--out",
            "o",
        ],
        cwd,
    )
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// A CSV file as rows of header → value.
pub fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

pub fn headers(path: &Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.headers().unwrap().iter().map(str::to_string).collect()
}

/// The ledger as (file, line) → (outcome, detail).
pub fn ledger(out: &Path) -> BTreeMap<(String, u64), (String, String)> {
    let mut m = BTreeMap::new();
    for row in read_csv(&out.join("ledger.csv")) {
        let key = (row["file"].clone(), row["line"].parse().unwrap());
        let prev = m.insert(key.clone(), (row["outcome"].clone(), row["detail"].clone()));
        assert!(prev.is_none(), "{key:?} has two outcomes in the ledger");
    }
    m
}

pub fn outcome(l: &BTreeMap<(String, u64), (String, String)>, file: &str, line: u64) -> String {
    l.get(&(file.to_string(), line))
        .map(|(o, d)| format!("{o} {d}").trim().to_string())
        .unwrap_or_else(|| panic!("{file}:{line} not in the ledger"))
}

/// Rows of a CSV file counted independently of the tool: records of the csv crate (any
/// delimiter given), blank lines not counted.
pub fn count_records(path: &Path, delimiter: u8) -> u64 {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_path(path)
        .unwrap();
    r.byte_records()
        .filter(|rec| {
            rec.as_ref()
                .map(|x| x.iter().any(|c| !c.is_empty()))
                .unwrap_or(true)
        })
        .count() as u64
}

/// Finds the row whose column holds the value.
pub fn find<'a>(
    rows: &'a [BTreeMap<String, String>],
    column: &str,
    value: &str,
) -> &'a BTreeMap<String, String> {
    rows.iter()
        .find(|r| r.get(column).map(String::as_str) == Some(value))
        .unwrap_or_else(|| panic!("no row with {column} = {value}"))
}

pub fn audit(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("audit.json")).unwrap()).unwrap()
}

/// Copies the folder `from` into `to` (created), sub-folders included (an export's attachment
/// folders).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
