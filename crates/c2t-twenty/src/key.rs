//! The API key: a secret that is only ever written into the `Authorization` header.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::error::ApiError;

/// A Twenty API key.
///
/// `Debug` and `Display` print `ApiKey(***)`; the secret is only read inside the crate,
/// to build the `Authorization: Bearer …` header.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Builds a key from text: trims whitespace and newlines and a leading `Bearer ` prefix.
    /// An empty key is refused.
    pub fn new(raw: &str) -> Result<ApiKey, ApiError> {
        let mut s = raw.trim();
        if s.len() >= 6
            && s.is_char_boundary(6)
            && s[..6].eq_ignore_ascii_case("bearer")
            && s[6..].chars().next().is_none_or(char::is_whitespace)
        {
            s = s[6..].trim();
        }
        if s.is_empty() {
            return Err(ApiError::BadKey("the API key is empty".into()));
        }
        if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(ApiError::BadKey(
                "the API key contains spaces or control characters; paste only the key".into(),
            ));
        }
        Ok(ApiKey(s.to_string()))
    }

    /// Reads the key from an environment variable (e.g. `TWENTY_API_KEY`).
    pub fn from_env(var: &str) -> Result<ApiKey, ApiError> {
        match std::env::var(var) {
            Ok(v) => ApiKey::new(&v),
            Err(_) => Err(ApiError::BadKey(format!(
                "the environment variable {var} is not set (or not valid UTF-8)"
            ))),
        }
    }

    /// Reads the key from a file (its whole content, trimmed).
    pub fn from_file(path: impl AsRef<Path>) -> Result<ApiKey, ApiError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ApiError::BadKey(format!(
                "cannot read the API key file {}: {e}",
                path.display()
            ))
        })?;
        ApiKey::new(&text)
    }

    /// The value of the `Authorization` header. Crate-private on purpose.
    pub(crate) fn bearer_header(&self) -> String {
        format!("Bearer {}", self.0)
    }

    /// The secret itself, for redaction checks only (never printed).
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }
}

impl FromStr for ApiKey {
    type Err = ApiError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ApiKey::new(s)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_strips_bearer() {
        let k: ApiKey = " Bearer abc.def \n".parse().unwrap();
        assert_eq!(k.secret(), "abc.def");
        let k = ApiKey::new("bearer   xyz\r\n").unwrap();
        assert_eq!(k.secret(), "xyz");
        assert_eq!(
            ApiKey::new("plain").unwrap().bearer_header(),
            "Bearer plain"
        );
        assert!(ApiKey::new("  \n").is_err());
        assert!(ApiKey::new("Bearer ").is_err());
        assert!(ApiKey::new("two words").is_err());
    }

    #[test]
    fn never_printed() {
        let k = ApiKey::new("s3cr3t-key").unwrap();
        assert_eq!(format!("{k:?}"), "ApiKey(***)");
        assert_eq!(format!("{k}"), "ApiKey(***)");
    }

    #[test]
    fn from_file_trims() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("key");
        std::fs::write(&p, "Bearer from-file\n").unwrap();
        assert_eq!(ApiKey::from_file(&p).unwrap().secret(), "from-file");
        let e = ApiKey::from_file(dir.path().join("missing")).unwrap_err();
        assert!(e.to_string().contains("cannot read"));
    }
}
