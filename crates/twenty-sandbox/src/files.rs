//! Uploaded files: storage, the FILES field, signed URLs, downloads, and what a delete does.
//!
//! Everything here replays `docs/evidence/twenty-attachments.md` (read from the sources of the
//! recorded servers; no upload was recorded live). Section numbers below are that document's.
//!
//! **2.19** (`ProfileKind::Twenty2`)
//! - `uploadFilesFieldFile(file, fieldMetadataId)` / `…ByUniversalIdentifier` on `/metadata` (§1.1,
//!   `files-field.service.ts`): the bytes are checked first ([`crate::sniff`], §1.6), then the field
//!   is looked up (any field type: the upload itself does not check it is FILES), then the stored
//!   name `<uuid>.<ext>` must have an extension. The file is kept as *temporary* under
//!   `files-field/<field universalIdentifier>/<uuid>.<ext>` and answered as
//!   `{id, path, size, createdAt, url}` with `url = <server>/file/files-field/<id>?token=<jwt>`
//!   (§1.4). The mime stored is the recognised one or the extension's (the part's own
//!   `Content-Type` is not used).
//! - A record write carrying a FILES value (§2.2, `validate-files-field-or-throw.util.ts` then
//!   `files-field-sync.ts`): the value is checked (null, or an array of strict `{fileId: uuid v4,
//!   label: string}`, at most `settings.maxNumberOfValues`), then each file the write adds must
//!   exist, have been uploaded for that field, and still be temporary (each upload is attached
//!   once); the stored items gain `extension` (`.pdf`), the files added become permanent and the
//!   files a write drops are deleted. Checks run against the state before the write, so two
//!   records of one batch naming the same new file both pass (as in the source).
//! - Reads add a freshly signed `url` to each item (§2.4), REST and GraphQL alike.
//! - `GET /file/files-field/<id>?token=` (§3, `FileByIdGuard`): 403 without a valid token for that
//!   id (the API key is not looked at), 404 for an unknown id, else the bytes with the stored mime.
//! - A destroy of a record deletes the files of its FILES fields (§2.5,
//!   `FilesFieldDeletionListener`, any object); a soft delete keeps them. Twenty does it in a
//!   queued job; the sandbox at once. Records removed by the sandbox's own cascade (a company
//!   destroyed with its attachments) keep their files: whether Postgres's cascade emits the
//!   event is NOT CONFIRMED (evidence "Not confirmed" 7).
//!
//! **1.5** (`ProfileKind::Twenty15`)
//! - `uploadFile(file, fileFolder)` on `/graphql` (§4.1-4.3): no check at all; stored as
//!   `<folder>/<uuid>.<ext>` (`undefined/…` without a folder), with the part's `Content-Type`;
//!   answered `{path, token}` where the token signs the stored file name.
//! - The attachment's `fullPath` is plain text (§4.4). GraphQL answers sign it
//!   (`<server>/files/<folder>/<token>/<name>`), REST answers do not (§4.5).
//! - `GET /files/<folder>/<token>/<name>` (§4.5, `FilePathGuard`): 400 for a name without a dot or
//!   an unknown folder, 403 without a valid token for that name, 404 for no such file, else the
//!   bytes (1.5 pipes the stream: no `Content-Type`).
//! - A destroyed attachment deletes the file its `fullPath` names (§4.6, `FileAttachmentListener`).
//!
//! The sandbox keeps each file's bytes in its SQLite database (`files` table), its description in
//! memory; [`Workspace::stored_files`] lists them for tests.

use std::collections::HashSet;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::errors::{ApiError, ApiResult};
use crate::multipart::UploadPart;
use crate::node_inspect::inspect;
use crate::profile::ProfileKind;
use crate::schema::{Field, Object};
use crate::sniff;
use crate::store::Change;
use crate::token;
use crate::workspace::{Workspace, now};

/// The stored description of an uploaded file (bytes are in the database only).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FileRow {
    pub(crate) id: String,
    /// 2.19 `files-field/<uid>/<id>.<ext>`; 1.5 `<folder>/<id>.<ext>`.
    pub(crate) path: String,
    /// The part's file name as sent.
    pub(crate) filename: Option<String>,
    /// The part's `Content-Type`.
    pub(crate) content_type: String,
    /// What the server records (and answers downloads with on 2.19).
    pub(crate) mime_type: String,
    pub(crate) size: u64,
    pub(crate) sha256: String,
    pub(crate) created_at: String,
    /// 2.19 `settings.isTemporaryFile`: true until a FILES field takes the file.
    pub(crate) temporary: bool,
}

