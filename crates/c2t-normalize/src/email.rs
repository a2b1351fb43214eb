//! Email addresses. Twenty's `emails.primaryEmail` is in a unique index and its case handling is
//! unconfirmed (shared/twenty-api.md §4), so addresses are lower-cased here.
//!
//! [`email`] trims, strips `mailto:` (and any `?subject=…`), takes the address out of
//! `Name <addr>`, lower-cases, converts an IDN domain to punycode, and validates with
//! `email_address` in strict mode (at least two domain labels, no `[IP]` literal, no display
//! text) plus a known public suffix (`ada@gmail.con` is refused). [`emails`] splits a cell holding
//! several addresses. [`is_free_mail`] tells whether a domain is a free-mail/ISP provider, from
//! `data/free-mail.txt`.
//!
//! [`email_repaired`] and [`emails_repaired`] first repair what people type ([`repair_email`]:
//! spaces around the `@`, a full-width `＠`, quotes, trailing punctuation, on top of what [`email`]
//! already takes off) and say which [`EmailRepair`]s they made, so the caller can record them.
//! Repairs only remove characters: nothing is guessed.
//!
//! Not done here: MX/DNS checks, removing `+tags` or Gmail dots (they are different mailboxes for
//! Twenty's uniqueness), deciding which address is primary beyond "first valid one".

use rustc_hash::FxHashSet as HashSet;
use std::sync::LazyLock;

use email_address::{EmailAddress, Options};

use crate::{Issue, IssueCode, issue};

const STRICT: Options = Options {
    minimum_sub_domains: 2,
    allow_domain_literal: false,
    allow_display_text: false,
    allow_long_local_parts: false,
};

/// Normalise one email address cell. See the module documentation.
pub fn email(input: &str) -> Result<String, Issue> {
    let bad = |why: &str| issue(IssueCode::EmailInvalid, input, why);
    let mut s = input.trim();
    if let (Some(open), Some(close)) = (s.rfind('<'), s.rfind('>'))
        && open < close
    {
        s = s[open + 1..close].trim();
    }
    if s.get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("mailto:"))
    {
        s = s[7..].trim();
        if let Some(q) = s.find('?') {
            s = &s[..q];
        }
    }
    let s = s.trim_matches(|c| c == '"' || c == '\'').trim();
    if s.is_empty() {
        return Err(bad("is empty"));
    }
    let Some(at) = s.rfind('@') else {
        return Err(bad("is not an email address (no @)"));
    };
    let local = s[..at].to_lowercase();
    let raw_domain = s[at + 1..].trim_end_matches('.').to_lowercase();
    let domain = if raw_domain.is_ascii() {
        raw_domain
    } else {
        match url::Host::parse(&raw_domain) {
            Ok(url::Host::Domain(d)) => d,
            _ => return Err(bad("has an invalid domain")),
        }
    };
    let mut address = String::with_capacity(local.len() + 1 + domain.len());
    address.push_str(&local);
    address.push('@');
    address.push_str(&domain);
    EmailAddress::parse_with_options(&address, STRICT)
        .map_err(|e| bad(&format!("is not a valid email address ({e})")))?;
    crate::domain::registrable(&domain).map_err(|why| bad(&format!("domain {domain} {why}")))?;
    Ok(address)
}

/// One repair [`repair_email`] made to a cell before it is validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmailRepair {
    /// `mailto:ada@acme.com` (and any `?subject=…` after it).
    Mailto,
    /// `Ada Lovelace <ada@acme.com>`: the address taken out of the angle brackets.
    DisplayName,
    /// `"ada@acme.com"`, `'ada@acme.com'`, `“ada@acme.com”`, `«ada@acme.com»`.
    Quotes,
    /// `ada@acme.com.`, `ada@acme.com,`, `ada@acme.com;`: punctuation after the address.
    TrailingPunctuation,
    /// `ada @acme.com`, `ada@ acme.com`, `ada @ acme.com`: spaces around the only `@`.
    SpaceAroundAt,
    /// `ada＠acme.com` (full-width `＠`, or the small `﹫`): made the ASCII `@`.
    FullWidthAt,
}

