//! The records the pipeline carries from cleaning to output: Twenty-shaped values (the JSON the
//! API takes, composite fields as objects), the references still to resolve, and where each
//! record came from.

use crate::store::Slot;
use c2t_core::{IssueCode, RefKey};
use compact_str::CompactString;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

/// A field name: the mapping's names are interned once ([`intern`]), Twenty's sub-field names
/// are literals, so a record holds no copy of any name.
pub type Key = &'static str;

static NAMES: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Default::default);

/// The one `'static` copy of a name (field, object or column name: a few hundred per run).
pub fn intern(s: &str) -> Key {
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&k) = names.get(s) {
        return k;
    }
    let k: Key = Box::leak(s.to_owned().into_boxed_str());
    names.insert(k);
    k
}

/// A value in Twenty's API shape, held compactly: the JSON it stands for is built only when a
/// payload or a CSV cell is written ([`Val::to_json`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Val {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Short strings (up to 24 bytes: names, codes, dates) are held inline, without an
    /// allocation of their own.
    Str(CompactString),
    List(Vec<Val>),
    Obj(Obj),
}

/// An object (a record's fields, or a composite field's parts) in insertion order, as JSON
/// objects keep it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Obj(Vec<(Key, Val)>);

static NULL: Val = Val::Null;

impl Val {
    pub fn str(s: impl Into<CompactString>) -> Val {
        Val::Str(s.into())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The option names a select or multi-select value holds: the text, or the texts of the
    /// list (nothing for other values).
    pub fn option_names(&self) -> Vec<&str> {
        match self {
            Val::Str(s) => vec![s.as_str()],
            Val::List(a) => a.iter().filter_map(Val::as_str).collect(),
            _ => Vec::new(),
        }
    }

    pub fn as_list(&self) -> Option<&[Val]> {
        match self {
            Val::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_obj(&self) -> Option<&Obj> {
        match self {
            Val::Obj(o) => Some(o),
            _ => None,
        }
    }

    pub fn is_obj(&self) -> bool {
        matches!(self, Val::Obj(_))
    }

    /// The part `key` of an object value.
    pub fn get(&self, key: &str) -> Option<&Val> {
        self.as_obj()?.get(key)
    }

    /// True for null, "", [] and objects whose every value is empty (as [`is_empty`]).
    pub fn is_empty(&self) -> bool {
        match self {
            Val::Null => true,
            Val::Str(s) => s.is_empty(),
            Val::List(a) => a.is_empty(),
            Val::Obj(o) => o.values().all(Val::is_empty),
            _ => false,
        }
    }

    /// The JSON value.
    pub fn to_json(&self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Int(i) => Value::from(*i),
            Val::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Val::Str(s) => Value::String(s.to_string()),
            Val::List(l) => Value::Array(l.iter().map(Val::to_json).collect()),
            Val::Obj(o) => Value::Object(o.to_json()),
        }
    }

    /// The value of a JSON value (names interned).
    pub fn from_json(v: &Value) -> Val {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Val::Int(i),
                None => n.as_f64().map(Val::Float).unwrap_or(Val::Null),
            },
            Value::String(s) => Val::str(s.as_str()),
            Value::Array(a) => Val::List(a.iter().map(Val::from_json).collect()),
            Value::Object(o) => Val::Obj(Obj::from_json(o)),
        }
    }
}

impl From<Value> for Val {
    fn from(v: Value) -> Val {
        Val::from_json(&v)
    }
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::str(s)
    }
}

impl From<std::borrow::Cow<'_, str>> for Val {
    fn from(s: std::borrow::Cow<'_, str>) -> Val {
        Val::Str(s.into())
    }
}

impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Str(s.into())
    }
}

impl PartialEq<&str> for Val {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<Value> for Val {
    fn eq(&self, other: &Value) -> bool {
        self.to_json() == *other
    }
}

impl std::ops::Index<&str> for Val {
    type Output = Val;
    fn index(&self, key: &str) -> &Val {
        self.get(key).unwrap_or(&NULL)
    }
}

impl Obj {
    pub fn new() -> Obj {
        Obj(Vec::new())
    }

    pub fn from_pairs<const N: usize>(pairs: [(Key, Val); N]) -> Obj {
        Obj(pairs.into())
    }

    pub fn with_capacity(n: usize) -> Obj {
        Obj(Vec::with_capacity(n))
    }

