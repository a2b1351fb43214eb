//! Company domains. Twenty's company `domainName` is a LINKS field whose `primaryLinkUrl` is in a
//! unique index, and the server does not add or remove schemes (shared/twenty-api.md §4, §7), so
//! we write one canonical form: `https://<host>` with no path, no trailing slash, lower case,
//! punycode, and without a leading `www.`.
//!
//! [`Domain::key`] is the registrable domain from the Public Suffix List (`shop.acme.co.uk` →
//! `acme.co.uk`), the key the deduplicator compares companies on.
//!
//! Decisions:
//! * An email given where a domain is expected (`ada@acme.com`) yields the part after the last
//!   `@`: CRMs often hold a contact email in a "website" column and the domain is what we want.
//!   Whether that is a free-mail domain is the caller's business ([`crate::email::is_free_mail`]).
//! * Only `http`/`https` URLs are accepted; any other scheme is an error.
//! * Rejected with `DOMAIN_INVALID`: empty or blank values, spaces inside the host, IP addresses,
//!   hosts without a dot, hosts whose registrable domain is `www.` + a suffix (`x.www.fr`),
//!   hosts that are only a public suffix (`co.uk`), and unknown suffixes
//!   (`acme.con`).
//!
//! Not done here: DNS lookups, following redirects, reporting private suffixes
//! (`foo.github.io` is its own registrable domain, which is right for dedup).

use crate::{Issue, IssueCode, issue};

/// A company domain in Twenty's form and its dedup key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Domain {
    /// `https://` + host without `www.`, e.g. `https://shop.acme.co.uk`.
    pub url: String,
    /// The registrable domain, e.g. `acme.co.uk`.
    pub key: String,
}

/// Normalise a domain or website cell. See the module documentation for the rules.
pub fn domain(input: &str) -> Result<Domain, Issue> {
    let bad = |why: &str| issue(IssueCode::DomainInvalid, input, why);
    let s = input.trim().trim_matches(|c| c == '<' || c == '>').trim();
    if s.is_empty() {
        return Err(bad("is empty"));
    }
    let host = host_of(s).map_err(&bad)?;
    // Every leading `www.`, not one: `www.www.acme.lk` (a typo seen in exports) would otherwise
    // write `https://www.acme.lk`, which cleans again to `https://acme.lk`.
    let mut host = host.as_str();
    while let Some(rest) = host.strip_prefix("www.") {
        host = rest;
    }
    let host = host.to_string();
    let key = registrable(&host).map_err(&bad)?;
    // `www.fr` is what is left of `www.` + nothing: no company is named `www`. Refusing it here
    // also keeps the key idempotent (`x.www.fr` would key as `www.fr`, which `www.` stripping
    // turns into the bare suffix `fr`).
    if key.starts_with("www.") {
        return Err(bad("has no name before its suffix (only `www.`)"));
    }
    Ok(Domain {
        url: format!("https://{host}"),
        key: key.to_string(),
    })
}

/// The lower-case, punycode host of a domain/URL/email cell (scheme added when missing).
fn host_of(s: &str) -> Result<String, &'static str> {
    let mut s = s;
    if !s.contains("://")
        && let Some(at) = s.rfind('@')
    {
        s = &s[at + 1..];
    }
    if s.chars().any(char::is_whitespace) {
        return Err("contains spaces");
    }
    let with_scheme;
    let s = if s.contains("://") {
        s
    } else {
        with_scheme = format!("https://{s}");
        &with_scheme
    };
    let url = url::Url::parse(s).map_err(|_| "is not a domain name")?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("is not a web address");
    }
    match url.host() {
        Some(url::Host::Domain(h)) => Ok(h.trim_end_matches('.').to_string()),
        Some(_) => Err("is an IP address, not a domain name"),
        None => Err("has no host name"),
    }
}

/// The registrable domain of a lower-case host, checked against the Public Suffix List.
pub(crate) fn registrable(host: &str) -> Result<&str, &'static str> {
    if !host.contains('.') {
        return Err("has no dot: not a domain name");
    }
    if host.split('.').any(str::is_empty) {
        return Err("has an empty label");
    }
    if host.len() > 253 || host.split('.').any(|l| l.len() > 63) {
        return Err("is too long for a domain name");
    }
    let Some(d) = psl::domain(host.as_bytes()) else {
        return Err("is only a public suffix");
    };
    if !d.suffix().is_known() {
        return Err("ends in an unknown top-level domain");
    }
    // psl returns a sub-slice of `host`, so this is valid UTF-8.
    let len = d.as_bytes().len();
    Ok(&host[host.len() - len..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted() {
        let cases: &[(&str, &str, &str)] = &[
            ("acme.com", "https://acme.com", "acme.com"),
            ("  acme.com  ", "https://acme.com", "acme.com"),
            ("www.acme.com", "https://acme.com", "acme.com"),
            // Regression (fuzz): a doubled `www.` did not read back to itself.
            (
                "https://www.www.Exampe.lk?q=1",
                "https://exampe.lk",
                "exampe.lk",
            ),
            (
                "http://WWW.Acme.com/about?x=1",
                "https://acme.com",
                "acme.com",
            ),
            ("https://acme.com/", "https://acme.com", "acme.com"),
            ("acme.com/path", "https://acme.com", "acme.com"),
            (
                "https://acme.com:8443/x#frag",
                "https://acme.com",
                "acme.com",
            ),
            ("https://user:pw@acme.com/", "https://acme.com", "acme.com"),
            ("ACME.COM.", "https://acme.com", "acme.com"),
            (
                "münchen.de",
                "https://xn--mnchen-3ya.de",
                "xn--mnchen-3ya.de",
            ),
            ("shop.acme.co.uk", "https://shop.acme.co.uk", "acme.co.uk"),
            (
                "www.shop.acme.co.uk",
                "https://shop.acme.co.uk",
                "acme.co.uk",
            ),
            ("x@acme.com", "https://acme.com", "acme.com"),
            ("foo.github.io", "https://foo.github.io", "foo.github.io"),
            ("<acme.fr>", "https://acme.fr", "acme.fr"),
            ("mailto:x@acme.com", "https://acme.com", "acme.com"),
        ];
        for (input, url, key) in cases {
            let d = domain(input).unwrap_or_else(|e| panic!("domain({input:?}): {e}"));
            assert_eq!(d.url, *url, "url of {input:?}");
            assert_eq!(d.key, *key, "key of {input:?}");
            assert_eq!(domain(&d.url).as_ref(), Ok(&d), "idempotent on {input:?}");
        }
    }

    #[test]
    fn rejected() {
        let cases: &[&str] = &[
            "",
            "   ",
            "acme",
            "localhost",
            "acme.con",
            "n/a",
            "-",
            "none",
            "192.168.0.1",
            "http://[::1]/",
            "co.uk",
            "www.com",
            // Regression (fuzz): registrable domain `www.fr`, whose key did not read back.
            "motsnei.ei.nts.www.fr",
            "shop.www.co.uk",
            "ftp://acme.com",
            "acme .com",
            "acme..com",
            "http://",
        ];
        for input in cases {
            let got = domain(input);
            assert_eq!(
                got.as_ref().map_err(|e| e.code),
                Err(IssueCode::DomainInvalid),
                "domain({input:?}) = {got:?}"
            );
        }
        let e = domain("acme.con").unwrap_err();
        assert!(e.message.contains("acme.con"), "{}", e.message);
        let huge = format!("{}.com", "a".repeat(100_000));
        assert!(domain(&huge).is_err());
    }
}
