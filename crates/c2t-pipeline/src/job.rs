//! The whole local job on one export folder and one mapping: read every file, clean every row,
//! apply the skip rules, de-duplicate, link, and settle every row's outcome in the ledger.

use crate::dedupe::{self, Merge};
use crate::link::{self, Link, Target};
use crate::members::{Directory, Member};
use crate::record::{Finding, Obj, Record, Val};
use crate::store::Store;
use crate::transform::{FileContext, inference_columns};
use c2t_core::mapping::{ATTACHMENT, LOOKUP_ONLY, SKIP_FILE};
use c2t_core::{Ledger, Mapping, Outcome, Schema};
use c2t_ingest::{ReadOptions, Row, RowReject, Source};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What became of one record: 16 bytes, one per row, so everything but `Kept` (most rows) is
/// boxed.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Kept,
    Merged(Box<Merge>),
    Skipped(Box<Skip>),
    Rejected(Box<str>),
}

/// A record left out by a named rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Skip {
    pub rule: String,
    pub detail: String,
}

impl Status {
    pub fn skipped(rule: impl Into<String>, detail: impl Into<String>) -> Status {
        Status::Skipped(Box::new(Skip {
            rule: rule.into(),
            detail: detail.into(),
        }))
    }
}

/// A row that could not be used, for `rejects.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

/// What was learnt about one file while reading it.
#[derive(Debug, Clone, Default)]
pub struct FileInfo {
    pub path: String,
    pub object: String,
    pub encoding: String,
    pub delimiter: Option<char>,
    pub rows: u64,
    pub headers: Vec<String>,
    /// Non-empty cells per header.
    pub filled: Vec<u64>,
    pub ambiguous_dates: Vec<String>,
    pub warnings: Vec<String>,
    /// The file could not be read at all.
    pub error: Option<String>,
}

/// Options of a run that are not in the mapping.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Overrides the mapping's `as_of` (`YYYY-MM-DD`).
    pub as_of: Option<String>,
    pub members_file: Option<PathBuf>,
    /// The workspace's own members, when the run is connected to it: owners named by full name
    /// or email are found among them, and a CRM user with a workspace member's full name is
    /// that member.
    pub workspace_members: Vec<Member>,
    /// How many rows the export's files hold, when known (the proposal counted them): the
    /// record list is then sized once instead of growing by doubling, which at a million rows
    /// copies it several times and briefly holds it twice.
    pub expected_rows: Option<u64>,
    /// A person's decisions on merges, test data and stale rows ([`crate::review`]).
    pub review: crate::review::Review,
}

/// The cleaned, de-duplicated, linked records of an export, and the account of every row.
#[derive(Debug)]
pub struct Prepared {
    pub mapping: Mapping,
    pub schema: Schema,
    pub files: Vec<FileInfo>,
    pub records: Vec<Record>,
    /// The records' values ([`Prepared::values`]).
    pub store: Store,
    pub status: Vec<Status>,
    pub links: Vec<Vec<Link>>,
    pub findings: Vec<Finding>,
    pub ledger: Ledger,
    pub rejects: Vec<Reject>,
    pub members: Directory,
    /// Select values the workspace has no option for yet: (object, field) → values.
    pub new_options: BTreeMap<(String, String), BTreeSet<String>>,
    pub as_of: String,
    pub stale_cutoff: String,
    /// Blocks of company names too large to compare for similar-name duplicates.
    pub skipped_blocks: Vec<dedupe::SkippedBlock>,
    /// Companies with alike names that were not merged because their phones or cities differ.
    pub possible_duplicates: Vec<dedupe::PossibleDuplicate>,
    /// Companies created from names ([`crate::derive`]): each with the first record naming it.
    pub created_from: HashMap<usize, usize>,
    /// The export folder the files were read from.
    pub export_dir: PathBuf,
    /// Each kept attachment's file, by record.
    pub attachments: HashMap<usize, crate::attach::FoundFile>,
    /// The review the run honoured ([`crate::review`]; empty when none was given).
    pub review: crate::review::Review,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("the mapping is not valid:\n{}", .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    Mapping(Vec<c2t_core::mapping::MappingError>),
    #[error("{0}")]
    Members(String),
    #[error("settings.as_of / --as-of: `{0}` is not a YYYY-MM-DD date")]
    AsOf(String),
    #[error("{0}")]
    Store(#[from] std::io::Error),
}

impl Prepared {
    /// Files with rows that no object was named for and no reason given to leave out: nothing
    /// of them is imported and nobody decided so. (path, rows)
    pub fn unmapped_files(&self) -> Vec<(&str, u64)> {
        self.files
            .iter()
            .zip(&self.mapping.files)
            .filter(|(info, fm)| {
                fm.object == SKIP_FILE
                    && fm.reason.is_none()
                    && info.error.is_none()
                    && info.rows > 0
            })
            .map(|(info, fm)| (fm.path.as_str(), info.rows))
            .collect()
    }

    pub fn kept(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.records.len()).filter(|&i| self.status[i] == Status::Kept)
    }

    /// Record `r`'s values in Twenty's API shape, read back from the store.
    pub fn values(&self, r: usize) -> Obj {
        self.store.get(self.records[r].stored)
    }

    pub fn file_name(&self, i: usize) -> &str {
        &self.mapping.files[i].path
    }

    pub fn place(&self, r: usize) -> String {
        let rec = &self.records[r];
        match self.created_from.get(&r) {
            Some(&from) => format!(
                "{} named at {}:{}",
                rec.object,
                self.file_name(self.records[from].file),
                self.records[from].line
            ),
            None => format!("{}:{}", self.file_name(rec.file), rec.line),
        }
    }

    /// Kept records created from names ([`crate::derive`]), per object.
    pub fn created_kept(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for &c in self.created_from.keys() {
            if self.status[c] == Status::Kept {
                *out.entry(self.records[c].object.to_string()).or_default() += 1;
            }
        }
        out
    }
}

/// Today (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    jiff::Timestamp::now().to_string()[..10].to_string()
}

