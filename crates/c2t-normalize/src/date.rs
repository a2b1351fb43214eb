//! Dates and date-times, with jiff. A column's day/month order is inferred once from its values
//! ([`infer`]) and then passed to [`date`] / [`datetime`] for every cell, never guessed per cell.
//!
//! Accepted forms:
//! * ISO: `2024-03-05`, `2024-03-05T14:30`, `2024-03-05 14:30:00`, with `Z`, `UTC`, offsets
//!   (`+02:00`, `+0200`, `+02`) and fractional seconds (`2024-03-05T14:30:00.000Z`, Salesforce);
//!   also `2024/03/05` and compact `20240305`;
//! * numeric day/month/year with `/`, `.` or `-` (`05/03/2024`, `5.3.2024`, `05-03-24`), in the
//!   order given; two-digit years pivot at 70 (`00`–`69` → 20xx, `70`–`99` → 19xx);
//! * month names in English, French and German, full or abbreviated, with an optional weekday
//!   and ordinal (`Mar 5, 2024`, `Tue, 5th March 2024`, `5 mars 2024`, `1er févr. 2024`);
//! * an optional time after the date: `HH:MM[:SS[.fff]]`, `AM`/`PM` (`3/5/2024 2:30 PM`), and a
//!   zone (`Z`, `UTC`, `GMT`, numeric offset);
//! * unix epoch **milliseconds** (exactly 13 digits, HubSpot exports).
//!
//! Decisions:
//! * A date-time without a zone is taken as UTC. (Converting from the source CRM's time zone is the
//!   caller's job, with the preset's zone, before or after this call.)
//! * [`date`] on a date-time keeps the date **as written** (`2024-03-05T23:30:00-05:00` →
//!   `2024-03-05`), and the UTC date for epoch milliseconds.
//! * [`datetime`] on a date gives midnight UTC.
//! * Output: `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM:SSZ`, with `.fff` only when milliseconds are not
//!   zero (sub-millisecond digits are truncated).
//!
//! Not done here: Excel serial day numbers (calamine converts them), relative dates
//! ("yesterday"), ten-digit epoch seconds (too easily an ID or a phone number), time-zone names.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;

use crate::{Issue, IssueCode, issue};

/// Order of day, month and year in numeric dates. Numeric dates starting with a four-digit year
/// are always read year-month-day, whatever the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateOrder {
    /// `05/03/2024` = 5 March.
    DayFirst,
    /// `03/05/2024` = 5 March.
    MonthFirst,
    /// `24/03/05` = 5 March 2024.
    YearFirst,
}

/// What [`infer`] concluded about a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateFormatGuess {
    /// The order to use; `None` when no value was a numeric date at all.
    pub order: Option<DateOrder>,
    /// True when the values did not settle the order (all parts ≤ 12) or contradicted each other;
    /// `order` then holds the default, and the report should say so (`DATE_AMBIGUOUS`).
    pub ambiguous: bool,
}

/// Decide day-first vs month-first for a column from its values: a first part > 12 proves
/// day-first, a second part > 12 proves month-first; with neither, or both, the guess is
/// ambiguous and `day_first_default` decides. A column whose numeric dates all start with a
/// four-digit year is `YearFirst` and not ambiguous.
pub fn infer(samples: &[&str], day_first_default: bool) -> DateFormatGuess {
    let default = if day_first_default {
        DateOrder::DayFirst
    } else {
        DateOrder::MonthFirst
    };
    let (mut day_first, mut month_first, mut dm_seen, mut year_first) =
        (false, false, false, false);
    for s in samples {
        let Some(nums) = leading_numeric_triple(s) else {
            continue;
        };
        let [(a, alen), (b, _), _] = nums;
        if alen == 4 {
            year_first = true;
            continue;
        }
        dm_seen = true;
        if a > 12 && a <= 31 {
            day_first = true;
        }
        if b > 12 && b <= 31 {
            month_first = true;
        }
    }
    match (day_first, month_first) {
        (true, false) => DateFormatGuess {
            order: Some(DateOrder::DayFirst),
            ambiguous: false,
        },
        (false, true) => DateFormatGuess {
            order: Some(DateOrder::MonthFirst),
            ambiguous: false,
        },
        (true, true) => DateFormatGuess {
            order: Some(default),
            ambiguous: true,
        },
        (false, false) if dm_seen => DateFormatGuess {
            order: Some(default),
            ambiguous: true,
        },
        (false, false) if year_first => DateFormatGuess {
            order: Some(DateOrder::YearFirst),
            ambiguous: false,
        },
        (false, false) => DateFormatGuess {
            order: None,
            ambiguous: false,
        },
    }
}

