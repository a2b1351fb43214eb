//! The migration report: one self-contained HTML page a person can send to their team — what
//! was found in the exports (the audit), what was kept, merged, skipped and rejected and why,
//! what the import wrote to the workspace and how long it took, the rollbacks, and the
//! verification — with bar charts where a picture says it better than a table.
//!
//! Failures and warnings come first and open, with a table of contents at the top; what passed
//! is folded with a line that says it; codes are shown as words (`c2t_pipeline::words`). It reads
//! on a 420 px phone screen: wide tables scroll inside their own wrapper, charts are HTML bars,
//! long values wrap.
//!
//! No network: inline CSS and one small inline script (sortable tables, opening the section a
//! link of the contents leads to). Every value from the CRM or the server is HTML-escaped. The
//! page marks itself ready
//! (`<html data-ready="1">`) once its script ran, so a headless browser test can tell that it
//! displayed without script errors.

use c2t_import::verify::{LinkKind, Verification, pct};
use c2t_pipeline::audit::Audit;
use c2t_pipeline::audit::Place;
use c2t_pipeline::html::{
    STYLE, Section, Status, bar_row, count, duplicates_table, esc, is_lookup_object, object_chart,
    objects_table, order, owners_summary, table_end, table_start, toc, worded, write_sections,
};
use c2t_pipeline::words::object_plural;
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
    /// `audit.html` is in the same folder: the page links to it.
    pub audit_beside: bool,
    /// The command that reads the workspace back and adds the verification to this page, said
    /// when the page has none (`crm2twenty verify ./export --mapping m.toml --out out`).
    pub verify_command: Option<String>,
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
        rows.forEach(function (r) { r.parentNode.appendChild(r); });
      });
    });
  });
  // A link of the contents opens the folded section it leads to.
  function reveal() {
    var t = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!t) return;
    for (var e = t; e; e = e.parentElement) { if (e.tagName === 'DETAILS') e.open = true; }
    var d = t.querySelector('details');
    if (d) d.open = true;
  }
  window.addEventListener('hashchange', reveal);
  reveal();
  document.documentElement.dataset.ready = '1';
})();
"#;

const EXTRA_STYLE: &str = ".cards{display:flex;gap:.6rem;flex-wrap:wrap;margin:1rem 0}.card{border:1px solid #dde;border-radius:6px;padding:.5rem .9rem;min-width:7.5rem;flex:1 1 7.5rem}\
.card b{display:block;font-size:1.4rem}.card.pass{background:#ebfbee}.card.fail{background:#fff5f5}.card.warn{background:#fff9db}\
.cmd{display:block;white-space:pre-wrap;overflow-wrap:anywhere;padding:.4rem .6rem;margin:.4rem 0}";

fn places(o: &mut dyn Write, list: &[Place], limit: usize) {
    if list.is_empty() {
        return;
    }
    table_start(o, "sort", &["where", "record", "detail"]);
    for p in list.iter().take(limit) {
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td class=v>{}</td><td class=v>{}</td></tr>",
            esc(&p.at),
            esc(&p.name),
            esc(&p.detail)
        );
    }
    if list.len() > limit {
        let _ = writeln!(
            o,
            "<tr><td colspan=3>… and {} more (audit.json and verify.json hold them all)</td></tr>",
            list.len() - limit
        );
    }
    table_end(o);
}

/// A folded list (`<details>`), open when `open`.
fn folded(o: &mut dyn Write, title: &str, open: bool, body: impl FnOnce(&mut dyn Write)) {
    let _ = writeln!(
        o,
        "<details{}><summary><b>{title}</b></summary>",
        if open { " open" } else { "" }
    );
    body(o);
    let _ = writeln!(o, "</details>");
}

