//! The mapping file: which export file feeds which Twenty object, and how each column becomes a
//! field. `crm2twenty init` proposes it from a preset; a person reads it, edits it and keeps it in
//! git; every command that reads it validates it first and names the exact place at fault.
//!
//! ```toml
//! version = 1
//! source = "salesforce"
//!
//! [settings]
//! default_country = "US"
//! default_currency = "USD"
//!
//! [[file]]
//! path = "Account.csv"
//! object = "company"
//! id_column = "Id"
//! columns = [
//!   { column = "Name", field = "name", transform = "text" },
//!   { column = "Website", field = "domainName", transform = "domain" },
//!   { column = "OwnerId", field = "accountOwner", transform = "member", by = "source_id" },
//! ]
//! ```

use crate::schema::{FieldType, Schema};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How a column's cells are cleaned before they reach a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// The source CRM's record id: the key relations resolve by.
    Id,
    /// Trimmed text.
    Text,
    /// Multi-line text kept as Markdown (note and task bodies).
    RichText,
    Number,
    Integer,
    Boolean,
    Date,
    Datetime,
    Email,
    Phone,
    /// A company website → `https://domain.com`.
    Domain,
    /// Any other link (LinkedIn, X, …).
    Url,
    /// An amount (symbol or code allowed in the cell) → amountMicros + currencyCode.
    Money,
    /// A column holding the ISO currency code of this row's money fields.
    Currency,
    Select,
    MultiSelect,
    /// "First Last" (or "Last, First") split into a FULL_NAME.
    FullName,
    /// A country name or code → the country's English name, as Twenty's address stores it.
    Country,
    /// A reference to another record (`object`, resolved `by`).
    Relation,
    /// A reference to a CRM user → a workspace member (resolved `by`).
    Member,
    /// An attachment's file: the cell names it, as a path relative to the export folder, or
    /// inside `folder` (Salesforce names each file of `Attachments/` by the attachment's id).
    File,
    /// Not imported.
    Skip,
}

impl Transform {
    pub fn as_str(self) -> &'static str {
        match self {
            Transform::Id => "id",
            Transform::Text => "text",
            Transform::RichText => "rich_text",
            Transform::Number => "number",
            Transform::Integer => "integer",
            Transform::Boolean => "boolean",
            Transform::Date => "date",
            Transform::Datetime => "datetime",
            Transform::Email => "email",
            Transform::Phone => "phone",
            Transform::Domain => "domain",
            Transform::Url => "url",
            Transform::Money => "money",
            Transform::Currency => "currency",
            Transform::Select => "select",
            Transform::MultiSelect => "multi_select",
            Transform::FullName => "full_name",
            Transform::Country => "country",
            Transform::Relation => "relation",
            Transform::Member => "member",
            Transform::File => "file",
            Transform::Skip => "skip",
        }
    }

    /// The Twenty field type a custom field fed by this transform gets.
    pub fn field_type(self) -> Option<FieldType> {
        Some(match self {
            Transform::Text | Transform::Country => FieldType::Text,
            Transform::RichText => FieldType::RichText,
            Transform::Number | Transform::Integer => FieldType::Number,
            Transform::Boolean => FieldType::Boolean,
            Transform::Date => FieldType::Date,
            Transform::Datetime => FieldType::DateTime,
            Transform::Email => FieldType::Emails,
            Transform::Phone => FieldType::Phones,
            Transform::Domain | Transform::Url => FieldType::Links,
            Transform::Money => FieldType::Currency,
            Transform::Select => FieldType::Select,
            Transform::MultiSelect => FieldType::MultiSelect,
            Transform::FullName => FieldType::FullName,
            Transform::Relation | Transform::Member => FieldType::Relation,
            Transform::Id | Transform::Currency | Transform::File | Transform::Skip => return None,
        })
    }
}

/// The key a reference is resolved by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefKey {
    /// The target's id in the source CRM.
    SourceId,
    /// The target's name (company name, person full name, user full name).
    Name,
    /// The target's email (people, users).
    Email,
    /// The target's domain (companies).
    Domain,
}

impl RefKey {
    pub fn as_str(self) -> &'static str {
        match self {
            RefKey::SourceId => "source_id",
            RefKey::Name => "name",
            RefKey::Email => "email",
            RefKey::Domain => "domain",
        }
    }
}

