//! Phone numbers, through `rlibphonenumber` (pinned `=2.2.15`; see rust-stack.md §1.1), mapped to
//! Twenty's PHONES parts (shared/twenty-api.md §4): national significant number, ISO alpha-2
//! country, `+<calling code>`, plus E.164 and the extension.
//!
//! Accepted: international forms (`+33 1 23 45 67 89`, `+33 (0)1 23 45 67 89`, `0033 1 23…`),
//! national forms with a region (`06 12 34 56 78` with `FR`, `(415) 555-2671` with `US`),
//! extensions (`+1 415 555 2671 ext. 42`), vanity letters (`1-800-FLOWERS` with `US`), `tel:` URIs,
//! and all-digit cells that came through Excel as floats (`33612345678.0`).
//!
//! Decisions:
//! * A leading `00` followed by a non-zero digit is read as the international prefix (`+`) even
//!   when the region's own international prefix differs (`011` in the US): CRM data is written by
//!   Europeans as often as by Americans, and no national number starts with `00` + country code.
//! * A number that parses but is not valid for its country (`555-1234`) is `PHONE_INVALID`, not
//!   kept: Twenty would store it, but it would not be callable.
//! * Non-geographic numbers (`+800`, `+882`, …) are `PHONE_INVALID`: Twenty needs a country.
//!
//! Not done here: choosing the region (the caller passes the row's country, the preset's, or
//! `--default-region`), phone types (mobile/fixed), formatting for display.

use rlibphonenumber::{ParseError, PhoneNumber, PhoneNumberFormat, Region};

use crate::{Issue, IssueCode, issue};

/// A phone number in Twenty's PHONES parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone {
    /// National significant number, without trunk prefix or calling code: `612345678`.
    pub number: String,
    /// ISO 3166 alpha-2 region: `FR`.
    pub country_code: String,
    /// `+` and the country calling code: `+33`.
    pub calling_code: String,
    /// E.164: `+33612345678`.
    pub e164: String,
    /// Extension digits, if the cell had one.
    pub extension: Option<String>,
}

/// Parse and validate a phone cell. `default_region` (ISO alpha-2, any case) is used for numbers
/// written without a calling code; without it such numbers are `PHONE_NO_REGION`.
pub fn phone(input: &str, default_region: Option<&str>) -> Result<Phone, Issue> {
    let invalid = |why: &str| issue(IssueCode::PhoneInvalid, input, why);
    let s = input.trim();
    if s.is_empty() {
        return Err(invalid("is empty"));
    }
    if s.len() > 100 {
        return Err(invalid("is too long to be a phone number"));
    }
    let region = match default_region.map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => match Region::from_code(&r.to_ascii_uppercase()) {
            Ok(region) if r.len() == 2 && !r.eq_ignore_ascii_case("ZZ") => Some(region),
            _ => {
                return Err(issue(
                    IssueCode::PhoneNoRegion,
                    input,
                    &format!("cannot be read: {r:?} is not a known region code"),
                ));
            }
        },
    };
    let prepared = prepare(s);
    let number = match PhoneNumber::parse(&prepared, region) {
        Ok(n) => n,
        Err(ParseError::InvalidCountryCode) if region.is_none() && !prepared.starts_with('+') => {
            return Err(issue(
                IssueCode::PhoneNoRegion,
                input,
                "has no country calling code and no default region was given",
            ));
        }
        Err(e) => return Err(invalid(&format!("is not a phone number ({e})"))),
    };
    // `is_valid` is exactly this (the number's region, then validity in it), but finding the
    // region is half the cost of validating (+1 numbers are tried against every NANPA region):
    // done once, not twice.
    let region = number.get_region_code();
    if !region.is_some_and(|r| number.is_valid_for_region(r)) {
        return Err(invalid("is not a valid phone number for its country"));
    }
    let Some(country) = region else {
        return Err(invalid("has no country"));
    };
    let country = country.as_region_str().to_string();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(invalid(
            "is a non-geographic number; Twenty needs a country",
        ));
    }
    let extension = number.extension.clone().filter(|e| !e.is_empty());
    Ok(Phone {
        number: number.get_national_significant_number(),
        country_code: country,
        calling_code: calling_code(number.country_code),
        e164: number.format_as(PhoneNumberFormat::E164).into_owned(),
        extension,
    })
}

