//! Configuration profiles (the management profile, its SCEP and certificate payloads) and the
//! other plists a device or the ADE cloud sends: cloud configuration, MachineInfo, MDM errors.
//!
//! The body is `enrollsim_fuzz_bodies::plist_profile`, which the stable suite replays too.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| -> libfuzzer_sys::Corpus {
    enrollsim_fuzz::corpus(enrollsim_fuzz::bodies::plist_profile(bytes))
});
