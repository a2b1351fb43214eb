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
    /// The preset the object is from: the chosen one, or the generic one for a file the chosen
    /// CRM's preset does not know (a file the CRM does not usually export, or renamed).
    pub preset: Option<&'p Preset>,
    /// When only the file's values said what it holds: what they say ([`object_from_values`]).
    pub by_values: Option<ByValues>,
}

/// What a file's values say, when its name and headers say nothing: why the object, and the
/// columns the values gave a field (the stage and amount of a deal, the name beside them).
#[derive(Debug, Clone)]
pub struct ByValues {
    pub why: String,
    pub columns: Vec<c2t_core::ColumnMapping>,
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
            // Attachment folders hold files to attach, whatever their extension.
            if !crate::attach::is_attachment_folder(&name) {
                walk(root, &path, out)?;
            }
            continue;
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if !EXTENSIONS.contains(&ext.as_str()) {
            continue;
        }
        let rel = crate::attach::rel_path(root, &path);
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

/// The key a header is compared by: letters and digits only, lower case, accents folded, so
/// `Account Name`, `account_name`, `ACCOUNT-NAME` and `AccountName` are one header, and
/// `Société` is `societe`.
pub fn header_key(h: &str) -> String {
    let folded;
    let ascii = if h.is_ascii() {
        h
    } else {
        folded = deunicode::deunicode(h);
        &folded
    };
    ascii
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The words of a file name, folded like headers: `hubspot-crm-exports-all-companies.csv` →
/// `hubspot`, `crm`, `exports`, `all`, `companies`; `SalesPipeline_2024.xlsx` → `sales`,
/// `pipeline`, `2024`; `Sociétés.csv` → `societes`.
pub fn name_words(file_name: &str) -> Vec<String> {
    let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);
    let folded = deunicode::deunicode(stem);
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in folded.chars() {
        let boundary = !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && prev_lower);
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        }
        prev_lower = c.is_ascii_lowercase();
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// How well a preset object fits a file: 0 when it does not. A file fits when all the signature
/// headers are present, or when its name matches and at least half of them are; an object with
/// no file patterns (the generic preset's, which list synonyms in several languages) fits with
/// two of its signature headers, or with one header it knows when a word of the file's name
/// says what it holds (`accounts`, `sociétés`, `Firmen`, `pipeline`…). Headers compare by
/// [`header_key`].
pub fn fit(object: &PresetObject, file_name: &str, headers: &[String]) -> u32 {
    Evidence::of(object, file_name, headers, true).score()
}

/// What says a file holds a preset's object: its name, its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evidence {
    /// The file's name matches one of the object's file patterns.
    pub named: bool,
    /// A word of the file's name is one of the object's `name_words`.
    pub said: bool,
    /// Signature headers present, out of `signature`.
    pub present: usize,
    pub signature: usize,
    /// Headers of the file the object's columns know.
    pub known: usize,
    /// The object lists no file patterns (the generic preset's synonyms).
    pub generic: bool,
}

impl Evidence {
    /// The evidence for `object` in a file (`words`: whether the words of its name count).
    pub fn of(object: &PresetObject, file_name: &str, headers: &[String], words: bool) -> Evidence {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let has = |h: &str| {
            let k = header_key(h);
            !k.is_empty() && keys.contains(&k)
        };
        let name = file_name.to_lowercase();
        let in_name = name_words(file_name);
        Evidence {
            named: object
                .files
                .iter()
                .any(|p| glob_match(&p.to_lowercase(), &name)),
            said: words
                && object
                    .name_words
                    .iter()
                    .any(|w| in_name.iter().any(|x| *x == header_key(w))),
            present: object.signature.iter().filter(|s| has(s)).count(),
            signature: object.signature.len(),
            known: object.columns.iter().filter(|c| has(&c.column)).count(),
            generic: object.files.is_empty(),
        }
    }

