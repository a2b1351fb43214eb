//! The audit as one self-contained HTML page: inline CSS, HTML bar charts, no script and no
//! network. Every value that came from the CRM is HTML-escaped. Failures and warnings come first
//! and open; the rest is folded with a line that says it; codes are shown as words.

use crate::audit::{Audit, Place};
use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// The style sheet of every crm2twenty page. It reads on a phone as on a wide screen: the page
/// never scrolls sideways (a wide table scrolls inside its own wrapper, `.tw`; charts are
/// HTML bars that take the width there is; long values wrap anywhere).
pub const STYLE: &str = "*{box-sizing:border-box}\
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:min(72rem,100%);color:#1d2433;padding:0 1rem;overflow-wrap:anywhere}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin:0;display:inline}h3{font-size:1rem;margin:1rem 0 .3rem}\
.tw{overflow-x:auto;max-width:100%;margin:.5rem 0}table{border-collapse:collapse;width:100%}\
td,th{border-bottom:1px solid #eef;padding:.25rem .5rem;text-align:left;vertical-align:top}\
td{overflow-wrap:break-word}td.v{overflow-wrap:anywhere;min-width:9em}th{background:#f5f6fa;overflow-wrap:normal}.nw{white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
.ok{color:#17803d}.bad{color:#b42318}.muted{color:#6b7280;font-size:.85em}\
.legend span{display:inline-block;margin-right:1rem}.sw{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}\
details{margin:.3rem 0}summary{cursor:pointer}code{background:#f5f6fa;padding:0 .2rem}svg,img{max-width:100%;height:auto}\
nav.toc{border:1px solid #dde;border-radius:6px;padding:.5rem 1rem;margin:1rem 0;background:#fafbfd}nav.toc ol{margin:.3rem 0;padding-left:1.4rem}\
section.sec{margin-top:1rem;border-top:1px solid #dde;padding-top:.4rem}section.sec>details>summary{padding:.2rem 0}\
.sum{display:block;color:#4a5263;margin-left:1.1rem}\
.badge{display:inline-block;font-size:.75rem;font-weight:600;border-radius:999px;padding:0 .5rem;margin-left:.4rem;vertical-align:middle}\
.badge.fail{background:#ffe3e3;color:#b42318}.badge.warn{background:#fff3bf;color:#7a4d00}.badge.pass{background:#ebfbee;color:#17803d}.badge.info{background:#edf2ff;color:#364fc7}\
.chart{margin:.5rem 0}.crow{margin:.35rem 0}.clabel{display:flex;flex-wrap:wrap;justify-content:space-between;gap:0 .5rem}\
.cbar{display:flex;height:1rem;background:#eef;max-width:100%}.cbar i{display:block;height:100%}\
.fill{display:inline-block;width:5rem;max-width:100%;height:.6rem;background:#eef;vertical-align:middle}.fill i{display:block;height:100%}\
@media (max-width:40rem){body{margin:1rem auto;padding:0 .6rem}h1{font-size:1.3rem}td,th{padding:.2rem .3rem}.fill{width:2.5rem}}";

/// How a section of a page stands. Failures and warnings come first and open; the rest is
/// folded, with a line that says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Something went wrong (a check failed, a file could not be read).
    Fail,
    /// Something a person should look at (rows rejected, owners not found).
    Warn,
    /// Nothing wrong, something to know (what was merged, skipped on purpose).
    Info,
    /// Nothing to see (checks passed, nothing found).
    Pass,
}

impl Status {
    /// The CSS class (`fail`, `warn`, `info`, `pass`).
    pub fn class(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Info => "info",
            Status::Pass => "pass",
        }
    }

    /// The badge's words.
    pub fn label(self) -> &'static str {
        match self {
            Status::Fail => "failed",
            Status::Warn => "to review",
            Status::Info => "for information",
            Status::Pass => "ok",
        }
    }

    /// Shown open (failures and warnings) or folded.
    pub fn open(self) -> bool {
        matches!(self, Status::Fail | Status::Warn)
    }

    fn rank(self) -> u8 {
        match self {
            Status::Fail => 0,
            Status::Warn => 1,
            Status::Info | Status::Pass => 2,
        }
    }

    /// The worse of two.
    pub fn worst(self, other: Status) -> Status {
        if other.rank() < self.rank() || (self == Status::Pass && other == Status::Info) {
            other
        } else {
            self
        }
    }
}

/// The body of a section, written when its turn comes (a page of tens of megabytes is written
/// as it is rendered, never held whole).
pub type Body<'a> = Box<dyn Fn(&mut dyn Write) + 'a>;

/// One section of a page: its anchor, its title, how it stands, one line that says it (HTML,
/// escaped by whoever made it), and its body.
pub struct Section<'a> {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub summary: String,
    pub body: Body<'a>,
}

impl<'a> Section<'a> {
    pub fn new(
        id: &str,
        title: &str,
        status: Status,
        summary: String,
        body: impl Fn(&mut dyn Write) + 'a,
    ) -> Section<'a> {
        Section {
            id: id.to_string(),
            title: title.to_string(),
            status,
            summary,
            body: Box::new(body),
        }
    }
}

/// Failing sections first, then warnings, then the rest, each group in its given order.
pub fn order(sections: &mut [Section]) {
    sections.sort_by_key(|s| s.status.rank());
}

fn badge(status: Status) -> String {
    format!(
        "<span class=\"badge {}\">{}</span>",
        status.class(),
        status.label()
    )
}

/// The table of contents: a link to each section, with how it stands. `first` are links
/// (anchor, title) to sections before the ordered ones.
pub fn toc(o: &mut dyn Write, first: &[(&str, &str)], sections: &[Section]) {
    let _ = writeln!(o, "<nav class=toc aria-label=contents><b>Contents</b><ol>");
    for (id, title) in first {
        let _ = writeln!(o, "<li><a href=\"#{id}\">{}</a></li>", esc(title));
    }
    for s in sections {
        let _ = writeln!(
            o,
            "<li><a href=\"#{}\">{}</a>{}</li>",
            esc(&s.id),
            esc(&s.title),
            badge(s.status)
        );
    }
    let _ = writeln!(o, "</ol></nav>");
}

/// Writes the sections, each a `<details>` open when it failed or warns.
pub fn write_sections(o: &mut dyn Write, sections: &[Section]) {
    for s in sections {
        let _ = writeln!(
            o,
            "<section id=\"{}\" class=\"sec {}\"><details{}><summary><h2>{}</h2>{}<span class=sum>{}</span></summary>",
            esc(&s.id),
            s.status.class(),
            if s.status.open() { " open" } else { "" },
            esc(&s.title),
            badge(s.status),
            s.summary
        );
        (s.body)(o);
        let _ = writeln!(o, "</details></section>");
    }
}

/// Opens a table inside its scrolling wrapper: a wide table scrolls on its own, the page never
/// does. `class` is the table's (`sort` for sortable tables, or empty).
pub fn table_start(o: &mut dyn Write, class: &str, headers: &[&str]) {
    let _ = write!(
        o,
        "<div class=tw><table{}><tr>",
        if class.is_empty() {
            String::new()
        } else {
            format!(" class={class}")
        }
    );
    for h in headers {
        let _ = write!(o, "<th>{h}</th>");
    }
    let _ = writeln!(o, "</tr>");
}

/// Closes [`table_start`].
pub fn table_end(o: &mut dyn Write) {
    let _ = writeln!(o, "</table></div>");
}

/// A code (skip rule, issue code, field type) as words for people, the code in its title for
/// searching ledger.csv and the JSON files.
pub fn worded(code: &str) -> String {
    let w = crate::words::words(code);
    if w == code {
        esc(code)
    } else {
        format!("<span title=\"{}\">{}</span>", esc(code), esc(&w))
    }
}

/// `n` things, with their plural (`1 row`, `2 rows`).
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One row of a bar chart: a label and a note above, a bar below whose width (`width`, percent
/// of the chart's width) is split into coloured parts (percent of the bar, colour, tooltip).
pub fn bar_row(
    o: &mut dyn Write,
    label: &str,
    note: &str,
    width: f64,
    parts: &[(f64, &str, String)],
) {
    let _ = write!(
        o,
        "<div class=crow><div class=clabel><span>{label}</span><span class=muted>{note}</span></div><div class=cbar style=\"width:{:.1}%\">",
        width.clamp(0.5, 100.0)
    );
    for (p, color, tip) in parts {
        if *p > 0.0 {
            let _ = write!(
                o,
                "<i style=\"width:{:.2}%;background:{color}\" title=\"{}\"></i>",
                p.clamp(0.0, 100.0),
                esc(tip)
            );
        }
    }
    let _ = writeln!(o, "</div></div>");
}

const COLORS: [(&str, &str); 4] = [
    ("kept", "#2f9e44"),
    ("merged", "#1c7ed6"),
    ("skipped", "#f08c00"),
    ("rejected", "#e03131"),
];

/// Objects read only to find owners (users): they are looked up, never imported, so they are
/// not drawn as kept or dropped.
pub fn is_lookup_object(object: &str) -> bool {
    object == "workspaceMember"
}

fn places(o: &mut dyn Write, list: &[Place]) {
    if list.is_empty() {
        let _ = writeln!(o, "<p class=ok>None.</p>");
        return;
    }
    table_start(o, "", &["where", "what", "detail"]);
    for p in list {
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td class=v>{}</td><td class=v>{}</td></tr>",
            esc(&p.at),
            esc(&p.name),
            esc(&p.detail)
        );
    }
    table_end(o);
}

/// A section listing places: to review when there are some, ok when there are none.
fn places_section<'a>(
    id: &str,
    title: &str,
    list: &'a [Place],
    when_some: Status,
    what: (&str, &str),
) -> Section<'a> {
    let status = if list.is_empty() {
        Status::Pass
    } else {
        when_some
    };
    let summary = if list.is_empty() {
        "None.".to_string()
    } else {
        format!("{}.", count(list.len() as u64, what.0, what.1))
    };
    Section::new(id, title, status, summary, move |o| places(o, list))
}

/// Renders the audit page.
pub fn render(a: &Audit) -> String {
    let mut o = String::new();
    render_to(&mut o, a);
    o
}

/// Renders the audit page into `o` (a file, through an adapter, so that a page of tens of
/// megabytes is never held whole in memory).
pub fn render_to(o: &mut impl Write, a: &Audit) {
    render_page(o, a, false);
}

/// Renders the audit page; `report_beside` links it to the migration report (`report.html` in
/// the same folder).
pub fn render_page(o: &mut impl Write, a: &Audit, report_beside: bool) {
    let o: &mut dyn Write = o;
    let _ = writeln!(
        o,
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\">"
    );
    let _ = writeln!(
        o,
        "<title>crm2twenty audit — {}</title><style>{STYLE}</style></head><body>",
        esc(&a.source)
    );
    let _ = writeln!(o, "<h1>Audit of the {} export</h1>", esc(&a.source));
    let t = &a.totals;
    let _ = writeln!(
        o,
        "<p>{} rows read: <b>{}</b> to import, {} merged into others, {} skipped, {} rejected. Ledger: {}. Stale means no activity since {}.</p>",
        t.read,
        t.imported,
        t.merged,
        t.skipped,
        t.rejected,
        if t.balanced {
            "<span class=ok>balanced</span>"
        } else {
            "<span class=bad>NOT balanced</span>"
        },
        esc(&a.stale_before)
    );
    if report_beside {
        let _ = writeln!(
            o,
            "<p>What was written to Twenty and its verification: the migration report, <a href=\"report.html\">report.html</a>, in this folder.</p>"
        );
    }
    let _ = writeln!(
        o,
        "<p>Every merge and every row skipped as test data or as stale is also in <a href=\"review.csv\">review.csv</a>, in this folder: change a row's decision to <code>keep</code> and run again with <code>--review review.csv</code>.</p>"
    );
    let mut sections = audit_sections(a);
    order(&mut sections);
    toc(o, &[("objects", "What happens to each object")], &sections);
    let _ = writeln!(
        o,
        "<section id=\"objects\" class=\"sec\"><h2>What happens to each object</h2>"
    );
    object_chart(o, a);
    objects_table(o, a, true);
    let _ = writeln!(o, "</section>");
    write_sections(o, &sections);
    let _ = writeln!(
        o,
        "<p><small>Written by crm2twenty {}.</small></p></body></html>",
        env!("CARGO_PKG_VERSION")
    );
}

/// The objects: rows read, kept, merged, skipped (by rule, in words), rejected. Users read to
/// find owners are said as such, not as rows dropped.
pub fn objects_table(o: &mut dyn Write, a: &Audit, created_column: bool) {
    let mut headers = vec![
        "object",
        "read",
        "kept",
        "merged",
        "skipped (why)",
        "rejected",
    ];
    if created_column {
        headers.push("created from names");
    }
    table_start(o, "sort", &headers);
    for (obj, c) in &a.objects {
        if is_lookup_object(obj) {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td class=n>{}</td><td colspan={}>read only to match owners to workspace members; not imported (see Owners)</td></tr>",
                esc(&crate::words::object_plural(obj)),
                c.read,
                headers.len() - 2
            );
            continue;
        }
        let skipped: Vec<String> = c
            .skipped
            .iter()
            .map(|(r, n)| format!("<span class=nw>{} ({n})</span>", worded(r)))
            .collect();
        let _ = write!(
            o,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td><td class=n>{}</td>",
            esc(&crate::words::object_plural(obj)),
            c.read,
            c.kept,
            c.merged,
            skipped.join("<br>"),
            c.rejected
        );
        if created_column {
            let _ = write!(o, "<td class=n>{}</td>", c.created);
        }
        let _ = writeln!(o, "</tr>");
    }
    table_end(o);
}

