//! Turns one source row into one [`Record`]: every mapped cell cleaned by its transform
//! (c2t-normalize), composite fields assembled in Twenty's shape, references collected for the
//! linker, and every bad value reported as a [`Finding`] while the record is kept.

use crate::record::{Finding, Key, Obj, Record, Ref, RefSpec, Val, intern, set_parts};
use c2t_core::{FieldType, FileMapping, IssueCode, Mapping, ObjectDef, RefKey, Transform};
use c2t_normalize as n;
use c2t_normalize::date::DateOrder;
use c2t_normalize::number::NumberStyle;
use compact_str::CompactString;
use csv::StringRecord;
use std::collections::BTreeMap;

/// What the transformer knows about one file before its rows arrive: the column positions and
/// the date order and number style inferred for each column from its values.
pub struct FileContext<'m> {
    pub index: usize,
    pub mapping: &'m Mapping,
    pub file: &'m FileMapping,
    pub object: Option<&'m ObjectDef>,
    /// The file's object name, interned (what [`crate::filled::mask`] numbers bits by).
    pub object_key: Key,
    /// Position of each mapped column in the header row (None: the column is missing).
    pub positions: Vec<Option<usize>>,
    pub id_pos: Option<usize>,
    pub modified_pos: Option<usize>,
    pub activity_pos: Option<usize>,
    /// Per header position.
    pub date_orders: BTreeMap<usize, DateOrder>,
    pub number_styles: BTreeMap<usize, NumberStyle>,
    /// Columns whose dd/mm vs mm/dd order the values did not decide.
    pub ambiguous_dates: Vec<String>,
    /// Per mapped column (by index) with `through`: the keys the other file gives each cell.
    pub through: BTreeMap<usize, rustc_hash::FxHashMap<String, Vec<String>>>,
    /// Per mapped column: its field and the field's path parts (interned), the type of the
    /// field in the schema, and what its references share.
    targets: Vec<Target>,
}

struct Target {
    /// The field written (for a value of a related record, its field there: `domainName` of
    /// `company.domainName`).
    field: Key,
    /// The path written (without the relation field, for a related record's value).
    parts: Vec<Key>,
    /// For `company.domainName`: the relation field (`company`) whose record the value is of.
    /// Such values are kept under that name in the row's values until the job takes them out
    /// ([`crate::derive`]).
    related: Option<Key>,
    kind: Option<FieldType>,
    /// Whether the value may mark the row as test data.
    identity: bool,
    /// What the references made from this column share (relation and owner columns).
    ref_spec: Option<&'static RefSpec>,
}

/// What the references of a relation or owner column share; None for other columns.
fn ref_spec(c: &c2t_core::ColumnMapping, field: &str) -> Option<&'static RefSpec> {
    let object = match c.transform {
        Transform::Member => "workspaceMember",
        Transform::Relation => c.object.as_deref().map(intern).unwrap_or("any"),
        _ => return None,
    };
    Some(RefSpec::intern(RefSpec {
        field: intern(field),
        object,
        by: c.by.unwrap_or(RefKey::SourceId),
        column: intern(&c.column),
    }))
}