/// The first three numbers of a `n/n/n`, `n.n.n` or `n-n-n` date, with their digit counts.
fn leading_numeric_triple(s: &str) -> Option<[(u32, usize); 3]> {
    let s = s.trim();
    let mut out = [(0u32, 0usize); 3];
    let mut rest = s;
    let mut sep: Option<char> = None;
    for (i, slot) in out.iter_mut().enumerate() {
        let len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 || len > 4 {
            return None;
        }
        *slot = (rest[..len].parse().ok()?, len);
        rest = &rest[len..];
        if i < 2 {
            let c = rest.chars().next()?;
            if !matches!(c, '/' | '.' | '-') || sep.is_some_and(|p| p != c) {
                return None;
            }
            sep = Some(c);
            rest = &rest[1..];
        }
    }
    Some(out)
}

/// Parse a date cell into `YYYY-MM-DD`.
pub fn date(input: &str, order: DateOrder) -> Result<String, Issue> {
    match canonical(input.trim()) {
        Some((date, _)) => Ok(date.to_owned()),
        None => date_general(input, order),
    }
}

fn date_general(input: &str, order: DateOrder) -> Result<String, Issue> {
    let p = parse(input, order)?;
    let d = match p {
        Parsed::Civil { dt, .. } => dt.date(),
        Parsed::Instant(ts) => Offset::UTC.to_datetime(ts).date(),
    };
    Ok(d.to_string())
}

/// Parse a date or date-time cell into an ISO 8601 UTC instant, `2024-03-05T14:30:00Z`.
pub fn datetime(input: &str, order: DateOrder) -> Result<String, Issue> {
    // Joined by hand: `format!` costs more than the check that found the parts.
    let joined = |date: &str, time: &str| {
        let mut s = String::with_capacity(date.len() + time.len() + 2);
        s.push_str(date);
        s.push('T');
        s.push_str(time);
        s.push('Z');
        s
    };
    match canonical(input.trim()) {
        Some((date, None)) => Ok(joined(date, "00:00:00")),
        Some((date, Some(time))) => Ok(joined(date, time)),
        None => datetime_general(input, order),
    }
}

fn datetime_general(input: &str, order: DateOrder) -> Result<String, Issue> {
    let ts = match parse(input, order)? {
        Parsed::Instant(ts) => ts,
        Parsed::Civil { dt, offset } => offset
            .unwrap_or(Offset::UTC)
            .to_timestamp(dt)
            .map_err(|_| issue(IssueCode::DateInvalid, input, "is out of range"))?,
    };
    Ok(format_ts(ts))
}

/// The fast path of [`date`] and [`datetime`]: a value already in the form they give back
/// (`2024-03-05`, `2024-03-05T14:30:00Z`, `2024-03-05T14:30:00.123Z`: ISO dates and Salesforce's
/// UTC date-times, most of the dates of real exports), checked and split into its date and its
/// time without the general parser. `.000` milliseconds are dropped, as the general path drops
/// them. Anything else (other forms, impossible dates) is None, and the general parser decides.
fn canonical(s: &str) -> Option<(&str, Option<&str>)> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r.clone())?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if y == 0 || Date::new(y as i16, m as i8, d as i8).is_err() {
        return None;
    }
    let date = &s[..10];
    if b.len() == 10 {
        return Some((date, None));
    }
    if !(b.len() == 20 || b.len() == 24) || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[b.len() - 1] != b'Z' {
        return None;
    }
    let (h, mi, sec) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let time = if b.len() == 24 {
        if b[19] != b'.' {
            return None;
        }
        let ms = digits(20..23)?;
        if ms == 0 { &s[11..19] } else { &s[11..23] }
    } else {
        &s[11..19]
    };
    Some((date, Some(time)))
}

