//! Names: splitting a person's full name into Twenty's FULL_NAME parts, and the keys the
//! deduplicator compares people and companies on.
//!
//! [`split_full_name`] rules:
//! * whitespace is collapsed; `Last, First` (one comma) is read as such unless the part after
//!   the comma is a suffix (`Ada Lovelace, PhD`);
//! * leading honorifics are dropped (`Dr.`, `Mr`, `Mrs`, `Ms`, `Prof.`, `M.`, `Mme`, `Mlle`,
//!   `Herr`, `Frau`, `Sir`, …) as long as a name remains;
//! * the last name is the last word, together with the particles right before it (`van`, `von`,
//!   `de`, `da`, `di`, `du`, `des`, `del`, `della`, `le`, `la`, `van der`, `von der`, `ter`,
//!   `bin`, `al`, …) and a generational or degree suffix after it (`Jr.`, `III`, `PhD`);
//!   everything before is the first name (`Ada King Lovelace` → `Ada King` / `Lovelace`);
//! * a single word is a first name.
//!
//! [`fingerprint`] is the company-name key (OpenRefine-style): NFKC, case fold, ASCII
//! transliteration, punctuation dropped (`S.A.` → `sa`), `&`/`and`/`et`/`und`/`the` dropped, legal
//! forms dropped wherever they stand (`Inc`, `LLC`, `GmbH`, `SAS`, `Pty Ltd`, …; so the key does
//! not depend on word order and is idempotent; the price is that `SAS Institute` keys as
//! `institute`), tokens sorted and
//! deduplicated. [`similarity`] is Jaro-Winkler on fingerprints. [`person_key`] is the folded
//! `first last`.
//!
//! Not done here: nicknames (Bob/Robert), phonetic keys, case fixing (`ADA LOVELACE` stays as is),
//! company-name cleaning for display (the fingerprint is a key, never written to Twenty).

/// Titles dropped from the start of a person's name (folded, without trailing dot).
const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "madam",
    "rev",
    "m",
    "mme",
    "mlle",
    "mm",
    "me",
    "herr",
    "frau",
    "hr",
    "fr",
    "sr",
    "sra",
    "srta",
    "don",
    "dona",
    "sig",
    "sigra",
    "ing",
    "mag",
];
/// Lower-case particles that belong to the last name.
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "da", "di", "du", "des", "del", "della", "dos", "das", "do",
    "le", "la", "ter", "ten", "bin", "ibn", "al", "el", "st", "zu", "vom", "zum", "zur", "y",
];
/// Suffixes kept with the last name.
const SUFFIXES: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "mba", "cpa",
];

fn bare(w: &str) -> String {
    crate::fold(w.trim_end_matches(['.', ','])).replace('.', "")
}

/// Split a full name into (first, last). See the module documentation.
pub fn split_full_name(input: &str) -> (String, String) {
    let collapsed = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return (String::new(), String::new());
    }
    if let Some((before, after)) = collapsed.split_once(',') {
        let after_words: Vec<&str> = after.split_whitespace().collect();
        let after_is_suffix = !after_words.is_empty()
            && after_words
                .iter()
                .all(|w| SUFFIXES.contains(&bare(w).as_str()));
        if !after.contains(',')
            && !after_is_suffix
            && !after_words.is_empty()
            && !before.trim().is_empty()
        {
            let first_words = drop_honorifics(after_words);
            return (first_words.join(" "), before.trim().to_string());
        }
        if after_is_suffix {
            let joined = format!("{} {}", before.trim(), after.trim());
            return split_words(joined.split_whitespace().collect());
        }
    }
    split_words(collapsed.split_whitespace().collect())
}

fn drop_honorifics(mut words: Vec<&str>) -> Vec<&str> {
    while words.len() > 1 && HONORIFICS.contains(&bare(words[0]).as_str()) {
        words.remove(0);
    }
    words
}

fn split_words(words: Vec<&str>) -> (String, String) {
    let words = drop_honorifics(words);
    let n = words.len();
    if n == 1 {
        return (words[0].to_string(), String::new());
    }
    // Last-name start: the last word, minus a trailing suffix, plus particles before it.
    let mut start = n - 1;
    if n >= 3 && SUFFIXES.contains(&bare(words[n - 1]).as_str()) {
        start = n - 2;
    }
    while start > 1 && PARTICLES.contains(&words[start - 1].to_lowercase().as_str()) {
        start -= 1;
    }
    (words[..start].join(" "), words[start..].join(" "))
}

/// Legal-form tokens dropped from a company fingerprint.
const LEGAL_FORMS: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "ltd",
    "limited",
    "plc",
    "corp",
    "corporation",
    "co",
    "company",
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "ohg",
    "ug",
    "ev",
    "sa",
    "sas",
    "sasu",
    "sarl",
    "eurl",
    "sci",
    "sca",
    "snc",
    "scop",
    "bv",
    "nv",
    "vof",
    "cv",
    "sl",
    "slu",
    "srl",
    "spa",
    "sapa",
    "oy",
    "oyj",
    "ab",
    "as",
    "asa",
    "aps",
    "kk",
    "pty",
    "pte",
    "pvt",
    "bhd",
    "sdn",
    "tbk",
    "ltda",
    "cia",
    "sociedad",
    "anonima",
    "holding",
    "holdings",
    "group",
    "groupe",
    "gruppe",
];
const STOPWORDS: &[&str] = &[
    "and", "et", "und", "the", "le", "la", "les", "der", "die", "das",
];

