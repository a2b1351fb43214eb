//! Minimal GraphQL: `createXs(data: $var, upsert: true) { selection }` and `createX(…)`, plus the
//! filter-based mass mutations `deleteXs`, `destroyXs` and `restoreXs(filter: $var) { selection }`.
//!
//! Enough for the batch-upsert call importers make (recorded in
//! `graphql-createCompanies-upsert.json`): one root mutation field, `data` given as a variable or
//! inline JSON-like value is not supported (use variables), `upsert` as a literal boolean or a
//! variable, and a selection set projecting fields and composite sub-fields. GraphQL honours
//! upsert in both profiles (recorded on 1.5 too). Errors follow GraphQL's convention: status 200
//! with an `errors` array carrying `extensions.code`.
//!
//! Mass mutations (contract doc §2.1 naming table, §1.6 and §1.8 for the cap; no recording):
//! `deletePeople(filter: $f)` soft-deletes, `destroyPeople(filter: $f)` hard-deletes (soft-deleted
//! records included, with the REST hard delete's cascade), `restorePeople(filter: $f)` restores;
//! each answers `{"data": {"deletePeople": [<projected record>, …]}}` in table order (see
//! [`Workspace::mutate_by_ids`] for which records each one takes). The filter is read from a
//! variable only and must be `{"id": {"in": [uuid, …]}}` or `{"id": {"eq": uuid}}`; another shape,
//! a missing filter or an id that is not a UUID is a `BAD_USER_INPUT` error. More matching records
//! than the cap (`--mutation-max`, profile default: 2.x 100, 1.5 none) is a `BAD_USER_INPUT`
//! error and nothing is applied. Like every `/graphql` request, one costs one rate-limit token
//! whatever the number of records (see [`crate::server`]). The singular forms (`deletePerson(id)`
//! …) are not supported.

use serde_json::{Map, Value, json};

use crate::errors::ApiError;
use crate::routes::RouteOptions;
use crate::workspace::{MassMutation, Workspace};

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
pub fn handle(ws: &mut Workspace, opts: RouteOptions, body: &Value) -> Value {
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
    if let Some((op, rest)) = mass_mutation(&root) {
        return mass(ws, opts, &root, op, rest, &args, &selection);
    }
    let Some(rest) = root.strip_prefix("create") else {
        return unsupported_root(&root);
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
        .and_then(|()| ws.create_many_capped(&object.name_plural, &items, upsert, opts.batch_max));
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

fn unsupported_root(root: &str) -> Value {
    graphql_error(
        format!(
            "twenty-sandbox only supports createX/createXs and deleteXs/destroyXs/restoreXs(filter) mutations, not \"{root}\""
        ),
        "GRAPHQL_VALIDATION_FAILED",
    )
}

/// `deleteXs` / `destroyXs` / `restoreXs` → the operation and the capitalised rest of the name.
fn mass_mutation(root: &str) -> Option<(MassMutation, &str)> {
    [
        ("delete", MassMutation::SoftDelete),
        ("destroy", MassMutation::Destroy),
        ("restore", MassMutation::Restore),
    ]
    .into_iter()
    .find_map(|(prefix, op)| root.strip_prefix(prefix).map(|rest| (op, rest)))
}

/// The record ids a mass mutation's `filter` names: `{"id": {"in": [uuid, …]}}` or
/// `{"id": {"eq": uuid}}` (lower-cased, as Postgres compares UUIDs); else the error message.
/// Twenty checks the ids of `id.in` with `assertIsValidUuid` ("Value \"x\" is not a valid UUID",
/// `INVALID_QUERY_INPUT`, a `UserInputError`); the sandbox checks `id.eq` the same way (Postgres
/// would refuse it with its own text).
fn filter_ids(filter: &Value) -> Result<Vec<String>, String> {
    let unsupported = || {
        let shown = match filter {
            // An inline object reaches here as its first token: only variables are read.
            Value::String(_) => "given inline".to_string(),
            other => other.to_string(),
        };
        format!(
            "Unsupported filter ({shown}): twenty-sandbox reads the filter from a variable and supports {{\"id\": {{\"in\": [ids]}}}} and {{\"id\": {{\"eq\": id}}}} only"
        )
    };
    if filter.is_null() {
        return Err("Filter is required".into());
    }
    let Some(Value::Object(cond)) = filter
        .as_object()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.get("id"))
    else {
        return Err(unsupported());
    };
    let values: Vec<&Value> = match (cond.len(), cond.get("in"), cond.get("eq")) {
        (1, Some(Value::Array(items)), None) => items.iter().collect(),
        (1, None, Some(v)) => vec![v],
        _ => return Err(unsupported()),
    };
    values
        .into_iter()
        .map(|v| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if text.len() != 36 || uuid::Uuid::parse_str(&text).is_err() {
                return Err(format!("Value \"{text}\" is not a valid UUID"));
            }
            Ok(text.to_lowercase())
        })
        .collect()
}

