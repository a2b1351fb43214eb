//! Writes Twenty-ready CSV files: one per object in import order, at most `max_rows_per_file`
//! rows each, with headers exactly as Twenty's importer labels its targets (`Name`,
//! `Domain Name / Link URL`, `Emails / Primary Email`, `Company / Domain Name / Link URL`…), so
//! Twenty matches every column by itself. Also writes `rejects.csv` and `ledger.csv`.
//!
//! Relation columns name the parent by its unique key (company website, person email, member
//! email) as the importer asks; a parent that has no such key is named by the `Id` this file
//! gives it. Notes and tasks are written too, with their links in `*-targets.csv`, but Twenty's
//! UI importer cannot link them: they keep their links only through the API route.

use crate::job::Prepared;
use crate::link::Target;
use crate::record::{Record, Val};
use crate::store::{self, Part, Slot};
use c2t_core::{FieldType, ObjectDef};
use rustc_hash::FxHashSet as HashSet;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The namespace of the ids crm2twenty gives records (UUID v5 of the object and source key).
pub const ID_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x6a1c_52d4_8f0e_4c3a_9b7e_2d1f_c2e0_7a11);

/// The Twenty id of a record: the same for the same source record on every run.
pub fn record_id(p: &Prepared, r: usize) -> uuid::Uuid {
    let rec = &p.records[r];
    // `source|object|id:ID`, or `source|object|row:FILE:LINE` for a record without a source
    // id, hashed (UUID v5) in a buffer this thread keeps.
    thread_local! {
        static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    KEY.with_borrow_mut(|key| {
        key.clear();
        key.push_str(&p.mapping.source);
        key.push('|');
        key.push_str(&rec.object);
        match &rec.source_id {
            Some(id) => {
                key.push_str("|id:");
                key.push_str(id);
            }
            None => {
                key.push_str("|row:");
                key.push_str(p.file_name(rec.file));
                let _ = std::fmt::Write::write_fmt(key, format_args!(":{}", rec.line));
            }
        }
        uuid::Uuid::new_v5(&ID_NAMESPACE, key.as_bytes())
    })
}

/// [`record_id`] as text (`6f1c…-…`), written without the formatting machinery.
pub fn record_id_text(p: &Prepared, r: usize) -> String {
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    record_id(p, r)
        .hyphenated()
        .encode_lower(&mut buf)
        .to_string()
}

/// Objects in import order: companies, people, opportunities, custom objects, notes, tasks.
pub fn import_order(p: &Prepared) -> Vec<String> {
    let mut order: Vec<String> = ["company", "person", "opportunity"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    // Custom objects after the objects they refer to (a topological order of the mapping's
    // relation columns); objects that refer to each other keep the schema's order (the import
    // links them in a second pass).
    let custom: Vec<&str> = p
        .schema
        .objects
        .iter()
        .filter(|o| o.custom && !order.contains(&o.name))
        .map(|o| o.name.as_str())
        .collect();
    let needs = |a: &str, b: &str| {
        a != b
            && p.mapping.files.iter().any(|f| {
                f.object == a
                    && f.columns.iter().any(|c| {
                        c.transform == c2t_core::mapping::Transform::Relation
                            && c.object.as_deref() == Some(b)
                    })
            })
    };
    let mut left = custom.clone();
    while !left.is_empty() {
        let next = left
            .iter()
            .position(|a| !left.iter().any(|b| needs(a, b)))
            .unwrap_or(0);
        order.push(left.remove(next).to_string());
    }
    order.extend(["note".to_string(), "task".to_string()]);
    // Files last: every record they can be attached to is written before them.
    order.push(c2t_core::mapping::ATTACHMENT.to_string());
    order
}

/// One written file.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    pub object: String,
    pub rows: usize,
}

fn csv_cell(v: &Val) -> Cow<'_, str> {
    match v {
        Val::Null => "".into(),
        Val::Str(s) => Cow::Borrowed(s),
        Val::Bool(b) => b.to_string().into(),
        Val::Int(i) => i.to_string().into(),
        Val::List(a) if a.is_empty() => "".into(),
        other => other.to_json().to_string().into(),
    }
}

/// A column of an output file: its header and how to get its value from a record.
enum Col {
    Id,
    Scalar(String),
    Sub(String, String),
    /// Amount in units (the importer multiplies it into micros).
    Amount(String),
    RelKey {
        field: String,
        target_object: String,
    },
    RelId {
        field: String,
    },
    Member {
        field: String,
    },
}

