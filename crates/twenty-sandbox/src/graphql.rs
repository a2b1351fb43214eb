//! Minimal GraphQL (`POST /graphql`): the list query `people(filter, orderBy, first, after)`, the
//! mutations `createXs(data: $var, upsert: true) { selection }` and `createX(…)`, and the
//! filter-based mass mutations `deleteXs`, `destroyXs` and `restoreXs(filter: $var) { selection }`.
//!
//! A request holds one operation with one root field: `query` / `mutation` with or without a name
//! and variable definitions (`query($f:PersonFilterInput,$a:String){people(…){…}}`), or the
//! anonymous shorthand `{ people { … } }`, which is a query. Arguments are variables (`$f`) or
//! literals; inline object and list literals are read for queries and refused for mutations. The
//! selection set projects fields and composite sub-fields (a query's root alias names its answer;
//! aliases inside a selection are answered under the field's name; `__typename` is accepted and
//! left out). Errors follow GraphQL's convention:
//! status 200 with `{"errors": [{"message", "extensions": {"code"}}], "data": null}`. Like every
//! `/graphql` request, each costs one rate-limit token whatever it reads or writes (see
//! [`crate::server`]).
//!
//! # List queries
//!
//! `{plural}(filter: $f, orderBy: $o, first: 200, after: $a) { edges { node { … } cursor }
//! pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount }` (contract doc
//! §2.1 naming table; not recorded: the recordings hold no GraphQL query). What the sandbox does
//! follows the find-many code of the two recorded servers, read in their sources (the 1.5's
//! `kw1234/fuse_test` f18343f, the 2.19's `T3-Venture-Labs-Limited/myah-v4` 88cf2a02, under
//! `packages/twenty-server/src/engine/api/`):
//!
//! - Root field = the object's `namePlural` (`people`, `companies`, a custom `invoices`); another
//!   name → `Cannot query field "x" on type "Query".` (`GRAPHQL_VALIDATION_FAILED`). The singular
//!   find-one (`person(filter)`) is not supported.
//! - Arguments `filter`, `orderBy`, `first`, `last`, `after`; another one →
//!   `Unknown argument "x" on field "Query.people".` (`GRAPHQL_VALIDATION_FAILED`); `before`
//!   (backward paging: the two lines answer its page in different orders, unrecorded) and 2.x's
//!   `offset` are refused as not supported.
//! - Page size: `first ?? last ?? QUERY_MAX_RECORDS` (`graphql-query-find-many-resolver.service.ts`
//!   on 1.5, `common-find-many-query-runner.service.ts` on 2.19); `QUERY_MAX_RECORDS` is 60 on
//!   1.5 and 200 on 2.19 ([`crate::profile::Profile::query_max_records`]). GraphQL does not clamp
//!   `first` (only REST clamps `limit`, `parse-limit-rest-request.util.ts`). The runners' checks
//!   (`validate`), with their texts: `first` and `last` both set → "Cannot provide both first and
//!   last", `after` with `last` → "Cannot provide both after and last", a negative one → "First
//!   argument must be non-negative" (`BAD_USER_INPUT`, as the `UserInputError` they become).
//!   `after: null` or `""` is no cursor (`getCursor` tests truthiness).
//! - Order: `orderBy` (`[{name: {lastName: AscNullsLast}}, {createdAt: DescNullsFirst}]`, or one
//!   object) then the `id` tiebreaker, as REST's `order_by`; default: by `id`. Cursors are
//!   Twenty's (`encodeCursor`, base64 JSON of the order values and `id`), one per edge; an invalid
//!   one → `BAD_USER_INPUT`.
//! - Filter: the object's `…FilterInput` (`filter-arg-processor.service.ts`,
//!   `graphql-query-filter-condition.parser.ts`, `graphql-query-filter-field.parser.ts` on 2.19):
//!   the entries of an object are AND-ed; `and: [filters]`, `or: [filters]`, `not: filter`; a
//!   field takes `{op: value}` and a composite field `{subField: {op: value}}` (sub-fields AND-ed).
//!   Operators (`StringFilter`, `UUIDFilter`… input types): `eq`, `neq`, `in`, `is` (`FilterIs`:
//!   `NULL` / `NOT_NULL`), `gt`, `gte`, `lt`, `lte`, `like`, `ilike`, `startsWith`,
//!   `containsAny`; `endsWith`, `regex`, `iregex`, `containsIlike` and `isEmptyArray` exist in
//!   Twenty but are refused here as not supported. It becomes the sandbox's [`Filter`] (REST's
//!   `?filter=`), checked with [`check_path`]: an unknown field or sub-field is REST's
//!   "field 'x' does not exist in 'person' object" (`BAD_USER_INPUT`; a real server refuses it
//!   while reading the variable, `Field "x" is not defined by type "PersonFilterInput"`). 2.19's
//!   checks, with their texts: a field value that is not an object ("Filter value for field \"x\"
//!   must be an object"), not exactly one operator ("Filter for field \"x\" must have exactly one
//!   operator"; 1.5 takes the first instead), `is` other than `NULL`/`NOT_NULL`, `in` /
//!   `containsAny` without an array, `like`/`ilike`/`startsWith` without a string; and both lines'
//!   field parser: an empty `in` → "Invalid filter value for field x. Expected non-empty array".
//!   Values of `id` and join columns must be UUIDs (`Value "x" is not a valid UUID`, as the mass
//!   mutations) and compare lower-cased. `eq: null` matches nothing (SQL `= NULL`). Filters
//!   through relations (`company: {name: …}`, 2.x) are not supported: filter on `companyId`.
//! - Soft-deleted records are left out unless the filter mentions `deletedAt` (anywhere under
//!   `and`/`or`/`not`), exactly as the REST list ([`Workspace::list_query`], Twenty's
//!   `checkForDeletedAtFilter`): the trash is `{"and": [{"deletedAt": {"is": "NOT_NULL"}}, …]}`.
//! - Answer `{"data": {"people": {"edges": [{"node": {…}, "cursor": "…"}], "pageInfo":
//!   {"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"}, "totalCount": N}}}`, each
//!   part only when selected (`ObjectRecordsToGraphqlConnectionHelper.createConnection`).
//!   `totalCount` counts every match of the filter, on both lines (the aggregate query carries no
//!   cursor condition; 1.5's REST, which counts from the cursor, is another code path).
//!   `hasNextPage` = more records follow, `hasPreviousPage` = false (forward paging,
//!   `getPaginationInfo`); `startCursor` / `endCursor` null on an empty page.
//! - Selection checks (GraphQL validation, `GRAPHQL_VALIDATION_FAILED`, graphql-js texts): a
//!   field the type lacks → `Cannot query field "x" on type "Person".` (also on
//!   `PersonConnection`, `PersonEdge`, `PageInfo` and composite types such as `Emails`); a
//!   composite or object without a sub-selection → `Field "emails" of type "Emails" must have a
//!   selection of subfields. Did you mean "emails { ... }"?`; a scalar with one → `Field "id" must
//!   not have a selection since type "UUID" has no subfields.` Node fields: the object's fields,
//!   its join columns (`companyId`), and many-to-one relations (`company { id name }`, one level);
//!   one-to-many relations and the connection's aggregate fields are not supported.
//!
//! # Mutations
//!
//! The batch-upsert call importers make (recorded in `graphql-createCompanies-upsert.json`):
//! `data` given as a variable, `upsert` as a literal boolean or a variable. GraphQL honours upsert
//! in both profiles (recorded on 1.5 too).
//!
//! Mass mutations (contract doc §2.1 naming table, §1.6 and §1.8 for the cap; no recording):
//! `deletePeople(filter: $f)` soft-deletes, `destroyPeople(filter: $f)` hard-deletes (soft-deleted
//! records included, with the REST hard delete's cascade), `restorePeople(filter: $f)` restores;
//! each answers `{"data": {"deletePeople": [<projected record>, …]}}` in table order (see
//! [`Workspace::mutate_by_ids`] for which records each one takes). The filter is read from a
//! variable only and must be `{"id": {"in": [uuid, …]}}` or `{"id": {"eq": uuid}}`; another shape,
//! a missing filter or an id that is not a UUID is a `BAD_USER_INPUT` error. More matching records
//! than the cap (`--mutation-max`, profile default: 2.x 100, 1.5 none) is a `BAD_USER_INPUT`
//! error and nothing is applied. The singular forms (`deletePerson(id)` …) are not supported.
//!
//! # Uploads and files
//!
//! The file upload mutations (2.19's `uploadFilesFieldFile` on `/metadata`, 1.5's `uploadFile`)
//! are in `graphql/uploads.rs`; their files arrive through [`crate::multipart`]. FILES fields select as
//! `file { fileId label extension url }` (`[FileObject]`). On 1.5, attachment answers carry a
//! signed `fullPath` (the `AttachmentQueryResultGetterHandler` of GraphQL only).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::errors::ApiError;
use crate::filter::{Filter, Op, check_path, parse_order_by};
use crate::multipart::Uploads;
use crate::routes::RouteOptions;
use crate::schema::{Object, capitalize, composite_sub_fields};
use crate::workspace::{ListQuery, MassMutation, Workspace};