    /// How well the object fits: 0 when it does not.
    pub fn score(&self) -> u32 {
        let (present, known) = (self.present as u32, self.known as u32);
        let all = self.signature > 0 && self.present == self.signature;
        if all {
            10 * present + if self.named { 5 } else { 0 } + known
        } else if self.named && self.present * 2 >= self.signature {
            5 + 10 * present + known
        } else if self.generic && self.present >= 2 {
            // A preset object with no file names (the generic preset) lists synonyms: two of
            // them are enough.
            10 * present + known + if self.said { 5 } else { 0 }
        } else if self.said && present + known >= 1 {
            5 + 10 * present + known
        } else {
            0
        }
    }

    /// How sure the recognition is, and why, for a person reviewing the mapping.
    pub fn describe(&self) -> String {
        let mut why = Vec::new();
        if self.named {
            why.push("the CRM's file name".to_string());
        }
        if self.said {
            why.push("a word of the file name".to_string());
        }
        if self.present > 0 {
            why.push(if self.generic {
                // The generic preset's signatures are synonyms in several languages.
                format!("{} telling headers", self.present)
            } else {
                format!("{} of {} signature headers", self.present, self.signature)
            });
        }
        if self.known > 0 {
            why.push(format!("{} known headers", self.known));
        }
        let sure = (self.signature > 0 && self.present == self.signature)
            || (self.named && self.present * 2 >= self.signature && self.present > 0)
            || self.present >= 3;
        format!(
            "{} confidence: {}{}",
            if sure { "high" } else { "low" },
            why.join(", "),
            if sure { "" } else { " — check it" }
        )
    }
}

/// Recognises every file with one preset.
pub fn recognise<'p>(preset: &'p Preset, files: &[Found]) -> (u32, Vec<Recognised<'p>>) {
    recognise_with(preset, files, true)
}

fn recognise_with<'p>(
    preset: &'p Preset,
    files: &[Found],
    words: bool,
) -> (u32, Vec<Recognised<'p>>) {
    let mut total = 0;
    let mut out = Vec::new();
    for f in files {
        let best = best_object(preset, f, words);
        total += best.map(|(_, s)| s).unwrap_or(0);
        out.push(Recognised {
            file: f.clone(),
            object: best.map(|(o, _)| o),
            preset: best.map(|_| preset),
            by_values: None,
        });
    }
    (total, out)
}

/// The object of `preset` that fits file `f` best, and its score.
fn best_object<'p>(preset: &'p Preset, f: &Found, words: bool) -> Option<(&'p PresetObject, u32)> {
    let file_name = f.rel.rsplit('/').next().unwrap_or(&f.rel);
    let mut best: Option<(&PresetObject, u32)> = None;
    for o in &preset.objects {
        let s = Evidence::of(o, file_name, &f.headers, words).score();
        if s > 0 && best.is_none_or(|(_, b)| s > b) {
            best = Some((o, s));
        }
    }
    best
}

/// Files the chosen preset does not recognise get the generic preset's object, when one fits
/// (with the words of the file's name).
fn fall_back<'p>(presets: &'p [Preset], recognised: &mut [Recognised<'p>]) {
    let Some(generic) = presets.iter().find(|p| p.name == "generic") else {
        return;
    };
    for r in recognised.iter_mut().filter(|r| r.object.is_none()) {
        if let Some((o, _)) = best_object(generic, &r.file, true) {
            r.object = Some(o);
            r.preset = Some(generic);
        } else if let Some((object, by)) = object_from_values(presets, &r.file)
            && let Some(o) = generic.objects.iter().find(|o| o.object == object)
        {
            r.object = Some(o);
            r.preset = Some(generic);
            r.by_values = Some(by);
        }
    }
}

/// Rows read from a file to judge its values by.
const VALUE_SAMPLE: usize = 200;

