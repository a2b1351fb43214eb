//! File tokens: the HS256 JWTs Twenty signs to let a client download a file without its API key.
//!
//! - 2.19 (`file-url.service.ts`, `buildSignedFileUrl`): payload `{workspaceId, fileId, sub:
//!   workspaceId, type: "FILE"}`, expiring after `FILE_TOKEN_EXPIRES_IN` (default `1d`), checked
//!   by `FileByIdGuard` (signature, expiry, `workspaceId` present, `fileId` equal to the route's).
//! - 1.5 (`file.service.ts`, `encodeFileToken`): payload `{filename, workspaceId, sub, type:
//!   "FILE"}`, same lifetime, checked by `FilePathGuard` (signature, expiry, `filename` equal to
//!   the route's).
//!
//! `jsonwebtoken` adds `iat` and `exp` after the payload's own keys; the sandbox does the same.
//! The secret is the sandbox's own (random, kept in the database), standing for Twenty's
//! per-workspace `generateAppSecret(FILE, workspaceId)`.

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::sha256::hmac_sha256;

/// `FILE_TOKEN_EXPIRES_IN` default (`1d`), both lines.
pub const FILE_TOKEN_LIFETIME_SECS: i64 = 86_400;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Seconds since the epoch.
pub fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Signs `claims` (an object) as an HS256 JWT valid for a day from now.
pub fn sign(secret: &[u8], claims: Map<String, Value>) -> String {
    let mut payload = claims;
    let iat = now_secs();
    payload.insert("iat".into(), json!(iat));
    payload.insert("exp".into(), json!(iat + FILE_TOKEN_LIFETIME_SECS));
    let header = B64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let body = B64.encode(Value::Object(payload).to_string());
    let signing_input = format!("{header}.{body}");
    let signature = B64.encode(hmac_sha256(secret, signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

/// The claims of a token signed with `secret`, not expired and of type `FILE`; `None` otherwise
/// (Twenty's guards answer `false` for every such failure).
pub fn verify(secret: &[u8], token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (Some(header), Some(body), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let expected = hmac_sha256(secret, format!("{header}.{body}").as_bytes());
    let given = B64.decode(signature).ok()?;
    if given.len() != expected.len()
        || given
            .iter()
            .zip(expected.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            != 0
    {
        return None;
    }
    let header: Value = serde_json::from_slice(&B64.decode(header).ok()?).ok()?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return None;
    }
    let Value::Object(claims) = serde_json::from_slice(&B64.decode(body).ok()?).ok()? else {
        return None;
    };
    // `jsonwebtoken`: expired when `now >= exp`.
    if claims
        .get("exp")
        .and_then(Value::as_i64)
        .is_some_and(|exp| now_secs() >= exp)
    {
        return None;
    }
    if claims.get("type").and_then(Value::as_str) != Some("FILE") {
        return None;
    }
    Some(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_tampering() {
        let mut claims = Map::new();
        claims.insert("workspaceId".into(), json!("ws"));
        claims.insert("fileId".into(), json!("f1"));
        claims.insert("type".into(), json!("FILE"));
        let token = sign(b"secret", claims);
        let back = verify(b"secret", &token).expect("valid");
        assert_eq!(back["fileId"], "f1");
        assert!(back["exp"].as_i64().unwrap() > back["iat"].as_i64().unwrap());
        assert!(verify(b"other", &token).is_none());
        let mut forged = token.clone();
        forged.insert(token.find('.').unwrap() + 2, 'x');
        assert!(verify(b"secret", &forged).is_none());
        assert!(verify(b"secret", "a.b").is_none());
    }
}
