//! Addresses: [`country`] maps whatever a CRM wrote in a country cell to ISO 3166 (`FR`) and the
//! English name written to Twenty's `addressCountry`; [`split_street`] splits a multi-line street
//! cell (Salesforce `BillingStreet`) into street 1 and street 2.
//!
//! Countries come from `data/countries.tsv` (all ISO 3166-1 entries plus Kosovo): alpha-2,
//! alpha-3, English name, and aliases: official long names (`United Kingdom of Great Britain and
//! Northern Ireland`, `Federal Republic of Germany`, `Korea, Republic of`, `Viet Nam`, …) and
//! common names in English, French, German, Spanish, Italian, Portuguese and Dutch (`USA`,
//! `U.S.`, `UK`, `England`, `Deutschland`, `Allemagne`, `Alemanha`, `España`, `Royaume-Uni`,
//! `États-Unis`, `Suisse`, `België`, `Pays-Bas`, …). Matching ignores case, accents, punctuation
//! and extra spaces. Home nations (`England`, `Scotland`, `Wales`, `Northern Ireland`) map to GB.
//! A cell matching none of them may be a misspelling of one (`Untied States`, `Germnay`): see
//! [`country_matched`] for when one is accepted.
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

/// How [`country_matched`] recognised a country cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountryMatch {
    /// A code, the name or an alias, up to case, accents, punctuation and spaces.
    Exact,
    /// A misspelling of one name or alias (`Germnay` for `Germany`): `edits` insertions,
    /// deletions, substitutions or swaps of two neighbouring letters away from `of`.
    Misspelled { of: &'static str, edits: usize },
}

struct Table {
    by_key: HashMap<String, Country>,
    /// Names and aliases (not codes) as keys, with the text they came from: what a misspelling
    /// is compared with.
    names: Vec<(String, &'static str, Country)>,
}

pub(crate) fn key(s: &str) -> String {
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
    let mut names = Vec::new();
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
                names.push((k.clone(), alias, c));
                by_key.entry(k).or_insert(c);
            }
        }
        by_key.insert(key(code), c);
        by_key.insert(key(alpha3), c);
    }
    Table { by_key, names }
});

/// Map a country cell to its ISO 3166 code and English name: a code, a name or alias, or a
/// misspelling of one (see [`country_matched`], which also says which of these it was).
pub fn country(input: &str) -> Result<Country, Issue> {
    country_matched(input).map(|(c, _)| c)
}

/// [`country`], saying how the cell was recognised, so a caller can record a corrected
/// misspelling.
///
/// A cell that is not exactly a code, name or alias is compared with every name and alias
/// (Damerau-Levenshtein distance on the folded form, never with codes). It is taken as a
/// misspelling only when all of these hold, so that a near miss is reported rather than guessed:
/// * its folded form has at least 5 characters and starts with the same letter as the name;
/// * it is at most 1 edit away (5 to 7 characters) or 2 edits (8 or more);
/// * one country is strictly closest: `Nigera` (1 edit from Niger and from Nigeria) and
///   `Austrlia` (Austria, Australia) are refused.
///
/// Exact names always win: `Niger`, `Guinea` and `Dominica` are those countries, never Nigeria,
/// Equatorial Guinea or the Dominican Republic.
pub fn country_matched(input: &str) -> Result<(Country, CountryMatch), Issue> {
    let k = key(input);
    if k.is_empty() {
        return Err(issue(IssueCode::CountryUnknown, input, "is empty"));
    }
    if let Some(c) = TABLE.by_key.get(&k) {
        return Ok((*c, CountryMatch::Exact));
    }
    match closest(&k) {
        Closest::One(c, of, edits) => Ok((c, CountryMatch::Misspelled { of, edits })),
        Closest::Tie(a, b) => Err(issue(
            IssueCode::CountryUnknown,
            input,
            &format!(
                "is not a country we know (as close to {} as to {})",
                a.name, b.name
            ),
        )),
        Closest::None => Err(issue(
            IssueCode::CountryUnknown,
            input,
            "is not a country we know",
        )),
    }
}

