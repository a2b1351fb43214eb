//! Emails: never panics; a cleaned address and a cleaned list read back to themselves.
#![no_main]
use c2t_normalize::{domain_of, email, emails, is_free_mail};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = c2t_fuzz::text(data);
    if let Ok(e) = email(&s) {
        assert_eq!(email(&e).as_ref(), Ok(&e), "input {s:?}");
        assert_eq!(e.to_lowercase(), e, "input {s:?}");
    }
    let (ok, _) = emails(&s);
    let joined = ok.join("; ");
    assert_eq!(emails(&joined), (ok, vec![]), "input {s:?}");
    let _ = is_free_mail(domain_of(&s));
});
