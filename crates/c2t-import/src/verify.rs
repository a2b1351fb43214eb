//! Verification after an import: the workspace read back and compared with the source (the
//! prepared records) and the state store, as an auditor would — Twenty's migration checklist,
//! measured.
//!
//! - **records**: per object, expected (source rows minus merged, skipped and rejected, each
//!   reason counted) against found in Twenty; every missing record named by file and line;
//! - **links**: every relation the source named (person → company, opportunity → company and
//!   point of contact, custom relations) and every note/task target, pointing at the right record;
//! - **assignments**: owners and assignees set to the right workspace member;
//! - **custom fields**: fill rate in Twenty against fill rate in the source, per field;
//! - **duplicates**: workspace records sharing an email, a domain or a near-identical name;
//! - **sample**: records picked with a seed, compared field by field with the cleaned source.
//!
//! A value the workspace held before the import and the import did not write (the fill-empty
//! policy keeps it) is shown but not counted as a difference.

use crate::payload::{self, Resolved};
use crate::workspace::{SOURCE_ID_FIELD, Workspace};
use c2t_core::mapping::ATTACHMENT;
use c2t_core::mapping::VerifySettings;
use c2t_pipeline::audit::Place;
use c2t_pipeline::export::record_id_text;
use c2t_pipeline::job::{Prepared, Status};
use c2t_pipeline::link::Target;
use c2t_state::{RecordStatus, Store};
use c2t_twenty::{ApiError, Client};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Per object: where every source row went, and how many Twenty holds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ObjectCheck {
    /// Source rows of this object.
    pub read: u64,
    /// Merged into another record of the export.
    pub merged: u64,
    /// Skipped, by rule.
    pub skipped: BTreeMap<String, u64>,
    /// Rejected while reading or cleaning.
    pub rejected: u64,
    /// Refused by the server during the import (in the rejects of the state store).
    pub refused: u64,
    /// Records expected in Twenty: kept minus refused.
    pub expected: u64,
    /// Expected records found in Twenty. The `records` verdict is `found` out of `expected` plus
    /// `refused`: a record the server refused is not in Twenty either.
    pub found: u64,
    /// Records of this object in the workspace (the import's and any others).
    pub in_workspace: u64,
    /// Expected records not found.
    pub missing: Vec<Place>,
}

/// What a check is about.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Relation,
    Assignment,
    Target,
}

/// One relation field of one object: how many of the links the source named are in Twenty.
#[derive(Debug, Clone, Serialize)]
pub struct LinkCheck {
    pub object: String,
    pub field: String,
    pub kind: LinkKind,
    pub expected: u64,
    pub ok: u64,
    /// Links the workspace holds another value for, which the import did not write (the
    /// fill-empty policy kept the workspace's value).
    pub kept_existing: u64,
    /// Owners the export names who are not workspace members, left empty as the default
    /// policy says (listed in `wrong` too; counted as wrong with `settings.strict_owners`).
    pub left_empty: u64,
    pub wrong: Vec<Place>,
}

impl LinkCheck {
    /// A check of `object.field` with nothing counted yet.
    fn new(object: &str, field: &str, kind: LinkKind) -> LinkCheck {
        LinkCheck {
            object: object.to_string(),
            field: field.to_string(),
            kind,
            expected: 0,
            ok: 0,
            kept_existing: 0,
            left_empty: 0,
            wrong: vec![],
        }
    }

    /// Links as they should be: right, kept as the workspace had them, or left empty by policy.
    pub fn accounted(&self) -> u64 {
        self.ok + self.kept_existing + self.left_empty
    }
}

/// One field: filled in the source, filled in Twenty.
#[derive(Debug, Clone, Serialize)]
pub struct FillCheck {
    pub object: String,
    pub field: String,
    pub custom: bool,
    /// Records compared (expected and found).
    pub records: u64,
    /// Of those, filled in the cleaned source.
    pub source_filled: u64,
    /// Of those, filled in Twenty.
    pub twenty_filled: u64,
    /// Filled in the source and in Twenty.
    pub kept: u64,
    /// Filled in the source, empty in Twenty.
    pub lost: Vec<Place>,
}

/// Records of the workspace that look like the same thing.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateGroup {
    pub object: String,
    /// `email`, `domain` or `name`.
    pub by: String,
    pub key: String,
    pub records: Vec<Place>,
    /// At least one of them was written by the import (else they were all there before).
    pub involves_import: bool,
    /// Counted against `verify.max_duplicates`: a shared email or domain involving the import,
    /// or a shared name between an imported record and one that was not imported. Records the
    /// export itself holds apart (same name, different domains or emails) are shown, not counted.
    pub counted: bool,
}

/// One field of a sampled record that differs from the cleaned source.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    pub at: String,
    pub object: String,
    pub id: String,
    pub field: String,
    pub expected: Value,
    pub found: Value,
    /// Why it is not counted, when it is not (the workspace's own value was kept).
    pub explained: Option<String>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct SampleCheck {
    pub seed: u64,
    /// Records compared.
    pub compared: u64,
    /// Of those, equal to the source in every field (explained differences aside).
    pub equal: u64,
    pub differences: Vec<Difference>,
}

