//! Properties every normaliser must keep on arbitrary input: it never panics, and it is idempotent
//! on its own output (feeding the normalised value back gives the same value).

use c2t_normalize::*;
use proptest::prelude::*;

/// Arbitrary text plus text shaped like the values the normalisers see.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ a-zA-Z0-9@.,;:/+()'\\-]{0,40}",
        "(https?://)?(www\\.)?[a-z0-9-]{1,12}\\.(com|fr|co\\.uk|de|io|con)(/[a-z]{0,6})?/?",
        "[a-zA-Z0-9.+]{1,10}@[a-z0-9-]{1,10}\\.(com|fr|org|co\\.uk|con)",
        "\\+?[0-9 ().-]{4,20}",
        "[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}( [0-9]{1,2}:[0-9]{2}( ?[AP]M)?)?",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{3})?(Z|[+-][0-9]{2}:[0-9]{2})?)?",
        "[-+(]?[$€£]?[0-9]{1,3}([ ,.'][0-9]{3}){0,3}([.,][0-9]{1,4})?( ?(EUR|USD|€|%))?\\)?",
    ]
}

/// Street cells: several lines, blank ones, CR/LF/CRLF, commas.
fn street() -> impl Strategy<Value = String> {
    prop_oneof![
        cell(),
        "([ a-z0-9,]{0,10}(\\r\\n|\\n|\\r)){0,4}[ a-z0-9,]{0,10}"
    ]
}

const ORDERS: [DateOrder; 3] = [
    DateOrder::DayFirst,
    DateOrder::MonthFirst,
    DateOrder::YearFirst,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn domain_idempotent(s in cell()) {
        if let Ok(d) = domain(&s) {
            prop_assert_eq!(domain(&d.url), Ok(d.clone()));
            prop_assert_eq!(domain(&d.key).map(|k| k.key), Ok(d.key));
        }
    }

    #[test]
    fn link_idempotent(s in cell()) {
        if let Ok(l) = link(&s) {
            prop_assert_eq!(link(&l), Ok(l.clone()));
        }
    }

    #[test]
    fn email_idempotent(s in cell()) {
        if let Ok(e) = email(&s) {
            prop_assert_eq!(email(&e), Ok(e.clone()));
            prop_assert_eq!(e.to_lowercase(), e.clone());
        }
        let (ok, _) = emails(&s);
        let joined = ok.join("; ");
        prop_assert_eq!(emails(&joined), (ok, vec![]));
        let _ = is_free_mail(domain_of(&s));
    }

    #[test]
    fn phone_idempotent(s in cell(), region in prop_oneof![Just(None), Just(Some("FR")), Just(Some("US")), Just(Some("DE"))]) {
        if let Ok(p) = phone(&s, region) {
            let again = match &p.extension {
                Some(e) => format!("{} ext. {e}", p.e164),
                None => p.e164.clone(),
            };
            prop_assert_eq!(phone(&again, None), Ok(p.clone()));
            prop_assert_eq!(format!("{}{}", p.calling_code, p.number), p.e164.clone());
        }
    }

    #[test]
    fn date_idempotent(s in cell(), o in 0usize..3) {
        let order = ORDERS[o];
        if let Ok(d) = date(&s, order) {
            for other in ORDERS {
                prop_assert_eq!(date(&d, other), Ok(d.clone()));
            }
        }
        if let Ok(dt) = datetime(&s, order) {
            prop_assert_eq!(datetime(&dt, order), Ok(dt.clone()));
        }
        let _ = date::infer(&[s.as_str()], o == 0);
    }

    #[test]
    fn number_idempotent(s in cell(), style in prop_oneof![Just(None), Just(Some(NumberStyle::DotDecimal)), Just(Some(NumberStyle::CommaDecimal))]) {
        if let Ok(d) = decimal(&s, style) {
            prop_assert_eq!(decimal(&d.to_string(), Some(NumberStyle::DotDecimal)), Ok(d));
        }
        let _ = infer_style(&[s.as_str()]);
    }

    #[test]
    fn money_idempotent(s in cell()) {
        if let Ok(m) = money(&s, None, "EUR", None) {
            let amount = rust_decimal::Decimal::new(m.amount_micros, 6).normalize();
            let again = format!("{amount} {}", m.currency_code);
            prop_assert_eq!(money(&again, None, "EUR", None), Ok(m));
        }
    }

    #[test]
    fn boolean_idempotent(s in cell()) {
        if let Ok(b) = boolean(&s) {
            prop_assert_eq!(boolean(&b.to_string()), Ok(b));
        }
    }

    #[test]
    fn text_idempotent(s in any::<String>()) {
        let c = clean(&s);
        prop_assert_eq!(clean(&c), c.as_ref());
        prop_assert!(!c.contains('\r'));
        let safe = csv_safe(&s);
        prop_assert_eq!(csv_safe(&safe), safe.clone());
        prop_assert!(!safe.starts_with(['=', '@', '\t', '\r']));
        let _ = is_test_value(&s);
    }

    #[test]
    fn select_idempotent(s in any::<String>()) {
        let v = option_value(&s);
        prop_assert_eq!(option_value(&v), v.clone());
        prop_assert!(v.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'));
        prop_assert!(!v.starts_with(|c: char| c.is_ascii_digit()));
        let parts = split_multi(&s, ";");
        prop_assert_eq!(split_multi(&parts.join(";"), ";"), parts);
    }

    #[test]
    fn street_split_idempotent(s in street()) {
        let (s1, s2) = split_street(&s);
        let joined = if s2.is_empty() { s1.clone() } else { format!("{s1}\n{s2}") };
        prop_assert_eq!(split_street(&joined), (s1, s2));
    }

    #[test]
    fn money_idempotent_in_every_context(
        s in cell(),
        hint in prop_oneof![Just(None), Just(Some("USD")), Just(Some("eur")), Just(Some("XYZ"))],
        default in prop_oneof![Just("EUR"), Just("USD"), Just("JPY")],
        style in prop_oneof![Just(None), Just(Some(NumberStyle::DotDecimal)), Just(Some(NumberStyle::CommaDecimal))],
    ) {
        if let Ok(m) = money(&s, hint, default, style) {
            let amount = rust_decimal::Decimal::new(m.amount_micros, 6).normalize();
            let again = format!("{amount} {}", m.currency_code);
            prop_assert_eq!(money(&again, None, default, None), Ok(m));
        }
    }

    #[test]
    fn name_idempotent(s in any::<String>()) {
        let f = fingerprint(&s);
        prop_assert_eq!(fingerprint(&f), f.clone());
        let (first, last) = split_full_name(&s);
        let key = person_key(&first, &last);
        prop_assert_eq!(person_key(&key, ""), key);
        let sim = similarity(&s, "Acme Inc");
        prop_assert!((0.0..=1.0).contains(&sim));
    }

    #[test]
    fn country_idempotent(s in cell()) {
        if let Ok(c) = country(&s) {
            prop_assert_eq!(country(c.name), Ok(c));
            prop_assert_eq!(country(c.code), Ok(c));
        }
        let (s1, s2) = split_street(&s);
        prop_assert!(!s1.contains('\n') && !s2.contains('\n'));
    }
}
