//! Phones (libphonenumber metadata): never panics; the E.164 form (with its extension) reads back
//! to the same phone, whatever the default region.
#![no_main]
use c2t_normalize::phone;
use libfuzzer_sys::fuzz_target;

const REGIONS: &[Option<&str>] = &[None, Some("FR"), Some("US"), Some("DE"), Some("GB"), Some("ZZ"), Some("")];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let region = REGIONS[usize::from(pick) % REGIONS.len()];
    let s = c2t_fuzz::text(rest);
    if let Ok(p) = phone(&s, region) {
        let again = match &p.extension {
            Some(e) => format!("{} ext. {e}", p.e164),
            None => p.e164.clone(),
        };
        assert_eq!(phone(&again, None).as_ref(), Ok(&p), "input {s:?} region {region:?}");
        assert_eq!(format!("{}{}", p.calling_code, p.number), p.e164, "input {s:?}");
    }
});
