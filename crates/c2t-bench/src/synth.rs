//! The synthetic Salesforce Data Export: Account, Contact, Opportunity, Task, Note and User CSVs
//! with the headers of `examples/salesforce`, written row by row.
//!
//! Every row is a pure function of `(seed, object, row index)`, so a duplicate can re-create the
//! row it copies and a contact can re-create the company it works for without anything being held
//! in memory: memory use is constant whatever the size.
//!
//! Planted mess, at roughly these rates:
//! * accounts: 2 % duplicates of an earlier account (name in another case / with a trailing dot
//!   or space / a legal form added or dropped; website with `www.`, `http://`, a path),
//!   1 % test rows, 0.5 % in the recycle bin, 10 % stale, 8 % without website;
//! * contacts: 3 % duplicates of an earlier contact (same email in another case or padded with
//!   spaces, sometimes the name in lower case), 1 % test rows, 0.5 % deleted, 15 % stale
//!   (LastActivityDate in 2021–2022), 2 % invalid emails, 5 % without email, 1 % dangling
//!   AccountId, 14.5 % without AccountId (free-mail or a company's domain);
//! * national-format phones of six countries (US, UK, DE, FR, ES, AU) with the country column
//!   set accordingly (spelled several ways), multi-line quoted streets, descriptions and bodies
//!   (with doubled quotes), non-ASCII names and cities;
//! * owners from User.csv (one of them inactive), now and then a queue (`00G…`);
//! * opportunities, tasks and notes pointing at accounts, contacts and opportunities, ~1 %
//!   of them at rows that do not exist (and a few tasks at Leads, `00Q…`, not in the export).

use crate::csvw::CsvOut;
use crate::rng::Rng;
use crate::words::{self, Cc, City, Country, Postal};
use std::fmt::Write as _;
use std::io;
use std::path::Path;

pub const ACCOUNT_HEADER: &str = "Id,IsDeleted,MasterRecordId,Name,Type,ParentId,BillingStreet,BillingCity,BillingState,BillingPostalCode,BillingCountry,Phone,Website,Industry,AnnualRevenue,NumberOfEmployees,OwnerId,CreatedDate,CreatedById,LastModifiedDate,LastModifiedById,SystemModstamp,LastActivityDate,Legacy_Region__c";
pub const CONTACT_HEADER: &str = "Id,IsDeleted,MasterRecordId,AccountId,Salutation,FirstName,LastName,MailingStreet,MailingCity,MailingState,MailingPostalCode,MailingCountry,Phone,MobilePhone,Email,Title,Department,LeadSource,Birthdate,OwnerId,HasOptedOutOfEmail,CreatedDate,CreatedById,LastModifiedDate,LastModifiedById,SystemModstamp,LastActivityDate,Preferred_Language__c";
pub const OPPORTUNITY_HEADER: &str = "Id,IsDeleted,AccountId,Name,StageName,Amount,CurrencyIsoCode,Probability,CloseDate,Type,NextStep,LeadSource,IsClosed,IsWon,ContactId,OwnerId,CreatedDate,CreatedById,LastModifiedDate,LastModifiedById,SystemModstamp";
pub const TASK_HEADER: &str = "Id,WhoId,WhatId,Subject,ActivityDate,Status,Priority,OwnerId,Description,Type,IsDeleted,AccountId,IsClosed,CreatedDate,CreatedById,LastModifiedDate,LastModifiedById,SystemModstamp";
pub const NOTE_HEADER: &str = "Id,IsDeleted,ParentId,Title,IsPrivate,Body,OwnerId,CreatedDate,CreatedById,LastModifiedDate,LastModifiedById,SystemModstamp";
pub const USER_HEADER: &str = "Id,Username,FirstName,LastName,Email,Alias,IsActive";

// Streams of the per-row generators.
const S_ACCT_KIND: u64 = 1;
const S_COMPANY: u64 = 2;
const S_ACCT_ROW: u64 = 3;
const S_CONTACT_KIND: u64 = 4;
const S_PERSON: u64 = 5;
const S_CONTACT_ROW: u64 = 6;
const S_OPP: u64 = 7;
const S_TASK: u64 = 8;
const S_NOTE: u64 = 9;

/// Ids at or above this record number are never written: references to them dangle.
const DANGLING_BASE: u64 = 40_000_000_000;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    pub people: u64,
    pub companies: u64,
    pub seed: u64,
    /// Every note body and task description has this many times its lines (1: as exports
    /// usually are; more: a CRM whose notes are long, to see that memory does not follow the
    /// size of the files).
    pub long_notes: u64,
}

impl Config {
    pub fn opportunities(&self) -> u64 {
        self.companies / 2
    }
    pub fn tasks(&self) -> u64 {
        self.people / 10
    }
    pub fn notes(&self) -> u64 {
        self.people / 20
    }
}

/// Rows written and mess planted.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub accounts: u64,
    pub contacts: u64,
    pub opportunities: u64,
    pub tasks: u64,
    pub notes: u64,
    pub users: u64,
    pub bytes: u64,
    pub dup_accounts: u64,
    pub dup_contacts: u64,
    pub test_rows: u64,
    pub deleted_rows: u64,
    pub stale_accounts: u64,
    pub stale_contacts: u64,
    pub invalid_emails: u64,
    pub dangling_refs: u64,
    pub multi_line_cells: u64,
}

impl Stats {
    pub fn rows(&self) -> u64 {
        self.accounts + self.contacts + self.opportunities + self.tasks + self.notes + self.users
    }
}

// ── Salesforce ids ───────────────────────────────────────────────────────────────────────────

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// An 18-character Salesforce id: key prefix, instance `8d`, reserved `0`, a 9-character base-62
/// record number, then the 3-character case-safety suffix Salesforce computes.
pub fn sfid(prefix: &str, n: u64) -> String {
    let mut id = [b'0'; 18];
    id[..3].copy_from_slice(&prefix.as_bytes()[..3]);
    id[3] = b'8';
    id[4] = b'd';
    let mut x = n + 10_000; // never all zeroes, like real ids
    for slot in id[6..15].iter_mut().rev() {
        *slot = BASE62[(x % 62) as usize];
        x /= 62;
    }
    let suffix = checksum(&id[..15]);
    id[15..].copy_from_slice(&suffix);
    String::from_utf8(id.to_vec()).expect("ascii")
}

/// The 3 characters Salesforce appends to a 15-character id: for each 5-character chunk, a bit
/// per upper-case letter, as one of `A–Z0–5`.
pub fn checksum(id15: &[u8]) -> [u8; 3] {
    const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let mut out = [b'A'; 3];
    for (chunk, slot) in out.iter_mut().enumerate() {
        let mut bits = 0usize;
        for i in 0..5 {
            if id15[chunk * 5 + i].is_ascii_uppercase() {
                bits |= 1 << i;
            }
        }
        *slot = SUFFIX[bits];
    }
    out
}

