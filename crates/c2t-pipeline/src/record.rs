//! The records the pipeline carries from cleaning to output: Twenty-shaped values (the JSON the
//! API takes, composite fields as objects), the references still to resolve, and where each
//! record came from.

use c2t_core::{IssueCode, RefKey};
use serde_json::{Map, Value};

/// A reference from a record to another one, resolved by the linker.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    /// The relation field (`company`, `pointOfContact`, `accountOwner`, or `targets`).
    pub field: String,
    /// Target object, `any` for a polymorphic id, `workspaceMember` for owners.
    pub object: String,
    pub by: RefKey,
    /// The referenced keys as the export wrote them (several for multi-valued cells).
    pub values: Vec<String>,
    pub column: String,
}

/// One cleaned source row, on its way to becoming one Twenty record.
#[derive(Debug, Clone)]
pub struct Record {
    pub object: String,
    /// Index of the file in the mapping.
    pub file: usize,
    pub line: u64,
    pub source_id: Option<String>,
    /// Field values in Twenty's API shape.
    pub values: Map<String, Value>,
    pub refs: Vec<Ref>,
    /// Last modification (ISO date or date-time), for merge conflicts.
    pub modified: Option<String>,
    /// Last activity (ISO date or date-time), for staleness.
    pub activity: Option<String>,
    /// Why the row looks like test data, if it does.
    pub test_reason: Option<String>,
}

impl Record {
    /// A value at a dotted path (`address.addressCity`).
    pub fn get(&self, path: &str) -> Option<&Value> {
        get_path(&self.values, path)
    }

    /// The person's primary email, lower-cased.
    pub fn primary_email(&self) -> Option<&str> {
        self.get("emails.primaryEmail")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The company's website as stored (`https://acme.com`).
    pub fn domain_url(&self) -> Option<&str> {
        self.get("domainName.primaryLinkUrl")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A name to show a person: company/opportunity name, person full name, note title.
    pub fn display_name(&self) -> String {
        if let Some(n) = self.values.get("name") {
            match n {
                Value::String(s) => return s.clone(),
                Value::Object(o) => {
                    let f = o.get("firstName").and_then(Value::as_str).unwrap_or("");
                    let l = o.get("lastName").and_then(Value::as_str).unwrap_or("");
                    return format!("{f} {l}").trim().to_string();
                }
                _ => {}
            }
        }
        if let Some(Value::String(t)) = self.values.get("title") {
            return t.clone();
        }
        self.primary_email().unwrap_or_default().to_string()
    }
}

pub fn get_path<'a>(values: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut cur = values.get(parts.next()?)?;
    for p in parts {
        cur = cur.as_object()?.get(p)?;
    }
    Some(cur)
}

/// Sets a value at a dotted path, creating the composite object on the way.
pub fn set_path(values: &mut Map<String, Value>, path: &str, v: Value) {
    match path.split_once('.') {
        None => {
            values.insert(path.to_string(), v);
        }
        Some((top, rest)) => {
            let entry = values
                .entry(top.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(m) = entry {
                set_path(m, rest, v);
            }
        }
    }
}

/// True for null, "", [] and objects whose every value is empty.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_empty),
        _ => false,
    }
}

/// A problem with one cell, kept for the audit.
#[derive(Debug, Clone)]
pub struct Finding {
    pub file: usize,
    pub line: u64,
    pub column: String,
    pub code: IssueCode,
    pub message: String,
}
