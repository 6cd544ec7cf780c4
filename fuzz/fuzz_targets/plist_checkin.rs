//! Check-in messages (Authenticate, TokenUpdate, CheckOut, ...) as the MDM server decodes
//! them: any bytes give a message or a typed error, and a decoded message round-trips.
#![no_main]

use enrollsim_simulator::wire::checkin::CheckinMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(message) = CheckinMessage::from_xml(bytes) {
        let again = CheckinMessage::from_xml(&message.to_xml());
        assert_eq!(
            again.as_ref().ok(),
            Some(&message),
            "check-in does not round-trip"
        );
    }
});