/// The owners: how many different owners the records name, how many matched a workspace
/// member, the users read from the export to match them. Members are looked up, not imported.
pub fn owners_summary(a: &Audit) -> Option<String> {
    let users = a
        .objects
        .iter()
        .filter(|(o, _)| is_lookup_object(o))
        .map(|(_, c)| c.read)
        .sum::<u64>();
    let l = &a.links;
    if l.owner_references == 0 && users == 0 {
        return None;
    }
    let mut s = if l.owners_named == 0 {
        "No record names an owner".to_string()
    } else {
        format!(
            "{} referenced by the records, {} matched a workspace member",
            count(l.owners_named, "owner", "owners"),
            l.owners_matched
        )
    };
    if users > 0 {
        s.push_str(&format!(
            "; {} read from the export to match them (members are invited to Twenty, not imported)",
            count(users, "user", "users")
        ));
    }
    s.push('.');
    Some(s)
}

fn audit_sections(a: &Audit) -> Vec<Section<'_>> {
    let mut list = Vec::new();

    // Files: the worst of them.
    let file_status = |f: &crate::audit::FileAudit| {
        if f.error.is_some() {
            Status::Fail
        } else if !f.warnings.is_empty()
            || !f.ambiguous_date_columns.is_empty()
            || f.columns.iter().any(|c| !c.invalid.is_empty())
        {
            Status::Warn
        } else {
            Status::Pass
        }
    };
    let status = a
        .files
        .iter()
        .map(file_status)
        .fold(Status::Pass, Status::worst);
    let rows: u64 = a.files.iter().map(|f| f.rows).sum();
    let unreadable = a.files.iter().filter(|f| f.error.is_some()).count() as u64;
    let to_review = a
        .files
        .iter()
        .filter(|f| file_status(f) == Status::Warn)
        .count() as u64;
    let mut summary = format!(
        "{}, {}",
        count(a.files.len() as u64, "file", "files"),
        count(rows, "row", "rows")
    );
    if unreadable > 0 {
        summary.push_str(&format!(
            "; {} could not be read",
            count(unreadable, "file", "files")
        ));
    }
    if to_review > 0 {
        summary.push_str(&format!(
            "; {} with values or warnings to review",
            count(to_review, "file", "files")
        ));
    }
    summary.push('.');
    list.push(Section::new(
        "files",
        "Files and columns",
        status,
        summary,
        move |o| {
            let mut files: Vec<&crate::audit::FileAudit> = a.files.iter().collect();
            files.sort_by_key(|f| file_status(f).rank());
            for f in files {
                file_details(o, f, file_status(f));
            }
        },
    ));

    // Links.
    let l = &a.links;
    let link_rows = [
        (
            "people linked to a company",
            l.people_with_company,
            l.people,
        ),
        (
            "… of which by email domain",
            l.people_linked_by_email_domain,
            l.people,
        ),
        (
            "opportunities linked to a company",
            l.opportunities_with_company,
            l.opportunities,
        ),
        (
            "opportunities with a point of contact",
            l.opportunities_with_contact,
            l.opportunities,
        ),
        (
            "notes and tasks linked to their records",
            l.activities_with_targets,
            l.activities,
        ),
    ];
    let summary: Vec<String> = link_rows
        .iter()
        .filter(|(w, _, d)| *d > 0 && !w.starts_with('…'))
        .map(|(w, n, d)| format!("{n} of {d} {w}"))
        .collect();
    list.push(Section::new(
        "links",
        "Links between records",
        Status::Info,
        format!("{}.", esc(&summary.join("; "))),
        move |o| {
            table_start(o, "", &["link", "records"]);
            for (what, n, d) in link_rows {
                let _ = writeln!(o, "<tr><td>{what}</td><td class=n>{n} of {d}</td></tr>");
            }
            table_end(o);
        },
    ));

    // Owners.
    if let Some(summary) = owners_summary(a) {
        let status = if a.unknown_owners.is_empty() {
            Status::Pass
        } else {
            Status::Warn
        };
        list.push(Section::new(
            "owners",
            "Owners and workspace members",
            status,
            esc(&summary),
            move |o| {
                let _ = writeln!(
                    o,
                    "<p>Owners and assignees are matched to the workspace's members (by name, then email). Members are people invited to the Twenty workspace: they are looked up, never imported. {} of {} owner fields matched a member.</p>",
                    a.links.owners_resolved, a.links.owner_references
                );
                if !a.unknown_owners.is_empty() {
                    let _ = writeln!(
                        o,
                        "<h3>Owners matching no workspace member ({})</h3><p>Those fields stay empty; invite these people to the workspace first to keep them.</p>",
                        a.unknown_owners.len()
                    );
                    places(o, &a.unknown_owners);
                }
            },
        ));
    }

    // Duplicates merged.
    let merged: usize = a.duplicates.iter().map(|c| c.merged.len()).sum();
    list.push(Section::new(
        "duplicates",
        "Duplicates merged",
        if a.duplicates.is_empty() {
            Status::Pass
        } else {
            Status::Info
        },
        if a.duplicates.is_empty() {
            "None.".into()
        } else {
            format!(
                "{} merged into {}.",
                count(merged as u64, "row", "rows"),
                count(a.duplicates.len() as u64, "record", "records")
            )
        },
        move |o| duplicates_table(o, a, usize::MAX),
    ));
    if !a.uncompared_name_blocks.is_empty() {
        list.push(Section::new(
            "uncompared",
            "Names not compared for similar duplicates",
            Status::Warn,
            format!(
                "{}.",
                count(
                    a.uncompared_name_blocks.len() as u64,
                    "group of names",
                    "groups of names"
                )
            ),
            move |o| {
                let _ = writeln!(o, "<ul>");
                for b in &a.uncompared_name_blocks {
                    let _ = writeln!(o, "<li class=bad>{}</li>", esc(&b.detail));
                }
                let _ = writeln!(o, "</ul>");
            },
        ));
    }
    list.push(places_section(
        "possible-duplicates",
        "Possible duplicates not merged (names alike, phones or cities differ)",
        &a.possible_duplicates,
        Status::Warn,
        ("pair", "pairs"),
    ));
    list.push(places_section(
        "test-data",
        "Test data skipped",
        &a.test_data,
        Status::Info,
        ("record", "records"),
    ));
    list.push(places_section(
        "stale",
        "Stale records skipped",
        &a.stale,
        Status::Info,
        ("record", "records"),
    ));
    list.push(places_section(
        "dangling",
        "References to records not in the export",
        &a.dangling_references,
        Status::Warn,
        ("reference", "references"),
    ));
    list.push(places_section(
        "ambiguous",
        "Ambiguous references (not guessed)",
        &a.ambiguous_references,
        Status::Warn,
        ("reference", "references"),
    ));
    list.push(places_section(
        "rejected",
        "Rejected rows",
        &a.rejected,
        Status::Warn,
        ("row", "rows"),
    ));
    let to_create = a.custom_fields.len() + a.options_to_create.len();
    list.push(Section::new(
        "to-create",
        "To create in the workspace before import",
        if to_create == 0 {
            Status::Pass
        } else {
            Status::Info
        },
        if to_create == 0 {
            "Nothing.".into()
        } else {
            format!(
                "{}, {}.",
                count(
                    a.custom_fields.len() as u64,
                    "custom field",
                    "custom fields"
                ),
                count(
                    a.options_to_create.len() as u64,
                    "field with new options",
                    "fields with new options"
                )
            )
        },
        move |o| {
            let _ = writeln!(o, "<ul>");
            for (k, v) in &a.custom_fields {
                let _ = writeln!(
                    o,
                    "<li>custom field <code>{}</code> ({})</li>",
                    esc(k),
                    worded(v)
                );
            }
            for (k, v) in &a.options_to_create {
                let _ = writeln!(
                    o,
                    "<li>options of <code>{}</code>: {}</li>",
                    esc(k),
                    esc(&v.join(", "))
                );
            }
            let _ = writeln!(o, "</ul>");
        },
    ));
    if let Some(at) = &a.attachments {
        let problems = at.missing_files.len() + at.without_record.len();
        list.push(Section::new(
            "attachments",
            "Attachments (files)",
            if !at.missing_files.is_empty() {
                Status::Warn
            } else if problems + at.same_content.len() > 0 {
                Status::Info
            } else {
                Status::Pass
            },
            format!(
                "{} to upload ({} bytes); {} whose file is missing, {} that no row names, {} attached to several records.",
                count(at.files, "file", "files"),
                at.bytes,
                count(at.missing_files.len() as u64, "row", "rows"),
                count(at.without_record.len() as u64, "file", "files"),
                count(at.same_content.len() as u64, "file", "files"),
            ),
            move |o| {
                let _ = writeln!(
                    o,
                    "<p>Files go to Twenty through its API only (its CSV importer takes no files): <code>crm2twenty import</code> uploads each and attaches it to its record.</p>"
                );
                let _ = writeln!(o, "<h3>Rows whose file is not in the export (rejected)</h3>");
                places(o, &at.missing_files);
                let _ = writeln!(o, "<h3>Files no row names (not imported)</h3>");
                places(o, &at.without_record);
                let _ = writeln!(o, "<h3>The same file attached to several records</h3>");
                let flat: Vec<Place> = at
                    .same_content
                    .iter()
                    .enumerate()
                    .flat_map(|(i, g)| {
                        g.iter().map(move |p| Place {
                            at: p.at.clone(),
                            name: p.name.clone(),
                            detail: format!("group {}: {}", i + 1, p.detail),
                        })
                    })
                    .collect();
                places(o, &flat);
            },
        ));
    }
    list
}

