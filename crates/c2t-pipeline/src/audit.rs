//! The audit: what a person reads before deciding to migrate. Per file, the fill rate of every
//! column and the invalid values found; duplicates, test data, stale records, dangling and
//! ambiguous references, free-mail addresses, owners that match no member; what will be kept.
//! One serde model, rendered as a terminal summary, JSON and a self-contained HTML page.

use crate::job::{Prepared, Status};
use crate::link::Target;
use c2t_core::IssueCode;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Debug, Clone, Serialize)]
pub struct ColumnAudit {
    pub column: String,
    pub filled: u64,
    pub fill_rate: f64,
    /// The mapping's target (`field (transform)`, or `skip`).
    pub target: String,
    pub unused: bool,
    /// Invalid values found: code → count.
    pub invalid: BTreeMap<String, u64>,
    /// A few examples of the problems (`line N: message`).
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileAudit {
    pub path: String,
    pub object: String,
    pub encoding: String,
    pub delimiter: Option<String>,
    pub rows: u64,
    pub columns: Vec<ColumnAudit>,
    pub ambiguous_date_columns: Vec<String>,
    pub warnings: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ObjectCounts {
    pub read: u64,
    pub kept: u64,
    pub merged: u64,
    pub skipped: BTreeMap<String, u64>,
    pub rejected: u64,
    /// Records no row became: companies created from the names rows give them and the export
    /// holds no row for ([`crate::derive`]). Not in `read`, nor in the ledger.
    pub created: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Place {
    /// `file:line`.
    pub at: String,
    pub name: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    pub object: String,
    pub survivor: Place,
    pub merged: Vec<Place>,
    /// How many of `merged` are companies created from names, not rows.
    pub created: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LinkCoverage {
    pub people: u64,
    pub people_with_company: u64,
    pub people_linked_by_email_domain: u64,
    pub opportunities: u64,
    pub opportunities_with_company: u64,
    pub opportunities_with_contact: u64,
    pub activities: u64,
    pub activities_with_targets: u64,
    pub owner_references: u64,
    pub owners_resolved: u64,
    /// Different owners (users of the CRM) the kept records name, and how many of them matched
    /// a workspace member. Members are looked up, never imported.
    pub owners_named: u64,
    pub owners_matched: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub read: u64,
    pub imported: u64,
    pub merged: u64,
    pub skipped: u64,
    pub rejected: u64,
    pub balanced: bool,
}

/// A block of company names fuzzy matching left alone because it was too large to compare pair
/// by pair: its records were de-duplicated on exact keys only.
#[derive(Debug, Clone, Serialize)]
pub struct UncomparedBlock {
    pub object: String,
    /// The first three characters of the name fingerprints (lower-case, sorted words) it holds.
    pub prefix: String,
    pub records: u64,
    pub detail: String,
}

/// The whole audit.
#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub source: String,
    pub as_of: String,
    pub stale_before: String,
    pub totals: Totals,
    pub objects: BTreeMap<String, ObjectCounts>,
    pub files: Vec<FileAudit>,
    pub duplicates: Vec<Cluster>,
    pub test_data: Vec<Place>,
    pub stale: Vec<Place>,
    pub dangling_references: Vec<Place>,
    pub ambiguous_references: Vec<Place>,
    pub unknown_owners: Vec<Place>,
    pub free_mail: u64,
    /// Values kept after a repair (`annie @contoso.com`, a misspelled country), by file and line.
    pub repaired: Vec<Place>,
    pub rejected: Vec<Place>,
    pub links: LinkCoverage,
    /// Select values that need a new option in Twenty: `object.field` → values.
    pub options_to_create: BTreeMap<String, Vec<String>>,
    /// Custom fields the mapping writes: `object.field` → type.
    pub custom_fields: BTreeMap<String, String>,
    pub unused_columns: Vec<String>,
    /// Name blocks not compared for similar-name duplicates (absent when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uncompared_name_blocks: Vec<UncomparedBlock>,
    /// Companies with alike names not merged because other evidence differs: the first one's
    /// place, the other's place and name in `detail`.
    pub possible_duplicates: Vec<Place>,
    /// The text field cells that could not be read are kept in ("" when they are dropped).
    pub unread_kept_in: String,
    /// The export's attachments, when it has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<AttachmentAudit>,
}

/// What the export's attachment files are.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AttachmentAudit {
    /// Files to attach (the rows kept), and their size in bytes.
    pub files: u64,
    pub bytes: u64,
    /// Files of the export's attachment folders that no row names: attached to nothing, not
    /// imported (`at` is the file, `detail` its size).
    pub without_record: Vec<Place>,
    /// Rows whose file is not in the export (rejected).
    pub missing_files: Vec<Place>,
    /// Rows attaching the same bytes to different records, by content: each group's places.
    pub same_content: Vec<Vec<Place>>,
}

/// The [`AttachmentAudit`] of an export, None when it has no attachment rows.
pub fn attachments(p: &Prepared) -> Option<AttachmentAudit> {
    use c2t_core::mapping::ATTACHMENT;
    let rows: Vec<usize> = (0..p.records.len())
        .filter(|&r| p.records[r].object == ATTACHMENT)
        .collect();
    if rows.is_empty() {
        return None;
    }
    let mut a = AttachmentAudit::default();
    let place = |r: usize, detail: String| Place {
        at: p.place(r),
        name: p.records[r].display_name(),
        detail,
    };
    let mut named = std::collections::BTreeSet::new();
    let mut by_hash: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &r in &rows {
        let values = p.values(r);
        if let Some(rel) = values.get("file").and_then(|v| v.as_str()) {
            named.insert(rel.to_string());
        }
        if let Some(f) = p.attachments.get(&r) {
            a.files += 1;
            a.bytes += f.size;
            by_hash.entry(f.hash.as_str()).or_default().push(r);
        } else if let Status::Rejected(why) = &p.status[r]
            && why.contains("is not in the export")
        {
            a.missing_files.push(place(r, why.to_string()));
        }
    }
    a.same_content = by_hash
        .into_values()
        .filter(|g| g.len() > 1)
        .map(|g| {
            g.into_iter()
                .map(|r| place(r, p.attachments[&r].rel.clone()))
                .collect()
        })
        .collect();
    a.without_record = crate::attach::unnamed_files(&p.export_dir, &named)
        .into_iter()
        .map(|f| Place {
            at: f.rel,
            name: String::new(),
            detail: format!("{} bytes", f.size),
        })
        .collect();
    Some(a)
}

/// Builds the audit of a prepared export.
pub fn build(p: &Prepared) -> Audit {
    let mut files = Vec::new();
    let mut unused_columns = Vec::new();
    for (fi, info) in p.files.iter().enumerate() {
        let fm = &p.mapping.files[fi];
        let mut columns = Vec::new();
        for (ci, h) in info.headers.iter().enumerate() {
            let filled = info.filled.get(ci).copied().unwrap_or(0);
            let cm = fm.column(h);
            let target = match cm {
                Some(c) if c.transform == c2t_core::Transform::Skip => "skip".to_string(),
                Some(c) => match &c.field {
                    Some(f) => format!("{f} ({})", c.transform.as_str()),
                    None => c.transform.as_str().to_string(),
                },
                None => "not in mapping".to_string(),
            };
            let mut invalid: BTreeMap<String, u64> = BTreeMap::new();
            let mut examples = Vec::new();
            for f in p.findings.iter().filter(|f| f.file == fi && &f.column == h) {
                if matches!(
                    f.code,
                    IssueCode::ReferenceDangling
                        | IssueCode::ReferenceAmbiguous
                        | IssueCode::OwnerUnknown
                        | IssueCode::FreeMailDomain
                        | IssueCode::ValueRepaired
                ) {
                    continue;
                }
                *invalid.entry(f.code.to_string()).or_default() += 1;
                if examples.len() < 3 {
                    examples.push(format!("line {}: {}", f.line, f.message));
                }
            }
            let unused = filled == 0;
            if unused && info.rows > 0 {
                unused_columns.push(format!("{}: {h}", info.path));
            }
            columns.push(ColumnAudit {
                column: h.clone(),
                filled,
                fill_rate: if info.rows == 0 {
                    0.0
                } else {
                    filled as f64 / info.rows as f64
                },
                target,
                unused,
                invalid,
                examples,
            });
        }
        files.push(FileAudit {
            path: info.path.clone(),
            object: info.object.clone(),
            encoding: info.encoding.clone(),
            delimiter: info.delimiter.map(|d| {
                if d == '\t' {
                    "tab".to_string()
                } else {
                    d.to_string()
                }
            }),
            rows: info.rows,
            columns,
            ambiguous_date_columns: info.ambiguous_dates.clone(),
            warnings: info.warnings.clone(),
            error: info.error.clone(),
        });
    }

    let mut objects: BTreeMap<String, ObjectCounts> = BTreeMap::new();
    for e in &p.ledger.entries {
        if !objects.contains_key(&*e.object) {
            objects.insert(e.object.to_string(), ObjectCounts::default());
        }
        let c = objects.get_mut(&*e.object).expect("inserted above");
        c.read += 1;
        match &e.outcome {
            c2t_core::Outcome::Imported => c.kept += 1,
            c2t_core::Outcome::Merged(_) => c.merged += 1,
            c2t_core::Outcome::Skipped { rule } => match c.skipped.get_mut(rule.as_str()) {
                Some(n) => *n += 1,
                None => {
                    c.skipped.insert(rule.to_string(), 1);
                }
            },
            c2t_core::Outcome::Rejected { .. } => c.rejected += 1,
        }
    }

    for (object, n) in p.created_kept() {
        objects.entry(object).or_default().created = n;
    }

    let place = |r: usize, detail: String| Place {
        at: p.place(r),
        name: p.records[r].display_name(),
        detail,
    };
    let mut clusters: BTreeMap<usize, Vec<Place>> = BTreeMap::new();
    let mut created_merged: BTreeMap<usize, usize> = BTreeMap::new();
    let mut test_data = Vec::new();
    let mut stale = Vec::new();
    for (i, s) in p.status.iter().enumerate() {
        match s {
            Status::Merged(m) => {
                if p.records[i].is_created() {
                    *created_merged.entry(m.survivor).or_default() += 1;
                }
                clusters
                    .entry(m.survivor)
                    .or_default()
                    .push(place(i, m.rule.clone()))
            }
            Status::Skipped(s) if s.rule == "test_data" => {
                test_data.push(place(i, s.detail.clone()))
            }
            Status::Skipped(s) if s.rule == "stale" => stale.push(place(i, s.detail.clone())),
            _ => {}
        }
    }
    let duplicates = clusters
        .into_iter()
        .map(|(s, merged)| Cluster {
            object: p.records[s].object.to_string(),
            survivor: place(s, "kept".into()),
            merged,
            created: created_merged.get(&s).copied().unwrap_or(0),
        })
        .collect();

    let finding_places = |code: IssueCode| -> Vec<Place> {
        p.findings
            .iter()
            .filter(|f| f.code == code)
            .map(|f| Place {
                at: format!("{}:{}", p.file_name(f.file), f.line),
                name: f.column.clone(),
                detail: f.message.clone(),
            })
            .collect()
    };
    let rejected = p
        .rejects
        .iter()
        .map(|r| Place {
            at: format!("{}:{}", r.file, r.line),
            name: String::new(),
            detail: r.reason.clone(),
        })
        .collect();

    let mut links = LinkCoverage::default();
    let mut owners_named: std::collections::HashSet<&str> = Default::default();
    let mut owners_matched: std::collections::HashSet<&str> = Default::default();
    for i in p.kept() {
        let r = &p.records[i];
        let l = &p.links[i];
        let has = |f: &str| l.iter().any(|x| x.field == f);
        for x in r.refs.iter().filter(|x| x.object == "workspaceMember") {
            let matched = l
                .iter()
                .any(|k| k.field == x.field && matches!(k.target, Target::Member(_)));
            for v in x
                .values
                .iter()
                .map(|v| v.as_str())
                .filter(|v| !v.is_empty())
            {
                owners_named.insert(v);
                if matched {
                    owners_matched.insert(v);
                }
            }
        }
        links.owner_references += r
            .refs
            .iter()
            .filter(|x| x.object == "workspaceMember")
            .count() as u64;
        links.owners_resolved += l
            .iter()
            .filter(|x| matches!(x.target, Target::Member(_)))
            .count() as u64;
        match r.object.as_str() {
            "person" => {
                links.people += 1;
                if has("company") {
                    links.people_with_company += 1;
                }
                if l.iter().any(|x| x.via == "email_domain") {
                    links.people_linked_by_email_domain += 1;
                }
            }
            "opportunity" => {
                links.opportunities += 1;
                if has("company") {
                    links.opportunities_with_company += 1;
                }
                if has("pointOfContact") {
                    links.opportunities_with_contact += 1;
                }
            }
            "note" | "task" => {
                links.activities += 1;
                if has("targets") {
                    links.activities_with_targets += 1;
                }
            }
            _ => {}
        }
    }

    links.owners_named = owners_named.len() as u64;
    links.owners_matched = owners_matched.len() as u64;

    let mut custom_fields = BTreeMap::new();
    for f in &p.mapping.files {
        for c in &f.columns {
            if let (Some(kind), Some(field)) = (c.custom, &c.field) {
                custom_fields.insert(format!("{}.{field}", f.object), kind.as_str().to_string());
            }
        }
    }
    // The field unread cells are kept in, on the objects whose kept records have some.
    let keep = p.mapping.settings.keep_unread_in.as_str();
    if !keep.is_empty() {
        let mut masks: BTreeMap<&str, u64> = BTreeMap::new();
        for r in p.kept() {
            *masks.entry(p.records[r].object.as_str()).or_default() |= p.records[r].filled;
        }
        for (object, mask) in masks {
            let has = mask & crate::filled::OVERFLOW != 0
                || crate::filled::pairs(object, mask)
                    .iter()
                    .any(|(k, sub)| *k == keep && sub.is_empty());
            if has {
                custom_fields.insert(format!("{object}.{keep}"), "TEXT".to_string());
            }
        }
    }
    let t = p.ledger.totals();
    Audit {
        source: p.mapping.source.clone(),
        as_of: p.as_of.clone(),
        stale_before: p.stale_cutoff.clone(),
        totals: Totals {
            read: t.read,
            imported: t.imported,
            merged: t.merged,
            skipped: t.skipped,
            rejected: t.rejected,
            balanced: t.balances(),
        },
        objects,
        files,
        duplicates,
        test_data,
        stale,
        dangling_references: finding_places(IssueCode::ReferenceDangling),
        ambiguous_references: finding_places(IssueCode::ReferenceAmbiguous),
        unknown_owners: finding_places(IssueCode::OwnerUnknown),
        free_mail: p
            .findings
            .iter()
            .filter(|f| f.code == IssueCode::FreeMailDomain)
            .count() as u64,
        repaired: finding_places(IssueCode::ValueRepaired),
        rejected,
        links,
        options_to_create: p
            .new_options
            .iter()
            .map(|((o, f), v)| (format!("{o}.{f}"), v.iter().cloned().collect()))
            .collect(),
        custom_fields,
        unused_columns,
        unread_kept_in: keep.to_string(),
        attachments: attachments(p),
        possible_duplicates: p
            .possible_duplicates
            .iter()
            .map(|d| Place {
                at: p.place(d.a),
                name: p.records[d.a].display_name(),
                detail: format!(
                    "like {} ({}): {}; not merged",
                    p.records[d.b].display_name(),
                    p.place(d.b),
                    d.why
                ),
            })
            .collect(),
        uncompared_name_blocks: p
            .skipped_blocks
            .iter()
            .map(|b| UncomparedBlock {
                object: "company".into(),
                prefix: b.prefix.clone(),
                records: b.records as u64,
                detail: format!(
                    "{} companies whose names start with \"{}\" were not compared for similar names \
                     (more than {} in one block); only exact keys (source id, domain) merged them",
                    b.records,
                    b.prefix,
                    crate::dedupe::BLOCK_CAP
                ),
            })
            .collect(),
    }
}

fn pct(a: u64, b: u64) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{:.0}%", 100.0 * a as f64 / b as f64)
    }
}

