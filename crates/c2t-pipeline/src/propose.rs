//! Proposes a mapping for an export folder: the preset's columns where the headers are known,
//! Twenty fields matched by label similarity for the others, a custom field (with its type
//! inferred from the values) for a column that matches nothing, and `skip` for a column that is
//! empty in every row.

use crate::detect::{self, Found};
use c2t_core::mapping::{LOOKUP_ONLY, SKIP_FILE};
use c2t_core::schema::camel_case;
use c2t_core::{
    ColumnMapping, FieldType, FileMapping, Mapping, Preset, Schema, Settings, Transform,
};
use c2t_ingest::{ReadOptions, Source};
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What one column holds, from one pass over the file.
#[derive(Debug, Clone, Default)]
pub struct ColumnProfile {
    pub filled: u64,
    /// Up to 64 distinct values, in order of first appearance, with counts.
    pub distinct: Vec<(String, u64)>,
    /// More distinct values than kept.
    pub many_values: bool,
    pub all_bool: bool,
    pub all_number: bool,
    pub all_date: bool,
    pub all_email: bool,
    pub all_url: bool,
    /// Every value is shaped like a phone number (6 to 15 digits, with `+ ( ) - . /` and spaces).
    pub all_phone_shaped: bool,
}

/// Profiles of a file's columns, plus its row count.
#[derive(Debug, Clone, Default)]
pub struct FileProfile {
    pub rows: u64,
    pub columns: Vec<ColumnProfile>,
}

const DISTINCT_CAP: usize = 64;

/// How much a column's profile must say (what the proposal reads of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// How many cells are filled (a column the preset maps to a plain field).
    Count,
    /// And its first distinct values (select, money, currency and country columns).
    Values,
    /// And what every value looks like (a column whose field and type are to be found).
    Full,
}

/// Reads a file once and profiles its columns, each as much as `need(header)` says: the
/// `all_*` flags of a column that is not [`Need::Full`] are false, its `distinct` empty unless it
/// is [`Need::Values`]. (Checking every cell of a million rows as a date, a number and an email
/// costs as much as reading them: a preset's known columns are spared it.)
pub fn profile(
    path: &Path,
    opts: &ReadOptions,
    need: impl Fn(&str) -> Need,
) -> Result<(Vec<String>, FileProfile), c2t_ingest::IngestError> {
    let source = Source::open(path, opts)?;
    let headers = source.headers.clone();
    let needs: Vec<Need> = headers.iter().map(|h| need(h)).collect();
    let mut p = FileProfile {
        rows: 0,
        columns: needs
            .iter()
            .map(|&n| {
                let full = n == Need::Full;
                ColumnProfile {
                    all_bool: full,
                    all_number: full,
                    all_date: full,
                    all_email: full,
                    all_url: full,
                    all_phone_shaped: full,
                    ..Default::default()
                }
            })
            .collect(),
    };
    // Where each kept distinct value is in `distinct`, per column.
    let mut seen: Vec<HashMap<String, usize>> = vec![HashMap::default(); headers.len()];
    // Another thread reads and parses the rows, in batches.
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<c2t_ingest::Row>>(4);
        scope.spawn(move || {
            let weight = |r: &c2t_ingest::Row| r.cells.as_slice().len();
            let (rows, bytes) = (crate::par::BATCH_ROWS, crate::par::BATCH_BYTES);
            for batch in crate::par::batches_weighed(source.flatten(), rows, bytes, weight) {
                if tx.send(batch).is_err() {
                    return;
                }
            }
        });
        for row in rx.into_iter().flatten() {
            profile_row(&mut p, &mut seen, &needs, &row);
        }
    });
    Ok((headers, p))
}

/// Adds one row to the profile of its file.
fn profile_row(
    p: &mut FileProfile,
    seen: &mut [HashMap<String, usize>],
    needs: &[Need],
    row: &c2t_ingest::Row,
) {
    p.rows += 1;
    for (i, (cell, &need)) in row.cells.iter().zip(needs).enumerate() {
        let v = c2t_normalize::text::trim(cell);
        if v.is_empty() {
            continue;
        }
        let c = &mut p.columns[i];
        c.filled += 1;
        if need == Need::Count {
            continue;
        }
        if let Some(&at) = seen[i].get(v) {
            c.distinct[at].1 += 1;
        } else if c.distinct.len() < DISTINCT_CAP {
            seen[i].insert(v.to_string(), c.distinct.len());
            c.distinct.push((v.to_string(), 1));
        } else {
            c.many_values = true;
        }
        if c.all_bool && c2t_normalize::boolean::boolean(v).is_err() {
            c.all_bool = false;
        }
        if c.all_number && c2t_normalize::number::decimal(v, None).is_err() {
            c.all_number = false;
        }
        if c.all_date && !looks_like_date(v) {
            c.all_date = false;
        }
        if c.all_email && c2t_normalize::email::email(v).is_err() {
            c.all_email = false;
        }
        if c.all_url
            && !(v.starts_with("http://") || v.starts_with("https://") || v.starts_with("www."))
        {
            c.all_url = false;
        }
        if c.all_phone_shaped && !phone_shaped(v) {
            c.all_phone_shaped = false;
        }
    }
}

/// Transforms whose mapping reads the column's distinct values (value maps, default currency and
/// country), in [`propose_file`].
fn needs_values(t: Transform) -> bool {
    matches!(
        t,
        Transform::Select
            | Transform::MultiSelect
            | Transform::Money
            | Transform::Currency
            | Transform::Country
            | Transform::Phone
    )
}

/// Regions tried for national phone numbers when the export names no country: the countries
/// its country columns name, then these (the markets of the CRMs' users, most first).
const PHONE_REGIONS: &[&str] = &[
    "US", "GB", "FR", "DE", "CA", "AU", "ES", "IT", "NL", "BE", "CH", "AT", "IE", "PT", "SE", "DK",
    "NO", "FI", "PL", "IN", "BR", "MX", "ZA", "NZ", "SG", "JP",
];

