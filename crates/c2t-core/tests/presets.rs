//! The bundled presets (`presets/*.toml`) and the sample exports (`examples/*/`) checked against
//! the vocabulary: every preset parses, proposes a mapping that validates against Twenty's standard
//! schema, and recognises each sample file as the object it holds — better than any other preset.

use c2t_core::mapping::{LOOKUP_ONLY, Settings};
use c2t_core::{FieldType, FileMapping, Mapping, Preset, Schema, Transform};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn presets() -> Vec<(String, Preset)> {
    let dir = repo().join("presets");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let preset = Preset::from_toml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        out.push((stem, preset));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The mapping `init` would propose from the preset: one file per preset object.
fn mapping_of(preset: &Preset) -> Mapping {
    let mut settings = Settings {
        day_first: preset.day_first,
        default_country: preset.default_country.clone(),
        multi_separator: preset.multi_separator.clone(),
        ..Settings::default()
    };
    if let Some(c) = &preset.default_currency {
        settings.default_currency = c.clone();
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let files = preset
        .objects
        .iter()
        .map(|o| {
            let n = seen.entry(o.object.as_str()).or_default();
            *n += 1;
            // Two files may feed one object (Salesforce Contact and Lead): keep the paths distinct.
            let path = if *n == 1 {
                format!("{}.csv", o.object)
            } else {
                format!("{}{}.csv", o.object, n)
            };
            FileMapping {
                skip_rows: o.skip_rows.clone(),
                path,
                object: o.object.clone(),
                sheet: None,
                encoding: None,
                delimiter: None,
                id_column: o.id_column.clone(),
                modified_column: o.modified_column.clone(),
                activity_column: o.activity_column.clone(),
                columns: o.columns.clone(),
                reason: o.reason.clone(),
                completes: o.completes,
            }
        })
        .collect();
    Mapping {
        version: 1,
        source: preset.name.clone(),
        settings,
        verify: Default::default(),
        custom_objects: vec![],
        members: preset.members.clone(),
        value_maps: preset.value_maps.clone(),
        files,
    }
}

#[test]
fn every_bundled_preset_is_there_and_named_after_its_file() {
    let names: Vec<String> = presets()
        .into_iter()
        .map(|(stem, p)| {
            assert_eq!(stem, p.name, "presets/{stem}.toml is named `{}`", p.name);
            stem
        })
        .collect();
    for want in [
        "salesforce",
        "hubspot",
        "pipedrive",
        "zoho",
        "dynamics365",
        "generic",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "presets/{want}.toml is missing: {names:?}"
        );
    }
}

#[test]
fn every_preset_proposes_a_mapping_that_validates() {
    let schema = Schema::standard();
    for (stem, preset) in presets() {
        let mapping = mapping_of(&preset);
        let errors: Vec<String> = mapping
            .validate(&schema)
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "presets/{stem}.toml:\n{}",
            errors.join("\n")
        );
    }
}