    pub fn get(&self, key: &str) -> Option<&Val> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Val> {
        self.0.iter_mut().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key`, in place when it is there already (as a JSON object does).
    pub fn set(&mut self, key: Key, v: Val) {
        match self.get_mut(key) {
            Some(slot) => *slot = v,
            None => self.0.push((key, v)),
        }
    }

    /// [`Obj::set`] for any name (interned when new).
    pub fn insert(&mut self, key: &str, v: impl Into<Val>) {
        let v = v.into();
        match self.get_mut(key) {
            Some(slot) => *slot = v,
            None => self.0.push((intern(key), v)),
        }
    }

    /// Appends a field known not to be there yet (decoding what was an object already).
    pub(crate) fn push_unchecked(&mut self, key: Key, v: Val) {
        self.0.push((key, v));
    }

    pub fn remove(&mut self, key: &str) -> Option<Val> {
        let i = self.0.iter().position(|(k, _)| *k == key)?;
        Some(self.0.remove(i).1)
    }

    /// The value at `key`, set by `f` first when there is none.
    pub fn get_or_insert_with(&mut self, key: Key, f: impl FnOnce() -> Val) -> &mut Val {
        let i = match self.0.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.0.push((key, f()));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }

    pub fn iter(&self) -> impl Iterator<Item = (Key, &Val)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = Key> + '_ {
        self.0.iter().map(|(k, _)| *k)
    }

    pub fn values(&self) -> impl Iterator<Item = &Val> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every field with its JSON value, in order: what a payload is built from.
    pub fn iter_json(&self) -> impl Iterator<Item = (&'static str, Value)> + '_ {
        self.0.iter().map(|(k, v)| (*k, v.to_json()))
    }

    /// The JSON object.
    pub fn to_json(&self) -> Map<String, Value> {
        self.0
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_json()))
            .collect()
    }

    pub fn from_json(m: &Map<String, Value>) -> Obj {
        Obj(m
            .iter()
            .map(|(k, v)| (intern(k), Val::from_json(v)))
            .collect())
    }

    /// Gives back spare capacity (records are kept until the end of the run).
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
        for (_, v) in &mut self.0 {
            match v {
                Val::Obj(o) => o.shrink_to_fit(),
                Val::List(l) => l.shrink_to_fit(),
                _ => {}
            }
        }
    }
}

impl From<Map<String, Value>> for Obj {
    fn from(m: Map<String, Value>) -> Obj {
        Obj::from_json(&m)
    }
}

impl std::ops::Index<&str> for Obj {
    type Output = Val;
    fn index(&self, key: &str) -> &Val {
        self.get(key).unwrap_or(&NULL)
    }
}

/// What every reference made by one mapped column shares: the column's part of a [`Ref`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RefSpec {
    /// The relation field (`company`, `pointOfContact`, `accountOwner`, or `targets`).
    pub field: Key,
    /// Target object, `any` for a polymorphic id, `workspaceMember` for owners.
    pub object: Key,
    pub by: RefKey,
    pub column: Key,
}

static SPECS: LazyLock<Mutex<HashSet<&'static RefSpec>>> = LazyLock::new(Default::default);

impl RefSpec {
    /// The one `'static` copy of a spec (one per relation column of the mapping).
    pub fn intern(spec: RefSpec) -> &'static RefSpec {
        let mut specs = SPECS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&s) = specs.get(&spec) {
            return s;
        }
        let s: &'static RefSpec = Box::leak(Box::new(spec));
        specs.insert(s);
        s
    }
}

/// A reference from a record to another one, resolved by the linker: the column's [`RefSpec`]
/// (shared, read through `Deref`: `r.field`, `r.object`, `r.by`, `r.column`) and the keys of
/// this row. A row holds two or three of these, so they are kept small: 24 bytes, and ids up to
/// 24 bytes (Salesforce's 18, HubSpot's numbers) without an allocation of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    pub spec: &'static RefSpec,
    /// The referenced keys as the export wrote them (several for multi-valued cells).
    pub values: Box<[CompactString]>,
}

impl Ref {
    pub fn new(field: &str, object: &str, by: RefKey, values: Vec<String>, column: &str) -> Ref {
        Ref {
            spec: RefSpec::intern(RefSpec {
                field: intern(field),
                object: intern(object),
                by,
                column: intern(column),
            }),
            values: values.into_iter().map(CompactString::from).collect(),
        }
    }
}

impl std::ops::Deref for Ref {
    type Target = RefSpec;
    fn deref(&self) -> &RefSpec {
        self.spec
    }
}

