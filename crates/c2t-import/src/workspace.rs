//! What the import knows of the live workspace: its objects and fields (from the metadata API),
//! its members, the server's capabilities, and the records that already hold a key the import
//! will use (source id, email, domain).

use c2t_twenty::{ApiError, Capabilities, Client, FieldMeta, Member, ObjectMeta};
use serde_json::Value;
use std::collections::HashMap;

/// The name of the unique text field holding the source CRM's record id on every imported object.
pub const SOURCE_ID_FIELD: &str = "sourceRecordId";

/// The live workspace, as read at the start of a command.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub objects: Vec<ObjectMeta>,
    pub members: Vec<Member>,
    pub caps: Capabilities,
    /// Active workflows and webhooks (a warning of `check`, never a blocker).
    pub automations: crate::automations::Automations,
}

impl Workspace {
    /// Reads the schema, the members and, with `automations`, the active workflows and
    /// webhooks (`check` warns about them; `import` need not read them again). The server's
    /// capabilities are told by its metadata ([`Workspace::capabilities`]), not probed: no
    /// request is spent on them and nothing is written to learn them.
    pub fn read(client: &Client, automations: bool) -> Result<Workspace, ApiError> {
        let objects = client.objects()?;
        let members = client.members()?;
        let caps = Workspace::capabilities(&objects);
        let automations = if automations {
            crate::automations::Automations::read(client, &objects)
        } else {
            Default::default()
        };
        Ok(Workspace {
            objects,
            members,
            caps,
            automations,
        })
    }

    /// What the server can do, told by its metadata. Twenty 2.x (note targets are polymorphic:
    /// `targetPersonId`) upserts through REST batches and keeps the records an upsert matches
    /// in its trash, so imports write through REST and look into the trash; 1.5 ignores
    /// `upsert` on REST (recorded), so imports write through GraphQL. Should a server with 2.x
    /// metadata ignore it too, the loader sees it on its first duplicate and goes to GraphQL.
    /// The batch cap is learnt from the first batch the server refuses as too large (2.x
    /// answers with its cap), so it is not probed either.
    ///
    /// Earlier versions probed the server before every import (`c2t_twenty::detect`: six
    /// requests, of which a note written and deleted, which could set off a workspace's
    /// note workflows); the probe stays in the client for diagnosis.
    pub fn capabilities(objects: &[c2t_twenty::ObjectMeta]) -> Capabilities {
        let (target_fields, note_targets, task_targets) =
            c2t_twenty::targets_from_metadata(objects);
        Capabilities {
            rest_upsert: target_fields == c2t_twenty::TargetStyle::Morph,
            batch_max: None,
            target_fields,
            note_targets,
            task_targets,
        }
    }

    /// Reads the schema and the members only (verify needs no write capability):
    /// the target maps come from the metadata, and the upsert and batch-cap capabilities are
    /// left unknown (`false`, `None`).
    pub fn read_schema(client: &Client) -> Result<Workspace, ApiError> {
        let mut ws = Workspace::read_objects(client)?;
        ws.members = client.members()?;
        Ok(ws)
    }

    /// [`Workspace::read_schema`] without the members (rollback needs only the objects): the
    /// metadata, which Twenty does not charge, and not a page of members (a workspace of a
    /// thousand members is five paced requests).
    pub fn read_objects(client: &Client) -> Result<Workspace, ApiError> {
        let objects = client.objects()?;
        let members = Vec::new();
        let (target_fields, note_targets, task_targets) =
            c2t_twenty::targets_from_metadata(&objects);
        Ok(Workspace {
            objects,
            members,
            caps: Capabilities {
                rest_upsert: false,
                batch_max: None,
                target_fields,
                note_targets,
                task_targets,
            },
            // Not read: verify and rollback do not warn about automations.
            automations: Default::default(),
        })
    }

    pub fn object(&self, name: &str) -> Option<&ObjectMeta> {
        self.objects.iter().find(|o| o.name_singular == name)
    }

