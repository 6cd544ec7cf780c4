//! The management profile Intune hands a device to enroll: a real `.mobileconfig`.
//!
//! It holds three payloads, as Intune's enrollment profile does (payload identifiers as an
//! installed Intune profile lists them, see the shared Intune facts, "Small realism details"):
//! the root certificate of Intune's device CA (`com.apple.security.root`), a SCEP payload
//! (`com.apple.security.scep`, `Microsoft.Profiles.SCEP`) with which the device generates its
//! key and obtains its identity from Intune's SCEP service, and the `com.apple.mdm` payload that
//! names that identity and points the device at Intune's check-in and command endpoints and its
//! push topic — the topic of the tenant's APNs certificate, which the device will subscribe to.
//!
//! Each download hands out a new one-time SCEP challenge, valid for the documented 15 minutes
//! ([`super::scep::CHALLENGE_LIFETIME`]); the identity the device obtains with it is tied to
//! the download's enrollment session when it is issued.

use super::scep::SCEP_PATH;
use super::state::EnrollmentSession;
use super::{mdm_host, IntuneService};
use crate::cloud::entra::Cloud;
use crate::wire::profile::{
    ConfigurationProfile, MdmPayload, Payload, RootCertificatePayload, ScepContent, ScepPayload,
};

/// The identifier of Intune's management profile. A second download replaces an installed
/// profile with this identifier, so its MDM payload must keep the same topic and URLs.
pub const PROFILE_IDENTIFIER: &str = "Microsoft.Profiles.MDM";
/// The command endpoint (`ServerURL`) of a cloud.
pub fn server_url(cloud: Cloud) -> String {
    format!("https://{}/DeviceGatewayProxy/ios/command", mdm_host(cloud))
}
/// The check-in endpoint (`CheckInURL`) of a cloud.
pub fn check_in_url(cloud: Cloud) -> String {
    format!("https://{}/DeviceGatewayProxy/ios/checkin", mdm_host(cloud))
}
/// The SCEP endpoint (the SCEP payload's `URL`) of a cloud.
pub fn scep_url(cloud: Cloud) -> String {
    format!("https://{}{SCEP_PATH}", mdm_host(cloud))
}

/// The SCEP payload for `session`, with a one-time `challenge`: an RSA 2048 key for signing
/// and encryption, the session id as the subject's common name (the identity's name Intune
/// chose for the PKCS#12 identities it issued before).
fn scep_payload(session: &EnrollmentSession, uuid: String, challenge: String) -> ScepPayload {
    let mut content = ScepContent::new(scep_url(session.cloud));
    content.subject = Some(vec![vec![vec!["CN".into(), session.id.clone()]]]);
    content.challenge = Some(challenge);
    content.keysize = Some(2048);
    content.key_type = Some("RSA".into());
    content.key_usage = Some(5);
    ScepPayload {
        payload_identifier: "Microsoft.Profiles.SCEP".into(),
        payload_uuid: uuid,
        payload_version: 1,
        payload_display_name: Some("SCEP Profile for issuing a device certificate".into()),
        payload_description: None,
        payload_organization: None,
        payload_content: content,
    }
}

/// Builds the profile for `session` and hands out its SCEP challenge.
pub fn build(service: &IntuneService, session: &EnrollmentSession) -> Result<Vec<u8>, String> {
    let (topic, tenant) = {
        let state = service.lock();
        let topic = state
            .apns
            .as_ref()
            .map(|c| c.topic.clone())
            .ok_or("no Apple MDM push certificate is configured")?;
        (topic, state.tenant_name.clone())
    };
    let challenge = service.rng.hex(16);
    service
        .scep()?
        .issue_session_challenge(&challenge, &session.id, service.clock.now());

    let identity_uuid = service.rng.uuid();
    let mut root = RootCertificatePayload::new(
        "www.windowsintune.com.credentials",
        service.rng.uuid(),
        service.pki.intune_device_ca.certificate().to_vec(),
    );
    root.payload_display_name = Some("Credential Profile for installing root certificate".into());
    let scep = scep_payload(session, identity_uuid.clone(), challenge);
    let mut mdm = MdmPayload::new(
        "Microsoft.Profiles.MDM.Payload",
        service.rng.uuid(),
        identity_uuid,
        topic,
        server_url(session.cloud),
    );
    mdm.check_in_url = Some(check_in_url(session.cloud));
    mdm.check_out_when_removed = Some(true);
    mdm.sign_message = Some(false);
    mdm.server_capabilities = Some(vec!["com.apple.mdm.per-user-connections".into()]);
    mdm.payload_display_name = Some("Mobile Device Management".into());
    let mut profile = ConfigurationProfile::new(
        PROFILE_IDENTIFIER,
        service.rng.uuid(),
        vec![
            Payload::RootCertificate(root),
            Payload::Scep(scep),
            Payload::Mdm(mdm),
        ],
    );
    profile.payload_display_name = Some("Management Profile".into());
    profile.payload_organization = Some(tenant);
    profile.payload_description =
        Some("Install this profile to get access to your company apps".into());
    Ok(profile.to_xml())
}
