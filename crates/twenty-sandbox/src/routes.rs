//! REST routing: path → operation → answer body, with Twenty's answer keys and statuses.
//!
//! The transport (auth, rate limits, faults, connections) is in [`crate::server`]; this module
//! only maps a request to the workspace and shapes the JSON answer like the recordings:
//! `data.createCompanies`, `data.companies` + `pageInfo` + `totalCount`, `data.company`,
//! `data.updateCompany`, `data.deleteCompany`, `data.restoreNotes`, `data.createOneField`…

use serde_json::{Map, Value, json};

use crate::errors::{ApiError, ApiResult};
use crate::profile::ProfileKind;
use crate::workspace::{ListParams, Workspace};

/// Decoded query string.
#[derive(Debug, Default, Clone)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses `a=1&b=x%20y` (percent-decoding, `+` as space like Express).
    pub fn parse(raw: &str) -> Query {
        Query(
            raw.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (percent_decode(k), percent_decode(v))
                })
                .collect(),
        )
    }

    /// First value of a parameter.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the query string is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Percent-decodes a query component.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the server does with a routed request.
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Value,
}

/// `{"data": {key: value}}`, moving `value` (the `json!` macro would copy it by serializing).
fn data_answer(key: impl Into<String>, value: Value) -> Value {
    let mut inner = Map::new();
    inner.insert(key.into(), value);
    let mut outer = Map::new();
    outer.insert("data".into(), Value::Object(inner));
    Value::Object(outer)
}

fn ok(status: u16, body: Value) -> ApiResult<Answer> {
    Ok(Answer { status, body })
}

fn parse_body(body: &[u8]) -> ApiResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))
}

fn depth(q: &Query) -> ApiResult<u8> {
    match q.get("depth") {
        None | Some("") => Ok(0),
        Some(d) => match d.parse::<u8>() {
            Ok(n) if n <= 2 => Ok(n.min(1)),
            _ => Err(ApiError::bad_request(format!(
                "Depth '{d}' is invalid: use 0 or 1"
            ))),
        },
    }
}

/// Routing options that come from the command line.
#[derive(Debug, Clone, Copy)]
pub struct RouteOptions {
    /// Effective batch cap (`--batch-max` or the profile's).
    pub batch_max: Option<usize>,
    /// Effective cap of records a GraphQL filter-based mass mutation may affect (`--mutation-max`
    /// or the profile's).
    pub mutation_max: Option<usize>,
}

/// Dispatches one authenticated `/rest/…` request.
pub fn dispatch(
    ws: &mut Workspace,
    opts: RouteOptions,
    method: &str,
    path: &str,
    query: &Query,
    body: &[u8],
) -> ApiResult<Answer> {
    let rest = path.trim_end_matches('/');
    let segments: Vec<&str> = rest
        .strip_prefix("/rest")
        .unwrap_or("")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segments.as_slice() {
        ["metadata", rest @ ..] => metadata(ws, method, rest, query, body),
        ["open-api", _] => Err(ApiError::new(
            404,
            "NotFoundException",
            "The OpenAPI documents are not served by twenty-sandbox",
        )),
        ["batch", plural] if method == "POST" => {
            let object = ws.object(plural)?;
            let Value::Array(items) = parse_body(body)? else {
                return Err(ApiError::bad_request("Body must be an array"));
            };
            if items.is_empty() {
                return Err(ApiError::bad_request("Input must not be empty"));
            }
            ws.check_new_ids(&object, &items, true)?;
            let upsert = ws.profile.rest_upsert && query.get("upsert") == Some("true");
            let created = ws.create_many_capped(plural, &items, upsert, opts.batch_max)?;
            ok(
                201,
                data_answer(
                    format!("create{}", object.plural_capitalized()),
                    Value::Array(created),
                ),
            )
        }
        ["restore", plural] if method == "PATCH" => {
            let object = ws.object(plural)?;
            let restored = ws.restore_many(plural, query.get("filter"))?;
            ok(
                200,
                data_answer(
                    format!("restore{}", object.plural_capitalized()),
                    Value::Array(restored),
                ),
            )
        }
        [plural, id, "restore"] if method == "PATCH" => {
            ws.object(plural)?;
            // Recorded on 2.19: the path parser glues the tail onto the id.
            Err(ApiError::invalid_uuid(&format!("{id}ore")))
        }
        [plural] => match method {
            "GET" => {
                let key = ws.object_ref(plural)?.name_plural.clone();
                let params = ListParams {
                    limit: query.get("limit").map(String::from),
                    order_by: query.get("order_by").map(String::from),
                    filter: query.get("filter").map(String::from),
                    starting_after: query.get("starting_after").map(String::from),
                    ending_before: query.get("ending_before").map(String::from),
                    depth: depth(query)?,
                };
                let page = ws.list(plural, &params)?;
                let mut body = match data_answer(key, Value::Array(page.records)) {
                    Value::Object(m) => m,
                    _ => Map::new(),
                };
                match ws.profile.kind {
                    ProfileKind::Twenty2 => {
                        body.insert("totalCount".into(), json!(page.total_count));
                        body.insert(
                            "pageInfo".into(),
                            json!({
                                "startCursor": page.start_cursor,
                                "endCursor": page.end_cursor,
                                "hasNextPage": page.has_next_page,
                                "hasPreviousPage": page.has_previous_page,
                            }),
                        );
                    }
                    ProfileKind::Twenty15 => {
                        body.insert(
                            "pageInfo".into(),
                            json!({
                                "hasNextPage": page.has_next_page,
                                "startCursor": page.start_cursor,
                                "endCursor": page.end_cursor,
                            }),
                        );
                        body.insert("totalCount".into(), json!(page.total_count));
                    }
                }
                ok(200, Value::Object(body))
            }
            "POST" => {
                let object = ws.object(plural)?;
                let input = parse_body(body)?;
                if !input.is_object() {
                    return Err(ApiError::bad_request("Body must be a JSON object"));
                }
                ws.check_new_ids(&object, std::slice::from_ref(&input), true)?;
                let upsert = ws.profile.rest_upsert && query.get("upsert") == Some("true");
                let mut created = ws.create_many(plural, &[input], upsert)?;
                ok(
                    201,
                    data_answer(
                        format!("create{}", object.singular_capitalized()),
                        created.pop().unwrap_or(Value::Null),
                    ),
                )
            }
            _ => {
                ws.object_ref(plural)?;
                Err(method_not_allowed(method, path))
            }
        },
        [plural, id] if !matches!(*plural, "batch" | "restore") => {
            let object = ws.object(plural)?;
            if uuid::Uuid::parse_str(id).is_err() {
                return Err(ApiError::invalid_uuid(id));
            }
            let id = id.to_lowercase();
            match method {
                "GET" => {
                    let rec = ws.get_one(plural, &id, depth(query)?)?;
                    ok(200, data_answer(object.name_singular.clone(), rec))
                }
                "PATCH" | "PUT" => {
                    let input = parse_body(body)?;
                    if !input.is_object() {
                        return Err(ApiError::bad_request("Body must be a JSON object"));
                    }
                    let rec = ws.update_one(plural, &id, &input)?;
                    ok(
                        200,
                        data_answer(format!("update{}", object.singular_capitalized()), rec),
                    )
                }
                "DELETE" => {
                    let soft = query.get("soft_delete") == Some("true");
                    let rec = ws.delete_one(plural, &id, soft)?;
                    ok(
                        200,
                        data_answer(format!("delete{}", object.singular_capitalized()), rec),
                    )
                }
                _ => Err(method_not_allowed(method, path)),
            }
        }
        _ => Err(ApiError::invalid_path(path)),
    }
}