/// One column of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    /// The header as it stands in the file.
    pub column: String,
    /// Target field: `name`, a composite sub-field `address.addressCity`, a relation field
    /// (`company`), `targets` for note/task links, or a custom field's API name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub transform: Transform,
    /// For `relation`: the object referred to (`company`, `person`, …, or `any` for a
    /// polymorphic id such as Salesforce's WhatId).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// For `relation` and `member`: the key the reference resolves by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<RefKey>,
    /// For `select`/`multi_select`: a named value map in `[value_maps]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<String>,
    /// For `multi_select`, multi-valued relations and emails: the separator between values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separator: Option<String>,
    /// For a field that is not one of Twenty's standard fields: the type to create it with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<FieldType>,
    /// For a custom field: its label in Twenty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// For `date`/`datetime`: whether `03/04/2024` means 3 April (true) or March 4 (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_first: Option<bool>,
    /// For `file`: the folder (relative to the export folder) the cell's file name is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    /// For `relation`: the cell is not the referenced key but a key of another file of the
    /// export whose rows give the referenced keys (Salesforce Files: a ContentVersion's
    /// `ContentDocumentId` → the `LinkedEntityId` of every ContentDocumentLink row of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through: Option<Through>,
}

/// A join through another file of the export: its rows whose `key` column holds the cell give
/// their `value` column's cells, except those starting with one of `except_prefixes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Through {
    /// The file, relative to the export folder.
    pub file: String,
    pub key: String,
    pub value: String,
    /// Values left out (Salesforce: links to users `005…` and libraries `058…`, which are not
    /// records).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except_prefixes: Vec<String>,
}

impl ColumnMapping {
    pub fn new(column: &str, field: Option<&str>, transform: Transform) -> ColumnMapping {
        ColumnMapping {
            column: column.to_string(),
            field: field.map(str::to_string),
            transform,
            object: None,
            by: None,
            values: None,
            separator: None,
            custom: None,
            label: None,
            day_first: None,
            folder: None,
            through: None,
        }
    }
}

/// Rows of a file that are left out on purpose: those whose `column` holds one of `values`
/// (compared ignoring case and surrounding spaces). `rule` names the rule in the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowFilter {
    pub column: String,
    pub values: Vec<String>,
    pub rule: String,
}

impl RowFilter {
    /// True when the cell holds one of the filter's values.
    pub fn matches(&self, cell: &str) -> bool {
        let c = cell.trim();
        self.values.iter().any(|v| v.trim().eq_ignore_ascii_case(c))
    }
}

/// One export file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileMapping {
    /// Path relative to the export folder; it may not leave it.
    pub path: String,
    /// Target object (`company`, `person`, `opportunity`, `note`, `task`, a custom object), or
    /// `workspaceMember` for a user export read only to resolve owners, or `skip`.
    pub object: String,
    /// For spreadsheets: the sheet to read (the first one by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Force an encoding (`utf-8`, `windows-1252`, `utf-16le`…) instead of detecting it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Force a delimiter instead of sniffing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// The column with the source CRM's record id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_column: Option<String>,
    /// The column with the record's last modification date (wins merge conflicts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_column: Option<String>,
    /// The column with the record's last activity date (decides staleness).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_column: Option<String>,
    /// Rows to leave out (deleted in the source, converted leads…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip_rows: Vec<RowFilter>,
    #[serde(default)]
    pub columns: Vec<ColumnMapping>,
    /// With `object = "skip"`: why the file is left out (its rows are then skipped by that
    /// rule). A file skipped without a reason is one nobody decided on: when it has rows, the
    /// run names it and exits 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The file's rows complete the records of the same object with the same id (`id_column`)
    /// from another file, filling their empty fields and relations; they are not records of
    /// their own. A row whose record is not in the export is rejected with that reason.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub completes: bool,
}

impl FileMapping {
    pub fn column(&self, name: &str) -> Option<&ColumnMapping> {
        self.columns.iter().find(|c| c.column == name)
    }

    /// The object the file's relation column for `field` (`company`) refers to: the record a
    /// `company.<field>` value of the same row describes.
    pub fn related_object<'a>(&'a self, field: &str) -> Option<&'a str> {
        relation_columns(&self.columns, field)
            .next()
            .and_then(|c| c.object.as_deref())
    }
}

/// The relation columns among `columns` that set relation field `field`.
pub fn relation_columns<'a, 'f>(
    columns: &'a [ColumnMapping],
    field: &'f str,
) -> impl Iterator<Item = &'a ColumnMapping> + use<'a, 'f> {
    columns
        .iter()
        .filter(move |c| c.transform == Transform::Relation && c.field.as_deref() == Some(field))
}