fn object_columns(p: &Prepared, def: &ObjectDef, kept: &[usize]) -> Vec<(String, Col)> {
    let mut cols = vec![("Id".to_string(), Col::Id)];
    // Which fields and parts hold a value in at least one kept record, and which relations are
    // linked: one pass over the records (a column nobody fills is not written).
    let mut filled: HashSet<(&str, &str)> = HashSet::default();
    let mut linked: HashSet<&str> = HashSet::default();
    let mask = kept.iter().fold(0, |m, &r| m | p.records[r].filled);
    if mask & crate::filled::OVERFLOW == 0 {
        filled.extend(crate::filled::pairs(&def.name, mask));
    } else {
        // More filled pairs than a mask has bits: read the values back.
        let slots: Vec<_> = kept.iter().map(|&r| p.records[r].stored).collect();
        p.store.filled_many(&slots, &mut |k, sub| {
            filled.insert((k, sub));
        });
    }
    for &r in kept {
        for l in &p.links[r] {
            linked.insert(l.field);
        }
    }
    for f in &def.fields {
        match f.kind {
            FieldType::Relation => {
                if !linked.contains(f.name.as_str()) {
                    continue;
                }
                let target = f.relation.clone().unwrap_or_default();
                if target == "workspaceMember" {
                    cols.push((
                        format!("{} / User Email", f.label),
                        Col::Member {
                            field: f.name.clone(),
                        },
                    ));
                    continue;
                }
                let key_label = match target.as_str() {
                    "company" => Some("Domain Name / Link URL"),
                    "person" => Some("Emails / Primary Email"),
                    _ => None,
                };
                if let Some(kl) = key_label {
                    cols.push((
                        format!("{} / {kl}", f.label),
                        Col::RelKey {
                            field: f.name.clone(),
                            target_object: target.clone(),
                        },
                    ));
                }
                cols.push((
                    format!("{} / Id", f.label),
                    Col::RelId {
                        field: f.name.clone(),
                    },
                ));
            }
            k if k.is_composite() => {
                for (sub, sub_label) in k.csv_sub_fields() {
                    if !filled.contains(&(f.name.as_str(), *sub)) {
                        continue;
                    }
                    let header = format!("{} / {sub_label}", f.label);
                    if *sub == "amountMicros" {
                        cols.push((header, Col::Amount(f.name.clone())));
                    } else {
                        cols.push((header, Col::Sub(f.name.clone(), sub.to_string())));
                    }
                }
            }
            _ => {
                if filled.contains(&(f.name.as_str(), "")) {
                    cols.push((f.label.clone(), Col::Scalar(f.name.clone())));
                }
            }
        }
    }
    cols
}

/// The unique key of a record as the importer connects by it, when it has one.
fn unique_key<'r>(rec: &'r Record, object: &str) -> Option<&'r str> {
    match object {
        "company" => rec.domain_url(),
        "person" => rec.primary_email(),
        _ => None,
    }
}

/// The cell of a part of a record's values, as [`csv_cell`] writes the value it stands for.
fn part_cell(part: Part<'_>) -> Cow<'_, str> {
    match part {
        Part::Null => "".into(),
        Part::Str(s) => s.into(),
        Part::Bool(b) => b.to_string().into(),
        Part::Int(i) => i.to_string().into(),
        Part::Encoded(_) => csv_cell(&part.to_val()).into_owned().into(),
    }
}

/// Which column each field and part of a record's values goes to: `(field, part)` by
/// [`store::name_id`], for the columns that take a value (a name no record used has no column
/// to fill).
struct Plan {
    by_field: Vec<Vec<(Option<u32>, usize)>>,
}

impl Plan {
    fn new(cols: &[(String, Col)]) -> Plan {
        let mut by_field: Vec<Vec<(Option<u32>, usize)>> = Vec::new();
        for (ci, (_, col)) in cols.iter().enumerate() {
            let (field, part) = match col {
                Col::Scalar(f) => (f.as_str(), None),
                Col::Sub(f, sub) => (f.as_str(), Some(sub.as_str())),
                Col::Amount(f) => (f.as_str(), Some("amountMicros")),
                _ => continue,
            };
            let Some(k) = store::name_id(field) else {
                continue;
            };
            let part = match part {
                Some(p) => match store::name_id(p) {
                    Some(id) => Some(id),
                    None => continue,
                },
                None => None,
            };
            if by_field.len() <= k as usize {
                by_field.resize_with(k as usize + 1, Vec::new);
            }
            by_field[k as usize].push((part, ci));
        }
        Plan { by_field }
    }

    /// The part of `bytes` (one record's encoded values) each column takes, by column.
    fn fill<'b>(&self, bytes: &'b [u8], found: &mut Vec<Option<Part<'b>>>, columns: usize) {
        found.clear();
        found.resize(columns, None);
        store::parts(bytes, |k, part, value| {
            for &(want, ci) in self.by_field.get(k as usize).into_iter().flatten() {
                // The first value of a name wins, as `Obj::get` finds it.
                if want == part && found[ci].is_none() {
                    found[ci] = Some(value);
                }
            }
        });
    }
}