mod uploads;

/// The GraphQL endpoint a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/graphql`: records (and 1.5's `uploadFile`).
    Graphql,
    /// `/metadata`: the sandbox answers the file upload mutations only (`graphql/uploads.rs`).
    Metadata,
}

/// A selection set: field name → nested selection (empty = leaf).
#[derive(Debug, Default, Clone)]
struct Selection(Vec<(String, Selection)>);

/// An error answer, ready to send.
type GqlResult<T> = Result<T, Value>;

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
                // The token keeps its quotes and escapes: JSON's string syntax reads it.
                let mut s = String::from("\"");
                let mut escaped = false;
                for n in chars.by_ref() {
                    s.push(n);
                    if escaped {
                        escaped = false;
                    } else if n == '\\' {
                        escaped = true;
                    } else if n == '"' {
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
        if tokens.get(*i).map(String::as_str) == Some("(") {
            // Arguments of a nested field: skipped.
            skip_balanced(tokens, i, "(", ")");
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

/// Moves `i` (at `open`) past the matching `close`.
fn skip_balanced(tokens: &[String], i: &mut usize, open: &str, close: &str) {
    let mut depth = 0usize;
    while let Some(t) = tokens.get(*i) {
        *i += 1;
        if t == open {
            depth += 1;
        } else if t == close {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return;
            }
        }
    }
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

/// A GraphQL validation error (the document does not fit the schema).
fn validation_error(message: String) -> Value {
    graphql_error(message, "GRAPHQL_VALIDATION_FAILED")
}

/// A `UserInputError` (`BAD_USER_INPUT`).
fn input_error(message: String) -> Value {
    graphql_error(message, "BAD_USER_INPUT")
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

fn api_error(e: &ApiError) -> Value {
    graphql_error(e.message(), error_code(e))
}

fn parse_error(message: &str) -> Value {
    graphql_error(format!("Syntax Error: {message}"), "GRAPHQL_PARSE_FAILED")
}

/// The type of the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OperationKind {
    Query,
    Mutation,
}

/// The one root field of a request.
#[derive(Debug)]
struct RootField {
    kind: OperationKind,
    /// The answer's key: the alias, or the name.
    key: String,
    /// The field's name (`people`, `createPeople`).
    name: String,
    /// Argument values, variables substituted.
    args: Map<String, Value>,
    /// Arguments written inline as an object or a list literal.
    inline: Vec<String>,
    /// Arguments given as a variable: argument → variable name (for coercion messages).
    variables: HashMap<String, String>,
    selection: Selection,
}

/// Reads the operation header (`query Name($f: T, $a: String)`, `mutation(…)`, or the bare `{`
/// of a query) and its root field.
fn parse_document(tokens: &[String], vars: &Value) -> GqlResult<RootField> {
    let mut i = 0;
    let kind = match tokens.first().map(String::as_str) {
        Some("{") => OperationKind::Query,
        Some("query") => OperationKind::Query,
        Some("mutation") => OperationKind::Mutation,
        Some("subscription") => {
            return Err(validation_error(
                "twenty-sandbox does not support subscriptions".into(),
            ));
        }
        Some(other) => return Err(parse_error(&format!("Unexpected Name \"{other}\"."))),
        None => return Err(parse_error("Unexpected <EOF>.")),
    };
    if tokens[0] != "{" {
        i = 1;
        if tokens
            .get(i)
            .is_some_and(|t| !matches!(t.as_str(), "(" | "{" | "@"))
        {
            i += 1; // the operation's name
        }
        if tokens.get(i).map(String::as_str) == Some("(") {
            skip_balanced(tokens, &mut i, "(", ")");
        }
        while tokens.get(i).map(String::as_str) == Some("@") {
            i += 2; // a directive: `@name`, maybe with arguments
            if tokens.get(i).map(String::as_str) == Some("(") {
                skip_balanced(tokens, &mut i, "(", ")");
            }
        }
        if tokens.get(i).map(String::as_str) != Some("{") {
            return Err(parse_error("Expected \"{\" (no selection set)."));
        }
    }
    i += 1;
    let Some(first) = tokens.get(i).cloned() else {
        return Err(parse_error("Unexpected <EOF>."));
    };
    if first == "}" {
        return Err(parse_error("Expected Name, found \"}\"."));
    }
    i += 1;
    let (key, name) = if tokens.get(i).map(String::as_str) == Some(":") {
        let name = tokens.get(i + 1).cloned().unwrap_or_default();
        i += 2;
        (first, name)
    } else {
        (first.clone(), first)
    };
    let mut args = Map::new();
    let mut inline = Vec::new();
    let mut variables = HashMap::new();
    if tokens.get(i).map(String::as_str) == Some("(") {
        i += 1;
        while tokens.get(i).is_some_and(|t| t != ")") {
            let arg = tokens[i].clone();
            if tokens.get(i + 1).map(String::as_str) != Some(":") {
                return Err(parse_error(&format!(
                    "Expected \":\" after argument \"{arg}\"."
                )));
            }
            i += 2;
            if let Some(var) = tokens.get(i).and_then(|t| t.strip_prefix('$')) {
                variables.insert(arg.clone(), var.to_string());
            }
            let (value, is_inline) = parse_value(tokens, &mut i, vars)?;
            if is_inline {
                inline.push(arg.clone());
            }
            args.insert(arg, value);
        }
        i += 1;
    }
    let selection = if tokens.get(i).map(String::as_str) == Some("{") {
        parse_selection(tokens, &mut i)
    } else {
        Selection::default()
    };
    if tokens.get(i).is_some_and(|t| t != "}") {
        return Err(validation_error(format!(
            "twenty-sandbox answers one root field per request; \"{}\" follows \"{key}\"",
            tokens[i]
        )));
    }
    Ok(RootField {
        kind,
        key,
        name,
        args,
        inline,
        variables,
        selection,
    })
}

/// One argument value: a variable (`$f`, null when not given), a scalar literal (strings,
/// numbers, `true`/`false`/`null`, enum values as strings), or an object / list literal
/// (variables inside substituted); the flag says it was an object or list literal.
fn parse_value(tokens: &[String], i: &mut usize, vars: &Value) -> GqlResult<(Value, bool)> {
    let Some(t) = tokens.get(*i) else {
        return Err(parse_error("Unexpected <EOF>."));
    };
    *i += 1;
    match t.as_str() {
        "{" => {
            let mut m = Map::new();
            while tokens.get(*i).is_some_and(|t| t != "}") {
                let name = tokens[*i].clone();
                if tokens.get(*i + 1).map(String::as_str) != Some(":") {
                    return Err(parse_error(&format!("Expected \":\" after \"{name}\".")));
                }
                *i += 2;
                let (v, _) = parse_value(tokens, i, vars)?;
                m.insert(name, v);
            }
            if tokens.get(*i).is_none() {
                return Err(parse_error("Unexpected <EOF>."));
            }
            *i += 1;
            Ok((Value::Object(m), true))
        }
        "[" => {
            let mut items = Vec::new();
            while tokens.get(*i).is_some_and(|t| t != "]") {
                items.push(parse_value(tokens, i, vars)?.0);
            }
            if tokens.get(*i).is_none() {
                return Err(parse_error("Unexpected <EOF>."));
            }
            *i += 1;
            Ok((Value::Array(items), true))
        }
        t if t.starts_with('$') => Ok((vars.get(&t[1..]).cloned().unwrap_or(Value::Null), false)),
        t if t.starts_with('"') => serde_json::from_str::<Value>(t)
            .map(|v| (v, false))
            .map_err(|_| parse_error(&format!("Invalid string {t}."))),
        "true" => Ok((json!(true), false)),
        "false" => Ok((json!(false), false)),
        "null" => Ok((Value::Null, false)),
        t => match serde_json::from_str::<Value>(t) {
            Ok(n @ Value::Number(_)) => Ok((n, false)),
            _ if t.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                Ok((Value::String(t.to_string()), false))
            }
            _ => Err(parse_error(&format!("Unexpected \"{t}\"."))),
        },
    }
}

/// The answer of a GraphQL request the workspace's rate limit refuses, as a live 2.19 gives it
/// (`docs/evidence/live-2x/ceiling-q2-query-20-root-fields-first-limited.json`): HTTP 200, the
/// root field null, and Twenty's `UserInputError` with `subCode: LIMIT_REACHED` naming the
/// bucket (`throttlerToGraphqlApiExceptionHandler`) — not REST's 429.
pub fn rate_limited(body: &Value, message: &str) -> Value {
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let vars = body.get("variables").cloned().unwrap_or(json!({}));
    let data = match parse_document(&tokenize(query), &vars) {
        Ok(root) => json!({ root.key: null }),
        Err(_) => Value::Null,
    };
    json!({
        "data": data,
        "errors": [{
            "message": message,
            "extensions": {
                "subCode": "LIMIT_REACHED",
                "userFriendlyMessage": "Rate limit reached. Please try again later.",
                "code": "BAD_USER_INPUT",
            },
        }],
    })
}

/// Handles one `POST /graphql` JSON body; always answers 200 like GraphQL servers do.
pub fn handle(ws: &mut Workspace, opts: RouteOptions, body: &Value) -> Value {
    handle_request(ws, opts, body, &Uploads::default(), Endpoint::Graphql)
}

/// Handles one GraphQL request to `endpoint`: a JSON body, or the `operations` of a multipart
/// request with its `uploads` ([`crate::multipart`]).
pub fn handle_request(
    ws: &mut Workspace,
    opts: RouteOptions,
    body: &Value,
    uploads: &Uploads,
    endpoint: Endpoint,
) -> Value {
    if body.is_array() {
        return validation_error(
            "twenty-sandbox answers one operation per request (batched operations are not supported)"
                .into(),
        );
    }
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let vars = body.get("variables").cloned().unwrap_or(json!({}));
    let tokens = tokenize(query);
    let root = match parse_document(&tokens, &vars) {
        Ok(root) => root,
        Err(e) => return e,
    };
    if let Some(answer) = uploads::route(ws, &root, uploads, endpoint) {
        return answer;
    }
    if endpoint == Endpoint::Metadata {
        return validation_error(format!(
            "twenty-sandbox answers only the file upload mutations on /metadata ({}), not \"{}\"",
            uploads::names(ws.profile.kind),
            root.name
        ));
    }
    match root.kind {
        OperationKind::Query => list(ws, &root).unwrap_or_else(|e| e),
        OperationKind::Mutation => mutation(ws, opts, root),
    }
}

/// `createXs` / `createX` and the mass mutations.
fn mutation(ws: &mut Workspace, opts: RouteOptions, root: RootField) -> Value {
    // Mutations read `data` and `filter` from variables only: an inline object or list is
    // refused by their checks below.
    let mut args = root.args;
    for name in &root.inline {
        args.insert(name.clone(), Value::String("{".into()));
    }
    let selection = root.selection;
    let root = root.name;
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
            if let Err(m) = ws.legacy_sign_attachments(&object, &mut created) {
                return graphql_error(m, "INTERNAL_SERVER_ERROR");
            }
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

// ----- list queries ----------------------------------------------------------------------------

/// Twenty's operators the sandbox does not evaluate (2.19's `StringFilter`, array and
/// multi-select filters).
const UNSUPPORTED_OPERATORS: &[&str] = &[
    "endsWith",
    "regex",
    "iregex",
    "containsIlike",
    "isEmptyArray",
];

/// `{plural}(filter, orderBy, first, last, after) { edges { node cursor } pageInfo totalCount }`.
fn list(ws: &Workspace, root: &RootField) -> GqlResult<Value> {
    let name = root.name.as_str();
    let Some(object) = ws.schema.by_plural(name) else {
        if ws.schema.by_singular(name).is_some() {
            return Err(validation_error(format!(
                "twenty-sandbox supports the list queries ({{plural}}(filter, first, after)), not \"{name}\""
            )));
        }
        return Err(validation_error(format!(
            "Cannot query field \"{name}\" on type \"Query\"."
        )));
    };
    let depth = check_connection(ws, object, name, &root.selection)?;
    for arg in root.args.keys() {
        match arg.as_str() {
            "filter" | "orderBy" | "first" | "last" | "after" => {}
            "before" | "offset" => {
                return Err(validation_error(format!(
                    "twenty-sandbox does not support the argument \"{arg}\" of \"{name}\" (forward paging with first/after only)"
                )));
            }
            _ => {
                return Err(validation_error(format!(
                    "Unknown argument \"{arg}\" on field \"Query.{name}\"."
                )));
            }
        }
    }
    let int_arg = |arg: &str| -> GqlResult<Option<i64>> {
        match root.args.get(arg) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| input_error(format!("Int cannot represent non-integer value: {v}"))),
        }
    };
    let (first, last) = (int_arg("first")?, int_arg("last")?);
    let after = match root.args.get("after") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(v) => {
            return Err(input_error(format!(
                "String cannot represent a non string value: {v}"
            )));
        }
    };
    // The runners' `validate`, in their order (JavaScript truthiness: 0 and "" are unset).
    let set = |n: Option<i64>| n.is_some_and(|n| n != 0);
    if set(first) && set(last) {
        return Err(input_error("Cannot provide both first and last".into()));
    }
    if after.is_some() && set(last) {
        return Err(input_error("Cannot provide both after and last".into()));
    }
    if first.is_some_and(|n| n < 0) {
        return Err(input_error("First argument must be non-negative".into()));
    }
    if last.is_some_and(|n| n < 0) {
        return Err(input_error("Last argument must be non-negative".into()));
    }
    let filter = match root.args.get("filter") {
        None | Some(Value::Null) => None,
        Some(f) => graphql_filter(f, object)?,
    };
    let order = order_by(root.args.get("orderBy").unwrap_or(&Value::Null), object)?;
    let limit = first.or(last).map_or(ws.profile.query_max_records, |n| {
        usize::try_from(n).unwrap_or(0)
    });
    let query = ListQuery {
        filter,
        order,
        limit,
        after,
        before: None,
        depth,
    };
    let mut page = ws.list_query(object, &query).map_err(|e| api_error(&e))?;
    ws.legacy_sign_attachments(object, &mut page.records)
        .map_err(|m| graphql_error(m, "INTERNAL_SERVER_ERROR"))?;
    Ok(json!({"data": {root.key.clone(): connection(&page, &root.selection)}}))
}

