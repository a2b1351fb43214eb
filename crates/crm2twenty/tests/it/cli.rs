//! The commands on small exports the tests write: mapping files, errors, rejects, file splits,
//! formula neutralisation and HTML escaping.

use crate::util::*;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A tiny HubSpot-like contacts export.
fn contacts(dir: &Path, rows: &[&str]) {
    let mut text = String::from(
        "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Last Activity Date\n",
    );
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    write(
        dir,
        "hubspot-crm-exports-all-contacts-2026-11-01.csv",
        &text,
    );
}

#[test]
fn init_writes_a_mapping_that_validates_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = example("salesforce");
    let o = run(&["init", ex.to_str().unwrap()], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(tmp.path().join("crm2twenty.toml")).unwrap();
    assert!(text.contains("# crm2twenty mapping"));
    assert!(text.contains("path = \"Account.csv\""));
    assert!(
        text.contains("unused: empty in every row"),
        "unused columns are marked"
    );
    let m = c2t_core::Mapping::from_toml(&text).unwrap();
    assert!(m.validate(&c2t_core::Schema::standard()).is_empty());
    let o = run(&["validate", ex.to_str().unwrap()], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["init", ex.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("already exists") && stderr(&o).contains("hint: pass --force"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_bad_mapping_is_refused_naming_the_place() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = example("salesforce");
    assert!(
        run(&["init", ex.to_str().unwrap()], tmp.path())
            .status
            .success()
    );
    let path = tmp.path().join("crm2twenty.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let bad = text.replacen("field = \"domainName\"", "field = \"domain\"", 1);
    assert_ne!(bad, text);
    std::fs::write(&path, bad).unwrap();
    let o = run(
        &[
            "migrate",
            ex.to_str().unwrap(),
            "--mapping",
            "crm2twenty.toml",
            "--out",
            "o",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("file \"Account.csv\", column \"Website\": `company` has no field `domain`"),
        "{err}"
    );
    assert!(
        !tmp.path().join("o/01-companies.csv").exists(),
        "nothing is written"
    );
    // A syntax error names its line.
    std::fs::write(
        &path,
        text.replacen("transform = \"domain\"", "transform = \"domian\"", 1),
    )
    .unwrap();
    let o = run(&["validate", ex.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("line ") && stderr(&o).contains("domian"),
        "{}",
        stderr(&o)
    );
    // A column the file does not have.
    std::fs::write(
        &path,
        text.replacen("column = \"Website\"", "column = \"Web Site\"", 1),
    )
    .unwrap();
    let o = run(&["validate", ex.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("column \"Web Site\": not in the file's header row"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn not_a_folder_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(&["migrate", "nope"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("error: nope does not exist") && stderr(&o).contains("hint:"),
        "{}",
        stderr(&o)
    );
    std::fs::write(tmp.path().join("Contact.csv"), "Id\n1\n").unwrap();
    let o = run(&["audit", "Contact.csv"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("error: Contact.csv is a file, not a folder")
            && stderr(&o).contains("not one of them"),
        "{}",
        stderr(&o)
    );
    // Nothing was written.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[test]
fn malformed_rows_are_rejected_with_file_and_line_and_the_rest_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = tmp.path().join("ex");
    std::fs::create_dir(&ex).unwrap();
    contacts(
        &ex,
        &[
            "1,Ada,Lovelace,ada@analytical.io,,Analytical,2026-10-01",
            "2,Too,Many,too@many.io,,X,2026-10-01,extra,cells",
            "3,,,,,,",
            "4,Grace,Hopper,grace@navy.mil,,Navy,2026-10-01",
        ],
    );
    let o = run(
        &[
            "migrate",
            "ex",
            "--out",
            "o",
            "--as-of",
            "2026-11-24",
            "--preset",
            "hubspot",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rejects = read_csv(&tmp.path().join("o/rejects.csv"));
    let file = "hubspot-crm-exports-all-contacts-2026-11-01.csv";
    assert_eq!(rejects.len(), 2, "{rejects:?}");
    assert_eq!(
        (rejects[0]["file"].as_str(), rejects[0]["line"].as_str()),
        (file, "3")
    );
    assert!(
        rejects[0]["reason"].contains('9') && rejects[0]["reason"].contains('7'),
        "{rejects:?}"
    );
    assert_eq!(rejects[1]["line"], "4");
    assert!(
        rejects[1]["reason"].contains("nothing to import"),
        "{rejects:?}"
    );
    let people = read_csv(&tmp.path().join("o/02-people.csv"));
    assert_eq!(people.len(), 2);
    let l = ledger(&tmp.path().join("o"));
    assert_eq!(l.len(), 4);
}

#[test]
fn formulas_are_neutralised_and_html_is_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = tmp.path().join("ex");
    std::fs::create_dir(&ex).unwrap();
    contacts(
        &ex,
        &[
            "1,=HYPERLINK(\"http://x\"),Lovelace,ada@analytical.io,,Analytical,2026-10-01",
            "2,<script>alert(1)</script>,Test,test@example.com,,,2026-10-01",
        ],
    );
    let o = run(
        &[
            "migrate",
            "ex",
            "--out",
            "o",
            "--as-of",
            "2026-11-24",
            "--preset",
            "hubspot",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let people = read_csv(&tmp.path().join("o/02-people.csv"));
    assert_eq!(people[0]["Name / First Name"], "'=HYPERLINK(\"http://x\")");
    let html = std::fs::read_to_string(tmp.path().join("o/audit.html")).unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the test row is listed, escaped"
    );
    assert!(!html.contains("<script>"));
}

#[test]
fn large_objects_are_split_into_files_of_the_configured_size() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = tmp.path().join("ex");
    std::fs::create_dir(&ex).unwrap();
    let rows: Vec<String> = (1..=25)
        .map(|i| format!("{i},Person{i},Example,p{i}@acme-corp.io,,Acme,2026-10-01"))
        .collect();
    contacts(&ex, &rows.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        run(&["init", "ex", "--preset", "hubspot"], tmp.path())
            .status
            .success()
    );
    let path = tmp.path().join("crm2twenty.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("max_rows_per_file = 10000", "max_rows_per_file = 10");
    std::fs::write(&path, text).unwrap();
    let o = run(
        &[
            "export",
            "ex",
            "--mapping",
            "crm2twenty.toml",
            "--out",
            "o",
            "--as-of",
            "2026-11-24",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let sizes: Vec<usize> = (1..=3)
        .map(|k| read_csv(&tmp.path().join(format!("o/02-people-{k}.csv"))).len())
        .collect();
    assert_eq!(sizes, [10, 10, 5]);
    assert!(!tmp.path().join("o/02-people-4.csv").exists());
}

#[test]
fn audit_json_goes_to_stdout_for_scripts() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = example("pipedrive");
    let o = run(
        &[
            "audit",
            ex.to_str().unwrap(),
            "--json",
            "--out",
            "o",
            "--as-of",
            "2026-11-24",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["source"], "pipedrive");
    assert!(tmp.path().join("o/audit.html").is_file());
}

#[test]
fn presets_are_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(&["presets"], tmp.path());
    let out = String::from_utf8_lossy(&o.stdout);
    for p in [
        "salesforce",
        "hubspot",
        "pipedrive",
        "zoho",
        "dynamics365",
        "generic",
    ] {
        assert!(out.contains(p), "{out}");
    }
}

/// Typos in a mapping get the name they most likely meant, and every problem its line in the
/// mapping file: objects, relation targets, fields, sub-fields, columns and file paths.
#[test]
fn mapping_typos_get_did_you_mean_and_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    let o = run(&["init", exs, "--out", "m.toml", "-q"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(tmp.path().join("m.toml")).unwrap();
    // One typo of each kind, each on its own line.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut typo = |find: &dyn Fn(&str) -> bool, from: &str, to: &str| -> usize {
        let i = lines.iter().position(|l| find(l)).expect(from);
        lines[i] = lines[i].replacen(from, to, 1);
        i + 1
    };
    let field_line = typo(
        &|l| l.contains("column = \"Email\"") && l.contains("field = \"emails\""),
        "field = \"emails\"",
        "field = \"emial\"",
    );
    let column_line = typo(
        &|l| l.contains("column = \"Title\""),
        "column = \"Title\"",
        "column = \"Titel\"",
    );
    let path_line = typo(
        &|l| l.contains("path = \"Task.csv\""),
        "Task.csv",
        "Tasks.csv",
    );
    let object_line = typo(
        &|l| l.contains("object = \"opportunity\"") && !l.contains("column"),
        "\"opportunity\"",
        "\"oportunity\"",
    );
    std::fs::write(tmp.path().join("t.toml"), lines.join("\n")).unwrap();
    let o = run(&["validate", exs, "--mapping", "t.toml"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for (line, words) in [
        (field_line, "has no field `emial` (did you mean `emails`?)"),
        (
            column_line,
            "column \"Titel\": not in the file's header row (did you mean `Title`?)",
        ),
        (path_line, "file \"Tasks.csv\": no such file in"),
        (object_line, "object `oportunity` is neither"),
    ] {
        let found = err
            .lines()
            .find(|l| l.contains(words))
            .unwrap_or_else(|| panic!("{words}\n{err}"));
        assert!(
            found.starts_with(&format!("  - line {line}: ")),
            "{found} (line {line})"
        );
    }
    assert!(err.contains("(did you mean `Task.csv`?)"), "{err}");
    assert!(err.contains("(did you mean `opportunity`?)"), "{err}");
    // Nothing close: no guess.
    assert_eq!(
        c2t_core::mapping::did_you_mean("zzzz", ["company", "person"]),
        None
    );
}

/// The decisions the tool takes by itself (merges, test data, stale rows) are written to
/// review.csv; a person changes some to `keep`, and the next run given the file honours them
/// and writes them back as kept. A decision it cannot read is named with its line.
#[test]
fn a_review_file_overrides_merges_test_data_and_stale_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    let migrate = |extra: &[&str], out: &str| {
        let mut args = vec!["migrate", exs, "--out", out, "--as-of", "2026-11-24"];
        args.extend_from_slice(extra);
        run(&args, tmp.path())
    };
    let o = migrate(&[], "a");
    assert!(o.status.success(), "{}", stderr(&o));
    let review = std::fs::read_to_string(tmp.path().join("a/review.csv")).unwrap();
    let l = ledger(&tmp.path().join("a"));
    for (file, line, outcome) in [
        ("Account.csv", 4, "merged"),
        ("Account.csv", 14, "skipped"),
        ("Contact.csv", 21, "skipped"),
    ] {
        assert_eq!(
            outcome_word(&outcome_of(&l, file, line)),
            outcome,
            "{file}:{line}"
        );
    }
    // Keep ACME Corp. apart, Orchid Bay (stale) and the contact that looks like test data.
    let edited: String = review
        .lines()
        .map(|row| {
            let keep = [
                "merge,Account.csv,4,",
                "stale,Account.csv,14,",
                "test_data,Contact.csv,21,",
            ]
            .iter()
            .any(|p| row.starts_with(p));
            if keep {
                format!("{},keep", row.rsplit_once(',').unwrap().0)
            } else {
                row.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(tmp.path().join("review.csv"), edited + "\n").unwrap();
    let o = migrate(&["--review", "review.csv"], "b");
    assert!(o.status.success(), "{}", stderr(&o));
    let l = ledger(&tmp.path().join("b"));
    for (file, line) in [("Account.csv", 14), ("Contact.csv", 21)] {
        assert_eq!(
            outcome_word(&outcome_of(&l, file, line)),
            "imported",
            "{file}:{line}"
        );
    }
    // ACME Corp., kept apart, is a record of its own: one with no activity since 2022, so stale.
    assert_eq!(outcome_of(&l, "Account.csv", 4), "skipped stale");
    // The others are as before; the file written again says what was kept.
    assert_eq!(outcome_word(&outcome_of(&l, "Account.csv", 5)), "merged");
    let again = std::fs::read_to_string(tmp.path().join("b/review.csv")).unwrap();
    for row in [
        "merge,Account.csv,4,ACME Corp.,kept by the review,keep",
        "stale,Account.csv,4,ACME Corp.,",
        "stale,Account.csv,14,Orchid Bay Hotels,kept by the review,keep",
        "test_data,Contact.csv,21,Test Test,kept by the review,keep",
    ] {
        assert!(again.contains(row), "{row}:\n{again}");
    }
    // A decision it cannot read stops the run before anything is written, naming its line.
    std::fs::write(
        tmp.path().join("bad.csv"),
        "kind,file,line,record,detail,decision\nstale,Account.csv,14,x,y,perhaps\n",
    )
    .unwrap();
    let o = migrate(&["--review", "bad.csv"], "c");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.csv:2: decision `perhaps`"),
        "{}",
        stderr(&o)
    );
    assert!(!tmp.path().join("c").exists());
}

fn outcome_of(
    l: &std::collections::BTreeMap<(String, u64), (String, String)>,
    file: &str,
    line: u64,
) -> String {
    outcome(l, file, line)
}

fn outcome_word(o: &str) -> String {
    o.split_whitespace().next().unwrap_or_default().to_string()
}