impl EmailRepair {
    /// What was done, for a report: `"removed the spaces around @"`.
    pub fn describe(self) -> &'static str {
        match self {
            EmailRepair::Mailto => "removed the mailto: prefix",
            EmailRepair::DisplayName => "took the address out of <…>",
            EmailRepair::Quotes => "removed the quotes around the address",
            EmailRepair::TrailingPunctuation => "removed the punctuation after the address",
            EmailRepair::SpaceAroundAt => "removed the spaces around @",
            EmailRepair::FullWidthAt => "replaced a full-width @",
        }
    }
}

/// An address [`email_repaired`] accepted, and what it had to repair to get there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepairedEmail {
    /// The address, as [`email`] returns it.
    pub address: String,
    /// The repairs made, in the order they were made; empty when the cell was a bare address
    /// (lower-casing and IDN conversion are normalisation, not repairs).
    pub repairs: Vec<EmailRepair>,
}

/// Quotes people put around an address.
const QUOTES: &[char] = &['"', '\'', '“', '”', '„', '‘', '’', '«', '»', '`'];

/// Whether an address [`email`] accepted holds whitespace or a quote other than `'`: a typing
/// accident that [`email_repaired`] repairs rather than keeps.
pub(crate) fn has_junk(address: &str) -> bool {
    address
        .chars()
        .any(|c| c.is_whitespace() || (c != '\'' && QUOTES.contains(&c)))
}

/// Repair what people type around and inside an address, without validating it: the result is
/// for [`email`]. Repairs only remove (or, for `＠`, replace) characters; none adds one, so a cell
/// missing part of an address is never completed into someone else's, and a cell with two `@`
/// keeps both. Spaces are removed only next to the `@`, and only when there is exactly one
/// (`ada lovelace@acme.com` keeps its space and stays invalid).
///
/// Returns the repaired text (borrowed when nothing was repaired but the outer whitespace) and
/// the repairs made, each once.
pub fn repair_email(input: &str) -> (std::borrow::Cow<'_, str>, Vec<EmailRepair>) {
    use std::borrow::Cow;
    let mut repairs: Vec<EmailRepair> = Vec::new();
    let note = |r: EmailRepair, repairs: &mut Vec<EmailRepair>| {
        if !repairs.contains(&r) {
            repairs.push(r);
        }
    };
    let base: Cow<'_, str> = if input.contains(['＠', '﹫']) {
        note(EmailRepair::FullWidthAt, &mut repairs);
        Cow::Owned(input.replace(['＠', '﹫'], "@"))
    } else {
        Cow::Borrowed(input)
    };
    // Peel the wrappers, outermost first, until none is left: `"Ada <mailto:ada@x.io>",`. `s` is
    // always a slice of `base`.
    let mut s: &str = base.trim();
    loop {
        let before = s.len();
        let t = s.trim_end_matches([',', ';', '.']).trim_end();
        if t.len() < s.len() {
            note(EmailRepair::TrailingPunctuation, &mut repairs);
            s = t;
        }
        if let (Some(open), Some(close)) = (s.rfind('<'), s.rfind('>'))
            && open < close
        {
            note(EmailRepair::DisplayName, &mut repairs);
            s = s[open + 1..close].trim();
        }
        if s.get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("mailto:"))
        {
            note(EmailRepair::Mailto, &mut repairs);
            let end = s.find('?').unwrap_or(s.len());
            s = s[7..end].trim();
        }
        let t = s.trim_matches(QUOTES).trim();
        if t.len() < s.len() {
            note(EmailRepair::Quotes, &mut repairs);
            s = t;
        }
        if s.len() == before {
            break;
        }
    }
    if let Some(at) = s.find('@')
        && !s[at + 1..].contains('@')
    {
        let local = s[..at].trim_end();
        let domain = s[at + 1..].trim_start();
        if local.len() + domain.len() + 1 < s.len() {
            note(EmailRepair::SpaceAroundAt, &mut repairs);
            return (Cow::Owned(format!("{local}@{domain}")), repairs);
        }
    }
    let s = match base {
        Cow::Borrowed(_) => {
            // `s` is a slice of `input` then: borrow it from there.
            let start = s.as_ptr() as usize - input.as_ptr() as usize;
            Cow::Borrowed(&input[start..start + s.len()])
        }
        Cow::Owned(_) => Cow::Owned(s.to_string()),
    };
    (s, repairs)
}