/// The merged duplicates, at most `limit` groups.
pub fn duplicates_table(o: &mut dyn Write, a: &Audit, limit: usize) {
    if a.duplicates.is_empty() {
        let _ = writeln!(o, "<p class=ok>None.</p>");
        return;
    }
    table_start(o, "sort", &["object", "kept", "merged into it"]);
    for c in a.duplicates.iter().take(limit) {
        let merged: Vec<String> = c
            .merged
            .iter()
            .map(|m| {
                format!(
                    "{} <code>{}</code> ({})",
                    esc(&m.name),
                    esc(&m.at),
                    worded(&m.detail)
                )
            })
            .collect();
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=v>{} <code>{}</code></td><td class=v>{}</td></tr>",
            esc(&c.object),
            esc(&c.survivor.name),
            esc(&c.survivor.at),
            merged.join("<br>")
        );
    }
    if a.duplicates.len() > limit {
        let _ = writeln!(
            o,
            "<tr><td colspan=3>… and {} more (audit.html and audit.json hold them all)</td></tr>",
            a.duplicates.len() - limit
        );
    }
    table_end(o);
}

fn file_details(o: &mut dyn Write, f: &crate::audit::FileAudit, status: Status) {
    let invalid: u64 = f.columns.iter().flat_map(|c| c.invalid.values()).sum();
    let _ = writeln!(
        o,
        "<details{}><summary><b>{}</b> → {}{} <span class=muted>{}, {}{}{}</span></summary>",
        if status.open() { " open" } else { "" },
        esc(&f.path),
        esc(&crate::words::object_plural(&f.object)),
        badge(status),
        count(f.rows, "row", "rows"),
        esc(&f.encoding),
        f.delimiter
            .as_ref()
            .map(|d| format!(", delimiter <code>{}</code>", esc(d)))
            .unwrap_or_default(),
        if invalid > 0 {
            format!(
                ", {}",
                count(invalid, "value with a problem", "values with a problem")
            )
        } else {
            String::new()
        }
    );
    if let Some(e) = &f.error {
        let _ = writeln!(
            o,
            "<p class=bad>Could not be read: {}</p></details>",
            esc(e)
        );
        return;
    }
    for w in &f.warnings {
        let _ = writeln!(o, "<p class=bad>{}</p>", esc(w));
    }
    if !f.ambiguous_date_columns.is_empty() {
        let _ = writeln!(
            o,
            "<p class=bad>Dates that could be dd/mm or mm/dd: {}</p>",
            esc(&f.ambiguous_date_columns.join(", "))
        );
    }
    table_start(o, "", &["column", "filled", "becomes"]);
    for c in &f.columns {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=n>{:.0}% <span class=fill><i style=\"width:{:.1}%;background:{}\"></i></span></td><td>{}</td></tr>",
            esc(&c.column),
            c.fill_rate * 100.0,
            (c.fill_rate * 100.0).clamp(0.0, 100.0),
            if c.unused { "#e03131" } else { "#1c7ed6" },
            target_words(&c.target),
        );
    }
    table_end(o);
    // The values that could not be read under the table, where they have the page's width (a
    // phone's too): per column, how many and why, with examples.
    let invalid: Vec<&crate::audit::ColumnAudit> =
        f.columns.iter().filter(|c| !c.invalid.is_empty()).collect();
    if !invalid.is_empty() {
        let _ = writeln!(o, "<p>Values with a problem, by column:</p><ul>");
        for c in invalid {
            let what: Vec<String> = c
                .invalid
                .iter()
                .map(|(k, n)| format!("{} ({n})", worded(k)))
                .collect();
            let _ = write!(o, "<li><b>{}</b>: {}", esc(&c.column), what.join(", "));
            for e in &c.examples {
                let _ = write!(o, "<br><small>{}</small>", esc(e));
            }
            let _ = writeln!(o, "</li>");
        }
        let _ = writeln!(o, "</ul>");
    }
    let _ = writeln!(o, "</details>");
}

