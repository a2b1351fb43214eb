//! Decimal numbers written with either convention: `1,234.56` (dot decimal) or `1 234,56` /
//! `1.234,56` (comma decimal), with thousands separators `,` `.` space, NBSP (U+00A0), narrow NBSP
//! (U+202F), thin space (U+2009) or `'`/`’` (Swiss), signs (`-`, `+`, `−` U+2212, a trailing `-`
//! as SAP writes), accounting negatives `(1,234.00)`, a trailing `%` (stripped, the value is kept:
//! `12%` → 12, not 0.12) and scientific notation from Excel (`1.5E+3`).
//!
//! A lone separator followed by exactly three digits (`1,234`, `1.234`) is ambiguous; the column's
//! [`NumberStyle`] decides (from [`infer_style`]), and without one the dot-decimal convention is
//! used. A separator that cannot be a thousands separator (`1,5`, `12.50`) is always the decimal
//! point, whatever the style.
//!
//! Not done here: currency symbols ([`crate::money`]), units (`12 kg`), words (`twelve`),
//! fractions, Indian lakh grouping (`1,00,000` is refused).

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::{Issue, IssueCode, issue};

/// Which character is the decimal separator in a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberStyle {
    /// `1,234.56`
    DotDecimal,
    /// `1 234,56` or `1.234,56`
    CommaDecimal,
}

/// A number cell reduced to sign, digits and separators.
struct Cleaned {
    negative: bool,
    /// Only ASCII digits, `.` and `,` (or an exponent form, see `scientific`).
    body: String,
    scientific: bool,
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\u{202F}' | '\u{2009}' | '\'' | '’')
}

fn clean(input: &str) -> Option<Cleaned> {
    let mut s = input.trim();
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    if let Some(rest) = s.strip_suffix('%') {
        s = rest.trim_end();
    }
    if let Some(rest) = s.strip_prefix(['-', '−']) {
        if negative {
            return None;
        }
        negative = true;
        s = rest.trim_start();
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest.trim_start();
    } else if let Some(rest) = s.strip_suffix(['-', '−'])
        && !negative
    {
        negative = true;
        s = rest.trim_end();
    }
    if s.is_empty() {
        return None;
    }
    // Scientific notation: digits [. digits] e [+-] digits.
    if let Some(epos) = s.find(['e', 'E']) {
        let (mant, exp) = (&s[..epos], &s[epos + 1..]);
        let exp_digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        let mant_ok = !mant.is_empty()
            && mant.bytes().filter(|&b| b == b'.').count() <= 1
            && mant.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && mant.bytes().any(|b| b.is_ascii_digit());
        let exp_ok = !exp_digits.is_empty()
            && exp_digits.len() <= 3
            && exp_digits.bytes().all(|b| b.is_ascii_digit());
        return (mant_ok && exp_ok).then(|| Cleaned {
            negative,
            body: s.to_string(),
            scientific: true,
        });
    }
    let mut body = String::with_capacity(s.len());
    let mut last_was_space = false;
    for c in s.chars() {
        if is_group_space(c) {
            // A space between digits is a thousands separator; normalise it to a marker that
            // cannot be a decimal point.
            if last_was_space {
                return None;
            }
            last_was_space = true;
            body.push('_');
        } else if c.is_ascii_digit() || c == '.' || c == ',' {
            last_was_space = false;
            body.push(c);
        } else {
            return None;
        }
    }
    if !body.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Cleaned {
        negative,
        body,
        scientific: false,
    })
}

