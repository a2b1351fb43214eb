//! Loading: the prepared records into the workspace, object by object in dependency order, in
//! batches, every batch recorded in the state store before it is sent and after it is confirmed.
//!
//! Why nothing is ever written twice: every record's id is chosen before sending (the id of the
//! record already in the workspace, or a UUID v5 of the source record) and every write is an
//! upsert on that id. A batch whose answer was lost, or that was cut by a crash, is simply sent
//! again on the next run and updates the same rows. Unchanged records (same payload hash as the
//! last confirmed write) are not sent again, so a second run with the same export writes nothing
//! and a run on a newer export sends only what changed.

use crate::check::objects_written;
use crate::payload::{self, Conflict, Resolved};
use crate::workspace::{Existing, Workspace};
use c2t_core::mapping::ATTACHMENT;
use c2t_pipeline::job::Prepared;
use c2t_state::{BatchItem, RunStatus, StateError, Store};
use c2t_twenty::{ApiError, Client};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Records per request (lowered by itself when the server refuses a batch as too large).
    pub batch_size: usize,
    pub conflict: Conflict,
    /// Compute what would be written, write nothing.
    pub dry_run: bool,
    /// The workspace URL, recorded with the run (never the key).
    pub workspace_url: String,
    /// A hash of the mapping, recorded with the run.
    pub mapping_hash: String,
    /// Set (by a Ctrl-C) to stop before the next batch: the run ends
    /// [`ImportError::Interrupted`], marked interrupted, with nothing in doubt.
    pub stop: Option<Arc<AtomicBool>>,
}

impl Default for ImportOptions {
    fn default() -> ImportOptions {
        ImportOptions {
            batch_size: 60,
            conflict: Conflict::FillEmpty,
            dry_run: false,
            workspace_url: String::new(),
            mapping_hash: String::new(),
            stop: None,
        }
    }
}

/// Progress, for the command line to show.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Object {
        object: String,
        records: usize,
        to_send: usize,
        unchanged: usize,
    },
    Batch {
        object: String,
        sent: usize,
        to_send: usize,
    },
    /// The second pass of an object: links written after every record is there (objects or
    /// records that refer to each other).
    Links { object: String, records: usize },
    Rejected {
        object: String,
        file: String,
        line: u64,
        message: String,
    },
    /// Attachments: files uploaded so far (and reused from a run that uploaded them), in
    /// files and bytes, of those to send.
    Upload {
        object: String,
        files: usize,
        files_total: usize,
        bytes: u64,
        bytes_total: u64,
    },
}

/// Per object: what happened.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ObjectSummary {
    pub records: usize,
    pub created: usize,
    pub updated: usize,
    /// Of the updated: records soft-deleted in the workspace that the write brings back.
    pub revived: usize,
    pub unchanged: usize,
    pub rejected: usize,
    /// Links (relations, owners) the records carry to other records and members.
    pub linked: usize,
    /// Rows of this object the pipeline left out (merged into another, or skipped by a rule).
    pub skipped: usize,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    pub run: i64,
    pub objects: BTreeMap<String, ObjectSummary>,
    /// (file, line, object, message) of every record the server refused.
    pub rejects: Vec<(String, u64, String, String)>,
    pub requests: usize,
    /// Attachment files uploaded, and their bytes (a file a killed run uploaded is reused, not
    /// counted again).
    pub uploaded_files: usize,
    pub uploaded_bytes: u64,
    /// Attachment files to upload (in a dry run: that would be uploaded), and their bytes.
    pub files_to_upload: usize,
    pub bytes_to_upload: u64,
    /// In a dry run: every write the import would send, what a saved plan holds and what
    /// `import --plan` compares before it writes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub planned: Vec<Planned>,
}

/// One write a dry run found to do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Planned {
    pub object: String,
    /// The record's key in the export.
    pub key: String,
    /// `create`, `update`, `restore` (a record in the trash), or `link` (the second pass).
    pub action: String,
    /// What it says ([`c2t_state::payload_hash`]).
    pub hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("{0}")]
    State(#[from] StateError),
    /// Stopped by [`ImportOptions::stop`] between two batches.
    #[error("interrupted")]
    Interrupted,
}

struct Item {
    key: String,
    record: usize,
    payload: Value,
    hash: String,
    existed: bool,
    previous: Option<Value>,
    /// A second-pass write of links (not counted as another update).
    links_only: bool,
}

