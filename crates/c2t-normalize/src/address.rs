//! Addresses: [`country`] maps whatever a CRM wrote in a country cell to ISO 3166 (`FR`) and the
//! English name written to Twenty's `addressCountry`; [`split_street`] splits a multi-line street
//! cell (Salesforce `BillingStreet`) into street 1 and street 2.
//!
//! Countries come from `data/countries.tsv` (all ISO 3166-1 entries plus Kosovo): alpha-2,
//! alpha-3, English name, and aliases in English, French, German, Spanish, Italian and Dutch
//! (`USA`, `U.S.`, `UK`, `England`, `Deutschland`, `Allemagne`, `España`, `Royaume-Uni`,
//! `États-Unis`, `Suisse`, `België`, `Pays-Bas`, …). Matching ignores case, accents, punctuation
//! and extra spaces. Home nations (`England`, `Scotland`, `Wales`, `Northern Ireland`) map to GB.
//! Twenty's exact country-name list is unconfirmed (shared/twenty-api.md); the names used are the
//! common English short names.
//!
//! Not done here: postcode or state validation, geocoding, parsing a whole one-line address.

use rustc_hash::FxHashMap as HashMap;
use std::sync::LazyLock;

use crate::{Issue, IssueCode, issue};

/// An ISO 3166-1 country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country {
    /// Alpha-2 code, `FR`.
    pub code: &'static str,
    /// English name, `France`.
    pub name: &'static str,
}

struct Table {
    by_key: HashMap<String, Country>,
}

fn key(s: &str) -> String {
    if s.bytes().all(|b| b < 0x7F) {
        // What the general path gives for ASCII below DEL (which `fold` only lower-cases), in
        // one pass: dots and apostrophes dropped, other runs of non-alphanumerics one space.
        return crate::text::ascii_words(s, b".'");
    }
    key_general(s)
}

/// [`key`] through [`crate::fold`].
fn key_general(s: &str) -> String {
    let folded = crate::fold(s);
    let joined: String = folded
        .chars()
        .filter(|c| !matches!(c, '.' | '\''))
        .collect();
    joined
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut by_key = HashMap::default();
    for line in include_str!("../data/countries.tsv").lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(code), Some(alpha3), Some(name)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let aliases = cols.next().unwrap_or("");
        let c = Country { code, name };
        // Names and aliases first; codes last so they win (`IN` is India, not the word "in").
        for alias in std::iter::once(name).chain(aliases.split('|')) {
            let k = key(alias);
            if !k.is_empty() {
                by_key.entry(k).or_insert(c);
            }
        }
        by_key.insert(key(code), c);
        by_key.insert(key(alpha3), c);
    }
    Table { by_key }
});

/// Map a country cell to its ISO 3166 code and English name.
pub fn country(input: &str) -> Result<Country, Issue> {
    let k = key(input);
    if k.is_empty() {
        return Err(issue(IssueCode::CountryUnknown, input, "is empty"));
    }
    if let Some(c) = TABLE.by_key.get(&k) {
        return Ok(*c);
    }
    Err(issue(
        IssueCode::CountryUnknown,
        input,
        "is not a country we know",
    ))
}