    pub fn field(&self, object: &str, field: &str) -> Option<&FieldMeta> {
        self.object(object)?.fields.iter().find(|f| f.name == field)
    }

    /// The member id of a workspace member, by email (case-insensitive).
    pub fn member_id(&self, email: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|m| m.email.eq_ignore_ascii_case(email))
            .map(|m| m.id.as_str())
    }
}

/// Records already in the workspace, indexed by the keys the import matches on.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    /// (object, sourceRecordId) → record.
    pub by_source_id: HashMap<(String, String), Value>,
    /// person email (lower case) → record.
    pub by_email: HashMap<String, Value>,
    /// company domain URL → record.
    pub by_domain: HashMap<String, Value>,
    /// (object, id) → record.
    pub by_id: HashMap<(String, String), Value>,
    /// Why the server refused key lookups in a request body (GraphQL), when it did: the keys
    /// were then read through REST filters instead, a few hundred a request.
    pub lookups_refused: Option<String>,
    /// Whether the trash was read too (Twenty 2.x, whose upsert revives trashed records).
    pub with_trash: bool,
}

/// Length of the URL-encoded key list of one filtered read: servers refuse request lines much
/// longer (Node's default header limit is 16 KB).
const KEYS_PER_REQUEST_BYTES: usize = 6_000;
/// Keys in one filtered read at most.
const KEYS_PER_REQUEST: usize = 200;

/// `field[in]:["a","b",…]` filters over `values`, each short enough for one request. Values
/// holding a double quote or a backslash cannot be quoted safely and are left out (the record
/// is then matched by its other keys, or found by its id when written).
pub fn in_filters(field: &str, values: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let mut len = 0;
    let flush = |cur: &mut Vec<&str>, out: &mut Vec<String>| {
        if !cur.is_empty() {
            let list: Vec<String> = cur.iter().map(|v| format!("\"{v}\"")).collect();
            out.push(format!("{field}[in]:[{}]", list.join(",")));
            cur.clear();
        }
    };
    for v in values {
        if v.contains(['"', '\\']) || v.is_empty() {
            continue;
        }
        // Its length in the request line, and 9 for the quotes and the comma.
        let cost = c2t_twenty::encoded_len(v) + 9;
        if !cur.is_empty() && (len + cost > KEYS_PER_REQUEST_BYTES || cur.len() >= KEYS_PER_REQUEST)
        {
            flush(&mut cur, &mut out);
            len = 0;
        }
        cur.push(v);
        len += cost;
    }
    flush(&mut cur, &mut out);
    out
}

/// Bytes of keys in one lookup's request body. Twenty parses JSON bodies up to its storage
/// limit (`app.useBodyParser('json', { limit: settings.storage.maxFileSize })` in its `main.ts`,
/// megabytes); a real 2.19 server took our 49 KB batch bodies
/// (`twenty-live-2x/2026-12/proxy-all.jsonl.gz`); a proxy in front commonly takes 1 MB (nginx's
/// default `client_max_body_size`). Half a megabyte keeps inside all of them.
const LOOKUP_BODY_BYTES: usize = 500_000;
/// Keys in one lookup at most: each is a bound parameter of one SQL query, and Postgres takes
/// 65 535 of them.
const LOOKUP_KEYS: usize = 20_000;

/// A GraphQL filter condition on a field path: `("emails.primaryEmail", c)` →
/// `{"emails": {"primaryEmail": c}}`.
fn on_path(path: &str, cond: Value) -> Value {
    path.rsplit('.').fold(cond, |inner, part| {
        let mut m = serde_json::Map::new();
        m.insert(part.to_string(), inner);
        Value::Object(m)
    })
}

