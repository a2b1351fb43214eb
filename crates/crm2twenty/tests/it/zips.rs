//! Exports as they are downloaded: Salesforce's weekly Data Export is one or more zips named
//! `WE_<org id>_<n>.ZIP` (`shared/crm-exports/crm-formats.md`, with its evidence), each holding
//! CSVs named by object and, when asked for, folders of attachments. A folder of those zips, or
//! one zip, is read as the unpacked folder would be.

use crate::util::*;
use std::io::Write;
use std::path::Path;

/// Writes `files` (name in the zip, bytes) into the zip at `path`.
fn zip_of(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
}

fn example_files() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(example("salesforce"))
        .unwrap()
        .map(|e| e.unwrap().path())
        // The CSVs (the folder also holds our notes on the example).
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    // And the attachments and Salesforce Files, in their folders.
    for folder in ["Attachments", "ContentVersion"] {
        for e in std::fs::read_dir(example("salesforce").join(folder)).unwrap() {
            let p = e.unwrap().path();
            files.push((
                format!("{folder}/{}", p.file_name().unwrap().to_string_lossy()),
                std::fs::read(&p).unwrap(),
            ));
        }
    }
    files.sort();
    files
}

/// Every output file of a `migrate` run's folder, by name.
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_salesforce_export_in_two_zips_is_read_as_its_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let o = migrate_into_o(&example("salesforce"), tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let want = outputs(&tmp.path().join("o"));
    assert!(want.len() >= 5, "{want:?}");

    // The export in two parts, the second with an attachments folder, in the Downloads folder.
    let files = example_files();
    let (a, b) = files.split_at(files.len() / 2);
    let downloads = tmp.path().join("Downloads");
    std::fs::create_dir(&downloads).unwrap();
    zip_of(&downloads.join("WE_00D4J000000CuzUUAS_1.ZIP"), a);
    let mut b = b.to_vec();
    b.push((
        "Attachments/00P4J000001AbCdUAK".into(),
        b"%PDF-1.4 contract".to_vec(),
    ));
    zip_of(&downloads.join("WE_00D4J000000CuzUUAS_2.ZIP"), &b);
    let o = run(
        &[
            "migrate",
            "Downloads",
            "--out",
            "z",
            "--as-of",
            "2026-11-24",
        ],
        tmp.path(),
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("unpacked WE_00D4J000000CuzUUAS_1.ZIP, WE_00D4J000000CuzUUAS_2.ZIP"),
        "{err}"
    );
    // The attachments of both parts are in one folder again, the one no row names too.
    let attachments = files
        .iter()
        .filter(|(n, _)| n.starts_with("Attachments/") || n.starts_with("ContentVersion/"))
        .count()
        + 1;
    assert!(
        err.contains(&format!("{attachments} attachment files")),
        "{err}"
    );
    assert!(
        err.contains("2  files in the attachment folders that no row names"),
        "{err}"
    );
    assert_eq!(outputs(&tmp.path().join("z")), want);

    // One zip given directly.
    zip_of(&tmp.path().join("whole.zip"), &files);
    let o = run(
        &[
            "migrate",
            "whole.zip",
            "--out",
            "w",
            "--as-of",
            "2026-11-24",
            "-q",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(outputs(&tmp.path().join("w")), want);
}

#[test]
fn a_zip_that_cannot_be_used_is_said_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("broken.zip"), b"not a zip at all").unwrap();
    let o = run(&["audit", "broken.zip"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("broken.zip cannot be read as a zip"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("hint:"));

    zip_of(
        &tmp.path().join("photos.zip"),
        &[("a.jpg".into(), b"jpg".to_vec())],
    );
    let o = run(&["audit", "photos.zip"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("photos.zip holds no export files"),
        "{}",
        stderr(&o)
    );

    // Two parts holding a file of the same name: both named, nothing guessed.
    let d = tmp.path().join("two");
    std::fs::create_dir(&d).unwrap();
    zip_of(
        &d.join("a.zip"),
        &[("Contact.csv".into(), b"Id\n1\n".to_vec())],
    );
    zip_of(
        &d.join("b.zip"),
        &[("sub/contact.csv".into(), b"Id\n2\n".to_vec())],
    );
    let o = run(&["audit", "two"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("two files are named"), "{err}");
    assert!(
        err.contains("a.zip:Contact.csv") && err.contains("b.zip:sub/contact.csv"),
        "{err}"
    );
}
