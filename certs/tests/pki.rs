//! The lab PKI issues what the protocol needs and packs identities the way profiles carry them.

use enrollsim_certs::{inspect, LabPki};
use time::{macros::datetime, Duration};

#[test]
fn push_certificate_carries_topic_as_uid_and_requested_validity() {
    let now = datetime!(2026-11-26 10:00 UTC);
    let pki = LabPki::new(now).unwrap();
    let topic = "com.apple.mgmt.External.6f1c2e3a-0000-4000-8000-000000000001";
    let push = pki
        .push_certificate(topic, now - Duration::days(400), now - Duration::days(35))
        .unwrap();
    let facts = inspect::facts(push.certificate()).unwrap();
    assert_eq!(facts.uid.as_deref(), Some(topic));
    assert_eq!(
        facts.common_name.as_deref(),
        Some("APSP:6f1c2e3a-0000-4000-8000-000000000001")
    );
    assert_eq!(facts.not_after, now - Duration::days(35));
    assert_eq!(
        facts.issuer_common_name.as_deref(),
        Some(pki.apple_push_ca.name())
    );
}

#[test]
fn device_identity_survives_a_pkcs12_round_trip() {
    let now = datetime!(2026-11-26 10:00 UTC);
    let pki = LabPki::new(now).unwrap();
    let id = pki
        .device_identity("DEVICE-1", now, now + Duration::days(365))
        .unwrap();
    let p12 = id.to_pkcs12("secret").unwrap();
    let back = enrollsim_certs::Identity::from_pkcs12(&p12, "secret").unwrap();
    assert_eq!(back.certificate(), id.certificate());
    assert_eq!(back.cert_chain().len(), 2);
    assert!(enrollsim_certs::Identity::from_pkcs12(&p12, "wrong").is_err());
    assert!(enrollsim_certs::Identity::from_pkcs12(b"not a pkcs12", "secret").is_err());
}

#[test]
fn serial_numbers_differ_between_certificates() {
    let now = datetime!(2026-11-26 10:00 UTC);
    let pki = LabPki::new(now).unwrap();
    let a = pki.server_identity(&["a.test"], now).unwrap();
    let b = pki.server_identity(&["a.test"], now).unwrap();
    assert_ne!(
        inspect::facts(a.certificate()).unwrap().serial_hex,
        inspect::facts(b.certificate()).unwrap().serial_hex
    );
}
