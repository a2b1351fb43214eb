//! REST `filter` and `order_by` query parameters: parsing and evaluation.
//!
//! Syntax (contract doc §1.3): `field[op]:value`, several clauses separated by commas are AND-ed,
//! `and(…)`, `or(…)`, `not(…)` nest, sub-fields use dots (`emails.primaryEmail[eq]:"a@b.c"`).
//! Operators: `eq`, `neq`, `in`, `is` (`NULL` / `NOT_NULL`), `gt`, `gte`, `lt`, `lte`, `like`,
//! `ilike`, `startsWith`, `containsAny`. Values may be double-quoted; lists are `[a,b]`.
//! Evaluation runs on the rendered record, so defaults of fields never written are seen as Twenty
//! answers them. Comparisons follow SQL: a NULL matches nothing but `is:NULL`.
//!
//! The same [`Filter`] serves GraphQL list queries (`people(filter: $f)`, built by
//! [`crate::graphql`] from the filter variable). The values of an `in` / `containsAny` condition
//! are also kept in a hash set ([`Filter::cond`]), so a lookup of thousands of keys over a large
//! table costs one hash probe per record, not one comparison per key.

use std::cmp::Ordering;
use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::errors::{ApiError, ApiResult};
use crate::schema::{Object, composite_sub_fields};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Neq,
    In,
    Is,
    Gt,
    Gte,
    Lt,
    Lte,
    Like,
    Ilike,
    StartsWith,
    ContainsAny,
}

impl Op {
    /// The operator of a REST `[op]` or a GraphQL filter key (`eq`, `in`, `startsWith`…).
    pub fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "eq" => Op::Eq,
            "neq" => Op::Neq,
            "in" => Op::In,
            "is" => Op::Is,
            "gt" => Op::Gt,
            "gte" => Op::Gte,
            "lt" => Op::Lt,
            "lte" => Op::Lte,
            "like" => Op::Like,
            "ilike" => Op::Ilike,
            "startsWith" => Op::StartsWith,
            "containsAny" => Op::ContainsAny,
            _ => return None,
        })
    }
}

/// A parsed filter expression.
#[derive(Debug, Clone)]
pub enum Filter {
    /// All must match.
    And(Vec<Filter>),
    /// One must match.
    Or(Vec<Filter>),
    /// Must not match.
    Not(Box<Filter>),
    /// `path[op]:values` (one value, or several for `in` / `containsAny`). Build it with
    /// [`Filter::cond`], which fills `set`.
    Cond {
        /// Field, or field and sub-field of a composite.
        path: Vec<String>,
        /// The comparison.
        op: Op,
        /// The literals, as written.
        values: Vec<String>,
        /// `values` as a set for `in` / `containsAny` (empty for other operators).
        set: HashSet<String>,
    },
}

impl Filter {
    /// A condition; the values of `in` / `containsAny` are also put in a set for the lookups.
    pub fn cond(path: Vec<String>, op: Op, values: Vec<String>) -> Filter {
        let set = match op {
            Op::In | Op::ContainsAny => values.iter().cloned().collect(),
            _ => HashSet::new(),
        };
        Filter::Cond {
            path,
            op,
            values,
            set,
        }
    }

    /// Whether any condition of the filter reads `field`.
    pub fn mentions(&self, field: &str) -> bool {
        match self {
            Filter::And(v) | Filter::Or(v) => v.iter().any(|f| f.mentions(field)),
            Filter::Not(f) => f.mentions(field),
            Filter::Cond { path, .. } => path.first().is_some_and(|p| p == field),
        }
    }

    /// Evaluates the filter on a rendered record.
    pub fn matches(&self, record: &Map<String, Value>) -> bool {
        match self {
            Filter::And(v) => v.iter().all(|f| f.matches(record)),
            Filter::Or(v) => v.iter().any(|f| f.matches(record)),
            Filter::Not(f) => !f.matches(record),
            Filter::Cond {
                path,
                op,
                values,
                set,
            } => {
                let value = lookup(record, path);
                eval(value, *op, values, set)
            }
        }
    }
}

fn lookup<'r>(record: &'r Map<String, Value>, path: &[String]) -> &'r Value {
    let mut cur = record.get(&path[0]).unwrap_or(&Value::Null);
    for p in &path[1..] {
        cur = cur.get(p).unwrap_or(&Value::Null);
    }
    cur
}