/// The connection answer, projected on `sel` (already checked).
fn connection(page: &crate::workspace::Page, sel: &Selection) -> Value {
    let mut out = Map::new();
    for (name, sub) in &sel.0 {
        let value = match name.as_str() {
            "edges" => Value::Array(
                page.records
                    .iter()
                    .zip(&page.cursors)
                    .map(|(record, cursor)| {
                        let mut edge = Map::new();
                        for (field, fsub) in &sub.0 {
                            match field.as_str() {
                                "node" => {
                                    edge.insert(field.clone(), project(record, fsub));
                                }
                                "cursor" => {
                                    edge.insert(field.clone(), json!(cursor));
                                }
                                _ => {}
                            }
                        }
                        Value::Object(edge)
                    })
                    .collect(),
            ),
            "pageInfo" => {
                let mut info = Map::new();
                for (field, _) in &sub.0 {
                    let v = match field.as_str() {
                        "hasNextPage" => json!(page.has_next_page),
                        "hasPreviousPage" => json!(page.has_previous_page),
                        "startCursor" => json!(page.start_cursor),
                        "endCursor" => json!(page.end_cursor),
                        _ => continue,
                    };
                    info.insert(field.clone(), v);
                }
                Value::Object(info)
            }
            "totalCount" => json!(page.total_count),
            _ => continue,
        };
        out.insert(name.clone(), value);
    }
    Value::Object(out)
}

