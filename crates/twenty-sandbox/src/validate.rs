//! Input validation and normalisation of record writes, field by field, as Twenty does it.
//!
//! A write body is checked against the object's schema: unknown fields, wrong JSON types, composite
//! shapes, select options, date formats. Values are normalised the way the server stores them
//! (URL origins lower-cased without trailing slash, e-mails lower-cased, dates in UTC with
//! milliseconds, rich text given as markdown also gets its BlockNote JSON). Composite values come
//! out *partial* (only the sub-fields sent): the engine merges them over the existing or default
//! value, which is how a PATCH with one sub-field behaves.

use serde_json::{Map, Value, json};

use crate::errors::{ApiError, ApiResult};
use crate::profile::Profile;
use crate::schema::{Field, Object, composite_sub_fields};

/// A relation written as `{"company": {"connect": {"where": {…}}}}`, resolved by the engine.
#[derive(Debug, Clone)]
pub struct Connect {
    /// Join column to fill (`companyId`).
    pub join_column: String,
    /// Singular name of the target object.
    pub target: String,
    /// The `where` object: unique field → value.
    pub criteria: Map<String, Value>,
}

/// One validated input row.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// Values by field name / join column; composites are partial.
    pub values: Map<String, Value>,
    /// Relations to resolve by unique key.
    pub connects: Vec<Connect>,
}

/// System fields a client may send but the server fills itself.
const IGNORED_SYSTEM: &[&str] = &["createdBy", "updatedBy", "searchVector"];

/// Validates one record body of a create or update.
pub fn validate_row(p: &Profile, object: &Object, input: &Value) -> ApiResult<Row> {
    let Some(map) = input.as_object() else {
        return Err(ApiError::bad_request(format!(
            "Record of {} must be a JSON object",
            object.name_singular
        )));
    };
    let mut row = Row::default();
    for (key, value) in map {
        if IGNORED_SYSTEM.contains(&key.as_str()) && object.field(key).is_some() {
            continue;
        }
        if let Some(field) = object.field_by_join_column(key) {
            let v = validate_uuid_or_null(field, key, value)?;
            row.values.insert(key.clone(), v);
            continue;
        }
        let Some(field) = object.field(key) else {
            return Err(ApiError::unknown_field(p, &object.name_singular, key));
        };
        if let Some(rel) = &field.relation {
            let (Some(join), Some(target)) = (&rel.join_column, &rel.target) else {
                return Err(ApiError::unknown_field(p, &object.name_singular, key));
            };
            row.connects
                .push(parse_connect(field, join, target, value)?);
            continue;
        }
        let v = validate_value(p, object, field, value)?;
        row.values.insert(key.clone(), v);
    }
    Ok(row)
}

fn parse_connect(field: &Field, join: &str, target: &str, value: &Value) -> ApiResult<Connect> {
    let criteria = value
        .get("connect")
        .and_then(|c| c.get("where"))
        .and_then(Value::as_object)
        .filter(|w| !w.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "Relation field \"{}\" expects {{\"connect\": {{\"where\": {{…}}}}}} or the \"{join}\" column",
                field.name
            ))
        })?;
    Ok(Connect {
        join_column: join.to_string(),
        target: target.to_string(),
        criteria: criteria.clone(),
    })
}

fn validate_uuid_or_null(field: &Field, key: &str, value: &Value) -> ApiResult<Value> {
    match value {
        Value::Null => Ok(Value::Null),
        Value::String(s) if uuid::Uuid::parse_str(s).is_ok() => Ok(json!(s.to_lowercase())),
        Value::String(s) => Err(ApiError::invalid_uuid(s)),
        other => Err(ApiError::bad_type(
            if key.is_empty() { &field.name } else { key },
            "a UUID",
            other,
        )),
    }
}