/// Bars of percentages: (label, percent, tooltip); green when whole, red otherwise.
fn percent_bars(o: &mut dyn Write, label: &str, bars: &[(String, f64, String)]) {
    if bars.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<div class=chart role=img aria-label=\"{}\">",
        esc(label)
    );
    for (name, p, tip) in bars {
        let color = if *p >= 99.999 { "#2f9e44" } else { "#e03131" };
        bar_row(
            o,
            &esc(name),
            &format!("{p:.1}% — {}", esc(tip)),
            100.0,
            &[(*p, color, tip.clone())],
        );
    }
    let _ = writeln!(o, "</div>");
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
    let mut page = String::new();
    let o: &mut dyn Write = &mut page;
    let _ = writeln!(
        o,
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\"><title>crm2twenty migration report — {}</title><style>{STYLE}{EXTRA_STYLE}</style></head><body>",
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
    if r.audit_beside {
        let _ = writeln!(
            o,
            "<p>Every record the audit found, with its file and line: <a href=\"audit.html\">audit.html</a>, in this folder.</p>"
        );
    }

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
    match r.verification {
        Some(v) => {
            let _ = writeln!(
                o,
                "<div class=\"card {}\"><b>{}</b>verification ({} checks)</div>",
                if v.passed { "pass" } else { "fail" },
                if v.passed { "passed" } else { "FAILED" },
                v.verdicts.len()
            );
        }
        None if r.import.is_some_and(|f| !f.runs.is_empty()) => {
            let _ = writeln!(
                o,
                "<div class=\"card warn\"><b>not yet</b>verification</div>"
            );
        }
        None => {}
    }
    let _ = writeln!(o, "</div>");

    let mut sections = vec![
        verification_section(r),
        import_section(r),
        exports_section(r),
    ];
    if let Some(s) = owners_section(r) {
        sections.push(s);
    }
    order(&mut sections);
    toc(o, &[], &sections);
    write_sections(o, &sections);
    let _ = writeln!(o, "<script>{SCRIPT}</script></body></html>");
    page
}

fn verification_section<'a>(r: &'a Report) -> Section<'a> {
    let Some(v) = r.verification else {
        let command = r.verify_command.clone().unwrap_or_else(|| {
            "crm2twenty verify EXPORT_FOLDER --mapping crm2twenty.toml --out THIS_FOLDER".into()
        });
        let imported = r.import.is_some_and(|f| !f.runs.is_empty());
        let (status, summary) = if imported {
            (
                Status::Warn,
                "Not verified yet: the workspace has not been read back since the import.",
            )
        } else {
            (
                Status::Info,
                "Not verified yet: nothing was imported through the API.",
            )
        };
        return Section::new(
            "verification",
            "Verification",
            status,
            summary.into(),
            move |o| {
                let _ = writeln!(
                    o,
                    "<p>Nothing has checked yet that the workspace holds what the export says (records, links, owners, custom fields, duplicates, a sample compared field by field). {}To read the workspace back and add the verification to this page, run, with <code>TWENTY_API_URL</code> and <code>TWENTY_API_KEY</code> set as for the import:</p><code class=cmd>{}</code><p>It rewrites this page with the results, and writes <code>verify.json</code> beside it.</p>",
                    if !imported {
                        "Import first (<code>crm2twenty import</code>, or <code>crm2twenty migrate</code> with a workspace), then verify. "
                    } else {
                        ""
                    },
                    esc(&command)
                );
            },
        );
    };
    let failed: Vec<&c2t_import::verify::Verdict> = v.verdicts.iter().filter(|x| !x.pass).collect();
    let summary = if failed.is_empty() {
        format!("All {} checks passed.", v.verdicts.len())
    } else {
        let names: Vec<String> = failed
            .iter()
            .take(3)
            .map(|x| esc(&c2t_pipeline::words::check(&x.check)))
            .collect();
        format!(
            "{} of {} checks failed: {}{}.",
            failed.len(),
            v.verdicts.len(),
            names.join("; "),
            if failed.len() > 3 {
                format!(" and {} more", failed.len() - 3)
            } else {
                String::new()
            }
        )
    };
    Section::new(
        "verification",
        "Verification",
        if v.passed { Status::Pass } else { Status::Fail },
        summary,
        move |o| verification(o, v),
    )
}

