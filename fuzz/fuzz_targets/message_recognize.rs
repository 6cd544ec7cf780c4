//! The message recognizer: whatever a user types or pastes, recognition and language
//! detection answer, and a diagnosis from the message alone is made.
//!
//! The body is `enrollsim_fuzz_bodies::message_recognize`, which the stable suite replays too.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| -> libfuzzer_sys::Corpus {
    enrollsim_fuzz::corpus(enrollsim_fuzz::bodies::message_recognize(bytes))
});