/// The audit's "becomes" (`emails (email)`, `skip`, `not in mapping`) with its transform in
/// words.
fn target_words(target: &str) -> String {
    match target.rsplit_once(" (") {
        Some((field, t)) if t.ends_with(')') => {
            let t = &t[..t.len() - 1];
            format!("{} ({})", esc(field), worded(t))
        }
        _ => worded(target),
    }
}

/// Kept vs dropped per object, as stacked bars with their legend (HTML, so they take the width
/// there is and their words stay readable on a phone). Users read only to find owners are not
/// drawn: they are looked up, not imported.
pub fn object_chart(o: &mut dyn Write, a: &Audit) {
    let _ = write!(o, "<div class=chart><p class=legend>");
    for (name, color) in COLORS {
        let _ = write!(
            o,
            "<span><i class=sw style=\"background:{color}\"></i>{name}</span>"
        );
    }
    let _ = writeln!(o, "</p>");
    let objects: Vec<_> = a
        .objects
        .iter()
        .filter(|(o, _)| !is_lookup_object(o))
        .collect();
    let max = objects
        .iter()
        .map(|(_, c)| c.read)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    for (obj, c) in objects {
        let skipped: u64 = c.skipped.values().sum();
        let read = c.read.max(1) as f64;
        let parts: Vec<(f64, &str, String)> = COLORS
            .iter()
            .zip([c.kept, c.merged, skipped, c.rejected])
            .map(|((name, color), n)| (100.0 * n as f64 / read, *color, format!("{name}: {n}")))
            .collect();
        bar_row(
            o,
            &esc(&crate::words::object_plural(obj)),
            &format!("{} of {} kept", c.kept, c.read),
            100.0 * c.read as f64 / max,
            &parts,
        );
    }
    if let Some(s) = owners_summary(a) {
        let _ = writeln!(o, "<p class=muted>Owners: {}</p>", esc(&s));
    }
    let _ = writeln!(o, "</div>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_and_warning_sections_come_first_in_their_order() {
        let sec = |id: &str, status| Section::new(id, id, status, String::new(), |_| {});
        let mut list = vec![
            sec("a", Status::Pass),
            sec("b", Status::Warn),
            sec("c", Status::Info),
            sec("d", Status::Fail),
            sec("e", Status::Warn),
        ];
        order(&mut list);
        let ids: Vec<&str> = list.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["d", "b", "e", "a", "c"]);
        assert!(Status::Fail.open() && Status::Warn.open());
        assert!(!Status::Info.open() && !Status::Pass.open());
        assert_eq!(Status::Pass.worst(Status::Warn), Status::Warn);
        assert_eq!(Status::Fail.worst(Status::Warn), Status::Fail);
        assert_eq!(Status::Pass.worst(Status::Info), Status::Info);
        assert_eq!(Status::Info.worst(Status::Pass), Status::Info);
        let mut o = String::new();
        write_sections(&mut o, &list[..1]);
        assert!(o.starts_with("<section id=\"d\" class=\"sec fail\"><details open><summary>"));
    }

    #[test]
    fn transforms_and_codes_are_words_with_the_code_in_the_title() {
        assert_eq!(target_words("emails (email)"), "emails (email)");
        assert_eq!(
            target_words("skip"),
            "<span title=\"skip\">not imported</span>"
        );
        assert_eq!(
            target_words("name (full_name)"),
            "name (<span title=\"full_name\">first and last name</span>)"
        );
        assert_eq!(
            worded("PHONE_INVALID"),
            "<span title=\"PHONE_INVALID\">phone number could not be read</span>"
        );
        assert_eq!(worded("<b>rule</b>"), "&lt;b&gt;rule&lt;/b&gt;");
        let mut o = String::new();
        table_start(&mut o, "sort", &["a", "b"]);
        table_end(&mut o);
        assert_eq!(
            o,
            "<div class=tw><table class=sort><tr><th>a</th><th>b</th></tr>\n</table></div>\n"
        );
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<b>\"A&B\"</b> 'x'"),
            "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt; &#39;x&#39;"
        );
    }
}