/// One cleaned source row, on its way to becoming one Twenty record.
///
/// Its field values wait in the run's [`Store`](crate::store::Store) (at `stored`); the record
/// keeps in memory only the few that de-duplication, linking and messages look up
/// ([`lookup_of`]).
#[derive(Debug, Clone)]
pub struct Record {
    pub object: CompactString,
    /// Index of the file in the mapping.
    pub file: usize,
    pub line: u64,
    pub source_id: Option<CompactString>,
    /// The values looked up while the run goes: name, title, stage, primary email, website.
    pub lookup: Lookup,
    /// Where the record's values are ([`crate::job::Prepared::values`] reads them).
    pub stored: Slot,
    /// Which of its fields and parts hold a value ([`crate::filled::mask`]).
    pub filled: u64,
    pub refs: Vec<Ref>,
    /// Last modification (ISO date or date-time), for merge conflicts.
    pub modified: Option<CompactString>,
    /// Last activity (ISO date or date-time), for staleness.
    pub activity: Option<CompactString>,
    /// Why the row looks like test data, if it does.
    pub test_reason: Option<Box<str>>,
}

/// The values a record keeps in memory ([`Record::lookup`]): `name`, `title` and `stage`, and
/// the primary email and website of `emails` and `domainName`, encoded as the store encodes
/// values (one allocation of a few dozen bytes).
///
/// The bytes start with where the primary email's and the website's text are in the encoded
/// values (four numbers: start + 1, or 0 when there is none, and length, each), which the
/// de-duplication keys, the linker and the export read for every record, so that they are
/// found without walking the values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lookup(Box<[u8]>);

/// Where a text is in encoded values: start and length.
type Span = (usize, usize);

impl Lookup {
    /// What a record whose values are `values` keeps in memory.
    pub fn of(values: &Obj) -> Lookup {
        // Encoded from references: nothing is copied but the bytes.
        let mut entries: Vec<(Key, Option<Key>, &Val)> = Vec::with_capacity(5);
        let (mut email, mut url) = (None, None);
        for (k, v) in values.iter() {
            let entry = match (k, v) {
                ("name" | "title" | "stage", _) => (k, None, v),
                ("emails", Val::Obj(o)) => match o.get("primaryEmail") {
                    Some(e) => {
                        email.get_or_insert(entries.len());
                        (k, Some("primaryEmail"), e)
                    }
                    None => continue,
                },
                ("domainName", Val::Obj(o)) => match o.get("primaryLinkUrl") {
                    Some(u) => {
                        url.get_or_insert(entries.len());
                        (k, Some("primaryLinkUrl"), u)
                    }
                    None => continue,
                },
                _ => continue,
            };
            entries.push(entry);
        }
        let mut body = Vec::with_capacity(64);
        let starts = crate::store::encode_entries(&entries, &mut body);
        let span =
            |entry: Option<usize>| entry.and_then(|e| crate::store::text_span(&body, starts[e]));
        let mut bytes = Vec::with_capacity(body.len() + 4);
        for found in [span(email), span(url)] {
            let (start, len) = found.map_or((0, 0), |(s, n)| (s + 1, n));
            crate::store::put_varint(&mut bytes, start);
            crate::store::put_varint(&mut bytes, len);
        }
        bytes.extend_from_slice(&body);
        Lookup(bytes.into_boxed_slice())
    }

    /// The encoded values, after the header, and the header's spans (email, website).
    fn parts(&self) -> (&[u8], [Option<Span>; 2]) {
        if self.0.is_empty() {
            return (&[], [None, None]);
        }
        let mut at = 0;
        let mut span = || {
            let start = crate::store::read_varint(&self.0, &mut at);
            let len = crate::store::read_varint(&self.0, &mut at);
            (start > 0).then(|| (start - 1, len))
        };
        let spans = [span(), span()];
        (&self.0[at..], spans)
    }

    fn text(&self, which: usize) -> Option<&str> {
        let (body, spans) = self.parts();
        let (start, len) = spans[which]?;
        Some(std::str::from_utf8(&body[start..start + len]).expect("the lookup holds UTF-8 text"))
    }

    /// The primary email (`emails.primaryEmail`), when there is one.
    pub fn primary_email(&self) -> Option<&str> {
        self.text(0)
    }

    /// The website (`domainName.primaryLinkUrl`), when there is one.
    pub fn website(&self) -> Option<&str> {
        self.text(1)
    }

    /// The encoded values, when there are any (a default lookup holds nothing).
    fn body(&self) -> Option<&[u8]> {
        let (body, _) = self.parts();
        (!body.is_empty()).then_some(body)
    }

    /// The text at a dotted path (`emails.primaryEmail`), when it is text.
    pub fn str(&self, path: &str) -> Option<&str> {
        crate::store::find_str(self.body()?, path)
    }