/// The path, relative to the export folder and with `/` between its parts, of the file an
/// attachment row names: the cell as written (`docs\\contract.pdf`, `./docs/contract.pdf`), or the
/// cell inside `folder` (Salesforce: `Attachments` + the attachment's id).
pub fn file_path(folder: Option<&str>, cell: &str) -> String {
    let cell = cell.trim().replace('\\', "/");
    let joined = match folder.map(|f| f.trim().trim_end_matches(['/', '\\'])) {
        Some(f) if !f.is_empty() => format!("{}/{cell}", f.replace('\\', "/")),
        _ => cell,
    };
    joined
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// Columns of the file that need a date order or number style inferred, by header position.
pub fn inference_columns(file: &FileMapping, headers: &[String]) -> (Vec<usize>, Vec<usize>) {
    let pos = |name: &str| headers.iter().position(|h| h == name);
    let mut dates = Vec::new();
    let mut numbers = Vec::new();
    for c in &file.columns {
        let Some(p) = pos(&c.column) else { continue };
        match c.transform {
            Transform::Date | Transform::Datetime => dates.push(p),
            Transform::Number | Transform::Integer | Transform::Money => numbers.push(p),
            _ => {}
        }
    }
    for p in [&file.modified_column, &file.activity_column]
        .into_iter()
        .flatten()
        .filter_map(|c| pos(c))
    {
        if !dates.contains(&p) {
            dates.push(p);
        }
    }
    (dates, numbers)
}

impl<'m> FileContext<'m> {
    pub fn new(
        index: usize,
        mapping: &'m Mapping,
        schema: &'m c2t_core::Schema,
        headers: &[String],
        samples: &BTreeMap<usize, Vec<String>>,
    ) -> FileContext<'m> {
        let file = &mapping.files[index];
        let schema_object = schema.object(&file.object);
        let pos = |name: &str| headers.iter().position(|h| h == name);
        let positions = file.columns.iter().map(|c| pos(&c.column)).collect();
        let (dates, numbers) = inference_columns(file, headers);
        let mut date_orders = BTreeMap::new();
        let mut ambiguous_dates = Vec::new();
        for p in dates {
            let vals: Vec<&str> = samples
                .get(&p)
                .map(|v| v.iter().map(String::as_str).collect())
                .unwrap_or_default();
            let col = file.columns.iter().find(|c| Some(p) == pos(&c.column));
            let default_day_first = col
                .and_then(|c| c.day_first)
                .unwrap_or(mapping.settings.day_first);
            let guess = n::date::infer(&vals, default_day_first);
            let order = guess.order.unwrap_or(if default_day_first {
                DateOrder::DayFirst
            } else {
                DateOrder::MonthFirst
            });
            let forced = col.and_then(|c| c.day_first).is_some();
            if guess.ambiguous && !forced {
                ambiguous_dates.push(headers[p].clone());
            }
            date_orders.insert(p, order);
        }
        let mut number_styles = BTreeMap::new();
        for p in numbers {
            let vals: Vec<&str> = samples
                .get(&p)
                .map(|v| v.iter().map(String::as_str).collect())
                .unwrap_or_default();
            if let Some(style) = n::number::infer_style(&vals) {
                number_styles.insert(p, style);
            }
        }
        let targets = file
            .columns
            .iter()
            .map(|c| {
                let field = c.field.as_deref().unwrap_or("");
                let top = field.split('.').next().unwrap_or(field);
                let top_def = schema_object.and_then(|o| o.field(top));
                // `company.domainName`: a value of the record the `company` column names.
                let related_object =
                    (!matches!(c.transform, Transform::Relation | Transform::Member)
                        && field.contains('.')
                        && top_def.is_some_and(|f| f.kind == FieldType::Relation))
                    .then(|| file.related_object(top))
                    .flatten();
                if let Some(target) = related_object {
                    let path = &field[top.len() + 1..];
                    let sub_top = path.split('.').next().unwrap_or(path);
                    return Target {
                        field: intern(sub_top),
                        parts: path.split('.').map(intern).collect(),
                        related: Some(intern(top)),
                        kind: schema
                            .object(target)
                            .and_then(|o| o.field(sub_top))
                            .map(|f| f.kind),
                        identity: false,
                        ref_spec: None,
                    };
                }
                Target {
                    field: intern(field),
                    parts: field.split('.').map(intern).collect(),
                    related: None,
                    kind: top_def.map(|f| f.kind),
                    identity: is_identity_field(field),
                    ref_spec: ref_spec(c, field),
                }
            })
            .collect();
        FileContext {
            targets,
            index,
            mapping,
            file,
            object: schema_object,
            object_key: intern(&file.object),
            positions,
            id_pos: file.id_column.as_deref().and_then(pos),
            modified_pos: file.modified_column.as_deref().and_then(pos),
            activity_pos: file.activity_column.as_deref().and_then(pos),
            date_orders,
            number_styles,
            ambiguous_dates,
            through: BTreeMap::new(),
        }
    }

    fn date_at(&self, cells: &StringRecord, pos: Option<usize>) -> Option<String> {
        let p = pos?;
        let v = n::text::trim(cells.get(p)?);
        if v.is_empty() {
            return None;
        }
        let order = self
            .date_orders
            .get(&p)
            .copied()
            .unwrap_or(DateOrder::MonthFirst);
        n::date::datetime(v, order).ok()
    }

    /// Cleans one row: the record (its [`Record::lookup`] filled, not yet stored) and its
    /// values. Bad values are left out and reported in `findings`.
    pub fn transform(
        &self,
        line: u64,
        cells: &StringRecord,
        findings: &mut Vec<Finding>,
    ) -> (Record, Obj) {
        let settings = &self.mapping.settings;
        let mut values = Obj::with_capacity(self.file.columns.len().min(16));
        let mut rec = Record {
            object: self.file.object.as_str().into(),
            file: self.index,
            line,
            source_id: self
                .id_pos
                .and_then(|p| cells.get(p))
                .map(n::text::trim)
                .filter(|s| !s.is_empty())
                .map(CompactString::from),
            lookup: Default::default(),
            stored: Default::default(),
            filled: 0,
            refs: Vec::new(),
            modified: self
                .date_at(cells, self.modified_pos)
                .map(CompactString::from),
            activity: self
                .date_at(cells, self.activity_pos)
                .map(CompactString::from),
            test_reason: None,
        };
        let mut report = |column: &str, issue: c2t_core::Issue| {
            findings.push(Finding {
                file: self.index,
                line,
                column: column.to_string(),
                code: issue.code,
                message: issue.message,
            });
        };
        // Row-level context first: the row's currency and country.
        let mut currency: Option<String> = None;
        let mut region: Option<String> = None;
        // Country cells read here, by column index, so the column's own turn below reuses them.
        let mut countries: Vec<(usize, Result<n::address::Country, c2t_core::Issue>)> = Vec::new();
        for (ci, (c, pos)) in self.file.columns.iter().zip(&self.positions).enumerate() {
            if !matches!(c.transform, Transform::Currency | Transform::Country) {
                continue;
            }
            let Some(v) = pos
                .and_then(|p| cells.get(p))
                .map(n::text::trim)
                .filter(|s| !s.is_empty())
            else {
                continue;
            };
            match c.transform {
                // A code, a symbol or a name in any of seven languages ("US Dollar",
                // "Couronne suédoise"); what reads as none is reported, and the amounts of the
                // row fall back to the default currency.
                Transform::Currency => match n::money::currency_code(v) {
                    Some(code) => currency = Some(code.to_string()),
                    None => report(
                        &c.column,
                        c2t_core::Issue::new(
                            c2t_core::IssueCode::CurrencyUnknown,
                            format!(
                                "\"{}\" is not a currency we know; the row's amounts are read in the default currency",
                                excerpt(v)
                            ),
                        ),
                    ),
                },
                Transform::Country => {
                    let found = match n::address::country_matched(v) {
                        Ok((country, n::address::CountryMatch::Misspelled { of, .. })) => {
                            report(
                                &c.column,
                                c2t_core::Issue::new(
                                    c2t_core::IssueCode::ValueRepaired,
                                    format!("\"{}\" read as {of}", excerpt(v)),
                                ),
                            );
                            Ok(country)
                        }
                        other => other.map(|(country, _)| country),
                    };
                    if let Ok(country) = &found {
                        region = Some(country.code.to_string());
                    }
                    countries.push((ci, found));
                }
                _ => {}
            }
        }
        let region = region.or_else(|| settings.default_country.clone());
        // Values of related records (`company.domainName`), by relation field.
        let mut related = Obj::new();
        // Cells whose value could not be read into its field, as written (`Phone: 555-12`).
        let mut as_written: Vec<String> = Vec::new();
        for (ci, ((c, pos), t)) in self
            .file
            .columns
            .iter()
            .zip(&self.positions)
            .zip(&self.targets)
            .enumerate()
        {
            let Some(p) = *pos else { continue };
            let raw = cells.get(p).unwrap_or("");
            let v = n::text::clean(raw);
            if v.is_empty() {
                continue;
            }
            let field = t.field;
            let values: &mut Obj = match t.related {
                None => &mut values,
                Some(rel) => match related.get_or_insert_with(rel, || Val::Obj(Obj::new())) {
                    Val::Obj(o) => o,
                    _ => unreachable!("related values are objects"),
                },
            };
            if rec.test_reason.is_none()
                && settings.skip_test_data
                && t.identity
                && n::text::is_test_value(&v)
            {
                rec.test_reason = Some(format!("{} = \"{}\"", c.column, excerpt(&v)).into());
            }
            let mut unread = false;
            match c.transform {
                Transform::Skip | Transform::Id | Transform::Currency => {}
                Transform::File => set_parts(
                    values,
                    &t.parts,
                    Val::from(file_path(c.folder.as_deref(), &v)),
                ),
                Transform::Text => set_parts(values, &t.parts, Val::from(v)),
                Transform::RichText => {
                    // Email and note bodies CRMs export as HTML become Markdown; plain text is
                    // kept as it is.
                    let v = n::html::html_to_markdown(&v);
                    let md = match values
                        .get(field)
                        .and_then(|b| b.get("markdown"))
                        .and_then(Val::as_str)
                    {
                        Some(prev) if !prev.is_empty() => format!("{prev}\n\n{v}"),
                        _ => v.into_owned(),
                    };
                    values.set(
                        field,
                        Val::Obj(Obj::from_pairs([("markdown", Val::from(md))])),
                    );
                }
                Transform::Number | Transform::Integer => {
                    match n::number::decimal(&v, self.number_styles.get(&p).copied()) {
                        Ok(d) => match decimal_json(d, c.transform == Transform::Integer) {
                            Some(num) => set_parts(values, &t.parts, num),
                            None => {
                                report(
                                    &c.column,
                                    c2t_core::Issue::new(
                                        IssueCode::NumberInvalid,
                                        format!("`{}` is out of range", excerpt(&v)),
                                    ),
                                );
                                unread = true;
                            }
                        },
                        Err(i) => {
                            report(&c.column, i);
                            unread = true;
                        }
                    }
                }
                Transform::Boolean => match n::boolean::boolean(&v) {
                    Ok(b) => set_parts(values, &t.parts, Val::Bool(b)),
                    Err(i) => {
                        report(&c.column, i);
                        unread = true;
                    }
                },
                Transform::Date | Transform::Datetime => {
                    let order = self
                        .date_orders
                        .get(&p)
                        .copied()
                        .unwrap_or(DateOrder::MonthFirst);
                    let kind = t.kind;
                    let as_datetime = kind == Some(FieldType::DateTime)
                        || (kind.is_none() && c.transform == Transform::Datetime);
                    let r = if as_datetime {
                        n::date::datetime(&v, order)
                    } else {
                        n::date::date(&v, order)
                    };
                    match r {
                        Ok(d) => set_parts(values, &t.parts, Val::from(d)),
                        Err(i) => {
                            report(&c.column, i);
                            unread = true;
                        }
                    }
                }
                Transform::Email => {
                    // What people type around an address (`annie @contoso.com`, `mailto:`,
                    // `Annie <annie@x.com>`) is repaired, and the repair reported.
                    let (repaired, issues) = n::email::emails_repaired(&v);
                    for i in issues {
                        report(&c.column, i);
                    }
                    let mut emails = Vec::with_capacity(repaired.len());
                    for r in repaired {
                        if !r.repairs.is_empty() {
                            let what: Vec<&str> = r.repairs.iter().map(|x| x.describe()).collect();
                            report(
                                &c.column,
                                c2t_core::Issue::new(
                                    c2t_core::IssueCode::ValueRepaired,
                                    format!(
                                        "\"{}\" read as {} ({})",
                                        excerpt(&v),
                                        r.address,
                                        what.join(", ")
                                    ),
                                ),
                            );
                        }
                        emails.push(r.address);
                    }
                    if emails.is_empty() {
                        as_written.push(format!("{}: {}", c.column, n::text::trim(raw)));
                        continue;
                    }
                    if t.kind == Some(FieldType::Emails) || field == "emails" {
                        add_emails(values, field, emails);
                    } else {
                        let first = emails.into_iter().next().unwrap_or_default();
                        set_parts(values, &t.parts, Val::from(first));
                    }
                }
                Transform::Phone => match n::phone::phone(&v, region.as_deref()) {
                    Ok(ph) => {
                        // Twenty's phones have no extension before 2.x's newest: the number as
                        // written keeps it.
                        if ph.extension.is_some() {
                            unread = true;
                        }
                        add_phone(values, field, &ph)
                    }
                    Err(i) => {
                        report(&c.column, i);
                        unread = true;
                    }
                },
                Transform::Domain => match n::domain::domain(&v) {
                    Ok(d) => add_link(values, field, d.url),
                    Err(i) => {
                        report(&c.column, i);
                        unread = true;
                    }
                },
                Transform::Url => match n::url::link(&v) {
                    Ok(u) => add_link(values, field, u),
                    Err(i) => {
                        report(&c.column, i);
                        unread = true;
                    }
                },
                Transform::Money => {
                    match n::money::money(
                        &v,
                        currency.as_deref(),
                        &settings.default_currency,
                        self.number_styles.get(&p).copied(),
                    ) {
                        Ok(m) => set_parts(
                            values,
                            &t.parts,
                            Val::Obj(Obj::from_pairs([
                                ("amountMicros", Val::Int(m.amount_micros)),
                                ("currencyCode", Val::from(m.currency_code)),
                            ])),
                        ),
                        Err(i) => {
                            report(&c.column, i);
                            unread = true;
                        }
                    }
                }
                Transform::Select => {
                    // A value mapped to "" leaves the field as an earlier column set it (e.g. a
                    // deal's "Open" status leaves its stage alone; "Lost" overrides it).
                    let value = self.select_value(c.values.as_deref(), &v);
                    if !value.is_empty() {
                        set_parts(values, &t.parts, Val::from(value));
                    }
                }
                Transform::MultiSelect => {
                    let sep = c.separator.as_deref().unwrap_or(&settings.multi_separator);
                    let vals: Vec<Val> = n::select::split_multi(&v, sep)
                        .iter()
                        .map(|l| self.select_value(c.values.as_deref(), l))
                        .filter(|v| !v.is_empty())
                        .map(Val::from)
                        .collect();
                    set_parts(values, &t.parts, Val::List(vals));
                }
                Transform::FullName => {
                    let (first, last) = n::name::split_full_name(&v);
                    set_parts(
                        values,
                        &t.parts,
                        Val::Obj(Obj::from_pairs([
                            ("firstName", Val::from(first)),
                            ("lastName", Val::from(last)),
                        ])),
                    );
                }
                Transform::Country => match countries
                    .iter()
                    .position(|(i, _)| *i == ci && raw.trim() == v.as_ref())
                    .map(|k| countries.swap_remove(k).1)
                    .unwrap_or_else(|| n::address::country(&v))
                {
                    Ok(country) => set_parts(values, &t.parts, Val::from(country.name)),
                    Err(i) => {
                        report(&c.column, i);
                        set_parts(values, &t.parts, Val::from(v));
                    }
                },
                Transform::Relation | Transform::Member => {
                    if let Some(map) = self.through.get(&ci) {
                        let values: Box<[CompactString]> = map
                            .get(v.as_ref())
                            .into_iter()
                            .flatten()
                            .map(|x| CompactString::from(x.as_str()))
                            .collect();
                        if !values.is_empty() {
                            rec.refs.push(Ref {
                                spec: t.ref_spec.expect("a relation column has its spec"),
                                values,
                            });
                        }
                        continue;
                    }
                    let values: Box<[CompactString]> = match &c.separator {
                        Some(sep) => n::select::split_multi(&v, sep)
                            .into_iter()
                            .map(CompactString::from)
                            .collect(),
                        None => Box::new([CompactString::from(v.as_ref())]),
                    };
                    rec.refs.push(Ref {
                        spec: t.ref_spec.expect("a relation column has its spec"),
                        values,
                    });
                }
            }
            if unread {
                as_written.push(format!("{}: {}", c.column, n::text::trim(raw)));
            }
        }
        if !as_written.is_empty() && !settings.keep_unread_in.is_empty() {
            values.insert(&settings.keep_unread_in, Val::from(as_written.join("\n")));
        }
        for (rel, v) in related.iter() {
            if !v.is_empty() {
                values.set(rel, v.clone());
            }
        }
        // Street lines: a multi-line street becomes street1 + street2.
        if let Some(Val::Obj(addr)) = values.get_mut("address")
            && let Some(Val::Str(s1)) = addr.get("addressStreet1")
            && s1.contains('\n')
            && addr.get("addressStreet2").is_none()
        {
            let (a, b) = n::address::split_street(s1);
            addr.set("addressStreet1", Val::from(a));
            addr.set("addressStreet2", Val::from(b));
        }
        // A deal the export gives no name (the Maven "CRM sales" set has no name column) is
        // named from its company and its id, as a list of deals reads, instead of rejected.
        if rec.object == "opportunity"
            && !self.file.completes
            && values.get("name").is_none_or(|v| v.is_empty())
        {
            let company = rec
                .refs
                .iter()
                .find(|r| r.spec.field == "company" && r.spec.by == c2t_core::RefKey::Name)
                .and_then(|r| r.values.first());
            let name = match (company, rec.source_id.as_deref()) {
                (Some(c), Some(id)) => format!("{c} – {id}"),
                (Some(c), None) => c.to_string(),
                (None, Some(id)) => id.to_string(),
                (None, None) => String::new(),
            };
            if !name.is_empty() {
                values.set("name", Val::from(name));
            }
        }
        rec.refs.shrink_to_fit();
        rec.lookup = crate::record::Lookup::of(&values);
        (rec, values)
    }

    fn select_value(&self, map: Option<&str>, label: &str) -> String {
        if let Some(m) = map.and_then(|m| self.mapping.value_maps.get(m)) {
            if let Some(v) = m.get(label) {
                return v.clone();
            }
            if let Some((_, v)) = m.iter().find(|(k, _)| k.eq_ignore_ascii_case(label)) {
                return v.clone();
            }
        }
        n::select::option_value(label)
    }
}