/// Subtracts days from an ISO date (`YYYY-MM-DD`); None when it is not one.
pub fn minus_days(date: &str, days: u32) -> Option<String> {
    let d: jiff::civil::Date = date.parse().ok()?;
    d.checked_sub(jiff::Span::new().days(i64::from(days)))
        .ok()
        .map(|d| d.to_string())
}

/// Reads every file of the mapping from `export_dir` and settles every row.
pub fn prepare(export_dir: &Path, mapping: Mapping, opts: &Options) -> Result<Prepared, JobError> {
    let base = Schema::standard();
    let errors = mapping.validate(&base);
    if !errors.is_empty() {
        return Err(JobError::Mapping(errors));
    }
    let schema = mapping.schema(&base);
    let as_of = opts
        .as_of
        .clone()
        .or_else(|| mapping.settings.as_of.clone())
        .unwrap_or_else(today);
    let stale_cutoff = minus_days(&as_of, mapping.settings.stale_after_days)
        .ok_or_else(|| JobError::AsOf(as_of.clone()))?;

    let mut members = Directory::default();
    for m in &opts.workspace_members {
        members.add_workspace(m.clone());
    }
    for m in &mapping.members {
        let (first, last) = c2t_normalize::name::split_full_name(&m.name);
        members.add(
            Member {
                first_name: first,
                last_name: last,
                email: m.email.as_str().into(),
            },
            None,
        );
    }
    if let Some(f) = &opts.members_file {
        members.load_file(f).map_err(JobError::Members)?;
    }

    let mut phase = crate::timing::Phase::start("read and clean");
    let mut ledger = Ledger::default();
    let mut records: Vec<Record> = Vec::new();
    let mut status: Vec<Status> = Vec::new();
    if let Some(n) = opts.expected_rows {
        // A hint: a wrong one costs a doubling, or room never touched (so never resident).
        let n = usize::try_from(n).unwrap_or(0);
        records.reserve_exact(n);
        status.reserve_exact(n);
    }
    let mut store = Store::from_env();
    let mut store_error: Option<std::io::Error> = None;
    // Each record's select values with no option in the schema, when it has some.
    let mut unlisted: HashMap<usize, Vec<(String, String)>> = HashMap::default();
    let mut findings = Vec::new();
    let mut rejects = Vec::new();
    let mut files = Vec::new();

    for (fi, fm) in mapping.files.iter().enumerate() {
        let path = export_dir.join(&fm.path);
        let ropts = ReadOptions {
            encoding: fm.encoding.clone(),
            delimiter: fm
                .delimiter
                .as_deref()
                .map(|d| if d == "\\t" { b'\t' } else { d.as_bytes()[0] }),
            sheet: fm.sheet.clone(),
        };
        let mut info = FileInfo {
            path: fm.path.clone(),
            object: fm.object.clone(),
            ..Default::default()
        };
        // First pass: samples for the columns whose date order or number style must be inferred.
        let mut samples: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        let source = match Source::open(&path, &ropts) {
            Ok(s) => s,
            Err(e) => {
                info.error = Some(e.to_string());
                files.push(info);
                continue;
            }
        };
        let headers = source.headers.clone();
        let missing: Vec<&str> = fm
            .columns
            .iter()
            .map(|c| c.column.as_str())
            .filter(|c| !headers.iter().any(|h| h == c))
            .collect();
        if !missing.is_empty() {
            info.warnings.push(format!(
                "columns in the mapping but not in the file: {}",
                missing.join(", ")
            ));
        }
        let (dates, numbers) = inference_columns(fm, &headers);
        let wanted: Vec<usize> = dates.iter().chain(numbers.iter()).copied().collect();
        if !wanted.is_empty() && fm.object != SKIP_FILE {
            const SAMPLES: usize = 20_000;
            for row in source {
                let Ok(row) = row else { continue };
                for &p in &wanted {
                    if let Some(v) = row.cells.get(p).map(|s| s.trim()).filter(|s| !s.is_empty()) {
                        let list = samples.entry(p).or_default();
                        if list.len() < SAMPLES {
                            list.push(v.to_string());
                        }
                    }
                }
                // Enough to decide every column: the rest of the file is read once, below.
                if wanted
                    .iter()
                    .all(|p| samples.get(p).is_some_and(|l| l.len() >= SAMPLES))
                {
                    break;
                }
            }
        }
        let source = match Source::open(&path, &ropts) {
            Ok(s) => s,
            Err(e) => {
                info.error = Some(e.to_string());
                files.push(info);
                continue;
            }
        };
        info.encoding = source.encoding.to_string();
        info.delimiter = source.delimiter.map(char::from);
        info.warnings
            .extend(source.header_warnings().iter().cloned());
        info.filled = vec![0; headers.len()];
        let object_def = schema.object(&fm.object);
        let mut ctx = FileContext::new(fi, &mapping, &schema, &headers, &samples);
        // Relations through another file of the export: that file's keys, read once.
        for (ci, c) in fm.columns.iter().enumerate() {
            let Some(t) = &c.through else { continue };
            match load_through(export_dir, t) {
                Ok(map) => {
                    ctx.through.insert(ci, map);
                }
                Err(e) => {
                    info.warnings.push(format!(
                        "column {}: its records are named in {}, which cannot be used: {e}",
                        c.column, t.file
                    ));
                    ctx.through.insert(ci, HashMap::default());
                }
            }
        }
        info.ambiguous_dates = ctx.ambiguous_dates.clone();
        let is_skip_file = fm.object == SKIP_FILE;
        // The skip rules' columns, found once (a rule whose column is missing never matches).
        let skip_rules: Vec<(&c2t_core::mapping::RowFilter, usize)> = fm
            .skip_rows
            .iter()
            .filter_map(|f| Some((f, headers.iter().position(|h| h == &f.column)?)))
            .collect();
        let width = headers.len();
        // What becomes of a cleaned row, decided on the cleaning threads (it depends on the
        // row alone), and the workspace member it names, if any (a user export's row that no
        // rule skipped).
        let decide = |row: &Row, rec: &Record, values: &Obj| -> Decided {
            let filtered = skip_rules.iter().find_map(|&(f, pos)| {
                let cell = row.cells.get(pos)?;
                f.matches(cell)
                    .then(|| (f.rule.clone(), format!("{} = {}", f.column, cell.trim())))
            });
            let status = if let Some((rule, detail)) = filtered {
                Status::skipped(rule, detail)
            } else if fm.object == LOOKUP_ONLY {
                return (
                    Status::skipped("lookup_only", "user export, read to find owners"),
                    member_of(rec, values),
                    Vec::new(),
                );
            } else if let Some(reason) = empty_reason(rec, values).filter(|_| !fm.completes) {
                Status::Rejected(reason.into())
            } else if let Some(t) = rec
                .test_reason
                .as_ref()
                .filter(|_| !opts.review.keep_test.contains(&(fm.path.clone(), rec.line)))
            {
                Status::skipped("test_data", &**t)
            } else {
                return (Status::Kept, None, unlisted_selects(object_def, values));
            };
            (status, None, Vec::new())
        };
        // Rows are read, parsed and cleaned on other threads ([`read_and_clean`]) and settled
        // here in file order, so findings, members and the ledger come out as if one thread had
        // done it all.
        read_and_clean(
            source,
            &ctx,
            is_skip_file,
            width,
            &decide,
            |(batch, cleaned, bytes, ends, found, filled)| {
                findings.extend(found);
                let slots = match store.put_many(&bytes, &ends) {
                    Ok(s) => s,
                    Err(e) => {
                        store_error.get_or_insert(e);
                        vec![Default::default(); ends.len()]
                    }
                };
                let mut slots = slots.into_iter();
                for (total, n) in info.filled.iter_mut().zip(filled) {
                    *total += n;
                }
                let mut cleaned = cleaned.into_iter();
                ledger.count_read(&fm.path, batch.len() as u64);
                for row in batch {
                    info.rows += 1;
                    let row = match row {
                        Ok(r) => r,
                        Err(rej) => {
                            ledger.record(
                                &fm.path,
                                rej.line,
                                &fm.object,
                                Outcome::Rejected {
                                    reason: rej.reason.as_str().into(),
                                },
                            );
                            rejects.push(Reject {
                                file: fm.path.clone(),
                                line: rej.line,
                                reason: rej.reason,
                            });
                            continue;
                        }
                    };
                    if is_skip_file {
                        ledger.record(
                            &fm.path,
                            row.line,
                            &fm.object,
                            Outcome::Skipped {
                                rule: if fm.reason.is_some() {
                                    "file_not_imported".into()
                                } else {
                                    "file_not_mapped".into()
                                },
                            },
                        );
                        continue;
                    }
                    let (mut rec, (st, member, selects)) =
                        cleaned.next().expect("one record per row read");
                    if !selects.is_empty() {
                        unlisted.insert(records.len(), selects);
                    }
                    rec.stored = slots.next().expect("one slot per record");
                    if let Some((m, id)) = member {
                        members.add(m, id.as_deref());
                    }
                    records.push(rec);
                    status.push(st);
                }
            },
        );
        info.headers = headers;
        files.push(info);
        if let Some(e) = store_error.take() {
            return Err(JobError::Store(e));
        }
    }

    // Companies named by rows and held by no row of the export.
    phase.next("companies from names");
    let created = crate::derive::companies(&mut records, &mut status, &mut store, &mapping)?;
    let created_from: HashMap<usize, usize> = created.iter().copied().collect();

    // De-duplicate what is still in.
    phase.next("de-duplicate");
    // Rows a person asked to keep apart (the review file) merge with nothing.
    let apart: HashSet<usize> = if opts.review.apart.is_empty() {
        HashSet::default()
    } else {
        (0..records.len())
            .filter(|&i| {
                !records[i].is_created()
                    && opts
                        .review
                        .apart
                        .contains(&(mapping.files[records[i].file].path.clone(), records[i].line))
            })
            .collect()
    };
    let alive: Vec<usize> = (0..records.len())
        .filter(|&i| status[i] == Status::Kept && !apart.contains(&i))
        .collect();
    // A merge by name needs the rest to agree: two companies of alike names whose phones or
    // cities differ are two businesses until someone says otherwise.
    let disagree = |a: usize, b: usize| -> Option<String> {
        let (va, vb) = (store.get(records[a].stored), store.get(records[b].stored));
        let text = |v: &Obj, path: &str| {
            crate::record::get_path(v, path)
                .and_then(Val::as_str)
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
        };
        let differ = |path: &str| match (text(&va, path), text(&vb, path)) {
            (Some(x), Some(y)) if x != y => Some((x, y)),
            _ => None,
        };
        let mut what = Vec::new();
        for (path, label) in [
            ("phone.primaryPhoneNumber", "phones"),
            ("phones.primaryPhoneNumber", "phones"),
            ("address.addressCity", "cities"),
        ] {
            if let Some((x, y)) = differ(path) {
                what.push(format!("their {label} differ ({x} / {y})"));
            }
        }
        (!what.is_empty()).then(|| what.join(" and "))
    };
    // Rows of a file that completes another's records merge into them, never the reverse; so
    // do companies created from names (a row of the export is the record, when there is one).
    let completing: Vec<bool> = records
        .iter()
        .map(|r| !r.is_created() && mapping.files[r.file].completes)
        .collect();
    let completes = |i: usize| completing[i];
    let never_survives = |i: usize| completing[i] || records[i].is_created();
    let (merges, skipped_blocks, possible_duplicates) = dedupe::find_merges_checked(
        &records,
        &alive,
        &mapping.settings,
        &disagree,
        &never_survives,
    );
    dedupe::apply(&mut records, &mut store, &merges)?;
    // A survivor may have taken select values from the records merged into it.
    let survivors: BTreeSet<usize> = merges.values().map(|m| m.survivor).collect();
    for s in survivors {
        let values = store.get(records[s].stored);
        let selects = unlisted_selects(schema.object(&records[s].object), &values);
        if selects.is_empty() {
            unlisted.remove(&s);
        } else {
            unlisted.insert(s, selects);
        }
    }
    for (&m, merge) in &merges {
        status[m] = Status::Merged(Box::new(merge.clone()));
    }
    // A completing row whose record is not in the export has nothing to complete.
    for &i in &alive {
        if completes(i) && status[i] == Status::Kept {
            status[i] = Status::Rejected(
                format!(
                    "completes {} {}, which is not in the export",
                    records[i].object,
                    records[i].source_id.as_deref().unwrap_or("(no id)")
                )
                .into(),
            );
        }
    }

    // Link, decide staleness, then link again without the stale rows.
    phase.next("link and stale");
    let mut gone: link::Gone = HashMap::default();
    for (i, s) in status.iter().enumerate() {
        if let Status::Skipped(s) = s {
            gone.insert(i, format!("skipped ({})", crate::words::words(&s.rule)));
        } else if let Status::Rejected(r) = s {
            gone.insert(i, format!("rejected ({r})"));
        }
    }
    // Every kept record is linked once. The stale rule then takes records out; only the records
    // whose links depended on one of those (found it, or chose among candidates that included
    // it) are linked again, without them. The others keep their links and findings.
    let alive_mask: Vec<bool> = status.iter().map(|s| *s == Status::Kept).collect();
    let linker = link::Linker::new(&records, &alive_mask, &merges, &members, &mapping.settings);
    // The records are linked on two threads, half each, and the halves put back in order.
    let link_range = |range: std::ops::Range<usize>| {
        let mut found: Vec<Finding> = Vec::new();
        let mut ends: Vec<usize> = Vec::with_capacity(range.len());
        let mut touched: Vec<(u32, u32)> = Vec::new();
        let mut links: Vec<Vec<Link>> = Vec::with_capacity(range.len());
        for i in range {
            links.push(if alive_mask[i] {
                linker.resolve(i, &alive_mask, &gone, &mut found, &mut |t| {
                    touched.push((i as u32, t as u32))
                })
            } else {
                Vec::new()
            });
            ends.push(found.len());
        }
        (links, found, ends, touched)
    };
    let mid = records.len() / 2;
    let mut links: Vec<Vec<Link>> = Vec::with_capacity(records.len());
    let mut first_findings: Vec<Finding> = Vec::new();
    let mut findings_end: Vec<usize> = Vec::with_capacity(records.len());
    let mut touched: Vec<(u32, u32)> = Vec::new();
    for (l, found, ends, t) in
        crate::par::map(&[0..mid, mid..records.len()], |r| link_range(r.clone()))
    {
        let offset = first_findings.len();
        links.extend(l);
        first_findings.extend(found);
        findings_end.extend(ends.into_iter().map(|e| e + offset));
        touched.extend(t);
    }
    if mapping.settings.skip_stale {
        let stale = decide_stale(&records, &status, &links, &stale_cutoff);
        for (i, why) in stale {
            if opts
                .review
                .keep_stale
                .contains(&(mapping.files[records[i].file].path.clone(), records[i].line))
            {
                continue;
            }
            gone.insert(i, "skipped as stale".into());
            status[i] = Status::skipped("stale", why);
        }
    }
    let still: Vec<bool> = status.iter().map(|s| *s == Status::Kept).collect();
    let mut redo = vec![false; records.len()];
    for (i, t) in touched {
        let (i, t) = (i as usize, t as usize);
        if alive_mask[t] && !still[t] {
            redo[i] = true;
        }
    }
    let mut first = first_findings.into_iter();
    let mut start = 0;
    for i in 0..records.len() {
        let own = first.by_ref().take(findings_end[i] - start);
        start = findings_end[i];
        if !still[i] {
            links[i] = Vec::new();
            own.for_each(drop);
        } else if redo[i] {
            own.for_each(drop);
            links[i] = linker.resolve(i, &still, &gone, &mut findings, &mut |_| {});
        } else {
            findings.extend(own);
        }
    }
    drop(linker);
    // A company created from a name that only left-out rows gave goes with them.
    let mut named: HashSet<usize> = HashSet::default();
    for (i, ls) in links.iter().enumerate() {
        if status[i] == Status::Kept {
            for l in ls {
                if let Target::Record(t) = l.target {
                    named.insert(t);
                }
            }
        }
    }
    for &(c, _) in &created {
        if status[c] == Status::Kept && !named.contains(&c) {
            status[c] = Status::skipped("not_named", "every row that named it was left out");
        }
    }
    // A note or task all of whose targets were left out goes with them.
    let left_out: HashSet<&str> = records
        .iter()
        .enumerate()
        .filter(|(j, _)| !matches!(status[*j], Status::Kept | Status::Merged(_)))
        .filter_map(|(_, o)| o.source_id.as_deref())
        .collect();
    for i in 0..records.len() {
        let r = &records[i];
        if status[i] != Status::Kept || !matches!(r.object.as_str(), "note" | "task" | ATTACHMENT) {
            continue;
        }
        let had_targets = r.refs.iter().any(|x| x.field == "targets");
        let has_targets = links[i].iter().any(|l| l.field == "targets");
        let all_gone = r
            .refs
            .iter()
            .filter(|x| x.field == "targets")
            .all(|x| x.values.iter().all(|v| left_out.contains(v.as_str())));
        if had_targets && !has_targets && all_gone {
            status[i] = Status::skipped(
                "targets_skipped",
                "every record it is attached to was left out",
            );
        }
    }

    // Attachments: the file each row names must be in the export, and the row must name a
    // record of the export to attach it to (a file attached to nothing is seen by nobody).
    let mut attachments: HashMap<usize, crate::attach::FoundFile> = HashMap::default();
    for i in 0..records.len() {
        if status[i] != Status::Kept || records[i].object != ATTACHMENT {
            continue;
        }
        let values = store.get(records[i].stored);
        let rel = values.get("file").and_then(Val::as_str).unwrap_or_default();
        match crate::attach::find(export_dir, rel) {
            Ok(f) => {
                attachments.insert(i, f);
            }
            Err(why) => {
                status[i] = Status::Rejected(why.into());
                continue;
            }
        }
        if !links[i].iter().any(|l| l.field == "targets") {
            let named: Vec<&str> = records[i]
                .refs
                .iter()
                .filter(|x| x.field == "targets")
                .flat_map(|x| x.values.iter().map(|v| v.as_str()))
                .collect();
            status[i] = Status::Rejected(
                if named.is_empty() {
                    "names no record to attach the file to".to_string()
                } else {
                    format!(
                        "attached to {}, which is not a record of the export",
                        named.join(", ")
                    )
                }
                .into(),
            );
            attachments.remove(&i);
        }
    }
    // The same bytes attached twice to the same record (a file attached to two copies of a
    // company that were merged, an export listing it twice) are one attachment.
    let mut first_of: HashMap<(usize, String), usize> = HashMap::default();
    let mut order: Vec<usize> = attachments.keys().copied().collect();
    order.sort_unstable();
    for i in order {
        let hash = match crate::attach::content_hash(&attachments[&i].path) {
            Ok(h) => h,
            Err(e) => {
                status[i] = Status::Rejected(
                    format!("file `{}` cannot be read: {e}", attachments[&i].rel).into(),
                );
                attachments.remove(&i);
                continue;
            }
        };
        let targets: Vec<usize> = links[i]
            .iter()
            .filter(|l| l.field == "targets")
            .filter_map(|l| match l.target {
                Target::Record(t) => Some(t),
                Target::Member(_) => None,
            })
            .collect();
        let survivor = targets
            .iter()
            .find_map(|&t| first_of.get(&(t, hash.clone())).copied());
        match survivor {
            Some(s)
                if targets
                    .iter()
                    .all(|&t| first_of.contains_key(&(t, hash.clone()))) =>
            {
                status[i] = Status::Merged(Box::new(Merge {
                    survivor: s,
                    rule: "same_file_same_record".into(),
                }));
                attachments.remove(&i);
            }
            _ => {
                for t in targets {
                    first_of.entry((t, hash.clone())).or_insert(i);
                }
                if let Some(f) = attachments.get_mut(&i) {
                    f.hash = hash;
                }
            }
        }
    }

    // Settle the ledger.
    phase.next("ledger and options");
    ledger.entries.reserve_exact(records.len());
    for (i, r) in records.iter().enumerate() {
        if r.is_created() {
            // Not a row: the audit counts these apart.
            continue;
        }
        let path = &mapping.files[r.file].path;
        let outcome = match &status[i] {
            Status::Kept => Outcome::Imported,
            Status::Merged(m) => Outcome::Merged(Box::new(c2t_core::Merged {
                into: compact_str::format_compact!(
                    "{}:{}",
                    mapping.files[records[m.survivor].file].path,
                    records[m.survivor].line
                ),
                rule: m.rule.as_str().into(),
            })),
            Status::Skipped(s) => Outcome::Skipped {
                rule: s.rule.as_str().into(),
            },
            Status::Rejected(reason) => {
                rejects.push(Reject {
                    file: path.clone(),
                    line: r.line,
                    reason: reason.to_string(),
                });
                Outcome::Rejected {
                    reason: (&**reason).into(),
                }
            }
        };
        ledger.record(path, r.line, &r.object, outcome);
    }
    rejects.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));

    // Select values with no option in the workspace yet.
    let mut new_options: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for i in (0..records.len()).filter(|&i| status[i] == Status::Kept) {
        for (field, value) in unlisted.get(&i).into_iter().flatten() {
            new_options
                .entry((records[i].object.to_string(), field.clone()))
                .or_default()
                .insert(value.clone());
        }
    }

    Ok(Prepared {
        mapping,
        schema,
        files,
        records,
        store,
        status,
        links,
        findings,
        ledger,
        rejects,
        members,
        new_options,
        as_of,
        stale_cutoff,
        skipped_blocks,
        possible_duplicates,
        created_from,
        export_dir: export_dir.to_path_buf(),
        attachments,
        review: opts.review.clone(),
    })
}

