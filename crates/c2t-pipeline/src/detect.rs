//! Finds the export files in a folder and recognises them: which CRM wrote them (the preset) and
//! which Twenty object each file holds. Recognition is by header signature and file name, as the
//! presets describe; nothing here is specific to one CRM.

use c2t_core::Preset;
use c2t_core::preset::{PresetObject, glob_match};
use c2t_ingest::ReadOptions;
use std::path::{Path, PathBuf};

/// File endings read as exports.
pub const EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods"];

/// One export file found in the folder.
#[derive(Debug, Clone)]
pub struct Found {
    /// Path relative to the export folder, with `/` separators.
    pub rel: String,
    pub path: PathBuf,
    pub headers: Vec<String>,
}

/// A file and the preset object it was recognised as (None when nothing fits).
#[derive(Debug, Clone)]
pub struct Recognised<'p> {
    pub file: Found,
    pub object: Option<&'p PresetObject>,
}

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("cannot read the export folder {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("no export files (.csv, .tsv, .txt, .xlsx, .xls, .ods) in {0}")]
    NoFiles(String),
    #[error("{0}")]
    Read(#[from] c2t_ingest::IngestError),
}

/// Lists the export files under `dir` (sub-folders included, hidden entries skipped), sorted.
pub fn find_files(dir: &Path) -> Result<Vec<Found>, DetectError> {
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    if out.is_empty() {
        return Err(DetectError::NoFiles(dir.display().to_string()));
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<Found>) -> Result<(), DetectError> {
    let entries = std::fs::read_dir(dir).map_err(|source| DetectError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') || name.starts_with('~') {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out)?;
            continue;
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if !EXTENSIONS.contains(&ext.as_str()) {
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect::<Vec<_>>()
            .join("/");
        out.push(Found {
            rel,
            path,
            headers: Vec::new(),
        });
    }
    Ok(())
}

/// Reads the header row of every file; a file that cannot be read is returned as an error entry
/// so the caller can report it without stopping.
pub fn read_headers(files: &mut [Found]) -> Vec<(String, c2t_ingest::IngestError)> {
    let mut failed = Vec::new();
    for f in files.iter_mut() {
        match c2t_ingest::headers_of(&f.path, &ReadOptions::default()) {
            Ok(h) => f.headers = h,
            Err(e) => failed.push((f.rel.clone(), e)),
        }
    }
    failed
}

/// How well a preset object fits a file: 0 when it does not. A file fits when all the signature
/// headers are present, or when its name matches and at least half of them are.
pub fn fit(object: &PresetObject, file_name: &str, headers: &[String]) -> u32 {
    let lower: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    let name = file_name.to_lowercase();
    let named = object
        .files
        .iter()
        .any(|p| glob_match(&p.to_lowercase(), &name));
    let present = object
        .signature
        .iter()
        .filter(|s| lower.contains(&s.to_lowercase()))
        .count();
    let all = !object.signature.is_empty() && present == object.signature.len();
    let known_columns = object
        .columns
        .iter()
        .filter(|c| lower.contains(&c.column.to_lowercase()))
        .count() as u32;
    if all {
        10 * present as u32 + if named { 5 } else { 0 } + known_columns
    } else if named && present * 2 >= object.signature.len() {
        5 + 10 * present as u32 + known_columns
    } else if object.files.is_empty() && present >= 2 {
        // A preset object with no file names (the generic preset) lists synonyms: two of them
        // are enough.
        10 * present as u32 + known_columns
    } else {
        0
    }
}

/// Recognises every file with one preset.
pub fn recognise<'p>(preset: &'p Preset, files: &[Found]) -> (u32, Vec<Recognised<'p>>) {
    let mut total = 0;
    let mut out = Vec::new();
    for f in files {
        let file_name = f.rel.rsplit('/').next().unwrap_or(&f.rel);
        let mut best: Option<(&PresetObject, u32)> = None;
        for o in &preset.objects {
            let s = fit(o, file_name, &f.headers);
            if s > 0 && best.is_none_or(|(_, b)| s > b) {
                best = Some((o, s));
            }
        }
        total += best.map(|(_, s)| s).unwrap_or(0);
        out.push(Recognised {
            file: f.clone(),
            object: best.map(|(o, _)| o),
        });
    }
    (total, out)
}

/// Picks the preset that recognises the files best (the generic preset only when no CRM's does),
/// or the one named.
pub fn choose<'p>(
    presets: &'p [Preset],
    files: &[Found],
    named: Option<&str>,
) -> Option<(&'p Preset, Vec<Recognised<'p>>)> {
    if let Some(name) = named {
        let p = presets.iter().find(|p| p.name == name)?;
        return Some((p, recognise(p, files).1));
    }
    // The preset that recognises the most files wins; among those, the best score (the generic
    // preset's score counts a quarter, so a CRM's own preset wins a tie). A CRM preset that
    // recognises files by their names only must not beat the generic one that reads them all.
    let mut best: Option<((usize, u32), &Preset, Vec<Recognised>)> = None;
    for p in presets {
        let (score, rec) = recognise(p, files);
        let score = if p.name == "generic" {
            score / 4
        } else {
            score
        };
        let known = rec
            .iter()
            .filter(|r| r.object.is_some_and(|o| o.object != "workspaceMember"))
            .count();
        let key = (known, score);
        if score > 0 && best.as_ref().is_none_or(|(b, _, _)| key > *b) {
            best = Some((key, p, rec));
        }
    }
    match best {
        Some((_, p, r)) => Some((p, r)),
        None => {
            let p = presets
                .iter()
                .find(|p| p.name == "generic")
                .or(presets.last())?;
            Some((p, recognise(p, files).1))
        }
    }
}

/// The header row of one file.
pub fn headers_of(path: &Path) -> Result<Vec<String>, c2t_ingest::IngestError> {
    c2t_ingest::headers_of(path, &ReadOptions::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(name: &str, headers: &[&str]) -> Found {
        Found {
            rel: name.into(),
            path: PathBuf::from(name),
            headers: headers.iter().map(|h| h.to_string()).collect(),
        }
    }

    #[test]
    fn a_crm_preset_that_knows_the_file_names_only_does_not_beat_the_generic_one() {
        let presets = crate::presets::all();
        // HubSpot names its files companies*/contacts*, but these headers are not HubSpot's.
        let files = [
            found("companies.csv", &["Name", "Website", "Industry", "Tier"]),
            found(
                "contacts.csv",
                &["First name", "Last name", "Email", "Company"],
            ),
        ];
        let (p, rec) = choose(&presets, &files, None).unwrap();
        assert_eq!(p.name, "generic");
        let objects: Vec<&str> = rec
            .iter()
            .map(|r| r.object.map(|o| o.object.as_str()).unwrap_or("-"))
            .collect();
        assert_eq!(objects, ["company", "person"]);
        // A real HubSpot export still goes to HubSpot.
        let files = [found(
            "hubspot-crm-exports-all-companies-2026-11-01.csv",
            &[
                "Record ID",
                "Company name",
                "Company Domain Name",
                "Industry",
            ],
        )];
        assert_eq!(choose(&presets, &files, None).unwrap().0.name, "hubspot");
    }
}
