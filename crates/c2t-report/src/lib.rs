//! The migration report: one self-contained HTML page a person can send to their team — what
//! was found in the exports (the audit), what was kept, merged, skipped and rejected and why,
//! what the import wrote to the workspace and how long it took, the rollbacks, and the
//! verification — with inline SVG charts where a picture says it better than a table.
//!
//! No network: inline CSS, inline SVG and one small inline script (sortable tables). Every value
//! from the CRM or the server is HTML-escaped. The page marks itself ready
//! (`<html data-ready="1">`) once its script ran, so a headless browser test can tell that it
//! displayed without script errors.

use c2t_import::verify::{LinkKind, Verification, pct};
use c2t_pipeline::audit::Audit;
use c2t_pipeline::audit::Place;
use c2t_pipeline::html::{STYLE, esc, object_chart};
use c2t_state::{Run, RunStatus, StateError, Store};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// What the import did, per object, summed over the runs of the state file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ObjectFacts {
    pub created: u64,
    pub updated: u64,
    pub refused: u64,
    pub undone: u64,
}

/// The import side of the report, read from the state store.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportFacts {
    pub runs: Vec<Run>,
    pub objects: BTreeMap<String, ObjectFacts>,
    /// (file, line, object, message) of the records the server refused.
    pub refused: Vec<(String, u64, String, String)>,
    /// What `check --apply` created in the workspace.
    pub changes: Vec<c2t_state::WorkspaceChange>,
}

/// Reads the import facts of every run in the state store.
pub fn import_facts(store: &Store) -> Result<ImportFacts, StateError> {
    let mut f = ImportFacts {
        runs: store.runs()?,
        changes: store.workspace_changes()?,
        ..ImportFacts::default()
    };
    for run in &f.runs {
        let undone = store.undo_log(run.id)?;
        for w in store.run_writes(run.id)? {
            if w.outcome == c2t_state::BatchStatus::Failed {
                continue;
            }
            let o = f.objects.entry(w.object.to_string()).or_default();
            if w.created {
                o.created += 1;
            } else {
                o.updated += 1;
            }
            if undone.contains_key(&(w.object.to_string(), w.source_key.clone())) {
                o.undone += 1;
            }
        }
    }
    for r in store.rejects(None)? {
        f.objects.entry(r.object.to_string()).or_default().refused += 1;
        f.refused.push((r.file, r.line, r.object, r.message));
    }
    Ok(f)
}

/// Everything the page shows.
pub struct Report<'a> {
    /// When the report was made (RFC 3339).
    pub generated_at: String,
    pub audit: &'a Audit,
    /// The workspace URL (never the key).
    pub workspace: Option<String>,
    pub import: Option<&'a ImportFacts>,
    pub verification: Option<&'a Verification>,
}

const SCRIPT: &str = r#"
(function () {
  function key(td) { var t = td.textContent.trim(); var n = parseFloat(t.replace(/[^0-9.\-]/g, '')); return isNaN(n) || /[a-z]/i.test(t.replace(/%$/, '')) ? t.toLowerCase() : n; }
  document.querySelectorAll('table.sort').forEach(function (table) {
    table.querySelectorAll('th').forEach(function (th, col) {
      th.title = 'sort';
      th.style.cursor = 'pointer';
      th.addEventListener('click', function () {
        var rows = Array.prototype.slice.call(table.querySelectorAll('tr')).slice(1);
        var asc = th.dataset.asc !== '1';
        th.dataset.asc = asc ? '1' : '0';
        rows.sort(function (a, b) {
          var x = key(a.children[col]), y = key(b.children[col]);
          return (x > y ? 1 : x < y ? -1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { table.appendChild(r); });
      });
    });
  });
  document.documentElement.dataset.ready = '1';
})();
"#;

const EXTRA_STYLE: &str = ".cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #dde;border-radius:6px;padding:.6rem 1rem;min-width:9rem}\
.card b{display:block;font-size:1.4rem}.pass{background:#ebfbee}.fail{background:#fff5f5}";

fn places(o: &mut String, list: &[Place], limit: usize) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<details><summary>{} record{}</summary><table class=sort><tr><th>where</th><th>record</th><th>detail</th></tr>",
        list.len(),
        if list.len() == 1 { "" } else { "s" }
    );
    for p in list.iter().take(limit) {
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&p.at),
            esc(&p.name),
            esc(&p.detail)
        );
    }
    if list.len() > limit {
        let _ = writeln!(
            o,
            "<tr><td colspan=3>… and {} more (audit.json and verify.json next to this page hold them all)</td></tr>",
            list.len() - limit
        );
    }
    let _ = writeln!(o, "</table></details>");
}