/// GraphQL filters `{"or": [{field: {"in": […]}}, …]}` over `keys` (field path → values), each
/// small enough for one request body: a few thousand keys a request where a REST filter holds a
/// few hundred. Empty values are left out.
pub fn key_lookups(keys: &[(&str, Vec<&str>)]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cur: Vec<(&str, Vec<&str>)> = Vec::new();
    let (mut bytes, mut count) = (0, 0);
    let flush = |cur: &mut Vec<(&str, Vec<&str>)>, out: &mut Vec<Value>| {
        let terms: Vec<Value> = cur
            .drain(..)
            .filter(|(_, v)| !v.is_empty())
            .map(|(f, v)| on_path(f, serde_json::json!({ "in": v })))
            .collect();
        if !terms.is_empty() {
            out.push(serde_json::json!({ "or": terms }));
        }
    };
    for (field, values) in keys {
        for v in values.iter().filter(|v| !v.is_empty()) {
            let cost = v.len() + 3;
            if count > 0 && (bytes + cost > LOOKUP_BODY_BYTES || count >= LOOKUP_KEYS) {
                flush(&mut cur, &mut out);
                (bytes, count) = (0, 0);
            }
            match cur.last_mut() {
                Some((f, list)) if f == field => list.push(v),
                _ => cur.push((field, vec![v])),
            }
            bytes += cost;
            count += 1;
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// One object's records, with the keys each may be found by: its source key
/// (`sourceRecordId`) and, for people and companies, their email or domain.
struct Keyed<'a> {
    name: &'a str,
    plural: &'a str,
    other: Option<&'a str>,
    records: Vec<(String, Option<String>)>,
}

/// How a lookup in request bodies ended.
enum Looked {
    Done,
    /// The server refused the GraphQL query (an older server, a proxy): its words.
    Refused(String),
}

/// Every record a lookup finds from its first page on (following cursors), as (id, in the
/// trash).
fn collect_hits(
    client: &Client,
    plural: &str,
    filter: &Value,
    select: &[&str],
    page: c2t_twenty::Page,
    hits: &mut std::collections::BTreeSet<(String, bool)>,
) -> Result<(), ApiError> {
    hits.extend(
        client
            .find_rest(plural, filter, select, page)?
            .iter()
            .filter_map(|n| {
                let dead = n.get("deletedAt").is_some_and(|d| !d.is_null());
                n.get("id")
                    .and_then(Value::as_str)
                    .map(|id| (id.to_string(), dead))
            }),
    );
    Ok(())
}

/// The lookups of `pending`'s keys: source keys (when the object has that field) and the
/// other key.
fn pending_lookups(
    other: Option<&str>,
    pending: &[&(String, Option<String>)],
    has_source: bool,
) -> Vec<Value> {
    let sources: Vec<&str> = if has_source {
        pending.iter().map(|(f, _)| f.as_str()).collect()
    } else {
        Vec::new()
    };
    let mut keys = vec![(SOURCE_ID_FIELD, sources)];
    if let Some(o) = other {
        keys.push((
            o,
            pending.iter().filter_map(|(_, v)| v.as_deref()).collect(),
        ));
    }
    key_lookups(&keys)
}

impl Existing {
    fn add(&mut self, name: &str, r: Value) {
        let Some(id) = r.get("id").and_then(Value::as_str).map(str::to_string) else {
            return;
        };
        if let Some(s) = r
            .get(SOURCE_ID_FIELD)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            self.by_source_id
                .insert((name.to_string(), s.to_string()), r.clone());
        }
        if name == "person"
            && let Some(m) = r
                .pointer("/emails/primaryEmail")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        {
            self.by_email.insert(m.to_lowercase(), r.clone());
        }
        if name == "company"
            && let Some(u) = r
                .pointer("/domainName/primaryLinkUrl")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        {
            self.by_domain.insert(u.to_lowercase(), r.clone());
        }
        self.by_id.insert((name.to_string(), id), r);
    }

    /// Reads the workspace's records this export's records may match, in as few requests as the
    /// cheaper of two ways allows: every record of the object (200 a page), or only those whose
    /// keys the export holds (`sourceRecordId[in]:[…]`, emails, domains; note and task targets
    /// by id; a few hundred keys a request). A workspace of 100 000 records costs an export of 1 000 no more than an empty
    /// one. On Twenty 2.x the trash is read the same way (its records keep their keys, and an
    /// upsert revives them).
    pub fn for_export(
        client: &Client,
        ws: &Workspace,
        p: &c2t_pipeline::Prepared,
    ) -> Result<Existing, ApiError> {
        Existing::for_export_noting(client, ws, p, &mut |_, _| {})
    }

    /// [`Existing::for_export`], telling `note` (object, requests) before each object whose
    /// records take more than their first pages to read, so a long read is announced.
    pub fn for_export_noting(
        client: &Client,
        ws: &Workspace,
        p: &c2t_pipeline::Prepared,
        note: &mut dyn FnMut(&str, u64),
    ) -> Result<Existing, ApiError> {
        Existing::read(client, ws, p, false, note)
    }

    /// [`Existing::for_export_noting`] for a verification: an object (or its trash) that fits in
    /// one page is read whole in that page, so records the export does not name (a duplicate
    /// somebody typed in since) are seen too, and a small workspace costs a request an object.
    pub fn for_verify(
        client: &Client,
        ws: &Workspace,
        p: &c2t_pipeline::Prepared,
        note: &mut dyn FnMut(&str, u64),
    ) -> Result<Existing, ApiError> {
        Existing::read(client, ws, p, true, note)
    }

    fn read(
        client: &Client,
        ws: &Workspace,
        p: &c2t_pipeline::Prepared,
        whole_when_small: bool,
        note: &mut dyn FnMut(&str, u64),
    ) -> Result<Existing, ApiError> {
        let mut e = Existing {
            with_trash: ws.caps.rest_upsert,
            ..Existing::default()
        };
        let objects = crate::check::objects_written(p);
        for name in &objects {
            // Attachments are found by their ids (below), not by keys.
            if name == c2t_core::mapping::ATTACHMENT {
                continue;
            }
            let Some(o) = ws.object(name) else { continue };
            let other = match name.as_str() {
                "person" => Some("emails.primaryEmail"),
                "company" => Some("domainName.primaryLinkUrl"),
                _ => None,
            };
            let records: Vec<(String, Option<String>)> = p
                .kept()
                .filter(|&r| p.records[r].object == *name)
                .map(|r| {
                    let rec = &p.records[r];
                    let v = match name.as_str() {
                        "person" => rec.primary_email().map(str::to_lowercase),
                        "company" => rec.domain_url().map(str::to_string),
                        _ => None,
                    };
                    (crate::payload::source_key(p, r), v)
                })
                .collect();
            let keyed = Keyed {
                name,
                plural: &o.name_plural,
                other,
                records,
            };
            if e.lookups_refused.is_none() {
                match e.look_up(client, ws, &keyed, whole_when_small, note)? {
                    Looked::Done => continue,
                    Looked::Refused(why) => e.lookups_refused = Some(why),
                }
            }
            // Records crm2twenty wrote carry their source key (every import writes it): when no
            // record of the object has one (a first import), source keys find nothing and are
            // not looked up (one request says so). Our ids are not looked up: a record of ours
            // has its source key, unless someone emptied it (it is then written again on its id,
            // an upsert, but counted as new).
            let mut keys: Vec<(&str, Vec<String>)> = vec![(
                SOURCE_ID_FIELD,
                keyed.records.iter().map(|(k, _)| k.clone()).collect(),
            )];
            if let Some(f) = other {
                keys.push((
                    f,
                    keyed
                        .records
                        .iter()
                        .filter_map(|(_, v)| v.clone())
                        .collect(),
                ));
            }
            let filters = |ours: bool| -> Vec<String> {
                keys.iter()
                    .filter(|(f, _)| ours || *f != SOURCE_ID_FIELD)
                    .flat_map(|(f, v)| in_filters(f, v))
                    .collect()
            };
            let (all, theirs) = (filters(true), filters(false));
            let has_source_field = ws.field(name, SOURCE_ID_FIELD).is_some();
            // Asked only when the keys are the cheaper way (one request).
            let ours = || -> Result<bool, ApiError> {
                Ok(has_source_field
                    && !client
                        .list(
                            &o.name_plural,
                            // Not `[is]:NOT_NULL`: a TEXT field is "" by default.
                            Some(&format!("{SOURCE_ID_FIELD}[neq]:\"\"")),
                            1,
                            None,
                        )?
                        .records
                        .is_empty())
            };
            e.read_object(client, ws, name, &o.name_plural, &all, &theirs, &ours, note)?;
        }
        // Note and task targets: by the ids the import gives them, which depend on the ids of
        // the records they link (read above).
        let ids = crate::payload::resolve(p, &e);
        for owner in ["note", "task"] {
            // Only notes and tasks already there can have targets already there.
            if !objects.iter().any(|o| o == owner)
                || !e.by_id.keys().any(|(object, _)| object == owner)
            {
                continue;
            }
            let join = format!("{owner}Target");
            let Some(o) = ws.object(&join) else { continue };
            let mut target_ids: Vec<String> = Vec::new();
            for r in p.kept().filter(|&r| p.records[r].object == owner) {
                for (_, body) in crate::payload::targets(p, r, ws, &ids) {
                    if let Some(id) = body.get("id").and_then(Value::as_str) {
                        target_ids.push(id.to_string());
                    }
                }
            }
            // Read by id through REST (or whole when that is cheaper): targets are looked for
            // only when their notes or tasks are there, so most ids are hits, and a lookup would
            // only add a request before the same reads.
            let filters = in_filters("id", &target_ids);
            e.read_object(
                client,
                ws,
                &join,
                &o.name_plural,
                &filters,
                &filters,
                &|| Ok(true),
                note,
            )?;
        }
        // Attachments: by the ids the import gives them (one per file and record), looked for
        // only when a record they are attached to is there already.
        let attachment = c2t_core::mapping::ATTACHMENT;
        if objects.iter().any(|o| o == attachment)
            && let Some(o) = ws.object(attachment)
        {
            let mut attachment_ids: Vec<String> = Vec::new();
            for r in p.kept().filter(|&r| p.records[r].object == attachment) {
                for (_, body) in crate::payload::attachments(p, r, ws, &ids) {
                    if let Some(id) = body.get("id").and_then(Value::as_str) {
                        attachment_ids.push(id.to_string());
                    }
                }
            }
            let targets_there = p.kept().any(|r| {
                p.records[r].object == attachment
                    && p.links[r].iter().any(|l| match l.target {
                        c2t_pipeline::link::Target::Record(t) => {
                            ids[t].as_ref().is_some_and(|x| x.existing.is_some())
                        }
                        _ => false,
                    })
            });
            if targets_there && !attachment_ids.is_empty() {
                let filters = in_filters("id", &attachment_ids);
                e.read_object(
                    client,
                    ws,
                    attachment,
                    &o.name_plural,
                    &filters,
                    &filters,
                    &|| Ok(true),
                    note,
                )?;
            }
        }
        Ok(e)
    }

    /// Finds an object's records by their keys sent in request bodies (GraphQL list queries,
    /// thousands of keys a request), then reads the few records found whole through REST, by id.
    /// On Twenty 2.x one query finds them live and in the trash: a filter naming `deletedAt`
    /// (here `deletedAt IS NULL OR deletedAt IS NOT NULL`, inside `and`/`or`) includes trashed
    /// records (`GraphqlQueryParser.checkForDeletedAtFilter` recurses into `and`, `or` and `not`,
    /// 2.19 source), and each record found says where it is by its `deletedAt`. When a query
    /// finds more than a page of records (a second run, a verification: the records are ours),
    /// the live ones are read whole by their source keys through REST filters instead (200 a
    /// request, every one a hit), the trash is looked into by itself, and only the records
    /// still not found are looked up again. [`Looked::Refused`] when the server refuses the query.
    fn look_up(
        &mut self,
        client: &Client,
        ws: &Workspace,
        k: &Keyed,
        whole_when_small: bool,
        note: &mut dyn FnMut(&str, u64),
    ) -> Result<Looked, ApiError> {
        const TRASH: &str = "deletedAt[is]:NOT_NULL";
        let (mut live, mut trash) = (true, ws.caps.rest_upsert);
        // An export with a page of records or more of the object: once imported, the workspace
        // holds more than a page of them, so the probe would only cost a request.
        if whole_when_small && k.records.len() < c2t_twenty::LIST_ALL_PAGE {
            // A scope that fits in one page is read whole by it.
            for dead in [false, true] {
                if (dead && !trash) || (!dead && !live) {
                    continue;
                }
                let page = client.list(
                    k.plural,
                    dead.then_some(TRASH),
                    c2t_twenty::LIST_ALL_PAGE,
                    None,
                )?;
                if page.next.is_none() {
                    if dead {
                        trash = false;
                    } else {
                        live = false;
                    }
                }
                for r in page.records {
                    self.add(k.name, r);
                }
            }
            if !live && !trash {
                return Ok(Looked::Done);
            }
        }
        let has_source = ws.field(k.name, SOURCE_ID_FIELD).is_some();
        let mut select = vec!["id", "deletedAt"];
        if has_source {
            select.push(SOURCE_ID_FIELD);
        }
        let scoped = |f: &Value, live: bool, trash: bool| -> Value {
            match (live, trash) {
                (true, false) => f.clone(),
                (false, _) => serde_json::json!({"and": [{"deletedAt": {"is": "NOT_NULL"}}, f]}),
                (true, true) => serde_json::json!({"and": [
                    {"or": [{"deletedAt": {"is": "NULL"}}, {"deletedAt": {"is": "NOT_NULL"}}]},
                    f
                ]}),
            }
        };
        // (id, in the trash) of every record found.
        let mut hits: std::collections::BTreeSet<(String, bool)> = Default::default();
        let mut pending: Vec<&(String, Option<String>)> = k.records.iter().collect();
        for round in 0..2 {
            let lookups = pending_lookups(k.other, &pending, has_source);
            if lookups.len() > 2 {
                note(k.name, lookups.len() as u64);
            }
            let mut many = false;
            for f in &lookups {
                let filter = scoped(f, live, trash);
                let first = match client.find_page(k.plural, &filter, &select, None) {
                    Ok(page) => page,
                    Err(ApiError::Rejected { messages, .. }) => {
                        return Ok(Looked::Refused(messages.join("; ")));
                    }
                    Err(e) => return Err(e),
                };
                if first.next.is_some() && round == 0 && has_source {
                    many = true;
                    break;
                }
                collect_hits(client, k.plural, &filter, &select, first, &mut hits)?;
            }
            if !many {
                break;
            }
            // Most keys are ours: the live records whole, by their source keys, 200 a request.
            let sources: Vec<String> = pending.iter().map(|(f, _)| f.clone()).collect();
            let filters = in_filters(SOURCE_ID_FIELD, &sources);
            if live {
                note(k.name, filters.len() as u64);
                self.read_filtered(client, k, filters.iter().cloned())?;
            }
            // The trash by itself: read by source keys too when it holds pages of them.
            if trash {
                for f in &lookups {
                    let filter = scoped(f, false, true);
                    let first = client.find_page(k.plural, &filter, &select, None)?;
                    if first.next.is_some() {
                        self.read_filtered(
                            client,
                            k,
                            filters.iter().map(|f| format!("{TRASH},{f}")),
                        )?;
                        break;
                    }
                    collect_hits(client, k.plural, &filter, &select, first, &mut hits)?;
                }
            }
            let found = |e: &Existing, key: &str| {
                e.by_source_id
                    .contains_key(&(k.name.to_string(), key.to_string()))
            };
            pending.retain(|(f, _)| !found(self, f));
        }
        // The records found, whole (REST answers every field in its usual shape).
        for dead in [false, true] {
            let ids: Vec<String> = hits
                .iter()
                .filter(|(id, d)| {
                    *d == dead && !self.by_id.contains_key(&(k.name.to_string(), id.clone()))
                })
                .map(|(id, _)| id.clone())
                .collect();
            let filters = in_filters("id", &ids)
                .into_iter()
                .map(|f| if dead { format!("{TRASH},{f}") } else { f });
            self.read_filtered(client, k, filters)?;
        }
        Ok(Looked::Done)
    }

    /// Every record of `k`'s object each REST filter finds, whole.
    fn read_filtered(
        &mut self,
        client: &Client,
        k: &Keyed,
        filters: impl Iterator<Item = String>,
    ) -> Result<(), ApiError> {
        for f in filters {
            for r in client.list_all(k.plural, Some(&f))? {
                self.add(k.name, r);
            }
        }
        Ok(())
    }

    /// Reads one object's records: all of them, or those the filters find, whichever takes
    /// fewer requests (the first page of the object and of its trash say how many there are).
    /// `all` are the filters of every key, `theirs` those that can find records crm2twenty did
    /// not write (emails, domains); `ours` says whether some record was written by it (then
    /// every key is looked up), and is asked only when the keys are the cheaper way.
    #[allow(clippy::too_many_arguments)]
    fn read_object(
        &mut self,
        client: &Client,
        ws: &Workspace,
        name: &str,
        plural: &str,
        all: &[String],
        theirs: &[String],
        ours: &dyn Fn() -> Result<bool, ApiError>,
        note: &mut dyn FnMut(&str, u64),
    ) -> Result<(), ApiError> {
        const PAGE: u64 = c2t_twenty::LIST_ALL_PAGE as u64;
        const TRASH: &str = "deletedAt[is]:NOT_NULL";
        let trash = ws.caps.rest_upsert;
        if all.is_empty() {
            return Ok(());
        }
        // One page of each tells the size (and is kept: a small object is read whole by it).
        let live = client.list(plural, None, PAGE as usize, None)?;
        let dead = if trash {
            Some(client.list(plural, Some(TRASH), PAGE as usize, None)?)
        } else {
            None
        };
        let pages = |page: &c2t_twenty::Page| {
            page.total
                .unwrap_or(if page.next.is_some() { u64::MAX / 2 } else { 0 })
                .div_ceil(PAGE)
                .saturating_sub(1)
        };
        // An empty trash is not looked into again.
        let trash = trash && dead.as_ref().is_some_and(|d| !d.records.is_empty());
        let whole = pages(&live) + dead.as_ref().map_or(0, pages);
        let per_filter = if trash { 2 } else { 1 };
        let filters: &[String] = if whole <= theirs.len() as u64 * per_filter || ours()? {
            all
        } else {
            theirs
        };
        let by_keys = filters.len() as u64 * per_filter;
        let mut records = Vec::new();
        let planned = whole.min(by_keys);
        if planned > 0 {
            note(name, planned);
        }
        if whole <= by_keys {
            records.extend(live.records);
            if let Some(n) = live.next {
                records.extend(client.list_all_after(plural, None, &n)?);
            }
            if let Some(d) = dead {
                records.extend(d.records);
                if let Some(n) = d.next {
                    records.extend(client.list_all_after(plural, Some(TRASH), &n)?);
                }
            }
        } else {
            for f in filters {
                records.extend(client.list_all(plural, Some(f))?);
                if trash {
                    records.extend(client.list_all(plural, Some(&format!("{TRASH},{f}")))?);
                }
            }
        }
        for r in records {
            self.add(name, r);
        }
        Ok(())
    }
}