/// An uploaded file as tests see it ([`crate::SandboxHandle::stored_files`], `GET /sandbox/files`
/// without the bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredFile {
    /// The file id (2.19: what a FILES item's `fileId` names; 1.5: the uuid of the stored name).
    pub id: String,
    /// What a record names the file by: 2.19 the id (`file[0].fileId`), 1.5 the path
    /// (`fullPath`).
    pub key: String,
    /// Where the server keeps it: 2.19 `files-field/<field universalIdentifier>/<id>.<ext>`, 1.5
    /// `attachment/<id>.<ext>` (what `fullPath` names).
    pub path: String,
    /// The file name the upload carried (`Contract.pdf`).
    pub filename: Option<String>,
    /// The `Content-Type` of the upload's part (`text/plain` when it had none).
    pub content_type: String,
    /// The mime type the server recorded (2.19: from the bytes or the extension; 1.5: the part's).
    pub mime_type: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// Upload time (`2026-12-01T09:00:00.000Z`).
    pub created_at: String,
    /// The record that names the file, soft-deleted ones included: 2.19 a record whose FILES
    /// field holds its id, 1.5 an attachment whose `fullPath` is its path.
    pub attached_to: Option<String>,
    /// The bytes (left out of `GET /sandbox/files`).
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// Which field an upload is for (`fieldMetadataId` or `fieldMetadataUniversalIdentifier`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum FieldRef<'a> {
    Id(&'a str),
    UniversalIdentifier(&'a str),
}

/// A GraphQL error of a resolver, as Twenty's error hook shapes it.
#[derive(Debug, Clone)]
pub(crate) struct ResolverError {
    pub(crate) message: String,
    pub(crate) extensions: Value,
}

impl ResolverError {
    /// A `FileStorageException` the upload resolver throws. The source reads as if a filter
    /// maps it to `{subCode, userFriendlyMessage, code}` with `BAD_USER_INPUT` / `FORBIDDEN`, but
    /// a live 2.19 answers `INTERNAL_SERVER_ERROR` with only the user-friendly message and no
    /// `subCode` (`docs/evidence/live-2x/upload-pdf-name-text-bytes.json`,
    /// `upload-no-extension-unknown-bytes.json`): the live answer wins.
    fn custom(message: String, friendly: &str) -> Self {
        ResolverError::internal(message, Some(friendly))
    }

    /// An error no filter maps (`generate-graphql-error-from-error.util.ts`):
    /// `INTERNAL_SERVER_ERROR` with its own message (by reading; NOT CONFIRMED live, evidence §1.6).
    pub(crate) fn internal(message: String, friendly: Option<&str>) -> Self {
        ResolverError {
            message,
            extensions: json!({
                "code": "INTERNAL_SERVER_ERROR",
                "userFriendlyMessage": friendly.unwrap_or("An error occurred."),
            }),
        }
    }
}

/// A download answer.
#[derive(Debug, Clone)]
pub(crate) struct Download {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Bytes,
}

impl Download {
    fn json(status: u16, body: &Value) -> Download {
        Download {
            status,
            headers: vec![("content-type", "application/json; charset=utf-8".into())],
            body: Bytes::from(body.to_string()),
        }
    }

    /// A guard answering `false`: Nest's `ForbiddenException` through the global
    /// `UnhandledExceptionFilter` (`response.status(403).json(exception.response)`; by reading).
    fn forbidden() -> Download {
        Download::json(
            403,
            &json!({"message": "Forbidden resource", "error": "Forbidden", "statusCode": 403}),
        )
    }

    /// A `BadRequestException` thrown by 1.5's file-path checks, through the same filter.
    fn bad_request(message: String) -> Download {
        Download::json(
            400,
            &json!({"message": message, "error": "Bad Request", "statusCode": 400}),
        )
    }
}

/// Node's `path.extname`: the last `.` of the base name and what follows, `''` when the base name
/// has none (or only a leading one).
fn extname(path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or("");
    match base.rfind('.') {
        Some(i) if i > 0 => base[i..].to_string(),
        _ => String::new(),
    }
}

/// zod's `parsedType` (the "received …" of `invalid_type` issues).
fn parsed_type(v: Option<&Value>) -> &'static str {
    match v {
        None => "undefined",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
    }
}

/// zod 4's `z.uuidv4()` pattern.
fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            14 => *c == b'4',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b' | b'A' | b'B'),
            _ => c.is_ascii_hexdigit(),
        })
}

/// The issues of `z.array(z.object({fileId: z.uuidv4(), label: z.string()}).strict())`, each as
/// `path: message` (zod 4.1 English messages).
fn files_schema_issues(value: &Value) -> Vec<String> {
    let Value::Array(items) = value else {
        return vec![format!(
            ": Invalid input: expected array, received {}",
            parsed_type(Some(value))
        )];
    };
    let mut issues = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Object(m) = item else {
            issues.push(format!(
                "{i}: Invalid input: expected object, received {}",
                parsed_type(Some(item))
            ));
            continue;
        };
        match m.get("fileId") {
            Some(Value::String(s)) if is_uuid_v4(s) => {}
            Some(Value::String(_)) => issues.push(format!("{i}.fileId: Invalid UUID")),
            other => issues.push(format!(
                "{i}.fileId: Invalid input: expected string, received {}",
                parsed_type(other)
            )),
        }
        match m.get("label") {
            Some(Value::String(_)) => {}
            other => issues.push(format!(
                "{i}.label: Invalid input: expected string, received {}",
                parsed_type(other)
            )),
        }
        let extra: Vec<String> = m
            .keys()
            .filter(|k| *k != "fileId" && *k != "label")
            .map(|k| format!("\"{k}\""))
            .collect();
        if !extra.is_empty() {
            issues.push(format!(
                "{i}: Unrecognized key{}: {}",
                if extra.len() > 1 { "s" } else { "" },
                extra.join(", ")
            ));
        }
    }
    issues
}