/// Split a street cell on line breaks: street 1 is the first non-empty line, street 2 the other
/// non-empty lines joined with `", "`. Lines are trimmed.
pub fn split_street(input: &str) -> (String, String) {
    let mut lines = input
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("").to_string();
    let rest: Vec<&str> = lines.collect();
    (first, rest.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The ASCII fast path of `key` gives what the general path gives.
        #[test]
        fn key_fast_path_agrees(s in "[\\x00-\\x7e]{0,16}|[ .'a-zA-Z0-9-]{0,16}") {
            proptest::prop_assert_eq!(key(&s), key_general(&s));
        }
    }

    #[test]
    fn countries() {
        let cases: &[(&str, &str, &str)] = &[
            ("FR", "FR", "France"),
            ("fr", "FR", "France"),
            ("FRA", "FR", "France"),
            ("France", "FR", "France"),
            (" FRANCE ", "FR", "France"),
            ("USA", "US", "United States"),
            ("U.S.", "US", "United States"),
            ("U.S.A.", "US", "United States"),
            ("United States of America", "US", "United States"),
            ("États-Unis", "US", "United States"),
            ("Etats Unis", "US", "United States"),
            ("UK", "GB", "United Kingdom"),
            ("GB", "GB", "United Kingdom"),
            ("Great Britain", "GB", "United Kingdom"),
            ("England", "GB", "United Kingdom"),
            ("Royaume-Uni", "GB", "United Kingdom"),
            ("Deutschland", "DE", "Germany"),
            ("Allemagne", "DE", "Germany"),
            ("germany", "DE", "Germany"),
            ("Espagne", "ES", "Spain"),
            ("España", "ES", "Spain"),
            ("Italia", "IT", "Italy"),
            ("Suisse", "CH", "Switzerland"),
            ("Schweiz", "CH", "Switzerland"),
            ("Belgique", "BE", "Belgium"),
            ("België", "BE", "Belgium"),
            ("Nederland", "NL", "Netherlands"),
            ("Pays-Bas", "NL", "Netherlands"),
            ("The Netherlands", "NL", "Netherlands"),
            ("Côte d'Ivoire", "CI", "Cote d'Ivoire"),
            ("IN", "IN", "India"),
            ("India", "IN", "India"),
            ("Korea", "KR", "South Korea"),
            ("Japon", "JP", "Japan"),
            ("Brasil", "BR", "Brazil"),
            ("Türkiye", "TR", "Turkey"),
            ("Kosovo", "XK", "Kosovo"),
        ];
        for (input, code, name) in cases {
            let c = country(input).unwrap_or_else(|e| panic!("country({input:?}): {e}"));
            assert_eq!((c.code, c.name), (*code, *name), "country({input:?})");
            assert_eq!(country(c.name), Ok(c), "idempotent via name on {input:?}");
            assert_eq!(country(c.code), Ok(c), "idempotent via code on {input:?}");
        }
        for input in ["", "  ", "Atlantis", "XX", "Europe", "n/a", "Paris"] {
            assert_eq!(
                country(input).map_err(|e| e.code),
                Err(IssueCode::CountryUnknown),
                "country({input:?})"
            );
        }
    }

    #[test]
    fn table_is_complete_and_consistent() {
        let rows: Vec<&str> = include_str!("../data/countries.tsv")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .collect();
        assert!(rows.len() >= 249, "{} countries", rows.len());
        let mut codes = std::collections::HashSet::new();
        for r in &rows {
            let cols: Vec<&str> = r.split('\t').collect();
            assert!(cols.len() >= 3, "row {r:?}");
            assert_eq!(cols[0].len(), 2, "{r:?}");
            assert_eq!(cols[1].len(), 3, "{r:?}");
            assert!(codes.insert(cols[0]), "duplicate {}", cols[0]);
            // Each country's own name maps back to it.
            assert_eq!(country(cols[2]).map(|c| c.code), Ok(cols[0]), "{r:?}");
            assert_eq!(country(cols[1]).map(|c| c.code), Ok(cols[0]), "{r:?}");
        }
    }

    #[test]
    fn streets() {
        let cases: &[(&str, &str, &str)] = &[
            ("1 rue de la Paix", "1 rue de la Paix", ""),
            (
                "1 rue de la Paix\nBâtiment B",
                "1 rue de la Paix",
                "Bâtiment B",
            ),
            (
                "1 Main St\r\nSuite 200\r\nFloor 3",
                "1 Main St",
                "Suite 200, Floor 3",
            ),
            ("\n  1 Main St  \n\n Suite 200 \n", "1 Main St", "Suite 200"),
            ("", "", ""),
            ("   ", "", ""),
        ];
        for (input, s1, s2) in cases {
            assert_eq!(
                split_street(input),
                (s1.to_string(), s2.to_string()),
                "split_street({input:?})"
            );
        }
    }
}
