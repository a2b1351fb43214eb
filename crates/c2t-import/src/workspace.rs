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
    /// Reads the schema, the members, the server's capabilities and, with `automations`, the
    /// active workflows and webhooks (`check` warns about them; `import` need not read them
    /// again).
    pub fn read(client: &Client, automations: bool) -> Result<Workspace, ApiError> {
        let objects = client.objects()?;
        let members = client.members()?;
        let caps = c2t_twenty::detect_with(client, &objects)?;
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

    /// Reads the schema and the members only, without probing the server (verify and rollback
    /// need no write capability): the target maps come from the metadata, and the upsert and
    /// batch-cap capabilities are left unknown (`false`, `None`).
    pub fn read_schema(client: &Client) -> Result<Workspace, ApiError> {
        let objects = client.objects()?;
        let members = client.members()?;
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
        // Percent-encoding roughly doubles what is not alphanumeric.
        let cost = v.len() * 2 + 9;
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
        let mut e = Existing::default();
        let objects = crate::check::objects_written(p);
        for name in &objects {
            let Some(o) = ws.object(name) else { continue };
            // Records crm2twenty wrote carry their source key (every import writes it): when no
            // record of the object has one (a first import), source keys find nothing and are
            // not looked up (one request says so). Our ids are not looked up: a record of ours
            // has its source key, unless someone emptied it (it is then written again on its id,
            // an upsert, but counted as new).
            let mut keys: Vec<(&str, Vec<String>)> = vec![(SOURCE_ID_FIELD, Vec::new())];
            if name == "person" {
                keys.push(("emails.primaryEmail", Vec::new()));
            }
            if name == "company" {
                keys.push(("domainName.primaryLinkUrl", Vec::new()));
            }
            for r in p.kept().filter(|&r| p.records[r].object == *name) {
                let rec = &p.records[r];
                keys[0].1.push(crate::payload::source_key(p, r));
                if let Some(k) = keys.get_mut(1) {
                    let v = match name.as_str() {
                        "person" => rec.primary_email().map(str::to_lowercase),
                        _ => rec.domain_url().map(str::to_string),
                    };
                    k.1.extend(v);
                }
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
        Ok(e)
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