/// `validateFilesFieldOrThrow` (2.19 data-arg processor, §2.2): the value of a FILES field in a
/// write, as the `[{fileId, label}]` list it parses to. Messages are the source's, with Node's
/// `inspect` of the value; REST answers them as 400 `BadRequestException`, GraphQL as
/// `BAD_USER_INPUT` (`INVALID_ARGS_DATA`).
pub(crate) fn validate_files_value(field: &Field, value: &Value) -> ApiResult<Value> {
    let name = &field.name;
    let parsed = match value {
        Value::String(s) => serde_json::from_str::<Value>(s).map_err(|_| {
            ApiError::bad_request(format!(
                "Invalid value \"{}\" for FILES field \"{name}\" - It should be an array of objects with \"fileId\" and \"label\" properties.",
                inspect(value)
            ))
        })?,
        other => other.clone(),
    };
    if parsed.is_null() {
        return Ok(Value::Null);
    }
    let issues = files_schema_issues(&parsed);
    if !issues.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Invalid value \"{}\" for FILES field \"{name}\" - {}",
            inspect(&parsed),
            issues.join(", ")
        )));
    }
    let items: Vec<Value> = parsed
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| json!({"fileId": i["fileId"], "label": i["label"]}))
                .collect()
        })
        .unwrap_or_default();
    if let Some(max) = max_number_of_values(field)
        && items.len() as u64 > max
    {
        return Err(ApiError::bad_request(format!(
            "Max number of files is {max} for field \"{name}\""
        )));
    }
    Ok(Value::Array(items))
}

/// `settings.maxNumberOfValues` of a FILES field (1 for `attachment.file`).
fn max_number_of_values(field: &Field) -> Option<u64> {
    field
        .meta
        .pointer("/settings/maxNumberOfValues")
        .and_then(Value::as_u64)
}

/// A field's `universalIdentifier` (the folder its uploads go to).
fn universal_identifier(field: &Field) -> Option<&str> {
    field
        .meta
        .get("universalIdentifier")
        .and_then(Value::as_str)
}

/// One FILES value a write changes: the pending record's index, the field, and its items before
/// and after (`computeFilesFieldDiff`'s inputs).
#[derive(Debug, Clone)]
pub(crate) struct FilesDiff {
    pub(crate) index: usize,
    pub(crate) field: String,
    pub(crate) uid: Option<String>,
    pub(crate) old: Vec<Value>,
    pub(crate) new: Vec<Value>,
}

/// What the checks of a write's FILES values decided: the values to store, the files to make
/// permanent and the files to delete.
#[derive(Debug, Default)]
pub(crate) struct FilesSync {
    pub(crate) values: Vec<(usize, String, Value)>,
    to_add: Vec<String>,
    to_remove: Vec<String>,
}

