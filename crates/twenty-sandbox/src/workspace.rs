//! The workspace engine: records in memory, written through to SQLite, with Twenty's semantics.
//!
//! Create (batch, with or without upsert), update, soft/hard delete, restore, get and list live
//! here, together with the rules that make them faithful: unique keys (with the profile's view of
//! soft-deleted rows), foreign keys, relation `connect`, upsert matching on `id` and every unique
//! key (reviving soft-deleted matches), positions, actors and timestamps. Rendering fills every
//! field the stored record lacks with the default Twenty answers, so fields created later through
//! the metadata API show up on old records at once.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use base64::Engine as _;
use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::errors::{ApiError, ApiResult};
use crate::filter::{Filter, Op, OrderTerm, parse_filter, parse_order_by};
use crate::profile::Profile;
use crate::schema::{Field, Object, Schema};
use crate::store::{Change, Store};
use crate::validate::{Row, format_timestamp, validate_row};

/// Records of one object plus its unique-value index.
#[derive(Default)]
pub(crate) struct Table {
    pub(crate) records: IndexMap<String, Map<String, Value>>,
    /// field name → unique value → ids holding it (soft-deleted included).
    unique: HashMap<String, HashMap<String, Vec<String>>>,
    /// Lowest position given so far (2.x counts down from 0).
    min_position: Option<f64>,
}

/// The workspace: schema, records, persistence.
pub struct Workspace {
    /// Behaviour flags.
    pub profile: Profile,
    /// Objects and fields (seed + custom).
    pub schema: Schema,
    pub(crate) tables: HashMap<String, Table>,
    pub(crate) store: Store,
    actor: Value,
    /// Webhooks of the metadata API (`/rest/metadata/webhooks`), see [`crate::webhooks`].
    pub(crate) webhooks: Vec<Value>,
    /// Uploaded files by id, in upload order (descriptions; bytes stay in the store), see
    /// [`crate::files`].
    pub(crate) files: IndexMap<String, crate::files::FileRow>,
    /// Secret of the file tokens (kept in the database).
    pub(crate) file_secret: Vec<u8>,
    /// `SERVER_URL`: what signed file URLs start with (`http://127.0.0.1:PORT`, set by the server).
    pub(crate) server_url: String,
}

/// Query parameters of a list request.
#[derive(Debug, Default, Clone)]
pub struct ListParams {
    /// `limit`.
    pub limit: Option<String>,
    /// `order_by`.
    pub order_by: Option<String>,
    /// `filter`.
    pub filter: Option<String>,
    /// `starting_after`.
    pub starting_after: Option<String>,
    /// `ending_before`.
    pub ending_before: Option<String>,
    /// `depth`.
    pub depth: u8,
}

/// A list request with its parts parsed: what REST's `GET /rest/{plural}` and GraphQL's
/// `{plural}(filter, orderBy, first, after)` both run ([`Workspace::list_query`]).
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// The filter (checked against the object), or none.
    pub filter: Option<Filter>,
    /// The sort, ending with the `id` tiebreaker ([`parse_order_by`] adds it).
    pub order: Vec<OrderTerm>,
    /// Records per page (already defaulted and clamped by the caller).
    pub limit: usize,
    /// Cursor the page starts after (REST `starting_after`, GraphQL `after`).
    pub after: Option<String>,
    /// Cursor the page ends before (REST `ending_before`, GraphQL `before`): backward paging.
    pub before: Option<String>,
    /// Relation depth of the rendered records (0 or 1).
    pub depth: u8,
}

/// One page of a list answer.
pub struct Page {
    /// Rendered records.
    pub records: Vec<Value>,
    /// The cursor of each record (base64 JSON of its order values and id, Twenty's
    /// `encodeCursor`), in the order of `records`.
    pub cursors: Vec<String>,
    /// `totalCount`: every record the filter matches (REST on 1.5: see `count_from_cursor`).
    pub total_count: usize,
    /// The records from the cursor on (after `after`, or before `before`): what 1.5's REST
    /// answers as `totalCount` (recorded).
    pub count_from_cursor: usize,
    /// `pageInfo.hasNextPage`.
    pub has_next_page: bool,
    /// `pageInfo.hasPreviousPage`.
    pub has_previous_page: bool,
    /// `pageInfo.startCursor`.
    pub start_cursor: Option<String>,
    /// `pageInfo.endCursor`.
    pub end_cursor: Option<String>,
}

impl Page {
    /// A page holding `rows` = `start..end` of the `total` sorted matches, with Twenty's flags
    /// (`getPaginationInfo`): `hasNextPage` only forward, `hasPreviousPage` only backward.
    fn new(
        records: Vec<Value>,
        cursors: Vec<String>,
        total: usize,
        count_from_cursor: usize,
        forward: bool,
        (start, end): (usize, usize),
    ) -> Page {
        Page {
            start_cursor: cursors.first().cloned(),
            end_cursor: cursors.last().cloned(),
            records,
            cursors,
            total_count: total,
            count_from_cursor,
            has_next_page: forward && end < total,
            has_previous_page: !forward && start > 0,
        }
    }
}

/// A filter-based mass mutation of GraphQL, see [`Workspace::mutate_by_ids`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MassMutation {
    /// `deleteXs`: soft delete (sets `deletedAt`).
    SoftDelete,
    /// `destroyXs`: hard delete, soft-deleted records included.
    Destroy,
    /// `restoreXs`: soft-deleted records back (`deletedAt` null).
    Restore,
}

/// Current time as Twenty writes it.
pub fn now() -> String {
    format_timestamp(jiff::Timestamp::now())
}

