//! Writes a mapping as the commented TOML file a person reads and edits. The output parses back
//! into the same [`Mapping`] (a test checks it).

use crate::propose::{Proposal, Why};
use c2t_core::{ColumnMapping, Mapping};
use std::fmt::Write;

/// A TOML string literal.
pub fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn key(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        s.to_string()
    } else {
        q(s)
    }
}

fn column_line(c: &ColumnMapping) -> String {
    let mut parts = vec![format!("column = {}", q(&c.column))];
    if let Some(f) = &c.field {
        parts.push(format!("field = {}", q(f)));
    }
    parts.push(format!("transform = {}", q(c.transform.as_str())));
    if let Some(o) = &c.object {
        parts.push(format!("object = {}", q(o)));
    }
    if let Some(b) = c.by {
        parts.push(format!("by = {}", q(b.as_str())));
    }
    if let Some(v) = &c.values {
        parts.push(format!("values = {}", q(v)));
    }
    if let Some(s) = &c.separator {
        parts.push(format!("separator = {}", q(s)));
    }
    if let Some(k) = c.custom {
        parts.push(format!("custom = {}", q(k.as_str())));
    }
    if let Some(l) = &c.label {
        parts.push(format!("label = {}", q(l)));
    }
    if let Some(d) = c.day_first {
        parts.push(format!("day_first = {d}"));
    }
    if let Some(f) = &c.folder {
        parts.push(format!("folder = {}", q(f)));
    }
    if let Some(t) = &c.through {
        let except = if t.except_prefixes.is_empty() {
            String::new()
        } else {
            format!(
                ", except_prefixes = [{}]",
                t.except_prefixes
                    .iter()
                    .map(|p| q(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        parts.push(format!(
            "through = {{ file = {}, key = {}, value = {}{except} }}",
            q(&t.file),
            q(&t.key),
            q(&t.value)
        ));
    }
    format!("{{ {} }}", parts.join(", "))
}

/// Renders a proposal (the mapping plus why each column is mapped as it is).
pub fn render(p: &Proposal) -> String {
    render_mapping(&p.mapping, Some(p))
}

/// Renders a mapping, with the proposal's notes when there are some.
pub fn render_mapping(m: &Mapping, p: Option<&Proposal>) -> String {
    let mut o = String::new();
    let s = &m.settings;
    let _ = writeln!(
        o,
        "# crm2twenty mapping: how each export file and column becomes Twenty records."
    );
    if let Some(p) = p {
        let _ = writeln!(
            o,
            "# Proposed from the {} preset; edit it freely and keep it in git.",
            p.preset_label
        );
    }
    let _ = writeln!(
        o,
        "# Transforms: id text rich_text number integer boolean date datetime email phone domain url"
    );
    let _ = writeln!(
        o,
        "#   money currency select multi_select full_name country relation member skip."
    );
    let _ = writeln!(
        o,
        "# `custom = \"TYPE\"` marks a field the workspace must have (`crm2twenty check` creates it)."
    );
    let _ = writeln!(o, "version = {}", m.version);
    let _ = writeln!(o, "source = {}", q(&m.source));
    let _ = writeln!(o);
    let _ = writeln!(o, "[settings]");
    match &s.default_country {
        Some(c) => {
            let _ = writeln!(
                o,
                "default_country = {}   # reads national phone numbers when a row names no country",
                q(c)
            );
        }
        None => {
            let _ = writeln!(
                o,
                "# default_country = \"US\"   # reads national phone numbers when a row names no country"
            );
        }
    }
    let _ = writeln!(
        o,
        "default_currency = {}   # for amounts that carry no currency",
        q(&s.default_currency)
    );
    let _ = writeln!(
        o,
        "day_first = {}   # how to read 03/04/2024 when a column does not tell",
        s.day_first
    );
    let _ = writeln!(
        o,
        "stale_after_days = {}   # no activity for this long = stale",
        s.stale_after_days
    );
    match &s.as_of {
        Some(d) => {
            let _ = writeln!(
                o,
                "as_of = {}   # staleness is measured from this date",
                q(d)
            );
        }
        None => {
            let _ = writeln!(
                o,
                "# as_of = \"2026-01-01\"   # staleness is measured from this date (default: today)"
            );
        }
    }
    let _ = writeln!(
        o,
        "skip_stale = {}   # stale records are left out (a stale contact on an open deal is kept)",
        s.skip_stale
    );
    let _ = writeln!(
        o,
        "skip_test_data = {}   # test/asdf/example.com/\"do not use\" rows are left out",
        s.skip_test_data
    );
    let _ = writeln!(
        o,
        "fuzzy_merge = {}   # merge companies with near-identical names",
        s.fuzzy_merge
    );
    let _ = writeln!(o, "fuzzy_threshold = {}", s.fuzzy_threshold);
    let _ = writeln!(
        o,
        "link_by_email_domain = {}   # a person with no company joins the company owning their email domain",
        s.link_by_email_domain
    );
    let fm: Vec<String> = s.free_mail_domains.iter().map(|d| q(d)).collect();
    let _ = writeln!(
        o,
        "free_mail_domains = [{}]   # added to the built-in list (gmail.com, …)",
        fm.join(", ")
    );
    let _ = writeln!(o, "multi_separator = {}", q(&s.multi_separator));
    let _ = writeln!(
        o,
        "max_rows_per_file = {}   # Twenty's importer takes 10000 at most",
        s.max_rows_per_file
    );
    let _ = writeln!(
        o,
        "strict_owners = {}   # true: no import while an owner is not a workspace member (else left empty)",
        s.strict_owners
    );
    let _ = writeln!(
        o,
        "create_companies = {}   # companies named by people/deals/leads but not in the export are created",
        s.create_companies
    );
    let _ = writeln!(
        o,
        "keep_unread_in = {}   # text field keeping cells that could not be read (\"\" = drop them, still reported)",
        q(&s.keep_unread_in)
    );
    let v = &m.verify;
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "# What `crm2twenty verify` accepts after an import (percent; strict by default)."
    );
    let _ = writeln!(o, "[verify]");
    for (k, x) in [
        ("records", v.records),
        ("links", v.links),
        ("assignments", v.assignments),
        ("custom_fields", v.custom_fields),
        ("sample", v.sample),
    ] {
        let _ = writeln!(o, "{k} = {x:.1}");
    }
    let _ = writeln!(
        o,
        "max_duplicates = {}   # duplicate groups involving imported records",
        v.max_duplicates
    );
    let _ = writeln!(
        o,
        "sample_size = {}   # records compared field by field",
        v.sample_size
    );
    let _ = writeln!(o, "seed = {}", v.seed);
    for co in &m.custom_objects {
        let _ = writeln!(o);
        let _ = writeln!(o, "[[custom_object]]");
        let _ = writeln!(o, "name = {}", q(&co.name));
        let _ = writeln!(o, "plural = {}", q(&co.plural));
        let _ = writeln!(o, "label = {}", q(&co.label));
        let _ = writeln!(o, "label_plural = {}", q(&co.label_plural));
    }
    if !m.members.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "# Workspace members by name, for owners the export names rather than identifies."
        );
    }
    for mem in &m.members {
        let _ = writeln!(o, "[[member]]");
        let _ = writeln!(o, "name = {}", q(&mem.name));
        let _ = writeln!(o, "email = {}", q(&mem.email));
    }
    if !m.value_maps.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "# Select values: source label = Twenty option value. A value that is not one of the"
        );
        let _ = writeln!(
            o,
            "# field's options yet is created by `crm2twenty check --apply`."
        );
    }
    for (name, map) in &m.value_maps {
        let _ = writeln!(o, "[value_maps.{}]", key(name));
        for (k, v) in map {
            let _ = writeln!(o, "{} = {}", q(k), q(v));
        }
    }
    for f in &m.files {
        let notes = p.and_then(|p| p.notes.get(&f.path));
        let _ = writeln!(o);
        let _ = writeln!(o, "[[file]]");
        let _ = writeln!(o, "path = {}", q(&f.path));
        let unreadable = p.and_then(|p| p.unreadable.iter().find(|(u, _)| *u == f.path));
        match (f.object.as_str(), notes) {
            ("skip", _) if unreadable.is_some() => {
                let why = unreadable.map(|(_, e)| e.replace(['\n', '\r'], " "));
                let _ = writeln!(
                    o,
                    "object = \"skip\"   # unreadable: {}",
                    why.unwrap_or_default()
                );
            }
            ("skip", _) if f.reason.is_some() => {
                let _ = writeln!(o, "object = \"skip\"");
                let _ = writeln!(o, "reason = {}", q(f.reason.as_deref().unwrap_or_default()));
            }
            ("skip", Some(n)) if !n.recognised => {
                let _ = writeln!(
                    o,
                    "object = \"skip\"   # NOT RECOGNISED ({} rows): name its object (company, person, opportunity, note, task…) to import it, or give a reason = \"…\" to leave it out",
                    n.rows
                );
            }
            ("workspaceMember", _) => {
                let _ = writeln!(
                    o,
                    "object = \"workspaceMember\"   # users: read only to find owners' emails"
                );
            }
            (obj, Some(n)) => {
                let why = n
                    .why
                    .as_deref()
                    .map(|w| format!("; {w}"))
                    .unwrap_or_default();
                let _ = writeln!(o, "object = {}   # {} rows{why}", q(obj), n.rows);
            }
            (obj, None) => {
                let _ = writeln!(o, "object = {}", q(obj));
            }
        }
        if f.completes {
            let _ = writeln!(
                o,
                "completes = true   # rows complete the record with the same id, not records of their own"
            );
        }
        for (k, v) in [
            ("sheet", &f.sheet),
            ("encoding", &f.encoding),
            ("delimiter", &f.delimiter),
        ] {
            if let Some(v) = v {
                let _ = writeln!(o, "{k} = {}", q(v));
            }
        }
        for (k, v, what) in [
            ("id_column", &f.id_column, "the source CRM's record id"),
            (
                "modified_column",
                &f.modified_column,
                "last modified: wins merge conflicts",
            ),
            (
                "activity_column",
                &f.activity_column,
                "last activity: decides staleness",
            ),
        ] {
            if let Some(v) = v {
                let _ = writeln!(o, "{k} = {}   # {what}", q(v));
            }
        }
        if !f.skip_rows.is_empty() {
            let _ = writeln!(o, "skip_rows = [   # rows left out on purpose, by rule");
            for r in &f.skip_rows {
                let vals: Vec<String> = r.values.iter().map(|v| q(v)).collect();
                let _ = writeln!(
                    o,
                    "  {{ column = {}, values = [{}], rule = {} }},",
                    q(&r.column),
                    vals.join(", "),
                    q(&r.rule)
                );
            }
            let _ = writeln!(o, "]");
        }
        if f.columns.is_empty() {
            let _ = writeln!(o, "columns = []");
            continue;
        }
        let _ = writeln!(o, "columns = [");
        let rows = notes.map(|n| n.rows).unwrap_or(0);
        for c in &f.columns {
            let mut line = format!("  {},", column_line(c));
            if let Some((filled, why)) = notes.and_then(|n| n.columns.get(&c.column)) {
                let why = match why {
                    Why::Preset => String::new(),
                    Why::Similar(label) => format!("; matched to \"{label}\" by similarity"),
                    Why::Values(what) => format!("; {what}"),
                    Why::NewCustom(kind) => format!("; no Twenty field: new custom {kind} field"),
                    Why::Unused => "; unused: empty in every row".to_string(),
                    Why::Ignored(why) => format!("; {why}"),
                };
                let _ = write!(line, "   # {filled}/{rows} filled{why}");
            }
            let _ = writeln!(o, "{line}");
        }
        let _ = writeln!(o, "]");
    }
    o
}
