//! `crm2twenty check`: what the workspace lacks for this import, as a plan a person reads, and
//! `--apply` to create it.

use crate::payload::{fits, same_kind};
use crate::workspace::{Existing, SOURCE_ID_FIELD, Workspace};
use c2t_core::FieldType;
use c2t_pipeline::job::Prepared;
use c2t_pipeline::link::Target;
use c2t_twenty::{ApiError, Client, NewField};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// A field the import needs and the workspace lacks.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MissingField {
    pub object: String,
    pub name: String,
    pub label: String,
    pub kind: FieldType,
    pub options: Vec<String>,
    pub unique: bool,
    /// For a relation: the target object.
    pub relation: Option<String>,
}

/// What stands between the workspace and the import.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Plan {
    /// Custom objects to create: (name, plural, label, label plural).
    pub objects: Vec<(String, String, String, String)>,
    pub fields: Vec<MissingField>,
    /// (object, field) → option values to add.
    #[serde(serialize_with = "dotted_keys")]
    pub options: BTreeMap<(String, String), Vec<String>>,
    /// Fields whose type differs from what the mapping writes: cannot be fixed by `--apply`.
    pub mismatches: Vec<String>,
    /// Fields the workspace has with another type that takes the mapping's values (a date
    /// into a DATE_TIME field…): reused, the values converted.
    pub reused: Vec<String>,
    /// Owners and assignees the export names who are not workspace members, with how many
    /// records each owns: those fields are left empty (invite them first to keep them), or the
    /// import waits for them with `strict_owners`.
    pub missing_members: Vec<(String, usize)>,
    /// `settings.strict_owners`: missing members block the import.
    pub strict_owners: bool,
    /// Records already in the workspace that hold a key the import uses, per object (they are
    /// updated, not duplicated).
    pub existing: BTreeMap<String, usize>,
    /// Of those, records in the workspace's trash, per object: restored with the export's
    /// values.
    pub trashed: BTreeMap<String, usize>,
    /// Records to write per object.
    pub to_write: BTreeMap<String, usize>,
    /// Note and task targets to write, per join object (`noteTarget`, `taskTarget`): written
    /// in batches after their notes and tasks, so they cost requests too.
    pub targets: BTreeMap<String, usize>,
    /// Attachment files the export holds for the import: (files, bytes).
    pub files: (usize, u64),
    /// Active workflows and webhooks the writes can set off: a warning, never a blocker.
    pub automations: crate::automations::Automations,
}

/// `(object, field)` keys as `object.field`, for JSON.
fn dotted_keys<S: serde::Serializer>(
    m: &BTreeMap<(String, String), Vec<String>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut out = s.serialize_map(Some(m.len()))?;
    for ((o, f), v) in m {
        out.serialize_entry(&format!("{o}.{f}"), v)?;
    }
    out.end()
}

impl Plan {
    /// The write requests of the records and targets at `batch` records a request (uploads and
    /// reads not counted).
    pub fn write_requests(&self, batch: usize) -> usize {
        let batch = batch.max(1);
        self.to_write
            .values()
            .chain(self.targets.values())
            .map(|n| n.div_ceil(batch))
            .sum()
    }
    /// True when something must be created or fixed before importing.
    pub fn blocks(&self) -> bool {
        !self.objects.is_empty()
            || !self.fields.is_empty()
            || !self.options.is_empty()
            || !self.mismatches.is_empty()
            || self.members_block()
    }

    /// True when missing members stop the import (`strict_owners`).
    pub fn members_block(&self) -> bool {
        self.strict_owners && !self.missing_members.is_empty()
    }

    /// True when `--apply` can fix everything that blocks.
    pub fn fixable(&self) -> bool {
        self.mismatches.is_empty() && !self.members_block()
    }

    /// True when `--apply` has something to create.
    pub fn creates(&self) -> bool {
        !self.objects.is_empty() || !self.fields.is_empty() || !self.options.is_empty()
    }

    /// The lines naming the owners who are not members, with their records.
    pub fn render_missing_members(&self) -> String {
        let mut o = String::new();
        if self.missing_members.is_empty() {
            return o;
        }
        let total: usize = self.missing_members.iter().map(|(_, n)| n).sum();
        let _ = writeln!(
            o,
            "Owners who are not workspace members ({} people, {total} records){}",
            self.missing_members.len(),
            if self.strict_owners {
                ": the import waits for them (settings.strict_owners); invite them in Twenty, or map the column to skip"
            } else {
                ": those records are imported with the owner left empty (invite them in Twenty first to keep it; settings.strict_owners = true stops instead)"
            }
        );
        for (m, n) in &self.missing_members {
            let _ = writeln!(o, "  {m} ({n} record{})", if *n == 1 { "" } else { "s" });
        }
        o
    }