struct Loader<'a> {
    client: &'a Client,
    store: &'a mut Store,
    ws: &'a Workspace,
    p: &'a Prepared,
    run: i64,
    batch: usize,
    summary: Summary,
    on_event: &'a mut dyn FnMut(Event),
    stop: Option<&'a AtomicBool>,
    /// Writes go through REST batches with `upsert=true` (Twenty 2.x, told by its metadata),
    /// until a refusal shows the server ignores `upsert` (as 1.5 does): then through GraphQL,
    /// whose upsert works on every version.
    rest_upsert: bool,
    /// The first duplicate refusal of a REST upsert has been compared with GraphQL's answer.
    upsert_known: bool,
}

impl Loader<'_> {
    /// Notes a write a dry run would send.
    fn plan(&mut self, object: &str, i: &Item, action: &str) {
        self.summary.planned.push(Planned {
            object: object.to_string(),
            key: i.key.clone(),
            action: action.to_string(),
            hash: i.hash.clone(),
        });
    }

    fn write(&mut self, plural: &str, payloads: &[Value]) -> Result<Vec<Value>, ApiError> {
        self.summary.requests += 1;
        if !self.rest_upsert {
            return self.client.graphql_create_many(plural, payloads, true);
        }
        match self.client.batch_create(plural, payloads, true) {
            // A duplicate where an upsert was asked: either a true duplicate, or a server that
            // ignores `upsert` on REST (Twenty 1.5 does) refusing records it already has. The
            // same batch through GraphQL tells them apart, once: taken, the REST route is left
            // for good; refused too, the duplicate is real and REST stays.
            Err(ApiError::Duplicate { .. }) if !self.upsert_known => {
                self.upsert_known = true;
                self.summary.requests += 1;
                let answer = self.client.graphql_create_many(plural, payloads, true);
                if answer.is_ok() {
                    self.rest_upsert = false;
                }
                answer
            }
            answer => answer,
        }
    }

    /// Counts an object before its writes (records, unchanged, revived, links, left out; the
    /// other counts follow as records are sent) and tells the caller: the `Object` event.
    fn begin_object(&mut self, object: &str, counts: ObjectSummary, to_send: usize) {
        let s = self.summary.objects.entry(object.to_string()).or_default();
        s.records = counts.records;
        s.unchanged = counts.unchanged;
        s.revived = counts.revived;
        s.linked = counts.linked;
        s.skipped = counts.skipped;
        (self.on_event)(Event::Object {
            object: object.to_string(),
            records: counts.records,
            to_send,
            unchanged: counts.unchanged,
        });
    }

    /// A record refused for good (by the server, or before sending it): recorded in the state
    /// with its reason (unless a dry run), counted, and told.
    fn refuse(
        &mut self,
        object: &str,
        key: &str,
        record: usize,
        message: String,
        dry_run: bool,
    ) -> Result<(), StateError> {
        if !dry_run {
            let rec = &self.p.records[record];
            let file = self.p.file_name(rec.file).to_string();
            self.store
                .reject(self.run, object, key, &file, rec.line, &message)?;
        }
        self.rejected(object, record, message);
        Ok(())
    }

    /// Rows of `object` the pipeline left out (merged into another, or skipped by a rule).
    fn left_out(&self, object: &str) -> usize {
        (0..self.p.records.len())
            .filter(|&r| {
                self.p.records[r].object == object
                    && matches!(
                        self.p.status[r],
                        c2t_pipeline::job::Status::Merged(_)
                            | c2t_pipeline::job::Status::Skipped(_)
                    )
            })
            .count()
    }

    /// Counts a record the server refused (or would refuse) in the summary and tells the caller.
    fn rejected(&mut self, object: &str, record: usize, message: String) {
        let rec = &self.p.records[record];
        let file = self.p.file_name(rec.file).to_string();
        self.summary
            .objects
            .entry(object.to_string())
            .or_default()
            .rejected += 1;
        self.summary
            .rejects
            .push((file.clone(), rec.line, object.to_string(), message.clone()));
        (self.on_event)(Event::Rejected {
            object: object.into(),
            file,
            line: rec.line,
            message,
        });
    }

    /// Sends items in batches; bisects a refused batch down to the records at fault.
    fn send(
        &mut self,
        object: &str,
        plural: &str,
        items: &[Item],
        total: usize,
        sent: &mut usize,
    ) -> Result<(), ImportError> {
        let mut start = 0;
        while start < items.len() {
            if self.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                return Err(ImportError::Interrupted);
            }
            let end = (start + self.batch).min(items.len());
            let chunk = &items[start..end];
            match self.send_chunk(object, plural, chunk) {
                Ok(()) => {
                    *sent += chunk.len();
                    (self.on_event)(Event::Batch {
                        object: object.into(),
                        sent: *sent,
                        to_send: total,
                    });
                    start = end;
                }
                Err(ImportError::Api(ApiError::TooLarge { max, .. })) if self.batch > 1 => {
                    self.batch = max
                        .filter(|&m| m > 0 && m < self.batch)
                        .unwrap_or(self.batch / 2)
                        .max(1);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn send_chunk(
        &mut self,
        object: &str,
        plural: &str,
        chunk: &[Item],
    ) -> Result<(), ImportError> {
        let batch_items: Vec<BatchItem> = chunk
            .iter()
            .map(|i| BatchItem {
                source_key: i.key.clone(),
                twenty_id: i
                    .payload
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                payload_hash: i.hash.clone(),
                existed_before: i.existed,
                previous: i.previous.clone(),
            })
            .collect();
        // A note's target is named by its note: not worth a name of its own.
        let names: Vec<(String, String)> = chunk
            .iter()
            .filter(|i| !i.links_only && !object.ends_with("Target"))
            .map(|i| (i.key.clone(), self.p.records[i.record].display_name()))
            .collect();
        self.store.remember_names(object, &names)?;
        let batch = self.store.batch_sending(self.run, object, &batch_items)?;
        let payloads: Vec<Value> = chunk.iter().map(|i| i.payload.clone()).collect();
        match self.write(plural, &payloads) {
            Ok(_) => {
                self.store.batch_confirmed(batch, 201)?;
                let s = self.summary.objects.entry(object.to_string()).or_default();
                for i in chunk.iter().filter(|i| !i.links_only) {
                    if i.existed {
                        s.updated += 1
                    } else {
                        s.created += 1
                    }
                }
                Ok(())
            }
            Err(e @ (ApiError::Rejected { .. } | ApiError::Duplicate { .. })) => {
                self.store.batch_failed(batch, &e.to_string())?;
                if chunk.len() == 1 {
                    let i = &chunk[0];
                    self.refuse(object, &i.key, i.record, e.to_string(), false)?;
                    return Ok(());
                }
                let (a, b) = chunk.split_at(chunk.len() / 2);
                self.send_chunk(object, plural, a)?;
                self.send_chunk(object, plural, b)
            }
            Err(e) => {
                self.store.batch_failed(batch, &e.to_string())?;
                Err(e.into())
            }
        }
    }
}

/// The values a write replaces in a record that already existed, for rollback.
fn previous(body: &Value, existing: Option<&Value>) -> Option<Value> {
    let (Value::Object(b), Some(Value::Object(e))) = (body, existing) else {
        return None;
    };
    let mut prev: serde_json::Map<String, Value> = b
        .keys()
        .filter(|k| *k != "id")
        .map(|k| (k.clone(), e.get(k).cloned().unwrap_or(Value::Null)))
        .collect();
    // A soft-deleted record the upsert revives: rollback deletes it again.
    if let Some(d) = e.get("deletedAt").filter(|d| !d.is_null()) {
        prev.insert("deletedAt".into(), d.clone());
    }
    Some(Value::Object(prev))
}

/// Writes every kept record of `p` into the workspace. `ids` come from [`payload::resolve`].
pub fn import(
    client: &Client,
    store: &mut Store,
    p: &Prepared,
    ws: &Workspace,
    existing: &Existing,
    opts: &ImportOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<Summary, ImportError> {
    let ids = payload::resolve(p, existing);
    let run = if opts.dry_run {
        0
    } else {
        store.begin_run(&opts.workspace_url, &opts.mapping_hash)?
    };
    let batch = opts
        .batch_size
        .clamp(1, ws.caps.batch_max.unwrap_or(usize::MAX));
    let mut loader = Loader {
        client,
        store,
        ws,
        p,
        run,
        batch,
        summary: Summary {
            run,
            ..Summary::default()
        },
        on_event,
        stop: opts.stop.as_deref(),
        rest_upsert: ws.caps.rest_upsert,
        upsert_known: false,
    };
    let result = load_all(&mut loader, &ids, existing, opts);
    let mut summary = std::mem::take(&mut loader.summary);
    summary.run = run;
    if !opts.dry_run {
        let status = match &result {
            Ok(()) => RunStatus::Done,
            Err(ImportError::Interrupted) => RunStatus::Interrupted,
            Err(_) => RunStatus::Failed,
        };
        loader.store.finish_run(run, status)?;
    }
    result.map(|()| summary)
}

fn load_all(
    l: &mut Loader,
    ids: &[Option<Resolved>],
    existing: &Existing,
    opts: &ImportOptions,
) -> Result<(), ImportError> {
    let p = l.p;
    let ws = l.ws;
    let written = objects_written(p);
    let mut target_items: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    // Second pass: links between records that could not be written with them.
    let mut later: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for object in &written {
        if object == ATTACHMENT {
            load_attachments(l, ids, existing, opts)?;
            continue;
        }
        let Some(meta) = ws.object(object) else {
            continue;
        };
        let mut items = Vec::new();
        let mut unchanged = 0;
        let mut records = 0;
        let mut revived = 0;
        let mut linked = 0;
        let skipped = l.left_out(object);
        for r in p.kept().filter(|&r| p.records[r].object == *object) {
            records += 1;
            let existed = ids[r].as_ref().is_some_and(|x| x.existing.is_some());
            let deleted = payload::in_trash(ids[r].as_ref());
            linked += p.links[r].len();
            let full = payload::payload(p, r, ws, ids);
            let key = payload::source_key(p, r);
            // The hash is of what the export says (before fill-empty drops the fields the
            // workspace already holds), so an unchanged export hashes the same on every run.
            let hash = c2t_state::payload_hash(&full);
            let mut body = payload::under_policy(full, ids[r].as_ref(), opts.conflict);
            // Unchanged: written by an earlier run with the same values, and still in the
            // workspace (a state file pointed at another workspace proves nothing).
            if existed && l.store.is_current(object, &key, &hash)? {
                unchanged += 1;
            } else {
                let prev = previous(&body, ids[r].as_ref().and_then(|x| x.existing.as_ref()));
                // Links to records not written yet go in the second pass; until it is
                // confirmed, the record's hash is that of the first, so it is not "current".
                let mut links = serde_json::Map::new();
                if let Value::Object(m) = &mut body {
                    for column in payload::deferred_links(p, r, ws, ids, &written) {
                        if let Some(v) = m.remove(&column) {
                            links.insert(column, v);
                        }
                    }
                }
                let first_hash = if links.is_empty() {
                    hash.clone()
                } else {
                    c2t_state::payload_hash(&body)
                };
                if !links.is_empty() {
                    links.insert("id".into(), body["id"].clone());
                    later.entry(object.clone()).or_default().push(Item {
                        key: key.clone(),
                        record: r,
                        payload: Value::Object(links),
                        hash,
                        existed: true,
                        previous: None,
                        links_only: true,
                    });
                }
                revived += usize::from(deleted);
                items.push(Item {
                    key,
                    record: r,
                    payload: body,
                    hash: first_hash,
                    existed,
                    previous: prev,
                    links_only: false,
                });
            }
            if matches!(object.as_str(), "note" | "task") {
                let join = format!("{object}Target");
                for (k, body) in payload::targets(p, r, ws, ids) {
                    let hash = c2t_state::payload_hash(&body);
                    let id = body
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let there = existing.by_id.contains_key(&(join.clone(), id));
                    if !(there && l.store.is_current(&join, &k, &hash)?) {
                        target_items.entry(join.clone()).or_default().push(Item {
                            key: k,
                            record: r,
                            payload: body,
                            hash,
                            existed: false,
                            previous: None,
                            links_only: false,
                        });
                    }
                }
            }
        }
        let counts = ObjectSummary {
            records,
            unchanged,
            revived,
            linked,
            skipped,
            ..ObjectSummary::default()
        };
        l.begin_object(object, counts, items.len());
        if opts.dry_run {
            // What the server would refuse, checked against the workspace's field types.
            for i in &items {
                let problems = crate::validate::check_payload(ws, object, &i.payload);
                if problems.is_empty() {
                    continue;
                }
                l.rejected(
                    object,
                    i.record,
                    format!("would be refused: {}", problems.join("; ")),
                );
            }
            let s = l.summary.objects.entry(object.clone()).or_default();
            s.updated = items.iter().filter(|i| i.existed).count();
            s.created = items.len() - s.updated;
            for i in &items {
                let action = if !i.existed {
                    "create"
                } else if payload::in_trash(ids[i.record].as_ref()) {
                    "restore"
                } else {
                    "update"
                };
                l.plan(object, i, action);
            }
            continue;
        }
        let mut sent = 0;
        let total = items.len();
        l.send(object, &meta.name_plural, &items, total, &mut sent)?;
    }
    for (object, items) in later {
        let Some(meta) = ws.object(&object) else {
            continue;
        };
        (l.on_event)(Event::Links {
            object: object.clone(),
            records: items.len(),
        });
        if opts.dry_run {
            for i in &items {
                l.plan(&object, i, "link");
            }
            continue;
        }
        let mut sent = 0;
        let total = items.len();
        l.send(&object, &meta.name_plural, &items, total, &mut sent)?;
    }
    for (join, items) in target_items {
        let Some(meta) = ws.object(&join) else {
            continue;
        };
        let counts = ObjectSummary {
            records: items.len(),
            ..ObjectSummary::default()
        };
        l.begin_object(&join, counts, items.len());
        if opts.dry_run {
            l.summary.objects.entry(join.clone()).or_default().created = items.len();
            for i in &items {
                l.plan(&join, i, "create");
            }
            continue;
        }
        let mut sent = 0;
        let total = items.len();
        l.send(&join, &meta.name_plural, &items, total, &mut sent)?;
    }
    Ok(())
}

/// Attachments: for each record a file is attached to, the file is uploaded (streamed from
/// disk), then the attachment record naming it is written, a batch at a time, as any record is
/// (recorded before it is sent, confirmed after). What a record says is hashed with the file's
/// content hash, so a re-run uploads nothing that is already attached; a file uploaded by a run
/// killed before its record was written is reused from the state.
fn load_attachments(
    l: &mut Loader,
    ids: &[Option<Resolved>],
    existing: &Existing,
    opts: &ImportOptions,
) -> Result<(), ImportError> {
    let p = l.p;
    let ws = l.ws;
    let object = ATTACHMENT;
    let Some(meta) = ws.object(object) else {
        return Ok(());
    };
    let style = payload::file_style(ws);
    let skipped = l.left_out(object);
    let mut todo: Vec<Item> = Vec::new();
    let (mut records, mut unchanged) = (0, 0);
    let mut unplaced: Vec<(usize, String)> = Vec::new();
    for r in p.kept().filter(|&r| p.records[r].object == object) {
        let Some(f) = p.attachments.get(&r) else {
            continue;
        };
        let bodies = payload::attachments(p, r, ws, ids);
        if bodies.is_empty() {
            let to: Vec<String> = p.links[r]
                .iter()
                .filter_map(|l| match l.target {
                    c2t_pipeline::link::Target::Record(t) => Some(p.records[t].object.to_string()),
                    _ => None,
                })
                .collect();
            unplaced.push((
                r,
                format!(
                    "the workspace's attachments cannot point to {}",
                    to.join(", ")
                ),
            ));
            continue;
        }
        for (key, body) in bodies {
            records += 1;
            let hash = c2t_state::payload_hash(&payload::attachment_intent(&body, &f.hash));
            let id = body
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let found = existing.by_id.get(&(object.to_string(), id));
            let there = found.is_some();
            if there && l.store.is_current(object, &key, &hash)? {
                unchanged += 1;
                continue;
            }
            // An attachment the write brings back from the trash (an earlier import rolled
            // back) is sent back there by a rollback: only that is kept of what it was. Its
            // earlier file is not put back (the server may have removed it once replaced),
            // so a changed file stays on rollback (seen on a live 2.19: ceiling.md, run 5).
            let previous = found
                .and_then(|e| e.get("deletedAt"))
                .filter(|d| !d.is_null())
                .map(|d| serde_json::json!({ "deletedAt": d }));
            todo.push(Item {
                key,
                record: r,
                payload: body,
                hash,
                existed: there,
                previous,
                links_only: false,
            });
        }
    }
    let counts = ObjectSummary {
        records,
        unchanged,
        linked: records,
        skipped,
        ..ObjectSummary::default()
    };
    l.begin_object(object, counts, todo.len());
    for (r, why) in unplaced {
        l.refuse(object, &payload::source_key(p, r), r, why, opts.dry_run)?;
    }
    let size_of = |i: &Item| p.attachments.get(&i.record).map_or(0, |f| f.size);
    l.summary.files_to_upload = todo.len();
    l.summary.bytes_to_upload = todo.iter().map(size_of).sum();
    let Some(style) = style else {
        for i in &todo {
            let why =
                "the workspace's attachments have no file field (neither `file` nor `fullPath`)";
            l.refuse(object, &i.key, i.record, why.to_string(), opts.dry_run)?;
        }
        return Ok(());
    };
    let revived = todo
        .iter()
        .filter(|i| {
            i.previous
                .as_ref()
                .is_some_and(|p| p.get("deletedAt").is_some())
        })
        .count();
    l.summary
        .objects
        .entry(object.to_string())
        .or_default()
        .revived = revived;
    if opts.dry_run {
        let s = l.summary.objects.entry(object.to_string()).or_default();
        s.updated = todo.iter().filter(|i| i.existed).count();
        s.created = todo.len() - s.updated;
        for i in &todo {
            l.plan(object, i, if i.existed { "update" } else { "create" });
        }
        return Ok(());
    }
    let (files_total, bytes_total) = (todo.len(), l.summary.bytes_to_upload);
    let (mut files, mut bytes) = (0usize, 0u64);
    let mut sent = 0;
    let chunk_size = l.batch;
    for chunk in todo.chunks(chunk_size) {
        let mut ready: Vec<Item> = Vec::with_capacity(chunk.len());
        for i in chunk {
            if l.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                return Err(ImportError::Interrupted);
            }
            let f = &p.attachments[&i.record];
            let name = i
                .payload
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let uploaded = match l.store.upload_of(object, &i.key, &f.hash)? {
                Some(v) => c2t_twenty::UploadedFile {
                    id: v.get("id").and_then(Value::as_str).map(str::to_string),
                    path: v
                        .get("path")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                },
                None => {
                    let src = c2t_twenty::UploadSource {
                        path: f.path.clone(),
                        name: name.clone(),
                        mime: c2t_pipeline::attach::mime_type(&name).to_string(),
                        size: f.size,
                    };
                    l.summary.requests += 1;
                    let result = match &style {
                        payload::FileStyle::Files { field_id } => {
                            l.client.upload_files_field_file(field_id, &src)
                        }
                        payload::FileStyle::FullPath => l.client.upload_file_legacy(&src),
                    };
                    match result {
                        Ok(u) => {
                            l.store.upload_done(
                                l.run,
                                object,
                                &i.key,
                                &f.hash,
                                f.size,
                                &serde_json::json!({"id": u.id, "path": u.path}),
                            )?;
                            l.summary.uploaded_files += 1;
                            l.summary.uploaded_bytes += f.size;
                            u
                        }
                        // A file the server will not take (too large, a refused type, gone
                        // from the disk since it was read): that attachment is rejected, the
                        // run goes on.
                        // 2.x refuses a file whose bytes do not match its extension, or a name
                        // without one (live 2.19: docs/evidence/live-2x/upload-*.json).
                        Err(
                            e @ (ApiError::Rejected { .. }
                            | ApiError::TooLarge { .. }
                            | ApiError::File { .. }),
                        ) => {
                            let message = format!("file `{}` not uploaded: {e}", f.rel);
                            l.refuse(object, &i.key, i.record, message, false)?;
                            continue;
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
            };
            files += 1;
            bytes += f.size;
            (l.on_event)(Event::Upload {
                object: object.to_string(),
                files,
                files_total,
                bytes,
                bytes_total,
            });
            ready.push(Item {
                key: i.key.clone(),
                record: i.record,
                payload: payload::with_file(i.payload.clone(), &style, &uploaded, &name),
                hash: i.hash.clone(),
                existed: i.existed,
                previous: i.previous.clone(),
                links_only: false,
            });
        }
        let total = todo.len();
        l.send(object, &meta.name_plural, &ready, total, &mut sent)?;
        for i in &ready {
            l.store.upload_used(object, &i.key)?;
        }
    }
    Ok(())
}
