//! A shared cache entry (bytes anyone who can write to the store can
//! write): opening it never panics (the seed corpus holds two genuine
//! entries, which a unit test in src/fuzzing.rs keeps opening, so that
//! mutations start past the first checks). The same bytes read as a
//! decrypted plaintext, which only a holder of the secret could have made:
//! never panics, and what it decodes to is sealed and opened back the same.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mcauth::fuzzing::sealed_entry_opens(data);
    if let Some(same) = mcauth::fuzzing::sealed_plaintext(data) {
        assert!(same, "{data:?}");
    }
});