/// Check thousands grouping: groups separated by `sep`, first 1–3 digits, others exactly 3.
fn grouped_ok(int_part: &str, sep: char) -> bool {
    let mut groups = int_part.split(sep);
    let first = groups.next().unwrap_or("");
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// Decide the decimal separator of a cleaned body: Some('.') / Some(',') when certain, None when
/// there is no separator, Err(()) when the body is malformed, and `Ok(Some('?'))` when ambiguous
/// (one separator followed by exactly three digits).
fn decimal_sep(body: &str) -> Result<Option<char>, ()> {
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    match (dots, commas) {
        (0, 0) => Ok(None),
        (d, c) if d > 0 && c > 0 => {
            let last_dot = body.rfind('.').unwrap_or(0);
            let last_comma = body.rfind(',').unwrap_or(0);
            let (dec, other) = if last_dot > last_comma {
                ('.', ',')
            } else {
                (',', '.')
            };
            let dec_count = if dec == '.' { d } else { c };
            if dec_count != 1 {
                return Err(());
            }
            // The other separator must only appear before the decimal one.
            let dec_pos = body.rfind(dec).unwrap_or(0);
            if body[dec_pos..].contains(other) {
                return Err(());
            }
            Ok(Some(dec))
        }
        _ => {
            let n = dots + commas;
            let sep = if dots > 0 { '.' } else { ',' };
            if n > 1 {
                // Repeated: it is the thousands separator.
                Ok(Some(if sep == '.' { ',' } else { '.' }))
            } else {
                let after = &body[body.find(sep).unwrap_or(0) + 1..];
                let before = &body[..body.find(sep).unwrap_or(0)];
                if after.len() == 3
                    && after.bytes().all(|b| b.is_ascii_digit())
                    && !before.is_empty()
                    && !before.contains('_')
                    && before.len() <= 3
                    && before != "0"
                {
                    Ok(Some('?'))
                } else {
                    Ok(Some(sep))
                }
            }
        }
    }
}

/// Parse a number cell. `style` resolves `1,234` / `1.234`; see the module documentation.
pub fn decimal(input: &str, style: Option<NumberStyle>) -> Result<Decimal, Issue> {
    let bad = |why: &str| issue(IssueCode::NumberInvalid, input, why);
    if input.len() > 200 {
        return Err(bad("is too long to be a number"));
    }
    let c = clean(input).ok_or_else(|| bad("is not a number"))?;
    let value = if c.scientific {
        Decimal::from_scientific(&c.body).map_err(|_| bad("is out of range"))?
    } else {
        let sep = decimal_sep(&c.body).map_err(|_| bad("has misplaced separators"))?;
        let dec = match sep {
            Some('?') => match style {
                Some(NumberStyle::CommaDecimal) => ',',
                _ => '.',
            },
            Some(ch) => ch,
            None => '.',
        };
        // The ambiguous case: "1,234" with dot style means the comma groups thousands.
        let dec = if sep == Some('?') {
            let only = if c.body.contains('.') { '.' } else { ',' };
            if only == dec {
                dec
            } else {
                if only == '.' { ',' } else { '.' }
            }
        } else {
            dec
        };
        let group = if dec == '.' { ',' } else { '.' };
        let (int_part, frac_part) = match c.body.find(dec) {
            Some(i) => (&c.body[..i], Some(&c.body[i + 1..])),
            None => (c.body.as_str(), None),
        };
        let int_unified = int_part.replace('_', &group.to_string());
        let has_groups = int_unified.contains(group);
        if has_groups && !grouped_ok(&int_unified, group) {
            return Err(bad("has misplaced thousands separators"));
        }
        if let Some(f) = frac_part
            && !f.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad("has misplaced separators"));
        }
        let int_digits: String = int_unified.chars().filter(char::is_ascii_digit).collect();
        let mut plain = if int_digits.is_empty() {
            "0".to_string()
        } else {
            int_digits
        };
        if let Some(f) = frac_part.filter(|f| !f.is_empty()) {
            plain.push('.');
            plain.push_str(f);
        }
        Decimal::from_str(&plain).map_err(|_| bad("is out of range"))?
    };
    Ok(if c.negative && !value.is_zero() {
        -value
    } else {
        value
    })
}