    /// The plan, for a person.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "Records to write:");
        for (obj, n) in &self.to_write {
            let ex = self.existing.get(obj).copied().unwrap_or(0);
            let tr = self.trashed.get(obj).copied().unwrap_or(0);
            let mut notes = Vec::new();
            if ex > tr {
                notes.push(format!(
                    "{} already in the workspace: updated, not duplicated",
                    ex - tr
                ));
            }
            if tr > 0 {
                notes.push(format!(
                    "{tr} in its trash: restored with the export's values"
                ));
            }
            if obj == c2t_core::mapping::ATTACHMENT {
                notes.push(format!(
                    "{} files, {} bytes to upload",
                    self.files.0, self.files.1
                ));
            }
            let _ = writeln!(
                o,
                "  {obj:<14} {n:>7}{}",
                if notes.is_empty() {
                    String::new()
                } else {
                    format!("   ({})", notes.join("; "))
                }
            );
        }
        let written: Vec<&str> = self.to_write.keys().map(String::as_str).collect();
        o.push_str(&self.automations.render(&written));
        for r in &self.reused {
            let _ = writeln!(o, "Reused: {r}");
        }
        if !self.blocks() {
            o.push_str(&self.render_missing_members());
            let _ = writeln!(
                o,
                "The workspace has every object, field and option the import needs."
            );
            return o;
        }
        let _ = writeln!(o, "To create (crm2twenty check --apply):");
        for (name, ..) in &self.objects {
            let _ = writeln!(o, "  custom object {name}");
        }
        for f in &self.fields {
            let extra = if f.unique { ", unique" } else { "" };
            let _ = writeln!(
                o,
                "  field {}.{} ({}{extra}) \"{}\"",
                f.object,
                f.name,
                f.kind.as_str(),
                f.label
            );
        }
        for ((obj, field), vals) in &self.options {
            let _ = writeln!(o, "  options of {obj}.{field}: {}", vals.join(", "));
        }
        if !self.mismatches.is_empty() {
            let _ = writeln!(
                o,
                "To fix by hand (the mapping and the workspace disagree):"
            );
            for m in &self.mismatches {
                let _ = writeln!(o, "  {m}");
            }
        }
        o.push_str(&self.render_missing_members());
        o
    }
}

/// Objects the import writes (with at least one kept record), in import order.
pub fn objects_written(p: &Prepared) -> Vec<String> {
    let kept: BTreeSet<&str> = p.kept().map(|r| p.records[r].object.as_str()).collect();
    c2t_pipeline::export::import_order(p)
        .into_iter()
        .filter(|o| kept.contains(o.as_str()))
        .collect()
}