/// The GraphQL type name of a field type: `FULL_NAME` → `FullName`, `RICH_TEXT_V2` → `RichTextV2`.
fn type_name(field_type: &str) -> String {
    match field_type {
        "TEXT" | "SELECT" | "RICH_TEXT" => "String".into(),
        "NUMBER" | "NUMERIC" | "POSITION" => "Float".into(),
        "BOOLEAN" => "Boolean".into(),
        "RATING" => "String".into(),
        "DATE_TIME" => "DateTime".into(),
        "DATE" => "Date".into(),
        "UUID" => "UUID".into(),
        "RAW_JSON" => "RawJSONScalar".into(),
        "TS_VECTOR" => "TSVector".into(),
        other => other
            .split('_')
            .map(|w| capitalize(&w.to_lowercase()))
            .collect(),
    }
}

fn must_select(field: &str, type_name: &str) -> Value {
    validation_error(format!(
        "Field \"{field}\" of type \"{type_name}\" must have a selection of subfields. Did you mean \"{field} {{ ... }}\"?"
    ))
}

fn no_select(field: &str, type_name: &str) -> Value {
    validation_error(format!(
        "Field \"{field}\" must not have a selection since type \"{type_name}\" has no subfields."
    ))
}

fn unknown_field(field: &str, type_name: &str) -> Value {
    validation_error(format!(
        "Cannot query field \"{field}\" on type \"{type_name}\"."
    ))
}

/// Checks leaf fields of a fixed type (`PageInfo`…): known names, no sub-selection.
fn check_leaves(sel: &Selection, type_name: &str, leaves: &[(&str, &str)]) -> GqlResult<()> {
    for (name, sub) in &sel.0 {
        let Some((_, leaf_type)) = leaves
            .iter()
            .chain(&[("__typename", "String!")])
            .find(|(n, _)| n == name)
        else {
            return Err(unknown_field(name, type_name));
        };
        if !sub.0.is_empty() {
            return Err(no_select(name, leaf_type));
        }
    }
    Ok(())
}

/// Checks the selection of `{plural}` against the connection type; answers the render depth the
/// nodes need (1 when a many-to-one relation is selected).
fn check_connection(ws: &Workspace, object: &Object, root: &str, sel: &Selection) -> GqlResult<u8> {
    let singular = object.singular_capitalized();
    let conn = format!("{singular}Connection");
    if sel.0.is_empty() {
        return Err(must_select(root, &format!("{conn}!")));
    }
    let mut depth = 0;
    for (name, sub) in &sel.0 {
        match name.as_str() {
            "edges" => {
                let edge = format!("{singular}Edge");
                if sub.0.is_empty() {
                    return Err(must_select(name, &format!("[{edge}!]!")));
                }
                for (field, fsub) in &sub.0 {
                    match field.as_str() {
                        "node" => {
                            if fsub.0.is_empty() {
                                return Err(must_select(field, &format!("{singular}!")));
                            }
                            depth = depth.max(check_node(ws, object, fsub, true)?);
                        }
                        "cursor" | "__typename" if fsub.0.is_empty() => {}
                        "cursor" | "__typename" => return Err(no_select(field, "String!")),
                        _ => return Err(unknown_field(field, &edge)),
                    }
                }
            }
            "pageInfo" => {
                if sub.0.is_empty() {
                    return Err(must_select(name, "PageInfo!"));
                }
                check_leaves(
                    sub,
                    "PageInfo",
                    &[
                        ("hasNextPage", "Boolean"),
                        ("hasPreviousPage", "Boolean"),
                        ("startCursor", "ConnectionCursor"),
                        ("endCursor", "ConnectionCursor"),
                    ],
                )?;
            }
            "totalCount" | "__typename" if sub.0.is_empty() => {}
            "totalCount" => return Err(no_select(name, "Int!")),
            "__typename" => return Err(no_select(name, "String!")),
            _ => return Err(unknown_field(name, &conn)),
        }
    }
    Ok(depth)
}

/// Checks a node selection against the object's fields: plain fields and join columns are
/// leaves, composites need their sub-fields, a many-to-one relation (when `relations`) its
/// target's fields. Answers 1 when a relation is selected.
fn check_node(ws: &Workspace, object: &Object, sel: &Selection, relations: bool) -> GqlResult<u8> {
    let type_name_of_object = object.singular_capitalized();
    let mut depth = 0;
    for (name, sub) in &sel.0 {
        if name == "__typename" {
            if !sub.0.is_empty() {
                return Err(no_select(name, "String!"));
            }
            continue;
        }
        let Some(field) = object.field(name) else {
            if object.field_by_join_column(name).is_some() {
                if !sub.0.is_empty() {
                    return Err(no_select(name, "UUID"));
                }
                continue;
            }
            return Err(unknown_field(name, &type_name_of_object));
        };
        if let Some(rel) = &field.relation {
            let target = rel
                .target
                .as_deref()
                .and_then(|t| ws.schema.by_singular(t))
                .filter(|_| rel.is_many_to_one() && rel.join_column.is_some() && relations);
            let Some(target) = target else {
                return Err(validation_error(format!(
                    "twenty-sandbox does not resolve the relation \"{name}\" of \"{type_name_of_object}\" in queries (only many-to-one relations, one level)"
                )));
            };
            if sub.0.is_empty() {
                return Err(must_select(name, &target.singular_capitalized()));
            }
            check_node(ws, target, sub, false)?;
            depth = 1;
            continue;
        }
        if field.field_type == "FILES" {
            // `[FileObject]` (2.19 `files.object-type.ts`).
            if sub.0.is_empty() {
                return Err(must_select(name, "[FileObject]"));
            }
            check_leaves(
                sub,
                "FileObject",
                &[
                    ("fileId", "UUID!"),
                    ("label", "String!"),
                    ("extension", "String"),
                    ("url", "String"),
                ],
            )?;
            continue;
        }
        let type_name = type_name(&field.field_type);
        match composite_sub_fields(&field.field_type) {
            Some(subs) => {
                if sub.0.is_empty() {
                    return Err(must_select(name, &type_name));
                }
                for (s, ssub) in &sub.0 {
                    if s != "__typename" && !subs.iter().any(|(n, _)| n == s) {
                        return Err(unknown_field(s, &type_name));
                    }
                    if !ssub.0.is_empty() {
                        return Err(no_select(s, "String"));
                    }
                }
            }
            None if !sub.0.is_empty() => return Err(no_select(name, &type_name)),
            None => {}
        }
    }
    Ok(depth)
}

