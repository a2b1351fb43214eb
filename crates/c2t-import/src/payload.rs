//! The JSON each record is written as: its values in Twenty's shape (only fields the workspace
//! has), its id, its `sourceRecordId`, and its relations as join columns (`companyId`,
//! `pointOfContactId`, `accountOwnerId`…) pointing at ids chosen before anything is sent.

use crate::workspace::{Existing, SOURCE_ID_FIELD, Workspace};
use c2t_core::FieldType;
use c2t_pipeline::export::record_id_text;
use c2t_pipeline::job::Prepared;
use c2t_pipeline::link::Target;
use c2t_pipeline::record::is_empty;
use serde_json::{Map, Value};

/// What to do with a record that already exists in the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Conflict {
    /// Only fields empty in the workspace are written (the default: nothing a person typed in
    /// Twenty is overwritten).
    #[default]
    FillEmpty,
    /// The export's values win.
    Overwrite,
}

/// The id a record gets in Twenty, and the record it matched in the workspace, if any.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub id: String,
    pub existing: Option<Value>,
}

/// The source key of a record: its id in the source CRM, or `file:line` when it has none.
pub fn source_key(p: &Prepared, r: usize) -> String {
    let rec = &p.records[r];
    match &rec.source_id {
        Some(id) => id.to_string(),
        None => p.place(r),
    }
}

/// Chooses the id of every kept record: the workspace's id when a record there already holds its
/// source id, email or domain; otherwise the deterministic id of the source record.
pub fn resolve(p: &Prepared, existing: &Existing) -> Vec<Option<Resolved>> {
    let mut out = vec![None; p.records.len()];
    for r in p.kept() {
        let rec = &p.records[r];
        let key = source_key(p, r);
        let found = existing
            .by_source_id
            .get(&(rec.object.to_string(), key))
            .or_else(|| match rec.object.as_str() {
                "person" => rec
                    .primary_email()
                    .and_then(|e| existing.by_email.get(&e.to_lowercase())),
                "company" => rec
                    .domain_url()
                    .and_then(|u| existing.by_domain.get(&u.to_lowercase())),
                _ => None,
            })
            .or_else(|| {
                existing
                    .by_id
                    .get(&(rec.object.to_string(), record_id_text(p, r)))
            });
        let id = found
            .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| record_id_text(p, r));
        out[r] = Some(Resolved {
            id,
            existing: found.cloned(),
        });
    }
    out
}

/// Twenty types that hold the same values under two names across versions.
pub fn same_kind(live: &str, want: FieldType) -> bool {
    let live = live.to_uppercase();
    match want {
        FieldType::RichText => live == "RICH_TEXT" || live == "RICH_TEXT_V2",
        FieldType::Relation => live == "RELATION" || live == "MORPH_RELATION",
        FieldType::Number => live == "NUMBER" || live == "NUMERIC",
        other => live == other.as_str(),
    }
}

/// True when a field the workspace already has with type `live` can take what the mapping
/// writes as `want` (a second export into the same workspace: a date into an existing
/// DATE_TIME field, a number into a TEXT field…), with [`fit`] converting each value.
pub fn fits(live: &str, want: FieldType) -> bool {
    same_kind(live, want)
        || matches!(
            (live.to_uppercase().as_str(), want),
            ("DATE_TIME", FieldType::Date)
                | ("DATE", FieldType::DateTime)
                | (
                    "TEXT",
                    FieldType::Number
                        | FieldType::Numeric
                        | FieldType::Boolean
                        | FieldType::Date
                        | FieldType::DateTime
                        | FieldType::Select
                        | FieldType::Rating
                )
                | ("NUMBER" | "NUMERIC", FieldType::Number | FieldType::Numeric)
        )
}