/// What a file's values say it holds, when neither its name nor its headers do: deal stages
/// beside amounts (opportunities), task statuses beside dates (tasks), email addresses
/// (people), web sites (companies), long texts (notes). The object, why, and those columns
/// with their fields, plus the column of short texts that names the records; None when the
/// values say nothing clear.
pub fn object_from_values(presets: &[Preset], found: &Found) -> Option<(&'static str, ByValues)> {
    use c2t_core::{ColumnMapping, Transform};
    use c2t_normalize as n;
    let source = c2t_ingest::Source::open(&found.path, &ReadOptions::default()).ok()?;
    let headers = source.headers.clone();
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    for row in source.take(VALUE_SAMPLE).flatten() {
        for (i, cell) in row.cells.iter().enumerate().take(headers.len()) {
            let v = n::text::trim(cell);
            if !v.is_empty() {
                columns[i].push(v.to_string());
            }
        }
    }
    let vocabulary = |map: &str| -> std::collections::BTreeSet<String> {
        presets
            .iter()
            .filter_map(|p| p.value_maps.get(map))
            .flat_map(|m| m.keys())
            .map(|k| header_key(k))
            .collect()
    };
    let (stages, statuses) = (vocabulary("opportunity_stage"), vocabulary("task_status"));
    // The first column most of whose values pass `test`.
    let column = |test: &dyn Fn(&str) -> bool, share: f64| -> Option<usize> {
        columns.iter().position(|vals| {
            let ok = vals.iter().filter(|v| test(v)).count();
            !vals.is_empty() && ok as f64 >= share * vals.len() as f64
        })
    };
    let is_amount = |v: &str| {
        v.chars().any(|c| c.is_ascii_digit())
            && n::money::money(v, None, "USD", None).is_ok_and(|m| m.amount_micros != 0)
    };
    let is_date = |v: &str| {
        v.chars().filter(char::is_ascii_digit).count() >= 6
            && (n::date::date(v, n::date::DateOrder::DayFirst).is_ok()
                || n::date::date(v, n::date::DateOrder::MonthFirst).is_ok())
    };
    let in_vocabulary =
        |set: &std::collections::BTreeSet<String>, v: &str| set.contains(&header_key(v));
    let is_email = |v: &str| v.contains('@') && n::email::email(v).is_ok();
    let is_site = |v: &str| {
        !v.contains('@') && !v.contains(' ') && v.contains('.') && n::domain::domain(v).is_ok()
    };
    let is_long = |v: &str| v.len() >= 60 && v.contains(' ');
    let is_label = |v: &str| {
        v.len() < 60
            && v.chars().any(char::is_alphabetic)
            && !is_email(v)
            && !is_site(v)
            && !is_date(v)
            && !is_amount(v)
    };
    // The column of short texts naming the records, other than those already given a field.
    let label_column = |taken: &[usize]| -> Option<usize> {
        columns.iter().enumerate().position(|(i, vals)| {
            !taken.contains(&i)
                && !vals.is_empty()
                && vals.iter().filter(|v| is_label(v)).count() * 10 >= vals.len() * 8
        })
    };
    let col = |i: usize, field: &str, t: Transform| ColumnMapping::new(&headers[i], Some(field), t);
    let select = |i: usize, field: &str, map: &str| {
        let mut c = ColumnMapping::new(&headers[i], Some(field), Transform::Select);
        c.values = Some(map.to_string());
        c
    };
    let name = |i: usize| format!("`{}`", headers[i]);
    let (object, why, mut out, taken): (&'static str, String, Vec<ColumnMapping>, Vec<usize>) =
        if let (Some(stage), Some(amount)) = (
            column(&|v| in_vocabulary(&stages, v), 0.6),
            column(&is_amount, 0.8),
        ) {
            (
                "opportunity",
                format!(
                    "deal stages in {}, amounts in {}",
                    name(stage),
                    name(amount)
                ),
                vec![
                    select(stage, "stage", "opportunity_stage"),
                    col(amount, "amount", Transform::Money),
                ],
                vec![stage, amount],
            )
        } else if let (Some(status), Some(date)) = (
            column(&|v| in_vocabulary(&statuses, v), 0.6),
            column(&is_date, 0.8),
        ) {
            (
                "task",
                format!("task statuses in {}, dates in {}", name(status), name(date)),
                vec![
                    select(status, "status", "task_status"),
                    col(date, "dueAt", Transform::Date),
                ],
                vec![status, date],
            )
        } else if let Some(email) = column(&is_email, 0.8) {
            (
                "person",
                format!("email addresses in {}", name(email)),
                vec![col(email, "emails", Transform::Email)],
                vec![email],
            )
        } else if let Some(site) = column(&is_site, 0.8) {
            (
                "company",
                format!("web sites in {}", name(site)),
                vec![col(site, "domainName", Transform::Domain)],
                vec![site],
            )
        } else if let Some(text) = column(&is_long, 0.5) {
            (
                "note",
                format!("long texts in {}", name(text)),
                vec![col(text, "bodyV2", Transform::RichText)],
                vec![text],
            )
        } else {
            return None;
        };
    let mut why = format!("its values: {why}");
    if let Some(l) = label_column(&taken) {
        let (field, t) = match object {
            "person" => ("name", Transform::FullName),
            "task" | "note" => ("title", Transform::Text),
            _ => ("name", Transform::Text),
        };
        out.push(col(l, field, t));
        why.push_str(&format!("; names in {}", name(l)));
    }
    Some((object, ByValues { why, columns: out }))
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
        let mut rec = recognise(p, files).1;
        fall_back(presets, &mut rec);
        return Some((p, rec));
    }
    // The preset that recognises the most files wins; among those, the best score (the generic
    // preset's score counts a quarter, so a CRM's own preset wins a tie). A CRM preset that
    // recognises files by their names only must not beat the generic one that reads them all.
    let mut best: Option<((usize, u32), &Preset, Vec<Recognised>)> = None;
    for p in presets {
        // The generic preset is compared by headers alone: the words of the file names that it
        // also reads would let it beat a CRM's own preset on a file that CRM does not know.
        let (score, rec) = recognise_with(p, files, p.name != "generic");
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
    let (p, mut rec) = match best {
        Some((_, p, r)) => (p, r),
        None => {
            let p = presets
                .iter()
                .find(|p| p.name == "generic")
                .or(presets.last())?;
            (p, recognise(p, files).1)
        }
    };
    fall_back(presets, &mut rec);
    Some((p, rec))
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
    fn headers_compare_without_case_accents_or_punctuation() {
        for (a, b) in [
            ("Account Name", "account_name"),
            ("E-mail", "email"),
            ("Société", "SOCIETE"),
            ("Date d'échéance", "date_d_echeance"),
            ("AccountName", "account-name"),
        ] {
            assert_eq!(header_key(a), header_key(b), "{a} / {b}");
        }
        assert_ne!(header_key("Nom"), header_key("Nome"));
        assert_eq!(header_key("  "), "");
    }

    #[test]
    fn recognition_says_how_sure_it_is() {
        let presets = crate::presets::all();
        let salesforce = presets.iter().find(|p| p.name == "salesforce").unwrap();
        let account = salesforce
            .objects
            .iter()
            .find(|o| o.object == "company")
            .unwrap();
        let headers: Vec<String> = account.signature.clone();
        let e = Evidence::of(account, "Account.csv", &headers, true);
        assert!(e.score() > 0);
        assert!(
            e.describe()
                .starts_with("high confidence: the CRM's file name"),
            "{}",
            e.describe()
        );
        let generic = presets.iter().find(|p| p.name == "generic").unwrap();
        let company = generic
            .objects
            .iter()
            .find(|o| o.object == "company")
            .unwrap();
        let e = Evidence::of(
            company,
            "accounts.csv",
            &["account".into(), "sector".into()],
            true,
        );
        assert!(e.score() > 0);
        assert!(
            e.describe()
                .starts_with("low confidence: a word of the file name"),
            "{}",
            e.describe()
        );
        assert!(e.describe().ends_with("check it"));
    }

    #[test]
    fn words_of_file_names() {
        assert_eq!(
            name_words("hubspot-crm-exports-all-companies-2026-11-01.csv"),
            [
                "hubspot",
                "crm",
                "exports",
                "all",
                "companies",
                "2026",
                "11",
                "01"
            ]
        );
        assert_eq!(
            name_words("SalesPipeline_2024.xlsx"),
            ["sales", "pipeline", "2024"]
        );
        assert_eq!(name_words("Sociétés.csv"), ["societes"]);
        assert_eq!(name_words("sales_teams.csv"), ["sales", "teams"]);
    }

    /// Files shaped like real ones, with headers no preset lists verbatim: the words of their
    /// names and one known header (snake_case, another language) say what they hold.
    #[test]
    fn file_name_words_and_folded_headers_recognise_files_no_preset_names() {
        let presets = crate::presets::all();
        let files = [
            // shared/real-exports/maven-crm-sales
            found(
                "accounts.csv",
                &[
                    "account",
                    "sector",
                    "year_established",
                    "revenue",
                    "employees",
                ],
            ),
            found(
                "sales_pipeline.csv",
                &[
                    "opportunity_id",
                    "sales_agent",
                    "product",
                    "account",
                    "deal_stage",
                    "close_date",
                    "close_value",
                ],
            ),
            found(
                "sales_teams.csv",
                &["sales_agent", "manager", "regional_office"],
            ),
            // German and Spanish spreadsheets
            found("Firmen.csv", &["Firmenname", "Webseite", "Ort"]),
            found(
                "contactos.csv",
                &["Nombre", "Apellidos", "Correo electrónico"],
            ),
            found("notas.csv", &["Asunto", "Nota"]),
            // nothing says what this holds
            found("products.csv", &["product", "series", "sales_price"]),
        ];
        let (p, rec) = choose(&presets, &files, None).unwrap();
        assert_eq!(p.name, "generic");
        let objects: Vec<&str> = rec
            .iter()
            .map(|r| r.object.map(|o| o.object.as_str()).unwrap_or("-"))
            .collect();
        assert_eq!(
            objects,
            [
                "company",
                "opportunity",
                "workspaceMember",
                "company",
                "person",
                "note",
                "-"
            ]
        );
    }

    /// A CRM's own preset keeps the files it knows; a file it does not know falls back to the
    /// generic preset's objects, and its history files are skipped by their named rule.
    #[test]
    fn the_crm_preset_wins_and_the_generic_one_fills_in() {
        let presets = crate::presets::all();
        let files = [
            found(
                "Account.csv",
                &["Id", "Name", "Website", "BillingCity", "IsDeleted"],
            ),
            found(
                "Contact.csv",
                &[
                    "Id",
                    "AccountId",
                    "FirstName",
                    "LastName",
                    "Email",
                    "IsDeleted",
                ],
            ),
            found(
                "OpportunityHistory.csv",
                &["Id", "OpportunityId", "StageName", "Amount"],
            ),
            found("Partner-Notes.csv", &["Title", "Note"]),
        ];
        let (p, rec) = choose(&presets, &files, None).unwrap();
        assert_eq!(p.name, "salesforce");
        let objects: Vec<(&str, &str)> = rec
            .iter()
            .map(|r| {
                (
                    r.object.map(|o| o.object.as_str()).unwrap_or("-"),
                    r.preset.map(|p| p.name.as_str()).unwrap_or("-"),
                )
            })
            .collect();
        assert_eq!(
            objects,
            [
                ("company", "salesforce"),
                ("person", "salesforce"),
                ("skip", "salesforce"),
                ("note", "generic")
            ]
        );
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