fn account_id(k: u64) -> String {
    sfid("001", k)
}
fn contact_id(k: u64) -> String {
    sfid("003", k)
}
fn opportunity_id(k: u64) -> String {
    sfid("006", k)
}

// ── dates ────────────────────────────────────────────────────────────────────────────────────

const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A day (days since 1970-01-01) plus seconds into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct When(i64);

const D2016: i64 = days_from_civil(2016, 1, 1);
const D2021: i64 = days_from_civil(2021, 1, 1);
const D2022_END: i64 = days_from_civil(2022, 12, 31);
const D2023_END: i64 = days_from_civil(2023, 12, 31);
const D2024: i64 = days_from_civil(2024, 1, 1);
const D_RECENT: i64 = days_from_civil(2024, 12, 1);
const D_EXPORT: i64 = days_from_civil(2026, 11, 20);
const D_FUTURE: i64 = days_from_civil(2027, 6, 30);

fn day_between(r: &mut Rng, lo: i64, hi: i64) -> i64 {
    lo + r.below((hi - lo + 1) as u64) as i64
}

fn when(r: &mut Rng, lo: i64, hi: i64) -> When {
    When(day_between(r, lo, hi) * 86_400 + r.range(7 * 3600, 19 * 3600) as i64)
}

struct Date(i64);
impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = civil_from_days(self.0);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

struct DateTime(When);
impl std::fmt::Display for DateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0.0;
        let (y, m, d) = civil_from_days(s.div_euclid(86_400));
        let t = s.rem_euclid(86_400);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
            t / 3600,
            t / 60 % 60,
            t % 60
        )
    }
}

// ── users ────────────────────────────────────────────────────────────────────────────────────

/// (first, last, active)
const USERS: &[(&str, &str, bool)] = &[
    ("Maya", "Okafor", true),
    ("Daniel", "Brandt", true),
    ("Priya", "Raman", true),
    ("Tom", "Weller", false),
    ("Sofía", "Herrera", true),
    ("Lukas", "Brenner", true),
    ("Aiko", "Mori", true),
];
const INTEGRATION_USER: u64 = 7;
const QUEUE_ID: &str = "00G8d000004QmZxEAK";

fn user_id(k: u64) -> String {
    sfid("005", k)
}

fn owner(r: &mut Rng) -> String {
    if r.chance(0.003) {
        QUEUE_ID.to_string()
    } else {
        user_id(r.below(USERS.len() as u64))
    }
}

// ── companies ────────────────────────────────────────────────────────────────────────────────

/// A company's identity: what every row about it (the account, its duplicates, its people's
/// email domains, its deals' names) agrees on.
#[derive(Debug, Clone)]
pub struct Company {
    /// `Brightforge Analytics` (no legal form).
    pub name: String,
    /// `Inc.`, `GmbH`…, or empty.
    pub legal: &'static str,
    /// `brightforge-analytics.com`.
    pub domain: String,
    pub has_website: bool,
    pub country: &'static Country,
    pub city: &'static City,
    pub industry: &'static str,
    /// How its people's addresses look: 0 first.last, 1 first_last, 2 flast, 3 last.first.
    pub email_style: u8,
}

fn name_space() -> u64 {
    (words::PREFIXES.len() * words::SUFFIXES.len() * words::NOUNS.len()) as u64
}

/// A multiplier coprime to `n`, so `j ↦ (j·a + b) mod n` is a permutation.
fn coprime_multiplier(n: u64) -> u64 {
    [1_000_003u64, 999_983, 7_919, 104_729, 1_299_709]
        .into_iter()
        .find(|p| !n.is_multiple_of(*p))
        .unwrap_or(1)
}

fn pick_country(r: &mut Rng) -> &'static Country {
    r.weighted_ref(words::COUNTRIES)
}

fn ascii_slug(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            'à' | 'á' | 'â' | 'ä' | 'å' | 'Á' | 'À' | 'Ä' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' | 'Í' => out.push('i'),
            'ó' | 'ò' | 'ô' | 'ö' | 'ø' | 'Ó' | 'Ö' | 'Ø' => out.push('o'),
            'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ü' => out.push('u'),
            'ñ' | 'Ñ' => out.push('n'),
            'ç' | 'Ç' => out.push('c'),
            'ß' => out.push_str("ss"),
            _ => {}
        }
    }
}

