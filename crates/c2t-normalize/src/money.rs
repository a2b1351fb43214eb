//! Money amounts for Twenty's CURRENCY fields: `{ amountMicros, currencyCode }`
//! (shared/twenty-api.md §4), amount × 1 000 000 computed exactly with rust_decimal.
//!
//! The currency comes from, in order: a symbol, ISO code or currency name in the cell
//! (`$1,500.00`, `€ 12 500,50`, `12 500,50 €`, `1500 EUR`, `USD 1,500`, `£`, `¥`, `CHF`, `R$`,
//! `zł`, …, then `1 500 US-Dollar`, `12,50 euros`), the hint (the row's currency column, read by
//! [`currency_code`]: a code, a symbol or a name such as Dynamics 365's `US Dollar`), the default
//! (preset or `--currency`, a code). A currency in the cell wins over the hint. Codes are checked
//! against ISO 4217 (`data/currencies.txt`); names (English, French, German, Spanish, Italian,
//! Portuguese, Dutch; [`currency_from_name`]) come from `data/currency-names.tsv` and are read only
//! after codes and symbols. A name several currencies share (`dollars`, `pesos`, `francs`) is
//! never guessed: `CURRENCY_UNKNOWN`.
//!
//! Ambiguous symbols:
//! * `$` alone is the hint if the hint is a dollar currency, else the default if that is one,
//!   else USD. (`US$`, `C$`, `A$`, `R$`, `HK$`, … are unambiguous.)
//! * `¥` is CNY when the hint or default is CNY, else JPY.
//! * `kr` is the hint or default when that is SEK, NOK, DKK or ISK; otherwise `CURRENCY_UNKNOWN`.
//!
//! Amounts with more than six decimals are rounded half away from zero to the micro. Amounts
//! beyond ±9.2 trillion units do not fit Twenty's 64-bit micros: `MONEY_INVALID`.
//!
//! Not done here: conversion between currencies, minor-unit checks (`JPY 1.5` is kept as 1.5).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::LazyLock;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::number::{NumberStyle, decimal};
use crate::{Issue, IssueCode, issue};

/// An amount in Twenty's CURRENCY shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Money {
    /// Amount × 1 000 000.
    pub amount_micros: i64,
    /// ISO 4217 code, upper case.
    pub currency_code: String,
}

static CODES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/currencies.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
        .collect()
});

/// Whether `code` (upper case) is an ISO 4217 code we accept.
pub fn is_currency_code(code: &str) -> bool {
    CODES.contains(code)
}

const DOLLARS: &[&str] = &[
    "USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN", "TWD", "BSD", "BBD", "BZD", "BMD", "BND",
    "KYD", "FJD", "GYD", "JMD", "LRD", "NAD", "SBD", "SRD", "TTD", "XCD", "CLP", "COP", "ARS",
    "UYU",
];

/// Symbols and prefixes, longest first so `US$` wins over `$`. `$`, `¥` and `kr` are resolved by
/// context.
const SYMBOLS: &[(&str, &str)] = &[
    ("US$", "USD"),
    ("NZ$", "NZD"),
    ("HK$", "HKD"),
    ("MX$", "MXN"),
    ("CA$", "CAD"),
    ("AU$", "AUD"),
    ("NT$", "TWD"),
    ("R$", "BRL"),
    ("C$", "CAD"),
    ("A$", "AUD"),
    ("S$", "SGD"),
    ("FR.", "CHF"),
    ("ZŁ", "PLN"),
    ("KČ", "CZK"),
    ("FT", "HUF"),
    ("LEI", "RON"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("₹", "INR"),
    ("₽", "RUB"),
    ("₩", "KRW"),
    ("₺", "TRY"),
    ("₪", "ILS"),
    ("฿", "THB"),
    ("₫", "VND"),
    ("₱", "PHP"),
    ("₴", "UAH"),
    ("₦", "NGN"),
    ("R", "ZAR"),
];

/// Names of currencies, folded as [`crate::address`] folds country names (lower case, no
/// accents, no dots or apostrophes, other punctuation a space) -> ISO code. From
/// `data/currency-names.tsv`, optional parts expanded.
static NAMES: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut names = HashMap::default();
    for (code, _, name) in name_entries() {
        // First line wins; the table test checks that no name is given to two currencies.
        names.entry(name).or_insert(code);
    }
    names
});