/// Clean-up policies and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// ISO 3166 code used to read national phone numbers when the row names no country.
    pub default_country: Option<String>,
    /// ISO 4217 code used for amounts that carry no currency.
    pub default_currency: String,
    /// Default reading of ambiguous dates (`03/04/2024`): day first when true.
    pub day_first: bool,
    /// A record whose last activity is older than this many days is stale.
    pub stale_after_days: u32,
    /// The date staleness is measured from (`YYYY-MM-DD`; today when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// Leave stale records out (a stale person linked to an open deal is always kept).
    pub skip_stale: bool,
    /// Leave test records out (test/asdf/example.com/"do not use").
    pub skip_test_data: bool,
    /// Merge companies whose names are near-identical (no domain needed).
    pub fuzzy_merge: bool,
    /// Similarity (0–1, Jaro-Winkler on normalised names) above which two names are the same.
    pub fuzzy_threshold: f64,
    /// Link a person with no company to the company owning their email's domain.
    pub link_by_email_domain: bool,
    /// Extra free-mail domains, on top of the built-in list, that never link people to companies.
    pub free_mail_domains: Vec<String>,
    /// Separator between values of multi-valued cells.
    pub multi_separator: String,
    /// Rows per Twenty-ready CSV file (Twenty's importer takes 10 000 at most).
    pub max_rows_per_file: usize,
    /// Stop the import while an owner or assignee the export names is not a workspace member.
    /// By default the import goes on and leaves those fields empty (system and former users
    /// own records in real exports); `check`, the summary and the report name each of them.
    pub strict_owners: bool,
    /// Create the companies that people, deals or leads name (by name, or by an id with the
    /// name beside it) and the export has no row for: a flat list's company column, Salesforce's
    /// unconverted leads, an organisation missing from its file. Columns mapped to
    /// `company.<field>` on those files (a lead's website, industry) fill them.
    pub create_companies: bool,
    /// A text field each record keeps the cells it could not read in (`Phone 1: 555-12x9`, one
    /// per line): nothing the export holds is lost, and the audit lists each. Created by
    /// `check --apply` on the objects whose records have some. "" drops them (still reported).
    pub keep_unread_in: String,
}

/// The default of [`Settings::keep_unread_in`].
pub const KEEP_UNREAD_IN: &str = "valuesAsWritten";

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            default_country: None,
            default_currency: "USD".to_string(),
            day_first: false,
            stale_after_days: 730,
            as_of: None,
            skip_stale: true,
            skip_test_data: true,
            fuzzy_merge: true,
            fuzzy_threshold: 0.95,
            link_by_email_domain: true,
            free_mail_domains: Vec::new(),
            multi_separator: ";".to_string(),
            max_rows_per_file: 10_000,
            strict_owners: false,
            create_companies: true,
            keep_unread_in: KEEP_UNREAD_IN.to_string(),
        }
    }
}

/// What `crm2twenty verify` accepts, in percent (0–100) unless said otherwise. Strict by default:
/// every record, every link, every assignment, every custom value, every sampled field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerifySettings {
    /// Records found in Twenty, out of those expected (per object).
    pub records: f64,
    /// Relations (person → company, opportunity → company / point of contact, custom relations,
    /// note and task targets) pointing at the right record.
    pub links: f64,
    /// Owners and assignees set to the right workspace member.
    pub assignments: f64,
    /// Values of custom fields kept: records whose value is filled in Twenty, out of those whose
    /// cleaned source value is filled.
    pub custom_fields: f64,
    /// Sampled records equal to the cleaned source, field by field.
    pub sample: f64,
    /// Duplicate groups (shared email, domain or near-identical name) involving a record the
    /// import wrote.
    pub max_duplicates: u64,
    /// Records compared field by field.
    pub sample_size: usize,
    /// Seed of the sample (the same seed picks the same records).
    pub seed: u64,
}

impl Default for VerifySettings {
    fn default() -> VerifySettings {
        VerifySettings {
            records: 100.0,
            links: 100.0,
            assignments: 100.0,
            custom_fields: 100.0,
            sample: 100.0,
            max_duplicates: 0,
            sample_size: 50,
            seed: 1,
        }
    }
}

impl VerifySettings {
    fn is_default(&self) -> bool {
        *self == VerifySettings::default()
    }
}

/// A workspace member known by name, for owners referenced by full name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberRef {
    pub name: String,
    pub email: String,
}

/// A custom object the import needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomObject {
    pub name: String,
    pub plural: String,
    pub label: String,
    pub label_plural: String,
}

/// The whole mapping file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub version: u32,
    /// The preset the mapping was proposed from (`salesforce`, `hubspot`, …).
    pub source: String,
    #[serde(default)]
    pub settings: Settings,
    /// Thresholds of `crm2twenty verify`.
    #[serde(default, skip_serializing_if = "VerifySettings::is_default")]
    pub verify: VerifySettings,
    #[serde(
        default,
        rename = "custom_object",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub custom_objects: Vec<CustomObject>,
    /// Workspace members by name → email, for owners the export names rather than identifies.
    #[serde(default, rename = "member", skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MemberRef>,
    /// Named select value maps: source label → Twenty option value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub value_maps: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default, rename = "file")]
    pub files: Vec<FileMapping>,
}

/// A mistake in a mapping file, with the place it is at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct MappingError {
    /// `file "Account.csv", column "Website"`, or `settings.default_currency`.
    pub place: String,
    pub message: String,
}

