//! Errors of the client and the parsing of Twenty's error bodies (1.5, 2.x, metadata, GraphQL).

use serde_json::Value;

/// Everything a Twenty call can fail with. No variant ever contains the API key.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Connection refused, DNS failure, TLS failure: the server could not be reached at all.
    #[error("cannot reach the Twenty server at {url_host}: {detail}")]
    Unreachable {
        /// `host:port` that was tried.
        url_host: String,
        /// What went wrong, in one sentence.
        detail: String,
    },
    /// 401/403: the key was refused.
    #[error(
        "the API key was refused by the server (HTTP {status}: {message}); check that the key is \
         current, belongs to this workspace and was copied whole (Settings → APIs & Webhooks)"
    )]
    Auth {
        /// HTTP status (401 or 403).
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The server refused the payload (400, 404, 422…). Never retried.
    #[error("the server refused the request (HTTP {status}{}): {}", code.as_deref().map(|c| format!(", {c}")).unwrap_or_default(), messages.join("; "))]
    Rejected {
        /// HTTP status.
        status: u16,
        /// Messages of the error body (at least one).
        messages: Vec<String>,
        /// Twenty's `code` (e.g. `PERMISSION_DENIED`, `INVALID_FIELD_INPUT`) or the `error` name.
        code: Option<String>,
    },
    /// Too many records in one batch ("Maximum number of records to upsert is 200.").
    #[error("the batch is too large for this server: {message}")]
    TooLarge {
        /// The cap announced by the server, when the message gives it.
        max: Option<usize>,
        /// The server's message.
        message: String,
    },
    /// A unique key (id, e-mail, domain, custom unique field) is already taken.
    #[error("duplicate record: {message}")]
    Duplicate {
        /// The server's message (2.x says only "A duplicate entry was detected").
        message: String,
    },
    /// 429 / 5xx / timeouts / dropped connections went on for every allowed retry.
    #[error("the server kept failing, giving up after all retries; last failure: {last}")]
    RetriesExhausted {
        /// The last failure.
        last: String,
    },
    /// The base URL is unusable (syntax, plain http to a non-loopback host…).
    #[error("bad Twenty URL: {0}")]
    BadUrl(String),
    /// An answer that does not look like Twenty's (not JSON, unexpected shape, redirect…).
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
    /// The API key could not be read or is empty.
    #[error("bad API key: {0}")]
    BadKey(String),
    /// A file to upload could not be read from disk.
    #[error("cannot read {path}: {detail}")]
    File {
        /// The file's path.
        path: String,
        /// What went wrong.
        detail: String,
    },
}

impl ApiError {
    /// True for [`ApiError::Duplicate`].
    pub fn is_duplicate(&self) -> bool {
        matches!(self, ApiError::Duplicate { .. })
    }

    /// True when the record/path was not found (2.x 404 or 1.5 `EntityNotFoundError`).
    pub fn is_not_found(&self) -> bool {
        match self {
            ApiError::Rejected {
                status,
                messages,
                code,
            } => {
                *status == 404
                    || code.as_deref().is_some_and(|c| {
                        c == "RECORD_NOT_FOUND" || c == "EntityNotFoundError" || c == "NOT_FOUND"
                    })
                    || messages.iter().any(|m| {
                        let l = m.to_ascii_lowercase();
                        l.contains("could not find any entity") || l.contains("record not found")
                    })
            }
            _ => false,
        }
    }