/// Horizontal bars of percentages: (label, percent, tooltip).
fn percent_bars(o: &mut String, label: &str, bars: &[(String, f64, String)]) {
    if bars.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<svg role=img aria-label=\"{}\" width=\"100%\" viewBox=\"0 0 800 {}\">",
        esc(label),
        bars.len() * 24 + 4
    );
    for (i, (name, p, tip)) in bars.iter().enumerate() {
        let y = i * 24 + 2;
        let w = 460.0 * p.clamp(0.0, 100.0) / 100.0;
        let color = if *p >= 99.999 { "#2f9e44" } else { "#e03131" };
        let _ = writeln!(
            o,
            "<text x=0 y={} font-size=12>{}</text><rect x=260 y={y} width=460 height=16 fill=\"#eef\"></rect><rect x=260 y={y} width={w:.1} height=16 fill=\"{color}\"><title>{}</title></rect><text x=726 y={} font-size=12>{p:.1}%</text>",
            y + 13,
            esc(name),
            esc(tip),
            y + 13
        );
    }
    let _ = writeln!(o, "</svg>");
}

fn duration(run: &Run) -> String {
    let (Some(Ok(end)), Ok(start)) = (
        run.finished_at
            .as_deref()
            .map(str::parse::<jiff::Timestamp>),
        run.started_at.parse::<jiff::Timestamp>(),
    ) else {
        return "—".into();
    };
    let s = (end.as_millisecond() - start.as_millisecond()) as f64 / 1000.0;
    if s < 90.0 {
        format!("{s:.1} s")
    } else {
        format!("{:.1} min", s / 60.0)
    }
}