fn unique_value(sub: Option<&str>, value: Option<&Value>) -> Option<String> {
    let v = match (sub, value) {
        (Some(s), Some(v)) => v.get(s)?,
        (None, Some(v)) => v,
        _ => return None,
    };
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Workspace {
    /// Opens the database, seeding the schema of `profile` on first use.
    pub fn open(
        db: &str,
        kind: crate::profile::ProfileKind,
        api_key_name: &str,
    ) -> anyhow::Result<Workspace> {
        let mut store = Store::open(db)?;
        let schema = match store.meta("profile")? {
            Some(stored) if stored != kind.name() => anyhow::bail!(
                "database {db} was created with profile {stored}, not {}",
                kind.name()
            ),
            Some(_) => Schema::from_json(
                &store
                    .meta("schema")?
                    .ok_or_else(|| anyhow::anyhow!("database {db} has no schema"))?,
            )?,
            None => {
                let schema = Schema::from_json(kind.seed_schema())?;
                store.apply(&[
                    Change::Meta {
                        key: "profile".into(),
                        value: kind.name().into(),
                    },
                    Change::Meta {
                        key: "schema".into(),
                        value: serde_json::to_string(&schema)?,
                    },
                ])?;
                schema
            }
        };
        let mut ws = Workspace {
            profile: kind.profile(),
            schema,
            tables: HashMap::new(),
            store,
            actor: json!({"source": "API", "workspaceMemberId": null, "name": api_key_name, "context": {}}),
            webhooks: Vec::new(),
            files: IndexMap::new(),
            file_secret: Vec::new(),
            server_url: String::new(),
        };
        ws.webhooks = crate::webhooks::load(&ws.store)?;
        ws.load_files()?;
        for (object, id, data) in ws.store.load_records()? {
            ws.index_insert(&object, &id, &data);
            ws.tables
                .entry(object)
                .or_default()
                .records
                .insert(id, data);
        }
        Ok(ws)
    }

    /// An object by plural name, or the error Twenty answers for an unknown one.
    pub fn object(&self, plural: &str) -> ApiResult<Object> {
        self.schema.by_plural(plural).cloned().ok_or_else(|| {
            ApiError::bad_request(format!("object '{plural}' not found")).with_code("BAD_REQUEST")
        })
    }

    /// [`Workspace::object`] without the copy, for reads.
    pub fn object_ref(&self, plural: &str) -> ApiResult<&Object> {
        self.schema.by_plural(plural).ok_or_else(|| {
            ApiError::bad_request(format!("object '{plural}' not found")).with_code("BAD_REQUEST")
        })
    }

    pub(crate) fn persist(&mut self, changes: &[Change]) -> ApiResult<()> {
        self.store.apply(changes).map_err(|e| {
            ApiError::new(
                500,
                "InternalServerErrorException",
                format!("sandbox storage: {e}"),
            )
        })
    }

    pub(crate) fn persist_schema(&mut self) -> ApiResult<()> {
        let value = serde_json::to_string(&self.schema)
            .map_err(|e| ApiError::new(500, "InternalServerErrorException", e.to_string()))?;
        self.persist(&[Change::Meta {
            key: "schema".into(),
            value,
        }])
    }

    fn index_insert(&mut self, object: &str, id: &str, data: &Map<String, Value>) {
        let Some(obj) = self.schema.by_singular(object) else {
            return;
        };
        let keys = obj.unique_keys();
        let table = self.tables.entry(object.to_string()).or_default();
        for (name, sub, _) in &keys {
            if let Some(v) = unique_value(*sub, data.get(name)) {
                table
                    .unique
                    .entry(name.clone())
                    .or_default()
                    .entry(v)
                    .or_default()
                    .push(id.to_string());
            }
        }
        if let Some(p) = data.get("position").and_then(Value::as_f64) {
            table.min_position = Some(table.min_position.map_or(p, |m: f64| m.min(p)));
        }
    }

    /// Removes the unique values the stored record `id` holds from the index.
    fn index_remove(&mut self, object: &str, id: &str) {
        let Some(obj) = self.schema.by_singular(object) else {
            return;
        };
        let keys = obj.unique_keys();
        let Some(table) = self.tables.get_mut(object) else {
            return;
        };
        let Some(old) = table.records.get(id) else {
            return;
        };
        let held: Vec<(String, String)> = keys
            .iter()
            .filter_map(|(name, sub, _)| {
                unique_value(*sub, old.get(name)).map(|v| (name.clone(), v))
            })
            .collect();
        for (name, v) in held {
            if let Some(values) = table.unique.get_mut(&name)
                && let Some(ids) = values.get_mut(&v)
            {
                ids.retain(|i| i != id);
                if ids.is_empty() {
                    values.remove(&v);
                }
            }
        }
    }

    /// Stores a record (memory, index) and returns the change to persist.
    fn put(&mut self, object: &str, data: Map<String, Value>) -> Change {
        let id = data
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        self.index_remove(object, &id);
        self.index_insert(object, &id, &data);
        self.tables
            .entry(object.to_string())
            .or_default()
            .records
            .insert(id.clone(), data.clone());
        Change::Put {
            object: object.to_string(),
            id,
            data,
        }
    }

    fn remove(&mut self, object: &str, id: &str) -> Change {
        self.index_remove(object, id);
        if let Some(t) = self.tables.get_mut(object) {
            t.records.shift_remove(id);
        }
        Change::Delete {
            object: object.to_string(),
            id: id.to_string(),
        }
    }

    pub(crate) fn record(&self, object: &str, id: &str) -> Option<&Map<String, Value>> {
        self.tables.get(object)?.records.get(id)
    }

    fn is_deleted(data: &Map<String, Value>) -> bool {
        data.get("deletedAt").is_some_and(|v| !v.is_null())
    }

    fn live_record(&self, object: &str, id: &str) -> Option<&Map<String, Value>> {
        self.record(object, id).filter(|r| !Self::is_deleted(r))
    }

    // ----- rendering -------------------------------------------------------------------------

    /// The value Twenty answers for a field the record never received.
    pub fn default_value(&self, field: &Field) -> Value {
        let base = self.profile.type_default(&field.field_type);
        match (&base, &field.default_value) {
            (Value::Object(b), Value::Object(d)) => {
                // A null sub-field of the field's default keeps the type's (2.19 answers "" and
                // [] for the null number and list of a PHONES default; recorded in
                // `shared/twenty-live-2x/2026-12/proxy-all.jsonl.gz`, person.whatsapp).
                let mut m = b.clone();
                for (k, v) in d {
                    if !v.is_null() || !m.contains_key(k) {
                        m.insert(k.clone(), v.clone());
                    }
                }
                Value::Object(m)
            }
            (_, Value::Null) => base,
            (_, d) => d.clone(),
        }
    }

    /// Renders a stored record as Twenty answers it.
    pub fn render(&self, object: &Object, data: &Map<String, Value>, depth: u8) -> Value {
        self.render_with(object, data, depth, None)
    }

    /// The default of each field of `object` (`Null` for relations), in field order: computed
    /// once for a page of records instead of once per record and missing field.
    fn defaults(&self, object: &Object) -> Vec<Value> {
        object
            .fields
            .iter()
            .map(|f| {
                if f.relation.is_some() {
                    Value::Null
                } else {
                    self.default_value(f)
                }
            })
            .collect()
    }

    fn render_with(
        &self,
        object: &Object,
        data: &Map<String, Value>,
        depth: u8,
        defaults: Option<&[Value]>,
    ) -> Value {
        let mut out = Map::new();
        let id = data.get("id").and_then(Value::as_str).unwrap_or_default();
        for (i, field) in object.fields.iter().enumerate() {
            if let Some(rel) = &field.relation {
                if let Some(join) = &rel.join_column {
                    let target_id = data.get(join).cloned().unwrap_or(Value::Null);
                    if depth > 0 {
                        let nested = match (&rel.target, target_id.as_str()) {
                            (Some(t), Some(tid)) => self
                                .schema
                                .by_singular(t)
                                .zip(self.live_record(t, tid))
                                .map(|(o, r)| self.render(o, r, 0))
                                .unwrap_or(Value::Null),
                            _ => Value::Null,
                        };
                        out.insert(field.name.clone(), nested);
                    }
                    out.insert(join.clone(), target_id);
                } else if depth > 0 {
                    out.insert(field.name.clone(), Value::Array(self.children(rel, id)));
                }
                continue;
            }
            if field.field_type == "TS_VECTOR" {
                out.insert(field.name.clone(), json!(search_vector(object, data)));
                continue;
            }
            let mut v = match (data.get(&field.name), defaults.and_then(|d| d.get(i))) {
                (Some(v), _) => v.clone(),
                (None, Some(d)) => d.clone(),
                (None, None) => self.default_value(field),
            };
            if self.profile.amount_micros_as_string
                && field.field_type == "CURRENCY"
                && let Some(n) = v.get("amountMicros").and_then(Value::as_f64)
            {
                v["amountMicros"] = json!((n as i64).to_string());
            }
            if field.field_type == "FILES" {
                // Each item gets a freshly signed `url` (2.19's files-field result getter).
                v = self.signed_files_value(&v);
            }
            out.insert(field.name.clone(), v);
        }
        Value::Object(out)
    }

    fn children(&self, rel: &crate::schema::Relation, id: &str) -> Vec<Value> {
        let (Some(target), Some(inverse)) = (&rel.target, &rel.inverse) else {
            return Vec::new();
        };
        let Some(obj) = self.schema.by_singular(target) else {
            return Vec::new();
        };
        let Some(join) = obj
            .field(inverse)
            .and_then(|f| f.relation.as_ref())
            .and_then(|r| r.join_column.clone())
        else {
            return Vec::new();
        };
        let mut kids: Vec<&Map<String, Value>> = self
            .tables
            .get(target)
            .map(|t| {
                t.records
                    .values()
                    .filter(|r| !Self::is_deleted(r))
                    .filter(|r| r.get(&join).and_then(Value::as_str) == Some(id))
                    .collect()
            })
            .unwrap_or_default();
        // Twenty answers nested records by position, then creation (insertion order breaks ties).
        kids.sort_by(|a, b| {
            let pos =
                |r: &Map<String, Value>| r.get("position").and_then(Value::as_f64).unwrap_or(0.0);
            let created = |r: &Map<String, Value>| {
                r.get("createdAt").and_then(Value::as_str).map(String::from)
            };
            pos(a)
                .partial_cmp(&pos(b))
                .unwrap_or(Ordering::Equal)
                .then_with(|| created(a).cmp(&created(b)))
        });
        kids.into_iter().map(|r| self.render(obj, r, 0)).collect()
    }

    // ----- writes ----------------------------------------------------------------------------

    fn check_writable(&self, object: &Object) -> ApiResult<()> {
        if object.name_singular == "workspaceMember" && !self.profile.workspace_members_writable {
            return Err(ApiError::permission_denied());
        }
        Ok(())
    }

    /// Resolves `connect` clauses into join-column values.
    fn resolve_connects(&self, row: &mut Row) -> ApiResult<()> {
        for c in std::mem::take(&mut row.connects) {
            let target = self
                .schema
                .by_singular(&c.target)
                .ok_or_else(|| ApiError::bad_request(format!("object '{}' not found", c.target)))?;
            let mut found: Option<String> = None;
            for (key, value) in &c.criteria {
                let ids: Vec<String> = if key == "id" {
                    value
                        .as_str()
                        .filter(|id| self.live_record(&c.target, id).is_some())
                        .map(|id| vec![id.to_string()])
                        .unwrap_or_default()
                } else {
                    let field = target.field(key).filter(|f| f.is_unique).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "Connect: field \"{key}\" of {} is not a unique field",
                            c.target
                        ))
                    })?;
                    let normalized =
                        crate::validate::validate_value(&self.profile, target, field, value)?;
                    let probe = match field.unique_sub_field() {
                        Some(sub) => normalized.get(sub).cloned(),
                        None => Some(normalized.clone()),
                    };
                    let v = unique_value(None, probe.as_ref());
                    v.and_then(|v| {
                        self.tables
                            .get(&c.target)?
                            .unique
                            .get(key)?
                            .get(&v)
                            .cloned()
                    })
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|id| self.live_record(&c.target, id).is_some())
                    .collect()
                };
                match ids.as_slice() {
                    [id] if found.as_ref().is_none_or(|f| f == id) => found = Some(id.clone()),
                    _ => {
                        found = None;
                        break;
                    }
                }
            }
            let id = found.ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Connect: no {} record found for {}",
                    c.target,
                    Value::Object(c.criteria.clone())
                ))
                .with_code("CONNECT_RECORD_NOT_FOUND")
            })?;
            row.values.insert(c.join_column, json!(id));
        }
        Ok(())
    }

    /// Checks that every join column points to an existing record.
    fn check_foreign_keys(&self, object: &Object, values: &Map<String, Value>) -> ApiResult<()> {
        for (key, value) in values {
            let Some(field) = object.field_by_join_column(key) else {
                continue;
            };
            let (Some(target), Some(id)) = (
                field.relation.as_ref().and_then(|r| r.target.as_deref()),
                value.as_str(),
            ) else {
                continue;
            };
            if self.record(target, id).is_none() {
                return Err(ApiError::foreign_key(&object.name_singular, key, id));
            }
        }
        Ok(())
    }

    /// Merges validated values into a stored record (composites sub-field by sub-field).
    fn merge_values(
        &self,
        object: &Object,
        base: &mut Map<String, Value>,
        values: &Map<String, Value>,
        creating: bool,
    ) {
        for (key, value) in values {
            let field = object.field(key);
            let merged = match (field, value) {
                (Some(f), Value::Object(partial)) if f.is_composite() => {
                    let mut start = match base.get(key) {
                        Some(Value::Object(existing)) => existing.clone(),
                        _ => {
                            let mut d = self
                                .default_value(f)
                                .as_object()
                                .cloned()
                                .unwrap_or_default();
                            if creating
                                && self.profile.partial_links_missing_null
                                && f.field_type == "LINKS"
                            {
                                for v in d.values_mut() {
                                    *v = Value::Null;
                                }
                            }
                            d
                        }
                    };
                    for (k, v) in partial {
                        start.insert(k.clone(), v.clone());
                    }
                    Value::Object(start)
                }
                (Some(f), Value::Null) if f.is_composite() => self.default_value(f),
                _ => value.clone(),
            };
            base.insert(key.clone(), merged);
        }
    }

    fn next_position(&mut self, object: &str) -> f64 {
        if !self.profile.position_decrements {
            return 0.0;
        }
        let table = self.tables.entry(object.to_string()).or_default();
        let next = table.min_position.map_or(0.0, |m| m.min(1.0) - 1.0);
        table.min_position = Some(next);
        next
    }

    /// Checks the unique keys of the records about to be written against each other and the rest.
    fn check_unique(&self, object: &Object, pending: &[Map<String, Value>]) -> ApiResult<()> {
        let pending_ids: HashSet<&str> = pending
            .iter()
            .filter_map(|r| r.get("id").and_then(Value::as_str))
            .collect();
        let table = self.tables.get(&object.name_singular);
        for (name, sub, label) in object.unique_keys() {
            let mut seen: HashSet<String> = HashSet::new();
            for rec in pending {
                let counts =
                    !Self::is_deleted(rec) || self.profile.soft_deleted_count_for_uniqueness;
                let Some(v) = unique_value(sub, rec.get(&name)) else {
                    continue;
                };
                if counts && !seen.insert(v.clone()) {
                    return Err(ApiError::duplicate(&self.profile, &label, &v));
                }
                if !counts {
                    continue;
                }
                let holders = table
                    .and_then(|t| t.unique.get(&name))
                    .and_then(|m| m.get(&v));
                for holder in holders.into_iter().flatten() {
                    if pending_ids.contains(holder.as_str()) {
                        continue;
                    }
                    let other_counts =
                        self.record(&object.name_singular, holder).is_some_and(|r| {
                            !Self::is_deleted(r) || self.profile.soft_deleted_count_for_uniqueness
                        });
                    if other_counts {
                        return Err(ApiError::duplicate(&self.profile, &label, &v));
                    }
                }
            }
        }
        Ok(())
    }

    /// Existing records (soft-deleted included) an upsert row matches on id or a unique key.
    fn upsert_matches(&self, object: &Object, row: &Row) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        let mut add = |id: String| {
            if !ids.contains(&id) {
                ids.push(id);
            }
        };
        if let Some(id) = row.values.get("id").and_then(Value::as_str)
            && self.record(&object.name_singular, id).is_some()
        {
            add(id.to_string());
        }
        let table = self.tables.get(&object.name_singular);
        for (name, sub, _) in object.unique_keys() {
            if let Some(v) = unique_value(sub, row.values.get(&name)) {
                for holder in table
                    .and_then(|t| t.unique.get(&name))
                    .and_then(|m| m.get(&v))
                    .into_iter()
                    .flatten()
                {
                    add(holder.clone());
                }
            }
        }
        ids
    }

    /// The checks of record ids a create runs before anything else, per line.
    ///
    /// - 2.x (`assertIsValidUuid` in the create query runners' `validate`, REST and GraphQL, right
    ///   after the throttle): an `id` that is not a UUID → `INVALID_QUERY_INPUT` (recorded).
    /// - 1.5 REST (`rest-api-create-many.handler.ts` / `rest-api-create-one.handler.ts`): record
    ///   by record, `repository.exists({where: {id}})` → a non-UUID id fails in Postgres
    ///   ("invalid input syntax for type uuid", recorded), a live record with that id →
    ///   "Record already exists" (recorded). TypeORM's `exists` leaves soft-deleted rows out
    ///   (`deletedAt` is the entity's delete-date column), so an id held only by a soft-deleted
    ///   record passes and the insert then hits the primary key (see
    ///   [`ApiError::duplicate_primary_key`]). 1.5's GraphQL has no such check (`rest` false).
    pub fn check_new_ids(&self, object: &Object, inputs: &[Value], rest: bool) -> ApiResult<()> {
        let id_text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        for input in inputs {
            let id = input.get("id").filter(|v| !v.is_null());
            match self.profile.kind {
                crate::profile::ProfileKind::Twenty2 => {
                    // `record?.id` is truthy and `isValidUuid` wants the hyphenated form.
                    let Some(id) = id.filter(|v| v.as_str() != Some("") && **v != json!(false))
                    else {
                        continue;
                    };
                    let text = id_text(id);
                    if text.len() != 36 || uuid::Uuid::parse_str(&text).is_err() {
                        return Err(ApiError::invalid_query_uuid(&text));
                    }
                }
                crate::profile::ProfileKind::Twenty15 if rest => {
                    let Some(id) = id else { continue };
                    let text = id_text(id);
                    if uuid::Uuid::parse_str(&text).is_err() {
                        return Err(ApiError::postgres_invalid_uuid(&text));
                    }
                    if self
                        .live_record(&object.name_singular, &text.to_lowercase())
                        .is_some()
                    {
                        return Err(ApiError::record_already_exists());
                    }
                }
                crate::profile::ProfileKind::Twenty15 => {}
            }
        }
        Ok(())
    }

    /// Creates records without a batch cap (seeding, tests); see [`Workspace::create_many_capped`].
    pub fn create_many(
        &mut self,
        plural: &str,
        inputs: &[Value],
        upsert: bool,
    ) -> ApiResult<Vec<Value>> {
        self.create_many_capped(plural, inputs, upsert, None)
    }

    /// `POST /rest/batch/{plural}` (and single create, and GraphQL `createXs`). The values are
    /// validated before the batch cap is checked (2.x checks `QUERY_MAX_RECORDS` in the query
    /// runner's `run`, after its data processing), connects and foreign keys after.
    pub fn create_many_capped(
        &mut self,
        plural: &str,
        inputs: &[Value],
        upsert: bool,
        cap: Option<usize>,
    ) -> ApiResult<Vec<Value>> {
        let object = self.object(plural)?;
        self.check_writable(&object)?;
        let mut rows = Vec::with_capacity(inputs.len());
        for input in inputs {
            rows.push(validate_row(&self.profile, &object, input)?);
        }
        if let Some(max) = cap
            && rows.len() > max
        {
            return Err(ApiError::too_many_records(max));
        }
        for row in &mut rows {
            self.resolve_connects(row)?;
            self.check_foreign_keys(&object, &row.values)?;
        }
        let ts = now();
        let mut pending: Vec<Map<String, Value>> = Vec::with_capacity(rows.len());
        let mut pending_index: HashMap<String, usize> = HashMap::new();
        // Whether each pending record updates an existing one (upsert) or is new.
        let mut updated: Vec<bool> = Vec::with_capacity(rows.len());
        // The FILES values the write changes (checked against the uploads below).
        let mut file_diffs = Vec::new();
        for row in rows {
            let matches = if upsert {
                self.upsert_matches(&object, &row)
            } else {
                Vec::new()
            };
            if matches.len() > 1 {
                return Err(ApiError::upsert_multiple_matches());
            }
            if let Some(existing_id) = matches.into_iter().next() {
                // Update of an existing (possibly soft-deleted) record: revive it, keep createdBy.
                let mut values = row.values;
                values.remove("id");
                let mut rec = match pending_index.get(&existing_id) {
                    Some(&i) => pending[i].clone(),
                    None => self
                        .record(&object.name_singular, &existing_id)
                        .cloned()
                        .unwrap_or_default(),
                };
                let index = pending_index
                    .get(&existing_id)
                    .copied()
                    .unwrap_or(pending.len());
                file_diffs.extend(Self::files_diffs(&object, index, &values, Some(&rec)));
                self.merge_values(&object, &mut rec, &values, false);
                rec.insert("deletedAt".into(), Value::Null);
                rec.insert("updatedAt".into(), json!(ts));
                if object.field("updatedBy").is_some() {
                    rec.insert("updatedBy".into(), self.actor.clone());
                }
                match pending_index.get(&existing_id) {
                    Some(&i) => pending[i] = rec,
                    None => {
                        pending_index.insert(existing_id, pending.len());
                        pending.push(rec);
                        updated.push(true);
                    }
                }
                continue;
            }
            let id = row
                .values
                .get("id")
                .and_then(Value::as_str)
                .map(String::from)
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            if self.record(&object.name_singular, &id).is_some() || pending_index.contains_key(&id)
            {
                // The primary key (soft-deleted rows hold theirs too).
                return Err(ApiError::duplicate_primary_key());
            }
            let mut rec = Map::new();
            rec.insert("id".into(), json!(id));
            rec.insert("createdAt".into(), json!(ts));
            rec.insert("updatedAt".into(), json!(ts));
            rec.insert("deletedAt".into(), Value::Null);
            if object.field("createdBy").is_some() {
                rec.insert("createdBy".into(), self.actor.clone());
            }
            if object.field("updatedBy").is_some() {
                rec.insert("updatedBy".into(), self.actor.clone());
            }
            if object.field("position").is_some() && !row.values.contains_key("position") {
                let p = self.next_position(&object.name_singular);
                rec.insert("position".into(), json!(p as i64));
            }
            self.merge_values(&object, &mut rec, &row.values, true);
            file_diffs.extend(Self::files_diffs(&object, pending.len(), &row.values, None));
            pending_index.insert(id, pending.len());
            pending.push(rec);
            updated.push(false);
        }
        // FILES values: every file added must be a fresh upload for that field (2.19's
        // `files-field-sync.ts`, run by the insert before the database sees the row).
        let files_sync = self.check_files(&file_diffs)?;
        for (index, field, value) in &files_sync.values {
            if let Some(rec) = pending.get_mut(*index) {
                rec.insert(field.clone(), value.clone());
            }
        }
        self.check_unique(&object, &pending)?;
        // 2.x answers an upsert with the updated records first, then the inserted ones, each in
        // input order (`performUpsertOperation`: `processRecordsToUpdate` then
        // `processRecordsToInsert`; recorded in `proxy-all.jsonl.gz`, e.g. the hubspot run2
        // company batches that revive soft-deleted records).
        let updates_first = upsert && self.profile.kind == crate::profile::ProfileKind::Twenty2;
        let mut changes = Vec::with_capacity(pending.len());
        let mut first = Vec::new();
        let mut out = Vec::with_capacity(pending.len());
        for (rec, was_update) in pending.into_iter().zip(updated) {
            let rendered = self.render(&object, &rec, 0);
            if updates_first && was_update {
                first.push(rendered);
            } else {
                out.push(rendered);
            }
            changes.push(self.put(&object.name_singular, rec));
        }
        changes.extend(self.apply_files_sync(&files_sync));
        self.persist(&changes)?;
        first.extend(out);
        Ok(first)
    }

    /// `PATCH /rest/{plural}/{id}`.
    pub fn update_one(&mut self, plural: &str, id: &str, input: &Value) -> ApiResult<Value> {
        let object = self.object(plural)?;
        self.check_writable(&object)?;
        let mut rec = self
            .live_record(&object.name_singular, id)
            .cloned()
            .ok_or_else(|| ApiError::record_not_found(&self.profile, id))?;
        let mut row = validate_row(&self.profile, &object, input)?;
        self.resolve_connects(&mut row)?;
        self.check_foreign_keys(&object, &row.values)?;
        row.values.remove("id");
        let file_diffs = Self::files_diffs(&object, 0, &row.values, Some(&rec));
        self.merge_values(&object, &mut rec, &row.values, false);
        let files_sync = self.check_files(&file_diffs)?;
        for (_, field, value) in &files_sync.values {
            rec.insert(field.clone(), value.clone());
        }
        rec.insert("updatedAt".into(), json!(now()));
        if object.field("updatedBy").is_some() {
            rec.insert("updatedBy".into(), self.actor.clone());
        }
        self.check_unique(&object, std::slice::from_ref(&rec))?;
        let out = self.render(&object, &rec, 0);
        let mut changes = vec![self.put(&object.name_singular, rec)];
        changes.extend(self.apply_files_sync(&files_sync));
        self.persist(&changes)?;
        Ok(out)
    }

    /// `DELETE /rest/{plural}/{id}?soft_delete=…`.
    ///
    /// 1.5's REST delete handler never reads `soft_delete` (evidence `twenty-attachments.md` §4.6:
    /// `rest-api-delete-one.handler.ts` calls `repository.delete`): for attachments the sandbox
    /// follows it, so the attachment and its file go whatever the flag. Other objects keep the
    /// flag on 1.5 (the recorded `delete-soft.json` exchange is replayed as a soft delete).
    pub fn delete_one(&mut self, plural: &str, id: &str, soft: bool) -> ApiResult<Value> {
        let object = self.object(plural)?;
        let soft = soft
            && !(self.profile.kind == crate::profile::ProfileKind::Twenty15
                && object.name_singular == "attachment");
        let rec = self
            .record(&object.name_singular, id)
            .cloned()
            .ok_or_else(|| ApiError::record_not_found(&self.profile, id))?;
        let already_deleted = Self::is_deleted(&rec);
        if already_deleted && (soft || self.profile.hard_delete_soft_deleted_fails) {
            return Err(ApiError::record_not_found(&self.profile, id));
        }
        let (answer, changes) = if soft {
            let ts = now();
            let (answer, change) = self.soft_delete_record(&object, rec, &ts);
            let mut changes = vec![change];
            changes.extend(self.targets_follow(&object, &[id.to_string()], Some(&ts)));
            (answer, changes)
        } else {
            self.destroy_record(&object, id)
        };
        self.persist(&changes)?;
        if self.profile.delete_answers_id_only || !soft {
            Ok(json!({"id": id}))
        } else {
            Ok(answer)
        }
    }

    /// Twenty 2.x's note and task post-query hooks (`note-post-query-hook.service.ts`, the task
    /// one alike): soft-deleting notes soft-deletes every target of theirs (`softDelete({noteId:
    /// In(ids)})`, a target already in the trash included: its `deletedAt` is set again), and
    /// restoring them restores every target of theirs (`restore({noteId: In(ids)})`, one
    /// trashed on its own too). `deleted_at` is the delete's time, `None` for a restore. No
    /// other object has such a hook, and 1.5's are not known: nothing follows there. Recorded
    /// on a live 2.19: `docs/evidence/live-2x/ceiling.md` Q1.
    fn targets_follow(
        &mut self,
        object: &Object,
        ids: &[String],
        deleted_at: Option<&str>,
    ) -> Vec<Change> {
        let owner = object.name_singular.as_str();
        if self.profile.kind != crate::profile::ProfileKind::Twenty2
            || !matches!(owner, "note" | "task")
            || ids.is_empty()
        {
            return Vec::new();
        }
        let table = format!("{owner}Target");
        let join = format!("{owner}Id");
        let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let hits: Vec<Map<String, Value>> = self
            .tables
            .get(&table)
            .map(|t| {
                t.records
                    .values()
                    .filter(|r| {
                        r.get(&join)
                            .and_then(Value::as_str)
                            .is_some_and(|o| wanted.contains(o))
                    })
                    .filter(|r| deleted_at.is_some() || Self::is_deleted(r))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        hits.into_iter()
            .map(|mut r| {
                r.insert(
                    "deletedAt".into(),
                    deleted_at.map_or(Value::Null, |t| json!(t)),
                );
                self.put(&table, r)
            })
            .collect()
    }

    /// Soft delete of one stored record (no cascade): its answer and the change to persist.
    fn soft_delete_record(
        &mut self,
        object: &Object,
        mut rec: Map<String, Value>,
        ts: &str,
    ) -> (Value, Change) {
        rec.insert("deletedAt".into(), json!(ts));
        rec.insert("updatedAt".into(), json!(ts));
        let answer = self.render(object, &rec, 0);
        (answer, self.put(&object.name_singular, rec))
    }

    /// Hard delete of one stored record with its cascade: the record as it was, and the changes.
    fn destroy_record(&mut self, object: &Object, id: &str) -> (Value, Vec<Change>) {
        let answer = self
            .record(&object.name_singular, id)
            .map(|r| self.render(object, r, 0))
            .unwrap_or(Value::Null);
        // The files the record names go with it (2.19 `FilesFieldDeletionListener`, 1.5
        // `FileAttachmentListener`), see `crate::files`.
        let stored = self.record(&object.name_singular, id).cloned();
        let mut changes = stored
            .map(|r| self.destroyed_record_files(object, &r))
            .unwrap_or_default();
        changes.push(self.remove(&object.name_singular, id));
        changes.extend(self.cascade_hard_delete(&object.name_singular, id));
        (answer, changes)
    }

    /// GraphQL `deleteXs` / `destroyXs` / `restoreXs(filter: {id: …})`: applies `op` to the
    /// records of `plural` with one of `ids`, in table order, and answers them as they are after
    /// it (a destroyed record as it was). Shares the REST paths' logic: the soft delete of
    /// [`Workspace::delete_one`] (a note's or task's targets follow on 2.x), its hard delete (targets and attachments go,
    /// other references are nulled), the restore of [`Workspace::restore_many`] (unique keys
    /// checked again).
    ///
    /// Left out of the answer, without error: ids of no record, and records `op` does not apply
    /// to. A soft delete skips records already soft-deleted (the sandbox's REST soft delete
    /// answers "not found" for those, on both profiles); a restore skips live records (as
    /// `PATCH /rest/restore/{plural}` does); a destroy takes both, like Twenty's destroy (its
    /// `DELETE … WHERE filter` has no `deletedAt` condition in either recorded server's source).
    /// Not recorded: in that same source the soft delete and restore `UPDATE`s carry no
    /// `deletedAt` condition either (TypeORM adds `deletedAt IS NULL` to SELECTs only), so a real
    /// server may re-stamp and answer already soft-deleted matches, and answer live matches of
    /// a restore. More than `cap` affected records (`MUTATION_MAXIMUM_AFFECTED_RECORDS`) → error,
    /// nothing applied.
    pub fn mutate_by_ids(
        &mut self,
        plural: &str,
        ids: &[String],
        op: MassMutation,
        cap: Option<usize>,
    ) -> ApiResult<Vec<Value>> {
        let object = self.object(plural)?;
        let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let matched: Vec<String> = self
            .tables
            .get(&object.name_singular)
            .map(|t| {
                t.records
                    .iter()
                    .filter(|(id, _)| wanted.contains(id.as_str()))
                    .filter(|(_, r)| match op {
                        MassMutation::SoftDelete => !Self::is_deleted(r),
                        MassMutation::Restore => Self::is_deleted(r),
                        MassMutation::Destroy => true,
                    })
                    .map(|(id, _)| id.clone())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(max) = cap
            && matched.len() > max
        {
            return Err(ApiError::too_many_affected(max, matched.len()));
        }
        match op {
            MassMutation::Restore => self.restore_records(&object, matched),
            MassMutation::SoftDelete | MassMutation::Destroy => {
                let ts = now();
                let mut changes = Vec::with_capacity(matched.len());
                let mut out = Vec::with_capacity(matched.len());
                let mut soft = Vec::new();
                for id in matched {
                    if op == MassMutation::Destroy {
                        let (answer, more) = self.destroy_record(&object, &id);
                        out.push(answer);
                        changes.extend(more);
                    } else if let Some(rec) = self.record(&object.name_singular, &id).cloned() {
                        let (answer, change) = self.soft_delete_record(&object, rec, &ts);
                        out.push(answer);
                        changes.push(change);
                        soft.push(id);
                    }
                }
                changes.extend(self.targets_follow(&object, &soft, Some(&ts)));
                self.persist(&changes)?;
                Ok(out)
            }
        }
    }

    /// Hard delete: targets and attachments of the record go too, other references are nulled.
    fn cascade_hard_delete(&mut self, object: &str, id: &str) -> Vec<Change> {
        let mut changes = Vec::new();
        for (src, field) in self.schema.references_to(object) {
            let Some(join) = field.relation.as_ref().and_then(|r| r.join_column.clone()) else {
                continue;
            };
            // 2.19's foreign keys (`docs/evidence/live-2x/ceiling.md` Q1, from its standard
            // field definitions): an attachment goes with its person, company or opportunity,
            // but only loses its link to a note or task (SET NULL).
            let attachment_goes = src == "attachment"
                && !(self.profile.kind == crate::profile::ProfileKind::Twenty2
                    && matches!(object, "note" | "task"));
            let cascade = matches!(src.as_str(), "noteTarget" | "taskTarget")
                || attachment_goes
                || field
                    .meta
                    .pointer("/settings/onDelete")
                    .and_then(Value::as_str)
                    == Some("CASCADE");
            let hits: Vec<Map<String, Value>> = self
                .tables
                .get(&src)
                .map(|t| {
                    t.records
                        .values()
                        .filter(|r| r.get(&join).and_then(Value::as_str) == Some(id))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            for mut rec in hits {
                let rid = rec
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                if cascade {
                    changes.push(self.remove(&src, &rid));
                } else {
                    rec.insert(join.clone(), Value::Null);
                    changes.push(self.put(&src, rec));
                }
            }
        }
        changes
    }

    /// `PATCH /rest/restore/{plural}?filter=…` (2.x): restores the soft-deleted matches.
    pub fn restore_many(&mut self, plural: &str, filter: Option<&str>) -> ApiResult<Vec<Value>> {
        let object = self.object(plural)?;
        let filter = match filter {
            Some(f) => Some(parse_filter(f, &object)?),
            None => None,
        };
        let ids: Vec<String> = self
            .tables
            .get(&object.name_singular)
            .map(|t| {
                t.records
                    .iter()
                    .filter(|(_, r)| Self::is_deleted(r))
                    .filter(|(_, r)| {
                        filter.as_ref().is_none_or(|f| {
                            f.matches(
                                self.render(&object, r, 0)
                                    .as_object()
                                    .unwrap_or(&Map::new()),
                            )
                        })
                    })
                    .map(|(id, _)| id.clone())
                    .collect()
            })
            .unwrap_or_default();
        self.restore_records(&object, ids)
    }

    /// Restores the stored records `ids` (all soft-deleted), checking their unique keys first.
    fn restore_records(&mut self, object: &Object, ids: Vec<String>) -> ApiResult<Vec<Value>> {
        let ts = now();
        let mut pending = Vec::new();
        for id in ids {
            if let Some(mut rec) = self.record(&object.name_singular, &id).cloned() {
                rec.insert("deletedAt".into(), Value::Null);
                rec.insert("updatedAt".into(), json!(ts));
                pending.push(rec);
            }
        }
        self.check_unique(object, &pending)?;
        let mut changes = Vec::new();
        let mut out = Vec::new();
        let mut restored = Vec::new();
        for rec in pending {
            out.push(self.render(object, &rec, 0));
            if let Some(id) = rec.get("id").and_then(Value::as_str) {
                restored.push(id.to_string());
            }
            changes.push(self.put(&object.name_singular, rec));
        }
        changes.extend(self.targets_follow(object, &restored, None));
        self.persist(&changes)?;
        Ok(out)
    }

    // ----- reads -----------------------------------------------------------------------------

    /// `GET /rest/{plural}/{id}`.
    pub fn get_one(&self, plural: &str, id: &str, depth: u8) -> ApiResult<Value> {
        let object = self.object_ref(plural)?;
        let rec = self
            .live_record(&object.name_singular, id)
            .ok_or_else(|| ApiError::record_not_found(&self.profile, id))?;
        Ok(self.render(object, rec, depth))
    }

    /// `GET /rest/{plural}`: parses the query parameters (`limit` with the profile's default and
    /// clamp, `filter`, `order_by`), then runs [`Workspace::list_query`]. 1.5 counts only the
    /// records from the cursor on in `totalCount` (recorded).
    pub fn list(&self, plural: &str, params: &ListParams) -> ApiResult<Page> {
        let object = self.object_ref(plural)?;
        let limit = match params.limit.as_deref() {
            None | Some("") => self.profile.list_limit_default,
            Some(s) => s.parse::<usize>().map_err(|_| {
                ApiError::bad_request(format!(
                    "limit '{s}' is invalid, should be a positive integer"
                ))
                .with_code("INVALID_LIMIT_QUERY_PARAM")
            })?,
        };
        let limit = match self.profile.list_limit_max {
            Some(max) => limit.min(max),
            None => limit,
        };
        let filter: Option<Filter> = match params.filter.as_deref() {
            Some(f) if !f.is_empty() => Some(parse_filter(f, object)?),
            _ => None,
        };
        let query = ListQuery {
            filter,
            order: parse_order_by(params.order_by.as_deref(), object)?,
            limit,
            after: params.starting_after.clone(),
            before: params.ending_before.clone(),
            depth: params.depth,
        };
        let mut page = self.list_query(object, &query)?;
        if self.profile.total_count_after_cursor {
            page.total_count = page.count_from_cursor;
        }
        Ok(page)
    }

    /// One page of `object`'s records: the list of REST (`GET /rest/{plural}`, see
    /// [`Workspace::list`]) and of GraphQL (`{plural}(filter, orderBy, first, after)`, see
    /// [`crate::graphql`]).
    ///
    /// Soft-deleted records are left out unless the filter mentions `deletedAt` (Twenty's
    /// `applyDeletedAtToBuilder` / `checkForDeletedAtFilter`, which looks through `and`, `or` and
    /// `not` only). Records are sorted by `query.order` (which ends with the `id` tiebreaker);
    /// `after` starts the page after its cursor, `before` ends it before its cursor (backward).
    /// The page flags are Twenty's `getPaginationInfo` (`cursors.util.ts`, same in the recorded
    /// 1.5 and 2.19 sources): `hasNextPage` only when paging forward and more records follow,
    /// `hasPreviousPage` only when paging backward and more records precede (the recorded 2.19
    /// answers `hasPreviousPage: false` to every `starting_after` page,
    /// `shared/twenty-live-2x/2026-12/proxy-all.jsonl.gz`). A filter on `id` or on a unique
    /// text key with `eq` / `in` reads its candidates from the primary key and the unique index
    /// (`Workspace::candidates`) instead of trying every record.
    pub fn list_query(&self, object: &Object, query: &ListQuery) -> ApiResult<Page> {
        let filter = query.filter.as_ref();
        let include_deleted = filter.is_some_and(|f| f.mentions("deletedAt"));
        let terms = &query.order;
        if filter.is_none()
            && let Some(page) = self.list_by_id(object, query)?
        {
            return Ok(page);
        }
        let defaults = self.defaults(object);
        let table = self.tables.get(&object.name_singular);
        let candidates = filter.and_then(|f| self.candidates(object, f));
        let stored: Vec<&Map<String, Value>> = match (table, &candidates) {
            (None, _) => Vec::new(),
            (Some(t), Some(ids)) => ids.iter().filter_map(|id| t.records.get(id)).collect(),
            (Some(t), None) => t.records.values().collect(),
        };
        let mut rows: Vec<Map<String, Value>> = stored
            .into_iter()
            .filter(|r| include_deleted || !Self::is_deleted(r))
            .map(|r| match self.render_with(object, r, 0, Some(&defaults)) {
                Value::Object(m) => m,
                _ => Map::new(),
            })
            .filter(|r| filter.is_none_or(|f| f.matches(r)))
            .collect();
        rows.sort_by(|a, b| compare_rows(terms, a, b));
        let total = rows.len();
        let cursor_of = |c: &str| decode_cursor(c, terms, &rows);
        let (start, end, from_cursor) = if let Some(c) = query.before.as_deref() {
            let cur = cursor_of(c)?;
            let before = rows
                .iter()
                .take_while(|r| compare_to_cursor(terms, r, &cur) == Ordering::Less)
                .count();
            (before.saturating_sub(query.limit), before, before)
        } else if let Some(c) = query.after.as_deref() {
            let cur = cursor_of(c)?;
            let first = rows
                .iter()
                .take_while(|r| compare_to_cursor(terms, r, &cur) != Ordering::Greater)
                .count();
            (first, (first + query.limit).min(total), total - first)
        } else {
            (0, query.limit.min(total), total)
        };
        let page: Vec<&Map<String, Value>> = rows[start..end].iter().collect();
        let records = page
            .iter()
            .map(|r| {
                if query.depth > 0 {
                    let id = r.get("id").and_then(Value::as_str).unwrap_or_default();
                    self.record(&object.name_singular, id)
                        .map(|s| self.render(object, s, query.depth))
                        .unwrap_or_else(|| Value::Object((*r).clone()))
                } else {
                    Value::Object((*r).clone())
                }
            })
            .collect();
        let cursors = page.iter().map(|r| encode_cursor(terms, r)).collect();
        Ok(Page::new(
            records,
            cursors,
            total,
            from_cursor,
            query.before.is_none(),
            (start, end),
        ))
    }

    /// Ids of the records that may match `filter`, read from the primary key and the unique
    /// indexes; `None` when the filter does not narrow the table that way (every record is then
    /// tried). Always a superset of the matches: the filter still runs on each candidate.
    ///
    /// A condition narrows when it is `eq` / `in` on `id`, or on a unique text key (a `TEXT`
    /// field such as a unique `sourceRecordId`, or the unique string sub-field of a composite:
    /// `emails.primaryEmail`, `domainName.primaryLinkUrl`) whose literals are all non-empty and
    /// whose default is empty or null (a record that never received the key cannot match then,
    /// and every non-empty value a record holds is in the index, soft-deleted records included).
    /// `or` narrows when each branch does (the union), `and` when one branch does (the smallest),
    /// `not` never.
    fn candidates(&self, object: &Object, filter: &Filter) -> Option<HashSet<String>> {
        match filter {
            Filter::Or(items) => {
                let mut all = HashSet::new();
                for f in items {
                    all.extend(self.candidates(object, f)?);
                }
                Some(all)
            }
            Filter::And(items) => items
                .iter()
                .filter_map(|f| self.candidates(object, f))
                .min_by_key(HashSet::len),
            Filter::Not(_) => None,
            Filter::Cond {
                path, op, values, ..
            } => {
                if !matches!(op, Op::Eq | Op::In) {
                    return None;
                }
                if path.len() == 1 && path[0] == "id" {
                    return Some(values.iter().cloned().collect());
                }
                let field = object.field(&path[0])?;
                let sub = path.get(1).map(String::as_str);
                let is_text = match sub {
                    None => field.field_type == "TEXT",
                    Some(s) => crate::schema::composite_sub_fields(&field.field_type)
                        .is_some_and(|subs| subs.iter().any(|(n, kind)| *n == s && *kind == 's')),
                };
                let unique = object
                    .unique_keys()
                    .iter()
                    .any(|(name, key_sub, _)| *name == path[0] && *key_sub == sub);
                let default = self.default_value(field);
                let default = match sub {
                    None => &default,
                    Some(s) => default.get(s).unwrap_or(&Value::Null),
                };
                let empty_default = default.is_null() || default.as_str() == Some("");
                if !(is_text && unique && empty_default) || values.iter().any(String::is_empty) {
                    return None;
                }
                let index = self
                    .tables
                    .get(&object.name_singular)
                    .and_then(|t| t.unique.get(&path[0]));
                Some(
                    values
                        .iter()
                        .filter_map(|v| index.and_then(|i| i.get(v)))
                        .flatten()
                        .cloned()
                        .collect(),
                )
            }
        }
    }

    /// The common list (no filter, Twenty's default order by `id` alone, cursors carrying the
    /// id): sorts the stored records by id and renders only the page, instead of rendering every
    /// record. Same answers as the general path; `None` when it does not apply.
    fn list_by_id(&self, object: &Object, query: &ListQuery) -> ApiResult<Option<Page>> {
        let terms = &query.order;
        let limit = query.limit;
        let [term] = terms.as_slice() else {
            return Ok(None);
        };
        if term.path != ["id"] {
            return Ok(None);
        }
        let cursor_id = |c: &str| -> ApiResult<Option<Value>> {
            let invalid = || {
                ApiError::bad_request(format!("Invalid cursor '{c}'")).with_code("INVALID_CURSOR")
            };
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(c.trim())
                .map_err(|_| invalid())?;
            let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(&bytes) else {
                return Err(invalid());
            };
            Ok(m.get("id").cloned())
        };
        // Cursors whose id is not a string take the general path (its comparison rules).
        let cursor = |c: Option<&str>| -> ApiResult<Result<Option<String>, ()>> {
            match c {
                None => Ok(Ok(None)),
                Some(c) => Ok(match cursor_id(c)? {
                    Some(Value::String(id)) => Ok(Some(id)),
                    _ => Err(()),
                }),
            }
        };
        let (Ok(after), Ok(before)) = (
            cursor(query.after.as_deref())?,
            cursor(query.before.as_deref())?,
        ) else {
            return Ok(None);
        };
        // Strings compare by code point, like `compare_values`.
        let order = |a: &str, b: &str| {
            if term.asc { a.cmp(b) } else { b.cmp(a) }
        };
        let mut rows: Vec<(&str, &Map<String, Value>)> = self
            .tables
            .get(&object.name_singular)
            .map(|t| {
                t.records
                    .iter()
                    .filter(|(_, r)| !Self::is_deleted(r))
                    .map(|(id, r)| (id.as_str(), r))
                    .collect()
            })
            .unwrap_or_default();
        rows.sort_by(|a, b| order(a.0, b.0));
        let total = rows.len();
        let (start, end, from_cursor) = if let Some(cur) = &before {
            let n = rows
                .iter()
                .take_while(|(id, _)| order(id, cur) == Ordering::Less)
                .count();
            (n.saturating_sub(limit), n, n)
        } else if let Some(cur) = &after {
            let first = rows
                .iter()
                .take_while(|(id, _)| order(id, cur) != Ordering::Greater)
                .count();
            (first, (first + limit).min(total), total - first)
        } else {
            (0, limit.min(total), total)
        };
        let defaults = self.defaults(object);
        let records: Vec<Value> = rows[start..end]
            .iter()
            .map(|(_, r)| self.render_with(object, r, query.depth, Some(&defaults)))
            .collect();
        let cursors = records
            .iter()
            .filter_map(Value::as_object)
            .map(|r| encode_cursor(terms, r))
            .collect();
        Ok(Some(Page::new(
            records,
            cursors,
            total,
            from_cursor,
            before.is_none(),
            (start, end),
        )))
    }

    /// Every record of every object, soft-deleted included (`twenty-sandbox dump`).
    pub fn dump(&self) -> Value {
        let mut out = Map::new();
        for object in &self.schema.objects {
            let mut recs: Vec<&Map<String, Value>> = self
                .tables
                .get(&object.name_singular)
                .map(|t| t.records.values().collect())
                .unwrap_or_default();
            recs.sort_by(|a, b| {
                let k =
                    |r: &Map<String, Value>| r.get("id").and_then(Value::as_str).map(String::from);
                k(a).cmp(&k(b))
            });
            out.insert(
                object.name_plural.clone(),
                Value::Array(
                    recs.into_iter()
                        .map(|r| self.render(object, r, 0))
                        .collect(),
                ),
            );
        }
        Value::Object(out)
    }

    /// Seeds workspace members (`--members`), skipping e-mails already present.
    pub fn seed_members(&mut self, members: &[Value]) -> anyhow::Result<()> {
        let existing: HashSet<String> = self
            .tables
            .get("workspaceMember")
            .map(|t| {
                t.records
                    .values()
                    .filter_map(|r| r.get("userEmail").and_then(Value::as_str).map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let mut fresh = Vec::new();
        for m in members {
            let email = m
                .get("userEmail")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if existing.contains(email) {
                continue;
            }
            let mut m = m.clone();
            if let Some(map) = m.as_object_mut() {
                map.entry("userId")
                    .or_insert_with(|| json!(uuid::Uuid::new_v4().to_string()));
            }
            fresh.push(m);
        }
        if fresh.is_empty() {
            return Ok(());
        }
        // Members are made by the sign-up flow, not by an API key: the system is their author.
        let writable = self.profile.workspace_members_writable;
        self.profile.workspace_members_writable = true;
        let api_actor = std::mem::replace(
            &mut self.actor,
            json!({"source": "MANUAL", "workspaceMemberId": null, "name": "System", "context": null}),
        );
        let result = self.create_many("workspaceMembers", &fresh, false);
        self.actor = api_actor;
        self.profile.workspace_members_writable = writable;
        result.map_err(|e| anyhow::anyhow!("seeding members: {}", e.message()))?;
        Ok(())
    }

    /// Creates (or, when their id exists, updates) records written by a person in the app, not
    /// by the API key: e.g. `("workflows", {...})`, `("workflowVersions", {...})`. Each record is
    /// an upsert, so a database seeded again on restart keeps one copy.
    pub fn seed_records(&mut self, records: &[(String, Value)]) -> anyhow::Result<()> {
        let api_actor = std::mem::replace(
            &mut self.actor,
            json!({"source": "MANUAL", "workspaceMemberId": null, "name": "System", "context": null}),
        );
        let mut result = Ok(());
        for (plural, record) in records {
            if let Err(e) = self.create_many(plural, std::slice::from_ref(record), true) {
                result = Err(anyhow::anyhow!("seeding {plural}: {}", e.message()));
                break;
            }
        }
        self.actor = api_actor;
        result
    }
}

fn compare_rows(terms: &[OrderTerm], a: &Map<String, Value>, b: &Map<String, Value>) -> Ordering {
    for t in terms {
        let o = t.compare(&t.value_of(a), &t.value_of(b));
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

fn compare_to_cursor(terms: &[OrderTerm], r: &Map<String, Value>, cursor: &[Value]) -> Ordering {
    for (t, c) in terms.iter().zip(cursor) {
        let o = t.compare(&t.value_of(r), c);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Cursor = base64 of `{"<order key>": value, …, "id": "…"}` (Twenty's own format for `id`).
fn encode_cursor(terms: &[OrderTerm], r: &Map<String, Value>) -> String {
    let mut m = Map::new();
    for t in terms {
        m.insert(t.key(), t.value_of(r));
    }
    base64::engine::general_purpose::STANDARD.encode(Value::Object(m).to_string())
}

fn decode_cursor(
    cursor: &str,
    terms: &[OrderTerm],
    rows: &[Map<String, Value>],
) -> ApiResult<Vec<Value>> {
    let invalid =
        || ApiError::bad_request(format!("Invalid cursor '{cursor}'")).with_code("INVALID_CURSOR");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cursor.trim())
        .map_err(|_| invalid())?;
    let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(&bytes) else {
        return Err(invalid());
    };
    // A cursor carrying only the id (as Twenty's default order) takes the other values from the row.
    let by_id = m.get("id").and_then(Value::as_str).and_then(|id| {
        rows.iter()
            .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
    });
    terms
        .iter()
        .map(|t| match m.get(&t.key()) {
            Some(v) => Ok(v.clone()),
            None => by_id.map(|r| t.value_of(r)).ok_or_else(invalid),
        })
        .collect()
}

/// A simplified `searchVector`: the words of the record's label-like fields, Postgres style.
fn search_vector(object: &Object, data: &Map<String, Value>) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut push = |s: &str| {
        for w in s.split_whitespace() {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '@' && c != '.');
            if !w.is_empty() {
                words.push(w.to_lowercase());
            }
        }
    };
    for f in &object.fields {
        match (f.field_type.as_str(), data.get(&f.name)) {
            ("FULL_NAME", Some(v)) => {
                for k in ["firstName", "lastName"] {
                    if let Some(s) = v.get(k).and_then(Value::as_str) {
                        push(s);
                    }
                }
            }
            ("EMAILS", Some(v)) => {
                if let Some(s) = v.get("primaryEmail").and_then(Value::as_str) {
                    push(s);
                }
            }
            ("TEXT", Some(Value::String(s)))
                if matches!(f.name.as_str(), "name" | "title" | "jobTitle") =>
            {
                push(s)
            }
            _ => {}
        }
    }
    let mut positions: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, w) in words.into_iter().enumerate() {
        match positions.iter_mut().find(|(k, _)| *k == w) {
            Some((_, p)) => p.push(i + 1),
            None => positions.push((w, vec![i + 1])),
        }
    }
    positions.sort();
    positions
        .into_iter()
        .map(|(w, p)| {
            let p: Vec<String> = p.iter().map(usize::to_string).collect();
            format!("'{w}':{}", p.join(","))
        })
        .collect::<Vec<_>>()
        .join(" ")
}
