//! The evidence bundle reader: a bundle directory whose manifest and parts hold any bytes is
//! read (broken parts become problems, not panics) and diagnosed.
//!
//! The body is `enrollsim_fuzz_bodies::bundle_read`, which the stable suite replays too.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| -> libfuzzer_sys::Corpus {
    enrollsim_fuzz::corpus(enrollsim_fuzz::bodies::bundle_read(bytes))
});