fn is_upper_snake(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[test]
fn every_preset_is_internally_consistent() {
    let schema = Schema::standard();
    for (stem, preset) in presets() {
        let at = |o: &str, c: &str| format!("presets/{stem}.toml, object {o}, column \"{c}\"");
        for (map, values) in &preset.value_maps {
            for (from, to) in values {
                // "" means: leave the field as an earlier column set it.
                assert!(
                    to.is_empty() || is_upper_snake(to),
                    "presets/{stem}.toml: value_maps.{map}.\"{from}\" = \"{to}\" is not an UPPER_SNAKE_CASE option value"
                );
            }
        }
        // A custom field has one type per object across the whole preset.
        let mut custom_types: BTreeMap<(String, String), FieldType> = BTreeMap::new();
        for o in &preset.objects {
            for p in &o.files {
                assert_eq!(
                    p,
                    &p.to_lowercase(),
                    "presets/{stem}.toml, object {}: file pattern `{p}` must be lower case",
                    o.object
                );
            }
            let headers: BTreeSet<String> = o
                .columns
                .iter()
                .map(|c| c.column.trim().to_lowercase())
                .collect();
            // An attachment's file column may repeat a column (Salesforce names the file by
            // the attachment's id).
            let distinct: BTreeSet<(String, bool)> = o
                .columns
                .iter()
                .map(|c| {
                    (
                        c.column.trim().to_lowercase(),
                        c.transform == c2t_core::Transform::File,
                    )
                })
                .collect();
            assert_eq!(
                distinct.len(),
                o.columns.len(),
                "presets/{stem}.toml, object {}: a header is listed twice (case-insensitively)",
                o.object
            );
            if o.object == "skip" {
                // A file the CRM exports and that is not imported: known by its name, with a
                // reason (the rule its rows are skipped by).
                assert!(
                    o.reason.as_deref().is_some_and(|r| !r.trim().is_empty())
                        && !o.files.is_empty(),
                    "presets/{stem}.toml: a skipped file needs file names and a reason"
                );
                continue;
            }
            if preset.name != "generic" {
                assert!(
                    (2..=4).contains(&o.signature.len()),
                    "presets/{stem}.toml, object {}: a signature is 2–4 headers",
                    o.object
                );
            }
            for s in o
                .signature
                .iter()
                .chain(&o.id_column)
                .chain(&o.modified_column)
                .chain(&o.activity_column)
            {
                assert!(
                    headers.contains(&s.to_lowercase()),
                    "presets/{stem}.toml, object {}: `{s}` (signature or id/modified/activity column) is not one of its columns",
                    o.object
                );
            }
            if let Some(id) = &o.id_column {
                let c = o
                    .columns
                    .iter()
                    .find(|c| c.column.eq_ignore_ascii_case(id))
                    .unwrap();
                assert_eq!(c.transform, Transform::Id, "{}", at(&o.object, id));
            }
            let std_object = schema.object(&o.object);
            for c in &o.columns {
                let place = at(&o.object, &c.column);
                match c.transform {
                    Transform::Skip | Transform::Id | Transform::Currency => {
                        assert!(
                            c.field.is_none(),
                            "{place}: `{}` takes no field",
                            c.transform.as_str()
                        );
                    }
                    Transform::Member => {
                        let f = c.field.as_deref().unwrap_or_default();
                        assert!(
                            ["accountOwner", "owner", "assignee"].contains(&f),
                            "{place}: a member goes to accountOwner/owner/assignee, not `{f}`"
                        );
                    }
                    Transform::RichText => {
                        assert_eq!(c.field.as_deref(), Some("bodyV2"), "{place}")
                    }
                    Transform::Email if o.object != LOOKUP_ONLY && c.custom.is_none() => {
                        assert_eq!(c.field.as_deref(), Some("emails"), "{place}")
                    }
                    Transform::Phone if c.custom.is_none() => {
                        assert_eq!(c.field.as_deref(), Some("phones"), "{place}")
                    }
                    Transform::Domain => {
                        // A company's own, or the company a row names (`company.domainName`).
                        assert!(
                            ["domainName", "company.domainName"]
                                .contains(&c.field.as_deref().unwrap_or_default()),
                            "{place}"
                        )
                    }
                    Transform::Select | Transform::MultiSelect => {
                        if let Some(v) = &c.values {
                            assert!(
                                preset.value_maps.contains_key(v),
                                "{place}: value map `{v}` is not defined"
                            );
                        }
                    }
                    _ => {}
                }
                if o.object == LOOKUP_ONLY {
                    let f = c.field.as_deref().unwrap_or("");
                    assert!(
                        ["", "userEmail", "name", "name.firstName", "name.lastName"].contains(&f),
                        "{place}: a workspaceMember file only feeds id, userEmail and name"
                    );
                    continue;
                }
                let Some(field) = c.field.as_deref() else {
                    continue;
                };
                let top = field.split('.').next().unwrap();
                let standard = std_object.and_then(|s| s.field(top)).is_some();
                match c.custom {
                    Some(kind) => {
                        assert!(
                            !standard,
                            "{place}: `{top}` is a standard field; drop `custom`"
                        );
                        assert!(
                            c.label.as_deref().is_some_and(|l| !l.is_empty()),
                            "{place}: a custom field needs a label"
                        );
                        assert!(
                            top.starts_with(|ch: char| ch.is_ascii_lowercase())
                                && top.chars().all(|ch| ch.is_ascii_alphanumeric()),
                            "{place}: custom field name `{top}` is not camelCase"
                        );
                        let prev = custom_types
                            .entry((o.object.clone(), top.to_string()))
                            .or_insert(kind);
                        assert_eq!(
                            *prev, kind,
                            "{place}: custom field `{top}` has two types in this preset"
                        );
                    }
                    None => assert!(
                        standard
                            || field == "targets"
                            || (field == "file" && c.transform == c2t_core::Transform::File)
                            || custom_types.contains_key(&(o.object.clone(), top.to_string())),
                        "{place}: `{field}` is neither standard nor declared custom"
                    ),
                }
            }
        }
    }
}

// ── The sample exports ──────────────────────────────────────────────────────────────────────

/// (example folder, preset, file, object, headers the preset deliberately does not know:
/// the planted always-empty custom columns).
const EXAMPLES: &[(&str, &str, &str, &str, &[&str])] = &[
    (
        "salesforce",
        "salesforce",
        "Account.csv",
        "company",
        &["Legacy_Region__c"],
    ),
    (
        "salesforce",
        "salesforce",
        "Contact.csv",
        "person",
        &["Preferred_Language__c"],
    ),
    (
        "salesforce",
        "salesforce",
        "Opportunity.csv",
        "opportunity",
        &[],
    ),
    ("salesforce", "salesforce", "Task.csv", "task", &[]),
    ("salesforce", "salesforce", "Note.csv", "note", &[]),
    (
        "salesforce",
        "salesforce",
        "Attachment.csv",
        "attachment",
        &[],
    ),
    (
        "salesforce",
        "salesforce",
        "ContentVersion.csv",
        "attachment",
        &[],
    ),
    (
        "salesforce",
        "salesforce",
        "ContentDocumentLink.csv",
        "skip",
        &[],
    ),
    (
        "salesforce",
        "salesforce",
        "User.csv",
        "workspaceMember",
        &[],
    ),
    (
        "hubspot",
        "hubspot",
        "hubspot-crm-exports-all-contacts-2026-11-01.csv",
        "person",
        &["Favorite Trade Show"],
    ),
    (
        "hubspot",
        "hubspot",
        "hubspot-crm-exports-all-companies-2026-11-01.csv",
        "company",
        &["Partner Tier"],
    ),
    (
        "hubspot",
        "hubspot",
        "hubspot-crm-exports-all-deals-2026-11-01.csv",
        "opportunity",
        &[],
    ),
    ("hubspot", "hubspot", "members.csv", "workspaceMember", &[]),
    (
        "pipedrive",
        "pipedrive",
        "organizations.csv",
        "company",
        &["Organization - Customer tier"],
    ),
    (
        "pipedrive",
        "pipedrive",
        "persons.csv",
        "person",
        &["Person - Birthday card sent"],
    ),
    ("pipedrive", "pipedrive", "deals.csv", "opportunity", &[]),
    ("pipedrive", "pipedrive", "notes.csv", "note", &[]),
    (
        "french-excel",
        "generic",
        "societes.csv",
        "company",
        &["Code NAF"],
    ),
    (
        "french-excel",
        "generic",
        "contacts.csv",
        "person",
        &["Champ libre 1"],
    ),
];

/// Windows-1252 → text (the French files are saved by Excel in that code page).
fn decode_cp1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => HIGH[(b - 0x80) as usize],
            _ => b as char,
        })
        .collect()
}