/// One thresholded check.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// `records.person`, `links.person.company`, `custom_fields.company.tier`, `duplicates`…
    pub check: String,
    /// Percentage (or count, for duplicates).
    pub value: f64,
    pub threshold: f64,
    pub pass: bool,
}

/// The whole verification.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub objects: BTreeMap<String, ObjectCheck>,
    pub links: Vec<LinkCheck>,
    pub fields: Vec<FillCheck>,
    pub duplicates: Vec<DuplicateGroup>,
    pub sample: SampleCheck,
    /// Attachments whose file was downloaded and compared with the export's, by SHA-256.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<ContentCheck>,
    pub verdicts: Vec<Verdict>,
    pub passed: bool,
    /// The attachments found, with the link the server gives to their file: what
    /// [`compare_contents`] samples.
    #[serde(skip)]
    pub file_links: Vec<(usize, String)>,
}

/// Attachments compared by content.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ContentCheck {
    pub compared: u64,
    pub equal: u64,
    /// Files whose bytes differ from the export's, or that the server refused to give back.
    pub differences: Vec<Place>,
    /// Files not compared: the server kept failing (5xx, dropped connections) for every retry.
    pub not_checked: Vec<Place>,
}

/// Downloads a seeded sample of the attachments found (`sample_size` at most) and compares each
/// file's SHA-256 with the export's; adds the `attachments.content` verdict. Twenty 1.5's REST
/// answers give the file's path without the token a download needs: nothing is sampled there.
pub fn compare_contents(
    client: &c2t_twenty::Client,
    p: &Prepared,
    v: &mut Verification,
    settings: &VerifySettings,
) {
    if v.file_links.is_empty() {
        return;
    }
    let indexes: Vec<usize> = (0..v.file_links.len()).collect();
    let chosen = sample(&indexes, settings.sample_size, settings.seed);
    let mut c = ContentCheck::default();
    for (r, url) in chosen.into_iter().map(|i| v.file_links[i].clone()) {
        let Some(f) = p.attachments.get(&r) else {
            continue;
        };
        let got = client.download(&url, |body| {
            let mut h = c2t_pipeline::attach::Sha256::default();
            let n = std::io::copy(body, &mut h)?;
            Ok((n, h.finish()))
        });
        if let Err(e @ c2t_twenty::ApiError::RetriesExhausted { .. }) = &got {
            c.not_checked.push(Place {
                at: p.place(r),
                name: p.records[r].display_name(),
                detail: e.to_string(),
            });
            continue;
        }
        c.compared += 1;
        match got {
            Ok((_, hash)) if hash == f.hash => c.equal += 1,
            Ok((n, _)) => c.differences.push(Place {
                at: p.place(r),
                name: p.records[r].display_name(),
                detail: format!(
                    "the workspace's file ({n} bytes) differs from `{}` ({} bytes)",
                    f.rel, f.size
                ),
            }),
            Err(e) => c.differences.push(Place {
                at: p.place(r),
                name: p.records[r].display_name(),
                detail: format!("the workspace's file could not be read back: {e}"),
            }),
        }
    }
    let value = pct(c.equal, c.compared);
    let pass = value + 1e-9 >= settings.sample;
    v.verdicts.push(Verdict {
        check: "attachments.content".into(),
        value,
        threshold: settings.sample,
        pass,
    });
    v.passed &= pass;
    v.contents = Some(c);
}

/// Percentage of `part` in `whole` (100 when there is nothing to have).
pub fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        100.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// The workspace's records this export's records may be (and their note/task targets), deleted
/// ones left out: object → records. Read as [`Existing::for_verify`] reads them, so a large
/// workspace costs what the export holds, not what the workspace holds; on a small one every
/// record is read, and duplicates by near-identical names are looked for among all of them.
pub fn read_records_for(
    client: &Client,
    ws: &Workspace,
    p: &Prepared,
) -> Result<BTreeMap<String, Vec<Value>>, ApiError> {
    Ok(records_of(crate::workspace::Existing::for_verify(
        client,
        ws,
        p,
        &mut |_, _| {},
    )?))
}

/// The records [`Existing::for_export`](crate::workspace::Existing::for_export) read, deleted
/// ones left out: object → records, by id.
pub fn records_of(e: crate::workspace::Existing) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for ((object, _), r) in e.by_id {
        if r.get("deletedAt").is_none_or(Value::is_null) {
            out.entry(object).or_default().push(r);
        }
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| str_of(a, "id").cmp(&str_of(b, "id")));
    }
    out
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// A value holds something (composite fields: a sub-field other than a currency or a calling
/// code is filled).
pub fn filled(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => a.iter().any(filled),
        Value::Object(o) => o.iter().any(|(k, v)| {
            !matches!(
                k.as_str(),
                "currencyCode"
                    | "primaryPhoneCountryCode"
                    | "primaryPhoneCallingCode"
                    | "blocknote"
                    | "source"
                    | "workspaceMemberId"
            ) && filled(v)
        }),
        _ => true,
    }
}

