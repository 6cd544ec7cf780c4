//! The Graph `$filter` parser, through the admin API as a client reaches it: any filter text
//! on `managedDevices` gets a list or Graph's 400, never a panic or a 5xx.
//!
//! The body is `enrollsim_fuzz_bodies::graph_filter`, which the stable suite replays too.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| -> libfuzzer_sys::Corpus {
    enrollsim_fuzz::corpus(enrollsim_fuzz::bodies::graph_filter(bytes))
});