/// The default country the export itself implies, never a guess: the country its country
/// columns name when one clearly dominates (at least half the values, and twice the next);
/// else the region under which most of its national phone numbers are valid numbers of that
/// region, when they mostly are (at least 60 %). None otherwise: the mapping then says so, and
/// numbers written without a calling code are reported.
fn default_country(
    countries: &BTreeMap<&'static str, u64>,
    phones: &[(String, u64)],
) -> Option<String> {
    let total: u64 = countries.values().sum();
    let mut ranked: Vec<(&&str, &u64)> = countries.iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    if let Some((code, n)) = ranked.first() {
        let next = ranked.get(1).map_or(0, |(_, m)| **m);
        if **n * 2 >= total && **n >= 2 * next {
            return Some((**code).to_string());
        }
    }
    // National numbers only: one with a calling code reads itself.
    let national: Vec<&(String, u64)> = phones
        .iter()
        .filter(|(v, _)| !v.trim_start().starts_with('+') && !v.trim_start().starts_with("00"))
        .collect();
    let weight: u64 = national.iter().map(|(_, n)| n).sum();
    if weight == 0 {
        return None;
    }
    let mut candidates: Vec<&str> = ranked.iter().map(|(c, _)| **c).collect();
    candidates.extend(PHONE_REGIONS.iter().filter(|r| !countries.contains_key(*r)));
    // Per region: numbers valid there and numbers written as it writes them (a ten-digit
    // American number is a valid German and Indian one too, but not written as theirs).
    let mut scores: Vec<(u64, u64, &str)> = candidates
        .iter()
        .map(|&region| {
            let (mut valid, mut written) = (0, 0);
            for (v, n) in &national {
                // Valid, and a number of that region (a +1 number read with CA as default is
                // still a US number when its area code is).
                if c2t_normalize::phone::phone(v, Some(region))
                    .is_ok_and(|p| p.country_code == region)
                {
                    valid += n;
                    if c2t_normalize::phone::written_as_in(v, region) {
                        written += n;
                    }
                }
            }
            (written, valid, region)
        })
        .collect();
    // Written as the region writes them first, then valid; a tie goes to the earlier region.
    scores.sort_by_key(|s| std::cmp::Reverse((s.0, s.1)));
    let (_, best, region) = *scores.first()?;
    (best * 10 >= weight * 6).then(|| region.to_string())
}

fn looks_like_date(v: &str) -> bool {
    let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
    let seps = v.chars().filter(|c| matches!(c, '-' | '/' | '.')).count();
    digits >= 6
        && seps >= 2
        && v.len() <= 30
        && c2t_normalize::date::date(v, c2t_normalize::date::DateOrder::DayFirst)
            .or_else(|_| c2t_normalize::date::date(v, c2t_normalize::date::DateOrder::MonthFirst))
            .is_ok()
}

/// Why a column got the mapping it has: written as a comment in the mapping file.
#[derive(Debug, Clone)]
pub enum Why {
    Preset,
    Similar(String),
    /// The values say what the column holds (email addresses, the records' names): why.
    Values(String),
    NewCustom(String),
    Unused,
    Ignored(String),
}

/// The proposal: the mapping plus, per file and column, the reason and the fill rate.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub mapping: Mapping,
    pub preset_label: String,
    /// Per file path: rows and, per column, (filled, why).
    pub notes: BTreeMap<String, FileNotes>,
    /// Files that could not be read, with the reason.
    pub unreadable: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct FileNotes {
    pub rows: u64,
    pub recognised: bool,
    /// How sure the file's object is, and why (written next to it in the mapping).
    pub why: Option<String>,
    pub columns: BTreeMap<String, (u64, Why)>,
}

impl Proposal {
    /// The data rows of the files the mapping reads into records (not of those it skips).
    pub fn mapped_rows(&self) -> u64 {
        self.mapping
            .files
            .iter()
            .filter(|f| f.object != c2t_core::mapping::SKIP_FILE)
            .filter_map(|f| self.notes.get(&f.path))
            .map(|n| n.rows)
            .sum()
    }
}