fn item_id(item: &Value) -> &str {
    item.get("fileId")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

impl Workspace {
    /// Loads the stored files' descriptions and the token secret (at open).
    pub(crate) fn load_files(&mut self) -> anyhow::Result<()> {
        for (id, meta) in self.store.load_files()? {
            let row: FileRow = serde_json::from_str(&meta)
                .map_err(|e| anyhow::anyhow!("corrupt file description {id}: {e}"))?;
            self.files.insert(id, row);
        }
        let secret = match self.store.meta("file_token_secret")? {
            Some(s) => s,
            None => {
                let s = format!(
                    "{}{}",
                    uuid::Uuid::new_v4().simple(),
                    uuid::Uuid::new_v4().simple()
                );
                self.store.apply(&[Change::Meta {
                    key: "file_token_secret".into(),
                    value: s.clone(),
                }])?;
                s
            }
        };
        self.file_secret = secret.into_bytes();
        Ok(())
    }

    fn workspace_id_str(&self) -> String {
        self.workspace_id().as_str().unwrap_or_default().to_string()
    }

    /// The FILES fields of an object.
    pub(crate) fn files_fields(object: &Object) -> Vec<&Field> {
        object
            .fields
            .iter()
            .filter(|f| f.field_type == "FILES")
            .collect()
    }

    /// `signFileByIdUrl` (2.19 §1.4): `<server>/file/files-field/<id>?token=<jwt>`.
    pub(crate) fn file_url(&self, file_id: &str) -> String {
        let ws = self.workspace_id_str();
        let mut claims = Map::new();
        claims.insert("workspaceId".into(), json!(ws));
        claims.insert("fileId".into(), json!(file_id));
        claims.insert("sub".into(), json!(ws));
        claims.insert("type".into(), json!("FILE"));
        format!(
            "{}/file/files-field/{file_id}?token={}",
            self.server_url,
            token::sign(&self.file_secret, claims)
        )
    }

    /// `encodeFileToken({filename, workspaceId})` (1.5 §4.2).
    fn legacy_token(&self, filename: &str) -> String {
        let ws = self.workspace_id_str();
        let mut claims = Map::new();
        claims.insert("filename".into(), json!(filename));
        claims.insert("workspaceId".into(), json!(ws));
        claims.insert("sub".into(), json!(ws));
        claims.insert("type".into(), json!("FILE"));
        token::sign(&self.file_secret, claims)
    }

    /// A FILES value as reads answer it: each item with a fresh `url` (§2.4,
    /// `FilesFieldQueryResultGetterHandler`); other values unchanged.
    pub(crate) fn signed_files_value(&self, value: &Value) -> Value {
        let Value::Array(items) = value else {
            return value.clone();
        };
        if !items
            .iter()
            .all(|i| i.get("fileId").and_then(Value::as_str).is_some())
        {
            return value.clone();
        }
        Value::Array(
            items
                .iter()
                .map(|item| {
                    let mut m = item.as_object().cloned().unwrap_or_default();
                    let url = self.file_url(item_id(item));
                    m.insert("url".into(), json!(url));
                    Value::Object(m)
                })
                .collect(),
        )
    }

    /// 1.5's `AttachmentQueryResultGetterHandler` (GraphQL answers only, §4.5): an attachment's
    /// `fullPath` becomes `<server>/files/<folder>/<token>/<name>` (`buildSignedPath`; a URL is
    /// left as it is, then prefixed all the same, as the source does). `Err` is the source's
    /// error for a path ending in `/`.
    pub(crate) fn legacy_sign_attachments(
        &self,
        object: &Object,
        records: &mut [Value],
    ) -> Result<(), String> {
        if self.profile.kind != ProfileKind::Twenty15 || object.name_singular != "attachment" {
            return Ok(());
        }
        for record in records {
            let Some(m) = record.as_object_mut() else {
                continue;
            };
            if m.get("id")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                continue;
            }
            let Some(path) = m
                .get("fullPath")
                .and_then(Value::as_str)
                .filter(|p| !p.is_empty())
                .map(String::from)
            else {
                continue;
            };
            let signed = if path.starts_with("https:") || path.starts_with("http:") {
                path
            } else {
                let (folder, name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
                if name.is_empty() {
                    return Err(format!(
                        "Filename empty: cannot build signed path from folderPath '{path}'"
                    ));
                }
                format!("{folder}/{}/{name}", self.legacy_token(name))
            };
            m.insert(
                "fullPath".into(),
                json!(format!("{}/files/{signed}", self.server_url)),
            );
        }
        Ok(())
    }

    fn store_file(&mut self, row: FileRow, data: &Bytes) -> Result<(), ResolverError> {
        let meta = serde_json::to_string(&row)
            .map_err(|e| ResolverError::internal(e.to_string(), None))?;
        let change = Change::PutFile {
            id: row.id.clone(),
            meta,
            bytes: Some(data.clone()),
        };
        self.persist(&[change])
            .map_err(|e| ResolverError::internal(e.message(), None))?;
        self.files.insert(row.id.clone(), row);
        Ok(())
    }

    /// `uploadFilesFieldFile` / `uploadFilesFieldFileByUniversalIdentifier` (2.19, §1.1-1.6):
    /// the `FileWithSignedUrl` answer, or the resolver's error.
    pub(crate) fn upload_files_field_file(
        &mut self,
        part: &UploadPart,
        field: FieldRef<'_>,
    ) -> Result<Value, ResolverError> {
        let (column, key) = match field {
            FieldRef::Id(k) => ("id", k),
            FieldRef::UniversalIdentifier(k) => ("universalIdentifier", k),
        };
        if key.is_empty() {
            let m = "fieldMetadataId or fieldMetadataUniversalIdentifier must be provided";
            return Err(ResolverError::internal(m.into(), Some(m)));
        }
        // `buildFileInfo(filename)` on a part without a file name.
        let filename = part.filename.as_deref().ok_or_else(|| {
            ResolverError::internal(
                "Cannot read properties of undefined (reading 'split')".into(),
                None,
            )
        })?;
        let (ext, mime) = sniff::file_info(&part.data, filename).map_err(|expected| {
            let ext = sniff::declared_extension(filename);
            ResolverError::custom(
                format!(
                    "File content does not match its extension. The file has extension '{ext}' (expected mime type: {expected}), but the file content could not be detected as this type. The file may be corrupted, have the wrong extension, or be a security risk."
                ),
                "The file extension doesn't match the file content. Please check that your file is not corrupted and has the correct extension.",
            )
        })?;
        let workspace_id = self.workspace_id_str();
        // `fieldMetadataRepository.findOneOrFail({where: {<column>: key, workspaceId}})`: the
        // uuid column refuses another text first (Postgres), then TypeORM's not-found error.
        if uuid::Uuid::parse_str(key).is_err() {
            return Err(ResolverError::internal(
                format!("invalid input syntax for type uuid: \"{key}\""),
                None,
            ));
        }
        let lower = key.to_lowercase();
        let found = self
            .schema
            .objects
            .iter()
            .flat_map(|o| o.fields.iter())
            .find(|f| match field {
                FieldRef::Id(_) => f.id.to_lowercase() == lower,
                FieldRef::UniversalIdentifier(_) => {
                    universal_identifier(f).is_some_and(|u| u.to_lowercase() == lower)
                }
            });
        let Some(found) = found else {
            let criteria = json!({
                "select": ["applicationId", "universalIdentifier"],
                "where": {column: key, "workspaceId": workspace_id},
            });
            let mut text = Vec::new();
            let mut ser = serde_json::Serializer::with_formatter(
                &mut text,
                serde_json::ser::PrettyFormatter::with_indent(b"    "),
            );
            criteria.serialize(&mut ser).ok();
            return Err(ResolverError::internal(
                format!(
                    "Could not find any entity of type \"FieldMetadataEntity\" matching: {}",
                    String::from_utf8_lossy(&text)
                ),
                None,
            ));
        };
        let uid = universal_identifier(found)
            .unwrap_or("undefined")
            .to_string();
        let id = uuid::Uuid::new_v4().to_string();
        let name = if ext.is_empty() {
            id.clone()
        } else {
            format!("{id}.{ext}")
        };
        // `validateFilePath` on `<uid>/<name>`.
        if !name.contains('.') {
            return Err(ResolverError::custom(
                "Filename must have an extension".into(),
                "Access denied.",
            ));
        }
        let row = FileRow {
            id: id.clone(),
            path: format!("files-field/{uid}/{name}"),
            filename: Some(filename.to_string()),
            content_type: part.mimetype.clone(),
            mime_type: mime,
            size: part.data.len() as u64,
            sha256: crate::sha256::sha256_hex(&part.data),
            created_at: now(),
            temporary: true,
        };
        let answer = json!({
            "id": id,
            "path": row.path,
            "size": row.size,
            "createdAt": row.created_at,
            "url": self.file_url(&id),
        });
        self.store_file(row, &part.data)?;
        Ok(answer)
    }

    /// `uploadFile(file, fileFolder)` (1.5, §4.1-4.2): `{path, token}`; `folder` is the enum's
    /// value (`attachment`), `None` without a folder (stored under `undefined/`).
    pub(crate) fn upload_legacy(
        &mut self,
        part: &UploadPart,
        folder: Option<&str>,
    ) -> Result<Value, ResolverError> {
        let filename = part.filename.as_deref().ok_or_else(|| {
            ResolverError::internal(
                "Cannot read properties of undefined (reading 'split')".into(),
                None,
            )
        })?;
        let ext = sniff::declared_extension(filename);
        let id = uuid::Uuid::new_v4().to_string();
        let name = if ext.is_empty() {
            id.clone()
        } else {
            format!("{id}.{ext}")
        };
        let path = format!("{}/{name}", folder.unwrap_or("undefined"));
        let row = FileRow {
            id,
            path: path.clone(),
            filename: Some(filename.to_string()),
            content_type: part.mimetype.clone(),
            mime_type: part.mimetype.clone(),
            size: part.data.len() as u64,
            sha256: crate::sha256::sha256_hex(&part.data),
            created_at: now(),
            temporary: false,
        };
        let token = self.legacy_token(&name);
        self.store_file(row, &part.data)?;
        Ok(json!({"path": path, "token": token}))
    }

    /// The FILES values a write changes, for one pending record (`input` = the validated values
    /// sent, `existing` = the stored record an update or upsert starts from).
    pub(crate) fn files_diffs(
        object: &Object,
        index: usize,
        input: &Map<String, Value>,
        existing: Option<&Map<String, Value>>,
    ) -> Vec<FilesDiff> {
        let mut out = Vec::new();
        for field in Self::files_fields(object) {
            // `if (!isDefined(newFilesValue)) return null;`
            let Some(Value::Array(new)) = input.get(&field.name) else {
                continue;
            };
            let old = existing
                .and_then(|r| r.get(&field.name))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            out.push(FilesDiff {
                index,
                field: field.name.clone(),
                uid: universal_identifier(field).map(String::from),
                old,
                new: new.clone(),
            });
        }
        out
    }

    /// `validateAndEnrichFileDiffs` (§2.2, `files-field-sync.ts`): checks each file a write adds
    /// or keeps, and answers the values to store (items with `extension`). Errors are
    /// `TwentyORMException(INVALID_INPUT)`, REST 400 `BadRequestException`.
    pub(crate) fn check_files(&self, diffs: &[FilesDiff]) -> ApiResult<FilesSync> {
        let mut sync = FilesSync::default();
        // `computeFilesFieldDiff` for each value.
        let mut parts = Vec::new();
        for d in diffs {
            let old_ids: HashSet<&str> = d.old.iter().map(item_id).collect();
            let new_ids: HashSet<&str> = d.new.iter().map(item_id).collect();
            let to_add: Vec<&Value> = d
                .new
                .iter()
                .filter(|n| !old_ids.contains(item_id(n)))
                .collect();
            let to_update: Vec<Value> = d
                .new
                .iter()
                .filter_map(|n| {
                    let existing = d.old.iter().find(|o| item_id(o) == item_id(n))?;
                    let mut m = existing.as_object().cloned().unwrap_or_default();
                    m.insert("label".into(), n["label"].clone());
                    Some(Value::Object(m))
                })
                .collect();
            let to_remove: Vec<&str> = d
                .old
                .iter()
                .map(item_id)
                .filter(|id| !new_ids.contains(id))
                .collect();
            parts.push((d, to_add, to_update, to_remove));
        }
        let wrong_field = |id: &str, row: &FileRow, uid: &Option<String>| {
            uid.as_deref()
                .is_some_and(|u| !row.path.contains(u))
                .then(|| {
                    ApiError::bad_request(format!("File {id} was not uploaded for this field"))
                })
        };
        for (d, to_add, to_update, to_remove) in parts {
            let mut enriched: Vec<Value> = Vec::new();
            for file in &to_add {
                let id = item_id(file);
                // Postgres compares uuids whatever their case.
                let row = self
                    .files
                    .get(&id.to_lowercase())
                    .ok_or_else(|| ApiError::bad_request(format!("File not found: {id}")))?;
                if let Some(e) = wrong_field(id, row, &d.uid) {
                    return Err(e);
                }
                if !row.temporary {
                    return Err(ApiError::bad_request(format!(
                        "File {id} is already associated with a permanent files field"
                    )));
                }
                let mut m = file.as_object().cloned().unwrap_or_default();
                m.insert("extension".into(), json!(extname(&row.path)));
                enriched.push(Value::Object(m));
                sync.to_add.push(id.to_lowercase());
            }
            for file in &to_update {
                let id = item_id(file);
                // Postgres compares uuids whatever their case.
                let row = self
                    .files
                    .get(&id.to_lowercase())
                    .ok_or_else(|| ApiError::bad_request(format!("File not found: {id}")))?;
                if let Some(e) = wrong_field(id, row, &d.uid) {
                    return Err(e);
                }
                if row.temporary {
                    return Err(ApiError::bad_request(format!(
                        "File {id} to update should not be a temporary file"
                    )));
                }
                enriched.push(file.clone());
            }
            sync.to_remove
                .extend(to_remove.into_iter().map(str::to_lowercase));
            // `updateEntitiesWithEnrichedFilesFieldValues`: the items sent, each replaced by its
            // enriched form.
            let value: Vec<Value> = d
                .new
                .iter()
                .map(|n| {
                    enriched
                        .iter()
                        .rev()
                        .find(|e| item_id(e) == item_id(n))
                        .cloned()
                        .unwrap_or_else(|| n.clone())
                })
                .collect();
            sync.values
                .push((d.index, d.field.clone(), Value::Array(value)));
        }
        Ok(sync)
    }

    /// `updateFileEntityRecords`: files added become permanent, files dropped go (Twenty
    /// soft-deletes the row: the file can no longer be found, attached or downloaded).
    pub(crate) fn apply_files_sync(&mut self, sync: &FilesSync) -> Vec<Change> {
        let mut changes = Vec::new();
        for id in &sync.to_add {
            if let Some(row) = self.files.get_mut(id)
                && row.temporary
            {
                row.temporary = false;
                if let Ok(meta) = serde_json::to_string(row) {
                    changes.push(Change::PutFile {
                        id: id.clone(),
                        meta,
                        bytes: None,
                    });
                }
            }
        }
        for id in &sync.to_remove {
            if self.files.shift_remove(id).is_some() {
                changes.push(Change::DeleteFile { id: id.clone() });
            }
        }
        changes
    }

    /// The files a destroyed record takes with it: 2.19 every file of its FILES fields
    /// (`FilesFieldDeletionListener`), 1.5 the file an attachment's `fullPath` names
    /// (`FileAttachmentListener`).
    pub(crate) fn destroyed_record_files(
        &mut self,
        object: &Object,
        record: &Map<String, Value>,
    ) -> Vec<Change> {
        let mut ids: Vec<String> = Vec::new();
        for field in Self::files_fields(object) {
            if let Some(Value::Array(items)) = record.get(&field.name) {
                ids.extend(items.iter().map(|i| item_id(i).to_string()));
            }
        }
        if self.profile.kind == ProfileKind::Twenty15
            && object.name_singular == "attachment"
            && let Some(path) = record.get("fullPath").and_then(Value::as_str)
        {
            ids.extend(
                self.files
                    .values()
                    .filter(|f| f.path == path)
                    .map(|f| f.id.clone()),
            );
        }
        let mut changes = Vec::new();
        for id in ids {
            if self.files.shift_remove(&id).is_some() {
                changes.push(Change::DeleteFile { id });
            }
        }
        changes
    }

    /// Every stored file, in upload order, with the record that names it (and its bytes when
    /// `with_bytes`).
    pub fn stored_files(&self, with_bytes: bool) -> Vec<StoredFile> {
        let mut holders: Vec<(String, String)> = Vec::new(); // (file id or path, record id)
        for object in &self.schema.objects {
            let fields = Self::files_fields(object);
            let legacy =
                self.profile.kind == ProfileKind::Twenty15 && object.name_singular == "attachment";
            if fields.is_empty() && !legacy {
                continue;
            }
            let Some(table) = self.tables.get(&object.name_singular) else {
                continue;
            };
            for (rid, record) in &table.records {
                for field in &fields {
                    if let Some(Value::Array(items)) = record.get(&field.name) {
                        for item in items {
                            holders.push((item_id(item).to_string(), rid.clone()));
                        }
                    }
                }
                if legacy && let Some(p) = record.get("fullPath").and_then(Value::as_str) {
                    holders.push((p.to_string(), rid.clone()));
                }
            }
        }
        let legacy = self.profile.kind == ProfileKind::Twenty15;
        self.files
            .values()
            .map(|f| StoredFile {
                id: f.id.clone(),
                key: if legacy { f.path.clone() } else { f.id.clone() },
                path: f.path.clone(),
                filename: f.filename.clone(),
                content_type: f.content_type.clone(),
                mime_type: f.mime_type.clone(),
                size: f.size,
                sha256: f.sha256.clone(),
                created_at: f.created_at.clone(),
                attached_to: holders
                    .iter()
                    .find(|(key, _)| *key == f.id || *key == f.path)
                    .map(|(_, rid)| rid.clone()),
                bytes: if with_bytes {
                    self.store
                        .file_bytes(&f.id)
                        .ok()
                        .flatten()
                        .unwrap_or_default()
                } else {
                    Vec::new()
                },
            })
            .collect()
    }

    /// The bytes of a stored file.
    pub fn file_bytes(&self, id: &str) -> Option<Vec<u8>> {
        self.files.get(id)?;
        self.store.file_bytes(id).ok().flatten()
    }

    /// `GET /file/<folder>/<id>?token=` (2.19 §3, `FileController.getFileById`).
    pub(crate) fn download_by_id(&self, folder: &str, id: &str, token: Option<&str>) -> Download {
        const SUPPORTED: &[&str] = &[
            "core-picture",
            "files-field",
            "workflow",
            "agent-chat",
            "email-attachment",
            "app-tarball",
            "dpa",
        ];
        if !SUPPORTED.contains(&folder) {
            return Download::forbidden();
        }
        let Some(claims) = token
            .filter(|t| !t.is_empty())
            .and_then(|t| token::verify(&self.file_secret, t))
        else {
            return Download::forbidden();
        };
        if claims
            .get("workspaceId")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
            || claims.get("fileId").and_then(Value::as_str) != Some(id)
        {
            return Download::forbidden();
        }
        let row = self
            .files
            .get(id)
            .filter(|f| f.path.starts_with(&format!("{folder}/")));
        let bytes = row.and_then(|_| self.store.file_bytes(id).ok().flatten());
        let (Some(row), Some(bytes)) = (row, bytes) else {
            // `FileException(FILE_NOT_FOUND)` → `HttpExceptionHandlerService` 404.
            return Download::json(
                404,
                &json!({"statusCode": 404, "error": "Error", "messages": ["File not found"], "code": "FILE_NOT_FOUND"}),
            );
        };
        let mime = if row.mime_type.is_empty() {
            "application/octet-stream".to_string()
        } else {
            row.mime_type.clone()
        };
        // `setFileResponseHeaders` and `getContentDisposition`.
        const INLINE: &[&str] = &[
            "image/jpeg",
            "image/png",
            "image/gif",
            "image/webp",
            "image/avif",
            "image/bmp",
            "image/tiff",
            "application/pdf",
            "text/plain",
            "audio/mpeg",
            "audio/wav",
            "audio/ogg",
            "video/mp4",
            "video/webm",
            "video/ogg",
            "image/x-icon",
        ];
        let disposition = if INLINE.contains(&mime.as_str()) {
            "inline"
        } else {
            "attachment"
        };
        Download {
            status: 200,
            headers: vec![
                ("content-type", mime),
                ("x-content-type-options", "nosniff".into()),
                ("content-disposition", disposition.into()),
                ("cache-control", "private, max-age=86400, immutable".into()),
            ],
            body: Bytes::from(bytes),
        }
    }

    /// `GET /files/<folder…>/<token>/<name>` (1.5 §4.5, `FileController.getFile` behind
    /// `FilePathGuard`); `rest` is what follows `/files/`. `None` when the route does not match
    /// (`*/:filename` needs a folder part).
    pub(crate) fn download_legacy(&self, rest: &str) -> Option<Download> {
        let (before, filename) = rest.rsplit_once('/')?;
        if filename.is_empty() {
            return None;
        }
        // `checkFilename`.
        let clean = filename.replace('\0', "");
        if clean.is_empty() || clean.contains('\\') || !clean.contains('.') {
            return Some(Download::bad_request(format!(
                "Filename '{filename}' is not allowed"
            )));
        }
        let (folder, signature) = before.rsplit_once('/').unwrap_or(("", before));
        // `checkFileFolder`: the first folder must be one of `FileFolder`'s values.
        const FOLDERS: &[&str] = &[
            "profile-picture",
            "workspace-logo",
            "attachment",
            "person-picture",
            "serverless-function",
            "file",
        ];
        let root = folder.replace('\0', "");
        let root = root.split('/').next().unwrap_or("");
        if !FOLDERS.contains(&root) {
            return Some(Download::bad_request(format!(
                "Folder {root} is not allowed"
            )));
        }
        let valid = !signature.is_empty()
            && token::verify(&self.file_secret, signature).is_some_and(|claims| {
                claims
                    .get("workspaceId")
                    .and_then(Value::as_str)
                    .is_some_and(|w| !w.is_empty())
                    && claims.get("filename").and_then(Value::as_str) == Some(clean.as_str())
            });
        if !valid {
            return Some(Download::forbidden());
        }
        let path = format!("{folder}/{clean}");
        let found = self
            .files
            .values()
            .find(|f| f.path == path)
            .and_then(|f| self.store.file_bytes(&f.id).ok().flatten());
        Some(match found {
            Some(bytes) => Download {
                status: 200,
                headers: Vec::new(),
                body: Bytes::from(bytes),
            },
            None => Download::json(
                404,
                &json!({"statusCode": 404, "error": "Error", "messages": ["File not found"]}),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_field() -> Field {
        serde_json::from_value(json!({
            "id": "6b398733-8c5d-41bd-98bd-7b17bf8705e3", "name": "file", "label": "File",
            "type": "FILES", "isNullable": true, "isUnique": false, "isSystem": false,
            "isCustom": false, "defaultValue": null, "options": null, "relation": null,
            "meta": {"settings": {"maxNumberOfValues": 1}}
        }))
        .unwrap()
    }

    fn message(e: ApiError) -> String {
        e.message()
    }

    #[test]
    fn files_values_are_checked_like_zod() {
        let f = file_field();
        let id = "0b6b3c2e-1f0a-4c1b-9a55-3e1f2d3c4b5a";
        assert_eq!(
            validate_files_value(&f, &json!([{"fileId": id, "label": "a.pdf"}])).unwrap(),
            json!([{"fileId": id, "label": "a.pdf"}])
        );
        assert_eq!(
            message(validate_files_value(&f, &json!({"fileId": id})).unwrap_err()),
            format!(
                "Invalid value \"{{ fileId: '{id}' }}\" for FILES field \"file\" - : Invalid input: expected array, received object"
            )
        );
        assert_eq!(
            message(
                validate_files_value(&f, &json!([{"fileId": "nope", "extension": ".pdf"}]))
                    .unwrap_err()
            ),
            "Invalid value \"[ { fileId: 'nope', extension: '.pdf' } ]\" for FILES field \"file\" - 0.fileId: Invalid UUID, 0.label: Invalid input: expected string, received undefined, 0: Unrecognized key: \"extension\""
        );
        assert_eq!(
            message(
                validate_files_value(
                    &f,
                    &json!([{"fileId": id, "label": "a"}, {"fileId": id, "label": "b"}])
                )
                .unwrap_err()
            ),
            "Max number of files is 1 for field \"file\""
        );
        assert_eq!(
            message(validate_files_value(&f, &json!("oops")).unwrap_err()),
            "Invalid value \"'oops'\" for FILES field \"file\" - It should be an array of objects with \"fileId\" and \"label\" properties."
        );
        // A v1 UUID is not a v4.
        assert!(
            validate_files_value(
                &f,
                &json!([{"fileId": "6b398733-8c5d-11bd-98bd-7b17bf8705e3", "label": "x"}])
            )
            .is_err()
        );
    }

    #[test]
    fn extname_like_node() {
        assert_eq!(extname("files-field/u/abc.pdf"), ".pdf");
        assert_eq!(extname("files-field/u/abc"), "");
        assert_eq!(extname("a/.hidden"), "");
    }
}