/// A value the mapping writes as `want`, in the shape of a workspace field of type `live`
/// (see [`fits`]): `2024-01-05` → `2024-01-05T00:00:00Z` for a DATE_TIME field,
/// `2024-01-05T10:00:00Z` → `2024-01-05` for a DATE field, scalars as text for a TEXT field.
/// Values of the same kind are returned as they are.
pub fn fit(v: Value, want: FieldType, live: &str) -> Value {
    if same_kind(live, want) {
        return v;
    }
    match (live.to_uppercase().as_str(), &v) {
        ("DATE_TIME", Value::String(d)) if d.len() == 10 => Value::String(format!("{d}T00:00:00Z")),
        ("DATE", Value::String(t)) if t.len() > 10 && t.is_char_boundary(10) => {
            Value::String(t[..10].to_string())
        }
        ("TEXT", Value::Number(n)) => Value::String(n.to_string()),
        ("TEXT", Value::Bool(b)) => Value::String(b.to_string()),
        _ => v,
    }
}

/// The payload of one record: everything the export says of it.
pub fn payload(p: &Prepared, r: usize, ws: &Workspace, ids: &[Option<Resolved>]) -> Value {
    let rec = &p.records[r];
    let resolved = ids[r].as_ref().expect("kept records have ids");
    let mut m = Map::new();
    m.insert("id".into(), Value::String(resolved.id.clone()));
    let def = p.schema.object(&rec.object);
    for (k, v) in p.values(r).iter_json() {
        if is_empty(&v) {
            continue;
        }
        let Some(live) = ws.field(&rec.object, k) else {
            continue;
        };
        let v = match def.and_then(|d| d.field(k)) {
            Some(f) => fit(v, f.kind, &live.kind),
            None => v,
        };
        m.insert(k.to_string(), v);
    }
    if ws.field(&rec.object, SOURCE_ID_FIELD).is_some() {
        m.insert(SOURCE_ID_FIELD.into(), Value::String(source_key(p, r)));
    }
    for l in &p.links[r] {
        if l.field == "targets" {
            continue;
        }
        let Some(column) = link_column(ws, &rec.object, l.field) else {
            continue;
        };
        let id = match &l.target {
            Target::Record(t) => ids[*t].as_ref().map(|x| x.id.clone()),
            Target::Member(email) => ws.member_id(email).map(str::to_string),
        };
        if let Some(id) = id {
            m.insert(column, Value::String(id));
        }
    }
    Value::Object(m)
}

/// The join column a relation field is written through (`companyId`), when the workspace has
/// the field.
pub fn link_column(ws: &Workspace, object: &str, field: &str) -> Option<String> {
    let f = ws.field(object, field)?;
    Some(
        f.join_column
            .clone()
            .unwrap_or_else(|| format!("{field}Id")),
    )
}

/// The join columns of record `r` that cannot be written with it: links to a record that is not
/// in the workspace yet and is written with or after it (a record of the same object, or of an
/// object later in `order`: objects that refer to each other). They are written after every
/// record is, in a second pass.
pub fn deferred_links(
    p: &Prepared,
    r: usize,
    ws: &Workspace,
    ids: &[Option<Resolved>],
    order: &[String],
) -> Vec<String> {
    let rank = |o: &str| order.iter().position(|x| x == o).unwrap_or(usize::MAX);
    let own = rank(&p.records[r].object);
    p.links[r]
        .iter()
        .filter(|l| l.field != "targets")
        .filter_map(|l| {
            let Target::Record(t) = l.target else {
                return None;
            };
            let there = ids[t].as_ref().is_some_and(|x| x.existing.is_some());
            (!there && rank(&p.records[t].object) >= own)
                .then(|| link_column(ws, &p.records[r].object, l.field))
                .flatten()
        })
        .collect()
}

/// True when the workspace's match of a record is in its trash (soft-deleted).
pub fn in_trash(resolved: Option<&Resolved>) -> bool {
    resolved
        .and_then(|x| x.existing.as_ref())
        .and_then(|e| e.get("deletedAt"))
        .is_some_and(|d| !d.is_null())
}

/// What is sent for a record under the conflict policy: with `FillEmpty`, the fields a record
/// already in the workspace holds are left out of its payload. A match found in the trash (an
/// earlier import rolled back, a record someone deleted) is restored with the export's values,
/// whatever the policy: the upsert revives it, and the values it held when it was deleted are
/// not the ones the user is importing (a live 2.19 answered such an upsert with the old
/// record's name, address and owner when only empty fields were sent).
pub fn under_policy(mut body: Value, resolved: Option<&Resolved>, conflict: Conflict) -> Value {
    if conflict == Conflict::FillEmpty
        && !in_trash(resolved)
        && let Some(Value::Object(current)) = resolved.and_then(|x| x.existing.as_ref())
        && let Value::Object(m) = &mut body
    {
        m.retain(|k, _| k == "id" || current.get(k).is_none_or(is_empty));
    }
    body
}