/// What [`closest`] found.
enum Closest {
    None,
    /// One country strictly closest: it, the name or alias matched, the distance.
    One(Country, &'static str, usize),
    /// Two countries (at least) equally close.
    Tie(Country, Country),
}

/// The country whose name or alias is closest to the key `k`, within the limits
/// [`country_matched`] documents.
fn closest(k: &str) -> Closest {
    let len = k.chars().count();
    if len < 5 {
        return Closest::None;
    }
    let max = if len >= 8 { 2 } else { 1 };
    let first = k.chars().next();
    let mut best: Option<(usize, Country, &'static str)> = None;
    let mut tie: Option<Country> = None;
    for (name, alias, c) in &TABLE.names {
        if name.chars().next() != first || name.chars().count().abs_diff(len) > max {
            continue;
        }
        let d = strsim::damerau_levenshtein(k, name);
        if d > max {
            continue;
        }
        match best {
            Some((bd, bc, _)) if d == bd && bc != *c => tie = Some(*c),
            Some((bd, _, _)) if d >= bd => {}
            _ => {
                best = Some((d, *c, alias));
                tie = None;
            }
        }
    }
    match (best, tie) {
        (None, _) => Closest::None,
        (Some((_, c, _)), Some(other)) => Closest::Tie(c, other),
        (Some((d, c, alias)), None) => Closest::One(c, alias, d),
    }
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
    fn long_and_foreign_names() {
        let cases: &[(&str, &str)] = &[
            ("United Kingdom of Great Britain and Northern Ireland", "GB"),
            ("Federal Republic of Germany", "DE"),
            ("Bundesrepublik Deutschland", "DE"),
            ("United States of America", "US"),
            ("Vereinigte Staaten von Amerika", "US"),
            ("Estados Unidos da América", "US"),
            ("Republic of Korea", "KR"),
            ("Korea, Republic of", "KR"),
            ("Korea (Democratic People's Republic of)", "KP"),
            ("Russian Federation", "RU"),
            ("Fédération de Russie", "RU"),
            ("Viet Nam", "VN"),
            ("Socialist Republic of Viet Nam", "VN"),
            ("Iran, Islamic Republic of", "IR"),
            ("Bolivia (Plurinational State of)", "BO"),
            ("Venezuela, Bolivarian Republic of", "VE"),
            ("Tanzania, United Republic of", "TZ"),
            ("Congo, The Democratic Republic of the", "CD"),
            ("Republic of the Congo", "CG"),
            ("Lao People's Democratic Republic", "LA"),
            ("Taiwan, Province of China", "TW"),
            ("Hellenic Republic", "GR"),
            ("Kingdom of the Netherlands", "NL"),
            ("Swiss Confederation", "CH"),
            ("Confédération suisse", "CH"),
            ("Schweizerische Eidgenossenschaft", "CH"),
            ("Grand Duchy of Luxembourg", "LU"),
            ("United Mexican States", "MX"),
            ("Virgin Islands, British", "VG"),
            ("Holy See (Vatican City State)", "VA"),
            ("Republic of Türkiye", "TR"),
            ("The former Yugoslav Republic of Macedonia", "MK"),
            // Common names in French, German, Spanish, Italian, Portuguese and Dutch.
            ("Alemanha", "DE"),
            ("Duitsland", "DE"),
            ("Espanha", "ES"),
            ("Spanje", "ES"),
            ("França", "FR"),
            ("Frankrijk", "FR"),
            ("Suíça", "CH"),
            ("Zwitserland", "CH"),
            ("Países Baixos", "NL"),
            ("Olanda", "NL"),
            ("Bélgica", "BE"),
            ("Itália", "IT"),
            ("Italië", "IT"),
            ("Japão", "JP"),
            ("Giappone", "JP"),
            ("Grã-Bretanha", "GB"),
            ("Verenigd Koninkrijk", "GB"),
            ("Großbritannien", "GB"),
            ("Stati Uniti d'America", "US"),
            ("Verenigde Staten", "US"),
            ("Südafrika", "ZA"),
            ("África do Sul", "ZA"),
            ("Coreia do Sul", "KR"),
            ("Südkorea", "KR"),
            ("Nieuw-Zeeland", "NZ"),
            ("Polônia", "PL"),
            ("Dänemark", "DK"),
            ("Zweden", "SE"),
            ("Noruega", "NO"),
            ("Marrocos", "MA"),
            ("Elfenbeinküste", "CI"),
            ("Costa do Marfim", "CI"),
            ("Tschechien", "CZ"),
            ("Arábia Saudita", "SA"),
            ("Emirados Árabes Unidos", "AE"),
            ("Moçambique", "MZ"),
        ];
        for (input, code) in cases {
            assert_eq!(
                country_matched(input).map(|(c, how)| (c.code, how)),
                Ok((*code, CountryMatch::Exact)),
                "country_matched({input:?})"
            );
        }
    }

    #[test]
    fn misspellings() {
        let found: &[(&str, &str, &str, usize)] = &[
            ("Untied States", "US", "United States", 1),
            ("Germnay", "DE", "Germany", 1),
            ("Frnace", "FR", "France", 1),
            ("Fance", "FR", "France", 1),
            ("Swizterland", "CH", "Switzerland", 1),
            ("Switzerlnd", "CH", "Switzerland", 1),
            ("Phillipines", "PH", "Philippines", 2),
            ("Columbia", "CO", "Colombia", 1),
            ("Isreal", "IL", "Israel", 1),
            ("Austrailia", "AU", "Australia", 1),
            ("Untied Kingdom", "GB", "United Kingdom", 1),
            ("Nehterlands", "NL", "Netherlands", 1),
            ("Luxemburgh", "LU", "Luxemburg", 1),
            ("Guinea Bisau", "GW", "Guinea-Bissau", 1),
            ("Deutchland", "DE", "Deutschland", 1),
            ("Gremany", "DE", "Germany", 1),
            ("Itlay", "IT", "Italy", 1),
        ];
        for (input, code, of, edits) in found {
            let got = country_matched(input).map(|(c, how)| (c.code, how));
            assert_eq!(
                got,
                Ok((*code, CountryMatch::Misspelled { of, edits: *edits })),
                "country_matched({input:?})"
            );
            assert_eq!(
                country(input).map(|c| c.code),
                Ok(*code),
                "country({input:?})"
            );
        }
        // Exact names win over similar ones; spaces are not misspellings.
        let exact: &[(&str, &str)] = &[
            ("Niger", "NE"),
            ("Nigeria", "NG"),
            ("Guinea", "GN"),
            ("Equatorial Guinea", "GQ"),
            ("Guinea-Bissau", "GW"),
            ("Dominica", "DM"),
            ("Austria", "AT"),
            ("Australia", "AU"),
            ("Iceland", "IS"),
            ("Ireland", "IE"),
            ("Slovenia", "SI"),
            ("Slovakia", "SK"),
            ("Sudan", "SD"),
            ("South Sudan", "SS"),
            ("Switzerland ", "CH"),
            ("  switzerland  ", "CH"),
        ];
        for (input, code) in exact {
            assert_eq!(
                country_matched(input).map(|(c, how)| (c.code, how)),
                Ok((*code, CountryMatch::Exact)),
                "country_matched({input:?})"
            );
        }
        // Ties, too far, too short, another first letter, or not a country: refused.
        let refused: &[&str] = &[
            "Nigera",   // Niger and Nigeria, 1 edit each
            "Austrlia", // Austria and Australia
            "Slovania", // Slovenia and Slovakia
            "Ieland",   // Iceland and Ireland
            "Iraw",     // Iraq and Iran
            "Chin",     // 1 edit from China, but 4 letters: too short to guess
            "Indo",     // 1 edit from Inde (India), 4 letters
            "Africa",   // 2 edits from America, but only 6 letters
            "Siberia",  // 1 edit from Liberia, another first letter
            "Gemrnay",  // 2 edits from Germany in 7 letters
            "Jermany",  // another first letter
            "Europe", "Atlantis", "Paris", "Bavaria", "Texas", "XYZ",
        ];
        for input in refused {
            let got = country_matched(input);
            assert_eq!(
                got.as_ref().map_err(|e| e.code),
                Err(IssueCode::CountryUnknown),
                "country_matched({input:?}) = {got:?}"
            );
        }
        let e = country("Nigera").unwrap_err();
        assert!(
            e.message.contains("Niger") && e.message.contains("Nigeria"),
            "{e}"
        );
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
            // And so does each alias: none is another country's name, alias or code.
            for alias in cols
                .get(3)
                .unwrap_or(&"")
                .split('|')
                .filter(|a| !a.is_empty())
            {
                assert_eq!(
                    country_matched(alias).map(|(c, how)| (c.code, how)),
                    Ok((cols[0], CountryMatch::Exact)),
                    "alias {alias:?} of {r:?}"
                );
            }
        }
        assert!(TABLE.names.len() > 1000, "{} names", TABLE.names.len());
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
