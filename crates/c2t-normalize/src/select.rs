//! SELECT / MULTI_SELECT values. Twenty stores and accepts an option's **value**, which must be
//! UPPER_CASE snake_case (shared/twenty-api.md §3.5). [`option_value`] derives it from a label the
//! way Twenty's own settings page does (`computeOptionValueFromLabel`: transliterate, keep
//! `[A-Za-z0-9_]`, `_` as separator, upper-case, and prefix `OPT` when the label starts with a
//! digit). [`split_multi`] splits a multi-select cell.
//!
//! Not done here: matching a label to the options that already exist on a field (the pipeline
//! knows the field and reports `SELECT_UNMAPPED`), picking colours or positions.

/// Twenty option value for a label: `Closed Lost` → `CLOSED_LOST`, `Négociation` →
/// `NEGOCIATION`, `3 - Qualified` → `OPT3_QUALIFIED`, `C++ / Rust` → `C_RUST`.
/// Returns an empty string when the label has no letter or digit at all (the caller reports it).
pub fn option_value(label: &str) -> String {
    let ascii = deunicode::deunicode(label.trim());
    let mut out = String::with_capacity(ascii.len() + 3);
    let mut pending_sep = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_sep && !out.is_empty() {
                out.push('_');
            }
            pending_sep = false;
            if out.is_empty() && c.is_ascii_digit() {
                out.push_str("OPT");
            }
            out.push(c.to_ascii_uppercase());
        } else {
            pending_sep = true;
        }
    }
    out
}

/// Split a multi-value cell on `sep` (e.g. `;`), trim each part, drop empty parts and repeated
/// ones (first occurrence wins, compared exactly after trimming).
pub fn split_multi(input: &str, sep: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let parts: Box<dyn Iterator<Item = &str>> = if sep.is_empty() {
        Box::new(std::iter::once(input))
    } else {
        Box::new(input.split(sep))
    };
    for part in parts {
        let p = part.trim();
        if !p.is_empty() && !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_value_table() {
        let cases: &[(&str, &str)] = &[
            ("Closed Lost", "CLOSED_LOST"),
            ("closed-lost", "CLOSED_LOST"),
            ("Négociation", "NEGOCIATION"),
            ("3 - Qualified", "OPT3_QUALIFIED"),
            ("  Proposal  ", "PROPOSAL"),
            ("C++ / Rust", "C_RUST"),
            ("already_SNAKE", "ALREADY_SNAKE"),
            ("Stage 2", "STAGE_2"),
            ("Über Größe", "UBER_GROSSE"),
            ("北京", "BEI_JING"),
            ("!!!", ""),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(option_value(input), *want, "option_value({input:?})");
            assert_eq!(option_value(want), *want, "idempotent on {want:?}");
        }
    }

    #[test]
    fn split_multi_table() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("a;b;c", ";", &["a", "b", "c"]),
            (" a ; ; b ;a", ";", &["a", "b"]),
            ("", ";", &[]),
            ("single", ";", &["single"]),
            ("x, y,z", ",", &["x", "y", "z"]),
            ("a;b", "", &["a;b"]),
        ];
        for (input, sep, want) in cases {
            assert_eq!(
                split_multi(input, sep),
                *want,
                "split_multi({input:?}, {sep:?})"
            );
        }
    }
}
