//! Free text: [`clean`] makes a cell safe to store (trimmed, NFC, no stray control characters,
//! `\n` line ends); [`is_test_value`] flags obvious test or placeholder data for the audit;
//! [`csv_safe`] neutralises cells a spreadsheet would run as formulas when we write CSV.
//!
//! Not done here: truncation to a field's maximum length (the caller knows the field and reports
//! `TEXT_TRUNCATED`), spelling or case changes, HTML (see [`crate::html`]).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

/// Trim, normalise line ends (CRLF and lone CR become `\n`), compose to NFC, and drop control
/// characters other than `\n` and `\t`, plus the invisible BOM / zero-width characters
/// (U+FEFF, U+200B) that exports leave behind.
///
/// Most cells need nothing but the trim: they come back borrowed.
pub fn clean(input: &str) -> std::borrow::Cow<'_, str> {
    // Fastest path: printable ASCII, newlines and tabs only (a byte loop the compiler
    // vectorises). Most cells are this.
    if input
        .bytes()
        .all(|b| (0x20..0x7F).contains(&b) || b == b'\n' || b == b'\t')
    {
        // Which whitespace `trim` would take off these bytes (no VT, FF or non-ASCII here).
        return input.trim_ascii().into();
    }
    // Fast path: nothing to drop or rewrite (no CR, control, BOM or zero-width character) and
    // already NFC (always so for ASCII): the answer is the trimmed input.
    let mut ascii = true;
    for c in input.chars() {
        if c.is_ascii() {
            if c.is_ascii_control() && c != '\n' && c != '\t' {
                return clean_slow(input).into();
            }
        } else {
            ascii = false;
            if c.is_control() || c == '\u{FEFF}' || c == '\u{200B}' {
                return clean_slow(input).into();
            }
        }
    }
    let trimmed = input.trim();
    if ascii
        || unicode_normalization::is_nfc_quick(trimmed.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        return trimmed.into();
    }
    clean_slow(input).into()
}

/// [`clean`] step by step, for cells the fast path cannot take.
fn clean_slow(input: &str) -> String {
    let mut unified = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                unified.push('\n');
            }
            '\n' | '\t' => unified.push(c),
            '\u{FEFF}' | '\u{200B}' => {}
            c if c.is_control() => {}
            c => unified.push(c),
        }
    }
    let composed: String = unified.trim().nfc().collect();
    // NFC never introduces control characters or outer whitespace, but composition of a leading
    // combining mark can change what `trim` sees; trim again to stay idempotent.
    composed.trim().to_string()
}

struct TestValues {
    exact: HashSet<String>,
    /// Phrases as their words, under their first word.
    phrases: HashMap<String, Vec<Vec<String>>>,
    domains: HashSet<String>,
    /// [`word_hash`] of every word of the exact values and phrases: a plain-ASCII cell none of
    /// whose words (with or without trailing digits) is here matches neither.
    vocabulary: HashSet<u64>,
}

/// FNV-1a of the ASCII lower case of `word`'s bytes (a word of [`words`], hashed without being
/// copied).
fn word_hash(word: &[u8]) -> u64 {
    word.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
    })
}

/// True when plain-ASCII `s` (no byte from DEL up) cannot be an exact value or hold a phrase:
/// none of its words, nor any word without its trailing digits, is a word of the list. Most
/// names are ruled out here, without building their words.
fn names_no_listed_word(s: &str) -> bool {
    let vocabulary = &TEST_VALUES.vocabulary;
    s.as_bytes()
        .split(|b| !b.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| {
            let digits = w.iter().rev().take_while(|b| b.is_ascii_digit()).count();
            let base = &w[..w.len() - digits];
            !vocabulary.contains(&word_hash(w))
                && (digits == 0 || base.is_empty() || !vocabulary.contains(&word_hash(base)))
        })
}

