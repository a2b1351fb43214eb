//! Workspace metadata (objects, fields, options) parsed from both the 1.5 and the 2.x shapes of
//! `GET /rest/metadata/objects`.
//!
//! Differences handled (see `shared/twenty-live*/metadata-objects.json`):
//! - 1.5 has `isCustom` on objects and fields and a `relation` blob naming the target object;
//! - 2.x has no `isCustom` (custom items carry another `applicationId` than the standard ones)
//!   and no target in relation fields: only `settings.{relationType, joinColumnName}`. The target
//!   is then inferred: a `MORPH_RELATION` named `targetPerson` points to `person`; a `RELATION`
//!   named like an object (`company`) points to it; a few standard names are known
//!   (`pointOfContact` → person, `accountOwner`/`assignee`/`owner`/`author` → workspaceMember).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One object (standard or custom) of the workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectMeta {
    /// Metadata id (needed to create fields).
    pub id: String,
    /// API name, e.g. `company`.
    pub name_singular: String,
    /// Path segment, e.g. `companies`.
    pub name_plural: String,
    /// UI label, e.g. `Company`.
    pub label_singular: String,
    /// UI label, e.g. `Companies`.
    pub label_plural: String,
    /// Created by a user/app rather than by Twenty.
    pub is_custom: bool,
    /// Active (inactive objects are hidden and not writable).
    pub is_active: bool,
    /// System object (noteTarget, favorite…).
    pub is_system: bool,
    /// Fields.
    pub fields: Vec<FieldMeta>,
}

impl ObjectMeta {
    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldMeta> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The field whose join column is `column` (e.g. `companyId`).
    pub fn field_by_join_column(&self, column: &str) -> Option<&FieldMeta> {
        self.fields
            .iter()
            .find(|f| f.join_column.as_deref() == Some(column))
    }
}

/// One option of a SELECT / MULTI_SELECT / RATING field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionMeta {
    /// Option id (kept when options are re-sent).
    pub id: Option<String>,
    /// Stored value (UPPER_SNAKE_CASE).
    pub value: String,
    /// Label shown in the UI.
    pub label: String,
    /// Tag colour name.
    pub color: Option<String>,
    /// Order.
    pub position: Option<f64>,
}

/// One field of an object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldMeta {
    /// Metadata id.
    pub id: String,
    /// API name.
    pub name: String,
    /// UI label.
    pub label: String,
    /// Twenty type: `TEXT`, `SELECT`, `RELATION`, `MORPH_RELATION`, `RICH_TEXT_V2`…
    pub kind: String,
    /// Created by a user/app.
    pub is_custom: bool,
    /// Nullable column.
    pub is_nullable: bool,
    /// Unique index (an upsert key). 1.5 does not say: `false`.
    pub is_unique: bool,
    /// Active.
    pub is_active: bool,
    /// System field (`id`, `createdAt`, `position`…).
    pub is_system: bool,
    /// Options of SELECT-like fields (empty otherwise).
    pub options: Vec<OptionMeta>,
    /// `MANY_TO_ONE` / `ONE_TO_MANY` for relation fields.
    pub relation_type: Option<String>,
    /// Target object (`nameSingular`) of a MANY_TO_ONE relation, when known or inferable.
    pub relation_target: Option<String>,
    /// Writable foreign key of a MANY_TO_ONE relation (`companyId`, `targetPersonId`).
    pub join_column: Option<String>,
}

impl FieldMeta {
    /// RELATION or MORPH_RELATION.
    pub fn is_relation(&self) -> bool {
        self.kind == "RELATION" || self.kind == "MORPH_RELATION"
    }
}

/// A field to create with [`crate::Client::create_field`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewField {
    /// camelCase API name.
    pub name: String,
    /// UI label.
    pub label: String,
    /// Twenty type (`TEXT`, `NUMBER`, `SELECT`, `RELATION`…).
    pub kind: String,
    /// `(value, label)` for SELECT / MULTI_SELECT; values must be UPPER_SNAKE_CASE.
    pub options: Vec<(String, String)>,
    /// Unique index (makes the field an upsert key).
    pub is_unique: bool,
    /// For `RELATION` (MANY_TO_ONE from this object): `(target object id, inverse field name,
    /// inverse field label)`. Twenty derives the inverse name from the label; the name is used
    /// to recognise the field after creation.
    pub relation: Option<(String, String, String)>,
}