/// `deleteXs` / `destroyXs` / `restoreXs(filter: $f) { selection }`.
fn mass(
    ws: &mut Workspace,
    opts: RouteOptions,
    root: &str,
    op: MassMutation,
    rest: &str,
    args: &Map<String, Value>,
    selection: &Selection,
) -> Value {
    let plural = ws
        .schema
        .objects
        .iter()
        .find(|o| o.plural_capitalized() == rest)
        .map(|o| o.name_plural.clone());
    let Some(plural) = plural else {
        if ws
            .schema
            .objects
            .iter()
            .any(|o| o.singular_capitalized() == rest)
        {
            return unsupported_root(root);
        }
        return graphql_error(
            format!("Cannot query field \"{root}\" on type \"Mutation\"."),
            "GRAPHQL_VALIDATION_FAILED",
        );
    };
    let ids = match filter_ids(args.get("filter").unwrap_or(&Value::Null)) {
        Ok(ids) => ids,
        Err(message) => return graphql_error(message, "BAD_USER_INPUT"),
    };
    match ws.mutate_by_ids(&plural, &ids, op, opts.mutation_max) {
        Ok(records) => json!({"data": {root: project(&Value::Array(records), selection)}}),
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

    #[test]
    fn names_the_mass_mutations() {
        assert!(matches!(
            mass_mutation("deletePeople"),
            Some((MassMutation::SoftDelete, "People"))
        ));
        assert!(matches!(
            mass_mutation("destroyCompanies"),
            Some((MassMutation::Destroy, "Companies"))
        ));
        assert!(matches!(
            mass_mutation("restoreNotes"),
            Some((MassMutation::Restore, "Notes"))
        ));
        assert!(mass_mutation("createPeople").is_none());
        let q = "mutation($f: PersonFilterInput!){ deletePeople(filter: $f){ id deletedAt } }";
        let t = tokenize(q);
        let open = t.iter().position(|x| x == "{").unwrap();
        assert_eq!(t[open + 1], "deletePeople");
        assert_eq!(t[open + 2..open + 6], ["(", "filter", ":", "$f"]);
    }

    #[test]
    fn reads_id_filters_and_refuses_other_shapes() {
        let a = "4A2C4A5E-14D2-5E4E-8F3D-FFB008B078A7";
        let b = "5b0f7c1e-2f6a-5d8e-9c41-7a2d3e6f1b90";
        assert_eq!(
            filter_ids(&json!({"id": {"in": [a, b]}})).unwrap(),
            vec![a.to_lowercase(), b.to_string()]
        );
        assert_eq!(filter_ids(&json!({"id": {"eq": b}})).unwrap(), vec![b]);
        assert!(filter_ids(&json!({"id": {"in": []}})).unwrap().is_empty());
        assert_eq!(filter_ids(&Value::Null).unwrap_err(), "Filter is required");
        for bad in [
            json!({}),
            json!({"name": {"eq": "x"}}),
            json!({"id": {"neq": b}}),
            json!({"id": {"in": [b], "eq": b}}),
            json!({"id": {"in": b}}),
            json!({"id": {"eq": b}, "name": {"eq": "x"}}),
            json!({"and": [{"id": {"eq": b}}]}),
            json!("{"),
        ] {
            let e = filter_ids(&bad).unwrap_err();
            assert!(e.starts_with("Unsupported filter"), "{bad}: {e}");
        }
        assert_eq!(
            filter_ids(&json!({"id": {"in": [b, "nope"]}})).unwrap_err(),
            "Value \"nope\" is not a valid UUID"
        );
        assert_eq!(
            filter_ids(&json!({"id": {"eq": 7}})).unwrap_err(),
            "Value \"7\" is not a valid UUID"
        );
    }
}
