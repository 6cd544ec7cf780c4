//! The message recognizer: whatever a user types or pastes, recognition and language
//! detection answer, and a diagnosis from the message alone is made.
#![no_main]

use enrollsim_diagnostics::{detect_language, diagnose, recognize, EvidenceBundle};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = recognize(text);
    let _ = detect_language(text);
    let _ = diagnose(&EvidenceBundle::from_message(text, "en"));
});