fn eval(value: &Value, op: Op, values: &[String], set: &HashSet<String>) -> bool {
    let first = values.first().map(String::as_str).unwrap_or("");
    match op {
        Op::Is => match first.to_ascii_uppercase().as_str() {
            "NULL" => value.is_null(),
            "NOT_NULL" => !value.is_null(),
            _ => false,
        },
        _ if value.is_null() => false,
        Op::Eq => cmp_scalar(value, first) == Some(Ordering::Equal),
        Op::Neq => cmp_scalar(value, first).is_some_and(|o| o != Ordering::Equal),
        // A string equals a literal exactly when `cmp_scalar` says so (code-point order): one
        // probe of the set. Numbers and booleans compare by type, literal by literal.
        Op::In => match value {
            Value::String(s) => set.contains(s.as_str()),
            _ => values
                .iter()
                .any(|v| cmp_scalar(value, v) == Some(Ordering::Equal)),
        },
        Op::Gt => cmp_scalar(value, first) == Some(Ordering::Greater),
        Op::Gte => matches!(
            cmp_scalar(value, first),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        Op::Lt => cmp_scalar(value, first) == Some(Ordering::Less),
        Op::Lte => matches!(
            cmp_scalar(value, first),
            Some(Ordering::Less | Ordering::Equal)
        ),
        Op::Like => value.as_str().is_some_and(|s| like(s, first)),
        Op::Ilike => value
            .as_str()
            .is_some_and(|s| like(&s.to_lowercase(), &first.to_lowercase())),
        Op::StartsWith => value.as_str().is_some_and(|s| s.starts_with(first)),
        Op::ContainsAny => value.as_array().is_some_and(|items| {
            items
                .iter()
                .any(|i| i.as_str().is_some_and(|s| set.contains(s)))
        }),
    }
}

/// Compares a record value with a filter literal, in the record value's type.
fn cmp_scalar(value: &Value, literal: &str) -> Option<Ordering> {
    match value {
        Value::Number(n) => {
            let a = n.as_f64()?;
            let b = literal.trim().parse::<f64>().ok()?;
            a.partial_cmp(&b)
        }
        Value::Bool(b) => {
            let l = match literal {
                "true" => true,
                "false" => false,
                _ => return None,
            };
            Some(b.cmp(&l))
        }
        Value::String(s) => Some(s.as_str().cmp(literal)),
        _ => None,
    }
}

/// SQL LIKE with `%` and `_`.
fn like(text: &str, pattern: &str) -> bool {
    fn go(t: &[char], p: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('%') => (0..=t.len()).any(|i| go(&t[i..], &p[1..])),
            Some('_') => !t.is_empty() && go(&t[1..], &p[1..]),
            Some(c) => t.first() == Some(c) && go(&t[1..], &p[1..]),
        }
    }
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    go(&t, &p)
}

/// Parses a `filter` parameter and checks its fields against the object.
pub fn parse_filter(input: &str, object: &Object) -> ApiResult<Filter> {
    let mut parser = Parser {
        s: input.as_bytes(),
        i: 0,
        text: input,
    };
    let items = parser.list()?;
    parser.skip_ws();
    if parser.i != parser.s.len() {
        return Err(parser.error("unexpected text"));
    }
    let filter = if items.len() == 1 {
        items.into_iter().next().unwrap_or(Filter::And(vec![]))
    } else {
        Filter::And(items)
    };
    check_fields(&filter, object)?;
    Ok(filter)
}

fn check_fields(filter: &Filter, object: &Object) -> ApiResult<()> {
    match filter {
        Filter::And(v) | Filter::Or(v) => v.iter().try_for_each(|f| check_fields(f, object)),
        Filter::Not(f) => check_fields(f, object),
        Filter::Cond { path, .. } => check_path(path, object),
    }
}