/// The candidate a typo most likely meant: the closest by edit distance (case and `_`/`-`/space
/// ignored), when it is close enough to be a typo of it (`persn` → `person`, `emial` →
/// `emails`, `Contacts.csv` → `Contact.csv`), else `None`.
pub fn did_you_mean<'a>(
    want: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let w = norm(want);
    if w.is_empty() {
        return None;
    }
    candidates
        .into_iter()
        .filter(|c| *c != want)
        .map(|c| {
            let n = norm(c);
            (
                strsim::damerau_levenshtein(&w, &n),
                strsim::normalized_damerau_levenshtein(&w, &n),
                c,
            )
        })
        .filter(|(d, sim, _)| *d <= 2 || *sim >= 0.75)
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map(|(_, _, c)| c)
}

/// ` (did you mean `x`?)` when a candidate is close, else nothing.
pub fn suggestion<'a>(want: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(want, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

fn err(place: impl Into<String>, message: impl Into<String>) -> MappingError {
    MappingError {
        place: place.into(),
        message: message.into(),
    }
}

/// Objects a file may target besides the schema's own.
pub const LOOKUP_ONLY: &str = "workspaceMember";
pub const SKIP_FILE: &str = "skip";
/// The object of files whose rows are attachments (a file each, attached to one record).
pub const ATTACHMENT: &str = "attachment";

impl Mapping {
    /// Parses a mapping file. Syntax errors, unknown keys and unknown values (a transform or
    /// `by` key that does not exist) come back with their line and column as the place, and
    /// toml's one-line message (`unknown variant `domian`, expected one of …`).
    pub fn from_toml(text: &str) -> Result<Mapping, MappingError> {
        toml::from_str(text).map_err(|e| {
            let place = match e.span() {
                Some(span) => {
                    let (line, column) = line_column(text, span.start);
                    format!("line {line}, column {column}")
                }
                None => "mapping".to_string(),
            };
            let message = e.message().trim().replace('\n', " ");
            err(
                place,
                message.replacen("unknown variant", "unknown value", 1),
            )
        })
    }

    /// The schema the mapping writes to: Twenty's standard objects, extended with the mapping's
    /// custom objects and custom fields.
    pub fn schema(&self, base: &Schema) -> Schema {
        let mut schema = base.clone();
        for co in &self.custom_objects {
            if schema.object(&co.name).is_none() {
                schema.objects.push(crate::schema::ObjectDef {
                    name: co.name.clone(),
                    plural: co.plural.clone(),
                    label: co.label.clone(),
                    label_plural: co.label_plural.clone(),
                    fields: vec![crate::schema::FieldDef {
                        name: "name".into(),
                        label: "Name".into(),
                        kind: FieldType::Text,
                        options: vec![],
                        relation: None,
                        unique: false,
                        custom: false,
                    }],
                    custom: true,
                });
            }
        }
        // The field unread cells are kept in, on every object a file feeds (created in the
        // workspace only where records carry some).
        let keep = self.settings.keep_unread_in.as_str();
        if !keep.is_empty() {
            for f in &self.files {
                if let Some(obj) = schema.object_mut(&f.object)
                    && obj.field(keep).is_none()
                {
                    obj.fields.push(crate::schema::FieldDef {
                        name: keep.into(),
                        label: "Values as written".into(),
                        kind: FieldType::Text,
                        options: vec![],
                        relation: None,
                        unique: false,
                        custom: true,
                    });
                }
            }
        }
        for f in &self.files {
            for c in &f.columns {
                let (Some(kind), Some(field)) = (c.custom, c.field.as_deref()) else {
                    continue;
                };
                let Some(obj) = schema.object_mut(&f.object) else {
                    continue;
                };
                let top = field.split('.').next().unwrap_or(field);
                if obj.field(top).is_some() {
                    continue;
                }
                let mut options: Vec<String> = Vec::new();
                if matches!(kind, FieldType::Select | FieldType::MultiSelect)
                    && let Some(map) = c.values.as_deref().and_then(|v| self.value_maps.get(v))
                {
                    let set: BTreeSet<&String> = map.values().collect();
                    options = set.into_iter().cloned().collect();
                }
                obj.fields.push(crate::schema::FieldDef {
                    name: top.to_string(),
                    label: c.label.clone().unwrap_or_else(|| c.column.clone()),
                    kind,
                    options,
                    relation: if kind == FieldType::Relation {
                        c.object.clone()
                    } else {
                        None
                    },
                    unique: false,
                    custom: true,
                });
            }
        }
        schema
    }