fn tokens(s: &str) -> Vec<String> {
    let folded = crate::fold(s);
    // Dots and apostrophes join (S.A. → sa, L'Oréal → loreal); other punctuation separates.
    let joined: String = folded
        .chars()
        .filter(|c| !matches!(c, '.' | '\''))
        .collect();
    joined
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Company-name dedup key. `Acme, Inc.` / `ACME Incorporated` / `acme` → `acme`;
/// `Société Générale S.A.` → `generale societe`.
pub fn fingerprint(s: &str) -> String {
    let mut toks: Vec<String> = tokens(s)
        .into_iter()
        .filter(|t| !STOPWORDS.contains(&t.as_str()))
        .collect();
    // Dropped wherever they stand, so the key does not depend on word order and
    // fingerprint(fingerprint(x)) == fingerprint(x); kept when the name is nothing else.
    if toks.iter().any(|t| !LEGAL_FORMS.contains(&t.as_str())) {
        toks.retain(|t| !LEGAL_FORMS.contains(&t.as_str()));
    }
    toks.sort();
    toks.dedup();
    toks.join(" ")
}

/// Jaro-Winkler similarity (0.0–1.0) of two company names' fingerprints; 0.0 when either is empty.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (fa, fb) = (fingerprint(a), fingerprint(b));
    if fa.is_empty() || fb.is_empty() {
        return 0.0;
    }
    strsim::jaro_winkler(&fa, &fb)
}

/// Person dedup key: folded `first last` (lower case, ASCII, punctuation and extra spaces gone).
pub fn person_key(first: &str, last: &str) -> String {
    let mut t = tokens(first);
    t.extend(tokens(last));
    t.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_table() {
        let cases: &[(&str, &str, &str)] = &[
            ("Ada Lovelace", "Ada", "Lovelace"),
            ("  Ada   Lovelace  ", "Ada", "Lovelace"),
            ("Lovelace, Ada", "Ada", "Lovelace"),
            ("Lovelace,Ada", "Ada", "Lovelace"),
            ("King Lovelace, Ada Augusta", "Ada Augusta", "King Lovelace"),
            ("Dr. Ada King Lovelace", "Ada King", "Lovelace"),
            ("Mme Marie Curie", "Marie", "Curie"),
            ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
            ("Johannes van der Berg", "Johannes", "van der Berg"),
            ("Charles de Gaulle", "Charles", "de Gaulle"),
            ("Leonardo da Vinci", "Leonardo", "da Vinci"),
            ("Ursula von der Leyen", "Ursula", "von der Leyen"),
            ("Martin Luther King Jr.", "Martin Luther", "King Jr."),
            ("Ada Lovelace, PhD", "Ada", "Lovelace PhD"),
            ("Ada", "Ada", ""),
            ("Dr.", "Dr.", ""),
            ("Dr. Who", "Who", ""),
            ("", "", ""),
            ("   ", "", ""),
            ("De Gaulle", "De", "Gaulle"),
            ("Jean-Luc Picard", "Jean-Luc", "Picard"),
            ("李 小龍", "李", "小龍"),
        ];
        for (input, first, last) in cases {
            assert_eq!(
                split_full_name(input),
                (first.to_string(), last.to_string()),
                "split_full_name({input:?})"
            );
        }
    }

    #[test]
    fn fingerprint_table() {
        let cases: &[(&str, &str)] = &[
            ("Acme", "acme"),
            ("Acme, Inc.", "acme"),
            ("ACME Incorporated", "acme"),
            ("Acme Corp", "acme"),
            ("Acme GmbH & Co. KG", "acme"),
            ("The Acme Company", "acme"),
            ("Société Générale S.A.", "generale societe"),
            ("Générale Société", "generale societe"),
            ("SAS Institute", "institute"),
            ("Acme Pty Ltd", "acme"),
            ("SARL Dupont", "dupont"),
            ("Dupont SARL", "dupont"),
            ("L'Oréal", "loreal"),
            ("AT&T", "at t"),
            ("Smith & Sons", "smith sons"),
            ("Smith and Sons", "smith sons"),
            ("Ltd", "ltd"),
            ("", ""),
            ("!!!", ""),
            ("ＡＣＭＥ", "acme"),
            ("acme acme", "acme"),
        ];
        for (input, want) in cases {
            assert_eq!(fingerprint(input), *want, "fingerprint({input:?})");
            assert_eq!(fingerprint(want), *want, "idempotent on {input:?}");
        }
    }

    #[test]
    fn similarity_and_keys() {
        assert_eq!(similarity("Acme Inc", "ACME Incorporated"), 1.0);
        assert!(similarity("Acme Corp", "Acme Corporation") > 0.99);
        assert!(similarity("Acme", "Acmee") > 0.9);
        assert!(similarity("Acme", "Globex") < 0.6);
        assert_eq!(similarity("", "Acme"), 0.0);
        assert_eq!(similarity("x", "y"), similarity("y", "x"));
        assert_eq!(person_key("Ada", "Lovelace"), "ada lovelace");
        assert_eq!(
            person_key("  ÉLODIE ", "d'Arc-Dupont"),
            "elodie darc dupont"
        );
        assert_eq!(person_key("", "Lovelace"), "lovelace");
        assert_eq!(person_key("", ""), "");
    }
}