/// Two values are the same for verification: equal; or both empty; or the same number written
/// differently; or the same instant; or, for objects, every sub-field the source gives equal.
pub fn same(expected: &Value, found: &Value) -> bool {
    if expected == found || (!filled(expected) && !filled(found)) {
        return true;
    }
    match (expected, found) {
        (Value::Object(e), _) => e
            .iter()
            .all(|(k, v)| same(v, found.get(k).unwrap_or(&Value::Null))),
        (Value::Array(a), Value::Array(b)) => {
            let a: Vec<&Value> = a.iter().filter(|v| filled(v)).collect();
            let b: Vec<&Value> = b.iter().filter(|v| filled(v)).collect();
            a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| same(x, y)))
        }
        // A boolean written into an existing TEXT field (payload::fit).
        (Value::Bool(b), Value::String(t)) | (Value::String(t), Value::Bool(b)) => {
            t.eq_ignore_ascii_case(if *b { "true" } else { "false" })
        }
        _ => match (as_number(expected), as_number(found)) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
            _ => match (expected.as_str(), found.as_str()) {
                (Some(x), Some(y)) => same_text(x, y),
                _ => false,
            },
        },
    }
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s)
            if !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b'.') =>
        {
            s.parse().ok()
        }
        _ => None,
    }
}

fn same_text(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    // Instants: `2024-01-05T10:00:00Z` and `2024-01-05T10:00:00.000Z`.
    match (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>()) {
        (Ok(x), Ok(y)) => x == y,
        // A DATE field: a live 2.19 reads a custom DATE written as `2025-12-21` back as
        // `2025-12-21T00:00:00.000Z` (shared/twenty-live-2x/2026-12/upsert-revives-soft-deleted).
        (Err(_), Ok(t)) => is_midnight_of(a, t),
        (Ok(t), Err(_)) => is_midnight_of(b, t),
        _ => a.trim_end() == b.trim_end(),
    }
}

/// True when `date` is a `YYYY-MM-DD` date and `t` is midnight UTC of that day.
fn is_midnight_of(date: &str, t: jiff::Timestamp) -> bool {
    let Ok(d) = date.trim().parse::<jiff::civil::Date>() else {
        return false;
    };
    // A timestamp prints in UTC, without fractions when they are zero.
    t.to_string() == format!("{d}T00:00:00Z")
}

/// A small seeded generator (SplitMix64): the same seed samples the same records.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `n` of `items`, chosen by `seed`, in their original order.
fn sample<T: Copy>(items: &[T], n: usize, seed: u64) -> Vec<T> {
    let mut idx: Vec<usize> = (0..items.len()).collect();
    let mut rng = SplitMix(seed);
    let n = n.min(idx.len());
    for i in 0..n {
        let j = i + (rng.next() % (idx.len() - i) as u64) as usize;
        idx.swap(i, j);
    }
    let mut chosen = idx[..n].to_vec();
    chosen.sort_unstable();
    chosen.into_iter().map(|i| items[i]).collect()
}

fn display(v: &Value) -> String {
    for path in ["/name/firstName", "/name"] {
        if let Some(s) = v.pointer(path).and_then(Value::as_str) {
            let last = v
                .pointer("/name/lastName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            return if path == "/name/firstName" {
                format!("{s} {last}").trim().to_string()
            } else {
                s.to_string()
            };
        }
    }
    for k in ["title", "subject"] {
        if let Some(s) = str_of(v, k) {
            return s.to_string();
        }
    }
    str_of(v, "id").unwrap_or_default().to_string()
}