/// The id of a note/task target: the same for the same pair on every run.
pub fn target_id(owner: &str, target: &str) -> String {
    uuid::Uuid::new_v5(
        &c2t_pipeline::export::ID_NAMESPACE,
        format!("target|{owner}|{target}").as_bytes(),
    )
    .to_string()
}

/// The join column of a target object on noteTarget/taskTarget (`targetPersonId` in 2.x,
/// `personId` in 1.5), read from the workspace.
pub fn target_column(ws: &Workspace, join_object: &str, target_object: &str) -> Option<String> {
    let from_caps = match join_object {
        "noteTarget" => ws.caps.note_targets.get(target_object),
        "taskTarget" => ws.caps.task_targets.get(target_object),
        _ => None,
    };
    from_caps.cloned().or_else(|| {
        let o = ws.object(join_object)?;
        o.fields
            .iter()
            .find(|f| {
                f.relation_target.as_deref() == Some(target_object)
                    // The note or task a target belongs to is not one of its targets.
                    && !(join_object.ends_with("Target") && (f.name == "note" || f.name == "task"))
            })
            .map(|f| {
                f.join_column
                    .clone()
                    .unwrap_or_else(|| format!("{}Id", f.name))
            })
    })
}

/// The noteTarget / taskTarget payloads of one note or task: (source key, payload).
pub fn targets(
    p: &Prepared,
    r: usize,
    ws: &Workspace,
    ids: &[Option<Resolved>],
) -> Vec<(String, Value)> {
    let rec = &p.records[r];
    let join_object = format!("{}Target", rec.object);
    let Some(owner) = ids[r].as_ref() else {
        return vec![];
    };
    let mut out = Vec::new();
    for l in p.links[r].iter().filter(|l| l.field == "targets") {
        let Target::Record(t) = l.target else {
            continue;
        };
        let Some(target) = ids[t].as_ref() else {
            continue;
        };
        let Some(column) = target_column(ws, &join_object, &p.records[t].object) else {
            continue;
        };
        let mut m = Map::new();
        m.insert("id".into(), Value::String(target_id(&owner.id, &target.id)));
        m.insert(format!("{}Id", rec.object), Value::String(owner.id.clone()));
        m.insert(column, Value::String(target.id.clone()));
        out.push((
            format!("{}->{}", source_key(p, r), source_key(p, t)),
            Value::Object(m),
        ));
    }
    out
}

/// How the workspace's attachments hold their file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStyle {
    /// 2.x: a FILES field `file` (`[{fileId, label}]`, the file uploaded for that field by its
    /// metadata id) and the `fileCategory` select.
    Files { field_id: String },
    /// 1.5: `fullPath` (the path the upload answered) and `type`.
    FullPath,
}

/// The workspace's [`FileStyle`], read from its attachment object; None when it has none.
pub fn file_style(ws: &Workspace) -> Option<FileStyle> {
    let o = ws.object(c2t_core::mapping::ATTACHMENT)?;
    if let Some(f) = o
        .fields
        .iter()
        .find(|f| f.name == "file" && f.kind == "FILES")
    {
        return Some(FileStyle::Files {
            field_id: f.id.clone(),
        });
    }
    o.fields
        .iter()
        .any(|f| f.name == "fullPath")
        .then_some(FileStyle::FullPath)
}

/// The id of the attachment of a file to one record: the same on every run.
pub fn attachment_id(attachment: &str, target: &str) -> String {
    uuid::Uuid::new_v5(
        &c2t_pipeline::export::ID_NAMESPACE,
        format!("attachment|{attachment}|{target}").as_bytes(),
    )
    .to_string()
}

