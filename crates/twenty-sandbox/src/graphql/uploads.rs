//! The file upload mutations (evidence `docs/evidence/twenty-attachments.md` §1 and §4.1):
//!
//! - 2.19, on `/metadata` only (`@MetadataResolver()`):
//!   `uploadFilesFieldFile(file: Upload!, fieldMetadataId: String!): FileWithSignedUrl!` and
//!   `uploadFilesFieldFileByUniversalIdentifier(file: Upload!, fieldMetadataUniversalIdentifier:
//!   String!): FileWithSignedUrl!`, answering `{id, path, size, createdAt, url}`;
//! - 1.5, on `/graphql` (what its front uses) and on `/metadata` (its front's metadata codegen has
//!   it too; NOT CONFIRMED): `uploadFile(file: Upload!, fileFolder: FileFolder): SignedFileDTO!`,
//!   answering `{path, token}`.
//!
//! Another of these names on the other line or endpoint is unknown to that schema:
//! `Cannot query field "x" on type "Mutation".` The document is checked like GraphQL validation
//! (selection of the answer type, unknown or missing arguments, `GRAPHQL_VALIDATION_FAILED`), the
//! variables like coercion (`Variable "$file" of non-null type "Upload!" must not be null.`,
//! `BAD_USER_INPUT`: the code Twenty's error hook gives them is a guess), then the resolver runs
//! ([`crate::files`]); its errors carry `path: [field]` and Twenty's extensions. Errors answer
//! HTTP 200 with `data: null`, like every GraphQL error of the sandbox (the status of GraphQL
//! error answers is NOT CONFIRMED, evidence "Not confirmed" 4).

use serde_json::{Value, json};

use super::{
    Endpoint, OperationKind, RootField, check_leaves, graphql_error, input_error, must_select,
    project, validation_error,
};
use crate::files::{FieldRef, ResolverError};
use crate::multipart::{UploadPart, Uploads};
use crate::profile::ProfileKind;
use crate::workspace::Workspace;

const FILES_FIELD: &str = "uploadFilesFieldFile";
const FILES_FIELD_BY_UID: &str = "uploadFilesFieldFileByUniversalIdentifier";
const LEGACY: &str = "uploadFile";

/// The upload mutations a line serves (for messages).
pub(super) fn names(kind: ProfileKind) -> &'static str {
    match kind {
        ProfileKind::Twenty2 => "uploadFilesFieldFile, uploadFilesFieldFileByUniversalIdentifier",
        ProfileKind::Twenty15 => "uploadFile",
    }
}

/// Answers `root` when it names an upload mutation; `None` for other fields.
pub(super) fn route(
    ws: &mut Workspace,
    root: &RootField,
    uploads: &Uploads,
    endpoint: Endpoint,
) -> Option<Value> {
    let name = root.name.as_str();
    if !matches!(name, FILES_FIELD | FILES_FIELD_BY_UID | LEGACY) {
        return None;
    }
    if root.kind != OperationKind::Mutation {
        return Some(validation_error(format!(
            "Cannot query field \"{name}\" on type \"Query\"."
        )));
    }
    Some(match (ws.profile.kind, endpoint, name) {
        (ProfileKind::Twenty2, Endpoint::Metadata, FILES_FIELD | FILES_FIELD_BY_UID) => {
            files_field(ws, root, uploads)
        }
        (ProfileKind::Twenty15, _, LEGACY) => legacy(ws, root, uploads),
        _ => validation_error(format!(
            "Cannot query field \"{name}\" on type \"Mutation\"."
        )),
    })
}

/// A resolver error: `{"errors": [{message, extensions}], "data": null}` with HTTP 200 — no
/// `path`, as a live 2.19 answers its upload errors (`docs/evidence/live-2x/upload-*.json`).
fn resolver_error(_root: &RootField, e: ResolverError) -> Value {
    json!({
        "errors": [{"message": e.message, "extensions": e.extensions}],
        "data": null,
    })
}

/// Checks the arguments against the field's (`name` → GraphQL type); answers a validation error.
fn check_args(root: &RootField, allowed: &[(&str, &str, bool)]) -> Result<(), Value> {
    for arg in root.args.keys() {
        if !allowed.iter().any(|(a, _, _)| a == arg) {
            return Err(validation_error(format!(
                "Unknown argument \"{arg}\" on field \"Mutation.{}\".",
                root.name
            )));
        }
    }
    for (arg, ty, required) in allowed {
        if *required && !root.args.contains_key(*arg) {
            return Err(validation_error(format!(
                "Field \"{}\" argument \"{arg}\" of type \"{ty}\" is required, but it was not provided.",
                root.name
            )));
        }
    }
    Ok(())
}