/// Verifies the workspace against the prepared export and the state store.
pub fn verify(
    p: &Prepared,
    ws: &Workspace,
    records: &BTreeMap<String, Vec<Value>>,
    store: &Store,
    settings: &VerifySettings,
) -> Result<Verification, c2t_state::StateError> {
    // The workspace's records by id and by source id.
    let mut by_id: HashMap<(&str, &str), &Value> = HashMap::new();
    let mut by_source: HashMap<(&str, &str), &Value> = HashMap::new();
    for (object, list) in records {
        for r in list {
            if let Some(id) = str_of(r, "id") {
                by_id.insert((object.as_str(), id), r);
            }
            if let Some(s) = str_of(r, SOURCE_ID_FIELD) {
                by_source.insert((object.as_str(), s), r);
            }
        }
    }

    // Where each source row went, and which Twenty record each kept row is.
    let mut objects: BTreeMap<String, ObjectCheck> = BTreeMap::new();
    let mut found: Vec<Option<&Value>> = vec![None; p.records.len()];
    let mut states = vec![None; p.records.len()];
    // Attachment rows are checked once every record's id is known (their records' ids depend
    // on the ids of the records they are attached to).
    let mut attachment_rows: Vec<usize> = Vec::new();
    for (r, rec) in p.records.iter().enumerate() {
        let o = objects.entry(rec.object.to_string()).or_default();
        o.read += 1;
        match &p.status[r] {
            Status::Kept => {}
            Status::Merged(_) => {
                o.merged += 1;
                continue;
            }
            Status::Skipped(s) => {
                *o.skipped.entry(s.rule.clone()).or_default() += 1;
                continue;
            }
            Status::Rejected(_) => {
                o.rejected += 1;
                continue;
            }
        }
        if rec.object == ATTACHMENT {
            attachment_rows.push(r);
            continue;
        }
        let key = payload::source_key(p, r);
        let state = store.record(&rec.object, &key)?;
        let hit = by_source
            .get(&(rec.object.as_str(), key.as_str()))
            .copied()
            .or_else(|| {
                state
                    .as_ref()
                    .and_then(|s| s.twenty_id.as_deref())
                    .and_then(|id| by_id.get(&(rec.object.as_str(), id)).copied())
            })
            .or_else(|| {
                let id = record_id_text(p, r);
                by_id.get(&(rec.object.as_str(), id.as_str())).copied()
            });
        let refused = hit.is_none()
            && state
                .as_ref()
                .is_some_and(|s| s.status == RecordStatus::Rejected);
        if refused {
            o.refused += 1;
            continue;
        }
        o.expected += 1;
        match hit {
            Some(v) => {
                o.found += 1;
                found[r] = Some(v);
            }
            None => o.missing.push(Place {
                at: p.place(r),
                name: rec.display_name(),
                detail: format!("source id {key}"),
            }),
        }
        states[r] = state;
    }
    for (object, list) in records {
        if let Some(o) = objects.get_mut(object) {
            o.in_workspace = list.len() as u64;
        }
    }

    // The ids every kept record has in Twenty (found, or the one it should have).
    let ids: Vec<Option<Resolved>> = (0..p.records.len())
        .map(|r| {
            (p.status[r] == Status::Kept).then(|| Resolved {
                id: found[r]
                    .and_then(|v| str_of(v, "id"))
                    .map(str::to_string)
                    .unwrap_or_else(|| record_id_text(p, r)),
                existing: None,
            })
        })
        .collect();
    // Attachments: a row is found when every record it is attached to holds an attachment of
    // its file (the attachment's id, its target, a file named).
    let mut file_links: Vec<(usize, String)> = Vec::new();
    for r in attachment_rows {
        let o = objects.entry(ATTACHMENT.to_string()).or_default();
        let bodies = payload::attachments(p, r, ws, &ids);
        let mut problems: Vec<String> = Vec::new();
        let mut refused = false;
        if bodies.is_empty() {
            problems.push("attached to no record the workspace's attachments can point to".into());
        }
        for (key, body) in &bodies {
            let id = str_of(body, "id").unwrap_or_default();
            let Some(v) = by_id.get(&(ATTACHMENT, id)).copied() else {
                let state = store.record(ATTACHMENT, key)?;
                if state.is_some_and(|s| s.status == RecordStatus::Rejected) {
                    refused = true;
                } else {
                    problems.push(format!("no attachment {id} in the workspace"));
                }
                continue;
            };
            if let Value::Object(m) = body {
                for (k, want) in m.iter().filter(|(k, _)| k.ends_with("Id")) {
                    if v.get(k) != Some(want) {
                        problems.push(format!(
                            "{k} is {}, not {}",
                            display(v.get(k).unwrap_or(&Value::Null)),
                            display(want)
                        ));
                    }
                }
            }
            let has_file =
                v.get("file").is_some_and(filled) || v.get("fullPath").is_some_and(filled);
            if !has_file {
                problems.push(format!("attachment {id} names no file"));
            }
            if let Some(url) = v.pointer("/file/0/url").and_then(Value::as_str) {
                file_links.push((r, url.to_string()));
            }
        }
        if refused && problems.is_empty() {
            o.refused += 1;
            continue;
        }
        o.expected += 1;
        if problems.is_empty() {
            o.found += 1;
        } else {
            o.missing.push(Place {
                at: p.place(r),
                name: p.records[r].display_name(),
                detail: problems.join("; "),
            });
        }
    }

    // Fields the import did not write on a record that was there before (fill-empty).
    let not_written = |r: usize, field: &str| -> bool {
        states[r].as_ref().is_some_and(|s| {
            s.existed_before
                && !s
                    .previous
                    .as_ref()
                    .and_then(Value::as_object)
                    .is_some_and(|m| m.contains_key(field))
        })
    };

    // Links and assignments. Owners who are not workspace members are left empty by default
    // (counted as such, listed); with `strict_owners` they count as wrong.
    let strict_owners = p.mapping.settings.strict_owners;
    let mut links: BTreeMap<(String, String), LinkCheck> = BTreeMap::new();
    for r in p.kept() {
        let Some(actual) = found[r] else { continue };
        let rec = &p.records[r];
        for l in p.links[r].iter().filter(|l| l.field != "targets") {
            let Some(f) = ws.field(&rec.object, l.field) else {
                continue;
            };
            let column = f
                .join_column
                .clone()
                .unwrap_or_else(|| format!("{}Id", l.field));
            let (kind, want, target_name) = match &l.target {
                Target::Record(t) => (
                    LinkKind::Relation,
                    found[*t].and_then(|v| str_of(v, "id")).map(str::to_string),
                    p.records[*t].display_name(),
                ),
                Target::Member(email) => (
                    LinkKind::Assignment,
                    ws.member_id(email).map(str::to_string),
                    email.to_string(),
                ),
            };
            let c = links
                .entry((rec.object.to_string(), l.field.to_string()))
                .or_insert_with(|| LinkCheck::new(&rec.object, l.field, kind));
            c.expected += 1;
            let have = str_of(actual, &column);
            if want.is_some() && have == want.as_deref() {
                c.ok += 1;
            } else if have.is_some() && not_written(r, &column) {
                c.kept_existing += 1;
            } else {
                if want.is_none() && kind == LinkKind::Assignment && !strict_owners {
                    c.left_empty += 1;
                }
                c.wrong.push(Place {
                    at: p.place(r),
                    name: rec.display_name(),
                    detail: format!(
                        "{} should point to {target_name}{}; Twenty has {}",
                        l.field,
                        if want.is_none() {
                            " (not in Twenty)"
                        } else {
                            ""
                        },
                        have.unwrap_or("nothing")
                    ),
                });
            }
        }
    }
    // Owners the export names that no directory held: the source had them, Twenty lacks them.
    for (r, field, name) in crate::check::unknown_owners(p) {
        let rec = &p.records[r];
        let c = links
            .entry((rec.object.to_string(), field.clone()))
            .or_insert_with(|| LinkCheck::new(&rec.object, &field, LinkKind::Assignment));
        c.expected += 1;
        if !strict_owners {
            c.left_empty += 1;
        }
        c.wrong.push(Place {
            at: p.place(r),
            name: rec.display_name(),
            detail: format!(
                "{field} should be \"{name}\", who is not a workspace member; Twenty has nothing"
            ),
        });
    }
    // Note and task targets.
    for (owner, join) in [("note", "noteTarget"), ("task", "taskTarget")] {
        let Some(list) = records.get(join) else {
            continue;
        };
        let owner_col = format!("{owner}Id");
        let mut present: HashSet<(&str, &str)> = HashSet::new();
        for t in list {
            let Some(o) = str_of(t, &owner_col) else {
                continue;
            };
            if let Value::Object(m) = t {
                for (k, v) in m {
                    if k != &owner_col
                        && k.ends_with("Id")
                        && let Some(id) = v.as_str()
                    {
                        present.insert((o, id));
                    }
                }
            }
        }
        for r in p.kept().filter(|&r| p.records[r].object == owner) {
            let Some(actual) = found[r] else { continue };
            let Some(oid) = str_of(actual, "id") else {
                continue;
            };
            for l in p.links[r].iter().filter(|l| l.field == "targets") {
                let Target::Record(t) = l.target else {
                    continue;
                };
                if payload::target_column(ws, join, &p.records[t].object).is_none() {
                    continue;
                }
                let c = links
                    .entry((owner.to_string(), "targets".to_string()))
                    .or_insert_with(|| LinkCheck::new(owner, "targets", LinkKind::Target));
                c.expected += 1;
                let tid = found[t].and_then(|v| str_of(v, "id"));
                if tid.is_some_and(|tid| present.contains(&(oid, tid))) {
                    c.ok += 1;
                } else {
                    c.wrong.push(Place {
                        at: p.place(r),
                        name: p.records[r].display_name(),
                        detail: format!(
                            "not linked to {} {} ({})",
                            p.records[t].object,
                            p.records[t].display_name(),
                            p.place(t)
                        ),
                    });
                }
            }
        }
    }

    // Expected payloads, for fill rates and the sample.
    let kept_found: Vec<usize> = p.kept().filter(|&r| found[r].is_some()).collect();
    let mut fields: BTreeMap<(String, String), FillCheck> = BTreeMap::new();
    let mut expected_of: HashMap<usize, Map<String, Value>> = HashMap::new();
    for &r in &kept_found {
        let rec = &p.records[r];
        let Value::Object(mut want) = payload::payload(p, r, ws, &ids) else {
            continue;
        };
        want.remove("id");
        let actual = found[r].expect("found");
        let Some(meta) = ws.object(&rec.object) else {
            continue;
        };
        for f in meta.fields.iter().filter(|f| {
            !f.is_system && !f.is_relation() && f.name != SOURCE_ID_FIELD && f.name != "position"
        }) {
            let src = want.get(&f.name).is_some_and(filled);
            let tw = actual.get(&f.name).is_some_and(filled);
            if !src && !mapped(p, &rec.object, &f.name) {
                continue;
            }
            let c = fields
                .entry((rec.object.to_string(), f.name.clone()))
                .or_insert_with(|| FillCheck {
                    object: rec.object.to_string(),
                    field: f.name.clone(),
                    custom: f.is_custom,
                    records: 0,
                    source_filled: 0,
                    twenty_filled: 0,
                    kept: 0,
                    lost: vec![],
                });
            c.records += 1;
            c.source_filled += u64::from(src);
            c.twenty_filled += u64::from(tw);
            if src && tw {
                c.kept += 1;
            } else if src {
                c.lost.push(Place {
                    at: p.place(r),
                    name: rec.display_name(),
                    detail: format!("{} is empty in Twenty", f.name),
                });
            }
        }
        expected_of.insert(r, want);
    }

    // Duplicates in the workspace.
    let imported: HashSet<&str> = kept_found
        .iter()
        .filter_map(|&r| found[r].and_then(|v| str_of(v, "id")))
        .collect();
    let duplicates = duplicates(records, &imported);

    // The sample.
    let chosen = sample(&kept_found, settings.sample_size, settings.seed);
    let mut s = SampleCheck {
        seed: settings.seed,
        ..SampleCheck::default()
    };
    for r in chosen {
        let Some(want) = expected_of.get(&r) else {
            continue;
        };
        let actual = found[r].expect("found");
        let id = str_of(actual, "id").unwrap_or_default().to_string();
        let mut equal = true;
        for (k, v) in want {
            let have = actual.get(k).unwrap_or(&Value::Null);
            if same(v, have) {
                continue;
            }
            let explained = (filled(have) && not_written(r, k))
                .then(|| "the workspace's own value was kept (fill-empty policy)".to_string());
            equal &= explained.is_some();
            s.differences.push(Difference {
                at: p.place(r),
                object: p.records[r].object.to_string(),
                id: id.clone(),
                field: k.clone(),
                expected: v.clone(),
                found: have.clone(),
                explained,
            });
        }
        s.compared += 1;
        s.equal += u64::from(equal);
    }

    // Verdicts.
    let mut verdicts = Vec::new();
    let mut judge = |check: String, value: f64, threshold: f64, higher_is_better: bool| {
        let pass = if higher_is_better {
            value + 1e-9 >= threshold
        } else {
            value <= threshold + 1e-9
        };
        verdicts.push(Verdict {
            check,
            value,
            threshold,
            pass,
        });
    };
    for (name, o) in &objects {
        if o.expected > 0 || o.refused > 0 {
            // A record the server refused is not in Twenty either: it counts against the
            // threshold (its reason is in the state file and import-rejects.csv).
            judge(
                format!("records.{name}"),
                pct(o.found, o.expected + o.refused),
                settings.records,
                true,
            );
        }
    }
    let links: Vec<LinkCheck> = links.into_values().collect();
    for l in &links {
        let threshold = match l.kind {
            LinkKind::Assignment => settings.assignments,
            _ => settings.links,
        };
        let prefix = match l.kind {
            LinkKind::Assignment => "assignments",
            _ => "links",
        };
        judge(
            format!("{prefix}.{}.{}", l.object, l.field),
            pct(l.accounted(), l.expected),
            threshold,
            true,
        );
    }
    let fields: Vec<FillCheck> = fields.into_values().collect();
    for f in fields.iter().filter(|f| f.custom) {
        judge(
            format!("custom_fields.{}.{}", f.object, f.field),
            pct(f.kept, f.source_filled),
            settings.custom_fields,
            true,
        );
    }
    judge(
        "duplicates".into(),
        duplicates.iter().filter(|d| d.counted).count() as f64,
        settings.max_duplicates as f64,
        false,
    );
    judge(
        "sample".into(),
        pct(s.equal, s.compared),
        settings.sample,
        true,
    );
    let passed = verdicts.iter().all(|v| v.pass);
    Ok(Verification {
        objects,
        links,
        fields,
        duplicates,
        sample: s,
        contents: None,
        verdicts,
        passed,
        file_links,
    })
}

