//! The scenario TOML loader: any text loads or gives a located error, and a loaded scenario
//! written back out loads again.
//!
//! The body is `enrollsim_fuzz_bodies::scenario_toml`, which the stable suite replays too.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| -> libfuzzer_sys::Corpus {
    enrollsim_fuzz::corpus(enrollsim_fuzz::bodies::scenario_toml(bytes))
});
