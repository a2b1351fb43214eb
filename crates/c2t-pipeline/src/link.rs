//! Resolves references across files: people → their company (by the source's id, by company
//! name where the CRM references names — ambiguous names are reported, never guessed — or by the
//! email's domain when no company is given, never for free-mail domains), opportunities → company
//! and point of contact, notes and tasks → every record they are attached to, owners and
//! assignees → workspace members.

use crate::dedupe::Merge;
use crate::members::Directory;
use crate::record::{Finding, Key, Record};
use c2t_core::{IssueCode, RefKey, Settings};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;

/// What a reference resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Another record (its index).
    Record(usize),
    /// A workspace member, by email (the directory's copy, shared).
    Member(std::sync::Arc<str>),
}

/// One resolved reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub field: Key,
    pub target: Target,
    /// How it was found: `source_id`, `name`, `email`, `domain`, `email_domain`.
    pub via: &'static str,
}

/// Why a record is not part of the output, for messages about references to it.
pub type Gone = HashMap<usize, String>;

/// A key of the index: borrowed from the records where it is already in normal form (emails are
/// lowercased when cleaned), built only where it is not.
type IxKey<'a> = Cow<'a, str>;

struct Index<'a> {
    /// The record (merge survivor) of the first row with each source id (any object), and the
    /// others with that id, in order of first appearance. Ids of one object are found here too
    /// ([`Index::by_object_id`]): source ids are nearly always unique across objects, and one
    /// map instead of two per record is ~80 bytes a row less at the peak of the run.
    by_any_id: HashMap<&'a str, usize>,
    more_any_id: HashMap<&'a str, Vec<usize>>,
    by_name: HashMap<(&'a str, String), Vec<usize>>,
    /// The first person with each email, and the others after it (rare: duplicates are merged).
    by_email: HashMap<IxKey<'a>, usize>,
    more_email: HashMap<IxKey<'a>, Vec<usize>>,
    by_domain: HashMap<IxKey<'a>, usize>,
    more_domain: HashMap<IxKey<'a>, Vec<usize>>,
}

impl Index<'_> {
    /// The record that the first row of `object` with source id `id` became.
    fn by_object_id(&self, records: &[Record], object: &str, id: &str) -> Option<usize> {
        let &first = self.by_any_id.get(id)?;
        if records[first].object == object {
            return Some(first);
        }
        // Merges join records of one object, so a survivor has its rows' object.
        self.more_any_id
            .get(id)?
            .iter()
            .copied()
            .find(|&t| records[t].object == object)
    }
}

/// The first record under `key` that is alive; every one looked at is touched.
fn first_alive(
    first: &HashMap<IxKey<'_>, usize>,
    more: &HashMap<IxKey<'_>, Vec<usize>>,
    key: &str,
    alive: &[bool],
    touch: &mut dyn FnMut(usize),
) -> Option<usize> {
    let &f = first.get(key)?;
    touch(f);
    if alive[f] {
        return Some(f);
    }
    for &t in more.get(key).map(Vec::as_slice).unwrap_or_default() {
        touch(t);
        if alive[t] {
            return Some(t);
        }
    }
    None
}

fn insert_first<'a>(
    first: &mut HashMap<IxKey<'a>, usize>,
    more: &mut HashMap<IxKey<'a>, Vec<usize>>,
    key: IxKey<'a>,
    i: usize,
) {
    // One probe of the map for the common case (a key seen for the first time).
    match first.entry(key) {
        std::collections::hash_map::Entry::Occupied(f) if *f.get() != i => {
            let key = f.key().clone();
            more.entry(key).or_default().push(i);
        }
        std::collections::hash_map::Entry::Occupied(_) => {}
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(i);
        }
    }
}

fn company_name_key(s: &str) -> String {
    c2t_normalize::name::fingerprint(s)
}

/// The key a record of `object` is found by name with: the word fingerprint for companies
/// (`Acme Inc.` = `ACME, Inc`), the person key for people, and for other objects (deals,
/// custom objects) the letters and digits in lower case, so `GTXPro` finds `GTX Pro`.
fn name_key(object: &str, name: &str) -> String {
    match object {
        "company" => company_name_key(name),
        "person" => c2t_normalize::name::person_key(name, ""),
        _ => crate::detect::header_key(name),
    }
}