/// Whether the mapping writes `field` of `object` from some column.
fn mapped(p: &Prepared, object: &str, field: &str) -> bool {
    p.mapping
        .files
        .iter()
        .filter(|f| f.object == object)
        .any(|f| {
            f.columns.iter().any(|c| {
                c.field
                    .as_deref()
                    .is_some_and(|t| t == field || t.split('.').next() == Some(field))
            })
        })
}

/// Groups of workspace records sharing an email (people), a domain (companies) or a
/// near-identical name (companies; people at the same company).
fn duplicates(
    records: &BTreeMap<String, Vec<Value>>,
    imported: &HashSet<&str>,
) -> Vec<DuplicateGroup> {
    let mut groups: BTreeMap<(String, String, String), Vec<&Value>> = BTreeMap::new();
    let mut add_all = Vec::new();
    if let Some(people) = records.get("person") {
        for v in people {
            if let Some(e) = v.pointer("/emails/primaryEmail").and_then(Value::as_str) {
                add_all.push(("person", "email", e.trim().to_lowercase(), v));
            }
            let first = v
                .pointer("/name/firstName")
                .and_then(Value::as_str)
                .unwrap_or("");
            let last = v
                .pointer("/name/lastName")
                .and_then(Value::as_str)
                .unwrap_or("");
            let key = c2t_normalize::name::person_key(first, last);
            if !key.is_empty() {
                let company = str_of(v, "companyId").unwrap_or("-");
                add_all.push(("person", "name", format!("{key} @ {company}"), v));
            }
        }
    }
    if let Some(companies) = records.get("company") {
        for v in companies {
            if let Some(u) = v
                .pointer("/domainName/primaryLinkUrl")
                .and_then(Value::as_str)
                .filter(|u| !u.is_empty())
            {
                let d = c2t_normalize::domain::domain(u)
                    .map(|d| d.url)
                    .unwrap_or_else(|_| u.to_lowercase());
                add_all.push(("company", "domain", d, v));
            }
            if let Some(n) = str_of(v, "name") {
                add_all.push(("company", "name", c2t_normalize::name::fingerprint(n), v));
            }
        }
    }
    for (object, by, key, v) in add_all {
        if !key.is_empty() {
            groups
                .entry((object.to_string(), by.to_string(), key))
                .or_default()
                .push(v);
        }
    }
    groups
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|((object, by, key), list)| {
            let ours = list
                .iter()
                .filter(|v| str_of(v, "id").is_some_and(|id| imported.contains(id)))
                .count();
            let counted = ours > 0 && (by != "name" || ours < list.len());
            DuplicateGroup {
                involves_import: ours > 0,
                counted,
                object,
                by,
                key,
                records: list
                    .iter()
                    .map(|v| Place {
                        at: str_of(v, "id").unwrap_or_default().to_string(),
                        name: display(v),
                        detail: str_of(v, SOURCE_ID_FIELD)
                            .map(|s| format!("source id {s}"))
                            .unwrap_or_else(|| "not from this import".into()),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The verification for a terminal.
pub fn render(v: &Verification) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(o, "Records (expected in Twenty → found):");
    for (name, c) in &v.objects {
        let skipped: u64 = c.skipped.values().sum();
        let _ = writeln!(
            o,
            "  {name:<14} {:>6} read, {:>5} merged, {:>5} skipped, {:>4} rejected, {:>4} refused by the server → {:>6} expected, {:>6} found ({:.1}%)",
            c.read,
            c.merged,
            skipped,
            c.rejected,
            c.refused,
            c.expected,
            c.found,
            pct(c.found, c.expected + c.refused)
        );
        for m in c.missing.iter().take(10) {
            let _ = writeln!(o, "      missing {} {} ({})", m.at, m.name, m.detail);
        }
        if c.missing.len() > 10 {
            let _ = writeln!(o, "      … and {} more", c.missing.len() - 10);
        }
    }
    let _ = writeln!(o, "Links:");
    for l in &v.links {
        let _ = writeln!(
            o,
            "  {:<30} {:>6}/{:<6} {:.1}%{}",
            format!("{}.{}", l.object, l.field),
            l.ok,
            l.expected,
            pct(l.accounted(), l.expected),
            match (l.kept_existing, l.left_empty) {
                (0, 0) => String::new(),
                (k, 0) => format!(" ({k} kept the workspace's value)"),
                (0, e) => format!(" ({e} left empty: not workspace members)"),
                (k, e) => format!(
                    " ({k} kept the workspace's value, {e} left empty: not workspace members)"
                ),
            }
        );
        for w in l.wrong.iter().take(10) {
            let _ = writeln!(o, "      {} {}: {}", w.at, w.name, w.detail);
        }
        if l.wrong.len() > 10 {
            let _ = writeln!(o, "      … and {} more", l.wrong.len() - 10);
        }
    }
    let custom: Vec<&FillCheck> = v.fields.iter().filter(|f| f.custom).collect();
    if !custom.is_empty() {
        let _ = writeln!(o, "Custom fields (filled in source → in Twenty):");
        for f in custom {
            let _ = writeln!(
                o,
                "  {:<30} {:>5.1}% → {:>5.1}%  ({} of {} values kept)",
                format!("{}.{}", f.object, f.field),
                pct(f.source_filled, f.records),
                pct(f.twenty_filled, f.records),
                f.kept,
                f.source_filled
            );
            for w in f.lost.iter().take(5) {
                let _ = writeln!(o, "      {} {}: {}", w.at, w.name, w.detail);
            }
        }
    }
    let _ = writeln!(o, "Duplicates in the workspace: {}", v.duplicates.len());
    for d in &v.duplicates {
        let names: Vec<String> = d
            .records
            .iter()
            .map(|r| format!("{} ({})", r.name, r.at))
            .collect();
        let _ = writeln!(
            o,
            "  {} sharing {} {:?}{}: {}",
            d.object,
            d.by,
            d.key,
            if !d.involves_import {
                " (all there before the import)"
            } else if !d.counted {
                " (different records in the export too: kept apart by their keys)"
            } else {
                ""
            },
            names.join(", ")
        );
    }
    let counted = v
        .sample
        .differences
        .iter()
        .filter(|d| d.explained.is_none())
        .count();
    let _ = writeln!(
        o,
        "Sample (seed {}): {} of {} records equal to the source, {} differences",
        v.sample.seed, v.sample.equal, v.sample.compared, counted
    );
    for d in v
        .sample
        .differences
        .iter()
        .filter(|d| d.explained.is_none())
        .take(20)
    {
        let _ = writeln!(
            o,
            "  {} {} {}: expected {}, Twenty has {}",
            d.at, d.object, d.field, d.expected, d.found
        );
    }
    if let Some(c) = &v.contents {
        let _ = writeln!(
            o,
            "Attachments read back: {} of {} files equal to the export's (SHA-256)",
            c.equal, c.compared
        );
        for d in c.differences.iter().take(20) {
            let _ = writeln!(o, "  {} {}: {}", d.at, d.name, d.detail);
        }
        for d in c.not_checked.iter().take(20) {
            let _ = writeln!(o, "  not checked: {} {}: {}", d.at, d.name, d.detail);
        }
    }
    let failed: Vec<&Verdict> = v.verdicts.iter().filter(|x| !x.pass).collect();
    if failed.is_empty() {
        let _ = writeln!(o, "Verification passed ({} checks).", v.verdicts.len());
    } else {
        let _ = writeln!(o, "Verification FAILED:");
        for f in failed {
            let _ = writeln!(
                o,
                "  {}: {:.1} (threshold {})",
                f.check, f.value, f.threshold
            );
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_compare_as_twenty_writes_them_back() {
        let cases = [
            (json!("a"), json!("a"), true),
            (json!(""), json!(null), true),
            (json!(1500000000), json!("1500000000"), true),
            (
                json!("2024-01-05T10:00:00Z"),
                json!("2024-01-05T10:00:00.000Z"),
                true,
            ),
            (
                json!("2024-01-05T10:00:00Z"),
                json!("2024-01-05T11:00:00.000Z"),
                false,
            ),
            (
                json!({"primaryEmail": "a@b.co"}),
                json!({"primaryEmail": "a@b.co", "additionalEmails": null}),
                true,
            ),
            (
                json!({"primaryEmail": "a@b.co"}),
                json!({"primaryEmail": "x@b.co", "additionalEmails": null}),
                false,
            ),
            (json!(["A", "B"]), json!(["B", "A"]), true),
            (json!(["A", "B"]), json!(["A"]), false),
            (json!("x"), json!(null), false),
            (json!(true), json!(false), false),
            (json!(true), json!("true"), true),
            (json!(false), json!("true"), false),
            // a custom DATE as real 2.19 reads it back
            (json!("2025-12-21"), json!("2025-12-21T00:00:00.000Z"), true),
            (json!("2025-12-21T00:00:00.000Z"), json!("2025-12-21"), true),
            (
                json!("2025-12-21"),
                json!("2025-12-22T00:00:00.000Z"),
                false,
            ),
            (
                json!("2025-12-21"),
                json!("2025-12-21T08:01:00.000Z"),
                false,
            ),
        ];
        for (a, b, want) in cases {
            assert_eq!(same(&a, &b), want, "{a} vs {b}");
        }
    }

    #[test]
    fn composite_values_with_only_a_currency_are_empty() {
        assert!(!filled(
            &json!({"amountMicros": null, "currencyCode": "USD"})
        ));
        assert!(filled(&json!({"amountMicros": 5, "currencyCode": "USD"})));
        assert!(!filled(
            &json!({"primaryPhoneNumber": "", "primaryPhoneCountryCode": "FR"})
        ));
        assert!(filled(&json!(0)));
        assert!(!filled(&json!([])));
    }

    #[test]
    fn the_sample_depends_on_the_seed_only() {
        let items: Vec<usize> = (0..100).collect();
        let a = sample(&items, 10, 7);
        assert_eq!(a, sample(&items, 10, 7));
        assert_ne!(a, sample(&items, 10, 8));
        assert_eq!(a.len(), 10);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample(&items, 500, 1).len(), 100);
    }

    #[test]
    fn duplicates_are_grouped_and_marked_when_they_involve_the_import() {
        let records = BTreeMap::from([
            (
                "person".to_string(),
                vec![
                    json!({"id": "1", "emails": {"primaryEmail": "A@x.com"}, "name": {"firstName": "Ann", "lastName": "Lee"}}),
                    json!({"id": "2", "emails": {"primaryEmail": "a@x.com"}, "name": {"firstName": "Bob", "lastName": "Ray"}}),
                    json!({"id": "3", "emails": {"primaryEmail": "c@x.com"}, "name": {"firstName": "Cy", "lastName": "Po"}}),
                ],
            ),
            (
                "company".to_string(),
                vec![
                    json!({"id": "4", "name": "Acme Inc.", "domainName": {"primaryLinkUrl": "https://acme.com"}}),
                    json!({"id": "5", "name": "ACME", "domainName": {"primaryLinkUrl": "https://www.acme.com/about"}}),
                ],
            ),
        ]);
        let imported: HashSet<&str> = ["1"].into_iter().collect();
        let d = duplicates(&records, &imported);
        let by_email = d.iter().find(|g| g.by == "email").expect("email group");
        assert_eq!(by_email.records.len(), 2);
        assert!(by_email.involves_import);
        assert!(by_email.counted);
        let by_domain = d.iter().find(|g| g.by == "domain").expect("domain group");
        assert!(!by_domain.involves_import);
        assert!(!by_domain.counted);
        // Two imported companies sharing a name (the export holds them apart): shown, not
        // counted; an imported one sharing a name with one that was there: counted.
        let d = duplicates(&records, &["4", "5"].into_iter().collect());
        let by_name = d.iter().find(|g| g.by == "name").expect("name group");
        assert!(by_name.involves_import && !by_name.counted);
        let d = duplicates(&records, &["4"].into_iter().collect());
        let by_name = d.iter().find(|g| g.by == "name").expect("name group");
        assert!(by_name.counted);
        assert!(d.iter().all(|g| g.records.iter().all(|r| r.at != "3")));
    }
}
