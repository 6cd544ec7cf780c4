//! The device-log parser: a console log or Company Portal log of any content is read line by
//! line into shapes and NSError chains, and the diagnosis over it answers.
//!
//! The body is `enrollsim_fuzz_bodies::device_log`, which the stable suite replays too.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| -> libfuzzer_sys::Corpus {
    enrollsim_fuzz::corpus(enrollsim_fuzz::bodies::device_log(bytes))
});