/// The attachment records of attachment row `r`, one for each record it is attached to:
/// (source key, body without the file). The body names the attachment's id, name and target;
/// [`with_file`] adds the uploaded file.
pub fn attachments(
    p: &Prepared,
    r: usize,
    ws: &Workspace,
    ids: &[Option<Resolved>],
) -> Vec<(String, Value)> {
    let values = p.values(r);
    let file = p.attachments.get(&r);
    let name = values
        .get("name")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .or_else(|| file.map(|f| f.rel.rsplit('/').next().unwrap_or_default().to_string()))
        .unwrap_or_default();
    let key = source_key(p, r);
    let mut out = Vec::new();
    for l in p.links[r].iter().filter(|l| l.field == "targets") {
        let Target::Record(t) = l.target else {
            continue;
        };
        let Some(target) = ids[t].as_ref() else {
            continue;
        };
        let Some(column) = target_column(ws, c2t_core::mapping::ATTACHMENT, &p.records[t].object)
        else {
            continue;
        };
        let mut m = Map::new();
        m.insert("id".into(), Value::String(attachment_id(&key, &target.id)));
        m.insert("name".into(), Value::String(name.clone()));
        // The source's date, when the mapping gives one: a live 2.19 stores `createdAt` as sent
        // on every create route (docs/evidence/live-2x/README.md, "createdAt on create"). Not
        // sent to 1.5, where it has not been seen.
        if let Some(at) = values.get("createdAt").and_then(|v| v.as_str())
            && matches!(file_style(ws), Some(FileStyle::Files { .. }))
        {
            m.insert("createdAt".into(), Value::String(at.to_string()));
        }
        m.insert(column, Value::String(target.id.clone()));
        out.push((format!("{key}->{}", source_key(p, t)), Value::Object(m)));
    }
    out
}

/// What an attachment record says, for the state's delta logic: its body and the file's
/// content hash (not the upload's id, which differs on every upload).
pub fn attachment_intent(body: &Value, content_hash: &str) -> Value {
    let mut v = body.clone();
    if let Value::Object(m) = &mut v {
        m.insert("content".into(), Value::String(content_hash.to_string()));
    }
    v
}

/// The attachment's body with its uploaded file, as `style` writes it.
pub fn with_file(
    mut body: Value,
    style: &FileStyle,
    uploaded: &c2t_twenty::UploadedFile,
    name: &str,
) -> Value {
    let category = c2t_pipeline::attach::category(name);
    if let Value::Object(m) = &mut body {
        match style {
            FileStyle::Files { .. } => {
                m.insert(
                    "file".into(),
                    serde_json::json!([{
                        "fileId": uploaded.id.clone().unwrap_or_default(),
                        "label": name,
                    }]),
                );
                m.insert("fileCategory".into(), Value::String(category.into()));
            }
            FileStyle::FullPath => {
                m.insert("fullPath".into(), Value::String(uploaded.path.clone()));
                m.insert(
                    "type".into(),
                    Value::String(c2t_pipeline::attach::legacy_type(category).into()),
                );
            }
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_fit_an_existing_field_of_another_type() {
        use FieldType::*;
        for (v, want, live, out) in [
            (
                json!("2024-01-05"),
                Date,
                "DATE_TIME",
                json!("2024-01-05T00:00:00Z"),
            ),
            (
                json!("2024-01-05T10:30:00Z"),
                DateTime,
                "DATE",
                json!("2024-01-05"),
            ),
            (json!(42), Number, "TEXT", json!("42")),
            (json!(2.5), Numeric, "TEXT", json!("2.5")),
            (json!(true), Boolean, "TEXT", json!("true")),
            (json!("LOST"), Select, "TEXT", json!("LOST")),
            (json!("2024-01-05"), Date, "DATE", json!("2024-01-05")),
            (json!(3), Number, "NUMERIC", json!(3)),
        ] {
            assert!(fits(live, want), "{live} {want:?}");
            assert_eq!(fit(v.clone(), want, live), out, "{v} {want:?} → {live}");
        }
        for (live, want) in [
            ("SELECT", Text),
            ("NUMBER", Text),
            ("DATE", Text),
            ("BOOLEAN", Number),
            ("PHONES", Text),
            ("ADDRESS", Text),
        ] {
            assert!(!fits(live, want), "{live} {want:?}");
        }
    }
}