/// Tag colours cycled through for new options (names from twenty-shared `TagColors`).
pub const OPTION_COLORS: [&str; 10] = [
    "green",
    "turquoise",
    "sky",
    "blue",
    "purple",
    "pink",
    "red",
    "orange",
    "yellow",
    "gray",
];

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn b(v: &Value, key: &str) -> Option<bool> {
    v.get(key).and_then(Value::as_bool)
}

/// The objects array of a metadata answer: `{data: {objects: [...]}}` (both versions), or a bare
/// array, or `{data: [...]}`.
pub(crate) fn objects_array(body: &Value) -> Option<&Vec<Value>> {
    body.pointer("/data/objects")
        .and_then(Value::as_array)
        .or_else(|| body.get("data").and_then(Value::as_array))
        .or_else(|| body.get("objects").and_then(Value::as_array))
        .or_else(|| body.as_array())
}

/// Parses all objects; infers custom-ness and relation targets for 2.x.
pub fn parse_objects(raw: &[Value]) -> Vec<ObjectMeta> {
    // 2.x: the application id of standard objects (that of `person`, else `company`).
    let standard_app = ["person", "company"].iter().find_map(|n| {
        raw.iter()
            .find(|o| o.get("nameSingular").and_then(Value::as_str) == Some(n))
            .and_then(|o| s(o, "applicationId"))
    });
    let singulars: Vec<String> = raw.iter().filter_map(|o| s(o, "nameSingular")).collect();
    raw.iter()
        .map(|o| parse_object(o, standard_app.as_deref(), &singulars))
        .collect()
}

fn is_custom(v: &Value, standard_app: Option<&str>) -> bool {
    match b(v, "isCustom") {
        Some(c) => c,
        None => match (s(v, "applicationId"), standard_app) {
            (Some(app), Some(std)) => app != std,
            _ => false,
        },
    }
}

pub(crate) fn parse_object(
    o: &Value,
    standard_app: Option<&str>,
    singulars: &[String],
) -> ObjectMeta {
    let fields = o
        .get("fields")
        .and_then(Value::as_array)
        .map(|fs| {
            fs.iter()
                .map(|f| parse_field(f, standard_app, singulars))
                .collect()
        })
        .unwrap_or_default();
    ObjectMeta {
        id: s(o, "id").unwrap_or_default(),
        name_singular: s(o, "nameSingular").unwrap_or_default(),
        name_plural: s(o, "namePlural").unwrap_or_default(),
        label_singular: s(o, "labelSingular").unwrap_or_default(),
        label_plural: s(o, "labelPlural").unwrap_or_default(),
        is_custom: is_custom(o, standard_app),
        is_active: b(o, "isActive").unwrap_or(true),
        is_system: b(o, "isSystem").unwrap_or(false),
        fields,
    }
}

