//! A catalogue of hostile inputs, each run through the real binary, checking the exact message
//! the user gets: it names the file (and line or column where one applies), nothing panics, and
//! every row is accounted for (read or rejected with its file and line). Files are generated
//! here, in a temp dir; none is committed.

use crate::util::*;
use std::path::Path;
use std::process::Output;

/// A fresh export folder `ex` in a temp dir holding one file.
fn export_with(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("ex")).unwrap();
    std::fs::write(tmp.path().join("ex").join(name), bytes).unwrap();
    tmp
}

fn migrate(cwd: &Path) -> Output {
    let o = run(
        &["migrate", "ex", "--out", "o", "--as-of", "2026-11-24"],
        cwd,
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    o
}

/// Rows read = imported + merged + skipped + rejected, per the audit.
fn assert_balanced(cwd: &Path) -> serde_json::Value {
    let a = audit(&cwd.join("o"));
    assert_eq!(a["totals"]["balanced"], true, "{a}");
    a
}

/// A HubSpot contacts header (the `Record ID` makes it people, not users).
const PEOPLE: &str = "Record ID,First Name,Last Name,Email,Company Name\n";

#[test]
fn an_empty_file_is_named_as_unreadable_and_the_run_says_so() {
    let tmp = export_with("contacts.csv", b"");
    let o = migrate(tmp.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unreadable: ex/contacts.csv is empty: no header row found"),
        "{}",
        stderr(&o)
    );
    let mapping = std::fs::read_to_string(tmp.path().join("o/mapping.toml")).unwrap();
    assert!(
        mapping.contains("object = \"skip\"   # unreadable: ex/contacts.csv is empty"),
        "{mapping}"
    );
}

#[test]
fn a_header_only_file_reads_zero_rows() {
    let tmp = export_with("contacts.csv", PEOPLE.as_bytes());
    let o = migrate(tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("contacts.csv"), "{}", stderr(&o));
    let a = assert_balanced(tmp.path());
    assert_eq!(a["totals"]["read"], 0);
}

#[test]
fn duplicate_headers_are_renamed_and_reported_with_their_columns() {
    let tmp = export_with(
        "contacts.csv",
        b"Record ID,First Name,Email,Email,Last Name\n1,Ada,ada@acme-corp.io,ada2@acme-corp.io,Lovelace\n",
    );
    let o = migrate(tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let a = assert_balanced(tmp.path());
    let warnings = a["files"][0]["warnings"].to_string();
    assert!(
        warnings.contains(
            r#"duplicate header \"Email\" in columns 3 and 4: column 4 renamed \"Email (2)\""#
        ),
        "{warnings}"
    );
    assert_eq!(a["totals"]["imported"], 1);
}

#[test]
fn ten_thousand_columns_are_read_in_reasonable_time() {
    let cols = 10_000;
    let mut text = String::from("Record ID,First Name,Last Name,Email");
    for i in 5..=cols {
        text.push_str(&format!(",Extra {i}"));
    }
    text.push_str("\n1,Ada,Lovelace,ada@acme-corp.io");
    for _ in 5..=cols {
        text.push_str(",x");
    }
    text.push('\n');
    let tmp = export_with("contacts.csv", text.as_bytes());
    let t = std::time::Instant::now();
    let o = migrate(tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Debug build: about 30 s today (the pipeline is quadratic in mapped columns); 2 minutes is
    // the bound that says "not hung".
    assert!(t.elapsed().as_secs() < 120, "took {:?}", t.elapsed());
    let a = assert_balanced(tmp.path());
    assert_eq!(a["totals"]["imported"], 1);
}

#[test]
fn a_fifty_megabyte_cell_is_read_and_kept() {
    let big = "y".repeat(50 * 1024 * 1024);
    let text = format!(
        "Record ID,First Name,Last Name,Email,Notes\n1,Ada,Lovelace,ada@acme-corp.io,\"{big}\"\n2,Grace,Hopper,grace@navy.mil,short\n"
    );
    let tmp = export_with("contacts.csv", text.as_bytes());
    drop(text);
    let o = migrate(tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let a = assert_balanced(tmp.path());
    assert_eq!(a["totals"]["read"], 2);
    assert_eq!(a["totals"]["imported"], 2);
}

#[test]
fn nul_bytes_reject_their_row_with_file_and_line() {
    let tmp = export_with(
        "contacts.csv",
        format!("{PEOPLE}1,Ada,Lovelace,ada@acme-corp.io,Acme\n2,Gr\0ace,Hopper,grace@navy.mil,Navy\n3,Alan,Turing,alan@bletchley.uk,Bletchley\n").as_bytes(),
    );
    let o = migrate(tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rejects = read_csv(&tmp.path().join("o/rejects.csv"));
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!(
        (
            rejects[0]["file"].as_str(),
            rejects[0]["line"].as_str(),
            rejects[0]["reason"].as_str()
        ),
        (
            "contacts.csv",
            "3",
            "contains NUL (0x00) bytes, which text fields cannot store (binary data in a cell?)"
        )
    );
    let a = assert_balanced(tmp.path());
    assert_eq!(a["totals"]["imported"], 2);
}

#[test]
fn mixed_encodings_reject_the_odd_lines_and_keep_the_rest_intact() {
    let mut bytes = PEOPLE.as_bytes().to_vec();
    bytes.extend_from_slice("1,Zoë,Martin,zoe@acme-corp.io,Acme\n".as_bytes());
    bytes.extend_from_slice("2,Chloé,Durand,chloe@acme-corp.io,Acme\n".as_bytes());
    bytes.extend_from_slice(b"3,Ren\xe9,Dupont,rene@acme-corp.io,Acme\n");
    let tmp = export_with("contacts.csv", &bytes);
    let o = migrate(tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rejects = read_csv(&tmp.path().join("o/rejects.csv"));
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!(
        (rejects[0]["line"].as_str(), rejects[0]["reason"].as_str()),
        ("4", "undecodable bytes (not valid UTF-8) in this row")
    );
    let people = read_csv(&tmp.path().join("o/02-people.csv"));
    find(&people, "Name / First Name", "Zoë");
    find(&people, "Name / First Name", "Chloé");
    assert_balanced(tmp.path());
}

#[test]
fn a_workbook_with_formulas_and_merged_cells_reads_cached_values() {
    use rust_xlsxwriter::{Format, Formula, Workbook};
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("ex")).unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "First Name",
        "Last Name",
        "Email",
        "Company Name",
        "Record ID",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 4, 1.0).unwrap();
    ws.write_number(2, 4, 2.0).unwrap();
    ws.write_string(1, 0, "Ada").unwrap();
    ws.write_string(1, 1, "Lovelace").unwrap();
    ws.write_formula(
        1,
        2,
        Formula::new("=LOWER(\"ADA@ACME-CORP.IO\")").set_result("ada@acme-corp.io"),
    )
    .unwrap();
    ws.merge_range(1, 3, 2, 3, "Acme", &Format::new()).unwrap();
    ws.write_string(2, 0, "Grace").unwrap();
    ws.write_string(2, 1, "Hopper").unwrap();
    ws.write_string(2, 2, "grace@navy.mil").unwrap();
    wb.save(
        tmp.path()
            .join("ex/hubspot-crm-exports-all-contacts-2026-11-01.xlsx"),
    )
    .unwrap();
    let o = migrate(tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        tmp.path().join("o/02-people.csv").exists(),
        "{}",
        stderr(&o)
    );
    let people = read_csv(&tmp.path().join("o/02-people.csv"));
    assert_eq!(people.len(), 2, "{people:?}");
    let ada = find(&people, "Emails / Primary Email", "ada@acme-corp.io");
    assert_eq!(ada["Name / First Name"], "Ada");
    assert_balanced(tmp.path());
}

#[test]
fn a_png_or_a_zip_named_csv_is_refused_by_what_it_is() {
    let tmp = export_with("contacts.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let o = migrate(tmp.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "unreadable: ex/contacts.csv is not a CSV or spreadsheet file: it is a PNG image"
        ),
        "{}",
        stderr(&o)
    );
    // A zip archive (here: one text file) that is not a workbook.
    let mut zip = std::io::Cursor::new(Vec::new());
    {
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet();
        wb.save_to_writer(&mut zip).unwrap();
    }
    let mut bytes = zip.into_inner();
    // Break every entry name so it is a zip of something else.
    for w in [&b"xl/"[..], b"[Content_Types].xml"] {
        while let Some(p) = bytes.windows(w.len()).position(|x| x == w) {
            bytes[p] = b'q';
        }
    }
    let tmp = export_with("contacts.csv", &bytes);
    let o = migrate(tmp.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "unreadable: ex/contacts.csv is not a CSV or spreadsheet file: it is a zip archive, not an .xlsx or .ods workbook; extract the CSV files inside it"
        ),
        "{}",
        stderr(&o)
    );
}

const MAPPING: &str = r#"
version = 1
source = "generic"

[[file]]
path = "contacts.csv"
object = "person"
columns = [
  { column = "First Name", field = "name.firstName", transform = "text" },
  { column = "Email", field = "emails", transform = "email" },
  { column = "Company Name", field = "company", transform = "relation", object = "company", by = "name" },
]
"#;

fn validate(mapping: &str) -> Output {
    let tmp = export_with(
        "contacts.csv",
        format!("{PEOPLE}1,Ada,Lovelace,ada@acme-corp.io,Acme\n").as_bytes(),
    );
    std::fs::write(tmp.path().join("m.toml"), mapping).unwrap();
    let o = run(&["validate", "ex", "--mapping", "m.toml"], tmp.path());
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    o
}

#[test]
fn a_good_mapping_validates() {
    let o = validate(MAPPING);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "m.toml: valid (1 files)\n");
}

#[test]
fn every_kind_of_mapping_mistake_is_named_with_its_place() {
    let cases: &[(&str, &str, &str)] = &[
        // Bad TOML: an unclosed string.
        (
            "object = \"person\"",
            "object = \"person",
            "error: m.toml: line 7, column 17: invalid basic string, expected `\"`",
        ),
        // Unknown transform.
        (
            "transform = \"email\"",
            "transform = \"e-mail\"",
            "error: m.toml: line 10, column 53: unknown value `e-mail`, expected one of `id`, `text`",
        ),
        // Relation by an unknown key.
        (
            "by = \"name\"",
            "by = \"phone\"",
            "error: m.toml: line 11, column 98: unknown value `phone`, expected one of `source_id`, `name`, `email`, `domain`",
        ),
        // Unknown key in a column.
        (
            "transform = \"text\"",
            "transfrom = \"text\"",
            "error: m.toml: line 9, column 54: unknown field `transfrom`, expected one of `column`, `field`, `transform`",
        ),
        // Unknown object.
        (
            "object = \"person\"",
            "object = \"persn\"",
            "  - line 7: file \"contacts.csv\": object `persn` is neither a Twenty standard object (company, person, opportunity, note, task, workspaceMember, attachment) nor a [[custom_object]] of this mapping (did you mean `person`?)",
        ),
        // Unknown field.
        (
            "field = \"emails\"",
            "field = \"email\"",
            "  - line 10: file \"contacts.csv\", column \"Email\": `person` has no field `email` (did you mean `emails`?); name one of: ",
        ),
        // A relation to an unknown object.
        (
            "object = \"company\"",
            "object = \"compagny\"",
            "  - line 11: file \"contacts.csv\", column \"Company Name\": relation to unknown object `compagny` (did you mean `company`?)",
        ),
        // A column the file does not have.
        (
            "column = \"Email\"",
            "column = \"E-mail\"",
            "  - line 10: file \"contacts.csv\", column \"E-mail\": not in the file's header row (did you mean `Email`?)",
        ),
        // A file the folder does not have.
        (
            "path = \"contacts.csv\"",
            "path = \"contact.csv\"",
            "  - line 6: file \"contact.csv\": no such file in ex (did you mean `contacts.csv`?)",
        ),
    ];
    let mut wrong = Vec::new();
    for (from, to, expected) in cases {
        let bad = MAPPING.replacen(from, to, 1);
        assert_ne!(bad, MAPPING, "{from}");
        let o = validate(&bad);
        if o.status.code() != Some(2) || !stderr(&o).contains(expected) {
            wrong.push(format!("{to}: {:?} {}", o.status.code(), stderr(&o)));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn mapping_paths_may_not_leave_the_export_folder() {
    for (path, expected) in [
        (
            "../../etc/passwd",
            "file \"../../etc/passwd\": leads out of the export folder (`..`); give the path relative to the export folder (e.g. \"Account.csv\")",
        ),
        (
            "/etc/passwd",
            "file \"/etc/passwd\": is an absolute path; give the path relative to the export folder (e.g. \"Account.csv\")",
        ),
    ] {
        let bad = MAPPING.replacen("contacts.csv", path, 1);
        let o = validate(&bad);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{}", stderr(&o));
        // The file is never opened: nothing of it is quoted back.
        assert!(!stderr(&o).contains("root"), "{}", stderr(&o));
        assert!(!stderr(&o).contains("header row"), "{}", stderr(&o));
        // migrate refuses it too, before writing anything.
        let tmp = export_with("contacts.csv", PEOPLE.as_bytes());
        std::fs::write(tmp.path().join("m.toml"), &bad).unwrap();
        let o = run(
            &["migrate", "ex", "--mapping", "m.toml", "--out", "o"],
            tmp.path(),
        );
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{}", stderr(&o));
        assert!(!tmp.path().join("o/ledger.csv").exists());
    }
}