/// `orderBy`: `[{field: Direction}, {composite: {subField: Direction}}]` (or one such object) →
/// REST's `order_by` terms, with the `id` tiebreaker ([`parse_order_by`]).
fn order_by(value: &Value, object: &Object) -> GqlResult<Vec<crate::filter::OrderTerm>> {
    let items: Vec<&Value> = match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let invalid = || input_error(format!("Invalid orderBy: {value}"));
    let mut terms = Vec::new();
    for item in items {
        let Value::Object(m) = item else {
            return Err(invalid());
        };
        for (field, dir) in m {
            match dir {
                Value::String(d) => terms.push(format!("{field}[{d}]")),
                Value::Object(subs) => {
                    for (sub, d) in subs {
                        let d = d.as_str().ok_or_else(invalid)?;
                        terms.push(format!("{field}.{sub}[{d}]"));
                    }
                }
                _ => return Err(invalid()),
            }
        }
    }
    parse_order_by(Some(&terms.join(",")), object).map_err(|e| api_error(&e))
}

/// The object's filter input (a variable or an inline literal) → the sandbox's [`Filter`];
/// `None` for an empty filter (`{}`), which Twenty ignores.
fn graphql_filter(value: &Value, object: &Object) -> GqlResult<Option<Filter>> {
    if value.as_object().is_some_and(Map::is_empty) {
        return Ok(None);
    }
    convert_filter(value, object).map(Some)
}

fn convert_filter(value: &Value, object: &Object) -> GqlResult<Filter> {
    let Value::Object(map) = value else {
        return Err(input_error(format!(
            "Expected type \"{}FilterInput\" to be an object, got {value}.",
            object.singular_capitalized()
        )));
    };
    let mut items = Vec::new();
    for (key, v) in map {
        match key.as_str() {
            "and" | "or" => {
                // A single object stands for a list of one (GraphQL's input coercion).
                let list: Vec<&Value> = match v {
                    Value::Null => continue,
                    Value::Array(a) => a.iter().collect(),
                    other => vec![other],
                };
                let children = list
                    .into_iter()
                    .map(|f| convert_filter(f, object))
                    .collect::<GqlResult<Vec<_>>>()?;
                items.push(if key == "and" {
                    Filter::And(children)
                } else {
                    Filter::Or(children)
                });
            }
            "not" => {
                if v.is_null() {
                    continue;
                }
                items.push(Filter::Not(Box::new(convert_filter(v, object)?)));
            }
            field => items.push(field_filter(field, v, object)?),
        }
    }
    Ok(if items.len() == 1 {
        items.pop().unwrap_or(Filter::And(Vec::new()))
    } else {
        Filter::And(items)
    })
}

/// `field: {op: value}`, or `composite: {subField: {op: value}, …}` (sub-fields AND-ed).
fn field_filter(field: &str, value: &Value, object: &Object) -> GqlResult<Filter> {
    let definition = object.field(field);
    if definition.is_some_and(|f| f.is_relation()) {
        return Err(input_error(format!(
            "twenty-sandbox does not support filters through the relation \"{field}\": filter on its join column"
        )));
    }
    let path = vec![field.to_string()];
    check_path(&path, object).map_err(|e| api_error(&e))?;
    let Value::Object(ops) = value else {
        return Err(not_an_object(field));
    };
    if definition.is_some_and(|f| f.is_composite()) {
        let mut conds = Vec::new();
        for (sub, sub_value) in ops {
            let path = vec![field.to_string(), sub.clone()];
            check_path(&path, object).map_err(|e| api_error(&e))?;
            let Value::Object(sub_ops) = sub_value else {
                return Err(not_an_object(&path.join(".")));
            };
            conds.push(operator_filter(path, sub_ops, sub, false)?);
        }
        return Ok(if conds.len() == 1 {
            conds.pop().unwrap_or(Filter::And(Vec::new()))
        } else {
            Filter::And(conds)
        });
    }
    let uuid = field == "id"
        || object.field_by_join_column(field).is_some()
        || definition.is_some_and(|f| f.field_type == "UUID");
    operator_filter(path, ops, field, uuid)
}

fn not_an_object(field: &str) -> Value {
    input_error(format!(
        "Filter value for field \"{field}\" must be an object"
    ))
}

/// `{op: value}` on `path`; `key` names the field in the empty-`in` message (Twenty's field
/// parser names the sub-field of a composite), `uuid` for `id` and join columns.
fn operator_filter(
    path: Vec<String>,
    ops: &Map<String, Value>,
    key: &str,
    uuid: bool,
) -> GqlResult<Filter> {
    let dotted = path.join(".");
    let mut entries = ops.iter();
    let (Some((op_name, value)), None) = (entries.next(), entries.next()) else {
        return Err(input_error(format!(
            "Filter for field \"{dotted}\" must have exactly one operator"
        )));
    };
    let Some(op) = Op::parse(op_name) else {
        if UNSUPPORTED_OPERATORS.contains(&op_name.as_str()) {
            return Err(input_error(format!(
                "twenty-sandbox does not support the filter operator \"{op_name}\" (field \"{dotted}\")"
            )));
        }
        return Err(input_error(format!(
            "Field \"{op_name}\" is not defined by the filter type of \"{dotted}\"."
        )));
    };
    let scalar = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    };
    let type_of = |v: &Value| match v {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        _ => "object",
    };
    let values: Vec<String> = match op {
        Op::Is => match value.as_str() {
            Some(s @ ("NULL" | "NOT_NULL")) => vec![s.to_string()],
            _ => {
                return Err(input_error(
                    "Invalid filter value for \"is\" operator. Expected \"NULL\" or \"NOT_NULL\""
                        .into(),
                ));
            }
        },
        Op::In | Op::ContainsAny => {
            let Value::Array(items) = value else {
                return Err(input_error(format!(
                    "Filter operator \"{op_name}\" requires an array value for field {dotted}"
                )));
            };
            if items.is_empty() && op == Op::In {
                return Err(input_error(format!(
                    "Invalid filter value for field {key}. Expected non-empty array"
                )));
            }
            items
                .iter()
                .map(|v| {
                    scalar(v).ok_or_else(|| {
                        input_error(format!(
                            "Filter operator \"{op_name}\" takes a list of strings, numbers or booleans for field {dotted}, got {v}"
                        ))
                    })
                })
                .collect::<GqlResult<_>>()?
        }
        Op::Like | Op::Ilike | Op::StartsWith => match value {
            Value::String(s) => vec![s.clone()],
            other => {
                return Err(input_error(format!(
                    "Filter operator \"{op_name}\" requires a string value for field \"{dotted}\", got {}",
                    type_of(other)
                )));
            }
        },
        _ => match value {
            // SQL `= NULL` (and `<> NULL`, `> NULL`…) is never true; the condition still names
            // the field, for `deletedAt` and the trash.
            Value::Null => {
                return Ok(Filter::And(vec![
                    Filter::cond(path.clone(), Op::Is, vec!["NULL".into()]),
                    Filter::cond(path, Op::Is, vec!["NOT_NULL".into()]),
                ]));
            }
            other => vec![scalar(other).ok_or_else(|| {
                input_error(format!(
                    "Filter operator \"{op_name}\" takes a string, number or boolean for field \"{dotted}\", got {other}"
                ))
            })?],
        },
    };
    let values = if uuid && op != Op::Is {
        values
            .into_iter()
            .map(|v| {
                if v.len() == 36 && uuid::Uuid::parse_str(&v).is_ok() {
                    Ok(v.to_lowercase())
                } else {
                    Err(input_error(format!("Value \"{v}\" is not a valid UUID")))
                }
            })
            .collect::<GqlResult<_>>()?
    } else {
        values
    };
    Ok(Filter::cond(path, op, values))
}

