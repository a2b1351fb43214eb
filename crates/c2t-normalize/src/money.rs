//! Money amounts for Twenty's CURRENCY fields: `{ amountMicros, currencyCode }`
//! (shared/twenty-api.md §4), amount × 1 000 000 computed exactly with rust_decimal.
//!
//! The currency comes from, in order: a symbol or ISO code in the cell (`$1,500.00`,
//! `€ 12 500,50`, `12 500,50 €`, `1500 EUR`, `USD 1,500`, `£`, `¥`, `CHF`, `R$`, `zł`, …), the
//! hint (the row's currency column), the default (preset or `--currency`). A code in the cell wins
//! over the hint. Codes are checked against ISO 4217 (`data/currencies.txt`).
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

use rustc_hash::FxHashSet as HashSet;
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
    let hint = currency_hint
        .map(|h| h.trim().to_ascii_uppercase())
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
    } else if currency_text.len() == 3 && currency_text.bytes().all(|b| b.is_ascii_alphabetic()) {
        if !is_currency_code(&currency_text) {
            return Err(issue(
                IssueCode::CurrencyUnknown,
                input,
                &format!("names {currency_text}, which is not an ISO 4217 currency code"),
            ));
        }
        currency_text
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
}