/// Compares the prepared import with the live workspace.
pub fn check(p: &Prepared, ws: &Workspace, existing: &Existing) -> Plan {
    let mut plan = Plan {
        strict_owners: p.mapping.settings.strict_owners,
        ..Plan::default()
    };
    let written = objects_written(p);
    // The workspace's record each record of the export matches, as the import will choose it.
    let resolved = crate::payload::resolve(p, existing);
    for name in &written {
        let Some(def) = p.schema.object(name) else {
            continue;
        };
        let live = ws.object(name);
        if live.is_none() {
            if def.custom {
                plan.objects.push((
                    def.name.clone(),
                    def.plural.clone(),
                    def.label.clone(),
                    def.label_plural.clone(),
                ));
            } else {
                plan.mismatches
                    .push(format!("the workspace has no `{name}` object"));
                continue;
            }
        }
        let kept: Vec<usize> = p.kept().filter(|&r| p.records[r].object == *name).collect();
        plan.to_write.insert(name.clone(), kept.len());
        // As the import writes them (`payload::targets`): one a linked record it writes.
        let targets: usize = kept
            .iter()
            .map(|&r| crate::payload::targets(p, r, ws, &resolved).len())
            .sum();
        if targets > 0 {
            plan.targets.insert(format!("{name}Target"), targets);
        }
        // Fields the records carry, and relation fields they link through.
        let mut used: BTreeSet<String> = BTreeSet::new();
        let slots: Vec<_> = kept.iter().map(|&r| p.records[r].stored).collect();
        p.store.filled_many(&slots, &mut |k, sub| {
            if sub.is_empty() {
                used.insert(k.to_string());
            }
        });
        for &r in &kept {
            for l in &p.links[r] {
                if l.field != "targets" {
                    used.insert(l.field.to_string());
                }
            }
        }
        for field in &used {
            let Some(fdef) = def.field(field) else {
                continue;
            };
            match ws.field(name, field) {
                // A standard field this workspace's Twenty version lacks (2.19 has no
                // person.city, for instance) is created as a custom field of the same name.
                None => plan.fields.push(MissingField {
                    object: name.clone(),
                    name: field.clone(),
                    label: fdef.label.clone(),
                    kind: fdef.kind,
                    options: fdef.options.clone(),
                    unique: false,
                    relation: fdef.relation.clone(),
                }),
                Some(lf) if !same_kind(&lf.kind, fdef.kind) => {
                    if fits(&lf.kind, fdef.kind) {
                        plan.reused.push(format!(
                            "{name}.{field} is {} in the workspace; the mapping's {} values are written as {}",
                            lf.kind,
                            fdef.kind.as_str(),
                            lf.kind
                        ));
                    } else {
                        plan.mismatches.push(format!(
                            "{name}.{field} is {} in the workspace but the mapping writes {}: \
                             name another field in the mapping (e.g. `field = \"{field}Imported\"`, \
                             created by --apply) or change the column's transform to match",
                            lf.kind,
                            fdef.kind.as_str()
                        ));
                    }
                }
                Some(_) => {}
            }
        }
        if name == c2t_core::mapping::ATTACHMENT {
            // Attachments are written on ids of their own (a file and its record), with no
            // source key field; what the workspace must have is a way to hold the file.
            if live.is_some() && crate::payload::file_style(ws).is_none() {
                plan.mismatches.push(
                    "the workspace's attachments have neither a `file` (2.x) nor a `fullPath` \
                     (1.5) field: this Twenty cannot take files through its API"
                        .into(),
                );
            }
            plan.files = kept
                .iter()
                .filter_map(|r| p.attachments.get(r))
                .fold((0, 0), |(n, b), f| (n + 1, b + f.size));
        } else if ws.field(name, SOURCE_ID_FIELD).is_none() {
            plan.fields.push(MissingField {
                object: name.clone(),
                name: SOURCE_ID_FIELD.into(),
                label: "Source Record Id".into(),
                kind: FieldType::Text,
                options: vec![],
                unique: true,
                relation: None,
            });
        }
        let matched: Vec<&crate::payload::Resolved> = kept
            .iter()
            .filter_map(|&r| resolved[r].as_ref())
            .filter(|x| x.existing.is_some())
            .collect();
        plan.existing.insert(name.clone(), matched.len());
        let trashed = matched
            .iter()
            .filter(|&&x| crate::payload::in_trash(Some(x)))
            .count();
        if trashed > 0 {
            plan.trashed.insert(name.clone(), trashed);
        }
    }
    // Select options the workspace lacks.
    for r in p.kept() {
        let rec = &p.records[r];
        let Some(def) = p.schema.object(&rec.object) else {
            continue;
        };
        if !def.fields.iter().any(|f| f.kind.is_select()) {
            continue;
        }
        let values = p.values(r);
        for f in def.fields.iter().filter(|f| f.kind.is_select()) {
            let Some(value) = values.get(&f.name) else {
                continue;
            };
            let vals = value.option_names();
            let live: Vec<String> = ws
                .field(&rec.object, &f.name)
                .map(|lf| lf.options.iter().map(|o| o.value.clone()).collect())
                .unwrap_or_default();
            let planned_new = plan
                .fields
                .iter()
                .any(|m| m.object == rec.object && m.name == f.name);
            for v in vals {
                if live.iter().any(|o| o == v) {
                    continue;
                }
                if planned_new {
                    if let Some(m) = plan
                        .fields
                        .iter_mut()
                        .find(|m| m.object == rec.object && m.name == f.name)
                        && !m.options.iter().any(|o| o == v)
                    {
                        m.options.push(v.to_string());
                    }
                } else {
                    let e = plan
                        .options
                        .entry((rec.object.to_string(), f.name.clone()))
                        .or_default();
                    if !e.iter().any(|o| o == v) {
                        e.push(v.to_string());
                    }
                }
            }
        }
    }
    // Owners who are not members: found in the directory but not in the workspace (by email),
    // or named by the export and found nowhere (by the name the export gives).
    let mut missing: BTreeMap<String, usize> = BTreeMap::new();
    for r in p.kept() {
        for l in &p.links[r] {
            if let Target::Member(email) = &l.target
                && ws.member_id(email).is_none()
            {
                *missing.entry(email.to_string()).or_default() += 1;
            }
        }
    }
    for (_, _, name) in unknown_owners(p) {
        *missing.entry(name).or_default() += 1;
    }
    plan.missing_members = missing.into_iter().collect();
    plan.automations = ws.automations.clone();
    plan
}

