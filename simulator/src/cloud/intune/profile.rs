//! The management profile Intune hands a device to enroll: a real `.mobileconfig`.
//!
//! It holds three payloads, as Intune's enrollment profile does: the root certificate of
//! Intune's device CA (`com.apple.security.root`), the device's identity
//! (`com.apple.security.pkcs12`; Intune issues it through SCEP in production, the lab issues it
//! directly and delivers it as PKCS#12), and the `com.apple.mdm` payload that points the device
//! at Intune's check-in and command endpoints and names the push topic — the topic of the
//! tenant's APNs certificate, which the device will subscribe to.

use enrollsim_certs::inspect;
use time::Duration;

use super::state::EnrollmentSession;
use super::{mdm_host, IntuneService};
use crate::cloud::entra::Cloud;
use crate::wire::profile::{
    ConfigurationProfile, MdmPayload, Payload, Pkcs12Payload, RootCertificatePayload,
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

/// Builds the profile for `session`; returns its bytes and the identity certificate's serial.
pub fn build(
    service: &IntuneService,
    session: &EnrollmentSession,
) -> Result<(Vec<u8>, String), String> {
    let (topic, tenant) = {
        let state = service.lock();
        let topic = state
            .apns
            .as_ref()
            .map(|c| c.topic.clone())
            .ok_or("no Apple MDM push certificate is configured")?;
        (topic, state.tenant_name.clone())
    };
    let now = service.clock.now();
    let identity = service
        .pki
        .device_identity(
            &session.id,
            now - Duration::minutes(5),
            now + Duration::days(365),
        )
        .map_err(|e| e.to_string())?;
    let serial = inspect::facts(identity.certificate())
        .map_err(|e| e.to_string())?
        .serial_hex;
    let password = service.rng.hex(12);
    let pfx = identity.to_pkcs12(&password).map_err(|e| e.to_string())?;

    let identity_uuid = service.rng.uuid();
    let mut root = RootCertificatePayload::new(
        "www.windowsintune.com.credentials",
        service.rng.uuid(),
        service.pki.intune_device_ca.certificate().to_vec(),
    );
    root.payload_display_name = Some("Credential Profile for installing root certificate".into());
    let mut pkcs12 = Pkcs12Payload::new(
        "Microsoft.Profiles.Identity",
        identity_uuid.clone(),
        pfx,
        Some(password),
    );
    pkcs12.payload_display_name = Some("Device identity".into());
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
            Payload::Pkcs12(pkcs12),
            Payload::Mdm(mdm),
        ],
    );
    profile.payload_display_name = Some("Management Profile".into());
    profile.payload_organization = Some(tenant);
    profile.payload_description =
        Some("Install this profile to get access to your company apps".into());
    Ok((profile.to_xml(), serial))
}