    /// Replaces every occurrence of `secret` in the error's texts by `***`.
    pub(crate) fn redacted(self, secret: &str) -> ApiError {
        if secret.is_empty() {
            return self;
        }
        let r = |s: String| -> String {
            if s.contains(secret) {
                s.replace(secret, "***")
            } else {
                s
            }
        };
        match self {
            ApiError::Unreachable { url_host, detail } => ApiError::Unreachable {
                url_host: r(url_host),
                detail: r(detail),
            },
            ApiError::Auth { status, message } => ApiError::Auth {
                status,
                message: r(message),
            },
            ApiError::Rejected {
                status,
                messages,
                code,
            } => ApiError::Rejected {
                status,
                messages: messages.into_iter().map(r).collect(),
                code: code.map(r),
            },
            ApiError::TooLarge { max, message } => ApiError::TooLarge {
                max,
                message: r(message),
            },
            ApiError::Duplicate { message } => ApiError::Duplicate {
                message: r(message),
            },
            ApiError::RetriesExhausted { last } => ApiError::RetriesExhausted { last: r(last) },
            ApiError::BadUrl(s) => ApiError::BadUrl(r(s)),
            ApiError::Protocol(s) => ApiError::Protocol(r(s)),
            ApiError::BadKey(s) => ApiError::BadKey(r(s)),
            ApiError::File { path, detail } => ApiError::File {
                path,
                detail: r(detail),
            },
        }
    }
}

/// Messages and code of an error body, whatever its shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ErrorBody {
    pub messages: Vec<String>,
    pub code: Option<String>,
}

/// Parses Twenty error bodies:
/// - REST (both versions): `{statusCode, error, messages: [..], code?}`;
/// - Nest default: `{statusCode, message: ".." | [..], error}`;
/// - 2.x metadata validation: `{error: "METADATA_VALIDATION_ERROR", message,
///   errors: {fieldMetadata: [{errors: [{code, message}]}]}}`;
/// - GraphQL: `{errors: [{message, extensions: {code}}]}`.
pub(crate) fn parse_error_body(body: &Value) -> ErrorBody {
    let mut out = ErrorBody::default();
    let push = |out: &mut ErrorBody, v: &Value| match v {
        Value::String(s) if !s.trim().is_empty() => out.messages.push(s.trim().to_string()),
        Value::Array(items) => {
            for i in items {
                if let Some(s) = i.as_str().filter(|s| !s.trim().is_empty()) {
                    out.messages.push(s.trim().to_string());
                }
            }
        }
        _ => {}
    };
    match body.get("errors") {
        // GraphQL
        Some(Value::Array(errs)) => {
            for e in errs {
                if let Some(m) = e.get("message") {
                    push(&mut out, m);
                }
                if out.code.is_none() {
                    out.code = e
                        .pointer("/extensions/code")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                }
            }
        }
        // 2.x metadata validation
        Some(Value::Object(groups)) => {
            for entries in groups.values() {
                for entry in entries.as_array().into_iter().flatten() {
                    for inner in entry
                        .get("errors")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(m) = inner
                            .get("message")
                            .or_else(|| inner.get("userFriendlyMessage"))
                        {
                            push(&mut out, m);
                        }
                        if out.code.is_none() {
                            out.code = inner
                                .get("code")
                                .and_then(Value::as_str)
                                .map(str::to_string);
                        }
                    }
                }
            }
        }
        _ => {}
    }
    if out.messages.is_empty() {
        if let Some(m) = body.get("messages") {
            push(&mut out, m);
        }
        if let Some(m) = body.get("message") {
            push(&mut out, m);
        }
    }
    if out.code.is_none() {
        out.code = body
            .get("code")
            .and_then(Value::as_str)
            .or_else(|| body.get("error").and_then(Value::as_str))
            .map(str::to_string);
    }
    out
}

/// True for the duplicate messages of 2.x ("A duplicate entry was detected"), 1.5
/// ("Duplicate Domain Name with value … Please set a unique one."; "Record already exists" when
/// a REST create carries an id the workspace holds, recorded from a live 1.5 server) and
/// Postgres.
pub(crate) fn is_duplicate_message(m: &str) -> bool {
    let l = m.to_ascii_lowercase();
    l.contains("duplicate entry")
        || l.contains("record already exists")
        || l.contains("duplicate key")
        || l.contains("unique constraint")
        || l.contains("please set a unique one")
        || (l.starts_with("duplicate ") && l.contains(" with value "))
}

