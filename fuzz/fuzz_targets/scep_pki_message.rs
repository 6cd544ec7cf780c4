//! SCEP's PKIOperation message (RFC 8894: a CMS SignedData around an EnvelopedData) as Intune's
//! SCEP service and the device decode it, and a GetCACert answer as the device reads it: any
//! bytes give a message or a typed error, never a panic.
#![no_main]

use enrollsim_simulator::wire::cms;
use enrollsim_simulator::wire::scep::client::recipient_certificate;
use enrollsim_simulator::wire::scep::{PkiMessage, CA_RA_CERT_CONTENT_TYPE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = PkiMessage::decode(bytes);
    let _ = cms::certificates_of(bytes);
    let _ = recipient_certificate(bytes, CA_RA_CERT_CONTENT_TYPE);
    let _ = recipient_certificate(bytes, "application/x-x509-ca-cert");
});