/// A batch as a cleaning thread gives it back: its rows, their records with what was decided of
/// each, the records' encoded values one after the other and where each ends, the findings, and
/// the non-blank cells per column.
type Cleaned<D> = (
    Vec<Result<Row, RowReject>>,
    Vec<(Record, D)>,
    Vec<u8>,
    Vec<usize>,
    Vec<Finding>,
    Vec<u64>,
);

/// The bytes of a row's cells, what a batch is weighed by ([`crate::par::BATCH_BYTES`]).
fn row_bytes(row: &Result<Row, RowReject>) -> usize {
    row.as_ref().map_or(0, |r| r.cells.as_slice().len())
}

/// Threads cleaning rows (the machine this is tuned for has two cores; reading and settling are
/// light).
const CLEANERS: usize = 2;

/// Reads `source` and cleans its rows with `ctx`, in parallel: one thread reads and parses rows
/// into batches, two threads clean alternate batches, and `settle` gets every batch in file
/// order on the calling thread, with the records of its rows that were read (in order, none for
/// rejected rows or when `skip` says the file is not cleaned), their values encoded for the
/// store, their findings, and the number of non-blank cells in each of the first `width`
/// columns ([`Cleaned`]). Each record comes with what `decide` says of it.
fn read_and_clean<D: Send>(
    source: Source,
    ctx: &FileContext<'_>,
    skip: bool,
    width: usize,
    decide: &(dyn Fn(&Row, &Record, &Obj) -> D + Sync),
    mut settle: impl FnMut(Cleaned<D>),
) {
    type Batch = Vec<Result<Row, RowReject>>;
    std::thread::scope(|scope| {
        let mut to_cleaner = Vec::new();
        let mut from_cleaner = Vec::new();
        for _ in 0..CLEANERS {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(2);
            let (tx_done, rx_done) = std::sync::mpsc::sync_channel::<Cleaned<D>>(2);
            let spawned = std::thread::Builder::new()
                .name("c2t-clean".into())
                .spawn_scoped(scope, move || {
                    for batch in rx {
                        let mut found = Vec::new();
                        let mut bytes = Vec::new();
                        let mut ends = Vec::new();
                        let recs: Vec<(Record, D)> = if skip {
                            Vec::new()
                        } else {
                            batch
                                .iter()
                                .filter_map(|r| r.as_ref().ok())
                                .map(|row| {
                                    let (mut rec, values) =
                                        ctx.transform(row.line, &row.cells, &mut found);
                                    rec.filled = crate::filled::mask(ctx.object_key, &values);
                                    let st = decide(row, &rec, &values);
                                    crate::store::encode(&values, &mut bytes);
                                    ends.push(bytes.len());
                                    (rec, st)
                                })
                                .collect()
                        };
                        let mut filled = vec![0u64; width];
                        for row in batch.iter().filter_map(|r| r.as_ref().ok()) {
                            for (n, c) in filled.iter_mut().zip(row.cells.iter()) {
                                if !c2t_normalize::text::trim(c).is_empty() {
                                    *n += 1;
                                }
                            }
                        }
                        if tx_done
                            .send((batch, recs, bytes, ends, found, filled))
                            .is_err()
                        {
                            return;
                        }
                    }
                });
            spawned.expect("cannot start a cleaning thread");
            to_cleaner.push(tx);
            from_cleaner.push(rx_done);
        }
        let spawned = std::thread::Builder::new()
            .name("c2t-read".into())
            .spawn_scoped(scope, move || {
                let batches = crate::par::batches_weighed(
                    source,
                    crate::par::BATCH_ROWS,
                    crate::par::BATCH_BYTES,
                    row_bytes,
                );
                for (n, batch) in batches.enumerate() {
                    if to_cleaner[n % CLEANERS].send(batch).is_err() {
                        return;
                    }
                }
            });
        spawned.expect("cannot start the reading thread");
        // Batches come back in the order they were dealt out; a cleaner whose channel closes
        // has no more.
        let mut n = 0;
        while let Ok((batch, recs, bytes, ends, found, filled)) = from_cleaner[n % CLEANERS].recv()
        {
            settle((batch, recs, bytes, ends, found, filled));
            n += 1;
        }
    });
}

