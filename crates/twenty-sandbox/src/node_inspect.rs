//! Node's `util.inspect` for JSON values, as Twenty quotes a value in an error message.
//!
//! 2.19's `validateFilesFieldOrThrow` writes `Invalid value "${inspect(value)}" for FILES field …`,
//! so the text a client sees for a bad `file` value is Node's rendering of the JSON it sent. This
//! follows `lib/internal/util/inspect.js` (Node 20/22) with the default options (`depth: 2`,
//! `compact: 3`, `breakLength: 80`, `maxArrayLength: 100`, `maxStringLength: 10000`) for the
//! types JSON has: single quotes unless the string holds one (then double quotes, or backticks),
//! identifier keys bare and others quoted, objects nested deeper than 2 levels as `[Object]` /
//! `[Array]`, up to 3 inner levels on one line when the line fits in 80 columns, otherwise one
//! entry per line indented by two spaces.
//!
//! Not imitated: the column grouping Node applies to arrays of more than 6 short entries
//! (`groupArrayElements`), and lone UTF-16 surrogates (JSON from serde has none).

use serde_json::{Map, Value};

const DEPTH: usize = 2;
const COMPACT: usize = 3;
const BREAK_LENGTH: usize = 80;
const MAX_ARRAY_LENGTH: usize = 100;
const MAX_STRING_LENGTH: usize = 10_000;
const MIN_LINE_WIDTH: usize = 16;

struct Ctx {
    indentation_lvl: usize,
    current_depth: usize,
}

/// `util.inspect(value)`.
pub fn inspect(value: &Value) -> String {
    let mut ctx = Ctx {
        indentation_lvl: 0,
        current_depth: 0,
    };
    format_value(&mut ctx, value, 0)
}

/// JavaScript's string length (UTF-16 code units).
fn js_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

fn format_value(ctx: &mut Ctx, value: &Value, recurse_times: usize) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(n),
        Value::String(s) => format_string(ctx, s),
        Value::Array(items) => format_array(ctx, items, recurse_times),
        Value::Object(map) => format_object(ctx, map, recurse_times),
    }
}

/// `${number}`: integers without a fraction, exponents from 1e21 and below 1e-6.
fn format_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    js_number(f)
}

fn js_number(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let abs = f.abs();
    if !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        return match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => s,
        };
    }
    if f.fract() == 0.0 {
        return format!("{f:.0}");
    }
    f.to_string()
}

fn format_string(ctx: &Ctx, value: &str) -> String {
    let mut value: String = value.to_string();
    let mut trailer = String::new();
    let len = js_len(&value);
    if len > MAX_STRING_LENGTH {
        let remaining = len - MAX_STRING_LENGTH;
        let mut units = 0;
        let cut = value
            .char_indices()
            .find(|(_, c)| {
                units += c.len_utf16();
                units > MAX_STRING_LENGTH
            })
            .map_or(value.len(), |(i, _)| i);
        value.truncate(cut);
        trailer = format!(
            "... {remaining} more character{}",
            if remaining > 1 { "s" } else { "" }
        );
    }
    let len = js_len(&value);
    if len > MIN_LINE_WIDTH && len + ctx.indentation_lvl + 4 > BREAK_LENGTH {
        // Split after each line break, one quoted piece per line joined with ` +`.
        let mut pieces = Vec::new();
        let mut start = 0;
        for (i, c) in value.char_indices() {
            if c == '\n' {
                pieces.push(&value[start..=i]);
                start = i + 1;
            }
        }
        if start < value.len() || pieces.is_empty() {
            pieces.push(&value[start..]);
        }
        let joiner = format!(" +\n{}", " ".repeat(ctx.indentation_lvl + 2));
        return pieces
            .into_iter()
            .map(str_escape)
            .collect::<Vec<_>>()
            .join(&joiner)
            + &trailer;
    }
    str_escape(&value) + &trailer
}

