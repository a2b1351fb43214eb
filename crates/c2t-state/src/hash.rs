//! [`payload_hash`]: a stable fingerprint of a record payload, for the delta logic.
//!
//! The payload is written as *canonical JSON* (object keys sorted by their UTF-8 bytes, no
//! whitespace, strings escaped as `serde_json` escapes them, numbers as `serde_json` prints them)
//! and hashed with 64-bit FNV-1a. The result is 16 lowercase hex digits.
//!
//! **Not cryptographic.** It only answers "did this record's payload change since it was last
//! confirmed?". A collision (probability about 2⁻⁶⁴ per changed record) would make one changed
//! record look unchanged. Nobody gains anything by forging one: the payload comes from the user's
//! own export.
//!
//! The output is part of the state file format: changing the canonical form or the hash would
//! make every record look changed and be re-sent (harmless, since IDs are deterministic, but
//! slow). A golden test pins it.

use serde_json::Value;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The stable, non-cryptographic hash of a payload: canonical JSON (sorted keys) → 64-bit FNV-1a,
/// as 16 lowercase hex digits.
///
/// Key order does not matter (`{"a":1,"b":2}` and `{"b":2,"a":1}` hash the same); array order,
/// value types and number spelling do (`1` and `1.0` differ).
///
/// ```
/// use serde_json::json;
/// let a = c2t_state::payload_hash(&json!({"name": "Acme", "employees": 12}));
/// let b = c2t_state::payload_hash(&json!({"employees": 12, "name": "Acme"}));
/// assert_eq!(a, b);
/// assert_eq!(a.len(), 16);
/// ```
pub fn payload_hash(v: &Value) -> String {
    let mut canonical = String::new();
    write_canonical(v, &mut canonical);
    format!("{:016x}", fnv1a64(canonical.as_bytes()))
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    // Serialising a `&str` cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canonical(v: &Value) -> String {
        let mut s = String::new();
        write_canonical(v, &mut s);
        s
    }

    #[test]
    fn fnv_reference_vectors() {
        // From the FNV reference test suite.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn canonical_form_sorts_keys_recursively() {
        let v = json!({"b": [3, {"z": null, "a": true}], "a": "x\"y", "é": 1.5});
        assert_eq!(
            canonical(&v),
            r#"{"a":"x\"y","b":[3,{"a":true,"z":null}],"é":1.5}"#
        );
    }

    #[test]
    fn key_order_does_not_matter_but_values_do() {
        let a = json!({"name": {"firstName": "Ada", "lastName": "Lovelace"}, "x": [1, 2]});
        let b = json!({"x": [1, 2], "name": {"lastName": "Lovelace", "firstName": "Ada"}});
        assert_eq!(payload_hash(&a), payload_hash(&b));
        assert_ne!(payload_hash(&a), payload_hash(&json!({"x": [2, 1]})));
        assert_ne!(payload_hash(&json!(1)), payload_hash(&json!("1")));
        assert_ne!(payload_hash(&json!(1)), payload_hash(&json!(1.0)));
        assert_ne!(payload_hash(&json!(null)), payload_hash(&json!({})));
    }

    #[test]
    fn golden_hash_is_pinned() {
        // Part of the state file format: if this changes, every record is re-sent once.
        let v = json!({"name": "Acme", "domainName": {"primaryLinkUrl": "https://acme.com"}});
        assert_eq!(
            canonical(&v),
            r#"{"domainName":{"primaryLinkUrl":"https://acme.com"},"name":"Acme"}"#
        );
        assert_eq!(
            payload_hash(&v),
            format!("{:016x}", fnv1a64(canonical(&v).as_bytes()))
        );
        assert_eq!(payload_hash(&v), GOLDEN);
    }

    // Cross-checked with an independent FNV-1a implementation (Python).
    const GOLDEN: &str = "70dfd73988aee6ac";
}
