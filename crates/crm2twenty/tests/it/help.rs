//! Snapshots of the command line's own words: every `--help` and the answers to common
//! mistakes, compared with `tests/snapshots/*.txt` (run with `UPDATE_SNAPSHOTS=1` to rewrite them
//! after a deliberate change, then read the diff). Beside the snapshots, rules every help must
//! keep: each argument and option described, examples, environment values never printed.

use crate::util::*;
use std::path::{Path, PathBuf};

const COMMANDS: &[&str] = &[
    "migrate", "init", "audit", "export", "validate", "check", "import", "plan", "verify",
    "rollback", "runs", "report", "presets",
];

fn snapshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Compares `text` with the snapshot `name`; rewrites it when UPDATE_SNAPSHOTS is set.
fn check_snapshot(name: &str, text: &str) -> Result<(), String> {
    let path = snapshots().join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(snapshots()).unwrap();
        std::fs::write(&path, text).unwrap();
        return Ok(());
    }
    let want = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e} (UPDATE_SNAPSHOTS=1 writes it)", path.display()))?;
    if want == text {
        Ok(())
    } else {
        Err(format!(
            "{name} changed (UPDATE_SNAPSHOTS=1 rewrites it):\n--- snapshot\n{want}\n--- now\n{text}"
        ))
    }
}

/// Lines of a help that name an argument or option with no description after it, on the same
/// line or indented below.
fn undescribed(help: &str) -> Vec<String> {
    let lines: Vec<&str> = help.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        let indent = l.len() - t.len();
        if indent != 2 || !(t.starts_with('-') || t.starts_with('<') || t.starts_with('[')) {
            continue;
        }
        let same_line = t.contains("  ") && !t.trim_end().ends_with('>');
        let same_line = same_line || t.split("  ").filter(|p| !p.trim().is_empty()).count() > 1;
        let below = lines
            .get(i + 1)
            .is_some_and(|n| n.len() - n.trim_start().len() > 4 && !n.trim().is_empty());
        if !same_line && !below {
            out.push(l.to_string());
        }
    }
    out
}

#[test]
fn every_help_describes_every_argument_and_gives_examples() {
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut all: Vec<Vec<&str>> = vec![vec!["--help"]];
    all.extend(COMMANDS.iter().map(|c| vec![*c, "--help"]));
    for args in &all {
        // TWENTY_API_URL set: its value must not be printed.
        let mut cmd = assert_cmd::Command::cargo_bin("crm2twenty").unwrap();
        let o = cmd
            .current_dir(tmp.path())
            .env_clear()
            .env("NO_COLOR", "1")
            .env("TWENTY_API_URL", "https://secret-host.example")
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}");
        let help = String::from_utf8_lossy(&o.stdout).to_string();
        let name = if args.len() == 1 { "help" } else { args[0] };
        for l in undescribed(&help) {
            failures.push(format!("{name}: undescribed: {l}"));
        }
        if !help.contains("\nExamples:\n  crm2twenty ") {
            failures.push(format!("{name}: no examples"));
        }
        if help.contains("secret-host") || help.contains("[env: TWENTY_API_URL=") {
            failures.push(format!("{name}: prints the environment's value"));
        }
        if let Err(e) = check_snapshot(&format!("help-{name}"), &help) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The rule above can fail: an argument without a description is caught.
#[test]
fn an_undescribed_argument_is_caught() {
    let help = "Arguments:\n  <EXPORT_DIR>  \n\nOptions:\n      --out <OUT>\n          Where\n  -q, --quiet  Print less\n  --json\n\n";
    assert_eq!(undescribed(help), vec!["  <EXPORT_DIR>  ", "  --json"]);
}

/// Common mistakes get one sentence, a hint, exit 2 and nothing written; their words are
/// snapshots too.
#[test]
fn mistakes_get_a_sentence_and_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("Contact.csv"), "Id\n1\n").unwrap();
    std::fs::write(tmp.path().join("key.txt"), "not-a-real-key\n").unwrap();
    let cases: &[(&str, &[&str])] = &[
        ("error-missing-folder", &["migrate", "nope"]),
        ("error-file-not-folder", &["audit", "Contact.csv"]),
        ("error-import-without-url", &["import", "."]),
        (
            "error-rollback-without-state",
            &["rollback", "--state", "missing.sqlite"],
        ),
        ("error-unknown-command", &["frobnicate"]),
        ("error-missing-argument", &["audit"]),
        (
            "error-plain-http-lan",
            &[
                "check",
                ".",
                "--api-url",
                "http://192.168.1.5:3000",
                "--api-key-file",
                "key.txt",
            ],
        ),
    ];
    let mut failures = Vec::new();
    for (name, args) in cases {
        let o = run(args, tmp.path());
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        if o.status.code() != Some(2) {
            failures.push(format!("{name}: exit {:?}\n{err}", o.status.code()));
        }
        if !err.contains("hint:") && !err.contains("Usage:") {
            failures.push(format!("{name}: no hint\n{err}"));
        }
        if let Err(e) = check_snapshot(name, &err) {
            failures.push(e);
        }
    }
    // Nothing was created by any of them.
    let left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    let mut left = left;
    left.sort();
    assert_eq!(left, ["Contact.csv", "key.txt"]);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
