//! Header clean-up shared by CSV and spreadsheets.
//!
//! Trims each name, drops a stray BOM (U+FEFF), names empty headers `Column N` (1-based
//! position) and makes duplicates unique with a ` (2)`, ` (3)` … suffix, keeping every
//! column by position. Each change is described in a warning for the user.
//!
//! It deliberately does not normalise case, accents or dashes: matching headers to fields
//! is the mapper's job, and the user must recognise the names we show.

use std::collections::HashSet;

pub(crate) fn clean(raw: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut warnings = Vec::new();
    let trimmed: Vec<String> = raw
        .into_iter()
        .map(|h| h.trim_start_matches('\u{FEFF}').trim().to_owned())
        .collect();
    // Names taken by non-empty headers first, so `Column 3` never shadows a real header.
    let mut taken: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(trimmed.len());
    for (i, h) in trimmed.iter().enumerate() {
        let col = i + 1;
        let base = if h.is_empty() {
            let name = format!("Column {col}");
            warnings.push(format!("column {col} has no header: named {name:?}"));
            name
        } else {
            h.clone()
        };
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) || (h.is_empty() && trimmed.contains(&name)) {
            name = format!("{base} ({n})");
            n += 1;
        }
        if name != base {
            let first = out
                .iter()
                .position(|o: &String| *o == base)
                .or_else(|| trimmed.iter().position(|t| *t == base))
                .map_or(0, |p| p + 1);
            warnings.push(format!(
                "duplicate header {base:?} in columns {first} and {col}: column {col} renamed {name:?}"
            ));
        }
        taken.insert(name.clone());
        out.push(name);
    }
    (out, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn trims_dedupes_and_names_empty() {
        let (h, w) = clean(s(&["\u{FEFF}Email", " Name ", "Email", "", "Email"]));
        assert_eq!(
            h,
            s(&["Email", "Name", "Email (2)", "Column 4", "Email (3)"])
        );
        assert_eq!(
            w,
            s(&[
                "duplicate header \"Email\" in columns 1 and 3: column 3 renamed \"Email (2)\"",
                "column 4 has no header: named \"Column 4\"",
                "duplicate header \"Email\" in columns 1 and 5: column 5 renamed \"Email (3)\"",
            ])
        );
    }

    #[test]
    fn generated_name_never_collides_with_a_real_one() {
        let (h, _) = clean(s(&["", "Column 1"]));
        assert_eq!(h, s(&["Column 1 (2)", "Column 1"]));
    }
}
