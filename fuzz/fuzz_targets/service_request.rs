//! Each service's request handling, structure-aware: a known route with any suffix, query,
//! headers and body goes straight to the service's handler; every request gets an answer.
//!
//! The body is `enrollsim_fuzz_bodies::service_request`, which the stable suite replays too.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| -> libfuzzer_sys::Corpus {
    enrollsim_fuzz::corpus(enrollsim_fuzz::bodies::service_request(bytes))
});
