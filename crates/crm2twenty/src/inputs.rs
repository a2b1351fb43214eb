//! Export folders as users have them: a folder of files, a `.zip` (Salesforce's weekly Data
//! Export comes as `WE_<org id>_<n>.ZIP`, in several parts; Zoho's backups and monday's account
//! exports are zips too: `shared/crm-exports/crm-formats.md`), several zips given one after the
//! other in a folder, or a folder of them. Zips are unpacked into one temporary folder that
//! lives as long as the command; the files the pipeline reads (`.csv`, `.xlsx`…) are taken from
//! any depth, by their name, attachment folders (`Attachments/`, `ContentVersion/`…) keep their
//! files under their folder's name, and everything else is counted and said, never dropped
//! silently.

use crate::commands::user;
use c2t_pipeline::detect::EXTENSIONS;
use std::path::{Path, PathBuf};

/// An export folder ready to read, and the temporary folder behind it when it was unpacked.
pub struct Input {
    pub dir: PathBuf,
    _unpacked: Option<tempfile::TempDir>,
}

fn has_ext(p: &Path, exts: &[&str]) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// `path` as a folder to read: itself, or its zips unpacked (a zip given, or a folder holding
/// zips and no export files of its own). Says on stderr what was unpacked unless `quiet`.
pub fn open(path: &Path, quiet: bool) -> anyhow::Result<Input> {
    let zips: Vec<PathBuf> = if path.is_file() && has_ext(path, &["zip"]) {
        vec![path.to_path_buf()]
    } else if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        let zips: Vec<PathBuf> = files
            .iter()
            .filter(|p| has_ext(p, &["zip"]))
            .cloned()
            .collect();
        if files.iter().any(|p| has_ext(p, EXTENSIONS)) {
            if !zips.is_empty() && !quiet {
                for z in &zips {
                    eprintln!(
                        "note: {} is not read: the folder has export files of its own (give the zip itself to read it)",
                        z.display()
                    );
                }
            }
            Vec::new()
        } else {
            zips
        }
    } else {
        Vec::new()
    };
    if zips.is_empty() {
        return Ok(Input {
            dir: path.to_path_buf(),
            _unpacked: None,
        });
    }
    let tmp = tempfile::Builder::new()
        .prefix("crm2twenty-unpacked-")
        .tempdir()
        .map_err(|e| anyhow::anyhow!("cannot create a temporary folder to unpack into: {e}"))?;
    // Where each unpacked file came from, to name both of a clash.
    let mut origin: std::collections::BTreeMap<String, String> = Default::default();
    let mut other = 0usize;
    let mut attachments = 0usize;
    for zip in &zips {
        let bad = |e: &dyn std::fmt::Display| {
            user(
                format!("{} cannot be read as a zip: {e}", zip.display()),
                Some("download it again, or unpack it and give the folder"),
            )
        };
        let file = std::fs::File::open(zip).map_err(|e| bad(&e))?;
        let mut archive =
            zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| bad(&e))?;
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).map_err(|e| bad(&e))?;
            if entry.is_dir() {
                continue;
            }
            // `enclosed_name` refuses absolute paths and `..` (nothing is written outside).
            let Some(inner) = entry.enclosed_name() else {
                other += 1;
                continue;
            };
            let Some(name) = inner
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                other += 1;
                continue;
            };
            // Attachment files keep their folder (`Attachments/<id>`), wherever it is in the
            // zip: the attachment rows name them by it. The parts of an export each hold some.
            if let Some(rel) =
                c2t_pipeline::attach::from_attachment_folder(&inner.to_string_lossy())
            {
                let here = format!("{}:{}", zip.display(), inner.display());
                if let Some(first) = origin.get(&rel.to_lowercase()) {
                    return Err(user(
                        format!("two files are named {rel}: {first} and {here}"),
                        Some(
                            "unpack the zips and keep one of them, or give them as separate exports",
                        ),
                    ));
                }
                origin.insert(rel.to_lowercase(), here);
                let target = tmp.path().join(&rel);
                if let Some(dir) = target.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| anyhow::anyhow!("cannot unpack {rel}: {e}"))?;
                }
                let mut out = std::fs::File::create(&target)
                    .map_err(|e| anyhow::anyhow!("cannot unpack {rel}: {e}"))?;
                std::io::copy(&mut entry, &mut out).map_err(|e| bad(&e))?;
                attachments += 1;
                continue;
            }
            // Export files, and the members file that may travel with them.
            let members = name.eq_ignore_ascii_case("members.json");
            if (!has_ext(&inner, EXTENSIONS) && !members) || name.starts_with('.') {
                other += 1;
                continue;
            }
            let here = format!("{}:{}", zip.display(), inner.display());
            if let Some(first) = origin.get(&name.to_lowercase()) {
                return Err(user(
                    format!("two files are named {name}: {first} and {here}"),
                    Some("unpack the zips and keep one of them, or give them as separate exports"),
                ));
            }
            origin.insert(name.to_lowercase(), here);
            let mut out = std::fs::File::create(tmp.path().join(&name))
                .map_err(|e| anyhow::anyhow!("cannot unpack {name}: {e}"))?;
            std::io::copy(&mut entry, &mut out).map_err(|e| bad(&e))?;
        }
    }
    if origin.len() == attachments {
        return Err(user(
            format!(
                "{} holds no export files (.csv, .xlsx, .xls, .ods)",
                zips.iter()
                    .map(|z| z.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some("give the zip of the CRM's data export, or the folder of its files"),
        ));
    }
    if !quiet {
        let names: Vec<String> = zips
            .iter()
            .map(|z| {
                z.file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default()
            })
            .collect();
        eprintln!(
            "unpacked {}: {} export files{}{}",
            names.join(", "),
            origin.len() - attachments,
            if attachments > 0 {
                format!(", {attachments} attachment files")
            } else {
                String::new()
            },
            if other > 0 {
                format!("; {other} other files not read")
            } else {
                String::new()
            }
        );
    }
    Ok(Input {
        dir: tmp.path().to_path_buf(),
        _unpacked: Some(tmp),
    })
}