fn format_ts(ts: Timestamp) -> String {
    let ms = ts.subsec_millisecond();
    let ts = Timestamp::new(ts.as_second(), ms * 1_000_000).unwrap_or(ts);
    if ms == 0 {
        format!("{ts:.0}")
    } else {
        format!("{ts:.3}")
    }
}

enum Parsed {
    Civil {
        dt: DateTime,
        offset: Option<Offset>,
    },
    Instant(Timestamp),
}

fn parse(input: &str, order: DateOrder) -> Result<Parsed, Issue> {
    let bad = |why: &str| issue(IssueCode::DateInvalid, input, why);
    let s = input.trim();
    if s.is_empty() {
        return Err(bad("is empty"));
    }
    if s.len() > 100 {
        return Err(bad("is too long to be a date"));
    }
    // Epoch milliseconds.
    if s.len() == 13 && s.bytes().all(|b| b.is_ascii_digit()) {
        let ms: i64 = s.parse().map_err(|_| bad("is not a date"))?;
        return Timestamp::from_millisecond(ms)
            .map(Parsed::Instant)
            .map_err(|_| bad("is out of range"));
    }
    let (date_part, time_part) = split_time(s);
    let date = parse_date(date_part, order).map_err(&bad)?;
    let (time, offset) = match time_part {
        Some(t) => parse_time(t).map_err(&bad)?,
        None => (Time::midnight(), None),
    };
    Ok(Parsed::Civil {
        dt: date.to_datetime(time),
        offset,
    })
}

/// Split at the time: the digit run before the first `:` starts it. The date part loses a
/// trailing `T`, `,` or `at`/`à`.
fn split_time(s: &str) -> (&str, Option<&str>) {
    let Some(colon) = s.find(':') else {
        return (s, None);
    };
    let start = s[..colon]
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit())
        .last()
        .map_or(colon, |(i, _)| i);
    let mut date = s[..start].trim_end();
    date = date.strip_suffix(['T', 't']).unwrap_or(date).trim_end();
    date = date.strip_suffix(',').unwrap_or(date).trim_end();
    for word in [" at", " à", " um"] {
        if date.len() > word.len() && date.is_char_boundary(date.len() - word.len()) {
            let (head, tail) = date.split_at(date.len() - word.len());
            if tail.eq_ignore_ascii_case(word) {
                date = head.trim_end();
            }
        }
    }
    (date, Some(&s[start..]))
}

fn expand_year(y: u32, len: usize) -> Result<i16, &'static str> {
    match len {
        4 => i16::try_from(y).map_err(|_| "has an impossible year"),
        1 | 2 => Ok(if y < 70 {
            2000 + y as i16
        } else {
            1900 + y as i16
        }),
        _ => Err("has an unreadable year"),
    }
}

fn make_date(y: i16, m: u32, d: u32) -> Result<Date, &'static str> {
    if !(1..=12).contains(&m) {
        return Err("has no month 1–12 where the column's order expects one");
    }
    if !(1..=31).contains(&d) {
        return Err("has an impossible day");
    }
    if !(1..=9999).contains(&y) {
        return Err("has an impossible year");
    }
    Date::new(y, m as i8, d as i8).map_err(|_| "is not a calendar date (no such day in that month)")
}

#[derive(Debug)]
enum Tok<'a> {
    Num(u32, usize),
    Word(&'a str),
}