/// Every (code, language, folded name) of `data/currency-names.tsv`, optional parts expanded.
fn name_entries() -> impl Iterator<Item = (&'static str, &'static str, String)> {
    include_str!("../data/currency-names.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .flat_map(|line| {
            let mut cols = line.split('\t');
            let code = cols.next().unwrap_or("");
            let lang = cols.next().unwrap_or("");
            let names = cols.next().unwrap_or("");
            split_top(names)
                .into_iter()
                .flat_map(expand)
                .map(|n| crate::address::key(&n))
                .filter(|k| !k.is_empty())
                .map(move |k| (code, lang, k))
                .collect::<Vec<_>>()
        })
}

/// `s` split on the `|` that are not inside parentheses.
fn split_top(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '|' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Every spelling of one name of the table: `(x)` is optional, `(x|y)` is nothing, `x` or `y`;
/// groups nest.
fn expand(pattern: &str) -> Vec<String> {
    let Some(open) = pattern.find('(') else {
        return vec![pattern.to_string()];
    };
    // The matching ')'.
    let mut depth = 0;
    let mut close = pattern.len();
    for (i, c) in pattern[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = open + i;
                    break;
                }
            }
            _ => {}
        }
    }
    let head = &pattern[..open];
    let group = &pattern[open + 1..close.min(pattern.len())];
    let tail = pattern.get(close + 1..).unwrap_or("");
    let mut choices = vec![String::new()];
    choices.extend(split_top(group).into_iter().flat_map(expand));
    let tails = expand(tail);
    let mut out = Vec::with_capacity(choices.len() * tails.len());
    for c in &choices {
        for t in &tails {
            out.push(format!("{head}{c}{t}"));
        }
    }
    out
}

/// The ISO 4217 code a currency name stands for, in English, French, German, Spanish, Italian,
/// Portuguese or Dutch, singular or plural, ignoring case, accents and punctuation: `"US Dollar"`,
/// `"U.S. dollars"`, `"dollars US"`, `"US-Dollar"`, `"dólar estadounidense"`, `"Euros"`,
/// `"livre sterling"`, `"Schweizer Franken"`, `"real brasileiro"`, `"złoty"` (the list is
/// `data/currency-names.tsv`).
///
/// `None` for names it does not know and for names several currencies share: a bare `"dollar"`,
/// `"peso"`, `"franc"`, `"krone"`, `"pound"`, … is never guessed. Codes and symbols are not
/// names: see [`currency_code`].
pub fn currency_from_name(name: &str) -> Option<&'static str> {
    let k = crate::address::key(name);
    if k.is_empty() {
        return None;
    }
    NAMES.get(&k).copied()
}

/// Read a currency cell (a currency column, a hint): an ISO 4217 code in any case (`"usd"`), an
/// unambiguous symbol (`"€"`, `"US$"`, `"R$"`, `"zł"`), a name ([`currency_from_name`]), or a
/// name with its code (`"US Dollar (USD)"`, `"EUR - Euro"`, when both say the same currency).
/// Returns the code, upper case.
///
/// `None` when the cell reads as none of these, including the symbols that need context (`"$"`,
/// `"¥"`, `"kr"`) and bare ambiguous names (`"Dollar"`); [`money`] resolves `$`, `¥` and `kr` in
/// an amount with its hint and default.
pub fn currency_code(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if t.is_empty() || t.len() > 100 {
        return None;
    }
    if t.len() == 3 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
        // Nearly every currency column: a code, looked up without building anything else.
        if let Some(code) = CODES.get(t.to_ascii_uppercase().as_str()) {
            return Some(code);
        }
    }
    // Codes, then symbols, as money() reads the text around an amount.
    let compact: String = t
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let compact = compact.trim_end_matches('.');
    let compact = if compact == "FR" { "FR." } else { compact };
    if let Some(code) = CODES.get(compact) {
        return Some(code);
    }
    if let Some((_, code)) = SYMBOLS.iter().find(|(sym, _)| *sym == compact) {
        return Some(code);
    }
    if let Some(code) = currency_from_name(t) {
        return Some(code);
    }
    // "US Dollar (USD)", "USD - US Dollar": a code first or last, and the rest names it.
    let k = crate::address::key(t);
    let (first, rest) = k.split_once(' ')?;
    let (last_rest, last) = k.rsplit_once(' ')?;
    [(first, rest), (last, last_rest)]
        .into_iter()
        .find_map(|(code, name)| {
            let code = CODES.get(code.to_ascii_uppercase().as_str())?;
            (NAMES.get(name) == Some(code)).then_some(*code)
        })
}