/// Kept records whose owner or assignee the export names but no member directory holds:
/// (record, field, the name as the export writes it). From the linker's `OWNER_UNKNOWN`
/// findings.
pub fn unknown_owners(p: &Prepared) -> Vec<(usize, String, String)> {
    let unknown: Vec<&c2t_pipeline::record::Finding> = p
        .findings
        .iter()
        .filter(|f| f.code == c2t_core::IssueCode::OwnerUnknown)
        .collect();
    if unknown.is_empty() {
        return Vec::new();
    }
    let at: std::collections::HashMap<(usize, u64), usize> = p
        .kept()
        .map(|r| ((p.records[r].file, p.records[r].line), r))
        .collect();
    unknown
        .into_iter()
        .filter_map(|f| {
            let r = *at.get(&(f.file, f.line))?;
            let field = p.mapping.files[f.file]
                .columns
                .iter()
                .find(|c| c.column == f.column)
                .and_then(|c| c.field.clone())
                .unwrap_or_else(|| f.column.clone());
            let name = f
                .message
                .split('"')
                .nth(1)
                .unwrap_or(&f.message)
                .to_string();
            Some((r, field, name))
        })
        .collect()
}

/// Label of an option value (`CLOSED_LOST` → `Closed Lost`).
fn option_label(value: &str) -> String {
    value
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Creates what the plan lists: custom objects, then fields, then options. Returns what was done.
pub fn apply(client: &Client, plan: &Plan, ws: &mut Workspace) -> Result<Vec<String>, ApiError> {
    let mut done = Vec::new();
    for (name, plural, label, label_plural) in &plan.objects {
        client.create_object(name, plural, label, label_plural)?;
        done.push(format!("created object {name}"));
    }
    if !plan.objects.is_empty() {
        ws.objects = client.objects()?;
    }
    for f in &plan.fields {
        let Some(obj) = ws.object(&f.object) else {
            continue;
        };
        // A new custom object comes with fields of its own (`name`…).
        if ws.field(&f.object, &f.name).is_some() {
            continue;
        }
        let relation = match &f.relation {
            Some(target) => {
                let Some(t) = ws.object(target) else { continue };
                let plural = ws
                    .object(&f.object)
                    .map(|o| o.name_plural.clone())
                    .unwrap_or_default();
                let mut inverse = format!("{}{}", f.name, upper_first(&plural));
                if t.fields.iter().any(|x| x.name == inverse) {
                    inverse.push_str("Imported");
                }
                Some((t.id.clone(), inverse, format!("{} of {}", f.label, plural)))
            }
            None => None,
        };
        let field = NewField {
            name: f.name.clone(),
            label: f.label.clone(),
            kind: f.kind.as_str().to_string(),
            options: f
                .options
                .iter()
                .map(|v| (v.clone(), option_label(v)))
                .collect(),
            is_unique: f.unique,
            relation,
        };
        client.create_field(&obj.id, &field)?;
        done.push(format!("created field {}.{}", f.object, f.name));
    }
    if !plan.fields.is_empty() {
        ws.objects = client.objects()?;
    }
    for ((obj, field), vals) in &plan.options {
        let Some(f) = ws.field(obj, field).cloned() else {
            continue;
        };
        let new: Vec<(String, String)> =
            vals.iter().map(|v| (v.clone(), option_label(v))).collect();
        client.add_options(&f, &new)?;
        done.push(format!(
            "added options {} to {obj}.{field}",
            vals.join(", ")
        ));
    }
    if !plan.options.is_empty() {
        ws.objects = client.objects()?;
    }
    Ok(done)
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