/// Validates and normalises the value of one non-relation field.
pub fn validate_value(
    p: &Profile,
    object: &Object,
    field: &Field,
    value: &Value,
) -> ApiResult<Value> {
    let name = field.name.as_str();
    if value.is_null() {
        return Ok(Value::Null);
    }
    let t = field.field_type.as_str();
    match t {
        "TEXT" => expect_string(name, value).map(|s| json!(s)),
        "NUMBER" | "POSITION" => match value {
            Value::Number(_) => Ok(value.clone()),
            _ => Err(ApiError::bad_type(name, "a number", value)),
        },
        "NUMERIC" => match value {
            Value::Number(_) => Ok(value.clone()),
            Value::String(s) if s.trim().parse::<f64>().is_ok() => Ok(value.clone()),
            _ => Err(ApiError::bad_type(name, "a number", value)),
        },
        "BOOLEAN" => match value {
            Value::Bool(_) => Ok(value.clone()),
            _ => Err(ApiError::bad_type(name, "a boolean", value)),
        },
        "UUID" => validate_uuid_or_null(field, name, value),
        "DATE_TIME" => {
            let s = expect_string(name, value)?;
            parse_date_time(s)
                .map(|v| json!(v))
                .ok_or_else(|| ApiError::bad_date(p, name, s, false))
        }
        "DATE" => {
            let s = expect_string(name, value)?;
            s.parse::<jiff::civil::Date>()
                .map(|d| json!(d.to_string()))
                .map_err(|_| ApiError::bad_date(p, name, s, true))
        }
        "SELECT" | "RATING" => {
            let s = expect_string(name, value)?;
            check_option(p, object, field, s)?;
            Ok(json!(s))
        }
        "MULTI_SELECT" => {
            let Value::Array(items) = value else {
                return Err(ApiError::bad_type(name, "an array of option values", value));
            };
            for item in items {
                let s = expect_string(name, item)?;
                check_option(p, object, field, s)?;
            }
            Ok(value.clone())
        }
        "ARRAY" => match value {
            Value::Array(items) if items.iter().all(Value::is_string) => Ok(value.clone()),
            _ => Err(ApiError::bad_type(name, "an array of strings", value)),
        },
        // 2.19's `validateFilesFieldOrThrow` (see `crate::files`); the 1.5 schema has no FILES
        // field (a custom one is taken as given).
        "FILES" if p.kind == crate::profile::ProfileKind::Twenty2 => {
            crate::files::validate_files_value(field, value)
        }
        "RAW_JSON" | "FILES" | "TS_VECTOR" => Ok(value.clone()),
        _ if field.is_composite() => validate_composite(p, object, field, value),
        _ => Ok(value.clone()),
    }
}

fn expect_string<'v>(field: &str, value: &'v Value) -> ApiResult<&'v str> {
    value
        .as_str()
        .ok_or_else(|| ApiError::bad_type(field, "a string", value))
}

fn check_option(p: &Profile, object: &Object, field: &Field, value: &str) -> ApiResult<()> {
    let valid = field.option_values();
    if valid.iter().any(|v| v == value) {
        Ok(())
    } else {
        Err(ApiError::bad_option(
            p,
            &object.name_singular,
            &field.name,
            value,
            &valid,
        ))
    }
}

fn validate_composite(
    p: &Profile,
    object: &Object,
    field: &Field,
    value: &Value,
) -> ApiResult<Value> {
    let subs = composite_sub_fields(&field.field_type).unwrap_or(&[]);
    let Some(map) = value.as_object() else {
        return Err(ApiError::bad_type(&field.name, "an object", value));
    };
    let mut out = Map::new();
    for (key, v) in map {
        let Some((_, kind)) = subs.iter().find(|(n, _)| n == key) else {
            // 2.x phones carry a few more sub-fields (type, extension): accept them as text.
            if field.field_type == "PHONES" && key.starts_with("primaryPhone") {
                out.insert(key.clone(), v.clone());
                continue;
            }
            return Err(ApiError::unknown_field(
                p,
                &object.name_singular,
                &format!("{}.{key}", field.name),
            ));
        };
        let path = format!("{}.{key}", field.name);
        let ok = match (kind, v) {
            (_, Value::Null) => true,
            ('s', Value::String(_)) => true,
            ('n', Value::Number(_)) => true,
            ('n', Value::String(s)) => s.trim().parse::<f64>().is_ok(),
            ('a', Value::Array(_)) => true,
            ('o', _) => true,
            _ => false,
        };
        if !ok {
            let expected = match kind {
                's' => "a string",
                'n' => "a number",
                _ => "an array",
            };
            return Err(ApiError::bad_type(&path, expected, v));
        }
        out.insert(key.clone(), v.clone());
    }
    normalize_composite(&field.field_type, &mut out)?;
    Ok(Value::Object(out))
}