/// The currency named on one side of an amount (`prefix` or `suffix`, the other holding at most
/// signs), with the signs found outside the name on each side: `("-", ")")`.
fn named_currency(
    prefix: &str,
    suffix: &str,
    is_sign: impl Fn(char) -> bool,
) -> Option<(&'static str, (String, String))> {
    let outside = |c: char| is_sign(c) || c.is_whitespace();
    let signs = |s: &str| s.chars().filter(|&c| is_sign(c)).collect::<String>();
    let (side, on_prefix) = if prefix.chars().any(|c| !outside(c)) {
        (prefix, true)
    } else {
        (suffix, false)
    };
    let name = side.trim_matches(outside);
    let code = currency_from_name(name)?;
    let start = side.len() - side.trim_start_matches(outside).len();
    let around = format!(
        "{}{}",
        signs(&side[..start]),
        signs(&side[start + name.len()..])
    );
    Some(if on_prefix {
        (code, (around, signs(suffix)))
    } else {
        (code, (signs(prefix), around))
    })
}

/// Parse a money cell. See the module documentation for how the currency is chosen.
pub fn money(
    input: &str,
    currency_hint: Option<&str>,
    default_currency: &str,
    style: Option<NumberStyle>,
) -> Result<Money, Issue> {
    let bad = |why: &str| issue(IssueCode::MoneyInvalid, input, why);
    let s = input.trim();
    if s.is_empty() {
        return Err(bad("is empty"));
    }
    if s.len() > 200 {
        return Err(bad("is too long to be an amount"));
    }
    // The row's currency column may hold a code, a symbol or a name ("US Dollar"); what none of
    // them reads is kept upper-cased so the issue names it.
    let hint = currency_hint
        .map(|h| match currency_code(h) {
            Some(code) => code.to_string(),
            None => h.trim().to_ascii_uppercase(),
        })
        .filter(|h| !h.is_empty());
    let default = default_currency.trim().to_ascii_uppercase();

    // Split into the numeric core (first to last digit) and the text around it.
    let (Some(first), Some(last)) = (
        s.find(|c: char| c.is_ascii_digit()),
        s.rfind(|c: char| c.is_ascii_digit()),
    ) else {
        return Err(bad("has no amount"));
    };
    let (prefix, core, suffix) = (&s[..first], &s[first..=last], &s[last + 1..]);
    let is_sign = |c: char| matches!(c, '-' | '−' | '+' | '(' | ')' | '%');
    let mut number = String::with_capacity(s.len());
    let mut currency_text = String::new();
    for c in prefix.chars() {
        if is_sign(c) {
            number.push(c);
        } else if !c.is_whitespace() {
            currency_text.push(c);
        }
    }
    // "1.500,00" or "1 500" keep their separators; a '.' right after the digits is part of the
    // number only if something numeric follows, which cannot be since `last` is the last digit.
    number.push_str(core);
    let mut suffix_currency = String::new();
    for c in suffix.chars() {
        if is_sign(c) {
            number.push(c);
        } else if !c.is_whitespace() {
            suffix_currency.push(c);
        }
    }
    if !currency_text.is_empty() && !suffix_currency.is_empty() {
        return Err(bad("has text on both sides of the amount"));
    }
    currency_text.push_str(&suffix_currency);
    let currency_text = currency_text.trim_end_matches('.').to_uppercase();
    let currency_text = if currency_text == "FR" {
        "FR.".to_string()
    } else {
        currency_text
    };

    let pick_ctx = |accept: &dyn Fn(&str) -> bool, fallback: Option<&str>| -> Option<String> {
        if let Some(h) = hint.as_deref().filter(|h| accept(h)) {
            return Some(h.to_string());
        }
        if accept(&default) {
            return Some(default.clone());
        }
        fallback.map(str::to_string)
    };

    let code = if currency_text.is_empty() {
        let c = hint.clone().unwrap_or_else(|| default.clone());
        if !is_currency_code(&c) {
            return Err(issue(
                IssueCode::CurrencyUnknown,
                &c,
                "is not an ISO 4217 currency code",
            ));
        }
        c
    } else if currency_text == "$" {
        pick_ctx(&|c| DOLLARS.contains(&c), Some("USD")).unwrap_or_default()
    } else if currency_text == "¥" || currency_text == "￥" {
        pick_ctx(&|c| c == "CNY", Some("JPY")).unwrap_or_default()
    } else if currency_text == "KR" {
        pick_ctx(&|c| matches!(c, "SEK" | "NOK" | "DKK" | "ISK"), None).ok_or_else(|| {
            issue(
                IssueCode::CurrencyUnknown,
                input,
                "uses \"kr\", which could be SEK, NOK, DKK or ISK; give a currency column or default",
            )
        })?
    } else if let Some((_, c)) = SYMBOLS.iter().find(|(sym, _)| *sym == currency_text) {
        (*c).to_string()
    } else if currency_text.len() == 3 && is_currency_code(&currency_text) {
        currency_text
    } else if let Some((code, signs)) = named_currency(prefix, suffix, is_sign) {
        // A name ("1 500 US-Dollar", "Euro 12,50"): the amount's signs are the ones around the
        // name, not the '-' or '.' inside it.
        number = signs.0;
        number.push_str(core);
        number.push_str(&signs.1);
        code.to_string()
    } else if currency_text.len() == 3 && currency_text.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(issue(
            IssueCode::CurrencyUnknown,
            input,
            &format!("names {currency_text}, which is not an ISO 4217 currency code"),
        ));
    } else {
        return Err(issue(
            IssueCode::CurrencyUnknown,
            input,
            &format!("has an unknown currency {currency_text:?}"),
        ));
    };

    let amount = decimal(&number, style).map_err(|_| bad("is not an amount"))?;
    let micros = amount
        .checked_mul(Decimal::from(1_000_000))
        .map(|m| m.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
        .and_then(|m| m.to_i64())
        .ok_or_else(|| bad("is too large for Twenty (over 9.2 trillion)"))?;
    Ok(Money {
        amount_micros: micros,
        currency_code: code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use NumberStyle::*;

    #[test]
    fn accepted() {
        #[allow(clippy::type_complexity)]
        let cases: &[(&str, Option<&str>, &str, Option<NumberStyle>, i64, &str)] = &[
            ("1500", None, "EUR", None, 1_500_000_000, "EUR"),
            ("1500.00", None, "USD", None, 1_500_000_000, "USD"),
            ("$1,500.00", None, "EUR", None, 1_500_000_000, "USD"),
            ("$1,500.00", Some("CAD"), "EUR", None, 1_500_000_000, "CAD"),
            ("$1,500.00", None, "AUD", None, 1_500_000_000, "AUD"),
            ("$1,500.00", Some("EUR"), "GBP", None, 1_500_000_000, "USD"),
            ("US$ 1,500", Some("CAD"), "CAD", None, 1_500_000_000, "USD"),
            ("€ 12 500,50", None, "USD", None, 12_500_500_000, "EUR"),
            ("12 500,50 €", None, "USD", None, 12_500_500_000, "EUR"),
            (
                "12\u{A0}500,50\u{A0}€",
                None,
                "USD",
                None,
                12_500_500_000,
                "EUR",
            ),
            ("1500 EUR", None, "USD", None, 1_500_000_000, "EUR"),
            ("1500 eur", None, "USD", None, 1_500_000_000, "EUR"),
            ("USD 1,500", None, "EUR", None, 1_500_000_000, "USD"),
            (
                "EUR 1.500",
                None,
                "EUR",
                Some(CommaDecimal),
                1_500_000_000,
                "EUR",
            ),
            ("£99.99", None, "EUR", None, 99_990_000, "GBP"),
            ("¥1000", None, "EUR", None, 1_000_000_000, "JPY"),
            ("¥1000", Some("CNY"), "EUR", None, 1_000_000_000, "CNY"),
            ("CHF 1'250.50", None, "EUR", None, 1_250_500_000, "CHF"),
            ("R$ 1.234,56", None, "USD", None, 1_234_560_000, "BRL"),
            ("1 234,56 zł", None, "EUR", None, 1_234_560_000, "PLN"),
            ("100 kr", Some("SEK"), "EUR", None, 100_000_000, "SEK"),
            ("-$1,500.00", None, "USD", None, -1_500_000_000, "USD"),
            ("($1,500.00)", None, "USD", None, -1_500_000_000, "USD"),
            ("1500", Some("gbp"), "EUR", None, 1_500_000_000, "GBP"),
            ("1500", Some(" "), "EUR", None, 1_500_000_000, "EUR"),
            ("0.0000015", None, "EUR", None, 2, "EUR"),
            ("0", None, "EUR", None, 0, "EUR"),
            ("9223372036854.775807", None, "EUR", None, i64::MAX, "EUR"),
        ];
        for (input, hint, default, style, micros, code) in cases {
            let m = money(input, *hint, default, *style)
                .unwrap_or_else(|e| panic!("money({input:?}, {hint:?}, {default}): {e}"));
            assert_eq!(
                (m.amount_micros, m.currency_code.as_str()),
                (*micros, *code),
                "money({input:?}, {hint:?}, {default})"
            );
        }
    }

    #[test]
    fn rejected() {
        let cases: &[(&str, Option<&str>, &str, IssueCode)] = &[
            ("", None, "EUR", IssueCode::MoneyInvalid),
            ("  ", None, "EUR", IssueCode::MoneyInvalid),
            ("abc", None, "EUR", IssueCode::MoneyInvalid),
            ("€", None, "EUR", IssueCode::MoneyInvalid),
            ("1,2,3 €", None, "EUR", IssueCode::MoneyInvalid),
            ("12345678901234.56", None, "EUR", IssueCode::MoneyInvalid),
            ("$ 1 €", None, "EUR", IssueCode::MoneyInvalid),
            ("1500 XYZ", None, "EUR", IssueCode::CurrencyUnknown),
            ("1500", Some("XYZ"), "EUR", IssueCode::CurrencyUnknown),
            ("1500", None, "EURO", IssueCode::CurrencyUnknown),
            ("1500 dollars", None, "EUR", IssueCode::CurrencyUnknown),
            ("100 kr", None, "EUR", IssueCode::CurrencyUnknown),
        ];
        for (input, hint, default, code) in cases {
            let got = money(input, *hint, default, None);
            assert_eq!(
                got.as_ref().map_err(|e| e.code),
                Err(*code),
                "money({input:?}, {hint:?}, {default}) = {got:?}"
            );
        }
    }

    #[test]
    fn currency_list() {
        for c in ["EUR", "USD", "JPY", "GBP", "CHF", "BRL", "XOF"] {
            assert!(is_currency_code(c), "{c}");
        }
        for c in ["XYZ", "eur", "", "EURO"] {
            assert!(!is_currency_code(c), "{c}");
        }
        assert!(CODES.len() > 140, "{}", CODES.len());
    }

    #[test]
    fn currency_names() {
        let cases: &[(&str, &str)] = &[
            // Dynamics 365 "Export to Excel" writes the currency's display name.
            ("US Dollar", "USD"),
            ("U.S. dollars", "USD"),
            ("US dollars", "USD"),
            ("United States Dollar", "USD"),
            ("Dollar américain", "USD"),
            ("DOLLARS AMERICAINS", "USD"),
            ("dollars US", "USD"),
            ("Dollar (US)", "USD"),
            ("US-Dollar", "USD"),
            ("Amerikanischer Dollar", "USD"),
            ("dólar estadounidense", "USD"),
            ("dólares estadounidenses", "USD"),
            ("dolares de los Estados Unidos", "USD"),
            ("dollaro statunitense", "USD"),
            ("dólares americanos", "USD"),
            ("Amerikaanse dollar", "USD"),
            ("Euro", "EUR"),
            ("euros", "EUR"),
            ("EURO", "EUR"),
            ("euro's", "EUR"),
            ("Pound Sterling", "GBP"),
            ("pounds sterling", "GBP"),
            ("British Pound", "GBP"),
            ("livre sterling", "GBP"),
            ("Livres Sterling", "GBP"),
            ("Britisches Pfund", "GBP"),
            ("libras esterlinas", "GBP"),
            ("sterline", "GBP"),
            ("Britse pond", "GBP"),
            ("Swiss Franc", "CHF"),
            ("swiss francs", "CHF"),
            ("franc suisse", "CHF"),
            ("Francs Suisses", "CHF"),
            ("Schweizer Franken", "CHF"),
            ("franchi svizzeri", "CHF"),
            ("Zwitserse frank", "CHF"),
            ("Japanese Yen", "JPY"),
            ("yen", "JPY"),
            ("ienes japoneses", "JPY"),
            ("Canadian Dollar", "CAD"),
            ("dollars canadiens", "CAD"),
            ("Kanadischer Dollar", "CAD"),
            ("Australian Dollar", "AUD"),
            ("dólar australiano", "AUD"),
            ("Indian Rupee", "INR"),
            ("roupies indiennes", "INR"),
            ("Chinese Yuan", "CNY"),
            ("Renminbi", "CNY"),
            ("yuan renminbi", "CNY"),
            ("RMB", "CNY"),
            ("Brazilian Real", "BRL"),
            ("real brasileiro", "BRL"),
            ("reais brasileiros", "BRL"),
            ("Mexican Peso", "MXN"),
            ("pesos mexicanos", "MXN"),
            ("Swedish Krona", "SEK"),
            ("Swedish kronor", "SEK"),
            ("couronne suédoise", "SEK"),
            ("schwedische Kronen", "SEK"),
            ("Norwegian Krone", "NOK"),
            ("Norwegian kroner", "NOK"),
            ("Danish Krone", "DKK"),
            ("Deense kroon", "DKK"),
            ("Polish Zloty", "PLN"),
            ("złoty", "PLN"),
            ("zlotys polonais", "PLN"),
            ("Hong Kong Dollar", "HKD"),
            ("Singapore Dollar", "SGD"),
            ("South Korean Won", "KRW"),
            ("New Zealand Dollar", "NZD"),
            ("New Taiwan Dollar", "TWD"),
            ("South African Rand", "ZAR"),
            ("Thai Baht", "THB"),
            ("Israeli New Shekel", "ILS"),
            ("nouveau shekel israélien", "ILS"),
            ("Indonesian Rupiah", "IDR"),
            ("Czech Koruna", "CZK"),
            ("couronnes tchèques", "CZK"),
            ("UAE Dirham", "AED"),
            ("Turkish Lira", "TRY"),
            ("Hungarian Forint", "HUF"),
            ("Chilean Peso", "CLP"),
            ("Saudi Riyal", "SAR"),
            ("Philippine Peso", "PHP"),
            ("Malaysian Ringgit", "MYR"),
            ("Colombian Peso", "COP"),
            ("Russian Ruble", "RUB"),
            ("Romanian Leu", "RON"),
            ("Peruvian Sol", "PEN"),
            ("  us   dollar  ", "USD"),
        ];
        for (input, want) in cases {
            assert_eq!(
                currency_from_name(input),
                Some(*want),
                "currency_from_name({input:?})"
            );
            assert_eq!(
                currency_code(input),
                Some(*want),
                "currency_code({input:?})"
            );
        }
    }

    #[test]
    fn ambiguous_names() {
        // Names several currencies share, codes and symbols (not names), and nonsense.
        let cases: &[&str] = &[
            "Dollar",
            "dollars",
            "DOLLAR",
            "dólar",
            "dólares",
            "dollaro",
            "Peso",
            "pesos",
            "Franc",
            "francs",
            "Franken",
            "Krone",
            "kroner",
            "Krona",
            "kronor",
            "kroon",
            "crown",
            "Pound",
            "pounds",
            "Pfund",
            "livre",
            "libra",
            "rupee",
            "rupees",
            "roupie",
            "rupia",
            "lira",
            "won",
            "riyal",
            "rial",
            "dirham",
            "ruble",
            "rouble",
            "leu",
            "real",
            "sol",
            "shilling",
            "dinar",
            "crowns",
            "couronne",
            "corona",
            "USD",
            "EUR",
            "€",
            "$",
            "",
            "  ",
            "money",
            "US",
            "American",
            "euro dollar",
            "dollar euro",
        ];
        for input in cases {
            assert_eq!(
                currency_from_name(input),
                None,
                "currency_from_name({input:?})"
            );
        }
    }

    #[test]
    fn currency_cells() {
        let cases: &[(&str, Option<&str>)] = &[
            ("USD", Some("USD")),
            (" usd ", Some("USD")),
            ("eur", Some("EUR")),
            ("€", Some("EUR")),
            ("US$", Some("USD")),
            ("R$", Some("BRL")),
            ("zł", Some("PLN")),
            ("£", Some("GBP")),
            ("US Dollar", Some("USD")),
            ("US Dollar (USD)", Some("USD")),
            ("USD - US Dollar", Some("USD")),
            ("EUR - Euro", Some("EUR")),
            ("Euro (EUR)", Some("EUR")),
            ("CHF Swiss franc", Some("CHF")),
            // The code and the name disagree, or the name is ambiguous: no guess.
            ("Euro (USD)", None),
            ("USD - Dollar", None),
            ("$", None),
            ("¥", None),
            ("kr", None),
            ("Dollar", None),
            ("XYZ", None),
            ("EURO DOLLAR", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(currency_code(input), *want, "currency_code({input:?})");
        }
    }

    #[test]
    fn money_with_currency_names() {
        #[allow(clippy::type_complexity)]
        let cases: &[(&str, Option<&str>, &str, i64, &str)] = &[
            // The row's currency column names the currency.
            ("1500", Some("US Dollar"), "EUR", 1_500_000_000, "USD"),
            ("1500", Some("Euro"), "USD", 1_500_000_000, "EUR"),
            ("1500", Some("Pound Sterling"), "EUR", 1_500_000_000, "GBP"),
            (
                "1500",
                Some("Schweizer Franken"),
                "EUR",
                1_500_000_000,
                "CHF",
            ),
            ("1500", Some("€"), "USD", 1_500_000_000, "EUR"),
            ("1500", Some("US Dollar (USD)"), "EUR", 1_500_000_000, "USD"),
            (
                "$1,500.00",
                Some("Canadian Dollar"),
                "USD",
                1_500_000_000,
                "CAD",
            ),
            ("100 kr", Some("Swedish Krona"), "EUR", 100_000_000, "SEK"),
            // A code or symbol in the cell still wins over the named hint.
            ("1500 EUR", Some("US Dollar"), "EUR", 1_500_000_000, "EUR"),
            // Names in the cell, before or after the amount.
            ("1500 US Dollar", None, "EUR", 1_500_000_000, "USD"),
            ("1 500,00 dollars US", None, "EUR", 1_500_000_000, "USD"),
            ("1.500,00 US-Dollar", None, "EUR", 1_500_000_000, "USD"),
            ("-1.500,00 US-Dollar", None, "EUR", -1_500_000_000, "USD"),
            (
                "(1,500.00 U.S. dollars)",
                None,
                "EUR",
                -1_500_000_000,
                "USD",
            ),
            ("US Dollar 1,500", None, "EUR", 1_500_000_000, "USD"),
            ("-US Dollar 1,500", None, "EUR", -1_500_000_000, "USD"),
            ("12,50 euros", None, "USD", 12_500_000, "EUR"),
            ("1500 EURO", None, "USD", 1_500_000_000, "EUR"),
            ("1000 yen", None, "EUR", 1_000_000_000, "JPY"),
            ("1000 RMB", None, "EUR", 1_000_000_000, "CNY"),
            ("1 234,56 francs suisses", None, "EUR", 1_234_560_000, "CHF"),
            ("R 100", None, "EUR", 100_000_000, "ZAR"),
            ("100 rand", None, "EUR", 100_000_000, "ZAR"),
        ];
        for (input, hint, default, micros, code) in cases {
            let m = money(input, *hint, default, None)
                .unwrap_or_else(|e| panic!("money({input:?}, {hint:?}, {default}): {e}"));
            assert_eq!(
                (m.amount_micros, m.currency_code.as_str()),
                (*micros, *code),
                "money({input:?}, {hint:?}, {default})"
            );
        }
        let rejected: &[(&str, Option<&str>, &str)] = &[
            ("1500 dollars", None, "EUR"),
            ("1500 Dollar", Some("CAD"), "EUR"),
            ("1500", Some("Dollar"), "EUR"),
            ("1500", Some("dollars"), "USD"),
            ("1500 pesos", None, "MXN"),
            ("1500 francs", None, "CHF"),
            ("1500 YEM", None, "EUR"),
            // The default is a code from the configuration, not a cell: no names there.
            ("1500", None, "Euro"),
        ];
        for (input, hint, default) in rejected {
            let got = money(input, *hint, default, None);
            assert_eq!(
                got.as_ref().map_err(|e| e.code),
                Err(IssueCode::CurrencyUnknown),
                "money({input:?}, {hint:?}, {default}) = {got:?}"
            );
        }
    }

    #[test]
    fn currency_names_table() {
        const TOP: &[&str] = &[
            "USD", "EUR", "JPY", "GBP", "CNY", "AUD", "CAD", "CHF", "HKD", "SGD", "SEK", "KRW",
            "NOK", "NZD", "INR", "MXN", "TWD", "ZAR", "BRL", "DKK", "PLN", "THB", "ILS", "IDR",
            "CZK", "AED", "TRY", "HUF", "CLP", "SAR", "PHP", "MYR", "COP", "RUB", "RON", "PEN",
        ];
        const LANGS: &[&str] = &["en", "fr", "de", "es", "it", "pt", "nl"];
        let entries: Vec<_> = name_entries().collect();
        let mut seen: HashMap<&str, &str> = HashMap::default();
        for (code, lang, name) in &entries {
            assert!(is_currency_code(code), "{code} {name:?}");
            assert!(LANGS.contains(lang), "{code} {lang} {name:?}");
            // No name stands for two currencies.
            if let Some(other) = seen.insert(name.as_str(), code) {
                assert_eq!(other, *code, "{name:?} names both {other} and {code}");
            }
            // A name is never a code or a symbol, which money() reads first.
            let upper = name.to_ascii_uppercase();
            assert!(!is_currency_code(&upper), "{name:?}");
            assert!(!SYMBOLS.iter().any(|(s, _)| *s == upper), "{name:?}");
        }
        for code in TOP {
            for lang in LANGS {
                assert!(
                    entries.iter().any(|(c, l, _)| c == code && l == lang),
                    "no {lang} name for {code}"
                );
            }
        }
        assert!(NAMES.len() > 700, "{} names", NAMES.len());
    }

    #[test]
    fn optional_parts_expand() {
        let mut got = expand("dólar(es) estadounidense(s)");
        got.sort();
        assert_eq!(
            got,
            [
                "dólar estadounidense",
                "dólar estadounidenses",
                "dólares estadounidense",
                "dólares estadounidenses"
            ]
        );
        let mut got = expand("kanadische(r|n) Dollar");
        got.sort();
        assert_eq!(
            got,
            [
                "kanadische Dollar",
                "kanadischen Dollar",
                "kanadischer Dollar"
            ]
        );
        let mut got = expand("(nouveau(x) )shekel");
        got.sort();
        assert_eq!(got, ["nouveau shekel", "nouveaux shekel", "shekel"]);
        assert_eq!(split_top("a(b|c)|d"), ["a(b|c)", "d"]);
        assert_eq!(expand("unbalanced(x"), ["unbalanced", "unbalancedx"]);
    }
}
