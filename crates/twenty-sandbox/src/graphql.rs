//! Minimal GraphQL: `createXs(data: $var, upsert: true) { selection }` and `createX(…)`.
//!
//! Enough for the batch-upsert call importers make (recorded in
//! `graphql-createCompanies-upsert.json`): one root mutation field, `data` given as a variable or
//! inline JSON-like value is not supported (use variables), `upsert` as a literal boolean or a
//! variable, and a selection set projecting fields and composite sub-fields. GraphQL honours
//! upsert in both profiles (recorded on 1.5 too). Errors follow GraphQL's convention: status 200
//! with an `errors` array carrying `extensions.code`.

use serde_json::{Map, Value, json};

use crate::errors::ApiError;
use crate::workspace::Workspace;

/// A selection set: field name → nested selection (empty = leaf).
#[derive(Debug, Default, Clone)]
struct Selection(Vec<(String, Selection)>);

fn tokenize(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = q.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '"' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                let mut s = String::from("\"");
                for n in chars.by_ref() {
                    s.push(n);
                    if n == '"' {
                        break;
                    }
                }
                out.push(s);
            }
            '{' | '}' | '(' | ')' | ':' | '[' | ']' | '!' | '=' | '@' | ',' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                if c != ',' {
                    out.push(c.to_string());
                }
            }
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn parse_selection(tokens: &[String], i: &mut usize) -> Selection {
    // Expects tokens[*i] == "{".
    let mut items = Vec::new();
    *i += 1;
    while *i < tokens.len() && tokens[*i] != "}" {
        let mut name = tokens[*i].clone();
        *i += 1;
        if tokens.get(*i).map(String::as_str) == Some(":") {
            // alias: keep the real field name
            *i += 1;
            name = tokens.get(*i).cloned().unwrap_or_default();
            *i += 1;
        }
        let sub = if tokens.get(*i).map(String::as_str) == Some("{") {
            parse_selection(tokens, i)
        } else {
            Selection::default()
        };
        items.push((name, sub));
    }
    *i += 1;
    Selection(items)
}

fn project(value: &Value, sel: &Selection) -> Value {
    if sel.0.is_empty() {
        return value.clone();
    }
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| project(v, sel)).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (name, sub) in &sel.0 {
                if name == "__typename" {
                    continue;
                }
                out.insert(
                    name.clone(),
                    project(map.get(name).unwrap_or(&Value::Null), sub),
                );
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

fn graphql_error(message: String, code: &str) -> Value {
    json!({"errors": [{"message": message, "extensions": {"code": code}}], "data": null})
}

fn error_code(e: &ApiError) -> &'static str {
    match e.status {
        400 => "BAD_USER_INPUT",
        401 => "UNAUTHENTICATED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        _ => "INTERNAL_SERVER_ERROR",
    }
}

/// Handles one `POST /graphql` body; always answers 200 like GraphQL servers do.
pub fn handle(ws: &mut Workspace, batch_max: Option<usize>, body: &Value) -> Value {
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let vars = body.get("variables").cloned().unwrap_or(json!({}));
    let tokens = tokenize(query);
    // Find the root field: first name followed by "(" inside the operation's selection set.
    let Some(open) = tokens.iter().position(|t| t == "{") else {
        return graphql_error(
            "Syntax error: no selection set".into(),
            "GRAPHQL_PARSE_FAILED",
        );
    };
    let root = tokens.get(open + 1).cloned().unwrap_or_default();
    let mut i = open + 2;
    let mut args: Map<String, Value> = Map::new();
    if tokens.get(i).map(String::as_str) == Some("(") {
        i += 1;
        while i < tokens.len() && tokens[i] != ")" {
            let name = tokens[i].clone();
            // tokens[i+1] == ":"
            let raw = tokens.get(i + 2).cloned().unwrap_or_default();
            let value = if let Some(var) = raw.strip_prefix('$') {
                vars.get(var).cloned().unwrap_or(Value::Null)
            } else {
                serde_json::from_str(&raw).unwrap_or(Value::String(raw))
            };
            args.insert(name, value);
            i += 3;
        }
        i += 1;
    }
    let selection = if tokens.get(i).map(String::as_str) == Some("{") {
        parse_selection(&tokens, &mut i)
    } else {
        Selection::default()
    };
    let Some(rest) = root.strip_prefix("create") else {
        return graphql_error(
            format!("twenty-sandbox only supports createX/createXs mutations, not \"{root}\""),
            "GRAPHQL_VALIDATION_FAILED",
        );
    };
    let upsert = args.get("upsert").and_then(Value::as_bool).unwrap_or(false);
    let data = args.get("data").cloned().unwrap_or(Value::Null);
    let object = ws
        .schema
        .objects
        .iter()
        .find(|o| o.plural_capitalized() == rest || o.singular_capitalized() == rest)
        .cloned();
    let Some(object) = object else {
        return graphql_error(
            format!("Cannot query field \"{root}\" on type \"Mutation\"."),
            "GRAPHQL_VALIDATION_FAILED",
        );
    };
    let many = object.plural_capitalized() == rest;
    let items: Vec<Value> = match (&data, many) {
        (Value::Array(items), true) => items.clone(),
        (Value::Object(_), false) => vec![data.clone()],
        _ => {
            return graphql_error(
                format!("Argument \"data\" of \"{root}\" has an invalid value."),
                "BAD_USER_INPUT",
            );
        }
    };
    let created = ws
        .check_new_ids(&object, &items, false)
        .and_then(|()| ws.create_many_capped(&object.name_plural, &items, upsert, batch_max));
    match created {
        Ok(mut created) => {
            let value = if many {
                Value::Array(created)
            } else {
                created.pop().unwrap_or(Value::Null)
            };
            json!({"data": {root: project(&value, &selection)}})
        }
        Err(e) => graphql_error(e.message(), error_code(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_recorded_mutation() {
        let q = "mutation($d:[CompanyCreateInput!]!){createCompanies(data:$d, upsert:true){id name domainName{primaryLinkUrl}}}";
        let t = tokenize(q);
        let open = t.iter().position(|x| x == "{").unwrap();
        assert_eq!(t[open + 1], "createCompanies");
        let mut i = t.iter().rposition(|x| x == ")").unwrap() + 1;
        let sel = parse_selection(&t, &mut i);
        let rec = json!({"id": "1", "name": "A", "employees": 3, "domainName": {"primaryLinkUrl": "u", "primaryLinkLabel": ""}});
        assert_eq!(
            project(&rec, &sel),
            json!({"id": "1", "name": "A", "domainName": {"primaryLinkUrl": "u"}})
        );
    }
}