fn parse_date(s: &str, order: DateOrder) -> Result<Date, &'static str> {
    if s.is_empty() {
        return Err("has no date");
    }
    // Compact 20240305.
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: u32 = s.parse().map_err(|_| "is not a date")?;
        return make_date((n / 10000) as i16, n / 100 % 100, n % 100);
    }
    if let Some([(a, alen), (b, blen), (c, clen)]) = leading_numeric_triple(s) {
        if s.bytes().filter(|b| b.is_ascii_digit()).count() != alen + blen + clen
            || s.len() != alen + blen + clen + 2
        {
            return Err("is not a date");
        }
        if alen == 4 {
            return make_date(expand_year(a, alen)?, b, c);
        }
        if blen > 2 || (clen != 4 && clen > 2) || alen > 2 {
            return Err("is not a date");
        }
        return match order {
            DateOrder::DayFirst => make_date(expand_year(c, clen)?, b, a),
            DateOrder::MonthFirst => make_date(expand_year(c, clen)?, a, b),
            DateOrder::YearFirst if clen == 4 => make_date(expand_year(c, clen)?, b, a),
            DateOrder::YearFirst => make_date(expand_year(a, alen)?, b, c),
        };
    }
    // Words: month names, weekdays, ordinals.
    let mut toks = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        let c = s[i..].chars().next().unwrap_or(' ');
        if c.is_ascii_digit() {
            let len = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            if len > 4 {
                return Err("is not a date");
            }
            toks.push(Tok::Num(
                s[i..i + len].parse().map_err(|_| "is not a date")?,
                len,
            ));
            i += len;
        } else if c.is_alphabetic() {
            let len: usize = s[i..]
                .chars()
                .take_while(|c| c.is_alphabetic())
                .map(char::len_utf8)
                .sum();
            toks.push(Tok::Word(&s[i..i + len]));
            i += len;
        } else if matches!(c, ' ' | ',' | '.' | '/' | '-' | '\u{A0}') {
            i += c.len_utf8();
        } else {
            return Err("is not a date");
        }
    }
    let mut month = None;
    let mut nums: Vec<(u32, usize)> = Vec::new();
    for t in &toks {
        match t {
            Tok::Num(n, len) => nums.push((*n, *len)),
            Tok::Word(w) => {
                let f = crate::fold(w);
                if let Some(m) = month_number(&f) {
                    if month.is_some() {
                        return Err("names two months");
                    }
                    month = Some(m);
                } else if !is_filler(&f) {
                    return Err("is not a date");
                }
            }
        }
    }
    let Some(month) = month else {
        return Err("is not a date");
    };
    let (day, year) = match nums.as_slice() {
        [(a, alen), (b, blen)] => {
            if *alen == 4 {
                (*b, expand_year(*a, *alen)?)
            } else if *blen == 4 || *alen <= 2 {
                (*a, expand_year(*b, *blen)?)
            } else {
                return Err("is not a date");
            }
        }
        _ => return Err("needs a day and a year"),
    };
    make_date(year, month, day)
}

fn month_number(w: &str) -> Option<u32> {
    let m = match w {
        "january" | "jan" | "janvier" | "janv" | "januar" | "jan." => 1,
        "february" | "feb" | "fevrier" | "fevr" | "fev" | "februar" => 2,
        "march" | "mar" | "mars" | "marz" | "maerz" => 3,
        "april" | "apr" | "avril" | "avr" => 4,
        "may" | "mai" => 5,
        "june" | "jun" | "juin" | "juni" => 6,
        "july" | "jul" | "juillet" | "juil" | "juli" => 7,
        "august" | "aug" | "aout" => 8,
        "september" | "sep" | "sept" | "septembre" => 9,
        "october" | "oct" | "octobre" | "oktober" | "okt" => 10,
        "november" | "nov" | "novembre" => 11,
        "december" | "dec" | "decembre" | "dezember" | "dez" => 12,
        _ => return None,
    };
    Some(m)
}

