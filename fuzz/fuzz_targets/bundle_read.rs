//! The evidence bundle reader: a bundle directory whose manifest and parts hold any bytes is
//! read (broken parts become problems, not panics) and diagnosed.
#![no_main]

use enrollsim_diagnostics::{diagnose, EvidenceBundle, Part};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Bundle {
    manifest: Vec<u8>,
    parts: Vec<(u8, Vec<u8>)>,
}

fuzz_target!(|input: Bundle| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let _ = std::fs::write(dir.path().join("bundle.json"), &input.manifest);
    for (which, bytes) in &input.parts {
        let part = Part::ALL[usize::from(*which) % Part::ALL.len()];
        let _ = std::fs::write(dir.path().join(part.file_name()), bytes);
    }
    if let Ok(read) = EvidenceBundle::read_dir(dir.path()) {
        let _ = diagnose(&read.bundle);
    }
});
