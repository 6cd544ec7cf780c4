//! The device-log parser: a console log or Company Portal log of any content is read line by
//! line into shapes and NSError chains, and the diagnosis over it answers.
#![no_main]

use enrollsim_diagnostics::{console_line_shape, diagnose, EvidenceBundle};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for line in text.lines() {
        let _ = console_line_shape(line);
    }
    let bundle = EvidenceBundle::from_message("", "en")
        .with_device_log(text)
        .with_company_portal_log(text);
    let _ = diagnose(&bundle);
});