/// Words that may surround a date without changing it: weekdays, ordinal suffixes, "the", "of",
/// "le", "de".
fn is_filler(w: &str) -> bool {
    matches!(
        w,
        "st" | "nd"
            | "rd"
            | "th"
            | "er"
            | "the"
            | "of"
            | "le"
            | "de"
            | "den"
            | "am"
            | "monday"
            | "mon"
            | "tuesday"
            | "tue"
            | "tues"
            | "wednesday"
            | "wed"
            | "thursday"
            | "thu"
            | "thur"
            | "thurs"
            | "friday"
            | "fri"
            | "saturday"
            | "sat"
            | "sunday"
            | "sun"
            | "lundi"
            | "lun"
            | "mardi"
            | "mercredi"
            | "jeudi"
            | "jeu"
            | "vendredi"
            | "ven"
            | "samedi"
            | "sam"
            | "dimanche"
            | "dim"
            | "montag"
            | "dienstag"
            | "mittwoch"
            | "donnerstag"
            | "freitag"
            | "samstag"
            | "sonntag"
    )
}

/// `HH:MM[:SS[.fff]] [AM|PM] [Z|UTC|GMT|±HH[:MM]]`.
fn parse_time(s: &str) -> Result<(Time, Option<Offset>), &'static str> {
    const BAD: &str = "has an unreadable time";
    let mut rest = s.trim();
    let mut nums = [0i32; 3];
    let mut count = 0;
    loop {
        let len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 || len > 2 {
            return Err(BAD);
        }
        nums[count] = rest[..len].parse().map_err(|_| BAD)?;
        count += 1;
        rest = &rest[len..];
        if count < 3 && rest.starts_with(':') {
            rest = &rest[1..];
        } else {
            break;
        }
    }
    if count < 2 {
        return Err(BAD);
    }
    let mut nanos = 0i32;
    if count == 3
        && let Some(frac) = rest.strip_prefix(['.', ','])
    {
        let len = frac.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return Err(BAD);
        }
        let digits = &frac[..len.min(9)];
        nanos = digits.parse::<i32>().map_err(|_| BAD)? * 10i32.pow(9 - digits.len() as u32);
        rest = &frac[len..];
    }
    rest = rest.trim_start();
    let (mut h, m, sec) = (nums[0], nums[1], nums[2]);
    let lower = rest.to_ascii_lowercase();
    for (marker, pm) in [("a.m.", false), ("p.m.", true), ("am", false), ("pm", true)] {
        if lower.starts_with(marker) {
            if !(1..=12).contains(&h) {
                return Err("has an hour that does not fit AM/PM");
            }
            h = match (h, pm) {
                (12, false) => 0,
                (12, true) => 12,
                (h, true) => h + 12,
                (h, false) => h,
            };
            rest = rest[marker.len()..].trim_start();
            break;
        }
    }
    let offset = parse_offset(rest)?;
    let time =
        Time::new(h as i8, m as i8, sec as i8, nanos).map_err(|_| "has an impossible time")?;
    if h > 23 || m > 59 || sec > 59 {
        return Err("has an impossible time");
    }
    Ok((time, offset))
}