/// Checks that a dotted path names a column (and a sub-field of a composite) of the object.
pub fn check_path(path: &[String], object: &Object) -> ApiResult<()> {
    let name = &path[0];
    if !object.has_column(name) {
        return Err(ApiError::bad_request(format!(
            "field '{name}' does not exist in '{}' object",
            object.name_singular
        ))
        .with_code("INVALID_QUERY_INPUT"));
    }
    if path.len() > 1 {
        let ok = object
            .field(name)
            .and_then(|f| composite_sub_fields(&f.field_type))
            .is_some_and(|subs| path.len() == 2 && subs.iter().any(|(s, _)| *s == path[1]));
        if !ok {
            return Err(ApiError::bad_request(format!(
                "field '{}' does not exist in '{}' object",
                path.join("."),
                object.name_singular
            ))
            .with_code("INVALID_QUERY_INPUT"));
        }
    }
    Ok(())
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> ApiError {
        ApiError::bad_request(format!(
            "Invalid filter '{}': {what} at position {}",
            self.text, self.i
        ))
        .with_code("INVALID_QUERY_INPUT")
    }

    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn list(&mut self) -> ApiResult<Vec<Filter>> {
        let mut items = vec![self.item()?];
        while self.eat(b',') {
            items.push(self.item()?);
        }
        Ok(items)
    }

    fn item(&mut self) -> ApiResult<Filter> {
        self.skip_ws();
        for (kw, kind) in [("and(", 0), ("or(", 1), ("not(", 2)] {
            if self.text[self.i..].starts_with(kw) {
                self.i += kw.len();
                let items = self.list()?;
                if !self.eat(b')') {
                    return Err(self.error("missing ')'"));
                }
                return Ok(match kind {
                    0 => Filter::And(items),
                    1 => Filter::Or(items),
                    _ => Filter::Not(Box::new(if items.len() == 1 {
                        items.into_iter().next().unwrap_or(Filter::And(vec![]))
                    } else {
                        Filter::And(items)
                    })),
                });
            }
        }
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i] != b'[' {
            self.i += 1;
        }
        let path_text = self.text[start..self.i].trim();
        if path_text.is_empty() || self.i >= self.s.len() {
            return Err(self.error("expected field[operator]:value"));
        }
        self.i += 1;
        let op_start = self.i;
        while self.i < self.s.len() && self.s[self.i] != b']' {
            self.i += 1;
        }
        let op_text = &self.text[op_start..self.i];
        let op = Op::parse(op_text)
            .ok_or_else(|| self.error(&format!("unknown operator '{op_text}'")))?;
        self.i += 1;
        if !self.eat(b':') {
            return Err(self.error("expected ':'"));
        }
        self.skip_ws();
        let values = if self.s.get(self.i) == Some(&b'[') {
            self.i += 1;
            let mut vals = Vec::new();
            loop {
                self.skip_ws();
                if self.eat(b']') {
                    break;
                }
                vals.push(self.value(b",]")?);
                self.skip_ws();
                if self.eat(b']') {
                    break;
                }
                if !self.eat(b',') {
                    return Err(self.error("expected ',' or ']'"));
                }
            }
            vals
        } else {
            vec![self.value(b",)")?]
        };
        Ok(Filter::cond(
            path_text.split('.').map(String::from).collect(),
            op,
            values,
        ))
    }

    fn value(&mut self, stops: &[u8]) -> ApiResult<String> {
        self.skip_ws();
        if self.s.get(self.i) == Some(&b'"') {
            self.i += 1;
            let mut out = String::new();
            let mut chars = self.text[self.i..].char_indices();
            while let Some((off, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            out.push(n);
                        }
                    }
                    '"' => {
                        self.i += off + 1;
                        return Ok(out);
                    }
                    _ => out.push(c),
                }
            }
            Err(self.error("unterminated string"))
        } else {
            let start = self.i;
            while self.i < self.s.len() && !stops.contains(&self.s[self.i]) {
                self.i += 1;
            }
            Ok(self.text[start..self.i].trim().to_string())
        }
    }
}

/// One `order_by` term.
#[derive(Debug, Clone)]
pub struct OrderTerm {
    /// Dotted path.
    pub path: Vec<String>,
    /// Ascending?
    pub asc: bool,
    /// Nulls sort first?
    pub nulls_first: bool,
}

impl OrderTerm {
    /// The implicit final tiebreaker.
    pub fn id() -> OrderTerm {
        OrderTerm {
            path: vec!["id".into()],
            asc: true,
            nulls_first: true,
        }
    }

    /// The key used in cursors (`name.firstName`).
    pub fn key(&self) -> String {
        self.path.join(".")
    }

    /// The value of this term in a rendered record.
    pub fn value_of(&self, record: &Map<String, Value>) -> Value {
        lookup(record, &self.path).clone()
    }