fn normalize_composite(field_type: &str, map: &mut Map<String, Value>) -> ApiResult<()> {
    match field_type {
        "LINKS" => {
            if let Some(Value::String(url)) = map.get("primaryLinkUrl") {
                let n = normalize_url(url);
                map.insert("primaryLinkUrl".into(), json!(n));
            }
            if let Some(Value::Array(links)) = map.get("secondaryLinks") {
                let mut kept = Vec::new();
                for link in links {
                    let Some(obj) = link.as_object() else {
                        return Err(ApiError::bad_type(
                            "secondaryLinks",
                            "an array of {url, label}",
                            link,
                        ));
                    };
                    let url = obj.get("url").and_then(Value::as_str).unwrap_or("");
                    if url.is_empty() {
                        continue; // empty links are removed (contract doc §4)
                    }
                    let mut o = obj.clone();
                    o.insert("url".into(), json!(normalize_url(url)));
                    kept.push(Value::Object(o));
                }
                map.insert("secondaryLinks".into(), Value::Array(kept));
            }
        }
        "EMAILS" => {
            if let Some(Value::String(e)) = map.get("primaryEmail") {
                let lower = e.to_lowercase();
                map.insert("primaryEmail".into(), json!(lower));
            }
            if let Some(Value::Array(list)) = map.get("additionalEmails") {
                if !list.iter().all(Value::is_string) {
                    return Err(ApiError::bad_type(
                        "emails.additionalEmails",
                        "an array of strings",
                        &Value::Array(list.clone()),
                    ));
                }
                let lower: Vec<Value> = list
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| json!(s.to_lowercase()))
                    .collect();
                map.insert("additionalEmails".into(), Value::Array(lower));
            }
        }
        "CURRENCY" => {
            if let Some(Value::String(s)) = map.get("amountMicros")
                && let Ok(n) = s.trim().parse::<f64>()
            {
                map.insert("amountMicros".into(), json!(n as i64));
            }
        }
        "RICH_TEXT" | "RICH_TEXT_V2" => {
            let markdown = map
                .get("markdown")
                .and_then(Value::as_str)
                .map(String::from);
            let blocknote = map
                .get("blocknote")
                .and_then(Value::as_str)
                .map(String::from);
            match (markdown, blocknote) {
                (Some(md), None) => {
                    map.insert("blocknote".into(), json!(markdown_to_blocknote(&md)));
                }
                (None, Some(bn)) => {
                    map.insert("markdown".into(), json!(blocknote_to_markdown(&bn)));
                }
                _ => {}
            }
        }
        _ => {}
    }
    Ok(())
}

/// Lower-cases the scheme and host of a URL and strips one trailing slash (contract doc §4).
pub fn normalize_url(url: &str) -> String {
    let url = url.trim();
    let (scheme, rest) = match url.find("://") {
        Some(i) => (Some(&url[..i]), &url[i + 3..]),
        None => (None, url),
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(host_end);
    let mut out = String::with_capacity(url.len());
    if let Some(s) = scheme {
        out.push_str(&s.to_lowercase());
        out.push_str("://");
    }
    out.push_str(&host.to_lowercase());
    out.push_str(tail);
    if out.ends_with('/') {
        out.pop();
    }
    out
}

/// Parses an ISO-8601 date or date-time; answers it as Twenty stores it (UTC, milliseconds).
pub fn parse_date_time(s: &str) -> Option<String> {
    let ts = if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        ts
    } else if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        jiff::tz::TimeZone::UTC.to_timestamp(dt).ok()?
    } else if let Ok(d) = s.parse::<jiff::civil::Date>() {
        jiff::tz::TimeZone::UTC
            .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .ok()?
    } else {
        return None;
    };
    Some(format_timestamp(ts))
}

/// Formats a timestamp like Twenty (`2026-11-24T16:47:08.740Z`).
pub fn format_timestamp(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// BlockNote JSON for a markdown text: one paragraph per blank-line separated block.
pub fn markdown_to_blocknote(md: &str) -> String {
    let blocks: Vec<Value> = md
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            json!({
                "id": uuid::Uuid::new_v4().to_string(),
                "type": "paragraph",
                "props": {"backgroundColor": "default", "textColor": "default", "textAlignment": "left"},
                "content": [{"type": "text", "text": p, "styles": {}}],
                "children": []
            })
        })
        .collect();
    Value::Array(blocks).to_string()
}

/// Plain markdown from BlockNote JSON (text of each block, one paragraph each).
pub fn blocknote_to_markdown(bn: &str) -> String {
    let Ok(Value::Array(blocks)) = serde_json::from_str::<Value>(bn) else {
        return String::new();
    };
    blocks
        .iter()
        .map(|b| {
            b.get("content")
                .and_then(Value::as_array)
                .map(|c| {
                    c.iter()
                        .filter_map(|t| t.get("text").and_then(Value::as_str))
                        .collect::<String>()
                })
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised_like_twenty() {
        assert_eq!(normalize_url("HTTPS://Acme.COM/"), "https://acme.com");
        assert_eq!(
            normalize_url("https://Acme.com/Path/"),
            "https://acme.com/Path"
        );
        assert_eq!(normalize_url("Acme.com"), "acme.com");
        assert_eq!(normalize_url("https://acme.com"), "https://acme.com");
    }

    #[test]
    fn dates_are_stored_in_utc_with_millis() {
        assert_eq!(
            parse_date_time("2026-12-31").as_deref(),
            Some("2026-12-31T00:00:00.000Z")
        );
        assert_eq!(
            parse_date_time("2026-12-01T09:00:00.000Z").as_deref(),
            Some("2026-12-01T09:00:00.000Z")
        );
        assert_eq!(
            parse_date_time("2026-12-01T10:00:00+01:00").as_deref(),
            Some("2026-12-01T09:00:00.000Z")
        );
        assert_eq!(parse_date_time("31/12/2024"), None);
    }

    #[test]
    fn markdown_round_trips_through_blocknote() {
        let bn = markdown_to_blocknote("Line one\n\nLine \"two\", with comma");
        assert_eq!(
            blocknote_to_markdown(&bn),
            "Line one\n\nLine \"two\", with comma"
        );
    }
}