fn parse_offset(s: &str) -> Result<Option<Offset>, &'static str> {
    const BAD: &str = "has an unreadable time zone";
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.eq_ignore_ascii_case("z") {
        return Ok(Some(Offset::UTC));
    }
    let upper = s.to_ascii_uppercase();
    let rest = upper
        .strip_prefix("UTC")
        .or_else(|| upper.strip_prefix("GMT"))
        .map(str::trim_start);
    let rest = match rest {
        Some("") => return Ok(Some(Offset::UTC)),
        Some(r) => r.to_string(),
        None => upper,
    };
    let (sign, body) = match rest.as_bytes().first() {
        Some(b'+') => (1, &rest[1..]),
        Some(b'-') => (-1, &rest[1..]),
        _ => return Err(BAD),
    };
    let digits: String = body.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || body.matches(':').count() > 1 {
        return Err(BAD);
    }
    let (h, m): (i32, i32) = match digits.len() {
        1 | 2 => (digits.parse().map_err(|_| BAD)?, 0),
        4 => (
            digits[..2].parse().map_err(|_| BAD)?,
            digits[2..].parse().map_err(|_| BAD)?,
        ),
        _ => return Err(BAD),
    };
    if h > 18 || m > 59 {
        return Err(BAD);
    }
    Offset::from_seconds(sign * (h * 3600 + m * 60))
        .map(Some)
        .map_err(|_| BAD)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DateOrder::*;

    proptest::proptest! {
        // Many cases: the edges (hour 24, day 31 of a short month, `.000`) are a few in a
        // thousand of these values, and each case costs microseconds.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8192))]

        /// The fast path gives what the general parser gives, on canonical-looking values
        /// (impossible days and times, other lengths and zones included: those must fall
        /// through to the general parser, not be answered differently).
        #[test]
        fn canonical_fast_path_agrees(
            (y, m, d) in (1u32..=9999, 0u32..=13, 0u32..=32),
            time in proptest::option::of((0u32..=24, 0u32..=60, 0u32..=60)),
            frac in proptest::prop_oneof![
                proptest::strategy::Just(String::new()),
                proptest::strategy::Just(".000".to_string()),
                "\\.[0-9]{1,4}",
            ],
            zone in proptest::prop_oneof![
                proptest::strategy::Just("Z"),
                proptest::strategy::Just("z"),
                proptest::strategy::Just("+00:00"),
                proptest::strategy::Just(""),
            ],
        ) {
            let mut s = format!("{y:04}-{m:02}-{d:02}");
            if let Some((h, mi, sec)) = time {
                s += &format!("T{h:02}:{mi:02}:{sec:02}{frac}{zone}");
            }
            for order in [DayFirst, MonthFirst, YearFirst] {
                proptest::prop_assert_eq!(date(&s, order), date_general(&s, order), "{}", s);
                proptest::prop_assert_eq!(
                    datetime(&s, order),
                    datetime_general(&s, order),
                    "{}",
                    s
                );
            }
        }
    }

    #[test]
    fn canonical_values_take_the_fast_path() {
        assert_eq!(canonical("2024-03-05"), Some(("2024-03-05", None)));
        assert_eq!(
            canonical("2024-03-05T14:30:00.000Z"),
            Some(("2024-03-05", Some("14:30:00")))
        );
        assert_eq!(
            canonical("2024-03-05T14:30:00.120Z"),
            Some(("2024-03-05", Some("14:30:00.120")))
        );
        for other in [
            "2024-02-30",
            "0000-01-01",
            "2024-03-05T24:00:00Z",
            "2024-03-05T14:30:00",
            "2024-03-05T14:30:00+02:00",
            "2024-03-05 14:30:00Z",
            "05/03/2024",
        ] {
            assert_eq!(canonical(other), None, "{other}");
        }
    }

    #[test]
    fn dates() {
        let cases: &[(&str, DateOrder, &str)] = &[
            ("2024-03-05", DayFirst, "2024-03-05"),
            ("2024-03-05", MonthFirst, "2024-03-05"),
            ("2024-3-5", DayFirst, "2024-03-05"),
            ("2024/03/05", MonthFirst, "2024-03-05"),
            ("20240305", DayFirst, "2024-03-05"),
            ("05/03/2024", DayFirst, "2024-03-05"),
            ("03/05/2024", MonthFirst, "2024-03-05"),
            ("5/3/2024", DayFirst, "2024-03-05"),
            ("05.03.2024", DayFirst, "2024-03-05"),
            ("05-03-2024", DayFirst, "2024-03-05"),
            ("05/03/24", DayFirst, "2024-03-05"),
            ("05/03/69", DayFirst, "2069-03-05"),
            ("05/03/70", DayFirst, "1970-03-05"),
            ("05/03/99", DayFirst, "1999-03-05"),
            ("24/03/05", YearFirst, "2024-03-05"),
            ("29/02/2024", DayFirst, "2024-02-29"),
            ("Mar 5, 2024", DayFirst, "2024-03-05"),
            ("March 5 2024", MonthFirst, "2024-03-05"),
            ("5 March 2024", DayFirst, "2024-03-05"),
            ("5 mars 2024", DayFirst, "2024-03-05"),
            ("1er févr. 2024", DayFirst, "2024-02-01"),
            ("15 août 2024", DayFirst, "2024-08-15"),
            ("Tue, 5th March 2024", DayFirst, "2024-03-05"),
            ("mardi 5 mars 2024", DayFirst, "2024-03-05"),
            ("5. März 2024", DayFirst, "2024-03-05"),
            ("2024 Mar 5", DayFirst, "2024-03-05"),
            ("5-Mar-24", DayFirst, "2024-03-05"),
            ("DEC 31 1999", DayFirst, "1999-12-31"),
            // date-times keep their written date
            ("2024-03-05T14:30:00.000Z", DayFirst, "2024-03-05"),
            ("2024-03-05T23:30:00-05:00", DayFirst, "2024-03-05"),
            ("2024-03-05 14:30", DayFirst, "2024-03-05"),
            ("3/5/2024 2:30 PM", MonthFirst, "2024-03-05"),
            ("1709649000000", DayFirst, "2024-03-05"),
        ];
        for (input, order, want) in cases {
            let got = date(input, *order).unwrap_or_else(|e| panic!("date({input:?}): {e}"));
            assert_eq!(got, *want, "date({input:?}, {order:?})");
            for o in [DayFirst, MonthFirst, YearFirst] {
                assert_eq!(
                    date(&got, o).as_deref(),
                    Ok(*want),
                    "idempotent on {input:?}"
                );
            }
        }
    }

    #[test]
    fn datetimes() {
        let cases: &[(&str, DateOrder, &str)] = &[
            ("2024-03-05T14:30:00Z", DayFirst, "2024-03-05T14:30:00Z"),
            ("2024-03-05T14:30:00.000Z", DayFirst, "2024-03-05T14:30:00Z"),
            (
                "2024-03-05T14:30:00.123Z",
                DayFirst,
                "2024-03-05T14:30:00.123Z",
            ),
            (
                "2024-03-05T14:30:00.123456789Z",
                DayFirst,
                "2024-03-05T14:30:00.123Z",
            ),
            (
                "2024-03-05T14:30:00+02:00",
                DayFirst,
                "2024-03-05T12:30:00Z",
            ),
            ("2024-03-05T14:30:00+0200", DayFirst, "2024-03-05T12:30:00Z"),
            ("2024-03-05 14:30:00 -05", DayFirst, "2024-03-05T19:30:00Z"),
            (
                "2024-03-05T23:30:00-05:00",
                DayFirst,
                "2024-03-06T04:30:00Z",
            ),
            ("2024-03-05 14:30", DayFirst, "2024-03-05T14:30:00Z"),
            ("2024-03-05 14:30:00", DayFirst, "2024-03-05T14:30:00Z"),
            ("2024-03-05 14:30 UTC", DayFirst, "2024-03-05T14:30:00Z"),
            ("2024-03-05", DayFirst, "2024-03-05T00:00:00Z"),
            ("3/5/2024 2:30 PM", MonthFirst, "2024-03-05T14:30:00Z"),
            ("3/5/2024 12:05 AM", MonthFirst, "2024-03-05T00:05:00Z"),
            ("3/5/2024 12:05 PM", MonthFirst, "2024-03-05T12:05:00Z"),
            ("05/03/2024 14:30", DayFirst, "2024-03-05T14:30:00Z"),
            ("05.03.2024 9:05:07", DayFirst, "2024-03-05T09:05:07Z"),
            ("Mar 5, 2024 2:30 pm", DayFirst, "2024-03-05T14:30:00Z"),
            ("Mar 5, 2024, 2:30 p.m.", DayFirst, "2024-03-05T14:30:00Z"),
            ("5 mars 2024 à 14:30", DayFirst, "2024-03-05T14:30:00Z"),
            ("1709649000000", DayFirst, "2024-03-05T14:30:00Z"),
            ("1709649000123", DayFirst, "2024-03-05T14:30:00.123Z"),
        ];
        for (input, order, want) in cases {
            let got =
                datetime(input, *order).unwrap_or_else(|e| panic!("datetime({input:?}): {e}"));
            assert_eq!(got, *want, "datetime({input:?}, {order:?})");
            assert_eq!(
                datetime(&got, *order).as_deref(),
                Ok(*want),
                "idempotent on {input:?}"
            );
        }
    }

    #[test]
    fn rejected() {
        let cases: &[(&str, DateOrder)] = &[
            ("", DayFirst),
            ("  ", DayFirst),
            ("31/02/2024", DayFirst),
            ("29/02/2023", DayFirst),
            ("13/05/2024", MonthFirst),
            ("2024-13-01", DayFirst),
            ("2024-00-10", DayFirst),
            ("32/01/2024", DayFirst),
            ("not a date", DayFirst),
            ("Marchish 5 2024", DayFirst),
            ("5 March", DayFirst),
            ("12345", DayFirst),
            ("123456789012", DayFirst),
            ("2024-03-05 25:00", DayFirst),
            ("2024-03-05 14:60", DayFirst),
            ("2024-03-05 13:00 PM", DayFirst),
            ("2024-03-05 14:30 +25:00", DayFirst),
            ("2024-03-05 14:30 Europe/Paris", DayFirst),
            ("05/03/2024/01", DayFirst),
            ("05/03-2024", DayFirst),
            ("1/2/3/4", DayFirst),
        ];
        for (input, order) in cases {
            for f in [date, datetime] {
                let got = f(input, *order);
                assert_eq!(
                    got.as_ref().map_err(|e| e.code),
                    Err(IssueCode::DateInvalid),
                    "{input:?} ({order:?}) = {got:?}"
                );
            }
        }
        let e = date("31/02/2024", DayFirst).unwrap_err();
        assert!(e.message.contains("31/02/2024"), "{}", e.message);
    }

    #[test]
    fn inference() {
        let g = |s: &[&str], d| infer(s, d);
        let guess = |order, ambiguous| DateFormatGuess { order, ambiguous };
        assert_eq!(
            g(&["05/03/2024", "25/12/2024"], false),
            guess(Some(DayFirst), false)
        );
        assert_eq!(
            g(&["03/05/2024", "12/25/2024"], true),
            guess(Some(MonthFirst), false)
        );
        assert_eq!(
            g(&["03/05/2024", "01/02/2024"], true),
            guess(Some(DayFirst), true)
        );
        assert_eq!(
            g(&["03/05/2024", "01/02/2024"], false),
            guess(Some(MonthFirst), true)
        );
        assert_eq!(
            g(&["25/12/2024", "12/25/2024"], true),
            guess(Some(DayFirst), true)
        );
        assert_eq!(
            g(&["2024-03-05", "2024-12-25"], true),
            guess(Some(YearFirst), false)
        );
        assert_eq!(
            g(&["2024-03-05", "25.12.2024"], false),
            guess(Some(DayFirst), false)
        );
        assert_eq!(
            g(&["3/5/2024 2:30 PM", "3/25/2024 9:00 AM"], true),
            guess(Some(MonthFirst), false)
        );
        assert_eq!(g(&["Mar 5, 2024", ""], true), guess(None, false));
        assert_eq!(g(&[], true), guess(None, false));
    }
}
