//! Header clean-up shared by CSV and spreadsheets.
//!
//! Trims each name, drops a stray BOM (U+FEFF), names empty headers `Column N` (1-based
//! position) and makes duplicates unique with a ` (2)`, ` (3)` … suffix, keeping every
//! column by position. Each change is described in a warning for the user.
//!
//! It deliberately does not normalise case, accents or dashes: matching headers to fields
//! is the mapper's job, and the user must recognise the names we show.

use std::collections::HashMap;

/// Cleans a header row (see the module docs). Linear in the number of columns: a row of
/// 16,384 empty or identical headers must not take quadratic time.
pub(crate) fn clean(raw: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut warnings = Vec::new();
    let trimmed: Vec<String> = raw
        .into_iter()
        .map(|h| h.trim_start_matches('\u{FEFF}').trim().to_owned())
        .collect();
    // 0-based position of the first column with each header as written.
    let mut written: HashMap<&str, usize> = HashMap::with_capacity(trimmed.len());
    for (i, h) in trimmed.iter().enumerate() {
        written.entry(h.as_str()).or_insert(i);
    }
    // Names given so far → their column; the next suffix to try per base name.
    let mut taken: HashMap<String, usize> = HashMap::with_capacity(trimmed.len());
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
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
        // Names taken by non-empty headers count too, so `Column 3` never shadows a real header.
        let clash = |name: &str, taken: &HashMap<String, usize>| {
            taken.contains_key(name) || (h.is_empty() && written.contains_key(name))
        };
        let mut name = base.clone();
        if clash(&name, &taken) {
            let n = next_suffix.entry(base.clone()).or_insert(2);
            loop {
                name = format!("{base} ({n})");
                *n += 1;
                if !clash(&name, &taken) {
                    break;
                }
            }
            let first = taken
                .get(&base)
                .or_else(|| written.get(base.as_str()))
                .map_or(0, |p| p + 1);
            warnings.push(format!(
                "duplicate header {base:?} in columns {first} and {col}: column {col} renamed {name:?}"
            ));
        }
        taken.insert(name.clone(), i);
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

    /// Regression: 16,384 empty or identical headers (a sheet's full width, a hostile CSV) took
    /// seconds of quadratic scanning; they now take milliseconds.
    #[test]
    fn wide_rows_of_empty_or_identical_headers_are_linear() {
        let t = std::time::Instant::now();
        let (h, w) = clean(vec![String::new(); 16_384]);
        assert_eq!((h[16_383].as_str(), w.len()), ("Column 16384", 16_384));
        let (h, w) = clean(vec!["A".to_owned(); 16_384]);
        assert_eq!((h[16_383].as_str(), w.len()), ("A (16384)", 16_383));
        assert_eq!(
            w[16_382],
            "duplicate header \"A\" in columns 1 and 16384: column 16384 renamed \"A (16384)\""
        );
        assert!(t.elapsed().as_secs() < 2, "{:?}", t.elapsed());
    }

    #[test]
    fn generated_name_never_collides_with_a_real_one() {
        let (h, _) = clean(s(&["", "Column 1"]));
        assert_eq!(h, s(&["Column 1 (2)", "Column 1"]));
    }
}