    /// Checks the mapping against the schema it writes to. Every problem found is returned, each
    /// naming its file and column.
    pub fn validate(&self, base: &Schema) -> Vec<MappingError> {
        let mut errors = Vec::new();
        if self.version != 1 {
            errors.push(err(
                "version",
                format!(
                    "unsupported mapping version {} (this tool reads 1)",
                    self.version
                ),
            ));
        }
        let v = &self.verify;
        for (name, pct) in [
            ("records", v.records),
            ("links", v.links),
            ("assignments", v.assignments),
            ("custom_fields", v.custom_fields),
            ("sample", v.sample),
        ] {
            if !(0.0..=100.0).contains(&pct) {
                errors.push(err(
                    format!("verify.{name}"),
                    format!("{pct} is not a percentage between 0 and 100"),
                ));
            }
        }
        let s = &self.settings;
        if s.default_currency.len() != 3
            || !s.default_currency.chars().all(|c| c.is_ascii_uppercase())
        {
            errors.push(err(
                "settings.default_currency",
                format!(
                    "`{}` is not an ISO 4217 code such as USD or EUR",
                    s.default_currency
                ),
            ));
        }
        if let Some(c) = &s.default_country
            && (c.len() != 2 || !c.chars().all(|c| c.is_ascii_uppercase()))
        {
            errors.push(err(
                "settings.default_country",
                format!("`{c}` is not an ISO 3166 alpha-2 code such as US or FR"),
            ));
        }
        if let Some(d) = &s.as_of
            && !is_iso_date(d)
        {
            errors.push(err(
                "settings.as_of",
                format!("`{d}` is not a YYYY-MM-DD date"),
            ));
        }
        if !(0.0..=1.0).contains(&s.fuzzy_threshold) {
            errors.push(err("settings.fuzzy_threshold", "must be between 0 and 1"));
        }
        if s.max_rows_per_file == 0 || s.max_rows_per_file > 10_000 {
            errors.push(err(
                "settings.max_rows_per_file",
                "must be between 1 and 10000 (Twenty's importer limit)",
            ));
        }
        for co in &self.custom_objects {
            for name in [&co.name, &co.plural] {
                if crate::schema::is_reserved_name(name)
                    || base
                        .objects
                        .iter()
                        .any(|o| (o.name == *name || o.plural == *name) && o.name != co.name)
                {
                    errors.push(err(
                        format!("custom_object \"{}\"", co.name),
                        format!(
                            "Twenty refuses the object name `{name}` (reserved, or the name of \
                             one of its own objects); name it otherwise, e.g. `{}`",
                            crate::schema::unreserved_name(name)
                        ),
                    ));
                }
            }
        }
        let schema = self.schema(base);
        let mut seen_paths = BTreeSet::new();
        for f in &self.files {
            let fplace = format!("file \"{}\"", f.path);
            if !seen_paths.insert(f.path.as_str()) {
                errors.push(err(&fplace, "is mapped twice"));
            }
            if let Some(m) = path_problem(&f.path) {
                errors.push(err(&fplace, m));
            }
            if f.object == SKIP_FILE {
                continue;
            }
            let object = if f.object == LOOKUP_ONLY {
                None
            } else {
                match schema.object(&f.object) {
                    Some(o) => Some(o),
                    None => {
                        errors.push(err(
                            &fplace,
                            format!(
                                "object `{}` is neither a Twenty standard object ({}) nor a [[custom_object]] of this mapping{}",
                                f.object,
                                base.objects.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", "),
                                suggestion(
                                    &f.object,
                                    schema.objects.iter().map(|o| o.name.as_str()).chain([LOOKUP_ONLY, SKIP_FILE])
                                )
                            ),
                        ));
                        continue;
                    }
                }
            };
            if f.completes && f.id_column.is_none() {
                errors.push(err(
                    &fplace,
                    "`completes = true` needs `id_column`: the id of the record each row completes",
                ));
            }
            if let Some(d) = &f.delimiter
                && d.chars().count() != 1
                && d != "\\t"
            {
                errors.push(err(
                    &fplace,
                    format!("delimiter `{d}` must be one character"),
                ));
            }
            let mut seen_cols = BTreeSet::new();
            let file_columns = f
                .columns
                .iter()
                .filter(|c| c.transform == Transform::File)
                .count();
            if f.object == ATTACHMENT && file_columns == 0 {
                errors.push(err(
                    &fplace,
                    "an attachment file needs a column with `transform = \"file\"` (the file \
                     each row attaches: its path inside the export folder)",
                ));
            }
            for c in &f.columns {
                let place = format!("file \"{}\", column \"{}\"", f.path, c.column);
                // The file column may be the id column too: Salesforce names each file of
                // `Attachments/` by its attachment's id.
                if c.transform != Transform::File && !seen_cols.insert(c.column.as_str()) {
                    errors.push(err(&place, "is mapped twice"));
                }
                if c.folder.is_some() && c.transform != Transform::File {
                    errors.push(err(&place, "`folder` is only for `transform = \"file\"`"));
                }
                if let Some(t) = &c.through {
                    if c.transform != Transform::Relation {
                        errors.push(err(
                            &place,
                            "`through` is only for `transform = \"relation\"`",
                        ));
                    }
                    if t.file.starts_with('/') || t.file.split(['/', '\\']).any(|p| p == "..") {
                        errors.push(err(
                            &place,
                            format!(
                                "`through.file = \"{}\"` must be a file inside the export",
                                t.file
                            ),
                        ));
                    }
                }
                match c.transform {
                    Transform::Skip | Transform::Id | Transform::Currency => continue,
                    Transform::File => {
                        if f.object != ATTACHMENT {
                            errors.push(err(
                                &place,
                                format!(
                                    "`transform = \"file\"` is for attachment files (`object = \"{ATTACHMENT}\"`)"
                                ),
                            ));
                        }
                        if let Some(d) = &c.folder
                            && (d.starts_with('/') || d.split(['/', '\\']).any(|p| p == ".."))
                        {
                            errors.push(err(
                                &place,
                                format!("`folder = \"{d}\"` must be a folder inside the export"),
                            ));
                        }
                        continue;
                    }
                    Transform::Relation => {
                        let Some(target) = c.object.as_deref() else {
                            errors.push(err(&place, "a relation needs `object = \"company\"` (or person, opportunity, any)"));
                            continue;
                        };
                        if target != "any" && schema.object(target).is_none() {
                            errors.push(err(
                                &place,
                                format!(
                                    "relation to unknown object `{target}`{}",
                                    suggestion(
                                        target,
                                        schema
                                            .objects
                                            .iter()
                                            .map(|o| o.name.as_str())
                                            .chain(["any"])
                                    )
                                ),
                            ));
                        }
                        if c.by.is_none() {
                            errors.push(err(
                                &place,
                                "a relation needs `by = \"source_id\"` (or name, email, domain)",
                            ));
                        }
                    }
                    Transform::Member if c.by.is_none() => {
                        errors.push(err(
                            &place,
                            "a member reference needs `by = \"source_id\"` (or name, email)",
                        ));
                    }
                    Transform::Select | Transform::MultiSelect => {
                        if let Some(v) = &c.values
                            && !self.value_maps.contains_key(v)
                        {
                            errors.push(err(
                                &place,
                                format!("value map `{v}` is not defined in [value_maps]"),
                            ));
                        }
                    }
                    _ => {}
                }
                let Some(object) = object else { continue };
                let Some(field) = c.field.as_deref() else {
                    errors.push(err(
                        &place,
                        format!("transform `{}` needs a `field`", c.transform.as_str()),
                    ));
                    continue;
                };
                if field == "targets" {
                    if !matches!(object.name.as_str(), "note" | "task" | ATTACHMENT) {
                        errors.push(err(
                            &place,
                            "`targets` exists only on notes, tasks and attachments",
                        ));
                    }
                    continue;
                }
                let mut parts = field.split('.');
                let top = parts.next().unwrap_or_default();
                let sub = parts.next();
                // A custom field to create under a name Twenty keeps for itself: the server
                // refuses it in the middle of `check --apply`, so say it before anything is made.
                if c.custom.is_some()
                    && crate::schema::is_reserved_name(top)
                    && base
                        .object(&f.object)
                        .is_none_or(|o| o.field(top).is_none())
                {
                    let other = crate::schema::unreserved_name(top);
                    let renamed = match sub {
                        Some(sub) => format!("{other}.{sub}"),
                        None => other,
                    };
                    errors.push(err(
                        &place,
                        format!(
                            "Twenty reserves the name `{top}` and refuses to create a custom field \
                             with it (1.5: \"The name '{top}' is not available\", 2.x: \"This name \
                             is reserved\"); name it otherwise, e.g. `field = \"{renamed}\"`"
                        ),
                    ));
                    continue;
                }
                // `company.domainName`: a value of the record the row's `company` column names
                // (it fills a company created from that name; see `create_companies`).
                if let (Some(def), Some(sub)) = (object.field(top), sub)
                    && def.kind == FieldType::Relation
                    && !matches!(c.transform, Transform::Relation | Transform::Member)
                {
                    if let Some(m) = related_problem(f, &schema, top, &field[top.len() + 1..]) {
                        errors.push(err(&place, m));
                    } else if c.custom.is_some() {
                        errors.push(err(
                            &place,
                            format!(
                                "`custom` cannot create a field of the related record; declare \
                                 `{sub}` on a file of `{top}`'s object, or map the column to a \
                                 field that exists"
                            ),
                        ));
                    }
                    continue;
                }
                let Some(def) = object.field(top) else {
                    errors.push(err(
                        &place,
                        format!(
                            "`{}` has no field `{top}`{}; name one of: {} — or add `custom = \"TEXT\"` (any Twenty field type) to create it",
                            object.name,
                            suggestion(top, object.fields.iter().map(|f| f.name.as_str())),
                            object.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    ));
                    continue;
                };
                if let Some(sub) = sub {
                    let known = def.kind.csv_sub_fields().iter().any(|(n, _)| *n == sub);
                    if !known {
                        errors.push(err(
                            &place,
                            format!(
                                "field `{top}` ({}) has no sub-field `{sub}`{}",
                                def.kind.as_str(),
                                suggestion(sub, def.kind.csv_sub_fields().iter().map(|(n, _)| *n))
                            ),
                        ));
                    }
                }
                if matches!(c.transform, Transform::Relation | Transform::Member)
                    && def.kind != FieldType::Relation
                {
                    errors.push(err(&place, format!("`{top}` is not a relation field")));
                }
            }
        }
        errors
    }
}