/// The cell of record `r` in column `col`, `part` being what its values hold for the column.
fn cell<'p>(p: &'p Prepared, r: usize, part: Option<Part<'p>>, col: &Col) -> Cow<'p, str> {
    match col {
        Col::Id => record_id_text(p, r).into(),
        Col::Scalar(_) | Col::Sub(..) => part.map(part_cell).unwrap_or_default(),
        Col::Amount(_) => match part {
            Some(Part::Int(micros)) => micros_to_amount(micros).into(),
            _ => "".into(),
        },
        Col::RelKey {
            field,
            target_object,
        } => p.links[r]
            .iter()
            .find(|l| l.field == field)
            .and_then(|l| match l.target {
                Target::Record(t) => unique_key(&p.records[t], target_object),
                Target::Member(_) => None,
            })
            .map(Cow::Borrowed)
            .unwrap_or_default(),
        Col::RelId { field } => p.links[r]
            .iter()
            .find(|l| l.field == field)
            .and_then(|l| match l.target {
                Target::Record(t) => {
                    let has_key = unique_key(&p.records[t], &p.records[t].object).is_some();
                    (!has_key).then(|| record_id_text(p, t))
                }
                Target::Member(_) => None,
            })
            .unwrap_or_default()
            .into(),
        Col::Member { field } => p.links[r]
            .iter()
            .find(|l| l.field == field)
            .and_then(|l| match &l.target {
                Target::Member(e) => Some(&**e),
                Target::Record(_) => None,
            })
            .map(Cow::Borrowed)
            .unwrap_or_default(),
    }
}