/// Proposes a mapping for the export folder `dir`.
pub fn propose(
    dir: &Path,
    presets: &[Preset],
    named_preset: Option<&str>,
    exclude: &[String],
) -> Result<Proposal, detect::DetectError> {
    let mut files = detect::find_files(dir)?;
    files.retain(|f| !exclude.contains(&f.rel));
    let failed = detect::read_headers(&mut files);
    let unreadable: Vec<(String, String)> = failed
        .iter()
        .map(|(f, e)| (f.clone(), e.to_string()))
        .collect();
    let bad: BTreeSet<String> = failed.into_iter().map(|(f, _)| f).collect();
    files.retain(|f| !bad.contains(&f.rel));
    let Some((preset, recognised)) = detect::choose(presets, &files, named_preset) else {
        return Err(detect::DetectError::NoFiles(format!(
            "{} (no preset named {})",
            dir.display(),
            named_preset.unwrap_or("?")
        )));
    };
    let schema = Schema::standard();
    let mut mapping = Mapping {
        version: 1,
        source: preset.name.clone(),
        settings: Settings {
            default_country: preset.default_country.clone(),
            default_currency: preset
                .default_currency
                .clone()
                .unwrap_or_else(|| "USD".into()),
            day_first: preset.day_first,
            multi_separator: preset.multi_separator.clone(),
            ..Settings::default()
        },
        verify: Default::default(),
        custom_objects: Vec::new(),
        members: preset.members.clone(),
        value_maps: BTreeMap::new(),
        files: Vec::new(),
    };
    let mut notes = BTreeMap::new();
    let mut tally = Tally::default();
    let mut taken: BTreeSet<String> = schema.objects.iter().map(|o| o.name.clone()).collect();
    for r in &recognised {
        // A file no object of any preset fits holds records of its own kind (products,
        // invoices): proposed as a custom object named after the file, flagged for review.
        let custom = match r.object {
            None => custom_object_for(&r.file, &taken),
            Some(_) => None,
        };
        // An object only the values gave: the columns they gave a field come first.
        let by_values = r.by_values.as_ref().zip(r.object).map(|(by, o)| {
            let mut o = o.clone();
            o.columns.splice(0..0, by.columns.iter().cloned());
            o
        });
        let (mut fm, mut n) = propose_file(
            &r.file,
            by_values
                .as_ref()
                .or(r.object)
                .or(custom.as_ref().map(|(_, po)| po)),
            &schema,
            r.preset.unwrap_or(preset),
            &mut mapping.value_maps,
            &mut tally,
        );
        if let Some(by) = &r.by_values {
            n.why = Some(format!(
                "confidence low: neither the file's name nor its headers say what it holds; {} \
                 (review the object)",
                by.why
            ));
        }
        if let Some((co, _)) = custom {
            if n.rows == 0 {
                fm = skip_file(&r.file.rel);
                n.recognised = false;
            } else {
                n.why = Some(format!(
                    "confidence low: no object of the {} preset fits this file; it becomes a new \
                     custom object `{}` (review its name and fields, or write object = \"skip\" \
                     with a reason)",
                    preset.name, co.name
                ));
                taken.insert(co.name.clone());
                mapping.custom_objects.push(co);
            }
        }
        notes.insert(fm.path.clone(), n);
        mapping.files.push(fm);
    }
    link_custom_objects(&mut mapping, &mut notes);
    // A file that cannot be read stays in the mapping, as `skip`: the run then reports it as
    // unreadable (audit, exit code 1) instead of leaving it out without a word.
    for (rel, _) in &unreadable {
        mapping.files.push(skip_file(rel));
        notes.insert(rel.clone(), FileNotes::default());
    }
    let Tally {
        used_maps,
        countries,
        currencies,
        phones,
    } = tally;
    // With no default currency or country from the preset, the ones the export itself names
    // most often decide how bare amounts and national phone numbers are read.
    if preset.default_currency.is_none()
        && let Some((code, _)) = currencies.iter().max_by_key(|(_, n)| **n)
    {
        mapping.settings.default_currency = code.clone();
    }
    if mapping.settings.default_country.is_none() {
        mapping.settings.default_country = default_country(&countries, &phones);
    }
    // A file the chosen preset did not know may use the generic preset's maps.
    let generic = presets.iter().find(|p| p.name == "generic");
    add_value_maps(&mut mapping, used_maps, preset, generic);
    Ok(Proposal {
        mapping,
        preset_label: preset.label.clone(),
        notes,
        unreadable,
    })
}

/// Gives columns to the files of a hand-written mapping that name an object but list none (the
/// user changed `object = "skip"` to `object = "company"`): proposed as `init` would, from the
/// mapping's preset (or the generic one) for that object, or from the values for a custom
/// object. Returns the files completed.
pub fn complete_columns(dir: &Path, mapping: &mut Mapping, presets: &[Preset]) -> Vec<String> {
    let schema = Schema::standard();
    let preset = presets
        .iter()
        .find(|p| p.name == mapping.source)
        .or_else(|| presets.iter().find(|p| p.name == "generic"));
    let generic = presets.iter().find(|p| p.name == "generic");
    let Some(preset) = preset else {
        return Vec::new();
    };
    let mut done = Vec::new();
    let mut tally = Tally::default();
    for i in 0..mapping.files.len() {
        let f = &mapping.files[i];
        if !f.columns.is_empty()
            || f.object == SKIP_FILE
            || c2t_core::mapping::path_problem(&f.path).is_some()
        {
            continue;
        }
        let path = dir.join(&f.path);
        let Ok(headers) = detect::headers_of(&path) else {
            continue;
        };
        let found = Found {
            rel: f.path.clone(),
            path,
            headers,
        };
        let file_name = f.path.rsplit('/').next().unwrap_or(&f.path);
        // The preset's object that fits the file best, else the generic one's, else none (a
        // custom object: every column from its values).
        let best = |p: &'_ Preset| {
            p.objects
                .iter()
                .filter(|o| o.object == f.object)
                .max_by_key(|o| detect::Evidence::of(o, file_name, &found.headers, true).score())
                .cloned()
        };
        let po = best(preset)
            .or_else(|| generic.and_then(best))
            .unwrap_or_else(|| c2t_core::preset::PresetObject {
                object: f.object.clone(),
                ..Default::default()
            });
        let from = if preset.objects.iter().any(|o| o.object == f.object) {
            preset
        } else {
            generic.unwrap_or(preset)
        };
        let (proposed, _) = propose_file(
            &found,
            Some(&po),
            &schema,
            from,
            &mut mapping.value_maps,
            &mut tally,
        );
        let f = &mut mapping.files[i];
        f.columns = proposed.columns;
        f.id_column = f.id_column.take().or(proposed.id_column);
        f.modified_column = f.modified_column.take().or(proposed.modified_column);
        f.activity_column = f.activity_column.take().or(proposed.activity_column);
        if f.skip_rows.is_empty() {
            f.skip_rows = proposed.skip_rows;
        }
        done.push(f.path.clone());
    }
    // The value maps the proposed columns name, from the presets.
    add_value_maps(mapping, tally.used_maps, preset, generic);
    done
}