/// Renders the whole page.
pub fn render(r: &Report) -> String {
    let a = r.audit;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width\"><title>crm2twenty migration report — {}</title><style>{STYLE}{EXTRA_STYLE}</style></head><body>",
        esc(&a.source)
    );
    let _ = writeln!(o, "<h1>Migration of the {} export</h1>", esc(&a.source));
    let _ = writeln!(
        o,
        "<p>Report made {}{}. Staleness measured from {} (no activity since {}).</p>",
        esc(&r.generated_at),
        r.workspace
            .as_deref()
            .map(|w| format!(" for the workspace at <code>{}</code>", esc(w)))
            .unwrap_or_default(),
        esc(&a.as_of),
        esc(&a.stale_before)
    );

    // Headline cards.
    let t = &a.totals;
    let _ = writeln!(o, "<div class=cards>");
    for (label, n) in [
        ("rows read", t.read),
        ("to import", t.imported),
        ("merged", t.merged),
        ("skipped", t.skipped),
        ("rejected", t.rejected),
    ] {
        let _ = writeln!(o, "<div class=card><b>{n}</b>{label}</div>");
    }
    if let Some(v) = r.verification {
        let _ = writeln!(
            o,
            "<div class=\"card {}\"><b>{}</b>verification ({} checks)</div>",
            if v.passed { "pass" } else { "fail" },
            if v.passed { "passed" } else { "FAILED" },
            v.verdicts.len()
        );
    }
    let _ = writeln!(o, "</div>");

    // 1. The exports.
    let _ = writeln!(o, "<h2>1. What the exports hold</h2>");
    let _ = writeln!(
        o,
        "<p>Every row is accounted for: imported, merged into another, skipped by a named rule, or rejected with its file and line (ledger {}).</p>",
        if t.balanced {
            "<span class=ok>balanced</span>"
        } else {
            "<span class=bad>NOT balanced</span>"
        }
    );
    object_chart(&mut o, a);
    let _ = writeln!(
        o,
        "<table class=sort><tr><th>object</th><th>read</th><th>kept</th><th>merged</th><th>skipped (rule)</th><th>rejected</th></tr>"
    );
    for (obj, c) in &a.objects {
        let skipped: Vec<String> = c.skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td><td class=n>{}</td></tr>",
            esc(obj),
            c.read,
            c.kept,
            c.merged,
            esc(&skipped.join(", ")),
            c.rejected
        );
    }
    let _ = writeln!(o, "</table>");
    let _ = writeln!(
        o,
        "<table><tr><th>finding</th><th>count</th></tr>\
         <tr><td>duplicate clusters merged</td><td class=n>{}</td></tr>\
         <tr><td>test records</td><td class=n>{}</td></tr>\
         <tr><td>stale records</td><td class=n>{}</td></tr>\
         <tr><td>references to records not in the export</td><td class=n>{}</td></tr>\
         <tr><td>owners who are not workspace members</td><td class=n>{}</td></tr>\
         <tr><td>unused columns</td><td class=n>{}</td></tr></table>\
         <p>The details (every record, with its file and line) are in <code>audit.html</code>.</p>",
        a.duplicates.len(),
        a.test_data.len(),
        a.stale.len(),
        a.dangling_references.len(),
        a.unknown_owners.len(),
        a.unused_columns.len()
    );
    if !a.duplicates.is_empty() {
        let _ = writeln!(
            o,
            "<h3>Duplicates merged ({})</h3><details><summary>Show</summary><table class=sort><tr><th>object</th><th>kept</th><th>merged into it</th></tr>",
            a.duplicates.len()
        );
        for c in a.duplicates.iter().take(500) {
            let merged: Vec<String> = c
                .merged
                .iter()
                .map(|m| format!("{} ({}, {})", esc(&m.name), esc(&m.at), esc(&m.detail)))
                .collect();
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{} <code>{}</code></td><td>{}</td></tr>",
                esc(&c.object),
                esc(&c.survivor.name),
                esc(&c.survivor.at),
                merged.join("<br>")
            );
        }
        let _ = writeln!(o, "</table></details>");
    }
    for (title, list) in [
        ("Rows rejected", &a.rejected),
        ("Skipped as test data", &a.test_data),
        ("Skipped as stale", &a.stale),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(o, "<h3>{title} ({})</h3>", list.len());
        places(&mut o, list, 500);
    }
    if !a.custom_fields.is_empty() {
        let _ = writeln!(
            o,
            "<h3>Custom fields the import writes</h3><table><tr><th>field</th><th>type</th></tr>"
        );
        for (f, ty) in &a.custom_fields {
            let _ = writeln!(o, "<tr><td>{}</td><td>{}</td></tr>", esc(f), esc(ty));
        }
        let _ = writeln!(o, "</table>");
    }

    // 2. The import.
    let _ = writeln!(o, "<h2>2. What was written to Twenty</h2>");
    match r.import {
        None => {
            let _ = writeln!(
                o,
                "<p>No import through the API yet: the Twenty-ready CSV files are next to this report.</p>"
            );
        }
        Some(f) => {
            let _ = writeln!(
                o,
                "<table class=sort><tr><th>object</th><th>created</th><th>updated</th><th>refused by the server</th><th>undone by rollback</th></tr>"
            );
            for (obj, c) in &f.objects {
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                    esc(obj),
                    c.created,
                    c.updated,
                    c.refused,
                    c.undone
                );
            }
            let _ = writeln!(o, "</table>");
            if !f.changes.is_empty() {
                let _ = writeln!(
                    o,
                    "<h3>Created in the workspace before the import ({})</h3><details><summary>Show</summary><table><tr><th>when</th><th>what</th></tr>",
                    f.changes.len()
                );
                for c in &f.changes {
                    let _ = writeln!(
                        o,
                        "<tr><td>{}</td><td>{}</td></tr>",
                        esc(&c.done_at),
                        esc(&c.what)
                    );
                }
                let _ = writeln!(o, "</table></details>");
            }
            let _ = writeln!(
                o,
                "<h3>Runs</h3><table class=sort><tr><th>run</th><th>started</th><th>took</th><th>status</th><th>tool</th></tr>"
            );
            for run in &f.runs {
                let status = match run.status {
                    RunStatus::Done => "<span class=ok>done</span>",
                    RunStatus::RolledBack => "rolled back",
                    RunStatus::Failed => "<span class=bad>failed (resumable)</span>",
                    RunStatus::Running => "<span class=bad>interrupted (resumable)</span>",
                    RunStatus::Interrupted => {
                        "<span class=bad>stopped by the user (resumable)</span>"
                    }
                };
                let _ = writeln!(
                    o,
                    "<tr><td class=n>{}</td><td>{}</td><td>{}</td><td>{status}</td><td>{}</td></tr>",
                    run.id,
                    esc(&run.started_at),
                    duration(run),
                    esc(&run.tool_version)
                );
            }
            let _ = writeln!(o, "</table>");
            if !f.refused.is_empty() {
                let _ = writeln!(
                    o,
                    "<h3>Refused by the server ({})</h3><table><tr><th>where</th><th>object</th><th>message</th></tr>",
                    f.refused.len()
                );
                for (file, line, obj, msg) in &f.refused {
                    let _ = writeln!(
                        o,
                        "<tr><td><code>{}:{line}</code></td><td>{}</td><td>{}</td></tr>",
                        esc(file),
                        esc(obj),
                        esc(msg)
                    );
                }
                let _ = writeln!(o, "</table>");
            }
        }
    }

    // 3. The verification.
    let _ = writeln!(o, "<h2>3. Verification</h2>");
    match r.verification {
        None => {
            let _ = writeln!(
                o,
                "<p>Not verified yet: run <code>crm2twenty verify</code> after the import.</p>"
            );
        }
        Some(v) => verification(&mut o, v),
    }
    let _ = writeln!(o, "<script>{SCRIPT}</script></body></html>");
    o
}