/// The cap in "Maximum number of records to upsert is 200.", when present.
pub(crate) fn too_large_max(m: &str) -> Option<Option<usize>> {
    let l = m.to_ascii_lowercase();
    if !l.contains("maximum number of records") {
        return None;
    }
    let digits: String = l
        .rsplit(" is ")
        .next()
        .unwrap_or_default()
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    Some(digits.parse().ok())
}

/// The budget a 429 names: "Limit reached (100 tokens per 60000 ms)" (a live 2.19, which sends
/// no `Retry-After`) → (100, 60 s).
pub(crate) fn rate_budget(m: &str) -> Option<(u32, std::time::Duration)> {
    let l = m.to_ascii_lowercase();
    let rest = &l[l.find("limit reached")? + "limit reached".len()..];
    let mut numbers = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .map(str::parse::<u64>);
    let tokens = u32::try_from(numbers.next()?.ok()?).ok()?;
    let ms = numbers.next()?.ok()?;
    (tokens > 0 && ms > 0 && rest.contains("tokens per") && rest.contains("ms"))
        .then(|| (tokens, std::time::Duration::from_millis(ms)))
}

/// A 5xx whose message shows a deterministic data error (1.5 answers a bad date with a 500
/// "date/time field value out of range"): replaying it cannot succeed.
pub(crate) fn is_deterministic_server_error(messages: &[String]) -> bool {
    messages.iter().any(|m| {
        let l = m.to_ascii_lowercase();
        l.contains("out of range")
            || l.contains("invalid input syntax")
            || l.contains("violates")
            || l.contains("invalid input value for enum")
            // A file 2.x refuses: a live 2.19 answers these as INTERNAL_SERVER_ERROR
            // (docs/evidence/live-2x/upload-*.json); sending the same bytes again cannot help.
            || l.contains("does not match its extension")
            || l.contains("must have an extension")
    })
}

