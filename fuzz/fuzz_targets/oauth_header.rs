//! The OAuth 1.0a `Authorization` header Apple's DEP API reads: any text parses or is
//! refused, a parsed header verifies or not without panicking, and a header we write parses
//! back to what was signed.
//!
//! The body is `enrollsim_fuzz_bodies::oauth_header`, which the stable suite replays too.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| -> libfuzzer_sys::Corpus {
    enrollsim_fuzz::corpus(enrollsim_fuzz::bodies::oauth_header(bytes))
});