/// Fields whose values say whether a row is test data.
fn is_identity_field(field: &str) -> bool {
    matches!(
        field,
        "name" | "name.firstName" | "name.lastName" | "emails" | "domainName" | "title"
    )
}

pub fn excerpt(s: &str) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(60).collect::<String>())
    } else {
        one_line
    }
}

fn add_emails(values: &mut Obj, field: Key, emails: Vec<String>) {
    let entry = values.get_or_insert_with(field, || {
        Val::Obj(Obj::from_pairs([
            ("primaryEmail", Val::from("")),
            ("additionalEmails", Val::List(vec![])),
        ]))
    });
    let Val::Obj(obj) = entry else {
        unreachable!("emails is an object")
    };
    let mut all: Vec<String> = Vec::new();
    if let Some(p) = obj
        .get("primaryEmail")
        .and_then(Val::as_str)
        .filter(|s| !s.is_empty())
    {
        all.push(p.to_string());
    }
    if let Some(Val::List(a)) = obj.get("additionalEmails") {
        all.extend(a.iter().filter_map(Val::as_str).map(str::to_string));
    }
    for e in emails {
        if !all.contains(&e) {
            all.push(e);
        }
    }
    let mut all = all.into_iter();
    let primary = all.next().unwrap_or_default();
    obj.set("primaryEmail", Val::from(primary));
    obj.set("additionalEmails", Val::List(all.map(Val::from).collect()));
}