static TEST_VALUES: LazyLock<TestValues> = LazyLock::new(|| {
    let mut t = TestValues {
        exact: HashSet::default(),
        phrases: HashMap::default(),
        domains: HashSet::default(),
        vocabulary: HashSet::default(),
    };
    for line in include_str!("../data/test-values.txt").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(v) = line.strip_prefix("exact:") {
            t.exact.insert(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("phrase:") {
            // Matched word by word against `words(cell)`, so written the same way.
            let ws: Vec<String> = words(v).split(' ').map(str::to_string).collect();
            if let Some(first) = ws.first().filter(|f| !f.is_empty()) {
                t.phrases.entry(first.clone()).or_default().push(ws);
            }
        } else if let Some(v) = line.strip_prefix("domain:") {
            t.domains.insert(v.trim().to_string());
        }
    }
    let listed = t.exact.iter().chain(t.phrases.values().flatten().flatten());
    for value in listed {
        for w in value.split(' ').filter(|w| !w.is_empty()) {
            t.vocabulary.insert(word_hash(w.as_bytes()));
        }
    }
    t
});

/// `s.to_lowercase()`, borrowed when `s` is already lower-case ASCII (most emails and domains).
pub fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() && !s.bytes().any(|b| b.is_ascii_uppercase()) {
        s.into()
    } else {
        s.to_lowercase().into()
    }
}

/// `s.trim()`, answered without looking for Unicode whitespace when the first and last bytes
/// are printable ASCII other than space (most cells): nothing is trimmed then.
pub fn trim(s: &str) -> &str {
    match s.as_bytes() {
        [] => s,
        [first, .., last] | [first @ last]
            if (0x21..0x7F).contains(first) && (0x21..0x7F).contains(last) =>
        {
            s
        }
        _ => s.trim(),
    }
}

/// Lower-case ASCII words of `s` separated by single spaces.
fn words(s: &str) -> String {
    if s.bytes().all(|b| b < 0x7F) {
        // What the general path gives where `fold` only lower-cases, in one pass.
        return ascii_words(s, b"");
    }
    words_general(s)
}

/// The lower-cased ASCII letters and digits of `s` (ASCII below DEL), runs of anything else
/// made one space (none at the ends), the bytes in `dropped` left out without a space: the one
/// pass that [`words`] and the country keys take for plain ASCII.
pub(crate) fn ascii_words(s: &str, dropped: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for b in s.bytes() {
        if dropped.contains(&b) {
            continue;
        }
        if b.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(char::from(b.to_ascii_lowercase()));
        } else {
            gap = true;
        }
    }
    out
}