/// The header row of a CSV: its first line, split on the delimiter that occurs most, quotes
/// honoured (header cells hold no line breaks).
fn headers(path: &Path, cp1252: bool) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = if cp1252 {
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "{} should be Windows-1252, not UTF-8",
            path.display()
        );
        decode_cp1252(&bytes)
    } else {
        String::from_utf8(bytes).unwrap_or_else(|_| panic!("{} is not UTF-8", path.display()))
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let line = text.lines().next().unwrap_or_default();
    let delim = [',', ';', '\t']
        .into_iter()
        .max_by_key(|d| line.matches(*d).count())
        .unwrap();
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == delim && !quoted => cells.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

#[test]
fn every_example_file_is_recognised_by_its_preset() {
    let all = presets();
    let by_name: BTreeMap<&str, &Preset> = all.iter().map(|(n, p)| (n.as_str(), p)).collect();
    let root = repo().join("examples");
    // Every data file in the examples is covered by the table above (or is the xlsx).
    for (folder, ..) in EXAMPLES {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            // members.csv is the workspace members file (`--members`), not an export.
            if name.ends_with(".csv") && name != "members.csv" {
                assert!(
                    EXAMPLES
                        .iter()
                        .any(|(f, _, n, ..)| f == folder && *n == name),
                    "examples/{folder}/{name} is not in the test's table"
                );
            }
        }
        assert!(
            root.join(folder).join("EXPECTED.md").is_file(),
            "examples/{folder}/EXPECTED.md is missing"
        );
    }
    assert!(root.join("french-excel/opportunites.xlsx").is_file());
    assert!(root.join("french-excel/make.py").is_file());

    for (folder, preset_name, file, object, unknown) in EXAMPLES {
        let path = root.join(folder).join(file);
        let hs = headers(&path, *folder == "french-excel");
        let preset = by_name[preset_name];
        let (o, score) = preset.best_object(file, &hs).unwrap_or_else(|| {
            panic!("examples/{folder}/{file}: {preset_name} recognises nothing in {hs:?}")
        });
        assert_eq!(
            o.object, *object,
            "examples/{folder}/{file}: {preset_name} takes it for a {} (score {score})",
            o.object
        );
        // Auto-detection: no other preset fits the file as well.
        for (other, p) in &all {
            if other == preset_name {
                continue;
            }
            if let Some((oo, s)) = p.best_object(file, &hs) {
                assert!(
                    s < score,
                    "examples/{folder}/{file}: preset {other} ({} , {s}) fits as well as {preset_name} ({score})",
                    oo.object
                );
            }
        }
        // A file the preset leaves out on purpose (with its reason) needs no columns.
        if o.object == "skip" {
            continue;
        }
        // The preset knows every header of the file, except the planted empty custom columns.
        let known: BTreeSet<String> = o.columns.iter().map(|c| c.column.to_lowercase()).collect();
        let missing: Vec<&String> = hs
            .iter()
            .filter(|h| !known.contains(&h.trim().to_lowercase()) && !unknown.contains(&h.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "examples/{folder}/{file}: {preset_name} has no column for {missing:?}"
        );
        for u in *unknown {
            assert!(
                hs.iter().any(|h| h == u),
                "examples/{folder}/{file}: planted column `{u}` is gone"
            );
        }
    }
}