/// `strEscape`: quotes (single, else double, else backtick) and escapes control characters.
fn str_escape(s: &str) -> String {
    let quote = if s.contains('\'') {
        if !s.contains('"') {
            '"'
        } else if !s.contains('`') && !s.contains("${") {
            '`'
        } else {
            '\''
        }
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        let point = c as u32;
        match c {
            '\'' if quote == '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            _ if point < 0x20 || (0x7f..0xa0).contains(&point) => {
                out.push_str(&format!("\\x{point:02X}"));
            }
            _ => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// A key as `formatProperty` writes it: bare when it is an identifier.
fn format_key(key: &str) -> String {
    let mut chars = key.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if identifier {
        key.to_string()
    } else {
        str_escape(key)
    }
}

fn format_array(ctx: &mut Ctx, items: &[Value], recurse_times: usize) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    if recurse_times > DEPTH {
        return "[Array]".into();
    }
    let recurse_times = recurse_times + 1;
    ctx.current_depth = recurse_times;
    let mut output = Vec::with_capacity(items.len().min(MAX_ARRAY_LENGTH) + 1);
    for item in items.iter().take(MAX_ARRAY_LENGTH) {
        ctx.indentation_lvl += 2;
        output.push(format_value(ctx, item, recurse_times));
        ctx.indentation_lvl -= 2;
    }
    if items.len() > MAX_ARRAY_LENGTH {
        let remaining = items.len() - MAX_ARRAY_LENGTH;
        output.push(format!(
            "... {remaining} more item{}",
            if remaining > 1 { "s" } else { "" }
        ));
    }
    reduce_to_single_string(ctx, &output, ("[", "]"), recurse_times)
}

fn format_object(ctx: &mut Ctx, map: &Map<String, Value>, recurse_times: usize) -> String {
    if map.is_empty() {
        return "{}".into();
    }
    if recurse_times > DEPTH {
        return "[Object]".into();
    }
    let recurse_times = recurse_times + 1;
    ctx.current_depth = recurse_times;
    let mut output = Vec::with_capacity(map.len());
    for (key, value) in map {
        ctx.indentation_lvl += 2;
        let s = format_value(ctx, value, recurse_times);
        ctx.indentation_lvl -= 2;
        output.push(format!("{}: {s}", format_key(key)));
    }
    reduce_to_single_string(ctx, &output, ("{", "}"), recurse_times)
}

fn reduce_to_single_string(
    ctx: &Ctx,
    output: &[String],
    (open, close): (&str, &str),
    recurse_times: usize,
) -> String {
    if ctx.current_depth.saturating_sub(recurse_times) < COMPACT {
        let start = output.len() + ctx.indentation_lvl + open.len() + 10;
        if is_below_break_length(output, start) {
            let joined = output.join(", ");
            if !joined.contains('\n') {
                return format!("{open} {joined} {close}");
            }
        }
    }
    let indentation = format!("\n{}", " ".repeat(ctx.indentation_lvl));
    format!(
        "{open}{indentation}  {}{indentation}{close}",
        output.join(&format!(",{indentation}  "))
    )
}

fn is_below_break_length(output: &[String], start: usize) -> bool {
    let mut total = output.len() + start;
    if total + output.len() > BREAK_LENGTH {
        return false;
    }
    for entry in output {
        total += js_len(entry);
        if total > BREAK_LENGTH {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Expected texts produced with Node 20's `util.inspect`.
    #[test]
    fn matches_node() {
        assert_eq!(inspect(&json!("abc")), "'abc'");
        assert_eq!(inspect(&json!("it's")), "\"it's\"");
        assert_eq!(inspect(&json!(null)), "null");
        assert_eq!(inspect(&json!(1.0)), "1");
        assert_eq!(inspect(&json!(1.5)), "1.5");
        assert_eq!(inspect(&json!({})), "{}");
        assert_eq!(inspect(&json!([])), "[]");
        assert_eq!(
            inspect(&json!([{"fileId": "abc", "label": "a.pdf"}])),
            "[ { fileId: 'abc', label: 'a.pdf' } ]"
        );
        assert_eq!(
            inspect(&json!({"a-b": 1, "c": [1, 2]})),
            "{ 'a-b': 1, c: [ 1, 2 ] }"
        );
        assert_eq!(inspect(&json!([[[[1]]]])), "[ [ [ [Array] ] ] ]");
        assert_eq!(
            inspect(&json!({"a": {"b": {"c": {}}}})),
            "{ a: { b: { c: {} } } }"
        );
        assert_eq!(
            inspect(&json!({"a": {"b": {"c": {"d": 1}}}})),
            "{ a: { b: { c: [Object] } } }"
        );
        assert_eq!(inspect(&json!(1e21)), "1e+21");
        assert_eq!(inspect(&json!(1.5e-7)), "1.5e-7");
        assert_eq!(
            inspect(&json!("a\u{1}\u{7f}\u{85}b")),
            "'a\\x01\\x7F\\x85b'"
        );
        assert_eq!(inspect(&json!("it's \"x\"")), "`it's \"x\"`");
        assert_eq!(inspect(&json!("it's \"x\" `y`")), "'it\\'s \"x\" `y`'");
        assert_eq!(inspect(&json!("a\nb")), "'a\\nb'");
    }

    #[test]
    fn long_entries_break_lines() {
        assert_eq!(
            inspect(&json!([{
                "fileId": "6b398733-8c5d-41bd-98bd-7b17bf8705e3",
                "label": "hello.txt",
                "extension": ".txt"
            }])),
            "[\n  {\n    fileId: '6b398733-8c5d-41bd-98bd-7b17bf8705e3',\n    label: 'hello.txt',\n    extension: '.txt'\n  }\n]"
        );
        let long = "x".repeat(130) + "\ny";
        assert_eq!(
            inspect(&json!(long)),
            format!("'{}\\n' +\n  'y'", "x".repeat(130))
        );
        let v = json!([{
            "fileId": "6b398733-8c5d-41bd-98bd-7b17bf8705e3",
            "label": "a rather long label for a file.pdf",
            "extension": ".pdf",
            "url": "http://localhost"
        }]);
        assert_eq!(
            inspect(&v),
            "[\n  {\n    fileId: '6b398733-8c5d-41bd-98bd-7b17bf8705e3',\n    label: 'a rather long label for a file.pdf',\n    extension: '.pdf',\n    url: 'http://localhost'\n  }\n]"
        );
    }
}