/// [`email`] after [`repair_email`]: `annie @contoso.com`, `annie@ contoso.com`,
/// `mailto:annie@contoso.com`, `Annie Smith <annie@contoso.com>`, `"annie@contoso.com"`,
/// `annie@contoso.com,` and `annie＠contoso.com` all give `annie@contoso.com`, with the repairs
/// made so the caller can record them.
///
/// What [`email`] accepts, this accepts with the same address (reporting the repairs only when
/// they lead to that address too), except an address [`email`] keeps a space or a quote in
/// (`annie\u{A0}@contoso.com`, `“annie@contoso.com`): the repaired one is returned then. The
/// issue, when the repaired text is still not an address, quotes the cell as it was.
pub fn email_repaired(input: &str) -> Result<RepairedEmail, Issue> {
    let (fixed, repairs) = repair_email(input);
    if repairs.is_empty() {
        // Nothing but the outer whitespace, which `email` trims too.
        return email(input).map(|address| RepairedEmail { address, repairs });
    }
    // `email` is the reference: what it accepts keeps its address, unless that address holds a
    // space or a quote (`email` takes `ada\u{A0}@acme.com` and `“ada@acme.com` as they are,
    // since an address may hold any Unicode letter).
    match (email(input), email(&fixed)) {
        (Ok(strict), Ok(address)) if strict == address || has_junk(&strict) => {
            Ok(RepairedEmail { address, repairs })
        }
        (Ok(address), _) => Ok(RepairedEmail {
            address,
            repairs: Vec::new(),
        }),
        (Err(_), Ok(address)) => Ok(RepairedEmail { address, repairs }),
        (Err(e), Err(_)) => Err(e),
    }
}

/// [`emails`] with [`email_repaired`]: a cell holding several addresses, split on `;`, `,` and
/// line breaks, then on whitespace. A part with a single `@` and spaces around it
/// (`annie @contoso.com`) is repaired whole before it would be split on them; when that does not
/// give a valid address, the part is split as [`emails`] splits it, so `john smith @contoso.com`
/// gives no address rather than `smith@contoso.com`. Every address [`emails`] finds is found.
pub fn emails_repaired(input: &str) -> (Vec<RepairedEmail>, Vec<Issue>) {
    let mut out: Vec<RepairedEmail> = Vec::new();
    let mut issues = Vec::new();
    let has_brackets = input.contains('<') && input.contains('>');
    let push = |r: RepairedEmail, out: &mut Vec<RepairedEmail>| {
        if !out.iter().any(|o| o.address == r.address) {
            out.push(r);
        }
    };
    for part in input.split([';', ',', '\n', '\r']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        // One '@' only: then no other word of the part could be an address on its own.
        if !part.contains('<')
            && part.contains(char::is_whitespace)
            && part.matches(['@', '＠', '﹫']).count() == 1
            && let Ok(r) = email_repaired(part)
            && r.repairs.contains(&EmailRepair::SpaceAroundAt)
        {
            push(r, &mut out);
            continue;
        }
        let pieces: Vec<&str> = if part.contains('<') {
            vec![part]
        } else {
            part.split_whitespace().collect()
        };
        for piece in pieces {
            if has_brackets && !piece.contains('@') && !piece.contains(['＠', '﹫']) {
                continue;
            }
            match email_repaired(piece) {
                Ok(r) => push(r, &mut out),
                Err(i) => issues.push(i),
            }
        }
    }
    (out, issues)
}

/// Split a cell with several addresses on `;`, `,` and whitespace, normalise each with [`email`],
/// and drop repeats (first occurrence wins). Invalid parts come back as issues, in order.
/// `Name <addr>` parts are kept together; when the cell contains `<…>`, parts without `@` are
/// taken as display text and ignored (`Lovelace, Ada <ada@x.io>`).
pub fn emails(input: &str) -> (Vec<String>, Vec<Issue>) {
    let mut out: Vec<String> = Vec::new();
    let mut issues = Vec::new();
    let has_brackets = input.contains('<') && input.contains('>');
    for part in input.split([';', ',', '\n', '\r']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let pieces: Vec<&str> = if part.contains('<') {
            vec![part]
        } else {
            part.split_whitespace().collect()
        };
        for piece in pieces {
            if has_brackets && !piece.contains('@') {
                continue;
            }
            match email(piece) {
                Ok(e) => {
                    if !out.contains(&e) {
                        out.push(e);
                    }
                }
                Err(i) => issues.push(i),
            }
        }
    }
    (out, issues)
}

