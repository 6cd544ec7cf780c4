//! Check-in messages (Authenticate, TokenUpdate, CheckOut, ...) as the MDM server decodes
//! them: any bytes give a message or a typed error, and a decoded message round-trips.
//!
//! The body is `enrollsim_fuzz_bodies::plist_checkin`, which the stable suite replays too.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| -> libfuzzer_sys::Corpus {
    enrollsim_fuzz::corpus(enrollsim_fuzz::bodies::plist_checkin(bytes))
});
