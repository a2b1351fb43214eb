//! Numbers in any style: never panics; the cleaned decimal reads back to itself.
#![no_main]
use c2t_normalize::{NumberStyle, decimal, infer_style};
use libfuzzer_sys::fuzz_target;

const STYLES: [Option<NumberStyle>; 3] = [None, Some(NumberStyle::DotDecimal), Some(NumberStyle::CommaDecimal)];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let style = STYLES[usize::from(pick) % 3];
    let s = c2t_fuzz::text(rest);
    if let Ok(d) = decimal(&s, style) {
        let again = decimal(&d.to_string(), Some(NumberStyle::DotDecimal));
        assert_eq!(again, Ok(d), "input {s:?} style {style:?}");
    }
    let samples: Vec<&str> = s.split('\n').collect();
    let _ = infer_style(&samples);
});