/// True when `input` is a valid number of `region` written as that region writes its numbers
/// nationally: the same runs of digits as its national format (`(512) 757-6000` for US,
/// `020 7123 4567` for GB, `06 12 34 56 78` for FR). A ten-digit American number is also a valid
/// German or Indian one, but it is not written as they write theirs: this tells which country
/// an export's national numbers are from.
pub fn written_as_in(input: &str, region: &str) -> bool {
    let Ok(r) = Region::from_code(&region.to_ascii_uppercase()) else {
        return false;
    };
    let Ok(number) = PhoneNumber::parse(prepare(input.trim()), Some(r)) else {
        return false;
    };
    if !number.is_valid_for_region(r) {
        return false;
    }
    let runs = |s: &str| -> Vec<usize> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter(|d| !d.is_empty())
            .map(str::len)
            .collect()
    };
    let body = input
        .split(|c: char| c.is_ascii_alphabetic())
        .next()
        .unwrap_or(input);
    runs(body) == runs(&number.format_as(PhoneNumberFormat::National))
}

/// `+33` for 33, without the formatting machinery.
fn calling_code(code: i32) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(code);
    let mut c = String::with_capacity(1 + digits.len());
    c.push('+');
    c.push_str(digits);
    c
}

/// Clean-ups libphonenumber does not do: Excel's `.0`, `00` international prefix, `(0)` after a
/// calling code.
fn prepare(s: &str) -> String {
    let mut s = s.to_string();
    // "33612345678.0" from a float cell.
    if let Some(int) = s.strip_suffix(".0")
        && !int.is_empty()
        && int
            .trim_start_matches('+')
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        s = int.to_string();
    }
    // "0033 1 23 45 67 89" → "+33 1 23 45 67 89".
    let b = s.as_bytes();
    if b.len() > 3 && b[0] == b'0' && b[1] == b'0' && (b'1'..=b'9').contains(&b[2]) {
        s = format!("+{}", &s[2..]);
    } else if let Some(rest) = s.strip_prefix("00 ")
        && rest.starts_with(|c: char| ('1'..='9').contains(&c))
    {
        s = format!("+{rest}");
    }
    // "+33 (0)1 23…" → "+33 1 23…": the trunk 0 is never dialled after a calling code.
    if s.starts_with('+') && s.contains("(0)") {
        s = s.replacen("(0)", "", 1);
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_written_as_a_region_writes_them() {
        for (input, region, want) in [
            ("(512) 757-6000", "US", true),
            ("(512) 757-6000", "DE", false),
            ("(512) 757-6000", "IN", false),
            ("512-757-6000", "US", true),
            ("020 7123 4567", "GB", true),
            ("020 7123 4567", "IT", false),
            ("06 12 34 56 78", "FR", true),
            ("06 12 34 56 78", "BE", false),
            ("+33 6 12 34 56 78", "FR", false),
            ("12", "US", false),
            ("(512) 757-6000", "XX", false),
        ] {
            assert_eq!(written_as_in(input, region), want, "{input} {region}");
        }
    }

    use super::*;

    #[test]
    fn calling_codes_are_written_in_full() {
        for code in [0, 1, 7, 33, 44, 353, 1_234_567_890, i32::MAX, -1] {
            assert_eq!(calling_code(code), format!("+{code}"));
        }
    }

    #[track_caller]
    fn ok(
        input: &str,
        region: Option<&str>,
        number: &str,
        cc: &str,
        calling: &str,
        ext: Option<&str>,
    ) {
        let p =
            phone(input, region).unwrap_or_else(|e| panic!("phone({input:?}, {region:?}): {e}"));
        assert_eq!(p.number, number, "number of {input:?}");
        assert_eq!(p.country_code, cc, "country of {input:?}");
        assert_eq!(p.calling_code, calling, "calling code of {input:?}");
        assert_eq!(p.e164, format!("{calling}{number}"), "e164 of {input:?}");
        assert_eq!(p.extension.as_deref(), ext, "extension of {input:?}");
        // Idempotent through E.164 (with the extension appended the way we accept it).
        let again = match &p.extension {
            Some(e) => format!("{} ext. {e}", p.e164),
            None => p.e164.clone(),
        };
        assert_eq!(
            phone(&again, None).as_ref(),
            Ok(&p),
            "idempotent on {input:?}"
        );
    }

    #[test]
    fn accepted() {
        ok("+33 1 23 45 67 89", None, "123456789", "FR", "+33", None);
        ok("+33 (0)1 23 45 67 89", None, "123456789", "FR", "+33", None);
        ok("0033 1 23 45 67 89", None, "123456789", "FR", "+33", None);
        ok("0033123456789", Some("US"), "123456789", "FR", "+33", None);
        ok("06 12 34 56 78", Some("FR"), "612345678", "FR", "+33", None);
        ok("06.12.34.56.78", Some("fr"), "612345678", "FR", "+33", None);
        ok("(415) 555-2671", Some("US"), "4155552671", "US", "+1", None);
        ok(
            "+1 415 555 2671 ext. 42",
            None,
            "4155552671",
            "US",
            "+1",
            Some("42"),
        );
        ok(
            "+1 (415) 555-2671 x42",
            None,
            "4155552671",
            "US",
            "+1",
            Some("42"),
        );
        ok("33612345678.0", Some("FR"), "612345678", "FR", "+33", None);
        ok("+33612345678.0", None, "612345678", "FR", "+33", None);
        ok("4155552671.0", Some("US"), "4155552671", "US", "+1", None);
        ok("1-800-FLOWERS", Some("US"), "8003569377", "US", "+1", None);
        ok("+39 02 3661 8300", None, "0236618300", "IT", "+39", None);
        ok("+44 20 7946 0958", None, "2079460958", "GB", "+44", None);
        ok("030 1234567", Some("DE"), "301234567", "DE", "+49", None);
        ok(
            "tel:+33-6-12-34-56-78",
            None,
            "612345678",
            "FR",
            "+33",
            None,
        );
        ok("+1 416 555 0199", None, "4165550199", "CA", "+1", None);
        ok(
            "  +33 6 12 34 56 78  ",
            Some("US"),
            "612345678",
            "FR",
            "+33",
            None,
        );
    }

    #[test]
    fn rejected() {
        let cases: &[(&str, Option<&str>, IssueCode)] = &[
            ("06 12 34 56 78", None, IssueCode::PhoneNoRegion),
            ("(415) 555-2671", None, IssueCode::PhoneNoRegion),
            ("1-800-FLOWERS", None, IssueCode::PhoneNoRegion),
            ("06 12 34 56 78", Some("ZZ"), IssueCode::PhoneNoRegion),
            ("", Some("FR"), IssueCode::PhoneInvalid),
            ("   ", None, IssueCode::PhoneInvalid),
            ("not a phone", Some("FR"), IssueCode::PhoneInvalid),
            ("555-1234", Some("US"), IssueCode::PhoneInvalid),
            ("+33 1", None, IssueCode::PhoneInvalid),
            ("+999 1234 5678", None, IssueCode::PhoneInvalid),
            ("+800 1234 5678", None, IssueCode::PhoneInvalid),
            ("12", Some("FR"), IssueCode::PhoneInvalid),
        ];
        for (input, region, code) in cases {
            let got = phone(input, *region);
            assert_eq!(
                got.as_ref().map_err(|e| e.code),
                Err(*code),
                "phone({input:?}, {region:?}) = {got:?}"
            );
        }
        let huge = "1".repeat(100_000);
        assert!(phone(&huge, Some("FR")).is_err());
    }
}