/// A summary for the terminal: short, with the numbers that decide.
pub fn terminal(a: &Audit) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Audit of a {} export (stale = no activity since {})",
        a.source, a.stale_before
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  {:<14} {:>7} {:>7} {:>7} {:>7} {:>8}",
        "object", "read", "kept", "merged", "skipped", "rejected"
    );
    for (obj, c) in &a.objects {
        let skipped: u64 = c.skipped.values().sum();
        let created = if c.created > 0 {
            format!("   + {} created from names", c.created)
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "  {obj:<14} {:>7} {:>7} {:>7} {:>7} {:>8}{created}",
            c.read, c.kept, c.merged, skipped, c.rejected
        );
    }
    let t = &a.totals;
    let _ = writeln!(
        o,
        "  {:<14} {:>7} {:>7} {:>7} {:>7} {:>8}",
        "total", t.read, t.imported, t.merged, t.skipped, t.rejected
    );
    let _ = writeln!(
        o,
        "  ledger: {}",
        if t.balanced {
            "balanced — every row is imported, merged, skipped or rejected"
        } else {
            "NOT BALANCED — a bug: please report it"
        }
    );
    let _ = writeln!(o);
    let invalid: u64 = a
        .files
        .iter()
        .flat_map(|f| f.columns.iter())
        .map(|c| c.invalid.values().sum::<u64>())
        .sum();
    let lines = [
        (a.duplicates.len() as u64, {
            let created: usize = a.duplicates.iter().map(|c| c.created).sum();
            let rows = a.duplicates.iter().map(|c| c.merged.len()).sum::<usize>() - created;
            if created > 0 {
                format!(
                    "duplicate clusters merged ({rows} rows, {created} companies named by rows)"
                )
            } else {
                format!("duplicate clusters merged ({rows} rows)")
            }
        }),
        (a.test_data.len() as u64, "test rows skipped".to_string()),
        (a.stale.len() as u64, "stale records skipped".to_string()),
        (
            invalid,
            if a.unread_kept_in.is_empty() {
                "invalid values dropped from their field (record kept)".to_string()
            } else {
                format!(
                    "invalid values kept as written in `{}`, not in their field",
                    a.unread_kept_in
                )
            },
        ),
        (
            a.dangling_references.len() as u64,
            "dangling references".to_string(),
        ),
        (
            a.ambiguous_references.len() as u64,
            "ambiguous references (not guessed)".to_string(),
        ),
        (
            a.unknown_owners.len() as u64,
            "owners matching no workspace member".to_string(),
        ),
        (
            a.free_mail,
            "free-mail addresses (not used to find companies)".to_string(),
        ),
        (
            a.repaired.len() as u64,
            "values repaired and kept (annie @x.com, misspelled countries)".to_string(),
        ),
        (
            a.unused_columns.len() as u64,
            "unused columns (empty in every row)".to_string(),
        ),
        (
            a.rejected.len() as u64,
            "rows rejected (see rejects.csv)".to_string(),
        ),
    ];
    for (n, what) in lines {
        let _ = writeln!(o, "  {n:>6}  {what}");
    }
    if let Some(at) = &a.attachments {
        let _ = writeln!(
            o,
            "  {:>6}  attachment files to upload ({} bytes)",
            at.files, at.bytes
        );
        for (n, what) in [
            (
                at.missing_files.len(),
                "attachment rows whose file is not in the export (rejected)",
            ),
            (
                at.without_record.len(),
                "files in the attachment folders that no row names (not imported)",
            ),
            (
                at.same_content.len(),
                "files attached with the same content to several records",
            ),
        ] {
            if n > 0 {
                let _ = writeln!(o, "  {n:>6}  {what}");
            }
        }
    }
    let l = &a.links;
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  links: people→company {} ({} by email domain), opportunities→company {}, →contact {}, notes/tasks→targets {}, owners {}",
        pct(l.people_with_company, l.people),
        l.people_linked_by_email_domain,
        pct(l.opportunities_with_company, l.opportunities),
        pct(l.opportunities_with_contact, l.opportunities),
        pct(l.activities_with_targets, l.activities),
        pct(l.owners_resolved, l.owner_references),
    );
    let ambiguous: Vec<String> = a
        .files
        .iter()
        .flat_map(|f| {
            f.ambiguous_date_columns
                .iter()
                .map(move |c| format!("{}: {c}", f.path))
        })
        .collect();
    if !ambiguous.is_empty() {
        let _ = writeln!(
            o,
            "  dates that could be dd/mm or mm/dd (read with the mapping's day_first): {}",
            ambiguous.join(", ")
        );
    }
    if !a.options_to_create.is_empty() {
        let opts: Vec<String> = a
            .options_to_create
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.join(", ")))
            .collect();
        let _ = writeln!(
            o,
            "  select options to create before import: {}",
            opts.join("; ")
        );
    }
    if !a.custom_fields.is_empty() {
        let _ = writeln!(
            o,
            "  custom fields to create before import: {}",
            a.custom_fields
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for b in &a.uncompared_name_blocks {
        let _ = writeln!(o, "  not compared for similar names: {}", b.detail);
    }
    for d in &a.possible_duplicates {
        let _ = writeln!(
            o,
            "  possible duplicate, not merged: {} {} {}",
            d.at, d.name, d.detail
        );
    }
    // The reader's message names the file itself.
    for f in a.files.iter().filter(|f| f.error.is_some()) {
        let _ = writeln!(o, "  unreadable: {}", f.error.as_deref().unwrap_or(""));
    }
    o
}