fn verification(o: &mut String, v: &Verification) {
    let _ = writeln!(
        o,
        "<table class=sort><tr><th>check</th><th>value</th><th>threshold</th><th>result</th></tr>"
    );
    for x in &v.verdicts {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=n>{:.1}{}</td><td class=n>{}</td><td>{}</td></tr>",
            esc(&x.check),
            x.value,
            if x.check == "duplicates" { "" } else { "%" },
            x.threshold,
            if x.pass {
                "<span class=ok>pass</span>"
            } else {
                "<span class=bad>FAIL</span>"
            }
        );
    }
    let _ = writeln!(o, "</table><h3>Records: expected → found</h3>");
    let _ = writeln!(
        o,
        "<table class=sort><tr><th>object</th><th>read</th><th>merged</th><th>skipped</th><th>rejected</th><th>refused</th><th>expected</th><th>found</th><th>in workspace</th></tr>"
    );
    for (name, c) in &v.objects {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(name),
            c.read,
            c.merged,
            c.skipped.values().sum::<u64>(),
            c.rejected,
            c.refused,
            c.expected,
            c.found,
            c.in_workspace
        );
    }
    let _ = writeln!(o, "</table>");
    for (name, c) in &v.objects {
        if !c.missing.is_empty() {
            let _ = writeln!(o, "<p class=bad>Missing {}:</p>", esc(name));
            places(o, &c.missing, 200);
        }
    }
    let _ = writeln!(o, "<h3>Links and assignments</h3>");
    let bars: Vec<(String, f64, String)> = v
        .links
        .iter()
        .map(|l| {
            (
                format!(
                    "{}{}.{}",
                    if l.kind == LinkKind::Assignment {
                        "owner: "
                    } else {
                        ""
                    },
                    l.object,
                    l.field
                ),
                pct(l.accounted(), l.expected),
                if l.left_empty > 0 {
                    format!(
                        "{} of {} ({} left empty: not workspace members)",
                        l.accounted(),
                        l.expected,
                        l.left_empty
                    )
                } else {
                    format!("{} of {}", l.accounted(), l.expected)
                },
            )
        })
        .collect();
    percent_bars(o, "link coverage", &bars);
    for l in v.links.iter().filter(|l| !l.wrong.is_empty()) {
        let _ = writeln!(o, "<p class=bad>{}.{}:</p>", esc(&l.object), esc(&l.field));
        places(o, &l.wrong, 200);
    }
    let _ = writeln!(
        o,
        "<h3>Fields: filled in the source → filled in Twenty</h3><table class=sort><tr><th>field</th><th>custom</th><th>source</th><th>Twenty</th><th>values kept</th></tr>"
    );
    for f in &v.fields {
        let _ = writeln!(
            o,
            "<tr><td>{}.{}</td><td>{}</td><td class=n>{:.1}%</td><td class=n>{:.1}%</td><td class=n>{} / {}</td></tr>",
            esc(&f.object),
            esc(&f.field),
            if f.custom { "yes" } else { "" },
            pct(f.source_filled, f.records),
            pct(f.twenty_filled, f.records),
            f.kept,
            f.source_filled
        );
    }
    let _ = writeln!(o, "</table>");
    let bars: Vec<(String, f64, String)> = v
        .fields
        .iter()
        .filter(|f| f.custom)
        .map(|f| {
            (
                format!("{}.{}", f.object, f.field),
                pct(f.kept, f.source_filled),
                format!("{} of {} values kept", f.kept, f.source_filled),
            )
        })
        .collect();
    percent_bars(o, "custom field values kept", &bars);
    let _ = writeln!(
        o,
        "<h3>Duplicates in the workspace ({})</h3>",
        v.duplicates.len()
    );
    for d in &v.duplicates {
        let _ = writeln!(
            o,
            "<p{}>{} sharing {} <code>{}</code>{}</p>",
            if d.counted { " class=bad" } else { "" },
            esc(&d.object),
            esc(&d.by),
            esc(&d.key),
            if !d.involves_import {
                " (all there before the import)"
            } else if !d.counted {
                " (different records in the export too: kept apart by their keys)"
            } else {
                ""
            }
        );
        places(o, &d.records, 50);
    }
    let s = &v.sample;
    let _ = writeln!(
        o,
        "<h3>Sample (seed {})</h3><p>{} of {} records equal to the cleaned source in every field.</p>",
        s.seed, s.equal, s.compared
    );
    if !s.differences.is_empty() {
        let _ = writeln!(
            o,
            "<table class=sort><tr><th>where</th><th>field</th><th>source</th><th>Twenty</th><th>note</th></tr>"
        );
        for d in &s.differences {
            let _ = writeln!(
                o,
                "<tr><td><code>{}</code></td><td>{}.{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                esc(&d.at),
                esc(&d.object),
                esc(&d.field),
                esc(&d.expected.to_string()),
                esc(&d.found.to_string()),
                esc(d.explained.as_deref().unwrap_or("difference"))
            );
        }
        let _ = writeln!(o, "</table>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(start: &str, end: Option<&str>) -> Run {
        Run {
            id: 1,
            started_at: start.into(),
            finished_at: end.map(str::to_string),
            status: RunStatus::Done,
            tool_version: "0".into(),
            workspace_url: String::new(),
            mapping_hash: String::new(),
        }
    }

    #[test]
    fn durations_come_from_the_state_store_timestamps() {
        assert_eq!(
            duration(&run(
                "2026-11-24T21:31:09.500Z",
                Some("2026-11-24T21:31:20.000Z")
            )),
            "10.5 s"
        );
        assert_eq!(
            duration(&run("2026-11-24T21:31:00Z", Some("2026-11-24T23:31:00Z"))),
            "120.0 min"
        );
        assert_eq!(duration(&run("2026-11-24T21:31:00Z", None)), "—");
    }
}
