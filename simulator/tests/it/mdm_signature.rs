//! Intune's MDM endpoints take the device identity from `Mdm-Signature` when the request has no
//! TLS client certificate (Apple's `SignMessage`), and refuse a bad signature with 400 and no
//! identity at all with 401, as nanomdm does.

use enrollsim_certs::{LabPki, PrivateKeyDer};
use enrollsim_simulator::cloud::entra::EntraState;
use enrollsim_simulator::cloud::intune::IntuneState;
use enrollsim_simulator::net::client::OutgoingRequest;
use enrollsim_simulator::wire::checkin::{Authenticate, CheckinMessage};
use enrollsim_simulator::wire::cms::Signer;
use enrollsim_simulator::wire::content_type::MDM_CHECKIN;
use enrollsim_simulator::wire::mdm_signature;
use enrollsim_simulator::world::{World, WorldOptions};
use hyper::{Method, StatusCode};
use time::{macros::datetime, Duration, OffsetDateTime};

const START: OffsetDateTime = datetime!(2026-11-26 09:00 UTC);
const PATH: &str = "/DeviceGatewayProxy/ios/checkin";

fn signer_from(pki: &LabPki) -> Signer {
    let identity = pki
        .device_identity("device", START, START + Duration::days(365))
        .unwrap();
    let PrivateKeyDer::Pkcs8(key) = identity.private_key() else {
        panic!("not PKCS#8");
    };
    Signer::new(key.secret_pkcs8_der(), identity.certificate()).unwrap()
}

fn authenticate() -> Vec<u8> {
    CheckinMessage::Authenticate(Authenticate::ios(
        "com.apple.mgmt.External.6f1c2e3a-0000-4000-8000-000000000001",
        "00008110-000A1B2C3D4E5F60",
        "F2LXK1ABCD12",
        "17.5",
        "21F79",
        "iPhone15,2",
    ))
    .to_xml()
}

async fn send(world: &World, signature: Option<String>, body: Vec<u8>) -> (StatusCode, String) {
    let mut request = OutgoingRequest::new(Method::PUT, "i.manage.microsoft.com", PATH)
        .header("user-agent", "MDM/1.0");
    if let Some(signature) = signature {
        request = request.header(mdm_signature::HEADER, signature);
    }
    let response = world
        .admin_client()
        .send(request.body(MDM_CHECKIN, body))
        .await
        .unwrap();
    (
        response.status,
        String::from_utf8_lossy(&response.body).into_owned(),
    )
}

#[tokio::test]
async fn check_in_identity_comes_from_a_valid_mdm_signature() {
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
    let body = authenticate();

    let (status, reason) = send(&world, None, body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(reason.contains("no device identity"), "{reason}");

    // Signed by Intune's device CA: the identity is accepted, and the check-in then fails
    // only because no enrollment session issued that identity.
    let own = mdm_signature::sign(&body, &signer_from(&world.pki)).unwrap();
    let (status, reason) = send(&world, Some(own.clone()), body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(reason.contains("no enrollment session"), "{reason}");

    let (status, _) = send(&world, Some(own), b"<plist/>".to_vec()).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "signature over another body"
    );

    let foreign = LabPki::new(START).unwrap();
    let stranger = mdm_signature::sign(&body, &signer_from(&foreign)).unwrap();
    let (status, reason) = send(&world, Some(stranger), body.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(reason.contains("not issued by Intune"), "{reason}");

    let (status, _) = send(&world, Some("%%%".into()), body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    world.shutdown().await;
}
