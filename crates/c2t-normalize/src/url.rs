//! Links (LinkedIn, X, websites in LINKS fields). The server lower-cases the origin and strips a
//! trailing slash but never adds a scheme (shared/twenty-api.md §4), so `linkedin.com/in/ada` and
//! `https://linkedin.com/in/ada` would be different values; [`link`] writes one form:
//!
//! * `https://` is added when the scheme is missing; an explicit `http://` is kept (some sites are
//!   still plain HTTP) and only `http`/`https` are accepted;
//! * scheme and host are lower-cased, IDN hosts become punycode, default ports and user
//!   credentials are dropped;
//! * a leading `www.` is **stripped**, as in [`crate::domain`]: the same profile is reached either
//!   way, and Twenty's person duplicate rule compares `linkedinLink.primaryLinkUrl` exactly;
//! * the path, query and fragment are kept (percent-encoded as WHATWG URL does); trailing slashes
//!   at the end of the path are removed.
//!
//! Not done here: per-site canonicalisation (`/in/ada?trk=…` tracking parameters, country
//! sub-domains like `fr.linkedin.com`), reachability checks.

use crate::{Issue, IssueCode, issue};

/// Normalise a link cell. `linkedin.com/in/ada-lovelace/` → `https://linkedin.com/in/ada-lovelace`.
pub fn link(input: &str) -> Result<String, Issue> {
    let bad = |why: &str| issue(IssueCode::UrlInvalid, input, why);
    let s = input.trim().trim_matches(|c| c == '<' || c == '>').trim();
    if s.is_empty() {
        return Err(bad("is empty"));
    }
    if s.chars().any(char::is_whitespace) {
        return Err(bad("contains spaces"));
    }
    if !has_scheme(s)
        && s.split(['/', '?', '#'])
            .next()
            .is_some_and(|h| h.contains('@'))
    {
        return Err(bad("looks like an email address, not a link"));
    }
    let with_scheme;
    let s = if has_scheme(s) {
        s
    } else {
        with_scheme = format!("https://{s}");
        &with_scheme
    };
    let mut url = url::Url::parse(s).map_err(|_| bad("is not a web address"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("is not an http(s) address"));
    }
    let host = match url.host() {
        Some(url::Host::Domain(h)) => h.trim_end_matches('.').to_string(),
        Some(_) => return Err(bad("has an IP address instead of a host name")),
        None => return Err(bad("has no host name")),
    };
    // Every leading `www.` (`www.www.x.com` would otherwise clean to `www.x.com`, then `x.com`).
    let mut bare = host.as_str();
    while let Some(rest) = bare.strip_prefix("www.") {
        bare = rest;
    }
    let host = bare.to_string();
    crate::domain::registrable(&host).map_err(&bad)?;
    url.set_host(Some(&host))
        .map_err(|_| bad("has an invalid host name"))?;
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let mut out = String::from(url.as_str());
    if url.query().is_none() && url.fragment().is_none() {
        let trimmed = out.trim_end_matches('/').len();
        out.truncate(trimmed);
    }
    Ok(out)
}

/// `scheme://` at the start, with a scheme made of letters, digits, `+`, `-`, `.`.
fn has_scheme(s: &str) -> bool {
    match s.find("://") {
        Some(i) if i > 0 => s[..i]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted() {
        let cases: &[(&str, &str)] = &[
            (
                "linkedin.com/in/ada-lovelace/",
                "https://linkedin.com/in/ada-lovelace",
            ),
            (
                "https://www.linkedin.com/in/ada-lovelace",
                "https://linkedin.com/in/ada-lovelace",
            ),
            (
                "HTTPS://WWW.LinkedIn.COM/in/Ada",
                "https://linkedin.com/in/Ada",
            ),
            ("http://acme.com/", "http://acme.com"),
            // Regression (fuzz): a doubled `www.` did not read back to itself.
            ("www.www.acme.com///./m", "https://acme.com///m"),
            ("https://acme.com", "https://acme.com"),
            ("x.com/ada", "https://x.com/ada"),
            (
                "https://twitter.com/ada?lang=en",
                "https://twitter.com/ada?lang=en",
            ),
            ("https://acme.com/a/#top", "https://acme.com/a/#top"),
            ("https://acme.com:443/x//", "https://acme.com/x"),
            ("https://user:pw@acme.com/x", "https://acme.com/x"),
            ("münchen.de/über", "https://xn--mnchen-3ya.de/%C3%BCber"),
            ("  <https://acme.com/>  ", "https://acme.com"),
        ];
        for (input, want) in cases {
            let got = link(input).unwrap_or_else(|e| panic!("link({input:?}): {e}"));
            assert_eq!(got, *want, "link({input:?})");
            assert_eq!(link(&got).as_deref(), Ok(*want), "idempotent on {input:?}");
        }
    }

    #[test]
    fn rejected() {
        let cases: &[&str] = &[
            "",
            "  ",
            "not a url",
            "ftp://acme.com/file",
            "mailto:ada@acme.com",
            "javascript:alert(1)",
            "https://localhost/x",
            "https://10.0.0.1/",
            "acme.con/x",
            "https://",
        ];
        for input in cases {
            let got = link(input);
            assert_eq!(
                got.as_ref().map_err(|e| e.code),
                Err(IssueCode::UrlInvalid),
                "link({input:?}) = {got:?}"
            );
        }
    }
}