/// The identity of company number `j` (unique name and domain for every `j`).
pub fn company(seed: u64, j: u64) -> Company {
    let mut r = Rng::for_row(seed, S_COMPANY, j);
    let n = name_space();
    let (round, base) = (j / n, j % n);
    let p = (base
        .wrapping_mul(coprime_multiplier(n))
        .wrapping_add(seed % n))
        % n;
    let (ns, nn) = (words::SUFFIXES.len() as u64, words::NOUNS.len() as u64);
    let noun_i = (p % nn) as usize;
    let suffix_i = (p / nn % ns) as usize;
    let prefix_i = (p / nn / ns) as usize;
    let (noun, industry) = words::NOUNS[noun_i];
    let prefix = words::PREFIXES[prefix_i];
    let suffix = words::SUFFIXES[suffix_i];
    let mut name = String::with_capacity(40);
    name.push_str(prefix);
    name.push_str(suffix);
    name.push(' ');
    name.push_str(noun);
    let mut region = String::new();
    if round > 0 {
        let k = (round - 1) as usize;
        region.push_str(words::REGIONS[k % words::REGIONS.len()]);
        if k >= words::REGIONS.len() {
            let _ = write!(region, " {}", k / words::REGIONS.len() + 1);
        }
        name.push(' ');
        name.push_str(&region);
    }
    let country = pick_country(&mut r);
    let city = r.pick_ref(country.cities);
    let mut domain = String::with_capacity(40);
    ascii_slug(prefix, &mut domain);
    ascii_slug(suffix, &mut domain);
    if r.chance(0.5) {
        domain.push('-');
    }
    ascii_slug(noun, &mut domain);
    if !region.is_empty() {
        domain.push('-');
        ascii_slug(&region, &mut domain);
    }
    domain.push('.');
    domain.push_str(r.weighted(country.tlds));
    let legal = if r.chance(0.4) {
        r.pick(country.legal)
    } else {
        ""
    };
    Company {
        name,
        legal,
        domain,
        has_website: r.chance(0.92),
        country,
        city,
        industry,
        email_style: r.weighted(&[(60, 0u8), (10, 1), (15, 2), (15, 3)]),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Normal,
    Test(usize),
    Deleted,
    /// A copy of row `j`.
    Dup(u64),
}

fn raw_kind(r: &mut Rng, test: f64, deleted: f64, dup: f64) -> Option<Kind> {
    let x = r.unit();
    if x < test {
        Some(Kind::Test(r.below(64) as usize))
    } else if x < test + deleted {
        Some(Kind::Deleted)
    } else if x < test + deleted + dup {
        None
    } else {
        Some(Kind::Normal)
    }
}

fn account_kind(seed: u64, i: u64) -> Kind {
    let mut r = Rng::for_row(seed, S_ACCT_KIND, i);
    match raw_kind(&mut r, 0.01, 0.005, 0.02) {
        Some(k) => k,
        None if i == 0 => Kind::Normal,
        None => {
            for _ in 0..8 {
                let j = r.below(i);
                let mut rj = Rng::for_row(seed, S_ACCT_KIND, j);
                if raw_kind(&mut rj, 0.01, 0.005, 0.02) == Some(Kind::Normal) {
                    return Kind::Dup(j);
                }
            }
            Kind::Normal
        }
    }
}

/// The company account row `k` is about (`None` for test rows).
fn account_identity(seed: u64, k: u64) -> Option<u64> {
    match account_kind(seed, k) {
        Kind::Normal | Kind::Deleted => Some(k),
        Kind::Dup(j) => Some(j),
        Kind::Test(_) => None,
    }
}

// ── phones and addresses ─────────────────────────────────────────────────────────────────────

fn digits(r: &mut Rng, n: usize, out: &mut String) {
    for _ in 0..n {
        out.push(char::from(b'0' + r.below(10) as u8));
    }
}

fn nz_digit(r: &mut Rng, lo: u8, out: &mut String) {
    out.push(char::from(b'0' + lo + r.below(u64::from(10 - lo)) as u8));
}

/// A phone number as people type it in their own country (no calling code, most of the time).
fn phone(r: &mut Rng, country: &Country, city: &City, mobile: bool) -> String {
    let mut s = String::with_capacity(20);
    match country.cc {
        Cc::Us => {
            let a = if mobile && r.chance(0.5) {
                r.pick_ref(country.cities).area
            } else {
                city.area
            };
            let mut line = String::with_capacity(4);
            line.push_str("01");
            digits(r, 2, &mut line);
            match r.below(8) {
                0 | 1 => {
                    let _ = write!(s, "({a}) 555-{line}");
                }
                2 => {
                    let _ = write!(s, "{a}-555-{line}");
                }
                3 => {
                    let _ = write!(s, "{a}.555.{line}");
                }
                4 => {
                    let _ = write!(s, "{a} 555 {line}");
                }
                5 => {
                    let _ = write!(s, "{a}555{line}");
                }
                6 => {
                    let _ = write!(s, "+1 {a}-555-{line}");
                }
                _ => {
                    let _ = write!(s, "1-{a}-555-{line}");
                }
            }
        }
        Cc::Gb => {
            if mobile {
                // 074xx: a mobile range libphonenumber accepts (the Ofcom drama range
                // 07700 900xxx is not valid for it).
                let mut head = String::from("74");
                head.push(r.pick(&['0', '1', '2', '3', '4', '6', '7', '8', '9']));
                digits(r, 1, &mut head);
                let mut rest = String::new();
                digits(r, 6, &mut rest);
                match r.below(3) {
                    0 => {
                        let _ = write!(s, "0{head} {rest}");
                    }
                    1 => {
                        let _ = write!(s, "0{head}{rest}");
                    }
                    _ => {
                        let _ = write!(s, "+44 {head} {rest}");
                    }
                }
            } else {
                let mut rest = String::new();
                digits(r, 3, &mut rest);
                if city.area == "20" {
                    match r.below(3) {
                        0 => {
                            let _ = write!(s, "020 7946 0{rest}");
                        }
                        1 => {
                            let _ = write!(s, "(020) 7946 0{rest}");
                        }
                        _ => {
                            let _ = write!(s, "02079460{rest}");
                        }
                    }
                } else {
                    let a = city.area;
                    match r.below(3) {
                        0 => {
                            let _ = write!(s, "0{a} 496 0{rest}");
                        }
                        1 => {
                            let _ = write!(s, "(0{a}) 496 0{rest}");
                        }
                        _ => {
                            let _ = write!(s, "0{a}4960{rest}");
                        }
                    }
                }
            }
        }
        Cc::De => {
            let mut sub = String::new();
            if mobile {
                let (pre, n) = r.pick(&[
                    ("151", 8usize),
                    ("152", 8),
                    ("160", 7),
                    ("170", 7),
                    ("171", 7),
                    ("176", 8),
                ]);
                nz_digit(r, 1, &mut sub);
                digits(r, n - 1, &mut sub);
                match r.below(3) {
                    0 => {
                        let _ = write!(s, "0{pre} {sub}");
                    }
                    1 => {
                        let _ = write!(s, "0{pre}/{sub}");
                    }
                    _ => {
                        let _ = write!(s, "0{pre}-{sub}");
                    }
                }
            } else {
                let a = city.area;
                let n = if a.len() == 2 { 8 } else { 7 };
                nz_digit(r, 2, &mut sub);
                digits(r, n - 1, &mut sub);
                match r.below(4) {
                    0 | 1 => {
                        let _ = write!(s, "0{a} {sub}");
                    }
                    2 => {
                        let _ = write!(s, "0{a}/{sub}");
                    }
                    _ => {
                        let _ = write!(s, "(0{a}) {sub}");
                    }
                }
            }
        }
        Cc::Fr => {
            let mut d = String::with_capacity(10);
            d.push('0');
            if mobile {
                d.push('6');
            } else {
                d.push_str(city.area);
            }
            nz_digit(r, 1, &mut d);
            digits(r, 7, &mut d);
            let b = d.as_bytes();
            let pairs: Vec<&str> = (0..5)
                .map(|i| std::str::from_utf8(&b[i * 2..i * 2 + 2]).expect("ascii"))
                .collect();
            match r.below(5) {
                0 | 1 => s.push_str(&pairs.join(" ")),
                2 => s.push_str(&pairs.join(".")),
                3 => s.push_str(&d),
                _ => {
                    let _ = write!(s, "+33 {} {}", &d[1..2], pairs[1..].join(" "));
                }
            }
        }
        Cc::Es => {
            let mut d = String::with_capacity(9);
            if mobile {
                d.push('6');
                digits(r, 8, &mut d);
            } else {
                d.push_str(city.area);
                nz_digit(r, 2, &mut d);
                digits(r, 6, &mut d);
            }
            match r.below(3) {
                0 => {
                    let _ = write!(s, "{} {} {}", &d[..3], &d[3..6], &d[6..]);
                }
                1 => {
                    let _ = write!(s, "{} {} {} {}", &d[..2], &d[2..5], &d[5..7], &d[7..]);
                }
                _ => s.push_str(&d),
            }
        }
        Cc::Au => {
            let mut d = String::with_capacity(10);
            if mobile {
                d.push_str("04");
                d.push(char::from(b'0' + r.below(4) as u8));
                digits(r, 7, &mut d);
                match r.below(2) {
                    0 => {
                        let _ = write!(s, "{} {} {}", &d[..4], &d[4..7], &d[7..]);
                    }
                    _ => s.push_str(&d),
                }
            } else {
                let first = match city.area {
                    "2" | "3" => '9',
                    "7" => '3',
                    _ if city.name == "Perth" => '9',
                    _ => '8',
                };
                d.push('0');
                d.push_str(city.area);
                d.push(first);
                digits(r, 7, &mut d);
                match r.below(3) {
                    0 => {
                        let _ = write!(s, "({}) {} {}", &d[..2], &d[2..6], &d[6..]);
                    }
                    1 => {
                        let _ = write!(s, "{} {} {}", &d[..2], &d[2..6], &d[6..]);
                    }
                    _ => s.push_str(&d),
                }
            }
        }
    }
    if r.chance(0.01) {
        let _ = write!(s, " ext. {}", r.range(10, 499));
    }
    s
}

fn postcode(r: &mut Rng, city: &City) -> String {
    let mut s = String::with_capacity(8);
    match city.postal {
        Postal::Digits(prefix, n) => {
            s.push_str(prefix);
            digits(r, usize::from(n), &mut s);
        }
        Postal::Uk(outward) => {
            const L: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
            s.push_str(outward);
            s.push(' ');
            nz_digit(r, 1, &mut s);
            s.push(char::from(r.pick(L)));
            s.push(char::from(r.pick(L)));
        }
    }
    s
}

/// A street cell; multi-line (a second address line in the same quoted cell) with probability
/// `multi`.
fn street(r: &mut Rng, country: &Country, multi: f64, stats: &mut Stats) -> String {
    let no = r.range(1, 2400);
    let st = r.pick(country.streets);
    let mut s = if country.number_first {
        format!("{no} {st}")
    } else {
        format!("{st} {no}")
    };
    if r.chance(multi) {
        stats.multi_line_cells += 1;
        s.push('\n');
        s.push_str(r.pick(country.second_lines));
    } else if r.chance(0.05) {
        s.push_str(", ");
        s.push_str(r.pick(country.second_lines));
    }
    s
}

// ── writers ──────────────────────────────────────────────────────────────────────────────────

/// Account row `i` of `m`.
fn write_account(out: &mut CsvOut, seed: u64, i: u64, stats: &mut Stats) -> io::Result<()> {
    let kind = account_kind(seed, i);
    let mut r = Rng::for_row(seed, S_ACCT_ROW, i);
    let created = when(&mut r, D2016, D2024 + 300);
    out.field(&account_id(i));
    out.field(if kind == Kind::Deleted {
        "true"
    } else {
        "false"
    });
    out.empty(); // MasterRecordId
    if let Kind::Test(t) = kind {
        stats.test_rows += 1;
        let (name, site) = words::TEST_COMPANIES[t % words::TEST_COMPANIES.len()];
        out.field(name);
        out.empty(); // Type
        out.empty(); // ParentId
        if name == "asdf" {
            out.field("asdf");
            out.field("asdf");
        } else {
            out.empties(2);
        }
        out.empties(3); // State, PostalCode, Country
        out.field(if r.chance(0.5) { "123" } else { "" });
        out.field(site);
        out.empties(3); // Industry, AnnualRevenue, NumberOfEmployees
        out.field(&owner(&mut r));
        let modified = When(created.0 + r.range(0, 3600 * 8) as i64);
        out.fmt(format_args!("{}", DateTime(created)));
        out.field(&user_id(INTEGRATION_USER));
        out.fmt(format_args!("{}", DateTime(modified)));
        out.field(&user_id(INTEGRATION_USER));
        out.fmt(format_args!("{}", DateTime(When(modified.0 + 1))));
        out.empties(2); // LastActivityDate, Legacy_Region__c
        return out.end();
    }
    let (j, dup) = match kind {
        Kind::Dup(j) => {
            stats.dup_accounts += 1;
            (j, true)
        }
        Kind::Deleted => {
            stats.deleted_rows += 1;
            (i, false)
        }
        _ => (i, false),
    };
    let c = company(seed, j);
    let mut cr = Rng::for_row(seed, S_COMPANY ^ 0xFF, j); // the company's stable details
    // Name.
    let mut name = c.name.clone();
    if !c.legal.is_empty() {
        name.push(' ');
        name.push_str(c.legal);
    }
    if dup {
        name = match r.below(5) {
            0 => name.to_uppercase(),
            1 => format!("{}.", c.name),
            2 => format!("{name} "),
            3 => c.name.to_lowercase(),
            _ => format!("{} {}", c.name, r.pick(c.country.legal)),
        };
    }
    out.field(&name);
    out.field(r.weighted(words::ACCOUNT_TYPES));
    out.empty(); // ParentId
    // Billing address.
    if r.chance(0.75) {
        let s = street(&mut cr, c.country, 0.06, stats);
        out.field(&s);
    } else {
        out.empty();
    }
    out.field(c.city.name);
    if c.city.state.is_empty() {
        out.empty();
    } else if r.chance(0.06) {
        out.field(c.city.state_long);
    } else {
        out.field(c.city.state);
    }
    if r.chance(0.8) {
        out.field(&postcode(&mut cr, c.city));
    } else {
        out.empty();
    }
    out.field(r.weighted(c.country.spellings));
    // Phone (always with the country set).
    if r.chance(0.8) {
        out.field(&phone(&mut r, c.country, c.city, false));
    } else {
        out.empty();
    }
    // Website.
    if c.has_website {
        let d = &c.domain;
        let w = if dup {
            match r.below(5) {
                0 => format!("www.{d}"),
                1 => format!("http://{d}"),
                2 => format!("http://{d}/about"),
                3 => format!("https://www.{d}/"),
                _ => format!("WWW.{}", d.to_uppercase()),
            }
        } else {
            match r.below(10) {
                0..=3 => d.clone(),
                4..=6 => format!("www.{d}"),
                7 | 8 => format!("https://www.{d}"),
                _ => format!("http://{d}"),
            }
        };
        out.field(&w);
    } else {
        out.empty();
    }
    out.field(if r.chance(0.85) { c.industry } else { "" });
    if r.chance(0.6) {
        out.fmt(format_args!("{}", r.range(2, 2_000) * 50_000));
    } else {
        out.empty();
    }
    if r.chance(0.7) {
        out.fmt(format_args!("{}", r.range(1, 5_000)));
    } else {
        out.empty();
    }
    out.field(&owner(&mut r));
    // Dates: a duplicate is an older, forgotten copy.
    let (modified, activity) = if dup {
        let m = when(
            &mut r,
            created.0 / 86_400,
            D2023_END.max(created.0 / 86_400),
        );
        (m, Some(Date(m.0 / 86_400 - r.range(0, 20) as i64)))
    } else if r.chance(0.10) {
        stats.stale_accounts += 1;
        let a = day_between(
            &mut r,
            D2021.max(created.0 / 86_400),
            D2022_END.max(created.0 / 86_400),
        );
        (
            When((a + r.range(0, 30) as i64) * 86_400 + 40_000),
            Some(Date(a)),
        )
    } else if r.chance(0.8) {
        let a = day_between(&mut r, D_RECENT, D_EXPORT);
        (
            When((a + r.range(0, 3) as i64).min(D_EXPORT) * 86_400 + 50_000),
            Some(Date(a)),
        )
    } else {
        (when(&mut r, D_RECENT, D_EXPORT), None)
    };
    let modified = modified.max(created);
    out.fmt(format_args!("{}", DateTime(created)));
    out.field(&user_id(INTEGRATION_USER));
    out.fmt(format_args!("{}", DateTime(modified)));
    out.field(&user_id(INTEGRATION_USER));
    out.fmt(format_args!("{}", DateTime(When(modified.0 + 1))));
    match activity {
        Some(a) => out.fmt(format_args!("{a}")),
        None => out.empty(),
    }
    out.empty(); // Legacy_Region__c
    out.end()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AcctRef {
    None,
    Some(u64),
    Dangling(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EmailState {
    Valid,
    Invalid,
    Missing,
}

/// A person's identity: what a contact row and its duplicates agree on.
struct Person {
    first: &'static str,
    last: &'static str,
    account: AcctRef,
    country: &'static Country,
    city: &'static City,
    /// The clean address (also when `state` is `Invalid`: the row then shows a broken form).
    email: String,
    state: EmailState,
    phone: Option<String>,
    mobile: Option<String>,
    title: &'static str,
    created: When,
}

fn email_local(style: u8, first: &str, last: &str) -> String {
    let (mut f, mut l) = (String::new(), String::new());
    ascii_slug(first, &mut f);
    ascii_slug(last, &mut l);
    match style {
        1 => format!("{f}_{l}"),
        2 => format!("{}{l}", f.chars().next().unwrap_or('x')),
        3 => format!("{l}.{f}"),
        _ => format!("{f}.{l}"),
    }
}

fn person(seed: u64, j: u64, companies: u64) -> Person {
    let mut r = Rng::for_row(seed, S_PERSON, j);
    let x = r.unit();
    let account = if companies == 0 || x >= 0.855 {
        AcctRef::None
    } else if x < 0.01 {
        AcctRef::Dangling(DANGLING_BASE + r.below(1 << 30))
    } else {
        AcctRef::Some(r.below(companies))
    };
    let comp = match account {
        AcctRef::Some(k) => account_identity(seed, k).map(|id| company(seed, id)),
        _ => None,
    };
    let country = match &comp {
        Some(c) if r.chance(0.92) => c.country,
        _ => pick_country(&mut r),
    };
    let city = match &comp {
        Some(c) if std::ptr::eq(c.country, country) && r.chance(0.7) => c.city,
        _ => r.pick_ref(country.cities),
    };
    let first = r.pick(country.first);
    let last = r.pick(country.last);
    let email = match &comp {
        Some(c) if c.has_website && r.chance(0.93) => {
            format!("{}@{}", email_local(c.email_style, first, last), c.domain)
        }
        _ if account == AcctRef::None && companies > 0 && r.chance(0.35) => {
            // No AccountId, but a work address: the pipeline can link by email domain.
            let k = r.below(companies);
            match account_identity(seed, k).map(|id| company(seed, id)) {
                Some(c) if c.has_website => {
                    format!("{}@{}", email_local(c.email_style, first, last), c.domain)
                }
                _ => free_mail(&mut r, first, last),
            }
        }
        _ => free_mail(&mut r, first, last),
    };
    let y = r.unit();
    let state = if y < 0.02 {
        EmailState::Invalid
    } else if y < 0.07 {
        EmailState::Missing
    } else {
        EmailState::Valid
    };
    let phone_ = r.chance(0.65).then(|| phone(&mut r, country, city, false));
    let mobile = r.chance(0.4).then(|| phone(&mut r, country, city, true));
    Person {
        first,
        last,
        account,
        country,
        city,
        email,
        state,
        phone: phone_,
        mobile,
        title: r.pick(words::TITLES),
        created: when(&mut r, D2016, D2024 + 300),
    }
}

fn free_mail(r: &mut Rng, first: &str, last: &str) -> String {
    let (mut f, mut l) = (String::new(), String::new());
    ascii_slug(first, &mut f);
    ascii_slug(last, &mut l);
    let dom = r.weighted(words::FREE_MAIL);
    match r.below(3) {
        0 => format!("{f}.{l}{}@{dom}", r.range(1, 9_999)),
        1 => format!("{f}{l}{}@{dom}", r.range(1950, 2005)),
        _ => format!("{}{l}{}@{dom}", &f[..f.len().min(1)], r.range(10, 999)),
    }
}

/// A broken form of a valid address, as found in real CRMs.
fn broken_email(r: &mut Rng, email: &str, first: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, "example.invalid"));
    let host = domain.split('.').next().unwrap_or(domain);
    match r.below(6) {
        0 => format!("{local}@"),
        1 => format!("{local}@@{domain}"),
        2 => {
            let mut f = String::new();
            ascii_slug(first, &mut f);
            format!("{f} at {domain}")
        }
        3 => format!("{local}@{host}"),
        4 => format!("{local}@{domain}.."),
        _ => format!(
            "{local}@{host},{}",
            &domain[host.len().min(domain.len())..].trim_start_matches('.')
        ),
    }
}

fn contact_kind(seed: u64, i: u64, companies: u64) -> Kind {
    let mut r = Rng::for_row(seed, S_CONTACT_KIND, i);
    match raw_kind(&mut r, 0.01, 0.005, 0.03) {
        Some(k) => k,
        None if i == 0 => Kind::Normal,
        None => {
            for _ in 0..8 {
                let j = r.below(i);
                let mut rj = Rng::for_row(seed, S_CONTACT_KIND, j);
                if raw_kind(&mut rj, 0.01, 0.005, 0.03) == Some(Kind::Normal)
                    && person(seed, j, companies).state == EmailState::Valid
                {
                    return Kind::Dup(j);
                }
            }
            Kind::Normal
        }
    }
}

fn capitalise_parts(email: &str) -> String {
    let mut out = String::with_capacity(email.len());
    let mut up = true;
    for c in email.chars() {
        if up {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        up = matches!(c, '.' | '@' | '_');
    }
    out
}

fn write_contact(out: &mut CsvOut, cfg: &Config, i: u64, stats: &mut Stats) -> io::Result<()> {
    let seed = cfg.seed;
    let kind = contact_kind(seed, i, cfg.companies);
    let mut r = Rng::for_row(seed, S_CONTACT_ROW, i);
    out.field(&contact_id(i));
    out.field(if kind == Kind::Deleted {
        "true"
    } else {
        "false"
    });
    out.empty(); // MasterRecordId
    if let Kind::Test(t) = kind {
        stats.test_rows += 1;
        let (first, last, email, ph) = words::TEST_PEOPLE[t % words::TEST_PEOPLE.len()];
        if cfg.companies > 0 && r.chance(0.5) {
            out.field(&account_id(r.below(cfg.companies)));
        } else {
            out.empty();
        }
        out.empty(); // Salutation
        out.field(first);
        out.field(last);
        out.empties(5); // street … country
        out.field(ph);
        out.empty();
        out.field(email);
        out.field(if first == "asdf" { "asdf" } else { "" });
        out.empties(3); // Department, LeadSource, Birthdate
        out.field(&owner(&mut r));
        out.field("false");
        let created = when(&mut r, D2021, D2024 + 300);
        out.fmt(format_args!("{}", DateTime(created)));
        out.field(&user_id(INTEGRATION_USER));
        out.fmt(format_args!("{}", DateTime(When(created.0 + 600))));
        out.field(&user_id(INTEGRATION_USER));
        out.fmt(format_args!("{}", DateTime(When(created.0 + 601))));
        out.empties(2);
        return out.end();
    }
    let (j, dup) = match kind {
        Kind::Dup(j) => {
            stats.dup_contacts += 1;
            (j, true)
        }
        Kind::Deleted => {
            stats.deleted_rows += 1;
            (i, false)
        }
        _ => (i, false),
    };
    let p = person(seed, j, cfg.companies);
    match p.account {
        AcctRef::Some(k) => out.field(&account_id(k)),
        AcctRef::Dangling(k) => {
            stats.dangling_refs += 1;
            out.field(&account_id(k));
        }
        AcctRef::None => out.empty(),
    }
    out.field(r.weighted(words::SALUTATIONS));
    if dup && r.chance(0.3) {
        out.field(&p.first.to_lowercase());
        out.field(&p.last.to_lowercase());
    } else {
        out.field(p.first);
        out.field(p.last);
    }
    // Mailing address.
    let has_country = p.phone.is_some() || p.mobile.is_some() || r.chance(0.8);
    if r.chance(0.25) {
        let s = street(&mut r, p.country, 0.04, stats);
        out.field(&s);
    } else {
        out.empty();
    }
    if has_country || r.chance(0.5) {
        out.field(p.city.name);
    } else {
        out.empty();
    }
    if r.chance(0.2) && !p.city.state.is_empty() {
        out.field(p.city.state);
    } else {
        out.empty();
    }
    if r.chance(0.2) {
        out.field(&postcode(&mut r, p.city));
    } else {
        out.empty();
    }
    if has_country {
        out.field(r.weighted(p.country.spellings));
    } else {
        out.empty();
    }
    let keep_phones = !dup || r.chance(0.6);
    match (&p.phone, keep_phones) {
        (Some(ph), true) => out.field(ph),
        _ => out.empty(),
    }
    match (&p.mobile, keep_phones) {
        (Some(ph), true) => out.field(ph),
        _ => out.empty(),
    }
    // Email.
    match p.state {
        EmailState::Missing => out.empty(),
        EmailState::Invalid => {
            stats.invalid_emails += 1;
            out.field(&broken_email(&mut r, &p.email, p.first));
        }
        EmailState::Valid if dup => {
            let e = match r.below(4) {
                0 => p.email.to_uppercase(),
                1 => capitalise_parts(&p.email),
                2 => format!(" {} ", capitalise_parts(&p.email)),
                _ => format!(" {}", p.email),
            };
            out.field(&e);
        }
        EmailState::Valid => out.field(&p.email),
    }
    out.field(if dup && r.chance(0.3) { "" } else { p.title });
    if r.chance(0.3) {
        out.field(r.pick(words::DEPARTMENTS));
    } else {
        out.empty();
    }
    out.field(r.weighted(words::LEAD_SOURCES));
    if r.chance(0.05) {
        let d = day_between(
            &mut r,
            days_from_civil(1955, 1, 1),
            days_from_civil(2002, 12, 31),
        );
        out.fmt(format_args!("{}", Date(d)));
    } else {
        out.empty();
    }
    out.field(&owner(&mut r));
    out.field(if r.chance(0.04) { "true" } else { "false" });
    // Dates.
    let created = if dup {
        when(
            &mut r,
            p.created.0 / 86_400,
            D2023_END.max(p.created.0 / 86_400),
        )
    } else {
        p.created
    };
    let c_day = created.0 / 86_400;
    let (modified, activity) = if r.chance(0.15) {
        if !dup {
            stats.stale_contacts += 1;
        }
        let a = day_between(&mut r, D2021.max(c_day), D2022_END.max(c_day));
        (
            When((a + r.range(0, 10) as i64) * 86_400 + 41_000),
            Some(Date(a)),
        )
    } else if dup {
        let m = day_between(&mut r, c_day, D2023_END.max(c_day));
        (
            When(m * 86_400 + 30_000),
            Some(Date(m - r.range(0, 5) as i64)),
        )
    } else if r.chance(0.82) {
        let a = day_between(&mut r, D_RECENT, D_EXPORT);
        (
            When((a + r.range(0, 2) as i64).min(D_EXPORT) * 86_400 + 42_000),
            Some(Date(a)),
        )
    } else {
        (when(&mut r, D_RECENT, D_EXPORT), None)
    };
    let modified = modified.max(created);
    out.fmt(format_args!("{}", DateTime(created)));
    out.field(&user_id(INTEGRATION_USER));
    out.fmt(format_args!("{}", DateTime(modified)));
    out.field(&user_id(INTEGRATION_USER));
    out.fmt(format_args!("{}", DateTime(When(modified.0 + 1))));
    match activity {
        Some(a) => out.fmt(format_args!("{a}")),
        None => out.empty(),
    }
    out.empty(); // Preferred_Language__c
    out.end()
}

fn write_opportunity(out: &mut CsvOut, cfg: &Config, i: u64, stats: &mut Stats) -> io::Result<()> {
    let seed = cfg.seed;
    let mut r = Rng::for_row(seed, S_OPP, i);
    out.field(&opportunity_id(i));
    out.field(if r.chance(0.005) { "true" } else { "false" });
    let test = r.chance(0.01);
    let x = r.unit();
    let acct = if cfg.companies == 0 || x < 0.02 {
        AcctRef::None
    } else if x < 0.03 {
        AcctRef::Dangling(DANGLING_BASE + r.below(1 << 30))
    } else {
        AcctRef::Some(r.below(cfg.companies))
    };
    match acct {
        AcctRef::Some(k) => out.field(&account_id(k)),
        AcctRef::Dangling(k) => {
            stats.dangling_refs += 1;
            out.field(&account_id(k));
        }
        AcctRef::None => out.empty(),
    }
    let comp = match acct {
        AcctRef::Some(k) => account_identity(seed, k).map(|j| company(seed, j)),
        _ => None,
    };
    let (stage, prob, closed, won) = r.weighted(words::STAGES);
    if test {
        stats.test_rows += 1;
        out.field("test opp");
    } else {
        let project = r.pick(words::PROJECTS);
        let who = comp.as_ref().map_or("Unassigned", |c| c.name.as_str());
        let dash = if r.chance(0.6) { "—" } else { "-" };
        out.field(&format!("{who} {dash} {project}"));
    }
    out.field(stage);
    if test {
        out.field("1");
    } else if r.chance(0.9) {
        out.fmt(format_args!("{}", r.range(1, 400) * 500));
    } else {
        out.empty();
    }
    out.field(comp.as_ref().map_or("USD", |c| c.country.currency));
    out.fmt(format_args!("{prob}"));
    let created = when(&mut r, D2021, D_EXPORT - 30);
    let c_day = created.0 / 86_400;
    let close = if closed {
        day_between(&mut r, c_day + 10, (c_day + 240).min(D_EXPORT))
    } else {
        day_between(&mut r, D_EXPORT, D_FUTURE)
    };
    out.fmt(format_args!("{}", Date(close)));
    out.field(r.weighted(words::OPP_TYPES));
    out.field(r.pick(words::NEXT_STEPS));
    out.field(r.weighted(words::LEAD_SOURCES));
    out.field(if closed { "true" } else { "false" });
    out.field(if won { "true" } else { "false" });
    let y = r.unit();
    if cfg.people > 0 && y < 0.65 {
        out.field(&contact_id(r.below(cfg.people)));
    } else if y < 0.655 {
        stats.dangling_refs += 1;
        out.field(&contact_id(DANGLING_BASE + r.below(1 << 30)));
    } else {
        out.empty();
    }
    out.field(&owner(&mut r));
    let modified = When(
        (if closed {
            close
        } else {
            day_between(&mut r, c_day, D_EXPORT)
        })
        .max(c_day)
            * 86_400
            + 60_000,
    );
    out.fmt(format_args!("{}", DateTime(created)));
    out.field(&user_id(INTEGRATION_USER));
    out.fmt(format_args!("{}", DateTime(modified)));
    out.field(&user_id(INTEGRATION_USER));
    out.fmt(format_args!("{}", DateTime(When(modified.0 + 1))));
    out.end()
}

fn multi_line_text(r: &mut Rng, lines: u64, stats: &mut Stats) -> String {
    let mut s = String::with_capacity(120);
    for k in 0..lines {
        if k > 0 {
            s.push('\n');
            if r.chance(0.2) {
                s.push('\n');
            }
        }
        s.push_str(r.pick(words::NOTE_LINES));
    }
    if lines > 1 {
        stats.multi_line_cells += 1;
    }
    s
}

fn write_task(out: &mut CsvOut, cfg: &Config, i: u64, stats: &mut Stats) -> io::Result<()> {
    let mut r = Rng::for_row(cfg.seed, S_TASK, i);
    out.field(&sfid("00T", i));
    let x = r.unit();
    if cfg.people > 0 && x < 0.74 {
        out.field(&contact_id(r.below(cfg.people)));
    } else if x < 0.75 {
        stats.dangling_refs += 1;
        if r.chance(0.5) {
            out.field(&contact_id(DANGLING_BASE + r.below(1 << 30)));
        } else {
            out.field(&sfid("00Q", r.below(1 << 30)));
        }
    } else {
        out.empty();
    }
    let y = r.unit();
    if cfg.companies > 0 && y < 0.5 && cfg.opportunities() > 0 {
        out.field(&opportunity_id(r.below(cfg.opportunities())));
    } else if cfg.companies > 0 && y < 0.8 {
        out.field(&account_id(r.below(cfg.companies)));
    } else {
        out.empty();
    }
    let test = r.chance(0.005);
    if test {
        stats.test_rows += 1;
        out.field("test");
    } else {
        out.field(r.pick(words::TASK_SUBJECTS));
    }
    let due = day_between(&mut r, D2021, D_FUTURE);
    out.fmt(format_args!("{}", Date(due)));
    let (status, closed) = r.weighted(words::TASK_STATUS);
    out.field(status);
    out.field(r.weighted(words::PRIORITIES));
    out.field(&owner(&mut r));
    if test {
        out.field("asdf");
    } else if r.chance(0.35) {
        let n = if r.chance(0.25) { r.range(2, 4) } else { 1 };
        out.field(&multi_line_text(&mut r, n * cfg.long_notes.max(1), stats));
    } else {
        out.empty();
    }
    out.field(r.weighted(words::TASK_TYPES));
    out.field(if r.chance(0.005) { "true" } else { "false" });
    out.empty(); // AccountId
    out.field(if closed { "true" } else { "false" });
    let created = When((due - r.range(0, 60) as i64).max(D2021) * 86_400 + 30_600);
    let modified = When(created.0 + r.range(0, 86_400 * 20) as i64);
    out.fmt(format_args!("{}", DateTime(created)));
    out.field(&user_id(INTEGRATION_USER));
    out.fmt(format_args!("{}", DateTime(modified)));
    out.field(&user_id(INTEGRATION_USER));
    out.fmt(format_args!("{}", DateTime(When(modified.0 + 1))));
    out.end()
}

fn write_note(out: &mut CsvOut, cfg: &Config, i: u64, stats: &mut Stats) -> io::Result<()> {
    let mut r = Rng::for_row(cfg.seed, S_NOTE, i);
    out.field(&sfid("002", i));
    out.field(if r.chance(0.005) { "true" } else { "false" });
    let x = r.unit();
    if x < 0.01 {
        stats.dangling_refs += 1;
        out.field(&account_id(DANGLING_BASE + r.below(1 << 30)));
    } else if cfg.companies > 0 && x < 0.4 {
        out.field(&account_id(r.below(cfg.companies)));
    } else if cfg.people > 0 && x < 0.8 {
        out.field(&contact_id(r.below(cfg.people)));
    } else if cfg.opportunities() > 0 {
        out.field(&opportunity_id(r.below(cfg.opportunities())));
    } else {
        out.empty();
    }
    let test = r.chance(0.005);
    if test {
        stats.test_rows += 1;
        out.field("test");
    } else {
        out.field(r.pick(words::NOTE_TITLES));
    }
    out.field(if r.chance(0.05) { "true" } else { "false" });
    if test {
        out.field("test test test");
    } else {
        let n = if r.chance(0.6) { r.range(2, 6) } else { 1 };
        out.field(&multi_line_text(&mut r, n * cfg.long_notes.max(1), stats));
    }
    out.field(&owner(&mut r));
    let created = when(&mut r, D2021, D_EXPORT);
    out.fmt(format_args!("{}", DateTime(created)));
    out.field(&user_id(INTEGRATION_USER));
    out.fmt(format_args!("{}", DateTime(created)));
    out.field(&user_id(INTEGRATION_USER));
    out.fmt(format_args!("{}", DateTime(When(created.0 + 1))));
    out.end()
}

fn write_users(out: &mut CsvOut) -> io::Result<()> {
    for (k, &(first, last, active)) in USERS.iter().enumerate() {
        let (mut f, mut l) = (String::new(), String::new());
        ascii_slug(first, &mut f);
        ascii_slug(last, &mut l);
        let email = format!("{f}.{l}@lumenbridge.io");
        out.field(&user_id(k as u64));
        if active {
            out.field(&email);
        } else {
            out.field(&format!("{email}.inactive"));
        }
        out.field(first);
        out.field(last);
        out.field(&email);
        out.field(&format!("{}{}", &f[..1], &l[..l.len().min(4)]));
        out.field(if active { "true" } else { "false" });
        out.end()?;
    }
    out.field(&user_id(INTEGRATION_USER));
    out.field("integration@00d8d000000xyzq.ext");
    out.field("Integration");
    out.field("User");
    out.field("noreply@lumenbridge.io");
    out.field("integ");
    out.field("true");
    out.end()
}

/// Writes the whole export into `dir` (created if needed). `progress` is called after each file.
pub fn generate(
    cfg: &Config,
    dir: &Path,
    mut progress: impl FnMut(&str, u64),
) -> io::Result<Stats> {
    std::fs::create_dir_all(dir)?;
    let mut st = Stats::default();

    let mut out = CsvOut::create(&dir.join("User.csv"), USER_HEADER)?;
    write_users(&mut out)?;
    st.users = out.finish()?;
    progress("User.csv", st.users);

    let mut out = CsvOut::create(&dir.join("Account.csv"), ACCOUNT_HEADER)?;
    for i in 0..cfg.companies {
        write_account(&mut out, cfg.seed, i, &mut st)?;
    }
    st.accounts = out.finish()?;
    progress("Account.csv", st.accounts);

    let mut out = CsvOut::create(&dir.join("Contact.csv"), CONTACT_HEADER)?;
    for i in 0..cfg.people {
        write_contact(&mut out, cfg, i, &mut st)?;
    }
    st.contacts = out.finish()?;
    progress("Contact.csv", st.contacts);

    let mut out = CsvOut::create(&dir.join("Opportunity.csv"), OPPORTUNITY_HEADER)?;
    for i in 0..cfg.opportunities() {
        write_opportunity(&mut out, cfg, i, &mut st)?;
    }
    st.opportunities = out.finish()?;
    progress("Opportunity.csv", st.opportunities);

    let mut out = CsvOut::create(&dir.join("Task.csv"), TASK_HEADER)?;
    for i in 0..cfg.tasks() {
        write_task(&mut out, cfg, i, &mut st)?;
    }
    st.tasks = out.finish()?;
    progress("Task.csv", st.tasks);

    let mut out = CsvOut::create(&dir.join("Note.csv"), NOTE_HEADER)?;
    for i in 0..cfg.notes() {
        write_note(&mut out, cfg, i, &mut st)?;
    }
    st.notes = out.finish()?;
    progress("Note.csv", st.notes);

    for f in ["User", "Account", "Contact", "Opportunity", "Task", "Note"] {
        st.bytes += std::fs::metadata(dir.join(format!("{f}.csv")))?.len();
    }
    Ok(st)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn first_line(s: &str) -> &str {
        s.lines().next().unwrap().trim_end_matches('\r')
    }

    #[test]
    fn headers_are_the_examples() {
        let ex = |f: &str| {
            std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../examples/salesforce")
                    .join(f),
            )
            .unwrap()
        };
        assert_eq!(first_line(&ex("Account.csv")), ACCOUNT_HEADER);
        assert_eq!(first_line(&ex("Contact.csv")), CONTACT_HEADER);
        assert_eq!(first_line(&ex("Opportunity.csv")), OPPORTUNITY_HEADER);
        assert_eq!(first_line(&ex("Task.csv")), TASK_HEADER);
        assert_eq!(first_line(&ex("Note.csv")), NOTE_HEADER);
        assert_eq!(first_line(&ex("User.csv")), USER_HEADER);
    }

    #[test]
    fn ids_are_salesforce_shaped() {
        // Real ids from examples/salesforce.
        for id in [
            "0018d0000000TIuAAM",
            "0058d0000000bXoAAI",
            "00T8d0000000TIuEAM",
            "0038d0000001EgbAAE",
        ] {
            assert_eq!(
                &checksum(&id.as_bytes()[..15]),
                &id.as_bytes()[15..],
                "{id}"
            );
        }
        let a = sfid("001", 0);
        assert_eq!(a.len(), 18);
        assert!(a.starts_with("0018d0"));
        let mut seen = HashSet::new();
        for n in 0..20_000 {
            assert!(seen.insert(sfid("003", n)));
        }
    }

    #[test]
    fn company_names_and_domains_are_unique() {
        let mut names = HashSet::new();
        let mut domains = HashSet::new();
        for j in 0..50_000 {
            let c = company(42, j);
            assert!(names.insert(c.name.to_lowercase()), "{}", c.name);
            let d = c
                .domain
                .rsplit_once('.')
                .unwrap()
                .0
                .split('.')
                .next()
                .unwrap()
                .replace('-', "");
            assert!(domains.insert(d.clone()), "{d}");
        }
    }

    #[test]
    fn small_export_is_well_formed_and_deterministic() {
        let cfg = Config {
            people: 3_000,
            companies: 300,
            seed: 7,
            long_notes: 1,
        };
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let sa = generate(&cfg, a.path(), |_, _| {}).unwrap();
        generate(&cfg, b.path(), |_, _| {}).unwrap();
        for (f, header, rows) in [
            ("Account.csv", ACCOUNT_HEADER, 300),
            ("Contact.csv", CONTACT_HEADER, 3_000),
            ("Opportunity.csv", OPPORTUNITY_HEADER, 150),
            ("Task.csv", TASK_HEADER, 300),
            ("Note.csv", NOTE_HEADER, 150),
            ("User.csv", USER_HEADER, 8),
        ] {
            let bytes = std::fs::read(a.path().join(f)).unwrap();
            assert_eq!(bytes, std::fs::read(b.path().join(f)).unwrap(), "{f}");
            let ncols = header.split(',').count();
            let mut rdr = csv::ReaderBuilder::new().from_reader(&bytes[..]);
            assert_eq!(
                rdr.headers().unwrap().iter().collect::<Vec<_>>().join(","),
                header
            );
            let mut ids = HashSet::new();
            let mut n = 0;
            for rec in rdr.records() {
                let rec = rec.unwrap();
                assert_eq!(rec.len(), ncols, "{f}: {rec:?}");
                assert_eq!(rec[0].len(), 18);
                assert!(ids.insert(rec[0].to_string()));
                n += 1;
            }
            assert_eq!(n, rows, "{f}");
            assert!(bytes.windows(2).any(|w| w == b"\r\n"));
        }
        assert!(sa.dup_contacts > 40 && sa.dup_contacts < 150, "{sa:?}");
        assert!(sa.stale_contacts > 300, "{sa:?}");
        assert!(sa.invalid_emails > 20, "{sa:?}");
        assert!(sa.multi_line_cells > 50, "{sa:?}");
    }
}