/// [`words`] through [`crate::fold`].
fn words_general(s: &str) -> String {
    let folded = crate::fold(s);
    let mut out = String::with_capacity(folded.len());
    for w in folded.split(|c: char| !c.is_ascii_alphanumeric()) {
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Whether the cell looks like test or placeholder data (`test`, `Test 2`, `asdf`, `ACME - DO NOT
/// USE`, `x@example.com`, …). The list is `data/test-values.txt`; see its header for the three
/// matching rules. Conservative on purpose: a false positive hides a real record from the user's
/// attention only in the audit, but it should still be rare.
pub fn is_test_value(s: &str) -> bool {
    let t = &*TEST_VALUES;
    // Every listed domain has a dot, so a cell without one (most names) is not looked at.
    if s.contains('.') && names_test_domain(s) {
        return true;
    }
    if s.bytes().all(|b| b < 0x7F) && names_no_listed_word(s) {
        return false;
    }
    let w = words(s);
    if w.is_empty() {
        return false;
    }
    if is_exact_test_value(&w) {
        return true;
    }
    // Phrases: a run of whole words anywhere in the cell.
    let cell: Vec<&str> = w.split(' ').collect();
    cell.iter().enumerate().any(|(i, first)| {
        t.phrases.get(*first).is_some_and(|list| {
            list.iter()
                .any(|p| cell.len() - i >= p.len() && cell[i..i + p.len()] == p[..])
        })
    })
}

/// Whether the cell's words (as [`words`] gives them) are a listed test value, allowing
/// trailing digits: "test", "test 2", "test123".
fn is_exact_test_value(w: &str) -> bool {
    let exact = &TEST_VALUES.exact;
    let base = w.trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ');
    exact.contains(w) || (!base.is_empty() && exact.contains(base))
}

/// Whether any `@domain` or bare host in the cell is a listed test domain (or under one).
fn names_test_domain(s: &str) -> bool {
    lower(s.trim())
        .split(|c: char| c.is_whitespace() || c == ';' || c == ',' || c == '<' || c == '>')
        .any(|token| {
            let host = match token.rfind('@') {
                Some(i) => &token[i + 1..],
                None => {
                    let no_scheme = token
                        .strip_prefix("https://")
                        .or_else(|| token.strip_prefix("http://"))
                        .unwrap_or(token);
                    no_scheme.split(['/', '?', '#']).next().unwrap_or("")
                }
            };
            let host = host.trim_end_matches('.');
            // The host, then what follows each of its dots: one lookup each.
            let domains = &TEST_VALUES.domains;
            !host.is_empty()
                && (domains.contains(host)
                    || host
                        .match_indices('.')
                        .any(|(at, _)| domains.contains(&host[at + 1..])))
        })
}

/// Make a cell safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is prefixed with `'` so Excel/LibreOffice/Sheets show it as text instead of
/// running it as a formula (CSV injection).
///
/// Exception, so that numbers and phone numbers stay as they are: a cell starting with `+` or `-`
/// whose rest is only digits, spaces, `.` and `,` (at least one digit) is left alone: `-12.5`,
/// `+33 1 23 45 67 89`, `-1 234,50`. Such a cell cannot call a function or reference a cell.
/// Anything else starting with `+`/`-` (`+1 (415) 555-2671`, `-2+3`, `+cmd|...`) is neutralised.
///
/// The cell comes back borrowed when it is safe as it is (nearly always).
pub fn csv_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let Some(first) = cell.chars().next() else {
        return cell.into();
    };
    let dangerous = matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r');
    if !dangerous {
        return cell.into();
    }
    if matches!(first, '+' | '-') {
        let rest = &cell[1..];
        let plain = rest.bytes().any(|b| b.is_ascii_digit())
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'.' | b','));
        if plain {
            return cell.into();
        }
    }
    format!("'{cell}").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_table() {
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("   ", ""),
            ("  Acme  ", "Acme"),
            ("a\r\nb\rc\nd", "a\nb\nc\nd"),
            ("tab\there", "tab\there"),
            ("bell\u{7}less", "bellless"),
            ("\u{FEFF}bom", "bom"),
            ("zero\u{200B}width", "zerowidth"),
            ("e\u{301}cole", "\u{e9}cole"),
            ("\u{A0}nbsp\u{A0}", "nbsp"),
            ("line1\r\n\r\nline3\r\n", "line1\n\nline3"),
            ("null\u{0}byte", "nullbyte"),
            ("日本語", "日本語"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), *want, "clean({input:?})");
        }
        for (input, _) in cases {
            assert_eq!(
                clean(input),
                clean_slow(input).as_str(),
                "fast path of {input:?}"
            );
        }
        let huge = "x".repeat(1_000_000);
        assert_eq!(clean(&huge).len(), 1_000_000);
    }

    proptest::proptest! {
        /// A host is under a listed domain when it is the domain or ends with a dot and the
        /// domain, as the first version compared it with every listed domain in turn.
        #[test]
        fn test_domains_are_found_by_suffix(
            labels in proptest::collection::vec(
                proptest::sample::select(vec!["example", "com", "org", "test", "x", "notexample", "fake", "uk", "www"]),
                0..5,
            ),
            form in proptest::sample::select(vec!["a@{}", "{}", "https://{}/p", "{}.", "b@{}x"]),
        ) {
            let host = labels.join(".");
            let cell = form.replace("{}", &host);
            let listed = |h: &str| {
                TEST_VALUES.domains.iter().any(|d| {
                    h == d || (h.len() > d.len() && h.ends_with(d.as_str()) && h.as_bytes()[h.len() - d.len() - 1] == b'.')
                })
            };
            let token_host = match cell.rfind('@') {
                Some(i) => &cell[i + 1..],
                None => cell.strip_prefix("https://").unwrap_or(&cell).split('/').next().unwrap_or(""),
            }
            .trim_end_matches('.');
            let want = !token_host.is_empty() && listed(token_host);
            proptest::prop_assert_eq!(names_test_domain(&cell), want, "{:?}", cell);
        }
    }

    #[test]
    fn lower_borrows_what_is_already_lower_case_ascii() {
        use std::borrow::Cow;
        assert!(matches!(lower("ada@x.io"), Cow::Borrowed("ada@x.io")));
        assert!(matches!(lower("Ada@X.io"), Cow::Owned(ref s) if s == "ada@x.io"));
        assert!(matches!(lower("zoé@x.io"), Cow::Owned(ref s) if s == "zoé@x.io"));
        assert_eq!(lower("ÉLODIE"), "élodie");
    }

    proptest::proptest! {
        /// `trim` is `str::trim`, whatever whitespace (Unicode's included) ends the cell.
        #[test]
        fn trim_is_str_trim(s in "[ a!~\t\n\r\u{b}\u{c}\u{7f}\u{85}\u{a0}\u{3000}\u{2028}é]{0,8}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }

        #[test]
        fn words_fast_path_agrees(s in "[ a-zA-Z0-9.,_@\t\n\u{0}\u{7f}é]{0,16}") {
            proptest::prop_assert_eq!(words(&s), words_general(&s));
        }

        #[test]
        fn fast_path_agrees_with_the_slow_one(s in "[ a-zA-Z\\r\\n\\t\\u{0}\\u{7f}\\u{85}\\u{a0}\\u{301}\\u{feff}\\u{200b}éÅ日]{0,12}") {
            let slow = clean_slow(&s);
            proptest::prop_assert_eq!(clean(&s), slow.as_str());
        }
    }

    #[test]
    fn test_values_table() {
        let cases: &[(&str, bool)] = &[
            ("test", true),
            ("TEST", true),
            ("Test 2", true),
            ("test123", true),
            ("Testing", true),
            ("asdf", true),
            ("qwerty", true),
            ("xxx", true),
            ("Dummy", true),
            ("fake", true),
            ("Sample", true),
            ("foo bar", true),
            ("John Doe", true),
            ("ACME - DO NOT USE", true),
            ("Don't use", true),
            ("ada@example.com", true),
            ("Ada <ada@EXAMPLE.org>", true),
            ("https://www.example.com/x", true),
            ("test.com", true),
            ("bob@sub.test.com", true),
            ("Lorem ipsum dolor", true),
            ("à supprimer", true),
            // conservative: real names containing test words are kept
            ("Test Valley Ltd", false),
            ("Contest Inc", false),
            ("Fake Street Records", false),
            ("Samples & Co", false),
            ("ada@latest.com", false),
            ("ada@mytest.com", false),
            ("Testa Rossa", false),
            ("ABC", false),
            ("Tata Motors", false),
            ("", false),
            ("   ", false),
            ("Acme", false),
        ];
        for (input, want) in cases {
            assert_eq!(is_test_value(input), *want, "is_test_value({input:?})");
        }
    }

    /// `is_test_value` as it was written first (every cell's domains looked at, substring search
    /// of every phrase), to check the faster one against.
    fn is_test_value_reference(s: &str) -> bool {
        if names_test_domain(s) {
            return true;
        }
        let w = words(s);
        if w.is_empty() {
            return false;
        }
        if is_exact_test_value(&w) {
            return true;
        }
        let padded = format!(" {w} ");
        include_str!("../data/test-values.txt")
            .lines()
            .filter_map(|l| l.trim().strip_prefix("phrase:"))
            .any(|p| padded.contains(&format!(" {} ", p.trim())))
    }

    proptest::proptest! {
        #[test]
        fn is_test_value_agrees_with_the_reference(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "do", "not", "use", "DO NOT", "Use", "test", "Test 2", "account", "lorem",
                    "ipsum", "x@example.com", "www.Test.com/x", "acme", "a", "supprimer", "é",
                    "don't", "-", "  ", ".", "asdf", "qwerty123", "mailinator.com.", "@", ";",
                    // Digits glued to listed and unlisted words, pure numbers, listed words
                    // in capitals and a near miss: the word-hash filter's edge cases.
                    "TEST99", "abc123", "abc1234", "abc", "123", "0", "TBD", "tbd2", "testy",
                    "Foo", "bar", "xxxx7", "Lorem9 Ipsum", "zz", "Essai", "prénom",
                ]),
                0..6,
            ),
            sep in proptest::sample::select(vec![" ", "", "-", ", ", "\n"]),
        ) {
            let s = parts.join(sep);
            proptest::prop_assert_eq!(is_test_value(&s), is_test_value_reference(&s), "{:?}", s);
        }
    }

    #[test]
    fn csv_safe_table() {
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("Acme", "Acme"),
            ("=1+1", "'=1+1"),
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-12.5", "-12.5"),
            ("-1 234,50", "-1 234,50"),
            ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
            ("+14155552671", "+14155552671"),
            ("+1 (415) 555-2671", "'+1 (415) 555-2671"),
            ("-", "'-"),
            ("+", "'+"),
            ("- item", "'- item"),
            ("'=already", "'=already"),
            ("a=b", "a=b"),
        ];
        for (input, want) in cases {
            assert_eq!(csv_safe(input), *want, "csv_safe({input:?})");
            assert_eq!(
                csv_safe(&csv_safe(input)),
                csv_safe(input),
                "idempotent {input:?}"
            );
        }
    }
}
