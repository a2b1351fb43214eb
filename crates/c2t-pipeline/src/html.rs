//! The audit as one self-contained HTML page: inline CSS, inline SVG charts, no script and no
//! network. Every value that came from the CRM is HTML-escaped.

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

/// The style sheet of every crm2twenty page.
pub const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1d2433;padding:0 1rem}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #dde}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border-bottom:1px solid #eef;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#f5f6fa}td.n{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#17803d}.bad{color:#b42318}\
.legend span{display:inline-block;margin-right:1rem}.sw{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}\
details{margin:.3rem 0}code{background:#f5f6fa;padding:0 .2rem}";

const COLORS: [(&str, &str); 4] = [
    ("kept", "#2f9e44"),
    ("merged", "#1c7ed6"),
    ("skipped", "#f08c00"),
    ("rejected", "#e03131"),
];

fn places(o: &mut impl Write, title: &str, list: &[Place]) {
    let _ = writeln!(o, "<h2>{} ({})</h2>", esc(title), list.len());
    if list.is_empty() {
        let _ = writeln!(o, "<p class=ok>None.</p>");
        return;
    }
    let _ = writeln!(
        o,
        "<details{}><summary>Show</summary><table><tr><th>where</th><th>what</th><th>detail</th></tr>",
        if list.len() <= 20 { " open" } else { "" }
    );
    for p in list {
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&p.at),
            esc(&p.name),
            esc(&p.detail)
        );
    }
    let _ = writeln!(o, "</table></details>");
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
    let _ = writeln!(
        o,
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width\">"
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
    object_chart(o, a);
    let _ = writeln!(
        o,
        "<table><tr><th>object</th><th>read</th><th>kept</th><th>merged</th><th>skipped (rule)</th><th>rejected</th><th>created from names</th></tr>"
    );
    for (obj, c) in &a.objects {
        let skipped: Vec<String> = c.skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(obj),
            c.read,
            c.kept,
            c.merged,
            esc(&skipped.join(", ")),
            c.rejected,
            c.created
        );
    }
    let _ = writeln!(o, "</table>");
    let l = &a.links;
    let _ = writeln!(o, "<h2>Links</h2><table>");
    for (what, n, d) in [
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
        (
            "owner references resolved to a member",
            l.owners_resolved,
            l.owner_references,
        ),
    ] {
        let _ = writeln!(o, "<tr><td>{what}</td><td class=n>{n} / {d}</td></tr>");
    }
    let _ = writeln!(o, "</table>");
    // Files: fill rates.
    for f in &a.files {
        let _ = writeln!(
            o,
            "<h2>{} → {}</h2><p>{} rows, {}{}</p>",
            esc(&f.path),
            esc(&f.object),
            f.rows,
            esc(&f.encoding),
            f.delimiter
                .as_ref()
                .map(|d| format!(", delimiter <code>{}</code>", esc(d)))
                .unwrap_or_default()
        );
        if let Some(e) = &f.error {
            let _ = writeln!(o, "<p class=bad>Could not be read: {}</p>", esc(e));
            continue;
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
        let _ = writeln!(
            o,
            "<table><tr><th>column</th><th>fill rate</th><th></th><th>becomes</th><th>invalid values</th></tr>"
        );
        for c in &f.columns {
            let invalid: Vec<String> = c.invalid.iter().map(|(k, n)| format!("{n} {k}")).collect();
            let examples = if c.examples.is_empty() {
                String::new()
            } else {
                format!("<br><small>{}</small>", esc(&c.examples.join(" · ")))
            };
            let w = (c.fill_rate * 120.0).round();
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td class=n>{:.0}%</td><td><svg width=124 height=12><rect width=122 height=10 fill=\"#eef\"/><rect width={w} height=10 fill=\"{}\"/></svg></td><td>{}</td><td>{}{}</td></tr>",
                esc(&c.column),
                c.fill_rate * 100.0,
                if c.unused { "#e03131" } else { "#1c7ed6" },
                esc(&c.target),
                esc(&invalid.join(", ")),
                examples
            );
        }
        let _ = writeln!(o, "</table>");
    }
    let _ = writeln!(
        o,
        "<h2>Duplicates merged ({} clusters)</h2>",
        a.duplicates.len()
    );
    if a.duplicates.is_empty() {
        let _ = writeln!(o, "<p class=ok>None.</p>");
    } else {
        let _ = writeln!(
            o,
            "<table><tr><th>object</th><th>kept</th><th>merged into it</th></tr>"
        );
        for c in &a.duplicates {
            let merged: Vec<String> = c
                .merged
                .iter()
                .map(|m| format!("{} {} ({})", esc(&m.at), esc(&m.name), esc(&m.detail)))
                .collect();
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td><code>{}</code> {}</td><td>{}</td></tr>",
                esc(&c.object),
                esc(&c.survivor.at),
                esc(&c.survivor.name),
                merged.join("<br>")
            );
        }
        let _ = writeln!(o, "</table>");
    }
    if !a.uncompared_name_blocks.is_empty() {
        let _ = writeln!(o, "<h2>Names not compared for similar duplicates</h2><ul>");
        for b in &a.uncompared_name_blocks {
            let _ = writeln!(o, "<li class=bad>{}</li>", esc(&b.detail));
        }
        let _ = writeln!(o, "</ul>");
    }
    places(
        o,
        "Possible duplicates not merged (names alike, phones or cities differ)",
        &a.possible_duplicates,
    );
    places(o, "Test data skipped", &a.test_data);
    places(o, "Stale records skipped", &a.stale);
    places(o, "Dangling references", &a.dangling_references);
    places(
        o,
        "Ambiguous references (not guessed)",
        &a.ambiguous_references,
    );
    places(o, "Owners matching no workspace member", &a.unknown_owners);
    places(o, "Rejected rows", &a.rejected);
    let _ = writeln!(o, "<h2>To create in the workspace before import</h2><ul>");
    for (k, v) in &a.custom_fields {
        let _ = writeln!(
            o,
            "<li>custom field <code>{}</code> ({})</li>",
            esc(k),
            esc(v)
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
    let _ = writeln!(
        o,
        "</ul><p><small>Written by crm2twenty {}.</small></p></body></html>",
        env!("CARGO_PKG_VERSION")
    );
}

/// Kept vs dropped per object, as stacked bars with their legend.
pub fn object_chart(o: &mut impl Write, a: &Audit) {
    let _ = writeln!(o, "<h2>What happens to each object</h2><p class=legend>");
    for (name, color) in COLORS {
        let _ = write!(
            o,
            "<span><i class=sw style=\"background:{color}\"></i>{name}</span>"
        );
    }
    let _ = writeln!(o, "</p>");
    let rows = a.objects.len().max(1);
    let _ = writeln!(
        o,
        "<svg role=img aria-label=\"records per object\" width=\"100%\" viewBox=\"0 0 800 {}\">",
        rows * 28 + 4
    );
    let max = a.objects.values().map(|c| c.read).max().unwrap_or(1).max(1) as f64;
    for (i, (obj, c)) in a.objects.iter().enumerate() {
        let y = i * 28 + 2;
        let _ = write!(o, "<text x=0 y={} font-size=13>{}</text>", y + 16, esc(obj));
        let mut x = 140.0;
        let skipped: u64 = c.skipped.values().sum();
        for ((name, color), n) in COLORS.iter().zip([c.kept, c.merged, skipped, c.rejected]) {
            let w = 560.0 * n as f64 / max;
            if n > 0 {
                let _ = write!(
                    o,
                    "<rect x={x:.1} y={y} width={w:.1} height=20 fill=\"{color}\"><title>{name}: {n}</title></rect>"
                );
            }
            x += w;
        }
        let _ = writeln!(
            o,
            "<text x={:.1} y={} font-size=12>{} / {}</text>",
            x + 6.0,
            y + 15,
            c.kept,
            c.read
        );
    }
    let _ = writeln!(o, "</svg>");
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            super::esc("<b>\"A&B\"</b> 'x'"),
            "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt; &#39;x&#39;"
        );
    }
}