fn import_section<'a>(r: &'a Report) -> Section<'a> {
    let Some(f) = r.import else {
        return Section::new(
            "import",
            "What was written to Twenty",
            Status::Info,
            "No import through the API yet.".into(),
            |o| {
                let _ = writeln!(
                    o,
                    "<p>No import through the API yet: import the Twenty-ready CSV files (written by <code>crm2twenty migrate</code> or <code>export</code>) in Twenty, or run <code>crm2twenty import</code>.</p>"
                );
            },
        );
    };
    if f.runs.is_empty() {
        return Section::new(
            "import",
            "What was written to Twenty",
            Status::Info,
            "No import run yet.".into(),
            move |o| {
                let _ = writeln!(
                    o,
                    "<p>No import run yet: <code>crm2twenty import</code> writes the records.</p>"
                );
                changes(o, f);
            },
        );
    }
    let created: u64 = f.objects.values().map(|c| c.created).sum();
    let updated: u64 = f.objects.values().map(|c| c.updated).sum();
    let refused = f.refused.len() as u64;
    let unfinished = f
        .runs
        .iter()
        .rev()
        .find(|r| r.status != RunStatus::RolledBack)
        .is_some_and(|r| {
            matches!(
                r.status,
                RunStatus::Failed | RunStatus::Running | RunStatus::Interrupted
            )
        });
    let status = if refused > 0 {
        Status::Fail
    } else if unfinished {
        Status::Warn
    } else {
        Status::Pass
    };
    let mut summary = format!(
        "{} created and {} updated in {}",
        created,
        updated,
        count(f.runs.len() as u64, "run", "runs")
    );
    if refused > 0 {
        summary.push_str(&format!(
            "; {} refused by the server",
            count(refused, "record", "records")
        ));
    }
    if unfinished {
        summary.push_str("; the last run did not finish (run the same import again to resume it)");
    }
    summary.push('.');
    Section::new(
        "import",
        "What was written to Twenty",
        status,
        summary,
        move |o| {
            table_start(
                o,
                "sort",
                &[
                    "object",
                    "created",
                    "updated",
                    "refused by the server",
                    "undone by rollback",
                ],
            );
            for (obj, c) in &f.objects {
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                    esc(&object_plural(obj)),
                    c.created,
                    c.updated,
                    c.refused,
                    c.undone
                );
            }
            table_end(o);
            if !f.refused.is_empty() {
                folded(
                    o,
                    &format!("Refused by the server ({})", f.refused.len()),
                    true,
                    |o| {
                        table_start(o, "", &["where", "object", "message"]);
                        for (file, line, obj, msg) in &f.refused {
                            let _ = writeln!(
                                o,
                                "<tr><td><code>{}:{line}</code></td><td>{}</td><td class=v>{}</td></tr>",
                                esc(file),
                                esc(obj),
                                esc(msg)
                            );
                        }
                        table_end(o);
                    },
                );
            }
            folded(o, &format!("Runs ({})", f.runs.len()), unfinished, |o| {
                table_start(o, "sort", &["run", "started", "took", "status", "tool"]);
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
                table_end(o);
            });
            changes(o, f);
        },
    )
}

/// What `check --apply` created in the workspace, folded.
fn changes(o: &mut dyn Write, f: &ImportFacts) {
    if f.changes.is_empty() {
        return;
    }
    folded(
        o,
        &format!(
            "Created in the workspace before the import ({})",
            f.changes.len()
        ),
        false,
        |o| {
            table_start(o, "", &["when", "what"]);
            for c in &f.changes {
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    esc(&c.done_at),
                    esc(&c.what)
                );
            }
            table_end(o);
        },
    );
}