// ----- mutations -------------------------------------------------------------------------------

fn unsupported_root(root: &str) -> Value {
    graphql_error(
        format!(
            "twenty-sandbox only supports createX/createXs and deleteXs/destroyXs/restoreXs(filter) mutations and {{plural}}(filter, first, after) queries, not \"{root}\""
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
        Ok(mut records) => {
            if let Some(object) = ws.schema.by_plural(&plural)
                && let Err(m) = ws.legacy_sign_attachments(object, &mut records)
            {
                return graphql_error(m, "INTERNAL_SERVER_ERROR");
            }
            json!({"data": {root: project(&Value::Array(records), selection)}})
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

    use crate::profile::ProfileKind;

    fn workspace(kind: ProfileKind) -> Workspace {
        Workspace::open(":memory:", kind, "tests").unwrap()
    }

    fn root_of(q: &str, vars: Value) -> GqlResult<RootField> {
        parse_document(&tokenize(q), &vars)
    }

    fn message_of(e: &Value) -> (String, String) {
        (
            e["errors"][0]["message"].as_str().unwrap().to_string(),
            e["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap()
                .to_string(),
        )
    }

    const LOOKUP: &str = "query($f:PersonFilterInput,$a:String){people(filter:$f,first:200,after:$a){edges{node{id sourceRecordId}}pageInfo{hasNextPage endCursor}}}";

    #[test]
    fn parses_query_operations_and_their_root_field() {
        let f = json!({"or": [{"id": {"in": ["x"]}}]});
        let r = root_of(LOOKUP, json!({"f": f, "a": null})).unwrap();
        assert_eq!(r.kind, OperationKind::Query);
        assert_eq!((r.key.as_str(), r.name.as_str()), ("people", "people"));
        assert_eq!(r.args["filter"], f);
        assert_eq!(r.args["first"], json!(200));
        assert_eq!(r.args["after"], Value::Null);
        assert!(r.inline.is_empty());
        let names: Vec<&str> = r.selection.0.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["edges", "pageInfo"]);
        // `after` left out of the variables reads as null too.
        let r = root_of(LOOKUP, json!({"f": f})).unwrap();
        assert_eq!(r.args["after"], Value::Null);

        // Named, with default values and directives in the header; an alias; a comment.
        let q = "query Lookup($f: PersonFilterInput = {}, $n: Int = 5) @live {\n  # the page\n  found: people(filter: $f, first: $n) { totalCount }\n}";
        let r = root_of(q, json!({"n": 2})).unwrap();
        assert_eq!((r.key.as_str(), r.name.as_str()), ("found", "people"));
        assert_eq!(r.args["first"], json!(2));
        assert_eq!(r.args["filter"], Value::Null);

        // The anonymous shorthand is a query; inline literals are read (enums as strings).
        let q = r#"{ people(filter: {name: {firstName: {eq: "A \"B\""}}, deletedAt: {is: NOT_NULL}}, orderBy: [{createdAt: DescNullsLast}], first: 3) { totalCount } }"#;
        let r = root_of(q, json!({})).unwrap();
        assert_eq!(r.kind, OperationKind::Query);
        assert_eq!(
            r.args["filter"],
            json!({"name": {"firstName": {"eq": "A \"B\""}}, "deletedAt": {"is": "NOT_NULL"}})
        );
        assert_eq!(r.args["orderBy"], json!([{"createdAt": "DescNullsLast"}]));
        assert_eq!(r.inline, ["filter", "orderBy"]);

        // Mutations are told apart from queries.
        let m = root_of(
            "mutation($d:[PersonCreateInput!]!){createPeople(data:$d){id}}",
            json!({"d": []}),
        )
        .unwrap();
        assert_eq!(m.kind, OperationKind::Mutation);
        assert_eq!(m.args["data"], json!([]));

        // Errors.
        let two = root_of(
            "{ people { totalCount } companies { totalCount } }",
            json!({}),
        );
        assert_eq!(message_of(&two.unwrap_err()).1, "GRAPHQL_VALIDATION_FAILED");
        for bad in [
            "",
            "people { id }",
            "query",
            "{ people(first: ) { id } }",
            "{ }",
        ] {
            let e = root_of(bad, json!({})).unwrap_err();
            assert_eq!(message_of(&e).1, "GRAPHQL_PARSE_FAILED", "{bad}");
        }
        let sub = root_of("subscription { onPerson { id } }", json!({})).unwrap_err();
        assert_eq!(message_of(&sub).1, "GRAPHQL_VALIDATION_FAILED");
    }

    fn person() -> Object {
        workspace(ProfileKind::Twenty2)
            .schema
            .by_plural("people")
            .unwrap()
            .clone()
    }

    fn record(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn converts_filters_to_the_rest_filter() {
        let o = person();
        let a = "AAAAAAAA-1111-4111-8111-111111111111";
        let ada = record(json!({
            "id": a.to_lowercase(), "jobTitle": "CTO", "deletedAt": null, "companyId": null,
            "name": {"firstName": "Ada", "lastName": "Lovelace"},
            "emails": {"primaryEmail": "ada@acme.com", "additionalEmails": []},
            "linkedinLink": {"primaryLinkUrl": "", "primaryLinkLabel": "", "secondaryLinks": []}
        }));
        let mut trashed = ada.clone();
        trashed.insert("deletedAt".into(), json!("2026-01-01T00:00:00.000Z"));
        let check = |f: Value, on: &Map<String, Value>| -> bool {
            graphql_filter(&f, &o).unwrap().unwrap().matches(on)
        };
        let yes = [
            json!({"emails": {"primaryEmail": {"in": ["bob@x.com", "ada@acme.com"]}}}),
            json!({"or": [{"jobTitle": {"in": ["CEO"]}}, {"emails": {"primaryEmail": {"in": ["ada@acme.com"]}}}]}),
            json!({"id": {"in": [a]}}),
            json!({"id": {"eq": a}}),
            json!({"name": {"firstName": {"eq": "Ada"}, "lastName": {"like": "Love%"}}}),
            json!({"and": [{"jobTitle": {"startsWith": "C"}}, {"not": {"jobTitle": {"eq": "CEO"}}}]}),
            json!({"not": {"jobTitle": {"ilike": "%ceo%"}}}),
            json!({"companyId": {"is": "NULL"}, "jobTitle": {"neq": "CEO"}}),
            json!({"and": {"jobTitle": {"gte": "CTO"}}}),
        ];
        for f in yes {
            assert!(check(f.clone(), &ada), "{f} should match");
        }
        let no = [
            json!({"emails": {"primaryEmail": {"in": ["bob@x.com"]}}}),
            json!({"name": {"firstName": {"eq": "Ada"}, "lastName": {"eq": "Byron"}}}),
            json!({"or": [{"jobTitle": {"eq": "CEO"}}, {"id": {"eq": "bbbbbbbb-1111-4111-8111-111111111111"}}]}),
            json!({"not": {"jobTitle": {"eq": "CTO"}}}),
            json!({"jobTitle": {"eq": null}}),
            json!({"deletedAt": {"is": "NOT_NULL"}}),
        ];
        for f in no {
            assert!(!check(f.clone(), &ada), "{f} should not match");
        }
        // The trash variant: names deletedAt (so soft-deleted records are read) and matches only
        // the soft-deleted ones.
        let trash = json!({"and": [{"deletedAt": {"is": "NOT_NULL"}}, {"or": [{"emails": {"primaryEmail": {"in": ["ada@acme.com"]}}}]}]});
        let f = graphql_filter(&trash, &o).unwrap().unwrap();
        assert!(f.mentions("deletedAt"));
        assert!(f.matches(&trashed) && !f.matches(&ada));
        let null_eq = graphql_filter(&json!({"deletedAt": {"eq": null}}), &o)
            .unwrap()
            .unwrap();
        assert!(null_eq.mentions("deletedAt") && !null_eq.matches(&ada));
        // An empty filter is no filter.
        assert!(graphql_filter(&json!({}), &o).unwrap().is_none());
        // The shapes of the AST.
        match graphql_filter(
            &json!({"name": {"firstName": {"eq": "A"}, "lastName": {"eq": "B"}}}),
            &o,
        )
        .unwrap()
        .unwrap()
        {
            Filter::And(items) => assert_eq!(items.len(), 2),
            other => panic!("{other:?}"),
        }
        match graphql_filter(&json!({"id": {"in": [a]}}), &o)
            .unwrap()
            .unwrap()
        {
            Filter::Cond {
                path, op, values, ..
            } => {
                assert_eq!((path, op), (vec!["id".to_string()], Op::In));
                assert_eq!(values, [a.to_lowercase()], "UUIDs compare lower-cased");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_bad_filters_with_twentys_messages() {
        let o = person();
        let refused =
            |f: Value| -> (String, String) { message_of(&graphql_filter(&f, &o).unwrap_err()) };
        let bad_input = |f: Value, text: &str| {
            assert_eq!(
                refused(f.clone()),
                (text.to_string(), "BAD_USER_INPUT".to_string()),
                "{f}"
            );
        };
        bad_input(
            json!({"nope": {"eq": "x"}}),
            "field 'nope' does not exist in 'person' object",
        );
        bad_input(
            json!({"or": [{"emails": {"nope": {"eq": "x"}}}]}),
            "field 'emails.nope' does not exist in 'person' object",
        );
        bad_input(
            json!({"not": {"sourceRecordId": {"in": ["x"]}}}),
            "field 'sourceRecordId' does not exist in 'person' object",
        );
        bad_input(
            json!({"jobTitle": "CTO"}),
            "Filter value for field \"jobTitle\" must be an object",
        );
        bad_input(
            json!({"emails": {"primaryEmail": "a"}}),
            "Filter value for field \"emails.primaryEmail\" must be an object",
        );
        bad_input(
            json!({"jobTitle": {"gt": "A", "lt": "D"}}),
            "Filter for field \"jobTitle\" must have exactly one operator",
        );
        bad_input(
            json!({"jobTitle": {}}),
            "Filter for field \"jobTitle\" must have exactly one operator",
        );
        bad_input(
            json!({"emails": {"primaryEmail": {"in": []}}}),
            "Invalid filter value for field primaryEmail. Expected non-empty array",
        );
        bad_input(
            json!({"id": {"in": []}}),
            "Invalid filter value for field id. Expected non-empty array",
        );
        bad_input(
            json!({"jobTitle": {"in": "CTO"}}),
            "Filter operator \"in\" requires an array value for field jobTitle",
        );
        bad_input(
            json!({"deletedAt": {"is": "EMPTY"}}),
            "Invalid filter value for \"is\" operator. Expected \"NULL\" or \"NOT_NULL\"",
        );
        bad_input(
            json!({"jobTitle": {"like": 3}}),
            "Filter operator \"like\" requires a string value for field \"jobTitle\", got number",
        );
        bad_input(
            json!({"id": {"in": ["c2t-probe"]}}),
            "Value \"c2t-probe\" is not a valid UUID",
        );
        bad_input(
            json!({"companyId": {"eq": "nope"}}),
            "Value \"nope\" is not a valid UUID",
        );
        bad_input(
            json!(["x"]),
            "Expected type \"PersonFilterInput\" to be an object, got [\"x\"].",
        );
        let (m, code) = refused(json!({"jobTitle": {"endsWith": "O"}}));
        assert!(
            m.contains("does not support the filter operator \"endsWith\""),
            "{m}"
        );
        assert_eq!(code, "BAD_USER_INPUT");
        let (m, _) = refused(json!({"jobTitle": {"equals": "O"}}));
        assert!(m.starts_with("Field \"equals\" is not defined"), "{m}");
        let (m, _) = refused(json!({"company": {"name": {"eq": "Acme"}}}));
        assert!(m.contains("through the relation \"company\""), "{m}");
    }

    fn sel(q: &str) -> Selection {
        let t = tokenize(q);
        parse_selection(&t, &mut 0)
    }

    #[test]
    fn checks_selections_against_the_object() {
        let ws = workspace(ProfileKind::Twenty2);
        let o = ws.schema.by_plural("people").unwrap();
        let check = |q: &str| check_connection(&ws, o, "people", &sel(q));
        assert_eq!(
            check("{ edges { node { id name { firstName } emails { primaryEmail } companyId } cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount __typename }").unwrap(),
            0
        );
        assert_eq!(
            check("{ edges { node { id company { id name domainName { primaryLinkUrl } } } } }")
                .unwrap(),
            1,
            "a many-to-one relation is rendered"
        );
        let failed = |q: &str, text: &str| {
            let e = check(q).unwrap_err();
            assert_eq!(
                message_of(&e),
                (text.to_string(), "GRAPHQL_VALIDATION_FAILED".to_string()),
                "{q}"
            );
        };
        failed(
            "{ edges { node { id nope } } }",
            "Cannot query field \"nope\" on type \"Person\".",
        );
        failed(
            "{ edges { node { sourceRecordId } } }",
            "Cannot query field \"sourceRecordId\" on type \"Person\".",
        );
        failed(
            "{ edges { node { emails { primaryEmail nope } } } }",
            "Cannot query field \"nope\" on type \"Emails\".",
        );
        failed(
            "{ edges { node { name } } }",
            "Field \"name\" of type \"FullName\" must have a selection of subfields. Did you mean \"name { ... }\"?",
        );
        failed(
            "{ edges { node { id { x } } } }",
            "Field \"id\" must not have a selection since type \"UUID\" has no subfields.",
        );
        failed(
            "{ edges { node { company { nope } } } }",
            "Cannot query field \"nope\" on type \"Company\".",
        );
        failed(
            "{ edges { node } }",
            "Field \"node\" of type \"Person!\" must have a selection of subfields. Did you mean \"node { ... }\"?",
        );
        failed(
            "{ edges { node { id } nope } }",
            "Cannot query field \"nope\" on type \"PersonEdge\".",
        );
        failed(
            "{ pageInfo { hasNextPage count } }",
            "Cannot query field \"count\" on type \"PageInfo\".",
        );
        failed(
            "{ nodes { id } }",
            "Cannot query field \"nodes\" on type \"PersonConnection\".",
        );
        failed(
            "{}",
            "Field \"people\" of type \"PersonConnection!\" must have a selection of subfields. Did you mean \"people { ... }\"?",
        );
        let e = check("{ edges { node { noteTargets { edges { node { id } } } } } }").unwrap_err();
        assert!(
            message_of(&e)
                .0
                .contains("does not resolve the relation \"noteTargets\"")
        );
    }

    /// The lookup the importer sends, answered by [`handle`]: pages of `first: 2` through an
    /// `in` on ids and e-mails, every match once; then the errors of the query path.
    #[test]
    fn answers_list_queries_page_by_page() {
        let mut ws = workspace(ProfileKind::Twenty2);
        let opts = RouteOptions {
            batch_max: None,
            mutation_max: None,
        };
        let rows: Vec<Value> = (0..7)
            .map(|i| {
                json!({"name": {"firstName": format!("P{i}"), "lastName": "T"},
                       "emails": {"primaryEmail": format!("p{i}@x.com")}})
            })
            .collect();
        let created = ws.create_many("people", &rows, false).unwrap();
        let id = |i: usize| created[i]["id"].as_str().unwrap().to_string();
        let q = "query($f:PersonFilterInput,$a:String){people(filter:$f,first:2,after:$a){edges{node{id emails{primaryEmail}} cursor}pageInfo{hasNextPage hasPreviousPage startCursor endCursor} totalCount}}";
        let filter = json!({"or": [
            {"id": {"in": [id(0), id(1).to_uppercase(), "0b9c0f5e-0000-4000-8000-000000000000"]}},
            {"emails": {"primaryEmail": {"in": ["p1@x.com", "p4@x.com", "p6@x.com", "nobody@x.com"]}}}
        ]});
        let mut expected = vec![id(0), id(1), id(4), id(6)];
        expected.sort();
        let mut seen = Vec::new();
        let mut after = Value::Null;
        for page in 0..10 {
            assert!(page < 5, "the cursor does not advance");
            let a = handle(
                &mut ws,
                opts,
                &json!({"query": q, "variables": {"f": filter, "a": after}}),
            );
            let conn = &a["data"]["people"];
            assert_eq!(conn["totalCount"], 4, "every match, on each page: {a}");
            let edges = conn["edges"].as_array().unwrap();
            for e in edges {
                assert_eq!(e["node"].as_object().unwrap().len(), 2, "projected: {e}");
                seen.push(e["node"]["id"].as_str().unwrap().to_string());
            }
            assert_eq!(conn["pageInfo"]["hasPreviousPage"], false);
            assert_eq!(conn["pageInfo"]["startCursor"], edges[0]["cursor"]);
            assert_eq!(
                conn["pageInfo"]["endCursor"],
                edges[edges.len() - 1]["cursor"]
            );
            if conn["pageInfo"]["hasNextPage"] == false {
                assert_eq!(page, 1);
                break;
            }
            after = conn["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen, expected, "sorted by id, each match once");

        // No filter, no first: every record (fewer than QUERY_MAX_RECORDS) on one page.
        let all = handle(
            &mut ws,
            opts,
            &json!({"query": "{ people { totalCount pageInfo { hasNextPage endCursor } edges { cursor } } }"}),
        );
        assert_eq!(all["data"]["people"]["totalCount"], 7);
        assert_eq!(all["data"]["people"]["edges"].as_array().unwrap().len(), 7);
        assert_eq!(all["data"]["people"]["pageInfo"]["hasNextPage"], false);
        // An empty page: null cursors.
        let none = handle(
            &mut ws,
            opts,
            &json!({"query": q, "variables": {"f": {"jobTitle": {"eq": "nobody"}}}}),
        );
        assert_eq!(
            none["data"]["people"],
            json!({"edges": [], "pageInfo": {"hasNextPage": false, "hasPreviousPage": false, "startCursor": null, "endCursor": null}, "totalCount": 0})
        );

        let failed = |ws: &mut Workspace, body: Value| message_of(&handle(ws, opts, &body));
        assert_eq!(
            failed(&mut ws, json!({"query": "{ widgets { totalCount } }"})),
            (
                "Cannot query field \"widgets\" on type \"Query\".".into(),
                "GRAPHQL_VALIDATION_FAILED".into()
            )
        );
        assert_eq!(
            failed(
                &mut ws,
                json!({"query": "{ createPeople(data: []) { id } }"})
            )
            .0,
            "Cannot query field \"createPeople\" on type \"Query\"."
        );
        assert_eq!(
            failed(
                &mut ws,
                json!({"query": "{ people(limit: 3) { totalCount } }"})
            )
            .0,
            "Unknown argument \"limit\" on field \"Query.people\"."
        );
        assert_eq!(
            failed(
                &mut ws,
                json!({"query": "{ people(first: 2, last: 2) { totalCount } }"})
            ),
            (
                "Cannot provide both first and last".into(),
                "BAD_USER_INPUT".into()
            )
        );
        assert_eq!(
            failed(
                &mut ws,
                json!({"query": "{ people(first: -1) { totalCount } }"})
            )
            .0,
            "First argument must be non-negative"
        );
        assert_eq!(
            failed(
                &mut ws,
                json!({"query": "{ people(after: \"bm9wZQ==\") { totalCount } }"})
            )
            .1,
            "BAD_USER_INPUT"
        );
        assert_eq!(
            failed(
                &mut ws,
                json!({"query": q, "variables": {"f": {"nope": {"eq": 1}}}})
            ),
            (
                "field 'nope' does not exist in 'person' object".into(),
                "BAD_USER_INPUT".into()
            )
        );
        assert_eq!(
            failed(
                &mut ws,
                json!({"query": "{ people(before: \"x\") { totalCount } }"})
            )
            .1,
            "GRAPHQL_VALIDATION_FAILED"
        );
    }

    /// The unique indexes narrow a lookup to its candidates: the same answer as trying every
    /// record (a `not(not(…))` filter, which does not narrow), live and in the trash.
    #[test]
    fn index_lookups_answer_like_a_full_scan() {
        let mut ws = workspace(ProfileKind::Twenty2);
        let rows: Vec<Value> = (0..30)
            .map(|i| {
                let mut p = json!({"name": {"firstName": format!("P{i}"), "lastName": "T"}});
                if i % 3 != 0 {
                    p["emails"] = json!({"primaryEmail": format!("p{i}@x.com")});
                }
                p
            })
            .collect();
        let created = ws.create_many("people", &rows, false).unwrap();
        for r in created.iter().take(8) {
            ws.delete_one("people", r["id"].as_str().unwrap(), true)
                .unwrap();
        }
        let object = ws.schema.by_plural("people").unwrap().clone();
        let emails: Vec<String> = (0..40).map(|i| format!("p{i}@x.com")).collect();
        let ids: Vec<&str> = created
            .iter()
            .step_by(4)
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        for f in [
            json!({"emails": {"primaryEmail": {"in": emails}}}),
            json!({"or": [{"id": {"in": ids}}, {"emails": {"primaryEmail": {"eq": "p5@x.com"}}}]}),
            json!({"and": [{"deletedAt": {"is": "NOT_NULL"}}, {"emails": {"primaryEmail": {"in": emails}}}]}),
            json!({"and": [{"name": {"firstName": {"like": "P1%"}}}, {"id": {"in": ids}}]}),
        ] {
            let run = |f: Value| {
                let query = ListQuery {
                    filter: graphql_filter(&f, &object).unwrap(),
                    order: parse_order_by(None, &object).unwrap(),
                    limit: 1000,
                    after: None,
                    before: None,
                    depth: 0,
                };
                let page = ws.list_query(&object, &query).unwrap();
                page.records
                    .iter()
                    .map(|r| r["id"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
            };
            let narrowed = run(f.clone());
            let scanned = run(json!({"not": {"not": f.clone()}}));
            assert!(!narrowed.is_empty(), "{f}");
            assert_eq!(narrowed, scanned, "{f}");
        }
    }
}
