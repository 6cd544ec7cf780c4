//! A SCEP exchange with Intune's SCEP service over TLS on loopback, as a device runs it for a
//! `com.apple.security.scep` payload, and the identity it yields signing a check-in.

use enrollsim_simulator::cloud::entra::EntraState;
use enrollsim_simulator::cloud::intune::scep::SCEP_PATH;
use enrollsim_simulator::cloud::intune::IntuneState;
use enrollsim_simulator::net::client::{HttpsClient, OutgoingRequest};
use enrollsim_simulator::wire::checkin::{Authenticate, CheckinMessage};
use enrollsim_simulator::wire::cms::Signer;
use enrollsim_simulator::wire::content_type::MDM_CHECKIN;
use enrollsim_simulator::wire::mdm_signature;
use enrollsim_simulator::wire::scep::client::{self, CertRepOutcome, CertificateRequest};
use enrollsim_simulator::wire::scep::PKI_MESSAGE_CONTENT_TYPE;
use enrollsim_simulator::world::{World, WorldOptions};
use hyper::{Method, StatusCode};
use time::{macros::datetime, Duration, OffsetDateTime};

const START: OffsetDateTime = datetime!(2026-11-26 09:00 UTC);
const HOST: &str = "i.manage.microsoft.com";

async fn get(client: &HttpsClient, operation: &str) -> (Vec<u8>, String) {
    let response = client
        .send(OutgoingRequest::new(
            Method::GET,
            HOST,
            &format!("{SCEP_PATH}?operation={operation}"),
        ))
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::OK, "{operation}");
    let content_type = response.header("content-type").unwrap_or("").to_string();
    (response.body.to_vec(), content_type)
}

async fn enroll(world: &World, challenge: &str) -> (CertRepOutcome, client::PendingRequest) {
    let http = world.admin_client();
    let (caps, _) = get(&http, "GetCACaps").await;
    assert!(client::parse_ca_caps(&String::from_utf8_lossy(&caps))
        .contains(&"POSTPKIOperation".to_string()));
    let (ca, content_type) = get(&http, "GetCACert").await;
    let recipient = client::recipient_certificate(&ca, &content_type).unwrap();
    let request = CertificateRequest {
        subject: vec![("CN".into(), "00008110-000A1B2C3D4E5F60".into())],
        challenge: Some(challenge.into()),
        key_index: 2,
    };
    let (body, pending) =
        client::pkcs_req(&request, &recipient, [8; 16], world.clock.now()).unwrap();
    let response = http
        .send(
            OutgoingRequest::new(
                Method::POST,
                HOST,
                &format!("{SCEP_PATH}?operation=PKIOperation"),
            )
            .body(PKI_MESSAGE_CONTENT_TYPE, body),
        )
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::OK);
    (
        client::read_cert_rep(&response.body, &pending).unwrap(),
        pending,
    )
}

#[tokio::test]
async fn a_device_obtains_its_identity_over_scep_and_signs_with_it() {
    let world = World::start(
        WorldOptions {
            seed: 7,
            start: START,
        },
        EntraState::new("t1", "contoso.example"),
        IntuneState::new("Contoso"),
    )
    .await
    .unwrap();
    let scep = world.intune.scep().unwrap();
    scep.issue_challenge("fresh", world.clock.now());
    scep.issue_challenge("stale", world.clock.now() - Duration::minutes(20));

    let (outcome, pending) = enroll(&world, "fresh").await;
    let CertRepOutcome::Issued { certificate, .. } = outcome else {
        panic!("not issued: {outcome:?}");
    };
    let (refused, _) = enroll(&world, "stale").await;
    assert!(matches!(refused, CertRepOutcome::Failed(_)), "{refused:?}");

    // The SCEP identity is one of Intune's device CA: a check-in signed with it gets past the
    // identity check (and fails only for want of an enrollment session).
    let body = CheckinMessage::Authenticate(Authenticate::ios(
        "com.apple.mgmt.External.6f1c2e3a-0000-4000-8000-000000000001",
        "00008110-000A1B2C3D4E5F60",
        "F2LXK1ABCD12",
        "17.5",
        "21F79",
        "iPhone15,2",
    ))
    .to_xml();
    let signer = Signer::new(&pending.private_key, &certificate).unwrap();
    let response = world
        .admin_client()
        .send(
            OutgoingRequest::new(Method::PUT, HOST, "/DeviceGatewayProxy/ios/checkin")
                .header(
                    mdm_signature::HEADER,
                    mdm_signature::sign(&body, &signer).unwrap(),
                )
                .body(MDM_CHECKIN, body),
        )
        .await
        .unwrap();
    let reason = String::from_utf8_lossy(&response.body).into_owned();
    assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{reason}");
    assert!(reason.contains("no enrollment session"), "{reason}");
    world.shutdown().await;
}