/// The presets' entries of the value maps `used` (the preset's map, else the generic one's)
/// added to the mapping's, without replacing an entry it has.
fn add_value_maps(
    mapping: &mut Mapping,
    used: BTreeSet<String>,
    preset: &Preset,
    generic: Option<&Preset>,
) {
    for name in used {
        if let Some(map) = preset
            .value_maps
            .get(&name)
            .or_else(|| generic.and_then(|g| g.value_maps.get(&name)))
        {
            let entry = mapping.value_maps.entry(name).or_default();
            for (k, v) in map {
                entry.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
}

/// What the proposal gathers across files: the value maps used, and the countries and
/// currencies the export names.
#[derive(Default)]
struct Tally {
    used_maps: BTreeSet<String>,
    countries: BTreeMap<&'static str, u64>,
    currencies: BTreeMap<String, u64>,
    /// Phone numbers as written (a sample: the first distinct values of each phone column).
    phones: Vec<(String, u64)>,
}

/// The custom object a file no preset knows would hold, named after the file (`products.csv`
/// → `product`), with the column that names its records (`product`, `name`, `title`…) as
/// `name` and an id column (`id`, `product_id`) as the source id; the other columns are
/// proposed from their values. None when the file's name gives no usable object name.
fn custom_object_for(
    found: &Found,
    taken: &BTreeSet<String>,
) -> Option<(
    c2t_core::mapping::CustomObject,
    c2t_core::preset::PresetObject,
)> {
    let file_name = found.rel.rsplit('/').next().unwrap_or(&found.rel);
    let mut words: Vec<String> = detect::name_words(file_name)
        .into_iter()
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let last = words.pop()?;
    let singular = singular_word(&last);
    let plural_last = if singular == last {
        format!("{last}s")
    } else {
        last.clone()
    };
    let join = |last: &str| {
        let mut all = words.clone();
        all.push(last.to_string());
        camel_case(&all.join(" "))
    };
    let name = join(&singular);
    let plural = join(&plural_last);
    if !name.starts_with(|c: char| c.is_ascii_lowercase())
        || name.len() < 2
        || taken.contains(&name)
        || c2t_core::schema::is_reserved_name(&name)
        || c2t_core::schema::is_reserved_name(&plural)
    {
        return None;
    }
    let label = |w: &str| -> String {
        let mut all = words.clone();
        all.push(w.to_string());
        let text = all.join(" ");
        let mut c = text.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    };
    let key_of = |w: &str| detect::header_key(w);
    let name_keys = [
        key_of(&name),
        format!("{}name", key_of(&name)),
        "name".to_string(),
        "title".to_string(),
        "label".to_string(),
        "nom".to_string(),
        "libelle".to_string(),
        "bezeichnung".to_string(),
        "nombre".to_string(),
        "nome".to_string(),
        "naam".to_string(),
    ];
    let id_keys = ["id".to_string(), format!("{}id", key_of(&name))];
    let header = |keys: &[String]| {
        keys.iter().find_map(|k| {
            found
                .headers
                .iter()
                .find(|h| detect::header_key(h) == *k)
                .cloned()
        })
    };
    let name_col = header(&name_keys)?;
    let mut columns = vec![ColumnMapping::new(&name_col, Some("name"), Transform::Text)];
    let id_column = header(&id_keys).filter(|h| *h != name_col);
    if let Some(id) = &id_column {
        columns.push(ColumnMapping::new(id, None, Transform::Id));
    }
    let co = c2t_core::mapping::CustomObject {
        name: name.clone(),
        plural,
        label: label(&singular),
        label_plural: label(&plural_last),
    };
    let po = c2t_core::preset::PresetObject {
        object: name,
        id_column,
        columns,
        ..Default::default()
    };
    Some((co, po))
}

/// `products` → `product`, `categories` → `category`, `addresses` → `address`; a word that
/// does not end like an English plural is kept.
fn singular_word(w: &str) -> String {
    if let Some(stem) = w.strip_suffix("ies")
        && !stem.is_empty()
    {
        return format!("{stem}y");
    }
    for end in ["sses", "shes", "ches", "xes"] {
        if w.ends_with(end) {
            return w[..w.len() - 2].to_string();
        }
    }
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
        return w[..w.len() - 1].to_string();
    }
    w.to_string()
}

/// Columns of other files named like a proposed custom object (`product` in a deals file, when
/// `products.csv` became the `product` object) link to its records by name, instead of
/// holding the name as text.
fn link_custom_objects(mapping: &mut Mapping, notes: &mut BTreeMap<String, FileNotes>) {
    let objects: Vec<(String, String)> = mapping
        .custom_objects
        .iter()
        .map(|co| (co.name.clone(), co.plural.clone()))
        .collect();
    let mut unused_maps: Vec<String> = Vec::new();
    for (name, plural) in objects {
        let keys = [
            detect::header_key(&name),
            detect::header_key(&plural),
            format!("{}name", detect::header_key(&name)),
        ];
        for f in mapping.files.iter_mut().filter(|f| f.object != name) {
            for c in f.columns.iter_mut() {
                if c.custom.is_none()
                    || matches!(c.transform, Transform::Relation | Transform::Member)
                    || !keys.contains(&detect::header_key(&c.column))
                {
                    continue;
                }
                c.transform = Transform::Relation;
                c.object = Some(name.clone());
                c.by = Some(c2t_core::RefKey::Name);
                c.custom = Some(FieldType::Relation);
                if let Some(map) = c.values.take() {
                    unused_maps.push(map);
                }
                if let Some((_, why)) = notes
                    .get_mut(&f.path)
                    .and_then(|n| n.columns.get_mut(&c.column))
                {
                    *why = Why::NewCustom(format!("RELATION to {name}, by name,"));
                }
            }
        }
    }
    // The value maps those columns had, unless another column still uses them.
    for map in unused_maps {
        let used = mapping
            .files
            .iter()
            .flat_map(|f| &f.columns)
            .any(|c| c.values.as_deref() == Some(map.as_str()));
        if !used {
            mapping.value_maps.remove(&map);
        }
    }
}

/// A file mapped to nothing: read and counted, never imported.
fn skip_file(path: &str) -> FileMapping {
    FileMapping {
        path: path.to_string(),
        object: SKIP_FILE.into(),
        sheet: None,
        encoding: None,
        delimiter: None,
        id_column: None,
        modified_column: None,
        activity_column: None,
        skip_rows: Vec::new(),
        columns: Vec::new(),
        reason: None,
        completes: false,
    }
}

fn propose_file(
    found: &Found,
    object: Option<&c2t_core::preset::PresetObject>,
    schema: &Schema,
    preset: &Preset,
    value_maps: &mut BTreeMap<String, BTreeMap<String, String>>,
    tally: &mut Tally,
) -> (FileMapping, FileNotes) {
    let Tally {
        used_maps,
        countries,
        currencies,
        phones,
    } = tally;
    // A column the preset maps is only counted, and its values kept where the mapping needs
    // them; any other column may become a custom field whose type its values decide.
    let need = |h: &str| -> Need {
        let Some(po) = object else {
            return Need::Count;
        };
        let key = detect::header_key(h);
        match po
            .columns
            .iter()
            .find(|c| detect::header_key(&c.column) == key)
        {
            Some(c) if needs_values(c.transform) => Need::Values,
            Some(_) => Need::Count,
            None => Need::Full,
        }
    };
    let (headers, prof) = profile(&found.path, &ReadOptions::default(), need)
        .unwrap_or_else(|_| (found.headers.clone(), FileProfile::default()));
    let file_name = found.rel.rsplit('/').next().unwrap_or(&found.rel);
    let mut notes = FileNotes {
        rows: prof.rows,
        recognised: object.is_some(),
        why: object.map(|o| detect::Evidence::of(o, file_name, &headers, true).describe()),
        columns: BTreeMap::new(),
    };
    let has = |c: &Option<String>| -> Option<String> {
        let c = c.as_ref()?;
        let key = detect::header_key(c);
        headers
            .iter()
            .find(|h| detect::header_key(h) == key)
            .cloned()
    };
    let Some(po) = object else {
        return (skip_file(&found.rel), notes);
    };
    if po.object == SKIP_FILE {
        let mut fm = skip_file(&found.rel);
        fm.reason = po.reason.clone();
        return (fm, notes);
    }
    let target = schema.object(&po.object);
    let mut columns = Vec::new();
    let mut used_fields: BTreeSet<String> = BTreeSet::new();
    let mut name_candidate: Option<usize> = None;
    for (i, h) in headers.iter().enumerate() {
        let cp = prof.columns.get(i).cloned().unwrap_or_default();
        let key = detect::header_key(h);
        let preset_col = po
            .columns
            .iter()
            .find(|c| detect::header_key(&c.column) == key)
            .filter(|c| related_column_present(c, &po.columns, &headers));
        let (mut col, why) = if let Some(pc) = preset_col {
            let mut c = pc.clone();
            c.column = h.clone();
            (c, Why::Preset)
        } else if po.object == LOOKUP_ONLY {
            (
                ColumnMapping::new(h, None, Transform::Skip),
                Why::Ignored("not needed to find members".into()),
            )
        } else if let Some((field, label)) = target.and_then(|t| similar_field(h, t, &used_fields))
        {
            let transform = default_transform(t_kind(target, &field));
            (
                ColumnMapping::new(h, Some(&field), transform),
                Why::Similar(label),
            )
        } else if cp.filled == 0 {
            (ColumnMapping::new(h, None, Transform::Skip), Why::Unused)
        } else {
            let (kind, transform) = infer_custom(h, &cp, prof.rows);
            // A column of email addresses or phone numbers on an object with a standard field
            // of that kind (`Adresse mail` on people) feeds it: those fields hold several
            // values, so it joins the columns already mapped there.
            let standard = match kind {
                FieldType::Emails => Some("emails"),
                FieldType::Phones => Some("phones"),
                _ => None,
            }
            .filter(|f| {
                target
                    .and_then(|t| t.field(f))
                    .is_some_and(|d| d.kind == kind)
            });
            match standard {
                Some(field) => (
                    ColumnMapping::new(h, Some(field), transform),
                    Why::Values(format!(
                        "its values are {}: the standard field",
                        kind.as_str()
                    )),
                ),
                None => {
                    let mut c = ColumnMapping::new(
                        h,
                        Some(&camel_case(&deunicode::deunicode(h))),
                        transform,
                    );
                    c.custom = Some(kind);
                    c.label = Some(h.trim().to_string());
                    (c, Why::NewCustom(kind.as_str().to_string()))
                }
            }
        };
        // A custom field never takes a name Twenty refuses (`address`, `type`…): the server
        // would refuse it half-way through `check --apply`.
        if col.custom.is_some()
            && let Some(field) = col.field.as_deref()
        {
            let (top, sub) = field
                .split_once('.')
                .map_or((field, None), |(t, s)| (t, Some(s)));
            if c2t_core::schema::is_reserved_name(top)
                && target.is_none_or(|t| t.field(top).is_none())
            {
                let other = c2t_core::schema::unreserved_name(top);
                col.field = Some(match sub {
                    Some(sub) => format!("{other}.{sub}"),
                    None => other,
                });
            }
        }
        // A custom column the preset knows but that is empty in every row is not worth creating.
        let why = if cp.filled == 0
            && !matches!(why, Why::Unused)
            && col.transform != Transform::Id
            && col.transform != Transform::Skip
        {
            col = ColumnMapping::new(h, None, Transform::Skip);
            Why::Unused
        } else {
            why
        };
        if let Some(f) = &col.field {
            used_fields.insert(f.clone());
        }
        // The currencies the export names (in amounts or currency columns) decide the default.
        for (v, n) in &cp.distinct {
            let code = match col.transform {
                Transform::Money => c2t_normalize::money::money(v, None, "XXX", None)
                    .ok()
                    .map(|m| m.currency_code)
                    .filter(|c| c != "XXX"),
                Transform::Currency => c2t_normalize::money::currency_code(v).map(str::to_string),
                _ => None,
            };
            if let Some(code) = code {
                *currencies.entry(code).or_default() += n;
            }
        }
        if col.transform == Transform::Phone {
            phones.extend(cp.distinct.iter().cloned());
        }
        if col.transform == Transform::Country {
            for (v, n) in &cp.distinct {
                if let Ok(c) = c2t_normalize::address::country(v) {
                    *countries.entry(c.code).or_default() += n;
                }
            }
        }
        if matches!(col.transform, Transform::Select | Transform::MultiSelect) {
            let name = col.values.clone().unwrap_or_else(|| {
                format!("{}_{}", po.object, col.field.clone().unwrap_or_default())
            });
            let sep = col
                .separator
                .clone()
                .unwrap_or_else(|| preset.multi_separator.clone());
            let preset_map = preset.value_maps.get(&name);
            let map = value_maps.entry(name.clone()).or_default();
            for (v, _) in &cp.distinct {
                let labels: Vec<String> = if col.transform == Transform::MultiSelect {
                    c2t_normalize::select::split_multi(v, &sep)
                } else {
                    vec![v.clone()]
                };
                for l in labels {
                    let known =
                        preset_map.is_some_and(|m| m.keys().any(|k| k.eq_ignore_ascii_case(&l)));
                    if !known && !map.contains_key(&l) {
                        map.insert(l.clone(), c2t_normalize::select::option_value(&l));
                    }
                }
            }
            used_maps.insert(name.clone());
            col.values = Some(name);
        }
        // The first new text column of mostly distinct values may be what names the records.
        if name_candidate.is_none()
            && matches!(&why, Why::NewCustom(k) if k == "TEXT")
            && cp.filled > 0
            && (cp.many_values || cp.distinct.len() as u64 * 10 >= cp.filled * 9)
        {
            name_candidate = Some(columns.len());
        }
        notes.columns.insert(h.clone(), (cp.filled, why));
        columns.push(col);
    }
    // The file column of an attachment preset may be a column mapped already (Salesforce names
    // each file by its attachment's id): it is added as a second mapping of that column.
    if !columns.iter().any(|c| c.transform == Transform::File)
        && let Some(pc) = po.columns.iter().find(|c| c.transform == Transform::File)
        && let Some(h) = headers
            .iter()
            .find(|h| detect::header_key(h) == detect::header_key(&pc.column))
    {
        let mut c = pc.clone();
        c.column = h.clone();
        columns.push(c);
    }
    // An object whose records need a name and no column gave one (a hand-named object, a file
    // with its own words for it: `Firm`): that column names them.
    let name_field = match po.object.as_str() {
        "task" | "note" => Some("title"),
        "person" | LOOKUP_ONLY => None,
        _ => Some("name"),
    };
    if let (Some(field), Some(i)) = (name_field, name_candidate)
        && !columns.iter().any(|c| c.field.as_deref() == Some(field))
    {
        let c = &mut columns[i];
        *c = ColumnMapping::new(&c.column, Some(field), Transform::Text);
        if let Some((_, why)) = notes.columns.get_mut(&c.column) {
            *why = Why::Values(format!(
                "distinct short texts and no other column names the records: `{field}`"
            ));
        }
    }
    let fm = FileMapping {
        path: found.rel.clone(),
        object: po.object.clone(),
        sheet: None,
        encoding: None,
        delimiter: None,
        // The preset's id column, or the column its own table maps as the id
        // (`opportunity_id`).
        id_column: has(&po.id_column).or_else(|| {
            columns
                .iter()
                .find(|c| c.transform == Transform::Id)
                .map(|c| c.column.clone())
        }),
        modified_column: has(&po.modified_column),
        activity_column: has(&po.activity_column),
        skip_rows: po
            .skip_rows
            .iter()
            .filter(|f| {
                headers
                    .iter()
                    .any(|h| detect::header_key(h) == detect::header_key(&f.column))
            })
            .cloned()
            .map(|mut f| {
                f.column = headers
                    .iter()
                    .find(|h| detect::header_key(h) == detect::header_key(&f.column))
                    .cloned()
                    .unwrap_or(f.column);
                f
            })
            .collect(),
        columns,
        reason: None,
        completes: po.completes,
    };
    (fm, notes)
}

/// Whether a preset column holds a value of a related record (`company.domainName`) only when
/// the file has the relation column too (`Company`): a flat list's website is its company's,
/// a website beside no company column is the row's own.
fn related_column_present(c: &ColumnMapping, all: &[ColumnMapping], headers: &[String]) -> bool {
    let Some((rel, _)) = c.field.as_deref().and_then(|f| f.split_once('.')) else {
        return true;
    };
    let relations: Vec<&ColumnMapping> = c2t_core::mapping::relation_columns(all, rel).collect();
    if relations.is_empty() {
        // A composite part (`address.addressCity`), not a related record's value.
        return true;
    }
    relations.iter().any(|r| {
        let key = detect::header_key(&r.column);
        headers.iter().any(|h| detect::header_key(h) == key)
    })
}

fn t_kind(target: Option<&c2t_core::ObjectDef>, field: &str) -> Option<FieldType> {
    let top = field.split('.').next().unwrap_or(field);
    target.and_then(|t| t.field(top)).map(|f| f.kind)
}

/// The transform that fills a field of this type.
pub fn default_transform(kind: Option<FieldType>) -> Transform {
    match kind {
        Some(FieldType::Emails) => Transform::Email,
        Some(FieldType::Phones) => Transform::Phone,
        Some(FieldType::Links) => Transform::Url,
        Some(FieldType::Currency) => Transform::Money,
        Some(FieldType::Number | FieldType::Numeric) => Transform::Number,
        Some(FieldType::Boolean) => Transform::Boolean,
        Some(FieldType::Date) => Transform::Date,
        Some(FieldType::DateTime) => Transform::Datetime,
        Some(FieldType::Select) => Transform::Select,
        Some(FieldType::MultiSelect) => Transform::MultiSelect,
        Some(FieldType::FullName) => Transform::FullName,
        Some(FieldType::RichText) => Transform::RichText,
        _ => Transform::Text,
    }
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A Twenty field (or composite sub-field) whose label is close to the header.
fn similar_field(
    header: &str,
    object: &c2t_core::ObjectDef,
    used: &BTreeSet<String>,
) -> Option<(String, String)> {
    let h = norm(header);
    if h.is_empty() {
        return None;
    }
    let mut best: Option<(f64, String, String)> = None;
    for f in &object.fields {
        if f.kind == FieldType::Relation {
            continue;
        }
        let mut candidates = vec![(f.name.clone(), f.label.clone())];
        for (sub, sub_label) in f.kind.csv_sub_fields() {
            if matches!(
                *sub,
                "additionalEmails"
                    | "secondaryLinks"
                    | "additionalPhones"
                    | "primaryLinkLabel"
                    | "amountMicros"
                    | "currencyCode"
                    | "primaryPhoneCallingCode"
                    | "primaryPhoneCountryCode"
            ) {
                continue;
            }
            candidates.push((
                format!("{}.{}", f.name, sub),
                format!("{} / {}", f.label, sub_label),
            ));
            if f.kind == FieldType::Address || f.kind == FieldType::FullName {
                candidates.push((format!("{}.{}", f.name, sub), (*sub_label).to_string()));
            }
        }
        for (field, label) in candidates {
            if used.contains(&field) {
                continue;
            }
            let score = strsim::jaro_winkler(&h, &norm(&label))
                .max(strsim::jaro_winkler(&h, &norm(&field)));
            if score >= 0.93 && best.as_ref().is_none_or(|(b, _, _)| score > *b) {
                best = Some((score, field, label));
            }
        }
    }
    best.map(|(_, f, l)| (f, l))
}

/// Words of a header that say its values are codes, not quantities: postal codes, ids, phone
/// numbers, account numbers (`03902` must stay `03902`).
const CODE_WORDS: &[&str] = &[
    "zip", "postal", "postcode", "plz", "cp", "cap", "cep", "code", "id", "number", "no", "nr",
    "num", "phone", "tel", "fax", "mobile", "siret", "siren", "vat", "iban", "sku", "ref",
];

/// True when a column holds codes rather than numbers: its header says so, or a value has a
/// leading zero (`03902`).
fn holds_codes(header: &str, cp: &ColumnProfile) -> bool {
    let words = crate::detect::name_words(header);
    words.iter().any(|w| CODE_WORDS.contains(&w.as_str()))
        || cp.distinct.iter().any(|(v, _)| {
            let v = v.trim();
            v.len() > 1 && v.starts_with('0') && v.bytes().all(|b| b.is_ascii_digit())
        })
}

/// A phone number as people write it: 6 to 15 digits, with `+ ( ) - . /` and spaces between.
fn phone_shaped(v: &str) -> bool {
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    (6..=15).contains(&digits)
        && v.bytes()
            .all(|b| b.is_ascii_digit() || b" +()-./".contains(&b))
}

/// Header words that say a column holds phone numbers, in the seven languages of the presets.
const PHONE_WORDS: &[&str] = &[
    "phone",
    "telephone",
    "tel",
    "mobile",
    "cell",
    "fax",
    "fixe",
    "portable",
    "telefon",
    "handy",
    "mobil",
    "mobiltelefon",
    "telefono",
    "movil",
    "celular",
    "cellulare",
    "telefone",
    "telemovel",
    "telefoon",
    "gsm",
    "mobiel",
];

/// The custom field type a column's values suggest.
fn infer_custom(header: &str, cp: &ColumnProfile, rows: u64) -> (FieldType, Transform) {
    // Phone numbers, when the header says so too (`Tél. fixe`, `Telefon 2`): postal codes and
    // ids are shaped alike.
    if cp.all_phone_shaped
        && crate::detect::name_words(header)
            .iter()
            .any(|w| PHONE_WORDS.contains(&w.as_str()))
    {
        return (FieldType::Phones, Transform::Phone);
    }
    if cp.all_bool && cp.distinct.len() <= 4 && !holds_codes(header, cp) {
        return (FieldType::Boolean, Transform::Boolean);
    }
    if cp.all_date {
        return (FieldType::Date, Transform::Date);
    }
    if cp.all_number && !holds_codes(header, cp) {
        return (FieldType::Number, Transform::Number);
    }
    if cp.all_number {
        return (FieldType::Text, Transform::Text);
    }
    if cp.all_email {
        return (FieldType::Emails, Transform::Email);
    }
    if cp.all_url {
        return (FieldType::Links, Transform::Url);
    }
    let distinct = cp.distinct.len() as u64;
    let repeated = cp.filled >= 4 && distinct * 2 <= cp.filled;
    if !cp.many_values && distinct <= 20 && repeated && rows > 0 {
        return (FieldType::Select, Transform::Select);
    }
    (FieldType::Text, Transform::Text)
}

#[cfg(test)]
mod tests {
    use super::{ColumnProfile, Need, infer_custom, profile};
    use c2t_core::{FieldType, Transform};

    fn numbers(values: &[&str]) -> ColumnProfile {
        ColumnProfile {
            filled: values.len() as u64,
            distinct: values.iter().map(|v| (v.to_string(), 1)).collect(),
            all_number: true,
            ..Default::default()
        }
    }

    /// Postal codes, ids and phone-like columns stay text: `03902` is not `3902`.
    #[test]
    fn codes_are_text_and_quantities_numbers() {
        for (header, values, want) in [
            ("ZIP", &["03902", "10001"][..], FieldType::Text),
            ("Billing Zip Code", &["10001", "94105"], FieldType::Text),
            ("Customer Id", &["1001", "1002"], FieldType::Text),
            ("Phone 2", &["5551234", "5559876"], FieldType::Text),
            ("Anything", &["0042", "17"], FieldType::Text),
            ("Seats", &["12", "40"], FieldType::Number),
            ("year_established", &["1996", "1999"], FieldType::Number),
        ] {
            let (kind, transform) = infer_custom(header, &numbers(values), 2);
            assert_eq!(kind, want, "{header}");
            assert_eq!(
                transform == Transform::Text,
                want == FieldType::Text,
                "{header}"
            );
        }
    }

    /// Phone numbers need both: values shaped like phones and a header that says so.
    #[test]
    fn phone_columns_by_header_and_shape() {
        for (header, values, want) in [
            (
                "Tél. fixe",
                &["03 53 01 12 41", "04 65 71 20 05"][..],
                FieldType::Phones,
            ),
            (
                "Telefon 2",
                &["+49 30 1234567", "(030) 765-4321"],
                FieldType::Phones,
            ),
            ("Handy", &["0171 2345678"], FieldType::Phones),
            ("Postcode", &["03 53 01 12 41"], FieldType::Text),
            (
                "Phone",
                &["call after 5", "03 53 01 12 41"],
                FieldType::Text,
            ),
            ("Phone", &["12-34"], FieldType::Text),
        ] {
            let cp = ColumnProfile {
                filled: values.len() as u64,
                distinct: values.iter().map(|v| (v.to_string(), 1)).collect(),
                all_phone_shaped: values.iter().all(|v| super::phone_shaped(v)),
                ..Default::default()
            };
            assert_eq!(infer_custom(header, &cp, 2).0, want, "{header} {values:?}");
        }
    }

    use c2t_ingest::ReadOptions;

    /// A column is profiled only as far as the proposal needs: counted, with its values, or
    /// with what its values look like.
    #[test]
    fn each_column_is_profiled_as_far_as_it_is_needed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Contact.csv");
        std::fs::write(
            &path,
            "Email,Stage,Born\na@x.com,Open,2020-01-02\nb@x.com,Open,2021-03-04\n,Won,\n",
        )
        .unwrap();
        let need = |h: &str| match h {
            "Email" => Need::Count,
            "Stage" => Need::Values,
            _ => Need::Full,
        };
        let (headers, p) = profile(&path, &ReadOptions::default(), need).unwrap();
        assert_eq!(headers, ["Email", "Stage", "Born"]);
        assert_eq!(p.rows, 3);
        let [email, stage, born] = &p.columns[..] else {
            panic!("{:?}", p.columns)
        };
        assert_eq!((email.filled, stage.filled, born.filled), (2, 3, 2));
        // Counted only: no values kept, and no claim about their shape.
        assert!(email.distinct.is_empty());
        assert!(!email.all_email && !email.all_date);
        // Values kept, shape not checked.
        assert_eq!(stage.distinct, [("Open".into(), 2), ("Won".into(), 1)]);
        assert!(!stage.all_bool);
        // Everything.
        assert!(born.all_date && !born.all_email && !born.all_number);
        assert_eq!(born.distinct.len(), 2);
    }
}

#[cfg(test)]
mod default_country_tests {
    use super::default_country;
    use std::collections::BTreeMap;

    fn phones(v: &[&str]) -> Vec<(String, u64)> {
        v.iter().map(|p| (p.to_string(), 1)).collect()
    }

    /// The country the data implies, never a random one.
    #[test]
    fn default_country_from_the_data() {
        // shared/real-exports/salesforce-powerbi: US numbers written nationally, no country column
        let us = phones(&[
            "(512) 757-6000",
            "(336) 222-7000",
            "(850) 644-4200",
            "(703) 757-1000",
            "(512) 757-9340",
        ]);
        assert_eq!(
            default_country(&BTreeMap::new(), &us).as_deref(),
            Some("US")
        );
        // a dominant country column wins
        let c = BTreeMap::from([("FR", 40), ("BE", 5)]);
        assert_eq!(default_country(&c, &[]).as_deref(), Some("FR"));
        // countries spread evenly (a random list): no country from them, none from nothing
        let c = BTreeMap::from([("LI", 9), ("FR", 8), ("MO", 8), ("PG", 7)]);
        assert_eq!(default_country(&c, &[]), None);
        // national numbers of another country
        let gb = phones(&[
            "020 7123 4567",
            "0114 272 2345",
            "01223 456789",
            "07400 123456",
        ]);
        assert_eq!(
            default_country(&BTreeMap::new(), &gb).as_deref(),
            Some("GB")
        );
        let de = phones(&["030 12345678", "089 1234567", "0171 1234567"]);
        assert_eq!(
            default_country(&BTreeMap::new(), &de).as_deref(),
            Some("DE")
        );
        // numbers that read nowhere: none
        assert_eq!(
            default_country(&BTreeMap::new(), &phones(&["12", "345"])),
            None
        );
        // numbers with a calling code say nothing of the default
        assert_eq!(
            default_country(&BTreeMap::new(), &phones(&["+33 1 42 68 53 00"])),
            None
        );
    }
}
