//! Decode on arbitrary bytes: never panics; an article it accepts has a
//! non-blank body and an id, and the same bytes decode the same way.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsflow_core::decode::decode;

fuzz_target!(|data: &[u8]| {
    let (key, value) = match data.split_first() {
        // The first byte decides whether there is a key and how long it is.
        Some((&k, rest)) if k < 64 && (k as usize) <= rest.len() => {
            (Some(&rest[..k as usize]), &rest[k as usize..])
        }
        _ => (None, data),
    };
    let first = decode(value, key, 1 << 20);
    if let Ok(a) = &first {
        assert!(!a.body.trim().is_empty(), "accepted a blank body");
        assert!(!a.id.is_empty(), "accepted without an id");
    }
    assert_eq!(
        format!("{first:?}"),
        format!("{:?}", decode(value, key, 1 << 20)),
        "decode is not deterministic"
    );
});