/// Builds the error for a final (non-retried) HTTP status with a parsed body.
pub(crate) fn error_for_status(status: u16, body: &ErrorBody) -> ApiError {
    let first = body
        .messages
        .first()
        .cloned()
        .unwrap_or_else(|| format!("HTTP {status} without a message"));
    if status == 401 || status == 403 {
        return ApiError::Auth {
            status,
            message: first,
        };
    }
    if status == 413 {
        return ApiError::TooLarge {
            max: body
                .messages
                .iter()
                .find_map(|m| too_large_max(m))
                .flatten(),
            message: first,
        };
    }
    if let Some(max) = body.messages.iter().find_map(|m| too_large_max(m)) {
        return ApiError::TooLarge {
            max,
            message: first,
        };
    }
    if let Some(m) = body.messages.iter().find(|m| is_duplicate_message(m)) {
        return ApiError::Duplicate { message: m.clone() };
    }
    ApiError::Rejected {
        status,
        messages: if body.messages.is_empty() {
            vec![first]
        } else {
            body.messages.clone()
        },
        code: body.code.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_rest_shapes() {
        let b = parse_error_body(
            &json!({"statusCode": 400, "error": "BadRequestException", "messages": ["Maximum number of records to upsert is 200."]}),
        );
        assert_eq!(
            b.messages,
            vec!["Maximum number of records to upsert is 200."]
        );
        assert_eq!(b.code.as_deref(), Some("BadRequestException"));
        match error_for_status(400, &b) {
            ApiError::TooLarge { max, .. } => assert_eq!(max, Some(200)),
            e => panic!("{e:?}"),
        }
        let b = parse_error_body(
            &json!({"statusCode": 400, "error": "Error", "messages": ["Entity performing the request does not have permission"], "code": "PERMISSION_DENIED"}),
        );
        assert_eq!(b.code.as_deref(), Some("PERMISSION_DENIED"));
        assert!(matches!(
            error_for_status(400, &b),
            ApiError::Rejected { status: 400, .. }
        ));
    }

    #[test]
    fn duplicates_both_versions() {
        for m in [
            "A duplicate entry was detected",
            "Duplicate Domain Name with value https://x.org. Please set a unique one.",
            "duplicate key value violates unique constraint \"IDX\"",
            // real 1.5, a REST create with an id already in the workspace
            "Record already exists",
        ] {
            let b = parse_error_body(&json!({"statusCode": 400, "messages": [m]}));
            assert!(error_for_status(400, &b).is_duplicate(), "{m}");
        }
    }

    #[test]
    fn metadata_validation_shape() {
        let body = json!({"statusCode": 400, "error": "METADATA_VALIDATION_ERROR", "message": "Multiple validation errors occurred while creating fields",
            "errors": {"fieldMetadata": [{"status": "fail", "errors": [{"code": "INVALID_FIELD_INPUT", "message": "Name is not valid", "value": "Bad Name!"}]}]}});
        let b = parse_error_body(&body);
        assert_eq!(b.messages, vec!["Name is not valid"]);
        assert_eq!(b.code.as_deref(), Some("INVALID_FIELD_INPUT"));
        let b = parse_error_body(
            &json!({"statusCode": 400, "messages": ["Bad Name! should be in camelCase"], "error": "Bad Request"}),
        );
        assert_eq!(b.messages, vec!["Bad Name! should be in camelCase"]);
    }

    #[test]
    fn graphql_and_nest_shapes() {
        let b = parse_error_body(
            &json!({"errors": [{"message": "boom", "extensions": {"code": "BAD_USER_INPUT"}}], "data": null}),
        );
        assert_eq!(b.messages, vec!["boom"]);
        assert_eq!(b.code.as_deref(), Some("BAD_USER_INPUT"));
        let b = parse_error_body(
            &json!({"statusCode": 400, "message": ["a", "b"], "error": "Bad Request"}),
        );
        assert_eq!(b.messages, vec!["a", "b"]);
        let e = error_for_status(
            401,
            &parse_error_body(
                &json!({"statusCode": 401, "messages": ["Token invalid."], "error": "UNAUTHENTICATED"}),
            ),
        );
        assert!(matches!(e, ApiError::Auth { status: 401, .. }));
        assert!(e.to_string().contains("API key was refused"));
    }

    #[test]
    fn rate_budget_of_the_recorded_429() {
        // shared/twenty-live-2x/2026-12/rate-limit-429.json
        assert_eq!(
            rate_budget("Limit reached (100 tokens per 60000 ms)"),
            Some((100, std::time::Duration::from_secs(60)))
        );
        assert_eq!(
            rate_budget("Limit reached (5 tokens per 1000 ms)"),
            Some((5, std::time::Duration::from_secs(1)))
        );
        for other in [
            "Too many requests.",
            "Limit reached",
            "Limit reached (0 tokens per 60000 ms)",
            "ThrottlerException: Too Many Requests",
        ] {
            assert_eq!(rate_budget(other), None, "{other}");
        }
    }

    #[test]
    fn not_found_and_redaction() {
        let e = ApiError::Rejected {
            status: 400,
            messages: vec!["Could not find any entity with id \"x\"".into()],
            code: Some("EntityNotFoundError".into()),
        };
        assert!(e.is_not_found());
        let e = ApiError::Protocol("key sekret leaked".into()).redacted("sekret");
        assert_eq!(
            e.to_string(),
            "unexpected answer from the server: key *** leaked"
        );
        assert!(is_deterministic_server_error(&[
            "date/time field value out of range: \"31/12/2024\"".into()
        ]));
        assert_eq!(
            too_large_max("Maximum number of records to upsert is 60"),
            Some(Some(60))
        );
        assert_eq!(
            too_large_max("Maximum number of records exceeded"),
            Some(None)
        );
    }
}