/// Guess a column's decimal separator from sample cells: a cell votes when its separators can be
/// read only one way (`1.234,56`, `12,5`, `1,234,567`); cells like `1,234` do not vote.
/// Returns the majority, or `None` without votes or on a tie.
pub fn infer_style(samples: &[&str]) -> Option<NumberStyle> {
    let (mut dot, mut comma) = (0usize, 0usize);
    for s in samples {
        let Some(c) = clean(s) else { continue };
        if c.scientific {
            continue;
        }
        match decimal_sep(&c.body) {
            Ok(Some('.')) => dot += 1,
            Ok(Some(',')) => comma += 1,
            _ => {}
        }
    }
    match dot.cmp(&comma) {
        std::cmp::Ordering::Greater => Some(NumberStyle::DotDecimal),
        std::cmp::Ordering::Less => Some(NumberStyle::CommaDecimal),
        std::cmp::Ordering::Equal => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NumberStyle::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn accepted() {
        let cases: &[(&str, Option<NumberStyle>, &str)] = &[
            ("0", None, "0"),
            ("42", None, "42"),
            ("  42  ", None, "42"),
            ("-12.5", None, "-12.5"),
            ("+7", None, "7"),
            ("1,234.56", None, "1234.56"),
            ("1.234,56", None, "1234.56"),
            ("1 234,56", None, "1234.56"),
            ("1\u{A0}234,56", None, "1234.56"),
            ("1\u{202F}234,56", None, "1234.56"),
            ("1'234.56", None, "1234.56"),
            ("1’234’567", None, "1234567"),
            ("1,234,567", None, "1234567"),
            ("1.234.567", None, "1234567"),
            ("1,234", None, "1234"),
            ("1,234", Some(DotDecimal), "1234"),
            ("1,234", Some(CommaDecimal), "1.234"),
            ("1.234", Some(DotDecimal), "1.234"),
            ("1.234", Some(CommaDecimal), "1234"),
            ("1.234", None, "1.234"),
            ("1,5", Some(DotDecimal), "1.5"),
            ("12,50", None, "12.50"),
            ("0,123", Some(DotDecimal), "0.123"),
            ("1234,567", Some(DotDecimal), "1234.567"),
            ("(1,234.00)", None, "-1234.00"),
            ("(1 234,00)", None, "-1234.00"),
            ("1234-", None, "-1234"),
            ("−5", None, "-5"),
            ("12%", None, "12"),
            ("12,5 %", None, "12.5"),
            ("1.5E+3", None, "1500"),
            ("2e-2", None, "0.02"),
            (".5", None, "0.5"),
            ("5.", None, "5"),
            ("-0", None, "0"),
            ("1 234 567,891", None, "1234567.891"),
        ];
        for (input, style, want) in cases {
            let got = decimal(input, *style).unwrap_or_else(|e| panic!("decimal({input:?}): {e}"));
            assert_eq!(got, d(want), "decimal({input:?}, {style:?})");
            assert_eq!(got.to_string(), d(want).to_string(), "scale of {input:?}");
            // The canonical text of a Decimal is dot-decimal.
            let again = decimal(&got.to_string(), Some(DotDecimal)).unwrap();
            assert_eq!(again, got, "idempotent on {input:?}");
        }
    }

    #[test]
    fn rejected() {
        let cases: &[&str] = &[
            "",
            "  ",
            "abc",
            "12abc",
            "1,2,3",
            "1.234.56",
            "1,234.567,8",
            "1..2",
            "--5",
            "(-5)",
            "-",
            "%",
            "1  234",
            "99999999999999999999999999999999",
            "1e999",
            "1,00,000",
            "١٢٣",
        ];
        for input in cases {
            let got = decimal(input, None);
            assert_eq!(
                got.as_ref().map_err(|e| e.code),
                Err(IssueCode::NumberInvalid),
                "decimal({input:?}) = {got:?}"
            );
        }
    }

    #[test]
    fn infer() {
        assert_eq!(infer_style(&["1,234.56", "12"]), Some(DotDecimal));
        assert_eq!(infer_style(&["1 234,56", "1,234"]), Some(CommaDecimal));
        assert_eq!(
            infer_style(&["12,5", "3,75", "1.234,00"]),
            Some(CommaDecimal)
        );
        assert_eq!(infer_style(&["1,234,567"]), Some(DotDecimal));
        assert_eq!(infer_style(&["1.234.567"]), Some(CommaDecimal));
        assert_eq!(infer_style(&["1,234", "5,678"]), None);
        assert_eq!(infer_style(&["12", "13"]), None);
        assert_eq!(infer_style(&[]), None);
        assert_eq!(infer_style(&["1.5", "2,5"]), None);
    }
}