/// The domain part of an address (after the last `@`), or `""` when there is no `@`.
pub fn domain_of(email: &str) -> &str {
    email.rfind('@').map_or("", |i| &email[i + 1..])
}

struct FreeMail {
    exact: HashSet<String>,
    any_suffix: HashSet<String>,
}

static FREE_MAIL: LazyLock<FreeMail> = LazyLock::new(|| {
    let mut f = FreeMail {
        exact: HashSet::default(),
        any_suffix: HashSet::default(),
    };
    for line in include_str!("../data/free-mail.txt").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.strip_suffix(".*") {
            Some(name) => f.any_suffix.insert(name.to_string()),
            None => f.exact.insert(line.to_string()),
        };
    }
    f
});

/// Whether `domain` (e.g. `gmail.com`, `yahoo.co.uk`, `mail.yahoo.fr`, case-insensitive) belongs
/// to a free-mail or ISP provider, whose domain says nothing about a person's company.
pub fn is_free_mail(domain: &str) -> bool {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let registrable = psl::domain_str(&d).unwrap_or(&d);
    let f = &*FREE_MAIL;
    if f.exact.contains(registrable) || f.exact.contains(d.as_str()) {
        return true;
    }
    let suffix = psl::suffix_str(registrable).unwrap_or("");
    let label = registrable
        .strip_suffix(suffix)
        .and_then(|l| l.strip_suffix('.'))
        .unwrap_or(registrable);
    f.any_suffix.contains(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted() {
        let cases: &[(&str, &str)] = &[
            ("ada@acme.com", "ada@acme.com"),
            ("  Ada@ACME.com ", "ada@acme.com"),
            ("mailto:ada@acme.com", "ada@acme.com"),
            ("MAILTO:ada@acme.com?subject=hi", "ada@acme.com"),
            ("Ada Lovelace <ada@acme.com>", "ada@acme.com"),
            (
                "\"Lovelace, Ada\" <Ada.Lovelace@Acme.co.uk>",
                "ada.lovelace@acme.co.uk",
            ),
            ("ada+crm@acme.io", "ada+crm@acme.io"),
            ("ada@münchen.de", "ada@xn--mnchen-3ya.de"),
            ("ada@acme.com.", "ada@acme.com"),
            ("o'brien@acme.ie", "o'brien@acme.ie"),
        ];
        for (input, want) in cases {
            let got = email(input).unwrap_or_else(|e| panic!("email({input:?}): {e}"));
            assert_eq!(got, *want, "email({input:?})");
            assert_eq!(email(&got).as_deref(), Ok(*want), "idempotent on {input:?}");
        }
    }

    #[test]
    fn rejected() {
        let cases: &[&str] = &[
            "",
            "  ",
            "ada",
            "ada@",
            "@acme.com",
            "ada@acme",
            "ada@acme.con",
            "ada@gmail.con",
            "ada@[127.0.0.1]",
            "ada@@acme.com",
            "ada acme@acme.com",
            "a@b.com;c@d.com",
            "ada@acme..com",
            "n/a",
        ];
        for input in cases {
            let got = email(input);
            assert_eq!(
                got.as_ref().map_err(|e| e.code),
                Err(IssueCode::EmailInvalid),
                "email({input:?}) = {got:?}"
            );
        }
        let e = email("ada@acme.con").unwrap_err();
        assert!(e.message.contains("ada@acme.con"), "{}", e.message);
    }

    #[test]
    fn many() {
        let (ok, bad) = emails("a@x.com; B@x.com, a@x.com\nc@y.org  d@z.net");
        assert_eq!(ok, ["a@x.com", "b@x.com", "c@y.org", "d@z.net"]);
        assert!(bad.is_empty());

        let (ok, bad) = emails("a@x.com; nope; b@y");
        assert_eq!(ok, ["a@x.com"]);
        assert_eq!(bad.len(), 2);
        assert!(bad.iter().all(|i| i.code == IssueCode::EmailInvalid));

        let (ok, bad) = emails("Lovelace, Ada <ada@x.io>; Bob <BOB@x.io>");
        assert_eq!(ok, ["ada@x.io", "bob@x.io"]);
        assert!(bad.is_empty(), "{bad:?}");

        assert_eq!(emails(""), (vec![], vec![]));
        assert_eq!(emails(" ; , "), (vec![], vec![]));
    }

    #[test]
    fn domain_of_table() {
        assert_eq!(domain_of("ada@acme.com"), "acme.com");
        assert_eq!(domain_of("odd@name@acme.com"), "acme.com");
        assert_eq!(domain_of("nothing"), "");
        assert_eq!(domain_of(""), "");
    }

    #[test]
    fn free_mail_table() {
        let cases: &[(&str, bool)] = &[
            ("gmail.com", true),
            ("GMAIL.COM", true),
            ("googlemail.com", true),
            ("yahoo.com", true),
            ("yahoo.co.uk", true),
            ("yahoo.fr", true),
            ("mail.yahoo.fr", true),
            ("hotmail.fr", true),
            ("outlook.com", true),
            ("live.co.uk", true),
            ("orange.fr", true),
            ("wanadoo.fr", true),
            ("free.fr", true),
            ("laposte.net", true),
            ("gmx.de", true),
            ("gmx.net", true),
            ("web.de", true),
            ("proton.me", true),
            ("protonmail.com", true),
            ("icloud.com", true),
            ("me.com", true),
            ("qq.com", true),
            ("163.com", true),
            ("mail.ru", true),
            ("yandex.ru", true),
            ("acme.com", false),
            ("orange.com", false),
            ("free.com", false),
            ("gmail.acme.com", false),
            ("mygmail.com", false),
            ("", false),
        ];
        for (input, want) in cases {
            assert_eq!(is_free_mail(input), *want, "is_free_mail({input:?})");
        }
        let entries = include_str!("../data/free-mail.txt")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        assert!(entries >= 60, "{entries} entries");
    }

    #[test]
    fn repaired() {
        use EmailRepair::*;
        let cases: &[(&str, &str, &[EmailRepair])] = &[
            ("annie@contoso.com", "annie@contoso.com", &[]),
            ("  Annie@Contoso.com ", "annie@contoso.com", &[]),
            ("annie @contoso.com", "annie@contoso.com", &[SpaceAroundAt]),
            ("annie@ contoso.com", "annie@contoso.com", &[SpaceAroundAt]),
            (
                "annie  @  contoso.com",
                "annie@contoso.com",
                &[SpaceAroundAt],
            ),
            (
                "annie\u{A0}@contoso.com",
                "annie@contoso.com",
                &[SpaceAroundAt],
            ),
            ("mailto:annie@contoso.com", "annie@contoso.com", &[Mailto]),
            (
                "MailTo: annie@contoso.com?subject=Hi",
                "annie@contoso.com",
                &[Mailto],
            ),
            (
                "Annie Smith <annie@contoso.com>",
                "annie@contoso.com",
                &[DisplayName],
            ),
            ("<annie@contoso.com>", "annie@contoso.com", &[DisplayName]),
            (
                "\"Smith, Annie\" <annie@contoso.com>",
                "annie@contoso.com",
                &[DisplayName],
            ),
            ("\"annie@contoso.com\"", "annie@contoso.com", &[Quotes]),
            ("'annie@contoso.com'", "annie@contoso.com", &[Quotes]),
            ("“annie@contoso.com”", "annie@contoso.com", &[Quotes]),
            ("«annie@contoso.com»", "annie@contoso.com", &[Quotes]),
            (
                "annie@contoso.com.",
                "annie@contoso.com",
                &[TrailingPunctuation],
            ),
            (
                "annie@contoso.com,",
                "annie@contoso.com",
                &[TrailingPunctuation],
            ),
            (
                "annie@contoso.com ;",
                "annie@contoso.com",
                &[TrailingPunctuation],
            ),
            ("annie＠contoso.com", "annie@contoso.com", &[FullWidthAt]),
            ("annie﹫contoso.com", "annie@contoso.com", &[FullWidthAt]),
            (
                "\"Annie <mailto:annie @contoso.com>\",",
                "annie@contoso.com",
                &[TrailingPunctuation, DisplayName, Mailto, SpaceAroundAt],
            ),
            ("o'brien@acme.ie", "o'brien@acme.ie", &[]),
            ("ada@münchen.de", "ada@xn--mnchen-3ya.de", &[]),
        ];
        for (input, want, repairs) in cases {
            let got =
                email_repaired(input).unwrap_or_else(|e| panic!("email_repaired({input:?}): {e}"));
            assert_eq!(
                (got.address.as_str(), got.repairs.as_slice()),
                (*want, *repairs),
                "email_repaired({input:?})"
            );
            assert_eq!(email(&got.address).as_deref(), Ok(*want), "valid {input:?}");
            let again = email_repaired(&got.address).unwrap();
            assert!(
                again.repairs.is_empty(),
                "nothing left to repair in {input:?}"
            );
        }
        for r in [
            Mailto,
            DisplayName,
            Quotes,
            TrailingPunctuation,
            SpaceAroundAt,
            FullWidthAt,
        ] {
            assert!(!r.describe().is_empty());
        }
    }

    #[test]
    fn not_repaired_into_someone_else() {
        // Still invalid after repair: no character is guessed, no part is dropped to make an
        // address valid.
        let cases: &[&str] = &[
            "ada acme@acme.com",
            "john smith @contoso.com",
            "ada@@acme.com",
            "ada @@acme.com",
            "ada @ @acme.com",
            "ada@acme@contoso.com",
            "ada @acme @contoso.com",
            "ada@ acme",
            "annie@contoso .com",
            "annie@contoso. com",
            "annie @",
            "@ contoso.com",
            "annie contoso.com",
            "annie(at)contoso.com",
            "mailto:",
            "<>",
            "\"\"",
            "Annie Smith",
            "annie@contoso.con",
        ];
        for input in cases {
            let got = email_repaired(input);
            assert_eq!(
                got.as_ref().map_err(|e| e.code),
                Err(IssueCode::EmailInvalid),
                "email_repaired({input:?}) = {got:?}"
            );
        }
        // The issue quotes the cell as it was written.
        let e = email_repaired("ada @ @acme.com").unwrap_err();
        assert!(e.message.contains("\"ada @ @acme.com\""), "{}", e.message);
    }

    #[test]
    fn many_repaired() {
        use EmailRepair::*;
        let (ok, bad) = emails_repaired("annie @contoso.com; Bob <BOB@x.io>, c＠y.org\nd@z.net");
        let got: Vec<(&str, &[EmailRepair])> = ok
            .iter()
            .map(|r| (r.address.as_str(), r.repairs.as_slice()))
            .collect();
        assert_eq!(
            got,
            [
                ("annie@contoso.com", &[SpaceAroundAt][..]),
                ("bob@x.io", &[DisplayName][..]),
                ("c@y.org", &[FullWidthAt][..]),
                ("d@z.net", &[][..]),
            ]
        );
        assert!(bad.is_empty(), "{bad:?}");

        // "john smith @contoso.com" is not smith@contoso.com.
        let (ok, bad) = emails_repaired("john smith @contoso.com; a@x.com");
        assert_eq!(ok.len(), 1, "{ok:?}");
        assert_eq!(ok[0].address, "a@x.com");
        assert_eq!(bad.len(), 3, "{bad:?}");

        // A mailto: query does not swallow the next address.
        let (ok, _) = emails_repaired("mailto:a@ a.com?subject=x b b@b.com");
        let got: Vec<&str> = ok.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(got, ["b@b.com"]);

        // Repeats are dropped, first wins.
        let (ok, _) = emails_repaired("a@x.com a @x.com");
        assert_eq!(ok.len(), 1, "{ok:?}");
        assert_eq!(emails_repaired(""), (vec![], vec![]));
    }
}
