//! The decoders of the wire: Apple's plists (check-in, command results, profiles), the DEP
//! API's and the other JSON bodies, the OAuth 1.0a header Apple's DEP API reads, and SCEP's
//! CMS messages. Any bytes give a value or a typed error; what decodes round-trips.

use enrollsim_simulator::cloud::apple_ade::oauth::OAuthParams;
use enrollsim_simulator::wire::apns::{ApnsErrorBody, MdmPush};
use enrollsim_simulator::wire::checkin::CheckinMessage;
use enrollsim_simulator::wire::cloud_config::{
    CloudConfigRequest, CloudConfiguration, MachineInfo,
};
use enrollsim_simulator::wire::cms;
use enrollsim_simulator::wire::command::{CommandEnvelope, CommandReport};
use enrollsim_simulator::wire::dep::{self, DepErrorCode, DepProfile, DeviceListResponse};
use enrollsim_simulator::wire::mdm_error::MdmErrorBody;
use enrollsim_simulator::wire::profile::ConfigurationProfile;
use enrollsim_simulator::wire::scep::client::recipient_certificate;
use enrollsim_simulator::wire::scep::{PkiMessage, CA_RA_CERT_CONTENT_TYPE};
use enrollsim_simulator::wire::schema::{self, SchemaKind};
use enrollsim_simulator::wire::{Value, WireError};

use crate::{with, Outcome};

/// Check-in messages (Authenticate, TokenUpdate, CheckOut, ...) as the MDM server decodes
/// them: a decoded message round-trips.
pub fn plist_checkin(bytes: &[u8]) -> Outcome {
    if let Ok(message) = CheckinMessage::from_xml(bytes) {
        let again = CheckinMessage::from_xml(&message.to_xml());
        assert_eq!(
            again.as_ref().ok(),
            Some(&message),
            "check-in does not round-trip"
        );
    }
    Outcome::Ran
}

/// Command results (the device's report to the MDM server) and command envelopes; the
/// schema validator takes whatever the decoders' size and depth guard lets through.
pub fn plist_command_report(bytes: &[u8]) -> Outcome {
    let report = CommandReport::from_xml(bytes);
    let _ = CommandEnvelope::from_xml(bytes);
    let _ = CommandEnvelope::peek_command_uuid(bytes);
    if let Ok(report) = &report {
        let _ = CommandReport::from_xml(&report.to_xml());
    }
    if !matches!(report, Err(WireError::NotAPlist { .. })) {
        if let Ok(value) = Value::from_reader(std::io::Cursor::new(bytes)) {
            let _ = schema::validate(SchemaKind::CommandReport, &value);
            let _ = schema::validate(SchemaKind::CommandEnvelope, &value);
        }
    }
    Outcome::Ran
}

/// Configuration profiles (the management profile, its SCEP and certificate payloads) and the
/// other plists a device or the ADE cloud sends: cloud configuration, MachineInfo, MDM errors.
pub fn plist_profile(bytes: &[u8]) -> Outcome {
    if let Ok(profile) = ConfigurationProfile::from_xml(bytes) {
        let _ = ConfigurationProfile::from_xml(&profile.to_xml());
    }
    let _ = CloudConfiguration::from_xml(bytes);
    let _ = MachineInfo::from_xml(bytes);
    let _ = MdmErrorBody::from_xml(bytes);
    Outcome::Ran
}

/// The DEP API's JSON (profiles, device lists, error bodies) and the other JSON bodies of the
/// wire (APNs push and error, cloud configuration request, MDM error).
pub fn dep_json(bytes: &[u8]) -> Outcome {
    if let Ok(profile) = DepProfile::from_json(bytes) {
        let _ = DepProfile::from_json(&profile.to_json());
    }
    let _ = DeviceListResponse::from_json(bytes);
    let _ = DepErrorCode::from_body(bytes);
    let _ = dep::parse_define_body(bytes);
    let _ = MdmPush::from_json(bytes);
    let _ = ApnsErrorBody::from_json(bytes);
    let _ = CloudConfigRequest::from_json(bytes);
    let _ = MdmErrorBody::from_json(bytes);
    Outcome::Ran
}

/// The OAuth 1.0a `Authorization` header Apple's DEP API reads: any text parses or is
/// refused, a parsed header verifies or not, and a header we write parses back to what was
/// signed.
pub fn oauth_header(bytes: &[u8]) -> Outcome {
    with(bytes, |text: &str| {
        let parsed = OAuthParams::parse(text);
        if let Err(e) = &parsed {
            let _ = e.problem();
        }
        if let Ok(params) = parsed {
            let _ = params.verify(
                "GET",
                "https://mdmenrollment.apple.com/session",
                &[],
                "cs",
                "ts",
            );
            let again = OAuthParams::parse(&params.to_header());
            assert_eq!(
                again.as_ref().ok(),
                Some(&params),
                "header does not round-trip"
            );
        }
    })
}

/// SCEP's PKIOperation message (RFC 8894: a CMS SignedData around an EnvelopedData) as
/// Intune's SCEP service and the device decode it, and a GetCACert answer as the device reads
/// it.
pub fn scep_pki_message(bytes: &[u8]) -> Outcome {
    let _ = PkiMessage::decode(bytes);
    let _ = cms::certificates_of(bytes);
    let _ = recipient_certificate(bytes, CA_RA_CERT_CONTENT_TYPE);
    let _ = recipient_certificate(bytes, "application/x-x509-ca-cert");
    Outcome::Ran
}
