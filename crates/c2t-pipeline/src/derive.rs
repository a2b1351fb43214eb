//! Companies the export names but holds no row for.
//!
//! A flat customer list has a company column and no companies file; Salesforce's unconverted
//! leads carry their `Company` by name; a Pipedrive person names an organisation (by name and
//! id) that `organizations.csv` does not hold. Each such company becomes a record of its own,
//! once per name (or per id, when the reference gives one beside the name), so the rows that
//! name it link to it, as the CRM showed them. Values mapped to `company.<field>` on the rows
//! that name it (a lead's website, industry) fill it, the first row's first.
//!
//! These records come from no row: they are not in the ledger (which accounts for rows), they
//! never absorb a row of a file in de-duplication, and the audit counts them apart
//! ([`crate::audit`]). Their source key is the id the export gives the company, or
//! `name:` + the name's fingerprint, the same on every run.

use crate::job::Status;
use crate::record::{Key, Lookup, Obj, Record, Val, intern};
use crate::store::Store;
use c2t_core::{Mapping, RefKey, Transform};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// The object records are created for.
const COMPANY: &str = "company";

/// The relation fields of each file whose related record has values in the rows
/// (`company.domainName` maps a column to `company`'s `domainName`), by file index.
pub fn related_fields(mapping: &Mapping) -> Vec<Vec<Key>> {
    mapping
        .files
        .iter()
        .map(|f| {
            let mut out: Vec<Key> = Vec::new();
            for c in &f.columns {
                if matches!(c.transform, Transform::Relation | Transform::Member) {
                    continue;
                }
                let Some((top, _)) = c.field.as_deref().and_then(|x| x.split_once('.')) else {
                    continue;
                };
                let is_relation = c2t_core::mapping::relation_columns(&f.columns, top)
                    .next()
                    .is_some();
                if is_relation && !out.contains(&top) {
                    out.push(intern(top));
                }
            }
            out
        })
        .collect()
}

/// Creates the companies kept records name and the export lacks (when `create_companies` is
/// on), and takes the related values (`company.*`) out of every record. Returns each created
/// record with the first record that named it.
pub fn companies(
    records: &mut Vec<Record>,
    status: &mut Vec<Status>,
    store: &mut Store,
    mapping: &Mapping,
) -> std::io::Result<Vec<(usize, usize)>> {
    let related = related_fields(mapping);
    let create = mapping.settings.create_companies;
    let mut names: HashSet<String> = HashSet::default();
    let mut ids: HashSet<&str> = HashSet::default();
    // A name that is a person's is no company to create: a polymorphic customer column
    // (Dynamics' `Potential Customer`) names an account or a contact.
    let mut people: HashSet<String> = HashSet::default();
    if create {
        for r in records.iter().filter(|r| r.object == "person") {
            let n = r.display_name();
            if !n.is_empty() {
                people.insert(c2t_normalize::name::person_key(&n, ""));
            }
        }
        for r in records.iter().filter(|r| r.object == COMPANY) {
            let n = r.display_name();
            if !n.is_empty() {
                names.insert(c2t_normalize::name::fingerprint(&n));
            }
            if let Some(id) = r.source_id.as_deref() {
                ids.insert(id);
            }
        }
    }
    // The companies to create: (source key, name as first written, values), and how each is
    // found from an id or a name.
    let mut made: Vec<(String, String, Obj)> = Vec::new();
    let mut made_by_id: HashMap<String, usize> = HashMap::default();
    let mut made_by_name: HashMap<String, usize> = HashMap::default();
    let mut first_referrer: Vec<usize> = Vec::new();
    let mut restore: Vec<(usize, Obj)> = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let fields = &related[r.file];
        // The related values of this row, taken out of its own.
        let mut taken: Vec<(Key, Obj)> = Vec::new();
        if !fields.is_empty() {
            let mut values = store.get(r.stored);
            for &f in fields {
                if let Some(Val::Obj(o)) = values.remove(f) {
                    taken.push((f, o));
                }
            }
            if !taken.is_empty() {
                restore.push((i, values));
            }
        }
        if !create || status[i] != Status::Kept || mapping.files[r.file].completes {
            continue;
        }
        let mut by_field: Vec<Key> = Vec::new();
        for rf in r
            .refs
            .iter()
            .filter(|x| x.object == COMPANY && x.field != "targets")
        {
            if !by_field.contains(&rf.field) {
                by_field.push(rf.field);
            }
        }
        for field in by_field {
            // A single-valued column first (HubSpot's `… (Primary)`): the first value of a list
            // need not be the company the row's name column names.
            let first = |by: RefKey| {
                let refs = || {
                    r.refs
                        .iter()
                        .filter(|x| x.field == field && x.object == COMPANY && x.by == by)
                };
                refs()
                    .filter(|x| x.values.len() == 1)
                    .chain(refs())
                    .find_map(|x| x.values.first())
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty())
            };
            let id = first(RefKey::SourceId);
            let name = first(RefKey::Name);
            if r.refs
                .iter()
                .any(|x| x.field == field && x.by == RefKey::Domain && !x.values.is_empty())
            {
                // A company given by its domain is found (or not) by the linker.
                continue;
            }
            let fp = name
                .map(c2t_normalize::name::fingerprint)
                .unwrap_or_default();
            let in_export =
                id.is_some_and(|id| ids.contains(id)) || (!fp.is_empty() && names.contains(&fp));
            if in_export {
                continue;
            }
            let known = id
                .and_then(|id| made_by_id.get(id))
                .or_else(|| made_by_name.get(&fp).filter(|_| !fp.is_empty()))
                .copied();
            let k = match (known, name) {
                (Some(k), _) => k,
                (None, Some(name))
                    if !fp.is_empty()
                        && !people.contains(&c2t_normalize::name::person_key(name, "")) =>
                {
                    let key = match id {
                        Some(id) => id.to_string(),
                        None => format!("name:{fp}"),
                    };
                    let mut values = Obj::new();
                    values.set("name", Val::from(name));
                    made.push((key, name.to_string(), values));
                    first_referrer.push(i);
                    made.len() - 1
                }
                _ => continue,
            };
            if let Some(id) = id {
                made_by_id.entry(id.to_string()).or_insert(k);
            }
            if !fp.is_empty() {
                made_by_name.entry(fp).or_insert(k);
            }
            // This row's values of the company fill what the company has no value for yet.
            if let Some((_, o)) = taken.iter().find(|(f, _)| *f == field) {
                let values = &mut made[k].2;
                for (key, v) in o.iter() {
                    if values.get(key).is_none_or(Val::is_empty) {
                        values.set(key, v.clone());
                    }
                }
            }
        }
    }
    for (i, values) in restore {
        let r = &mut records[i];
        r.lookup = Lookup::of(&values);
        r.stored = store.put(&values)?;
        r.filled = crate::filled::mask(intern(&r.object), &values);
    }
    let mut out = Vec::with_capacity(made.len());
    for ((key, _, values), from) in made.into_iter().zip(first_referrer) {
        let file = records[from].file;
        let stored = store.put(&values)?;
        out.push((records.len(), from));
        records.push(Record {
            object: COMPANY.into(),
            file,
            line: 0,
            source_id: Some(key.into()),
            lookup: Lookup::of(&values),
            stored,
            filled: crate::filled::mask(intern(COMPANY), &values),
            refs: Vec::new(),
            modified: None,
            activity: None,
            test_reason: None,
        });
        status.push(Status::Kept);
    }
    Ok(out)
}