/// Micros as a plain decimal amount (`1500000000` → `1500`, `1234560000` → `1234.56`).
fn micros_to_amount(micros: i64) -> String {
    let neg = micros < 0;
    let m = micros.unsigned_abs();
    let (units, frac) = (m / 1_000_000, m % 1_000_000);
    let mut s = units.to_string();
    if frac != 0 {
        let f = format!("{frac:06}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    if neg { format!("-{s}") } else { s }
}

/// A CSV file (or, for rows formatted apart, a buffer) written row by row, every cell made safe
/// for spreadsheets.
struct CsvOut<W: std::io::Write = std::fs::File> {
    w: csv::Writer<W>,
    rows: usize,
}

impl CsvOut<Vec<u8>> {
    /// Rows formatted in memory, to be written into a file by [`write_in_parallel`].
    fn in_memory() -> CsvOut<Vec<u8>> {
        CsvOut {
            w: csv::Writer::from_writer(Vec::new()),
            rows: 0,
        }
    }

    fn into_bytes(self) -> std::io::Result<Vec<u8>> {
        self.w
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

impl CsvOut {
    fn create(path: &Path, headers: &[String]) -> std::io::Result<CsvOut> {
        let mut w = csv::Writer::from_path(path).map_err(std::io::Error::other)?;
        w.write_record(headers).map_err(std::io::Error::other)?;
        Ok(CsvOut { w, rows: 0 })
    }
}

/// The encoded values formatted in memory at a time by [`write_in_parallel`].
const RUN_BYTES: usize = 8 << 20;

/// Writes a file of `headers` and the rows `rows` makes of the items, formatted in memory on two
/// threads (half the items each, in runs weighing at most [`RUN_BYTES`] as `weight` says) and
/// written in order. Returns the number of rows. The items are one output file's records (at
/// most `max_rows_per_file`, which the mapping caps at 10 000) or the records of a targets
/// file.
fn write_in_parallel<T: Sync>(
    path: &Path,
    headers: &[String],
    items: &[T],
    weight: impl Fn(&T) -> usize,
    rows: impl Fn(&mut CsvOut<Vec<u8>>, &[T]) -> std::io::Result<()> + Sync,
) -> std::io::Result<usize> {
    use std::io::Write;
    let format = |items: &[T]| -> std::io::Result<(Vec<u8>, usize)> {
        let mut part = CsvOut::in_memory();
        rows(&mut part, items)?;
        let n = part.rows;
        Ok((part.into_bytes()?, n))
    };
    let mut head = CsvOut::in_memory();
    head.w
        .write_record(headers)
        .map_err(std::io::Error::other)?;
    let mut file = std::fs::File::create(path)?;
    file.write_all(&head.into_bytes()?)?;
    let mut written = 0;
    // In runs of at most RUN_BYTES of values (the rows of long notes), so that what is
    // formatted in memory stays bounded whatever the rows hold.
    for run in crate::par::runs(items, RUN_BYTES, weight) {
        let (first, second) = run.split_at(run.len() / 2);
        for part in crate::par::map(&[first, second], |half| format(half)) {
            let (bytes, n) = part?;
            file.write_all(&bytes)?;
            written += n;
        }
    }
    file.flush()?;
    Ok(written)
}

impl<W: std::io::Write> CsvOut<W> {
    fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) -> std::io::Result<()> {
        for c in cells {
            let c = c.as_ref();
            let safe = c2t_normalize::text::csv_safe(c);
            self.w
                .write_field(safe.as_bytes())
                .map_err(std::io::Error::other)?;
        }
        self.w
            .write_record(None::<&[u8]>)
            .map_err(std::io::Error::other)?;
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<usize> {
        self.w.flush()?;
        Ok(self.rows)
    }
}

fn write_csv(path: &Path, headers: &[String], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut out = CsvOut::create(path, headers)?;
    for row in rows {
        out.row(row)?;
    }
    out.finish().map(|_| ())
}

/// Writes the Twenty-ready files, `rejects.csv` and `ledger.csv` into `out`.
pub fn write_all(p: &Prepared, out: &Path) -> std::io::Result<Vec<Written>> {
    std::fs::create_dir_all(out)?;
    // Earlier outputs of ours would mix with these: clear them.
    for entry in std::fs::read_dir(out)?.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let ours = name.ends_with(".csv")
            && name.as_bytes().first().is_some_and(u8::is_ascii_digit)
            && name.as_bytes().get(2) == Some(&b'-');
        if ours {
            std::fs::remove_file(entry.path())?;
        }
    }
    // The ledger (a row per input row) is written on its own thread meanwhile.
    std::thread::scope(|scope| {
        let ledger = std::thread::Builder::new()
            .name("ledger".into())
            .spawn_scoped(scope, || write_ledger(p, out))?;
        let written = write_objects(p, out);
        ledger.join().expect("the ledger thread does not panic")?;
        written
    })
}

/// Writes the Twenty-ready files, in import order.
fn write_objects(p: &Prepared, out: &Path) -> std::io::Result<Vec<Written>> {
    let mut written = Vec::new();
    let max = p.mapping.settings.max_rows_per_file.max(1);
    let mut by_object: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for r in p.kept() {
        by_object
            .entry(p.records[r].object.as_str())
            .or_default()
            .push(r);
    }
    for (n, object) in import_order(p).iter().enumerate() {
        // Twenty's CSV importer takes no files: attachments go through the API only.
        if object == c2t_core::mapping::ATTACHMENT {
            continue;
        }
        let Some(kept) = by_object.get(object.as_str()) else {
            continue;
        };
        let Some(def) = p.schema.object(object) else {
            continue;
        };
        let cols = object_columns(p, def, kept);
        let headers: Vec<String> = cols.iter().map(|(h, _)| h.clone()).collect();
        let plan = Plan::new(&cols);
        let chunks: Vec<&[usize]> = kept.chunks(max).collect();
        for (k, chunk) in chunks.iter().enumerate() {
            let suffix = if chunks.len() > 1 {
                format!("-{}", k + 1)
            } else {
                String::new()
            };
            let path = out.join(format!(
                "{:02}-{}{suffix}.csv",
                n + 1,
                def.plural.to_lowercase()
            ));
            let weight = |&r: &usize| p.records[r].stored.len();
            let rows = write_in_parallel(&path, &headers, chunk, weight, |out, half| {
                // The half's values read back together (one read per run of neighbours), and
                // their cells read in place.
                let slots: Vec<Slot> = half.iter().map(|&r| p.records[r].stored).collect();
                let (bytes, ends) = p.store.bytes_many(&slots);
                let mut found = Vec::new();
                let mut start = 0;
                for (&r, &end) in half.iter().zip(&ends) {
                    plan.fill(&bytes[start..end], &mut found, cols.len());
                    start = end;
                    out.row(
                        cols.iter()
                            .zip(&found)
                            .map(|((_, c), &part)| cell(p, r, part, c)),
                    )?;
                }
                Ok(())
            })?;
            written.push(Written {
                path,
                object: object.clone(),
                rows,
            });
        }
        if matches!(object.as_str(), "note" | "task") {
            let path = out.join(format!("{:02}-{}-targets.csv", n + 1, object));
            let headers = vec![
                format!("{} Id", def.label),
                "Target Object".to_string(),
                "Target Id".to_string(),
                "Target Key".to_string(),
            ];
            let rows = write_in_parallel(
                &path,
                &headers,
                kept,
                |_| 0,
                |f, half| {
                    for &r in half {
                        for l in p.links[r].iter().filter(|l| l.field == "targets") {
                            if let Target::Record(t) = l.target {
                                let tr = &p.records[t];
                                f.row([
                                    record_id_text(p, r),
                                    tr.object.to_string(),
                                    record_id_text(p, t),
                                    unique_key(tr, &tr.object)
                                        .map_or_else(|| tr.display_name(), str::to_string),
                                ])?;
                            }
                        }
                    }
                    Ok(())
                },
            )?;
            written.push(Written {
                path,
                object: format!("{object}Target"),
                rows,
            });
        }
    }
    Ok(written)
}

/// Writes `rejects.csv` and `ledger.csv`.
fn write_ledger(p: &Prepared, out: &Path) -> std::io::Result<()> {
    let rejects: Vec<Vec<String>> = p
        .rejects
        .iter()
        .map(|r| vec![r.file.clone(), r.line.to_string(), r.reason.clone()])
        .collect();
    write_csv(
        &out.join("rejects.csv"),
        &["file".into(), "line".into(), "reason".into()],
        &rejects,
    )?;
    // The ledger, by file and line (a stable sort: entries of one line keep their order).
    let entries = &p.ledger.entries;
    let mut order: Vec<u32> = (0..entries.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&entries[a as usize], &entries[b as usize]);
        (&*a.file, a.line).cmp(&(&*b.file, b.line))
    });
    let mut f = CsvOut::create(
        &out.join("ledger.csv"),
        &["file", "line", "object", "outcome", "detail"].map(String::from),
    )?;
    for i in order {
        let e = &entries[i as usize];
        let detail = match &e.outcome {
            c2t_core::Outcome::Imported => "",
            c2t_core::Outcome::Merged(m) => &format!("into {} ({})", m.into, m.rule),
            c2t_core::Outcome::Skipped { rule } => rule.as_str(),
            c2t_core::Outcome::Rejected { reason } => reason.as_str(),
        };
        f.row([
            &*e.file,
            &e.line.to_string(),
            &*e.object,
            e.outcome.kind(),
            detail,
        ])?;
    }
    f.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    /// A file written in runs (heavy items) has the bytes of one written in one go.
    #[test]
    fn runs_write_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let items: Vec<usize> = (0..1001).collect();
        let headers = ["n".to_string(), "text".to_string()];
        let rows = |out: &mut super::CsvOut<Vec<u8>>, half: &[usize]| {
            for &i in half {
                out.row([i.to_string(), "=x,\"y\"\n".repeat(i % 5)])?;
            }
            Ok(())
        };
        let one = dir.path().join("one.csv");
        let many = dir.path().join("many.csv");
        assert_eq!(
            super::write_in_parallel(&one, &headers, &items, |_| 0, rows).unwrap(),
            1001
        );
        // Each item weighs a third of a run: runs of three, the last of two.
        let third = super::RUN_BYTES / 3;
        assert_eq!(
            super::write_in_parallel(&many, &headers, &items, |_| third, rows).unwrap(),
            1001
        );
        assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(&many).unwrap());
    }

    #[test]
    fn micros_render_as_plain_amounts() {
        assert_eq!(super::micros_to_amount(1_500_000_000), "1500");
        assert_eq!(super::micros_to_amount(1_234_560_000), "1234.56");
        assert_eq!(super::micros_to_amount(-500_000), "-0.5");
        assert_eq!(super::micros_to_amount(0), "0");
    }
}
