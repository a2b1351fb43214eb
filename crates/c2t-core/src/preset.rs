//! Presets: what a known CRM's export looks like, as data. A preset recognises each export file
//! (by file name and header signature), says which Twenty object it holds and proposes the
//! mapping of its columns, its date conventions and its value maps (deal stages → Twenty stages).
//!
//! Presets are TOML files under `presets/` at the repository root, embedded in the binary; adding
//! a CRM is adding a file, not code.

use crate::mapping::{ColumnMapping, MemberRef, RowFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One object of a CRM's export.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetObject {
    /// Target object in Twenty (`company`, `person`, `opportunity`, `note`, `task`,
    /// `workspaceMember` for user exports read for owner lookups).
    pub object: String,
    /// File-name patterns, case-insensitive, `*` matching any run of characters.
    #[serde(default)]
    pub files: Vec<String>,
    /// Headers whose presence identifies this file (compared by letters and digits, without
    /// regard to case, accents or punctuation).
    #[serde(default)]
    pub signature: Vec<String>,
    /// Words of a file's name that say it holds this object, in any language (`companies`,
    /// `accounts`, `sociétés`, `Firmen`…): with one known header, they are enough.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name_words: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_column: Option<String>,
    /// Rows the CRM exports that are not live records (deleted, converted…).
    #[serde(default)]
    pub skip_rows: Vec<RowFilter>,
    #[serde(default)]
    pub columns: Vec<ColumnMapping>,
    /// With `object = "skip"`: a file the CRM exports that is not imported, and why (a history
    /// of changes, a report): its rows are skipped by that named rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The file's rows complete records of another file (the record with the same id), they are
    /// not records of their own (Salesforce's OpportunityContactRole gives deals their point of
    /// contact).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub completes: bool,
}

/// One CRM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Short name (`salesforce`), written as the mapping's `source`.
    pub name: String,
    /// What a person calls it (`Salesforce Data Export`).
    pub label: String,
    /// Whether ambiguous dates in this CRM's exports are day first.
    #[serde(default)]
    pub day_first: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_country: Option<String>,
    /// Separator of multi-valued cells.
    #[serde(default = "default_sep")]
    pub multi_separator: String,
    /// Named value maps: source label → Twenty option value.
    #[serde(default)]
    pub value_maps: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default, rename = "member")]
    pub members: Vec<MemberRef>,
    #[serde(rename = "object")]
    pub objects: Vec<PresetObject>,
}

fn default_sep() -> String {
    ";".to_string()
}

impl Preset {
    pub fn from_toml(text: &str) -> Result<Preset, toml::de::Error> {
        toml::from_str(text)
    }

    /// How well `file_name` with `headers` fits each object of this preset: the best object and
    /// its score (0 = no fit). A file-name match counts 2, each signature header present counts 1
    /// and all of them present doubles the score.
    pub fn best_object(&self, file_name: &str, headers: &[String]) -> Option<(&PresetObject, u32)> {
        let lower: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
        let name = file_name.to_lowercase();
        let mut best: Option<(&PresetObject, u32)> = None;
        for o in &self.objects {
            let mut score = 0;
            if o.files.iter().any(|p| glob_match(&p.to_lowercase(), &name)) {
                score += 2;
            }
            let present = o
                .signature
                .iter()
                .filter(|s| lower.contains(&s.to_lowercase()))
                .count() as u32;
            score += present;
            if !o.signature.is_empty() && present as usize == o.signature.len() {
                score *= 2;
            }
            if score > 0 && best.is_none_or(|(_, b)| score > b) {
                best = Some((o, score));
            }
        }
        best
    }
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((b'*', rest)) => (0..=t.len()).any(|i| go(rest, &t[i..])),
            Some((c, rest)) => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_table() {
        for (p, t, want) in [
            ("account.csv", "account.csv", true),
            ("account*.csv", "account_2024.csv", true),
            (
                "*contacts*",
                "hubspot-crm-exports-all-contacts-2024.csv",
                true,
            ),
            ("account.csv", "accounts.csv", false),
            ("*.xlsx", "x.csv", false),
        ] {
            assert_eq!(glob_match(p, t), want, "{p} {t}");
        }
    }
}