fn resolve_to_survivor(i: usize, merges: &HashMap<usize, Merge>) -> usize {
    merges.get(&i).map(|m| m.survivor).unwrap_or(i)
}

/// Links every alive record. `alive[i]` is false for merged-away and skipped rows; `gone` says
/// why a row that is not alive went (references to it are reported with that reason).
pub fn link(
    records: &[Record],
    alive: &[bool],
    merges: &HashMap<usize, Merge>,
    gone: &Gone,
    members: &Directory,
    settings: &Settings,
    findings: &mut Vec<Finding>,
) -> Vec<Vec<Link>> {
    let linker = Linker::new(records, alive, merges, members, settings);
    (0..records.len())
        .map(|i| {
            if alive[i] {
                linker.resolve(i, alive, gone, findings, &mut |_| {})
            } else {
                Vec::new()
            }
        })
        .collect()
}

/// The indexes of [`link`], built once to resolve records any number of times as rows go.
pub struct Linker<'a> {
    records: &'a [Record],
    members: &'a Directory,
    settings: &'a Settings,
    ix: Index<'a>,
    free: HashSet<String>,
}

impl<'a> Linker<'a> {
    /// Indexes the records. `alive` must include every record a later [`Linker::resolve`] takes
    /// as alive: records can go afterwards (resolve is given the narrower mask), not come back.
    pub fn new(
        records: &'a [Record],
        alive: &[bool],
        merges: &HashMap<usize, Merge>,
        members: &'a Directory,
        settings: &'a Settings,
    ) -> Linker<'a> {
        // Names are indexed only for the objects some reference finds by name (building a name
        // key for every record would cost more than the rest of the index).
        let mut by_name_objects: HashSet<&str> = HashSet::default();
        for r in records {
            for rf in &r.refs {
                if rf.by == RefKey::Name {
                    by_name_objects.insert(rf.object);
                }
            }
        }
        // The id maps and the key maps are built on two threads (each map sized once: growing
        // a map of a million keys rehashes it a dozen times and briefly holds it twice).
        let ids = || {
            let mut by_any_id: HashMap<&'a str, usize> = HashMap::default();
            by_any_id.reserve(records.iter().filter(|r| r.source_id.is_some()).count());
            let mut more_any_id: HashMap<&'a str, Vec<usize>> = HashMap::default();
            for (i, r) in records.iter().enumerate() {
                if r.object == "workspaceMember" {
                    continue;
                }
                let Some(id) = r.source_id.as_deref() else {
                    continue;
                };
                let target = resolve_to_survivor(i, merges);
                match by_any_id.entry(id) {
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(target);
                    }
                    std::collections::hash_map::Entry::Occupied(first)
                        if *first.get() != target =>
                    {
                        let v = more_any_id.entry(id).or_default();
                        if !v.contains(&target) {
                            v.push(target);
                        }
                    }
                    std::collections::hash_map::Entry::Occupied(_) => {}
                }
            }
            (by_any_id, more_any_id)
        };
        let keys = || {
            let (mut people, mut companies) = (0, 0);
            for (r, _) in records.iter().zip(alive).filter(|(_, a)| **a) {
                match r.object.as_str() {
                    "person" => people += 1,
                    "company" => companies += 1,
                    _ => {}
                }
            }
            let mut ix = Index {
                by_any_id: HashMap::default(),
                more_any_id: HashMap::default(),
                by_name: HashMap::default(),
                by_email: HashMap::default(),
                more_email: HashMap::default(),
                by_domain: HashMap::default(),
                more_domain: HashMap::default(),
            };
            ix.by_email.reserve(people);
            ix.by_domain.reserve(companies);
            for (i, r) in records.iter().enumerate() {
                if r.object == "workspaceMember" {
                    continue;
                }
                // A row merged into another is found by its name too (`Acme Incorporated`,
                // merged into `Acme Inc`): the name leads to the record it became.
                let target = if alive[i] {
                    i
                } else {
                    match merges.get(&i) {
                        Some(m) if alive[m.survivor] => m.survivor,
                        _ => continue,
                    }
                };
                if by_name_objects.contains(r.object.as_str()) {
                    let name = r.display_name();
                    if !name.is_empty() {
                        let key = name_key(&r.object, &name);
                        let v = ix.by_name.entry((r.object.as_str(), key)).or_default();
                        if !v.contains(&target) {
                            v.push(target);
                        }
                    }
                }
                if target != i {
                    continue;
                }
                if r.object == "person"
                    && let Some(key) = crate::dedupe::identity_key(r)
                {
                    insert_first(&mut ix.by_email, &mut ix.more_email, key, i);
                }
                if r.object == "company"
                    && let Some(k) = crate::dedupe::identity_key(r)
                {
                    insert_first(&mut ix.by_domain, &mut ix.more_domain, k, i);
                }
            }
            ix
        };
        let ((by_any_id, more_any_id), mut ix) = std::thread::scope(|s| {
            let ids = s.spawn(ids);
            let ix = keys();
            (ids.join().expect("index thread"), ix)
        });
        (ix.by_any_id, ix.more_any_id) = (by_any_id, more_any_id);
        let free: HashSet<String> = settings
            .free_mail_domains
            .iter()
            .map(|d| d.to_lowercase())
            .collect();
        Linker {
            records,
            members,
            settings,
            ix,
            free,
        }
    }

    /// The links of record `i`, which must be alive. Problems go to `findings`; `touch` is
    /// called with every record whose being alive or not the answer depends on.
    pub fn resolve(
        &self,
        i: usize,
        alive: &[bool],
        gone: &Gone,
        findings: &mut Vec<Finding>,
        touch: &mut dyn FnMut(usize),
    ) -> Vec<Link> {
        let (records, members, settings, ix, free) = (
            self.records,
            self.members,
            self.settings,
            &self.ix,
            &self.free,
        );
        let r = &records[i];
        let mut report = |column: &str, code: IssueCode, message: String| {
            findings.push(Finding {
                file: r.file,
                line: r.line,
                column: column.to_string(),
                code,
                message,
            });
        };
        let mut links: Vec<Link> = Vec::new();
        for rf in &r.refs {
            // Notes and tasks link to every record named; other fields to the first.
            let take = if rf.field == "targets" {
                rf.values.len()
            } else {
                1
            };
            for value in rf.values.iter().take(take) {
                if rf.object == "workspaceMember" {
                    let found = match rf.by {
                        RefKey::SourceId => members.by_source_id(value).map(|m| m.email.clone()),
                        RefKey::Email => {
                            let e = value.trim().to_lowercase();
                            if members.is_empty() {
                                Some(e.into())
                            } else {
                                members.by_email(&e).map(|m| m.email.clone())
                            }
                        }
                        _ => match members.by_name(value) {
                            Ok(m) => m.map(|m| m.email.clone()),
                            Err(n) => {
                                report(
                                    rf.column,
                                    IssueCode::ReferenceAmbiguous,
                                    format!(
                                        "{n} workspace members are named \"{value}\"; owner left empty"
                                    ),
                                );
                                continue;
                            }
                        },
                    };
                    match found {
                        Some(email) => links.push(Link {
                            field: rf.field,
                            target: Target::Member(email),
                            via: rf.by.as_str(),
                        }),
                        None => report(
                            rf.column,
                            IssueCode::OwnerUnknown,
                            format!(
                                "owner \"{value}\" is not a known workspace member (add them to the members file or [[member]] in the mapping)"
                            ),
                        ),
                    }
                    continue;
                }
                let found: Result<Option<usize>, String> = match rf.by {
                    RefKey::SourceId => {
                        if rf.object == "any" {
                            match ix.by_any_id.get(value.as_str()) {
                                None => Ok(None),
                                Some(_) if ix.more_any_id.contains_key(value.as_str()) => {
                                    Err(format!("id \"{value}\" exists in several files"))
                                }
                                Some(&t) => Ok(Some(t)),
                            }
                        } else {
                            Ok(ix.by_object_id(records, rf.object, value))
                        }
                    }
                    RefKey::Name => {
                        let key = name_key(rf.object, value);
                        let live: Vec<usize> = ix
                            .by_name
                            .get(&(rf.object, key))
                            .map(Vec::as_slice)
                            .unwrap_or_default()
                            .iter()
                            .copied()
                            .inspect(|&t| touch(t))
                            .filter(|&t| alive[t])
                            .collect();
                        match live.as_slice() {
                            [] => Ok(None),
                            [t] => Ok(Some(*t)),
                            many => match disambiguate_by_email(r, rf.object, many, records) {
                                Some(t) => Ok(Some(t)),
                                None => Err(format!(
                                    "{} {} records are named \"{value}\"; link left empty",
                                    many.len(),
                                    rf.object
                                )),
                            },
                        }
                    }
                    RefKey::Email => Ok(first_alive(
                        &ix.by_email,
                        &ix.more_email,
                        &value.trim().to_lowercase(),
                        alive,
                        touch,
                    )),
                    RefKey::Domain => Ok(c2t_normalize::domain::domain(value).ok().and_then(|d| {
                        first_alive(&ix.by_domain, &ix.more_domain, &d.key, alive, touch)
                    })),
                };
                if let Ok(Some(t)) = found {
                    touch(t);
                }
                match found {
                    Ok(Some(t)) if alive[t] => {
                        if t != i
                            && !links
                                .iter()
                                .any(|l| l.field == rf.field && l.target == Target::Record(t))
                        {
                            links.push(Link {
                                field: rf.field,
                                target: Target::Record(t),
                                via: rf.by.as_str(),
                            });
                        }
                    }
                    Ok(Some(t)) => {
                        let why = gone.get(&t).cloned().unwrap_or_else(|| "left out".into());
                        report(
                            rf.column,
                            IssueCode::ReferenceDangling,
                            format!("\"{value}\" points to a row that is {why}; link left empty"),
                        );
                    }
                    Ok(None) => report(
                        rf.column,
                        IssueCode::ReferenceDangling,
                        format!(
                            "\"{value}\" matches no {} in the export; link left empty",
                            if rf.object == "any" {
                                "record"
                            } else {
                                rf.object
                            }
                        ),
                    ),
                    Err(msg) => report(rf.column, IssueCode::ReferenceAmbiguous, msg),
                }
            }
        }
        // A person with no company joins the company that owns their email's domain.
        if r.object == "person"
            && settings.link_by_email_domain
            && !links.iter().any(|l| l.field == "company")
            && let Some(email) = r.primary_email()
        {
            let domain = c2t_normalize::email::domain_of(email).to_lowercase();
            let is_free = c2t_normalize::email::is_free_mail(&domain) || free.contains(&domain);
            if is_free {
                if !r.refs.iter().any(|x| x.field == "company") {
                    report(
                        "emails",
                        IssueCode::FreeMailDomain,
                        format!("{domain} is a free-mail domain: not used to find the company"),
                    );
                }
            } else if let Some(t) = c2t_normalize::domain::domain(&domain)
                .ok()
                .and_then(|d| first_alive(&ix.by_domain, &ix.more_domain, &d.key, alive, touch))
            {
                links.push(Link {
                    field: "company",
                    target: Target::Record(t),
                    via: "email_domain",
                });
            }
        }
        // A record keeps its links to the end of the run: no room for more (a first push
        // reserves four).
        links.shrink_to_fit();
        links
    }
}

/// Among companies sharing a name, the one whose domain is the person's email domain.
fn disambiguate_by_email(
    r: &Record,
    object: &str,
    candidates: &[usize],
    records: &[Record],
) -> Option<usize> {
    if object != "company" || r.object != "person" {
        return None;
    }
    let email = r.primary_email()?;
    let key = c2t_normalize::domain::domain(c2t_normalize::email::domain_of(email))
        .ok()?
        .key;
    let mut hits = candidates
        .iter()
        .filter(|&&c| crate::dedupe::identity_key(&records[c]).as_deref() == Some(key.as_str()));
    let first = *hits.next()?;
    hits.next().is_none().then_some(first)
}
