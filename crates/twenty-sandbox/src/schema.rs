//! The workspace schema: objects, fields, types, options, relations.
//!
//! The seed comes from `schema/<profile>.json`, extracted from the recorded `metadata-objects.json`
//! of each live server by `scripts/extract_schema.py`. Custom objects and fields created through the
//! metadata API are added to the same structure, and the whole schema is persisted with the records
//! so a restarted sandbox keeps them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A relation of a field to another object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Relation {
    /// `MANY_TO_ONE` or `ONE_TO_MANY`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Singular name of the target object; `None` for standard objects the sandbox doesn't store.
    pub target: Option<String>,
    /// The writable join column of a MANY_TO_ONE side (`companyId`).
    #[serde(rename = "joinColumn")]
    pub join_column: Option<String>,
    /// Name of the field on the other side.
    pub inverse: Option<String>,
}

impl Relation {
    /// Whether this is the side holding the join column.
    pub fn is_many_to_one(&self) -> bool {
        self.kind == "MANY_TO_ONE"
    }
}

/// One field of an object.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// Metadata id.
    pub id: String,
    /// API name.
    pub name: String,
    /// Human label (used in 1.5's duplicate message).
    pub label: String,
    /// Twenty field type (`TEXT`, `LINKS`, `RELATION`…).
    #[serde(rename = "type")]
    pub field_type: String,
    /// Whether null is allowed.
    pub is_nullable: bool,
    /// Whether a unique index backs the field.
    pub is_unique: bool,
    /// System field (id, createdAt…).
    pub is_system: bool,
    /// Created through the metadata API.
    pub is_custom: bool,
    /// Parsed default value (`null` when none).
    pub default_value: Value,
    /// Options of SELECT / MULTI_SELECT / RATING fields.
    pub options: Option<Vec<Value>>,
    /// Relation description for RELATION / MORPH_RELATION fields.
    pub relation: Option<Relation>,
    /// The metadata blob answered by `/rest/metadata/*`, in the profile's shape.
    pub meta: Value,
}

impl Field {
    /// Whether this field is a relation of any kind.
    pub fn is_relation(&self) -> bool {
        self.relation.is_some()
    }

    /// Option values of a select-like field.
    pub fn option_values(&self) -> Vec<String> {
        self.options
            .iter()
            .flatten()
            .filter_map(|o| o.get("value").and_then(Value::as_str).map(String::from))
            .collect()
    }

    /// The sub-field a unique index covers for composite types (contract doc §2.3/§7).
    pub fn unique_sub_field(&self) -> Option<&'static str> {
        match self.field_type.as_str() {
            "LINKS" => Some("primaryLinkUrl"),
            "EMAILS" => Some("primaryEmail"),
            "PHONES" => Some("primaryPhoneNumber"),
            _ => None,
        }
    }

    /// Whether the field holds a composite JSON object.
    pub fn is_composite(&self) -> bool {
        composite_sub_fields(&self.field_type).is_some()
    }
}

/// Sub-fields of each composite type with their kind (`s` string, `n` number, `a` array).
pub fn composite_sub_fields(field_type: &str) -> Option<&'static [(&'static str, char)]> {
    Some(match field_type {
        "FULL_NAME" => &[("firstName", 's'), ("lastName", 's')],
        "EMAILS" => &[("primaryEmail", 's'), ("additionalEmails", 'a')],
        "PHONES" => &[
            ("primaryPhoneNumber", 's'),
            ("primaryPhoneCountryCode", 's'),
            ("primaryPhoneCallingCode", 's'),
            ("additionalPhones", 'a'),
        ],
        "LINKS" => &[
            ("primaryLinkLabel", 's'),
            ("primaryLinkUrl", 's'),
            ("secondaryLinks", 'a'),
        ],
        "CURRENCY" => &[("amountMicros", 'n'), ("currencyCode", 's')],
        "ADDRESS" => &[
            ("addressStreet1", 's'),
            ("addressStreet2", 's'),
            ("addressCity", 's'),
            ("addressPostcode", 's'),
            ("addressState", 's'),
            ("addressCountry", 's'),
            ("addressLat", 'n'),
            ("addressLng", 'n'),
        ],
        "RICH_TEXT" | "RICH_TEXT_V2" => &[("blocknote", 's'), ("markdown", 's')],
        "ACTOR" => &[
            ("source", 's'),
            ("workspaceMemberId", 's'),
            ("name", 's'),
            ("context", 'o'),
        ],
        _ => return None,
    })
}

/// Field types a custom field may be created with (contract doc §3.4).
pub const CREATABLE_TYPES: &[&str] = &[
    "UUID",
    "TEXT",
    "NUMBER",
    "NUMERIC",
    "BOOLEAN",
    "DATE",
    "DATE_TIME",
    "RATING",
    "SELECT",
    "MULTI_SELECT",
    "RAW_JSON",
    "ARRAY",
    "FULL_NAME",
    "EMAILS",
    "PHONES",
    "LINKS",
    "CURRENCY",
    "ADDRESS",
    "RICH_TEXT",
    "RICH_TEXT_V2",
    "RELATION",
];

/// One object (standard or custom).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Object {
    /// Metadata id.
    pub id: String,
    /// `company`.
    pub name_singular: String,
    /// `companies`.
    pub name_plural: String,
    /// `Company`.
    pub label_singular: String,
    /// `Companies`.
    pub label_plural: String,
    /// Created through the metadata API.
    pub is_custom: bool,
    /// The metadata blob (without fields) answered by `/rest/metadata/objects`.
    pub meta: Value,
    /// Fields in answer order.
    pub fields: Vec<Field>,
}