fn exports_section<'a>(r: &'a Report) -> Section<'a> {
    let a = r.audit;
    let t = &a.totals;
    let status = if !t.balanced {
        Status::Fail
    } else if t.rejected > 0 {
        Status::Warn
    } else {
        Status::Pass
    };
    let summary = format!(
        "{} read: {} to import, {} merged into others, {} skipped, {} rejected{}.",
        count(t.read, "row", "rows"),
        t.imported,
        t.merged,
        t.skipped,
        t.rejected,
        if t.balanced {
            ""
        } else {
            " (the ledger does NOT balance: a bug, please report it)"
        }
    );
    Section::new(
        "exports",
        "What the exports hold",
        status,
        summary,
        move |o| {
            let _ = writeln!(
                o,
                "<p>Every row is accounted for: imported, merged into another, skipped by a named rule, or rejected with its file and line (ledger {}).</p>",
                if t.balanced {
                    "<span class=ok>balanced</span>"
                } else {
                    "<span class=bad>NOT balanced</span>"
                }
            );
            object_chart(o, a);
            objects_table(o, a, false);
            table_start(o, "", &["finding", "count"]);
            for (what, n) in [
                ("duplicate groups merged", a.duplicates.len()),
                ("test records skipped", a.test_data.len()),
                ("stale records skipped", a.stale.len()),
                (
                    "references to records not in the export",
                    a.dangling_references.len(),
                ),
                (
                    "owners who are not workspace members",
                    a.unknown_owners.len(),
                ),
                ("columns with no value", a.unused_columns.len()),
            ] {
                let _ = writeln!(o, "<tr><td>{what}</td><td class=n>{n}</td></tr>");
            }
            table_end(o);
            if r.audit_beside {
                let _ = writeln!(
                    o,
                    "<p>The details (every record, with its file and line) are in <a href=\"audit.html\">audit.html</a>.</p>"
                );
            } else {
                let _ = writeln!(
                    o,
                    "<p>The details (every record, with its file and line) are in <code>audit.html</code> (<code>crm2twenty audit</code> writes it).</p>"
                );
            }
            if !a.rejected.is_empty() {
                folded(
                    o,
                    &format!("Rows rejected ({})", a.rejected.len()),
                    true,
                    |o| places(o, &a.rejected, 500),
                );
            }
            if !a.duplicates.is_empty() {
                folded(
                    o,
                    &format!("Duplicates merged ({})", a.duplicates.len()),
                    false,
                    |o| duplicates_table(o, a, 500),
                );
            }
            for (title, list) in [
                ("Skipped as test data", &a.test_data),
                ("Skipped as stale", &a.stale),
            ] {
                if !list.is_empty() {
                    folded(o, &format!("{title} ({})", list.len()), false, |o| {
                        places(o, list, 500)
                    });
                }
            }
            if !a.custom_fields.is_empty() {
                folded(
                    o,
                    &format!(
                        "Custom fields the import writes ({})",
                        a.custom_fields.len()
                    ),
                    false,
                    |o| {
                        table_start(o, "", &["field", "type"]);
                        for (f, ty) in &a.custom_fields {
                            let _ =
                                writeln!(o, "<tr><td>{}</td><td>{}</td></tr>", esc(f), worded(ty));
                        }
                        table_end(o);
                    },
                );
            }
        },
    )
}

/// Owners are matched to workspace members (looked up, never imported): how many the records
/// name, how many matched, and who did not.
fn owners_section<'a>(r: &'a Report) -> Option<Section<'a>> {
    let a = r.audit;
    let summary = owners_summary(a)?;
    let assignments: Vec<&c2t_import::verify::LinkCheck> = r
        .verification
        .map(|v| {
            v.links
                .iter()
                .filter(|l| l.kind == LinkKind::Assignment)
                .collect()
        })
        .unwrap_or_default();
    let status = if a.unknown_owners.is_empty() {
        Status::Pass
    } else {
        Status::Warn
    };
    Some(Section::new(
        "owners",
        "Owners and workspace members",
        status,
        esc(&summary),
        move |o| {
            let _ = writeln!(
                o,
                "<p>Owners and assignees are matched to the workspace's members (by name, then email). Members are the people invited to the Twenty workspace: they are looked up, never imported, so the users of the export are not counted as rows kept. {} of {} owner fields of the records kept matched a member.</p>",
                a.links.owners_resolved, a.links.owner_references
            );
            let bars: Vec<(String, f64, String)> = assignments
                .iter()
                .map(|l| {
                    (
                        link_label(l),
                        pct(l.accounted(), l.expected),
                        if l.left_empty > 0 {
                            format!(
                                "{} of {} set in Twenty ({} left empty: not workspace members)",
                                l.accounted(),
                                l.expected,
                                l.left_empty
                            )
                        } else {
                            format!("{} of {} set in Twenty", l.accounted(), l.expected)
                        },
                    )
                })
                .collect();
            percent_bars(o, "owners set in Twenty", &bars);
            if !a.unknown_owners.is_empty() {
                folded(
                    o,
                    &format!(
                        "Owners matching no workspace member ({}): those fields stay empty; invite them first to keep them",
                        a.unknown_owners.len()
                    ),
                    true,
                    |o| places(o, &a.unknown_owners, 500),
                );
            }
        },
    ))
}