    /// The value at a top-level field.
    pub fn get(&self, field: &str) -> Option<Val> {
        crate::store::find_val(self.body()?, field)
    }

    /// Every value held.
    pub fn to_obj(&self) -> Obj {
        self.body().map_or_else(Obj::new, crate::store::decode)
    }
}

impl Record {
    /// The person's primary email, lower-cased.
    pub fn primary_email(&self) -> Option<&str> {
        self.lookup.primary_email().filter(|s| !s.is_empty())
    }

    /// The company's website as stored (`https://acme.com`).
    pub fn domain_url(&self) -> Option<&str> {
        self.lookup.website().filter(|s| !s.is_empty())
    }

    /// A name to show a person: company/opportunity name, person full name, note title.
    pub fn display_name(&self) -> String {
        if let Some(n) = self.lookup.get("name") {
            match n {
                Val::Str(s) => return s.to_string(),
                Val::Obj(o) => {
                    let f = o.get("firstName").and_then(Val::as_str).unwrap_or("");
                    let l = o.get("lastName").and_then(Val::as_str).unwrap_or("");
                    return format!("{f} {l}").trim().to_string();
                }
                _ => {}
            }
        }
        if let Some(t) = self.lookup.str("title") {
            return t.to_string();
        }
        self.primary_email().unwrap_or_default().to_string()
    }
}

impl Record {
    /// A record no row became: a company created from the name other rows give it
    /// ([`crate::derive`]). Its `file` is the file of the first row that named it.
    pub fn is_created(&self) -> bool {
        self.line == 0
    }
}

pub fn get_path<'a>(values: &'a Obj, path: &str) -> Option<&'a Val> {
    let mut parts = path.split('.');
    let mut cur = values.get(parts.next()?)?;
    for p in parts {
        cur = cur.as_obj()?.get(p)?;
    }
    Some(cur)
}

/// Sets a value at a path given as its parts (`["address", "addressCity"]`), creating the
/// composite object on the way.
pub fn set_parts(values: &mut Obj, parts: &[Key], v: Val) {
    match parts {
        [] => {}
        [last] => values.set(last, v),
        [top, rest @ ..] => {
            let entry = values.get_or_insert_with(top, || Val::Obj(Obj::new()));
            if !entry.is_obj() {
                *entry = Val::Obj(Obj::new());
            }
            if let Val::Obj(m) = entry {
                set_parts(m, rest, v);
            }
        }
    }
}

/// Sets a value at a dotted path, creating the composite object on the way.
pub fn set_path(values: &mut Obj, path: &str, v: Val) {
    let parts: Vec<Key> = path.split('.').map(intern).collect();
    set_parts(values, &parts, v);
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

#[cfg(test)]
mod tests {
    use super::{Lookup, Obj, Val};
    use serde_json::json;

    /// The header's email and website are what a walk of the values finds, present or not.
    #[test]
    fn lookup_header_finds_what_the_values_hold() {
        let cases = [
            json!({"name": {"firstName": "Ada", "lastName": "Byron"},
                   "emails": {"primaryEmail": "ada@x.io", "additionalEmails": ["b@x.io"]},
                   "domainName": {"primaryLinkUrl": "https://x.io"}}),
            json!({"domainName": {"primaryLinkUrl": "https://acme.com"}, "name": "Acme"}),
            json!({"emails": {"primaryEmail": ""}, "title": "T"}),
            json!({"emails": {"primaryEmail": null}, "domainName": {"primaryLinkLabel": "x"}}),
            json!({"emails": {"additionalEmails": ["a@b.co"]}}),
            json!({"name": "é".repeat(300), "emails": {"primaryEmail": "z".repeat(200)}}),
            json!({}),
        ];
        for case in cases {
            let values = Obj::from_json(case.as_object().unwrap());
            let l = Lookup::of(&values);
            assert_eq!(l.primary_email(), l.str("emails.primaryEmail"), "{case}");
            assert_eq!(l.website(), l.str("domainName.primaryLinkUrl"), "{case}");
            let walked = |path: &str| super::get_path(&values, path).and_then(Val::as_str);
            assert_eq!(l.primary_email(), walked("emails.primaryEmail"), "{case}");
            assert_eq!(l.website(), walked("domainName.primaryLinkUrl"), "{case}");
            assert_eq!(l.get("name"), values.get("name").cloned(), "{case}");
        }
        let empty = Lookup::default();
        assert_eq!((empty.primary_email(), empty.website()), (None, None));
        assert_eq!((empty.str("name"), empty.get("name")), (None, None));
        assert!(empty.to_obj().is_empty());
    }
}
