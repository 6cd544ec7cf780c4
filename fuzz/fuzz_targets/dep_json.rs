//! The DEP API's JSON (profiles, device lists, error bodies) and the other JSON bodies of the
//! wire (APNs push and error, cloud configuration request, MDM error).
//!
//! The body is `enrollsim_fuzz_bodies::dep_json`, which the stable suite replays too.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| -> libfuzzer_sys::Corpus {
    enrollsim_fuzz::corpus(enrollsim_fuzz::bodies::dep_json(bytes))
});