/// What the cleaning threads decide of a record: its status, the workspace member it names (a
/// user export's row), and its select values with no option in the schema (kept records only).
type Decided = (
    Status,
    Option<(Member, Option<String>)>,
    Vec<(String, String)>,
);

/// A record's select values that the schema has no option for: (field, value), in field order.
fn unlisted_selects(object: Option<&c2t_core::ObjectDef>, values: &Obj) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in object.into_iter().flat_map(|o| &o.fields) {
        if !f.kind.is_select() {
            continue;
        }
        let Some(value) = values.get(&f.name) else {
            continue;
        };
        for v in value.option_names() {
            if !f.options.iter().any(|o| o == v) {
                out.push((f.name.clone(), v.to_string()));
            }
        }
    }
    out
}

/// The workspace member a user export's row names (with the user's source id), if it has an
/// email.
fn member_of(rec: &Record, values: &Obj) -> Option<(Member, Option<String>)> {
    let s = |p: &str| {
        crate::record::get_path(values, p)
            .and_then(Val::as_str)
            .unwrap_or("")
            .to_string()
    };
    let email = [s("userEmail"), s("emails.primaryEmail")]
        .into_iter()
        .find(|e| !e.is_empty())?;
    Some((
        Member {
            first_name: s("name.firstName"),
            last_name: s("name.lastName"),
            email: email.into(),
        },
        rec.source_id.as_deref().map(str::to_string),
    ))
}