fn add_phone(values: &mut Obj, field: Key, ph: &n::phone::Phone) {
    let entry = values.get_or_insert_with(field, || {
        Val::Obj(Obj::from_pairs([
            ("primaryPhoneNumber", Val::from("")),
            ("primaryPhoneCountryCode", Val::from("")),
            ("primaryPhoneCallingCode", Val::from("")),
            ("additionalPhones", Val::List(vec![])),
        ]))
    });
    let Val::Obj(obj) = entry else {
        unreachable!("phones is an object")
    };
    let has_primary = obj
        .get("primaryPhoneNumber")
        .and_then(Val::as_str)
        .is_some_and(|s| !s.is_empty());
    if !has_primary {
        obj.set("primaryPhoneNumber", Val::from(ph.number.as_str()));
        obj.set(
            "primaryPhoneCountryCode",
            Val::from(ph.country_code.as_str()),
        );
        obj.set(
            "primaryPhoneCallingCode",
            Val::from(ph.calling_code.as_str()),
        );
        return;
    }
    let same_as_primary =
        obj.get("primaryPhoneNumber").and_then(Val::as_str) == Some(ph.number.as_str());
    let list = obj.get_or_insert_with("additionalPhones", || Val::List(vec![]));
    if let Val::List(a) = list {
        let dup = a
            .iter()
            .any(|x| x.get("number").and_then(Val::as_str) == Some(ph.number.as_str()));
        if !dup && !same_as_primary {
            a.push(Val::Obj(Obj::from_pairs([
                ("number", Val::from(ph.number.as_str())),
                ("countryCode", Val::from(ph.country_code.as_str())),
                ("callingCode", Val::from(ph.calling_code.as_str())),
            ])));
        }
    }
}

