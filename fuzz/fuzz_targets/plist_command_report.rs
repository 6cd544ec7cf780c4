//! Command results (the device's report to the MDM server) and command envelopes: any bytes
//! give a value or a typed error; the schema validator takes whatever the decoders' size and
//! depth guard lets through.
//!
//! The body is `enrollsim_fuzz_bodies::plist_command_report`, which the stable suite replays too.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| -> libfuzzer_sys::Corpus {
    enrollsim_fuzz::corpus(enrollsim_fuzz::bodies::plist_command_report(bytes))
});
