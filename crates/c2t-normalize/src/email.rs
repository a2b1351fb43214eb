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
}
