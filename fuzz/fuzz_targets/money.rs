//! Money with symbols, codes, signs and both decimal styles: never panics; the cleaned amount
//! and code read back to themselves.
#![no_main]
use c2t_normalize::{NumberStyle, money};
use libfuzzer_sys::fuzz_target;

const STYLES: [Option<NumberStyle>; 3] = [None, Some(NumberStyle::DotDecimal), Some(NumberStyle::CommaDecimal)];
const HINTS: [Option<&str>; 4] = [None, Some("USD"), Some("eur"), Some("XYZ")];
const DEFAULTS: [&str; 3] = ["EUR", "USD", "JPY"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let style = STYLES[usize::from(pick) % 3];
    let hint = HINTS[usize::from(pick / 3) % 4];
    let default = DEFAULTS[usize::from(pick / 12) % 3];
    let s = c2t_fuzz::text(rest);
    if let Ok(m) = money(&s, hint, default, style) {
        let amount = rust_decimal::Decimal::new(m.amount_micros, 6).normalize();
        let again = format!("{amount} {}", m.currency_code);
        assert_eq!(money(&again, None, default, None).as_ref(), Ok(&m), "input {s:?}");
    }
});
