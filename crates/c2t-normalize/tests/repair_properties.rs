//! Properties of the repairing readers (email repair, currency names, country misspellings) on
//! arbitrary and messy input: they never panic, agree with the strict cleaners on what those
//! accept, and only ever remove characters.

use c2t_normalize::*;
use proptest::prelude::*;

/// Addresses as people type them: spaces around the @, quotes, brackets, mailto:, trailing
/// punctuation, a full-width or doubled @.
fn messy_email() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ a-zA-Z0-9@.,;:<>\"']{0,30}",
        "([A-Z][a-z]{1,5} )?[<\"'“«]{0,2}(mailto: ?|MAILTO:)?[a-z][a-z.+]{0,6}[ \u{a0}]{0,2}(@|＠|﹫|@@)[ ]{0,2}[a-z]{1,6}\\.(com|fr|io|co\\.uk|con)(\\?subject=x)?[>\"'”» .,;]{0,3}",
        "[a-z]{1,5} [a-z]{1,5} ?@ ?[a-z]{1,5}\\.com",
    ]
}

/// Whether `needle` can be made from `hay` by deleting characters.
fn is_subsequence(needle: &str, hay: &str) -> bool {
    let mut hay = hay.chars();
    needle.chars().all(|c| hay.any(|h| h == c))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn email_repair_agrees_and_only_removes(s in messy_email()) {
        if let Ok(strict) = email(&s) {
            let repaired = email_repaired(&s).map(|r| r.address);
            // `email` keeps some junk in the local part (an address may hold any letter).
            let junk = strict.chars().any(|c| c.is_whitespace() || "\"“”„‘’«»`".contains(c));
            if junk {
                prop_assert!(repaired.is_ok());
            } else {
                prop_assert_eq!(repaired, Ok(strict));
            }
        }
        let (fixed, repairs) = repair_email(&s);
        prop_assert_eq!(repairs.is_empty(), fixed == s.trim());
        if let Ok(r) = email_repaired(&s) {
            prop_assert_eq!(email(&r.address), Ok(r.address.clone()));
            prop_assert!(email_repaired(&r.address).unwrap().repairs.is_empty());
            if !r.address.contains("xn--") {
                let typed = s.to_lowercase().replace(['＠', '﹫'], "@");
                prop_assert!(is_subsequence(&r.address, &typed), "{:?} -> {:?}", s, r.address);
            }
        }
    }

    #[test]
    fn emails_repaired_finds_what_emails_finds(s in messy_email(), t in messy_email(), sep in prop_oneof![Just("; "), Just(", "), Just("\n"), Just(" ")]) {
        let cell = format!("{s}{sep}{t}");
        let (strict, _) = emails(&cell);
        let (repaired, _) = emails_repaired(&cell);
        let found: Vec<&str> = repaired.iter().map(|r| r.address.as_str()).collect();
        for a in &strict {
            let junk = a.chars().any(|c| c.is_whitespace() || "\"“”„‘’«»`".contains(c));
            prop_assert!(junk || found.contains(&a.as_str()), "{:?}: {:?} not in {:?}", cell, a, found);
        }
        for r in &repaired {
            prop_assert_eq!(email(&r.address), Ok(r.address.clone()));
        }
    }

    #[test]
    fn currency_cells_read_as_money_hints(s in prop_oneof![
        any::<String>(),
        "[A-Za-z .$€£-]{0,20}",
        proptest::sample::select(vec!["US Dollar", "Euro", "livre sterling", "Dollar", "usd", "€", "$", "Schweizer Franken", "RMB", "Yen", "kr", "dollars US", "US Dollar (USD)"]).prop_map(String::from),
    ]) {
        if let Some(code) = currency_code(&s) {
            prop_assert!(is_currency_code(code));
            prop_assert_eq!(currency_code(code), Some(code));
            let m = money("12.50", Some(&s), "EUR", None);
            prop_assert_eq!(m.map(|m| m.currency_code), Ok(code.to_string()));
        }
        if let Some(code) = currency_from_name(&s) {
            prop_assert_eq!(currency_code(&s), Some(code));
        }
    }

    #[test]
    fn countries_found_are_found_again_exactly(s in prop_oneof![
        any::<String>(),
        "[A-Za-z .'-]{0,24}",
        proptest::sample::select(vec!["Germany", "France", "United States", "Switzerland", "Niger", "Nigeria", "Guinea", "Netherlands", "Austria", "Australia"])
            .prop_flat_map(|name| (Just(name), 0..name.len(), 0u8..4))
            .prop_map(|(name, at, op)| {
                // One typo: drop, double, swap with the next, or replace a letter.
                let mut b: Vec<u8> = name.bytes().collect();
                match op {
                    0 => { b.remove(at); }
                    1 => b.insert(at, b[at]),
                    2 if at + 1 < b.len() => b.swap(at, at + 1),
                    _ => b[at] = b'x',
                }
                String::from_utf8(b).unwrap()
            }),
    ]) {
        if let Ok((c, how)) = country_matched(&s) {
            prop_assert_eq!(country_matched(c.name), Ok((c, CountryMatch::Exact)));
            prop_assert_eq!(country(&s), Ok(c));
            if let CountryMatch::Misspelled { of, edits } = how {
                prop_assert!((1..=2).contains(&edits), "{:?} {:?}", s, how);
                prop_assert_eq!(country_matched(of).map(|(found, _)| found), Ok(c));
            }
        }
    }
}