/// Why `rel.path` (a value of the record a relation column names) cannot be mapped, if it
/// cannot: `rel` must be the field of a relation column of the same file whose object is
/// known, and `path` a field (or composite part) of that object.
fn related_problem(f: &FileMapping, schema: &Schema, rel: &str, path: &str) -> Option<String> {
    let Some(target) = f.related_object(rel).filter(|o| *o != "any") else {
        return Some(format!(
            "`{rel}.…` is a value of the record the file's `{rel}` column names; map a column to \
             `{rel}` with `transform = \"relation\"` and its `object`"
        ));
    };
    let object = schema.object(target)?;
    let mut parts = path.split('.');
    let top = parts.next().unwrap_or_default();
    let sub = parts.next();
    let Some(def) = object.field(top) else {
        return Some(format!(
            "`{target}` has no field `{top}`{}; name one of: {}",
            suggestion(top, object.fields.iter().map(|f| f.name.as_str())),
            object
                .fields
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    if def.kind == FieldType::Relation {
        return Some(format!(
            "`{target}.{top}` is a relation: it cannot be filled from here"
        ));
    }
    match sub {
        Some(sub) if !def.kind.csv_sub_fields().iter().any(|(n, _)| *n == sub) => Some(format!(
            "field `{target}.{top}` ({}) has no sub-field `{sub}`",
            def.kind.as_str()
        )),
        _ => None,
    }
}

/// 1-based line and column (in characters) of byte offset `at` in `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(at)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// Why a file path of the mapping is refused, if it is: it must name a file inside the export
/// folder, so a mapping (which may come from someone else) can never make the tool read
/// `../../etc/passwd` or `/home/me/.ssh/id_rsa`. Both `/` and `\` count as separators, whatever
/// the platform.
pub fn path_problem(path: &str) -> Option<String> {
    let p = std::path::Path::new(path);
    if path.trim().is_empty() {
        return Some("the path is empty; give the file's name inside the export folder".into());
    }
    if p.is_absolute() || path.starts_with(['/', '\\']) || path.contains(':') || p.has_root() {
        return Some(
            "is an absolute path; give the path relative to the export folder (e.g. \"Account.csv\")"
                .into(),
        );
    }
    if path.split(['/', '\\']).any(|part| part == "..") {
        return Some(
            "leads out of the export folder (`..`); give the path relative to the export folder (e.g. \"Account.csv\")"
                .into(),
        );
    }
    if path.contains('\0') {
        return Some("contains a NUL character".into());
    }
    None
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_what_they_meant() {
        let objects = ["company", "person", "opportunity", "note", "task"];
        for (typo, meant) in [
            ("persn", Some("person")),
            ("Person", Some("person")),
            ("oportunity", Some("opportunity")),
            ("compagny", Some("company")),
            ("taks", Some("task")),
            ("invoice", None),
            ("", None),
        ] {
            assert_eq!(did_you_mean(typo, objects), meant, "{typo}");
        }
        let headers = ["First Name", "Email", "Account_ID"];
        assert_eq!(did_you_mean("first_name", headers), Some("First Name"));
        assert_eq!(did_you_mean("E-mail", headers), Some("Email"));
        assert_eq!(did_you_mean("AccountId", headers), Some("Account_ID"));
        assert_eq!(did_you_mean("Phone", headers), None);
        assert_eq!(suggestion("emial", ["emails"]), " (did you mean `emails`?)");
        assert_eq!(suggestion("zzz", ["emails"]), "");
    }

    const GOOD: &str = r#"
version = 1
source = "salesforce"
[settings]
default_country = "US"
[value_maps.stage]
"Closed Won" = "CUSTOMER"
"Closed Lost" = "LOST"
[[file]]
path = "Account.csv"
object = "company"
id_column = "Id"
columns = [
  { column = "Id", transform = "id" },
  { column = "Name", field = "name", transform = "text" },
  { column = "Website", field = "domainName", transform = "domain" },
  { column = "BillingCity", field = "address.addressCity", transform = "text" },
  { column = "Industry", field = "industry", transform = "select", custom = "SELECT" },
]
[[file]]
path = "Opportunity.csv"
object = "opportunity"
columns = [
  { column = "StageName", field = "stage", transform = "select", values = "stage" },
  { column = "AccountId", field = "company", transform = "relation", object = "company", by = "source_id" },
]
"#;

    #[test]
    fn a_good_mapping_validates() {
        let m = Mapping::from_toml(GOOD).unwrap();
        assert_eq!(m.validate(&Schema::standard()), vec![]);
        let schema = m.schema(&Schema::standard());
        let industry = schema.object("company").unwrap().field("industry").unwrap();
        assert!(industry.custom);
    }

    #[test]
    fn every_mistake_is_named_with_its_place() {
        let bad = GOOD
            .replace("\"address.addressCity\"", "\"address.town\"")
            .replace(
                "field = \"industry\", transform = \"select\", custom = \"SELECT\"",
                "field = \"industry\", transform = \"select\"",
            )
            .replace("values = \"stage\"", "values = \"stages\"")
            .replace("object = \"company\", by", "object = \"compagny\", by")
            .replace(
                "path = \"Opportunity.csv\"",
                "path = \"../Opportunity.csv\"",
            );
        let m = Mapping::from_toml(&bad).unwrap();
        let errors: Vec<String> = m
            .validate(&Schema::standard())
            .iter()
            .map(|e| e.to_string())
            .collect();
        let joined = errors.join("\n");
        assert!(joined.contains("file \"Account.csv\", column \"BillingCity\": field `address` (ADDRESS) has no sub-field `town`"), "{joined}");
        assert!(
            joined.contains(
                "file \"Account.csv\", column \"Industry\": `company` has no field `industry`"
            ),
            "{joined}"
        );
        assert!(
            joined.contains("column \"StageName\": value map `stages` is not defined"),
            "{joined}"
        );
        assert!(
            joined.contains("column \"AccountId\": relation to unknown object `compagny`"),
            "{joined}"
        );
        assert!(
            joined.contains("file \"../Opportunity.csv\": leads out of the export folder (`..`)"),
            "{joined}"
        );
        assert_eq!(errors.len(), 5, "{joined}");
    }

    #[test]
    fn a_reserved_custom_field_name_is_refused_with_another_proposed() {
        // What every proposed mapping asked for, and both real servers refused
        // (shared/twenty-live*/2026-12/*address*).
        let bad = GOOD.replace(
            "path = \"Opportunity.csv\"",
            "path = \"Contact.csv\"\nobject = \"person\"\ncolumns = [\n  { column = \"MailingCity\", field = \"address.addressCity\", transform = \"text\", custom = \"ADDRESS\" },\n]\n[[file]]\npath = \"Opportunity.csv\"",
        );
        let m = Mapping::from_toml(&bad).unwrap();
        let errors: Vec<String> = m
            .validate(&Schema::standard())
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("column \"MailingCity\": Twenty reserves the name `address`")
                && errors[0].contains("field = \"mailingAddress.addressCity\""),
            "{errors:?}"
        );
        // The company's own address is a standard field: nothing to create, nothing refused.
        assert_eq!(
            Mapping::from_toml(GOOD)
                .unwrap()
                .validate(&Schema::standard()),
            vec![]
        );
    }

    #[test]
    fn unknown_keys_and_bad_transforms_are_syntax_errors_with_a_line() {
        let e =
            Mapping::from_toml(&GOOD.replace("transform = \"domain\"", "transform = \"domian\""))
                .unwrap_err();
        assert_eq!(e.place, "line 16, column 59");
        assert!(
            e.message
                .starts_with("unknown value `domian`, expected one of `id`, `text`"),
            "{e}"
        );
        let e = Mapping::from_toml(&GOOD.replace("id_column", "idcolumn")).unwrap_err();
        assert_eq!(e.place, "line 12, column 1");
        assert!(e.message.starts_with("unknown field `idcolumn`"), "{e}");
        let e = Mapping::from_toml("version = 1\nsource = \"x\n").unwrap_err();
        assert_eq!(e.place, "line 2, column 12");
        assert!(!e.message.contains('\n'), "{e}");
        let e = Mapping::from_toml("version = 1\nsource = \"x\"\n[[file]]\npath = \"a.csv\"\nobject = \"person\"\ncolumns = [{ column = \"Owner\", field = \"x\", transform = \"relation\", by = \"phone\" }]\n").unwrap_err();
        assert_eq!(e.place, "line 6, column 74");
        assert!(
            e.message
                .starts_with("unknown value `phone`, expected one of `source_id`"),
            "{e}"
        );
    }

    #[test]
    fn paths_may_not_leave_the_export_folder() {
        for ok in ["Account.csv", "sub/Account.csv", "./a.csv", "a..b.csv"] {
            assert_eq!(path_problem(ok), None, "{ok}");
        }
        for (bad, why) in [
            ("../../etc/passwd", "leads out of the export folder"),
            ("sub/../../x.csv", "leads out of the export folder"),
            ("..\\..\\x.csv", "leads out of the export folder"),
            ("/etc/passwd", "is an absolute path"),
            ("\\\\server\\share\\x.csv", "is an absolute path"),
            ("C:\\Users\\x.csv", "is an absolute path"),
            ("", "the path is empty"),
        ] {
            let m = path_problem(bad).unwrap_or_default();
            assert!(m.starts_with(why), "{bad}: {m}");
        }
    }
}