    /// Compares two values in this term's direction.
    pub fn compare(&self, a: &Value, b: &Value) -> Ordering {
        match (a.is_null(), b.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if self.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if self.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let o = compare_values(a, b);
                if self.asc { o } else { o.reverse() }
            }
        }
    }
}

/// Total order on non-null JSON values of the same column.
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// Parses `order_by` (`createdAt[DescNullsLast],name.lastName`) and appends the `id` tiebreaker.
pub fn parse_order_by(input: Option<&str>, object: &Object) -> ApiResult<Vec<OrderTerm>> {
    let mut terms = Vec::new();
    for part in input
        .unwrap_or("")
        .split(',')
        .filter(|p| !p.trim().is_empty())
    {
        let part = part.trim();
        let (path, dir) = match part.find('[') {
            Some(i) => (&part[..i], part[i + 1..].trim_end_matches(']')),
            None => (part, "AscNullsFirst"),
        };
        let (asc, nulls_first) = match dir {
            "AscNullsFirst" => (true, true),
            "AscNullsLast" => (true, false),
            "DescNullsFirst" => (false, true),
            "DescNullsLast" => (false, false),
            other => {
                return Err(ApiError::bad_request(format!(
                    "'{other}' is not a valid order direction: use AscNullsFirst, AscNullsLast, DescNullsFirst or DescNullsLast"
                ))
                .with_code("INVALID_QUERY_INPUT"));
            }
        };
        let path: Vec<String> = path.split('.').map(String::from).collect();
        check_path(&path, object)?;
        terms.push(OrderTerm {
            path,
            asc,
            nulls_first,
        });
    }
    if !terms.iter().any(|t| t.path == ["id"]) {
        terms.push(OrderTerm::id());
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ProfileKind;
    use crate::schema::Schema;
    use serde_json::json;

    fn company() -> Object {
        Schema::from_json(ProfileKind::Twenty2.seed_schema())
            .unwrap()
            .by_singular("company")
            .unwrap()
            .clone()
    }

    fn rec(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn parses_and_evaluates_nested_filters() {
        let o = company();
        let r = rec(
            json!({"name": "Acme", "employees": 12, "domainName": {"primaryLinkUrl": "https://acme.com"}, "accountOwnerId": null}),
        );
        let yes = [
            r#"domainName.primaryLinkUrl[eq]:"https://acme.com""#,
            "name[eq]:Acme",
            "employees[gt]:10,employees[lte]:12",
            r#"or(name[eq]:"Nope",name[ilike]:"%CM%")"#,
            r#"not(name[neq]:"Acme")"#,
            "name[in]:[Foo,Acme]",
            "accountOwnerId[is]:NULL",
            "name[is]:NOT_NULL",
            "and(name[like]:A%,employees[gte]:12)",
            "name[startsWith]:Ac",
            // `in` on a number compares numbers, not the set's strings.
            "employees[in]:[3,12.0]",
        ];
        for f in yes {
            assert!(parse_filter(f, &o).unwrap().matches(&r), "{f} should match");
        }
        let no = [
            "name[eq]:acme",
            "employees[lt]:12",
            "accountOwnerId[eq]:x",
            "accountOwnerId[neq]:x",
            "name[like]:B%",
            "name[in]:[acme,ACME]",
            "employees[in]:[3,13]",
        ];
        for f in no {
            assert!(
                !parse_filter(f, &o).unwrap().matches(&r),
                "{f} should not match"
            );
        }
    }

    #[test]
    fn rejects_unknown_fields_and_operators() {
        let o = company();
        assert_eq!(parse_filter("nope[eq]:1", &o).unwrap_err().status, 400);
        assert_eq!(parse_filter("name[foo]:1", &o).unwrap_err().status, 400);
        assert_eq!(
            parse_filter("domainName.nope[eq]:1", &o)
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(parse_filter("name[eq]:\"x", &o).unwrap_err().status, 400);
    }

    #[test]
    fn order_by_appends_id_and_checks_direction() {
        let o = company();
        let t = parse_order_by(Some("name[DescNullsLast],employees"), &o).unwrap();
        assert_eq!(t.len(), 3);
        assert!(!t[0].asc && !t[0].nulls_first);
        assert_eq!(t[2].key(), "id");
        assert!(parse_order_by(Some("name[Sideways]"), &o).is_err());
    }
}