/// A relation check as words: `people → company`, `companies: accountOwner (owner)`.
fn link_label(l: &c2t_import::verify::LinkCheck) -> String {
    let plural = object_plural(&l.object);
    match l.kind {
        LinkKind::Assignment => format!("{plural}: {} (owner)", l.field),
        LinkKind::Target => format!("{plural} attached to their records"),
        LinkKind::Relation => format!("{plural} → {}", l.field),
    }
}

fn verdict_rows(o: &mut dyn Write, list: &[&c2t_import::verify::Verdict]) {
    table_start(o, "sort", &["check", "value", "threshold", "result"]);
    for x in list {
        let unit = if x.check == "duplicates" { "" } else { "%" };
        let _ = writeln!(
            o,
            "<tr><td><span title=\"{}\">{}</span></td><td class=n>{:.1}{unit}</td><td class=n>{}{}</td><td>{}</td></tr>",
            esc(&x.check),
            esc(&c2t_pipeline::words::check(&x.check)),
            x.value,
            if x.check == "duplicates" {
                "at most "
            } else {
                ""
            },
            x.threshold,
            if x.pass {
                "<span class=ok>pass</span>"
            } else {
                "<span class=bad>FAIL</span>"
            }
        );
    }
    table_end(o);
}

fn verification(o: &mut dyn Write, v: &Verification) {
    let failed: Vec<&c2t_import::verify::Verdict> = v.verdicts.iter().filter(|x| !x.pass).collect();
    let passed: Vec<&c2t_import::verify::Verdict> = v.verdicts.iter().filter(|x| x.pass).collect();
    if !failed.is_empty() {
        let _ = writeln!(o, "<h3 class=bad>Failed ({})</h3>", failed.len());
        verdict_rows(o, &failed);
    }
    if !passed.is_empty() {
        folded(
            o,
            &format!("{} passed", count(passed.len() as u64, "check", "checks")),
            false,
            |o| verdict_rows(o, &passed),
        );
    }
    let fails = |prefix: &str| {
        v.verdicts
            .iter()
            .any(|x| !x.pass && (x.check == prefix || x.check.starts_with(&format!("{prefix}."))))
    };
    // The details, those of failed checks first and open.
    let mut parts: Vec<(bool, c2t_pipeline::html::Body)> = Vec::new();
    let records_fail = fails("records");
    parts.push((
        records_fail,
        Box::new(move |o| {
            folded(o, "Records: expected → found", records_fail, |o| {
                table_start(
                    o,
                    "sort",
                    &[
                        "object",
                        "read",
                        "merged",
                        "skipped",
                        "rejected",
                        "refused",
                        "expected",
                        "found",
                        "in workspace",
                    ],
                );
                // Users read to match owners are not records to find: the owners say them.
                for (name, c) in v.objects.iter().filter(|(n, _)| !is_lookup_object(n)) {
                    let _ = writeln!(
                        o,
                        "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                        esc(&object_plural(name)),
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
                table_end(o);
                for (name, c) in &v.objects {
                    if !c.missing.is_empty() {
                        let _ = writeln!(
                            o,
                            "<p class=bad>{} missing in Twenty:</p>",
                            esc(&object_plural(name))
                        );
                        places(o, &c.missing, 200);
                    }
                }
            });
        }),
    ));
    let links_fail = fails("links") || fails("assignments");
    parts.push((
        links_fail,
        Box::new(move |o| {
            folded(o, "Links and owners", links_fail, |o| {
                let bars: Vec<(String, f64, String)> = v
                    .links
                    .iter()
                    .map(|l| {
                        (
                            link_label(l),
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
                    let _ = writeln!(o, "<p class=bad>{}:</p>", esc(&link_label(l)));
                    places(o, &l.wrong, 200);
                }
            });
        }),
    ));
    let fields_fail = fails("custom_fields");
    parts.push((
        fields_fail,
        Box::new(move |o| {
            folded(
                o,
                "Fields: filled in the source → filled in Twenty",
                fields_fail,
                |o| {
                    table_start(
                        o,
                        "sort",
                        &["field", "custom", "source", "Twenty", "values kept"],
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
                    table_end(o);
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
                },
            );
        }),
    ));
    let dup_fail = fails("duplicates");
    parts.push((
        dup_fail,
        Box::new(move |o| {
            folded(
                o,
                &format!("Duplicates in the workspace ({})", v.duplicates.len()),
                dup_fail,
                |o| {
                    if v.duplicates.is_empty() {
                        let _ = writeln!(o, "<p class=ok>None.</p>");
                    }
                    for d in &v.duplicates {
                        let _ = writeln!(
                            o,
                            "<p{}>{} sharing {} <code>{}</code>{}</p>",
                            if d.counted { " class=bad" } else { "" },
                            esc(&object_plural(&d.object)),
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
                },
            );
        }),
    ));
    let s = &v.sample;
    let sample_fail = fails("sample");
    parts.push((
        sample_fail,
        Box::new(move |o| {
            folded(
                o,
                &format!(
                    "Sample (seed {}): {} of {} records equal to the cleaned source in every field",
                    s.seed, s.equal, s.compared
                ),
                sample_fail,
                |o| {
                    if s.differences.is_empty() {
                        let _ = writeln!(o, "<p class=ok>No difference.</p>");
                        return;
                    }
                    table_start(o, "sort", &["where", "field", "source", "Twenty", "note"]);
                    for d in &s.differences {
                        let _ = writeln!(
                            o,
                            "<tr><td><code>{}</code></td><td>{}.{}</td><td class=v><code>{}</code></td><td class=v><code>{}</code></td><td>{}</td></tr>",
                            esc(&d.at),
                            esc(&d.object),
                            esc(&d.field),
                            esc(&d.expected.to_string()),
                            esc(&d.found.to_string()),
                            esc(d.explained.as_deref().unwrap_or("difference"))
                        );
                    }
                    table_end(o);
                },
            );
        }),
    ));
    parts.sort_by_key(|(fail, _)| !*fail);
    for (_, part) in &parts {
        part(o);
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

    /// An export of 12 companies (one deleted in the source) and 5 users read to find owners,
    /// one of whom is not a member.
    fn audit() -> Audit {
        use c2t_pipeline::audit::{LinkCoverage, ObjectCounts, Totals};
        let mut objects = BTreeMap::new();
        objects.insert(
            "company".to_string(),
            ObjectCounts {
                read: 12,
                kept: 11,
                skipped: [("deleted_in_source".to_string(), 1)].into(),
                ..ObjectCounts::default()
            },
        );
        objects.insert(
            "workspaceMember".to_string(),
            ObjectCounts {
                read: 5,
                skipped: [("lookup_only".to_string(), 5)].into(),
                ..ObjectCounts::default()
            },
        );
        Audit {
            source: "salesforce <b>".into(),
            as_of: "2026-11-24".into(),
            stale_before: "2024-11-24".into(),
            totals: Totals {
                read: 17,
                imported: 11,
                merged: 0,
                skipped: 6,
                rejected: 0,
                balanced: true,
            },
            objects,
            files: vec![],
            duplicates: vec![],
            test_data: vec![],
            stale: vec![],
            dangling_references: vec![],
            ambiguous_references: vec![],
            unknown_owners: vec![Place {
                at: "Account.csv:3".into(),
                name: "OwnerId".into(),
                detail: "Tom Weller is not a workspace member".into(),
            }],
            free_mail: 0,
            repaired: vec![],
            rejected: vec![],
            links: LinkCoverage {
                owner_references: 11,
                owners_resolved: 10,
                owners_named: 5,
                owners_matched: 4,
                ..LinkCoverage::default()
            },
            options_to_create: BTreeMap::new(),
            custom_fields: [("company.tier".to_string(), "SELECT".to_string())].into(),
            unused_columns: vec![],
            uncompared_name_blocks: vec![],
            possible_duplicates: vec![],
            unread_kept_in: String::new(),
            attachments: None,
        }
    }

    fn verification(pass: bool) -> Verification {
        use c2t_import::verify::{SampleCheck, Verdict};
        let verdict = |check: &str, value: f64, pass: bool| Verdict {
            check: check.into(),
            value,
            threshold: 100.0,
            pass,
        };
        Verification {
            objects: BTreeMap::new(),
            links: vec![],
            fields: vec![],
            duplicates: vec![],
            sample: SampleCheck::default(),
            contents: None,
            verdicts: vec![
                verdict("records.company", if pass { 100.0 } else { 90.9 }, pass),
                verdict("sample", 100.0, true),
            ],
            passed: pass,
            file_links: vec![],
        }
    }

    fn text(html: &str) -> String {
        let mut t = String::new();
        let mut tag = false;
        for c in html.chars() {
            match c {
                '<' => tag = true,
                '>' => {
                    tag = false;
                    t.push(' ');
                }
                c if !tag => t.push(c),
                _ => {}
            }
        }
        t.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn page(v: Option<&Verification>, import: Option<&ImportFacts>) -> String {
        render(&Report {
            generated_at: "2026-11-24T10:00:00Z".into(),
            audit: &audit(),
            workspace: Some("https://crm.example.com".into()),
            import,
            verification: v,
            audit_beside: true,
            verify_command: Some("crm2twenty verify ./export --out crm2twenty-out".into()),
        })
    }

    #[test]
    fn failures_come_first_and_open_passes_are_folded() {
        let v = verification(false);
        let html = page(Some(&v), None);
        let at = |id: &str| html.find(&format!("<section id=\"{id}\"")).unwrap();
        assert!(html.contains("<section id=\"verification\" class=\"sec fail\"><details open>"));
        assert!(at("verification") < at("owners") && at("owners") < at("import"));
        assert!(html.contains("<section id=\"exports\" class=\"sec pass\"><details><summary>"));
        assert!(html.contains("1 of 2 checks failed: companies found in Twenty."));
        assert!(html.contains("1 check passed</b></summary>"), "{html}");
        // The contents link every section, in the page's order.
        let toc = &html[html.find("<nav").unwrap()..html.find("</nav>").unwrap()];
        let ids: Vec<&str> = toc
            .split("href=\"#")
            .skip(1)
            .map(|l| &l[..l.find('"').unwrap()])
            .collect();
        assert_eq!(ids, ["verification", "owners", "import", "exports"]);
        // A passing verification is folded, after the owners to review.
        let v = verification(true);
        let html = page(Some(&v), None);
        assert!(
            html.contains("<section id=\"verification\" class=\"sec pass\"><details><summary>")
        );
        assert!(html.contains("All 2 checks passed."));
    }

    #[test]
    fn codes_are_words_and_users_are_not_rows_dropped() {
        let v = verification(false);
        let html = page(Some(&v), None);
        let t = text(&html);
        for code in [
            "deleted_in_source",
            "lookup_only",
            "records.company",
            "SELECT",
            "workspaceMember",
        ] {
            assert!(!t.contains(code), "`{code}` is shown: {t}");
        }
        assert!(t.contains("deleted in the source CRM (1)"), "{t}");
        assert!(
            html.contains("title=\"deleted_in_source\""),
            "the code stays searchable"
        );
        assert!(!t.contains("0 of 5") && !t.contains("0 / 5"), "{t}");
        assert!(t.contains(
            "5 owners referenced by the records, 4 matched a workspace member; 5 users read from the export"
        ));
        assert!(
            html.contains("Migration of the salesforce &lt;b&gt; export"),
            "escaped"
        );
        assert!(html.contains("<a href=\"audit.html\">"));
    }

    #[test]
    fn a_report_not_verified_says_how_to_verify() {
        let facts = ImportFacts {
            runs: vec![run("2026-11-24T21:31:00Z", Some("2026-11-24T21:32:00Z"))],
            ..ImportFacts::default()
        };
        let html = page(None, Some(&facts));
        assert!(html.contains("<section id=\"verification\" class=\"sec warn\"><details open>"));
        assert!(html.contains("Not verified yet"));
        assert!(
            html.contains("<code class=cmd>crm2twenty verify ./export --out crm2twenty-out</code>")
        );
        // Without an import, the verification is not something to do yet.
        let html = page(None, None);
        assert!(html.contains("<section id=\"verification\" class=\"sec info\"><details>"));
        assert!(html.contains("Import first"));
    }

    #[test]
    fn every_table_scrolls_in_its_wrapper() {
        let v = verification(false);
        let html = page(Some(&v), None);
        assert_eq!(
            html.matches("<table").count(),
            html.matches("<div class=tw><table").count()
        );
        assert!(!html.contains("<svg"), "charts are HTML bars");
    }
}
