//! SCEP's PKIOperation message (RFC 8894: a CMS SignedData around an EnvelopedData) as Intune's
//! SCEP service and the device decode it, and a GetCACert answer as the device reads it: any
//! bytes give a message or a typed error, never a panic.
//!
//! The body is `enrollsim_fuzz_bodies::scep_pki_message`, which the stable suite replays too.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| -> libfuzzer_sys::Corpus {
    enrollsim_fuzz::corpus(enrollsim_fuzz::bodies::scep_pki_message(bytes))
});