fn lower_first(x: &str) -> String {
    let mut c = x.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Standard MANY_TO_ONE relation names whose target is not their own name (2.x inference).
const KNOWN_TARGETS: [(&str, &str); 6] = [
    ("pointOfContact", "person"),
    ("accountOwner", "workspaceMember"),
    ("assignee", "workspaceMember"),
    ("owner", "workspaceMember"),
    ("author", "workspaceMember"),
    ("workspaceMember", "workspaceMember"),
];

fn infer_target(
    kind: &str,
    name: &str,
    join: Option<&str>,
    singulars: &[String],
) -> Option<String> {
    let known = |n: &str| singulars.iter().any(|x| x == n) || singulars.is_empty();
    if kind == "MORPH_RELATION"
        && let Some(rest) = name.strip_prefix("target")
    {
        let t = lower_first(rest);
        if known(&t) {
            return Some(t);
        }
    }
    if known(name) && !singulars.is_empty() {
        return Some(name.to_string());
    }
    if let Some((_, t)) = KNOWN_TARGETS.iter().find(|(n, _)| *n == name) {
        return Some((*t).to_string());
    }
    // `…Id` join column named after an object.
    join.and_then(|j| j.strip_suffix("Id"))
        .filter(|j| singulars.iter().any(|x| x == j))
        .map(str::to_string)
}

pub(crate) fn parse_field(
    f: &Value,
    standard_app: Option<&str>,
    singulars: &[String],
) -> FieldMeta {
    let kind = s(f, "type").unwrap_or_default();
    let name = s(f, "name").unwrap_or_default();
    let options = f
        .get("options")
        .and_then(Value::as_array)
        .map(|opts| {
            opts.iter()
                .filter_map(|o| {
                    Some(OptionMeta {
                        id: s(o, "id"),
                        value: s(o, "value")?,
                        label: s(o, "label").unwrap_or_default(),
                        color: s(o, "color"),
                        position: o.get("position").and_then(Value::as_f64),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut relation_type = None;
    let mut relation_target = None;
    let mut join_column = None;
    if kind == "RELATION" || kind == "MORPH_RELATION" {
        // 1.5 shape: relation blob with the target object.
        if let Some(rel) = f.get("relation").filter(|r| r.is_object()) {
            relation_type = s(rel, "type");
            relation_target = rel
                .pointer("/targetObjectMetadata/nameSingular")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        // 2.x shape: settings.
        if let Some(settings) = f.get("settings").filter(|r| r.is_object()) {
            relation_type = relation_type.or_else(|| s(settings, "relationType"));
            join_column = s(settings, "joinColumnName");
        }
        // Some versions expose the target object directly.
        if relation_target.is_none() {
            relation_target = f
                .pointer("/relationTargetObjectMetadata/nameSingular")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        if relation_type.as_deref() == Some("MANY_TO_ONE") {
            if join_column.is_none() {
                join_column = Some(format!("{name}Id"));
            }
            if relation_target.is_none() {
                relation_target = infer_target(&kind, &name, join_column.as_deref(), singulars);
            }
        } else {
            // The target of a ONE_TO_MANY side is still useful when the server names it.
            join_column = None;
        }
    }
    FieldMeta {
        id: s(f, "id").unwrap_or_default(),
        label: s(f, "label").unwrap_or_else(|| name.clone()),
        name,
        kind,
        is_custom: is_custom(f, standard_app),
        is_nullable: b(f, "isNullable").unwrap_or(true),
        is_unique: b(f, "isUnique").unwrap_or(false),
        is_active: b(f, "isActive").unwrap_or(true),
        is_system: b(f, "isSystem").unwrap_or(false),
        options,
        relation_type,
        relation_target,
        join_column,
    }
}

/// Converts a label to an UPPER_SNAKE_CASE option value (helper for callers).
pub fn option_value(label: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            if sep && !out.is_empty() {
                out.push('_');
            }
            sep = false;
            out.push(c.to_ascii_uppercase());
        } else {
            sep = true;
        }
    }
    if out.is_empty() {
        out.push_str("OPTION");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "OPTION_");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_15_relation_blob() {
        let f = json!({"id": "f", "type": "RELATION", "name": "company", "label": "Company", "isCustom": false, "isNullable": true,
            "relation": {"type": "MANY_TO_ONE", "targetObjectMetadata": {"id": "c", "nameSingular": "company", "namePlural": "companies"}}});
        let m = parse_field(&f, None, &[]);
        assert_eq!(m.relation_target.as_deref(), Some("company"));
        assert_eq!(m.join_column.as_deref(), Some("companyId"));
        assert!(!m.is_custom);
    }

    #[test]
    fn infers_2x_targets() {
        let singulars: Vec<String> = ["person", "company", "workspaceMember", "opportunity"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let f = json!({"id": "f", "type": "MORPH_RELATION", "name": "targetPerson", "applicationId": "std",
            "settings": {"relationType": "MANY_TO_ONE", "joinColumnName": "targetPersonId"}});
        let m = parse_field(&f, Some("std"), &singulars);
        assert_eq!(m.relation_target.as_deref(), Some("person"));
        assert_eq!(m.join_column.as_deref(), Some("targetPersonId"));
        let f = json!({"id": "f", "type": "RELATION", "name": "pointOfContact", "applicationId": "std",
            "settings": {"relationType": "MANY_TO_ONE", "joinColumnName": "pointOfContactId"}});
        assert_eq!(
            parse_field(&f, Some("std"), &singulars)
                .relation_target
                .as_deref(),
            Some("person")
        );
        let f = json!({"id": "f", "type": "RELATION", "name": "people", "applicationId": "custom",
            "settings": {"relationType": "ONE_TO_MANY"}});
        let m = parse_field(&f, Some("std"), &singulars);
        assert!(m.is_custom);
        assert_eq!(m.join_column, None);
    }

    #[test]
    fn option_values() {
        assert_eq!(option_value("Gold tier"), "GOLD_TIER");
        assert_eq!(option_value("  B2B / SaaS "), "B2B_SAAS");
        assert_eq!(option_value("1st"), "OPTION_1ST");
        assert_eq!(option_value("—"), "OPTION");
    }
}