/// The keys another file gives for each of its `t.key` cells ([`c2t_core::mapping::Through`]).
fn load_through(
    dir: &Path,
    t: &c2t_core::mapping::Through,
) -> Result<HashMap<String, Vec<String>>, String> {
    let source =
        Source::open(&dir.join(&t.file), &ReadOptions::default()).map_err(|e| e.to_string())?;
    let pos = |name: &str| {
        source
            .headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("it has no column `{name}`"))
    };
    let (k, v) = (pos(&t.key)?, pos(&t.value)?);
    let mut map: HashMap<String, Vec<String>> = HashMap::default();
    for row in source {
        let Ok(row) = row else { continue };
        let key = row.cells.get(k).map(str::trim).unwrap_or_default();
        let value = row.cells.get(v).map(str::trim).unwrap_or_default();
        if key.is_empty()
            || value.is_empty()
            || t.except_prefixes
                .iter()
                .any(|p| value.starts_with(p.as_str()))
        {
            continue;
        }
        let list = map.entry(key.to_string()).or_default();
        if !list.iter().any(|x| x == value) {
            list.push(value.to_string());
        }
    }
    Ok(map)
}

/// Why a record holds nothing worth importing, if it does not.
fn empty_reason(r: &Record, values: &Obj) -> Option<String> {
    let has = |f: &str| values.get(f).is_some_and(|v| !v.is_empty());
    let ok = match r.object.as_str() {
        "company" => has("name") || has("domainName"),
        "person" => has("name") || has("emails"),
        "opportunity" => has("name"),
        "note" | "task" => has("title") || has("bodyV2"),
        _ => values.values().any(|v| !v.is_empty()),
    };
    if ok {
        return None;
    }
    Some(match r.object.as_str() {
        "company" => "no name and no valid website: nothing to import".into(),
        "person" => "no name and no valid email: nothing to import".into(),
        "opportunity" => "no name: nothing to import".into(),
        "note" | "task" => "no title and no body: nothing to import".into(),
        o => format!("no value for any field of {o}"),
    })
}

