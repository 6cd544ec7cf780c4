//! The diagnosis's inputs: an evidence bundle directory of any bytes, a message a user typed
//! or pasted, device and Company Portal logs of any content. Each is read and diagnosed;
//! broken parts become problems, never panics.

use arbitrary::Arbitrary;
use enrollsim_diagnostics::{
    console_line_shape, detect_language, diagnose, recognize, EvidenceBundle, Part,
};

use crate::{with, Outcome};

/// A bundle directory as libFuzzer builds it: the manifest's bytes and parts, each written to
/// the file of the part its first byte picks.
#[derive(Debug, Arbitrary)]
pub struct Bundle {
    /// `bundle.json`.
    pub manifest: Vec<u8>,
    /// `(which part, its bytes)`.
    pub parts: Vec<(u8, Vec<u8>)>,
}

/// The evidence bundle reader: a bundle directory whose manifest and parts hold any bytes is
/// read and diagnosed.
pub fn bundle_read(bytes: &[u8]) -> Outcome {
    with(bytes, |input: Bundle| {
        let Ok(dir) = tempfile::tempdir() else { return };
        let _ = std::fs::write(dir.path().join("bundle.json"), &input.manifest);
        for (which, bytes) in &input.parts {
            let part = Part::ALL[usize::from(*which) % Part::ALL.len()];
            let _ = std::fs::write(dir.path().join(part.file_name()), bytes);
        }
        if let Ok(read) = EvidenceBundle::read_dir(dir.path()) {
            let _ = diagnose(&read.bundle);
        }
    })
}

/// The message recognizer: whatever a user types or pastes, recognition and language
/// detection answer, and a diagnosis from the message alone is made.
pub fn message_recognize(bytes: &[u8]) -> Outcome {
    with(bytes, |text: &str| {
        let _ = recognize(text);
        let _ = detect_language(text);
        let _ = diagnose(&EvidenceBundle::from_message(text, "en"));
    })
}

/// The device-log parser: a console log or Company Portal log of any content is read line by
/// line into shapes and NSError chains, and the diagnosis over it answers.
pub fn device_log(bytes: &[u8]) -> Outcome {
    with(bytes, |text: &str| {
        for line in text.lines() {
            let _ = console_line_shape(line);
        }
        let bundle = EvidenceBundle::from_message("", "en")
            .with_device_log(text)
            .with_company_portal_log(text);
        let _ = diagnose(&bundle);
    })
}