/// The file an `Upload!` argument names, or the coercion / resolver error.
fn upload_arg<'u>(root: &RootField, uploads: &'u Uploads) -> Result<&'u UploadPart, Value> {
    let value = root.args.get("file").unwrap_or(&Value::Null);
    let var = root.variables.get("file").cloned();
    match uploads.get(value) {
        Some(Ok(part)) => Ok(part),
        // The upload promise rejected (`File missing in the request.`): an error the resolver
        // meets, not a Nest `HttpException` → `INTERNAL_SERVER_ERROR`.
        Some(Err(message)) => Err(resolver_error(root, ResolverError::internal(message, None))),
        None if value.is_null() => Err(input_error(match var {
            Some(v) => format!("Variable \"${v}\" of non-null type \"Upload!\" must not be null."),
            None => "Argument \"file\" of non-null type \"Upload!\" must not be null.".into(),
        })),
        // `GraphQLUpload.parseValue` of anything but an upload.
        None => Err(input_error(match var {
            Some(v) => {
                format!("Variable \"${v}\" got invalid value {value}; Upload value invalid.")
            }
            None => "Upload value invalid.".into(),
        })),
    }
}

/// A `String!` argument's value.
fn string_arg(root: &RootField, arg: &str) -> Result<String, Value> {
    let value = root.args.get(arg).unwrap_or(&Value::Null);
    let var = root.variables.get(arg);
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Err(input_error(match var {
            Some(v) => format!("Variable \"${v}\" of non-null type \"String!\" must not be null."),
            None => format!("Argument \"{arg}\" of non-null type \"String!\" must not be null."),
        })),
        other => Err(input_error(format!(
            "String cannot represent a non string value: {other}"
        ))),
    }
}

/// `uploadFilesFieldFile` / `uploadFilesFieldFileByUniversalIdentifier` (2.19).
fn files_field(ws: &mut Workspace, root: &RootField, uploads: &Uploads) -> Value {
    let by_uid = root.name == FILES_FIELD_BY_UID;
    let id_arg = if by_uid {
        "fieldMetadataUniversalIdentifier"
    } else {
        "fieldMetadataId"
    };
    if root.selection.0.is_empty() {
        return must_select(&root.name, "FileWithSignedUrl!");
    }
    if let Err(e) = check_leaves(
        &root.selection,
        "FileWithSignedUrl",
        &[
            ("id", "UUID!"),
            ("path", "String!"),
            ("size", "Float!"),
            ("createdAt", "DateTime!"),
            ("url", "String!"),
        ],
    ) {
        return e;
    }
    if let Err(e) = check_args(
        root,
        &[("file", "Upload!", true), (id_arg, "String!", true)],
    ) {
        return e;
    }
    let key = match string_arg(root, id_arg) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let part = match upload_arg(root, uploads) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let field = if by_uid {
        FieldRef::UniversalIdentifier(&key)
    } else {
        FieldRef::Id(&key)
    };
    match ws.upload_files_field_file(part, field) {
        Ok(file) => json!({"data": {root.key.clone(): project(&file, &root.selection)}}),
        Err(e) => resolver_error(root, e),
    }
}

/// `FileFolder` (1.5 `file-folder.interface.ts`): GraphQL enum names → stored folder names.
const FILE_FOLDERS: &[(&str, &str)] = &[
    ("ProfilePicture", "profile-picture"),
    ("WorkspaceLogo", "workspace-logo"),
    ("Attachment", "attachment"),
    ("PersonPicture", "person-picture"),
    ("ServerlessFunction", "serverless-function"),
    ("File", "file"),
];

/// `uploadFile(file, fileFolder)` (1.5).
fn legacy(ws: &mut Workspace, root: &RootField, uploads: &Uploads) -> Value {
    if root.selection.0.is_empty() {
        return must_select(&root.name, "SignedFileDTO!");
    }
    if let Err(e) = check_leaves(
        &root.selection,
        "SignedFileDTO",
        &[("path", "String!"), ("token", "String!")],
    ) {
        return e;
    }
    if let Err(e) = check_args(
        root,
        &[
            ("file", "Upload!", true),
            ("fileFolder", "FileFolder", false),
        ],
    ) {
        return e;
    }
    let folder = match root.args.get("fileFolder") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => match FILE_FOLDERS.iter().find(|(n, _)| n == name) {
            Some((_, folder)) => Some(*folder),
            None => {
                let text = format!("Value \"{name}\" does not exist in \"FileFolder\" enum.");
                return input_error(match root.variables.get("fileFolder") {
                    Some(v) => format!("Variable \"${v}\" got invalid value \"{name}\"; {text}"),
                    None => text,
                });
            }
        },
        Some(other) => {
            return graphql_error(
                format!("Enum \"FileFolder\" cannot represent non-string value: {other}."),
                "BAD_USER_INPUT",
            );
        }
    };
    let part = match upload_arg(root, uploads) {
        Ok(p) => p,
        Err(e) => return e,
    };
    match ws.upload_legacy(part, folder) {
        Ok(file) => json!({"data": {root.key.clone(): project(&file, &root.selection)}}),
        Err(e) => resolver_error(root, e),
    }
}
