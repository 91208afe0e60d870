//! The system's CA bundle (a file whoever configures the machine writes):
//! the quick reader mcauth uses for it finds exactly the certificates the
//! strict parser (rustls-pki-types', ureq's) finds, whatever the bytes: it
//! reads only the usual form and hands every other to the strict parser.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|pem: &[u8]| {
    let (quick, strict) = mcauth::fuzzing::ca_bundle(pem);
    assert_eq!(quick, strict);
});
