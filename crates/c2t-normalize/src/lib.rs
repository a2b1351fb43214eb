//! crm2twenty's value cleaners: pure functions that turn one cell of a CRM export into the value
//! format Twenty expects (shared/twenty-api.md §4), or an [`Issue`] saying why they could not.
//!
//! One module per kind of value. Every function is pure: no I/O, no clock, no configuration read
//! from the environment; the only global state is a few tables built lazily from the data files
//! in `data/` (embedded with `include_str!`). Callers pass the per-column context (region, date
//! order, number style, currency) explicitly; column-level inference lives in
//! [`date::infer`] and [`number::infer_style`].
//!
//! Readers for what real exports hold beyond the plain formats (each with table tests, and
//! property tests in `tests/repair_properties.rs`):
//! * [`money::currency_code`] reads a currency cell (code, symbol or name, `"US Dollar"`) and
//!   [`money::currency_from_name`] names alone, in seven languages (`data/currency-names.tsv`);
//!   [`money::money`] reads names in the cell and in its hint through them.
//! * [`address::country`] also takes long official names, names in seven languages, and
//!   misspellings close to exactly one country; [`address::country_matched`] says which it was
//!   ([`address::CountryMatch`]).
//! * [`email::email_repaired`] / [`email::emails_repaired`] repair `annie @contoso.com`,
//!   `annie＠contoso.com`, quotes and trailing punctuation before validating, and list the
//!   [`email::EmailRepair`]s made; [`email::repair_email`] is the repair alone.
//! * [`html::html_to_markdown`] turns HTML note and email bodies into Markdown and leaves plain
//!   text as it is.
//!
//! What this crate deliberately does not do: decide whether a value is required, skip empty cells
//! (callers treat empty cells as "no value" before calling), look anything up on the network (no
//! MX or DNS checks), or know about Twenty's schema.

pub use c2t_core::{Issue, IssueCode};

pub mod address;
pub mod boolean;
pub mod date;
pub mod domain;
pub mod email;
pub mod html;
pub mod money;
pub mod name;
pub mod number;
pub mod phone;
pub mod select;
pub mod text;
pub mod url;

pub use address::{Country, CountryMatch, country, country_matched, split_street};
pub use boolean::boolean;
pub use date::{DateFormatGuess, DateOrder, date, datetime};
pub use domain::{Domain, domain};
pub use email::{
    EmailRepair, RepairedEmail, domain_of, email, email_repaired, emails, emails_repaired,
    is_free_mail, repair_email,
};
pub use html::html_to_markdown;
pub use money::{Money, currency_code, currency_from_name, is_currency_code, money};
pub use name::{fingerprint, person_key, similarity, split_full_name};
pub use number::{NumberStyle, decimal, infer_style};
pub use phone::{Phone, phone};
pub use select::{option_value, split_multi};
pub use text::{clean, csv_safe, is_test_value};
pub use url::link;

/// The value as quoted in an issue message: at most 80 characters, so a huge cell does not make a
/// huge report.
pub(crate) fn quoted(value: &str) -> String {
    const MAX: usize = 80;
    let mut out = String::with_capacity(value.len().min(MAX + 8) + 2);
    out.push('"');
    let mut chars = value.chars();
    for c in chars.by_ref().take(MAX) {
        out.push(c);
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out.push('"');
    out
}

/// Build an issue whose message names the offending value.
pub(crate) fn issue(code: IssueCode, value: &str, why: &str) -> Issue {
    Issue::new(code, format!("{} {why}", quoted(value)))
}

/// Lower-case, accent-free, ASCII form of `s` (deunicode after lower-casing), used for matching
/// words against the built-in tables.
pub(crate) fn fold(s: &str) -> String {
    // ASCII below DEL: NFKC and deunicode leave it as it is, lower-casing is ASCII lower-casing.
    if s.bytes().all(|b| b < 0x7F) {
        return s.to_ascii_lowercase();
    }
    fold_slow(s)
}

/// [`fold`] step by step.
fn fold_slow(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let nfkc: String = s.nfkc().collect();
    deunicode::deunicode(&nfkc.to_lowercase()).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn fold_fast_path_agrees(s in "[\\x00-\\x7e]{0,16}") {
            proptest::prop_assert_eq!(super::fold(&s), super::fold_slow(&s));
        }
    }
}
