//! Booleans written the many ways CRMs and people write them: `true`/`false`, `yes`/`no`,
//! `y`/`n`, `1`/`0`, French `oui`/`non`/`vrai`/`faux`, German `ja`/`nein`, Spanish/Italian
//! `sí`/`si`/`no`, and check marks (`x`, `✓`, `✔`, `checked`) for true.
//!
//! Not done here: empty cells (the caller decides whether empty means false or "no value"), and
//! guessing from free text ("maybe", "n/a" are errors).

use crate::{Issue, IssueCode, issue};

const TRUE: &[&str] = &[
    "true",
    "t",
    "yes",
    "y",
    "1",
    "1.0",
    "-1",
    "on",
    "checked",
    "x",
    "✓",
    "✔",
    "☑",
    "oui",
    "o",
    "vrai",
    "v",
    "ja",
    "j",
    "si",
    "sí",
    "wahr",
    "sim",
    "vero",
    "verdadero",
    "active",
    "enabled",
];
const FALSE: &[&str] = &[
    "false",
    "f",
    "no",
    "n",
    "0",
    "0.0",
    "off",
    "unchecked",
    "non",
    "faux",
    "nein",
    "falsch",
    "não",
    "nao",
    "falso",
    "inactive",
    "disabled",
    "✗",
    "✘",
    "☐",
];

/// Parse a boolean cell, case-insensitively and ignoring surrounding whitespace.
/// `-1` is true because Access and old VB exports write it. `o`/`n` are French *oui*/*non*.
pub fn boolean(input: &str) -> Result<bool, Issue> {
    let v = input.trim().to_lowercase();
    if TRUE.contains(&v.as_str()) {
        Ok(true)
    } else if FALSE.contains(&v.as_str()) {
        Ok(false)
    } else {
        Err(issue(
            IssueCode::BooleanInvalid,
            input,
            "is not a yes/no value",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(&str, Option<bool>)] = &[
            ("true", Some(true)),
            ("TRUE", Some(true)),
            (" True ", Some(true)),
            ("false", Some(false)),
            ("yes", Some(true)),
            ("No", Some(false)),
            ("Y", Some(true)),
            ("n", Some(false)),
            ("1", Some(true)),
            ("0", Some(false)),
            ("1.0", Some(true)),
            ("-1", Some(true)),
            ("oui", Some(true)),
            ("NON", Some(false)),
            ("vrai", Some(true)),
            ("Faux", Some(false)),
            ("ja", Some(true)),
            ("nein", Some(false)),
            ("sí", Some(true)),
            ("SÍ", Some(true)),
            ("si", Some(true)),
            ("x", Some(true)),
            ("X", Some(true)),
            ("✓", Some(true)),
            ("✔", Some(true)),
            ("checked", Some(true)),
            ("unchecked", Some(false)),
            ("", None),
            ("   ", None),
            ("maybe", None),
            ("n/a", None),
            ("2", None),
            ("yes please", None),
        ];
        for (input, want) in cases {
            let got = boolean(input);
            match want {
                Some(b) => assert_eq!(got, Ok(*b), "boolean({input:?})"),
                None => assert_eq!(
                    got.unwrap_err().code,
                    IssueCode::BooleanInvalid,
                    "boolean({input:?})"
                ),
            }
        }
    }
}
