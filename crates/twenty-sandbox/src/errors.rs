//! API errors and the exact bodies Twenty answers with.
//!
//! Messages marked "recorded" are copied from the live recordings; the others follow the body
//! shape of the contract doc §1.7 (`{statusCode, error, messages[]}`) with a message of our own.

use serde_json::{Value, json};

use crate::profile::{Profile, ProfileKind};

/// An error answer: HTTP status, JSON body and optional extra headers.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// JSON body sent as is.
    pub body: Value,
    /// Extra response headers (none of the recorded errors has one).
    pub headers: Vec<(&'static str, String)>,
}

/// Result alias used by the request handlers.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A `{statusCode, error, messages}` body.
    pub fn new(status: u16, error: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({"statusCode": status, "error": error, "messages": [message.into()]}),
            headers: Vec::new(),
        }
    }

    /// Adds a `code` to the body.
    pub fn with_code(mut self, code: &str) -> Self {
        if let Some(map) = self.body.as_object_mut() {
            map.insert("code".into(), json!(code));
        }
        self
    }

    /// A 400 `BadRequestException`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(400, "BadRequestException", message)
    }

    /// The first message of the body (for logs and GraphQL errors).
    pub fn message(&self) -> String {
        self.body
            .get("messages")
            .and_then(|m| m.get(0))
            .or_else(|| self.body.get("message"))
            .and_then(Value::as_str)
            .unwrap_or("error")
            .to_string()
    }

    /// No `Authorization` header (recorded, both profiles).
    pub fn missing_token() -> Self {
        ApiError {
            status: 403,
            body: json!({"statusCode": 403, "messages": ["Missing authentication token"], "error": "FORBIDDEN_EXCEPTION"}),
            headers: Vec::new(),
        }
    }

    /// Wrong API key (recorded on 2.x).
    pub fn invalid_token() -> Self {
        ApiError {
            status: 401,
            body: json!({"statusCode": 401, "messages": ["Token invalid."], "error": "UNAUTHENTICATED"}),
            headers: Vec::new(),
        }
    }

    /// Rate limited (recorded on 2.19, `shared/twenty-live-2x/2026-12/rate-limit-429.json`): the
    /// message names the bucket that refused; no `Retry-After` header (Nest's plain
    /// `HttpException(message, 429)` thrown by `throttlerToRestApiExceptionHandler`).
    pub fn rate_limited(tokens: u32, window_ms: u128) -> Self {
        ApiError::new(
            429,
            "HttpException",
            format!("Limit reached ({tokens} tokens per {window_ms} ms)"),
        )
    }

    /// Unknown field in a write (recorded per profile).
    pub fn unknown_field(p: &Profile, object: &str, field: &str) -> Self {
        match p.kind {
            ProfileKind::Twenty2 => ApiError::bad_request(format!(
                "Object {object} doesn't have any \"{field}\" field."
            )),
            ProfileKind::Twenty15 => ApiError::new(
                400,
                "Error",
                format!(
                    "Field metadata for field \"{field}\" is missing in object metadata {object}"
                ),
            ),
        }
    }

    /// A value that is not one of the options of a SELECT/MULTI_SELECT field (recorded).
    pub fn bad_option(
        p: &Profile,
        object: &str,
        field: &str,
        value: &str,
        valid: &[String],
    ) -> Self {
        match p.kind {
            ProfileKind::Twenty2 => ApiError::bad_request(format!(
                "Invalid value \"{value}\" for field \"{field}\". Valid values are: {}",
                valid.join(", ")
            )),
            ProfileKind::Twenty15 => ApiError::bad_request(format!(
                "invalid input value for enum {}.{object}_{field}_enum: \"{value}\"",
                p.workspace_schema
            )),
        }
    }

    /// A date that is not ISO-8601 (recorded: 2.x answers 400, 1.5 lets Postgres fail with 500).
    pub fn bad_date(p: &Profile, field: &str, value: &str, date_only: bool) -> Self {
        match p.kind {
            ProfileKind::Twenty2 => {
                let (kind, fmt) = if date_only {
                    ("date", "YYYY-MM-DD")
                } else {
                    ("date-time", "YYYY-MM-DDTHH:mm:ssZ")
                };
                ApiError::bad_request(format!(
                    "Invalid value '{value}' for {kind} field \"{field}\". Expected format: '{fmt}'"
                ))
            }
            ProfileKind::Twenty15 => ApiError::new(
                500,
                "InternalServerErrorException",
                format!("date/time field value out of range: \"{value}\""),
            ),
        }
    }

    /// A value of the wrong JSON type (not recorded: message of our own).
    pub fn bad_type(field: &str, expected: &str, value: &Value) -> Self {
        ApiError::bad_request(format!(
            "Invalid value {value} for field \"{field}\": expected {expected}"
        ))
        .with_code("INVALID_ARGS_DATA")
    }

    /// A unique-key violation (recorded per profile).
    pub fn duplicate(p: &Profile, label: &str, value: &str) -> Self {
        match p.kind {
            ProfileKind::Twenty2 => ApiError::bad_request("A duplicate entry was detected"),
            ProfileKind::Twenty15 => ApiError::new(
                400,
                "UserInputError",
                format!("Duplicate {label} with value {value}. Please set a unique one."),
            ),
        }
    }

    /// A second record with an id already taken (soft-deleted rows included: the primary key).
    /// Twenty's duplicate-key handler finds no index metadata for the primary key and answers
    /// its generic message on both lines (1.5: `handle-duplicate-key-error.util.ts`, turned into a
    /// `BadRequestException` by `HttpExceptionHandlerService`; 2.x: recorded for other keys).
    /// Not recorded for the primary key itself.
    pub fn duplicate_primary_key() -> Self {
        ApiError::bad_request("A duplicate entry was detected")
    }

    /// 1.5 REST create of an id held by a live record (recorded,
    /// `shared/twenty-live/2026-12/probe-upsert-second-same-id-400-record-already-exists.json`).
    pub fn record_already_exists() -> Self {
        ApiError::bad_request("Record already exists")
    }

    /// 1.5 REST create whose `id` is not a UUID: the id-exists query fails in Postgres (recorded,
    /// `shared/twenty-live/2026-12/probe-batch-201-invalid-id.json`).
    pub fn postgres_invalid_uuid(value: &str) -> Self {
        ApiError::bad_request(format!("invalid input syntax for type uuid: \"{value}\""))
    }

    /// 2.x create whose `id` is not a UUID (recorded,
    /// `shared/twenty-live-2x/2026-12/capability-probe-batch-400.json`; `assertIsValidUuid`).
    pub fn invalid_query_uuid(value: &str) -> Self {
        ApiError::new(
            400,
            "Error",
            format!("Value \"{value}\" is not a valid UUID"),
        )
        .with_code("INVALID_QUERY_INPUT")
    }

    /// A batch larger than the cap (recorded on 2.x).
    pub fn too_many_records(max: usize) -> Self {
        ApiError::bad_request(format!("Maximum number of records to upsert is {max}."))
    }

    /// A filter-based mass mutation (GraphQL `deleteXs`, `destroyXs`, `restoreXs`) affecting more
    /// records than `MUTATION_MAXIMUM_AFFECTED_RECORDS` (contract doc §1.6 and §1.8: default
    /// 100). The exact text Twenty answers is not recorded (the contract doc gives none):
    /// message of our own, naming the limit.
    pub fn too_many_affected(max: usize, count: usize) -> Self {
        ApiError::bad_request(format!(
            "{count} records match the filter: at most {max} records can be affected by one mutation (MUTATION_MAXIMUM_AFFECTED_RECORDS)"
        ))
    }

    /// One upsert row matching two different records (contract doc §2.3; message of our own).
    pub fn upsert_multiple_matches() -> Self {
        ApiError::bad_request(
            "Multiple records found matching the upsert criteria of one input record: cannot decide which one to update",
        )
        .with_code("UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT")
    }

    /// An id that is not a UUID (recorded).
    pub fn invalid_uuid(value: &str) -> Self {
        ApiError::bad_request(format!("'{value}' is not a valid UUID"))
    }

    /// A path that is not a REST route (recorded).
    pub fn invalid_path(path: &str) -> Self {
        ApiError::bad_request(format!(
            "Query path '{path}' invalid. Valid examples: /rest/companies/id or /rest/companies or /rest/batch/companies"
        ))
    }

    /// A record id that does not exist (not recorded: message of our own).
    pub fn record_not_found(p: &Profile, id: &str) -> Self {
        match p.kind {
            ProfileKind::Twenty2 => ApiError::new(404, "NotFoundException", "Record not found")
                .with_code("RECORD_NOT_FOUND"),
            ProfileKind::Twenty15 => ApiError::new(
                400,
                "EntityNotFoundError",
                format!("Could not find any entity with id \"{id}\""),
            ),
        }
    }

    /// A foreign key that points to no record (not recorded: Postgres-like message).
    pub fn foreign_key(object: &str, column: &str, id: &str) -> Self {
        ApiError::bad_request(format!(
            "insert or update on table \"{object}\" violates foreign key constraint on \"{column}\": key ({column})=({id}) is not present"
        ))
    }

    /// 2.x refuses API-key writes to workspace members (recorded).
    pub fn permission_denied() -> Self {
        ApiError::new(
            400,
            "Error",
            "Entity performing the request does not have permission",
        )
        .with_code("PERMISSION_DENIED")
    }

    /// An injected server fault (`--faults`).
    pub fn fault(status: u16) -> Self {
        let error = match status {
            502 => "BadGatewayException",
            503 => "ServiceUnavailableException",
            504 => "GatewayTimeoutException",
            _ => "InternalServerErrorException",
        };
        ApiError::new(status, error, "Injected fault (twenty-sandbox --faults)")
    }
}