fn add_link(values: &mut Obj, field: Key, url: String) {
    let entry = values.get_or_insert_with(field, || {
        Val::Obj(Obj::from_pairs([
            ("primaryLinkUrl", Val::from("")),
            ("primaryLinkLabel", Val::from("")),
            ("secondaryLinks", Val::List(vec![])),
        ]))
    });
    let Val::Obj(obj) = entry else {
        unreachable!("links is an object")
    };
    let has_primary = obj
        .get("primaryLinkUrl")
        .and_then(Val::as_str)
        .is_some_and(|s| !s.is_empty());
    if !has_primary {
        obj.set("primaryLinkUrl", Val::from(url));
    } else if obj.get("primaryLinkUrl").and_then(Val::as_str) != Some(url.as_str())
        && let Some(Val::List(a)) = obj.get_mut("secondaryLinks")
        && !a
            .iter()
            .any(|x| x.get("url").and_then(Val::as_str) == Some(url.as_str()))
    {
        a.push(Val::Obj(Obj::from_pairs([
            ("url", Val::from(url)),
            ("label", Val::from("")),
        ])));
    }
}

/// A decimal as a JSON number: an integer when it has no fraction (or `round` is asked).
fn decimal_json(d: rust_decimal::Decimal, round: bool) -> Option<Val> {
    let d = if round { d.round() } else { d.normalize() };
    if d.fract().is_zero() {
        let i: i64 = d.trunc().to_string().parse().ok()?;
        return Some(Val::Int(i));
    }
    let f: f64 = d.to_string().parse().ok()?;
    serde_json::Number::from_f64(f).map(|_| Val::Float(f))
}