fn method_not_allowed(method: &str, path: &str) -> ApiError {
    ApiError::new(
        405,
        "MethodNotAllowedException",
        format!("Cannot {method} {path}"),
    )
}

fn metadata(
    ws: &mut Workspace,
    method: &str,
    segments: &[&str],
    query: &Query,
    body: &[u8],
) -> ApiResult<Answer> {
    match (method, segments) {
        ("GET", ["objects"]) => {
            if ws.profile.metadata_list_rejects_query && !query.is_empty() {
                return Err(ApiError::bad_request(
                    "Query parameters are not supported on this metadata route",
                ));
            }
            ok(200, ws.objects_json())
        }
        ("POST", ["objects"]) => {
            let created = ws.create_object(&parse_body(body)?)?;
            ok(201, data_answer("createOneObject", created))
        }
        ("GET", ["objects", id]) => {
            let object = ws.schema.by_id(id).cloned().ok_or_else(|| {
                ApiError::new(404, "NotFoundException", "Object metadata not found")
            })?;
            ok(200, data_answer("object", ws.object_json(&object)))
        }
        ("PATCH", ["objects", id]) => {
            let updated = ws.update_object(id, &parse_body(body)?)?;
            ok(200, data_answer("updateOneObject", updated))
        }
        ("DELETE", ["objects", id]) => {
            let deleted = ws.delete_object(id)?;
            ok(200, data_answer("deleteOneObject", deleted))
        }
        // Bare answers of Twenty's `WebhookController` (see `crate::webhooks`).
        ("GET", ["webhooks"]) => ok(200, ws.list_webhooks()),
        ("POST", ["webhooks"]) => ok(201, ws.create_webhook(&parse_body(body)?)?),
        ("GET", ["webhooks", id]) => ok(200, ws.get_webhook(id)),
        ("DELETE", ["webhooks", id]) => ok(200, ws.delete_webhook(id)?),
        ("GET", ["fields"]) => ok(200, ws.fields_json()),
        ("POST", ["fields"]) => {
            let created = ws.create_field(&parse_body(body)?)?;
            ok(201, data_answer("createOneField", created))
        }
        ("GET", ["fields", id]) => {
            let (o, f) = ws.schema.field_by_id(id).ok_or_else(|| {
                ApiError::new(404, "NotFoundException", "Field metadata not found")
            })?;
            let meta = ws
                .schema
                .by_singular(&o)
                .and_then(|o| o.field(&f))
                .map(|f| f.meta.clone())
                .unwrap_or(Value::Null);
            ok(200, data_answer("field", meta))
        }
        ("PATCH", ["fields", id]) => {
            let updated = ws.update_field(id, &parse_body(body)?)?;
            ok(200, data_answer("updateOneField", updated))
        }
        ("DELETE", ["fields", id]) => {
            let deleted = ws.delete_field(id)?;
            ok(200, data_answer("deleteOneField", deleted))
        }
        _ => Err(ApiError::new(
            404,
            "NotFoundException",
            format!("Cannot {method} /rest/metadata/{}", segments.join("/")),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_queries_like_express() {
        let q = Query::parse(
            "filter=domainName.primaryLinkUrl%5Beq%5D:%22https://a.com%22&limit=2&x=a+b",
        );
        assert_eq!(
            q.get("filter"),
            Some("domainName.primaryLinkUrl[eq]:\"https://a.com\"")
        );
        assert_eq!(q.get("limit"), Some("2"));
        assert_eq!(q.get("x"), Some("a b"));
        assert_eq!(q.get("nope"), None);
        assert_eq!(percent_decode("100%"), "100%");
    }
}