impl Object {
    /// A field by API name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// A field by API name, mutable.
    pub fn field_mut(&mut self, name: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.name == name)
    }

    /// The MANY_TO_ONE field whose join column is `column` (`companyId` → `company`).
    pub fn field_by_join_column(&self, column: &str) -> Option<&Field> {
        self.fields.iter().find(|f| {
            f.relation
                .as_ref()
                .and_then(|r| r.join_column.as_deref())
                .is_some_and(|c| c == column)
        })
    }

    /// Whether the object has a field (or join column) of that name; used by filters and sorts.
    pub fn has_column(&self, name: &str) -> bool {
        self.field(name).is_some_and(|f| !f.is_relation())
            || self.field_by_join_column(name).is_some()
    }

    /// Unique keys: `(field name, optional sub-field, label)`.
    pub fn unique_keys(&self) -> Vec<(String, Option<&'static str>, String)> {
        self.fields
            .iter()
            .filter(|f| f.is_unique && !f.is_relation() && f.name != "id")
            .map(|f| (f.name.clone(), f.unique_sub_field(), f.label.clone()))
            .collect()
    }

    /// `Company` → used in answer keys such as `createCompany`.
    pub fn singular_capitalized(&self) -> String {
        capitalize(&self.name_singular)
    }

    /// `Companies` → used in answer keys such as `createCompanies`.
    pub fn plural_capitalized(&self) -> String {
        capitalize(&self.name_plural)
    }
}

/// Upper-cases the first letter.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The whole workspace schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Schema {
    /// Profile name this schema was seeded from.
    pub profile: String,
    /// Objects in answer order.
    pub objects: Vec<Object>,
}

impl Schema {
    /// Parses a schema document (the seed files or a persisted copy).
    pub fn from_json(text: &str) -> anyhow::Result<Schema> {
        Ok(serde_json::from_str(text)?)
    }

    /// An object by plural API name (`companies`).
    pub fn by_plural(&self, plural: &str) -> Option<&Object> {
        self.objects.iter().find(|o| o.name_plural == plural)
    }

    /// An object by singular API name (`company`).
    pub fn by_singular(&self, singular: &str) -> Option<&Object> {
        self.objects.iter().find(|o| o.name_singular == singular)
    }

    /// An object by singular API name, mutable.
    pub fn by_singular_mut(&mut self, singular: &str) -> Option<&mut Object> {
        self.objects
            .iter_mut()
            .find(|o| o.name_singular == singular)
    }

    /// An object by metadata id.
    pub fn by_id(&self, id: &str) -> Option<&Object> {
        self.objects.iter().find(|o| o.id == id)
    }

    /// `(object singular name, field name)` of a field metadata id.
    pub fn field_by_id(&self, id: &str) -> Option<(String, String)> {
        self.objects.iter().find_map(|o| {
            o.fields
                .iter()
                .find(|f| f.id == id)
                .map(|f| (o.name_singular.clone(), f.name.clone()))
        })
    }

    /// Every MANY_TO_ONE field pointing at `target`: `(object singular, field)`.
    pub fn references_to(&self, target: &str) -> Vec<(String, Field)> {
        let mut out = Vec::new();
        for o in &self.objects {
            for f in &o.fields {
                if let Some(rel) = &f.relation
                    && rel.is_many_to_one()
                    && rel.target.as_deref() == Some(target)
                {
                    out.push((o.name_singular.clone(), f.clone()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ProfileKind;

    #[test]
    fn seeds_parse_and_differ_as_recorded() {
        let s15 = Schema::from_json(ProfileKind::Twenty15.seed_schema()).unwrap();
        let s2 = Schema::from_json(ProfileKind::Twenty2.seed_schema()).unwrap();
        for s in [&s15, &s2] {
            for name in [
                "company",
                "person",
                "opportunity",
                "note",
                "noteTarget",
                "task",
                "taskTarget",
                "attachment",
                "workspaceMember",
            ] {
                assert!(s.by_singular(name).is_some(), "{} lacks {name}", s.profile);
            }
        }
        // 2.x person has no city; 1.5 has it.
        assert!(s2.by_plural("people").unwrap().field("city").is_none());
        assert!(s15.by_plural("people").unwrap().field("city").is_some());
        // Note targets: polymorphic in 2.x, classic in 1.5.
        let nt2 = s2.by_singular("noteTarget").unwrap();
        assert!(nt2.field_by_join_column("targetPersonId").is_some());
        assert!(nt2.field_by_join_column("personId").is_none());
        let nt15 = s15.by_singular("noteTarget").unwrap();
        assert!(nt15.field_by_join_column("personId").is_some());
        // Demo custom fields are gone.
        assert!(
            s2.by_singular("company")
                .unwrap()
                .field("tagline")
                .is_none()
        );
        assert!(
            s15.by_singular("person")
                .unwrap()
                .field("whatsapp")
                .is_none()
        );
        // Unique keys.
        let keys: Vec<_> = s2
            .by_singular("company")
            .unwrap()
            .unique_keys()
            .into_iter()
            .map(|k| k.0)
            .collect();
        assert_eq!(keys, vec!["domainName".to_string()]);
    }
}
