//! The payload of a record checked against the workspace's field types before anything is sent,
//! so `plan` names the records the server would refuse (with their file and line) instead of the
//! import finding out batch by batch.

use c2t_twenty::FieldMeta;
use serde_json::Value;

fn is_date(s: &str) -> bool {
    s.parse::<jiff::civil::Date>().is_ok() && s.len() == 10
}

fn is_datetime(s: &str) -> bool {
    s.parse::<jiff::Timestamp>().is_ok()
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

/// Why `v` would be refused for `field`, if it would.
pub fn check_value(field: &FieldMeta, v: &Value) -> Option<String> {
    if v.is_null() {
        return None;
    }
    let kind = field.kind.to_uppercase();
    let option = |s: &str| field.options.iter().any(|o| o.value == s);
    let bad = |want: &str| Some(format!("`{}` expects {want}, not {v}", field.name));
    match kind.as_str() {
        "TEXT" | "UUID" => (!v.is_string()).then(|| bad("text")).flatten(),
        "NUMBER" | "NUMERIC" | "POSITION" => {
            let ok = v.is_number() || v.as_str().is_some_and(|s| s.parse::<f64>().is_ok());
            (!ok).then(|| bad("a number")).flatten()
        }
        "BOOLEAN" => (!v.is_boolean()).then(|| bad("true or false")).flatten(),
        "DATE" => (!v.as_str().is_some_and(is_date))
            .then(|| bad("a YYYY-MM-DD date"))
            .flatten(),
        "DATE_TIME" => (!v.as_str().is_some_and(is_datetime))
            .then(|| bad("an ISO 8601 date-time with a zone"))
            .flatten(),
        "SELECT" => match v.as_str() {
            Some(s) if option(s) => None,
            Some(s) => Some(format!(
                "`{}` has no option `{s}` (crm2twenty check --apply creates it)",
                field.name
            )),
            None => bad("an option value"),
        },
        "MULTI_SELECT" => match v.as_array() {
            Some(a) => a.iter().find_map(|x| match x.as_str() {
                Some(s) if option(s) => None,
                Some(s) => Some(format!(
                    "`{}` has no option `{s}` (crm2twenty check --apply creates it)",
                    field.name
                )),
                None => bad("a list of option values"),
            }),
            None => bad("a list of option values"),
        },
        "CURRENCY" => {
            let code = v.get("currencyCode").and_then(Value::as_str).unwrap_or("");
            let amount = v.get("amountMicros").unwrap_or(&Value::Null);
            let amount_ok = amount.is_null()
                || amount.is_i64()
                || amount.as_str().is_some_and(|s| s.parse::<i64>().is_ok());
            if !v.is_object() || !amount_ok {
                bad("{amountMicros, currencyCode}")
            } else if !(code.is_empty()
                || (code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase())))
            {
                Some(format!(
                    "`{}`: `{code}` is not an ISO 4217 currency code",
                    field.name
                ))
            } else {
                None
            }
        }
        "EMAILS" | "PHONES" | "LINKS" | "FULL_NAME" | "ADDRESS" | "RICH_TEXT_V2" | "ACTOR" => {
            (!v.is_object()).then(|| bad("an object")).flatten()
        }
        "RELATION" | "MANY_TO_ONE" => (!v.as_str().is_some_and(is_uuid))
            .then(|| bad("a record id"))
            .flatten(),
        _ => None,
    }
}

/// Every problem of one payload for `object`: (field, message).
pub fn check_payload(ws: &crate::workspace::Workspace, object: &str, body: &Value) -> Vec<String> {
    let Some(meta) = ws.object(object) else {
        return vec![];
    };
    let Value::Object(m) = body else {
        return vec![];
    };
    let mut out = Vec::new();
    for (k, v) in m {
        if k == "id" {
            if !v.as_str().is_some_and(is_uuid) {
                out.push(format!("`id` is not a UUID: {v}"));
            }
            continue;
        }
        if let Some(f) = meta.fields.iter().find(|f| &f.name == k) {
            out.extend(check_value(f, v));
        } else if let Some(f) = meta
            .fields
            .iter()
            .find(|f| f.join_column.as_deref() == Some(k.as_str()))
        {
            if !v.as_str().is_some_and(is_uuid) {
                out.push(format!("`{}` expects a record id, not {v}", f.name));
            }
        } else {
            out.push(format!("the workspace has no field `{k}` on {object}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(kind: &str, options: &[&str]) -> FieldMeta {
        FieldMeta {
            id: "f".into(),
            name: "x".into(),
            label: "X".into(),
            kind: kind.into(),
            is_custom: true,
            is_nullable: true,
            is_unique: false,
            is_active: true,
            is_system: false,
            options: options
                .iter()
                .map(|o| c2t_twenty::OptionMeta {
                    id: None,
                    value: o.to_string(),
                    label: o.to_string(),
                    color: None,
                    position: None,
                })
                .collect(),
            relation_type: None,
            relation_target: None,
            join_column: None,
        }
    }

    #[test]
    fn values_are_checked_against_their_field_type() {
        let cases: Vec<(&str, &[&str], Value, bool)> = vec![
            ("TEXT", &[], json!("a"), true),
            ("TEXT", &[], json!(1), false),
            ("NUMBER", &[], json!(1.5), true),
            ("NUMBER", &[], json!("12"), true),
            ("NUMBER", &[], json!("twelve"), false),
            ("BOOLEAN", &[], json!(true), true),
            ("BOOLEAN", &[], json!("yes"), false),
            ("DATE", &[], json!("2024-02-29"), true),
            ("DATE", &[], json!("2023-02-29"), false),
            ("DATE", &[], json!("29/02/2024"), false),
            ("DATE_TIME", &[], json!("2024-02-29T10:00:00Z"), true),
            ("DATE_TIME", &[], json!("2024-02-29 10:00"), false),
            ("SELECT", &["LOST"], json!("LOST"), true),
            ("SELECT", &["LOST"], json!("WON"), false),
            ("MULTI_SELECT", &["A", "B"], json!(["A", "B"]), true),
            ("MULTI_SELECT", &["A"], json!(["A", "C"]), false),
            (
                "CURRENCY",
                &[],
                json!({"amountMicros": 1_000_000, "currencyCode": "EUR"}),
                true,
            ),
            (
                "CURRENCY",
                &[],
                json!({"amountMicros": 1.5, "currencyCode": "EUR"}),
                false,
            ),
            (
                "CURRENCY",
                &[],
                json!({"amountMicros": 1, "currencyCode": "euro"}),
                false,
            ),
            ("EMAILS", &[], json!({"primaryEmail": "a@b.co"}), true),
            ("EMAILS", &[], json!("a@b.co"), false),
            (
                "RELATION",
                &[],
                json!("5b0f7c1e-2f6a-5d8e-9c41-7a2d3e6f1b90"),
                true,
            ),
            ("RELATION", &[], json!("Acme"), false),
            ("TEXT", &[], Value::Null, true),
        ];
        for (kind, options, v, ok) in cases {
            let got = check_value(&field(kind, options), &v);
            assert_eq!(got.is_none(), ok, "{kind} {v}: {got:?}");
        }
    }
}