/// True for an opportunity stage that means the deal is still open.
pub fn is_open_stage(stage: Option<&str>) -> bool {
    match stage {
        None => true,
        Some(s) => {
            let u = s.to_uppercase();
            !(u == "CUSTOMER" || u.contains("LOST") || u.contains("WON") || u.contains("CLOSED"))
        }
    }
}

/// Records with no activity since `cutoff`, except those a live record needs. Open deals are never
/// stale; a closed deal is when its own last activity is old. A stale person is kept when a kept
/// deal names them as point of contact; a stale company is kept when a kept person or deal
/// belongs to it. So a stale company goes together with its stale people and closed old deals,
/// and no kept record loses a link to a skipped one.
fn decide_stale(
    records: &[Record],
    status: &[Status],
    links: &[Vec<Link>],
    cutoff: &str,
) -> Vec<(usize, String)> {
    let is_stale = |i: usize| -> Option<String> {
        let r = &records[i];
        if status[i] != Status::Kept
            || !matches!(r.object.as_str(), "person" | "company" | "opportunity")
        {
            return None;
        }
        if r.object == "opportunity" && is_open_stage(r.lookup.str("stage")) {
            return None;
        }
        let last = r.activity.as_deref().or(r.modified.as_deref())?;
        let day = last.get(..10)?;
        (day < cutoff).then(|| format!("last activity {day} (before {cutoff})"))
    };
    let candidates: HashMap<usize, String> = (0..records.len())
        .filter_map(|i| is_stale(i).map(|w| (i, w)))
        .collect();
    let mut keep: BTreeSet<usize> = BTreeSet::new();
    // Live deals, then people, keep what they point to; an old closed deal keeps nothing itself.
    for object in ["opportunity", "person"] {
        for (i, r) in records.iter().enumerate() {
            if r.object != object
                || status[i] != Status::Kept
                || candidates.contains_key(&i) && !keep.contains(&i)
            {
                continue;
            }
            for l in &links[i] {
                if let Target::Record(t) = l.target
                    && candidates.contains_key(&t)
                    && records[t].object != "opportunity"
                {
                    keep.insert(t);
                }
            }
        }
    }
    // An old closed deal stays with its company or contact when they stay (revenue history of a
    // live customer), and goes with them when they go.
    for (i, r) in records.iter().enumerate() {
        if r.object != "opportunity" || !candidates.contains_key(&i) {
            continue;
        }
        let anchored = links[i].iter().any(|l| match l.target {
            Target::Record(t) => {
                status[t] == Status::Kept && (!candidates.contains_key(&t) || keep.contains(&t))
            }
            Target::Member(_) => false,
        });
        if anchored {
            keep.insert(i);
        }
    }
    let mut out: Vec<(usize, String)> = candidates
        .into_iter()
        .filter(|(i, _)| !keep.contains(i))
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_arithmetic() {
        assert_eq!(minus_days("2026-11-24", 730).as_deref(), Some("2024-11-24"));
        assert_eq!(minus_days("2024-03-01", 1).as_deref(), Some("2024-02-29"));
        assert_eq!(minus_days("nope", 1), None);
        assert_eq!(today().len(), 10);
    }

    #[test]
    fn open_stages() {
        assert!(is_open_stage(Some("PROPOSAL")));
        assert!(is_open_stage(None));
        assert!(!is_open_stage(Some("CUSTOMER")));
        assert!(!is_open_stage(Some("LOST")));
        assert!(!is_open_stage(Some("CLOSED_LOST")));
    }
}
