//! Intune's ADE enrollment endpoint reads `MachineInfo` only as Apple has devices send it:
//! attached CMS SignedData by the device's Apple-issued identity. An unsigned plist, a signer
//! of another authority or a broken signature gets 400 before anything else is looked at.

use enrollsim_simulator::cloud::entra::EntraState;
use enrollsim_simulator::cloud::intune::IntuneState;
use enrollsim_simulator::net::client::OutgoingRequest;
use enrollsim_simulator::wire::cloud_config::MachineInfo;
use enrollsim_simulator::wire::cms::{self, Signer};
use enrollsim_simulator::wire::content_type::PKCS7_SIGNATURE;
use enrollsim_simulator::world::{World, WorldOptions};
use hyper::{Method, StatusCode};
use time::{macros::datetime, Duration, OffsetDateTime};

const START: OffsetDateTime = datetime!(2026-11-26 09:00 UTC);
const HOST: &str = "enrollment.manage.microsoft.com";
const PATH: &str = "/enrollment/v1/ade/no-such-profile";

fn signer(identity: &enrollsim_certs::Identity) -> Signer {
    let enrollsim_certs::PrivateKeyDer::Pkcs8(key) = identity.private_key() else {
        panic!("PKCS#8");
    };
    Signer::new(key.secret_pkcs8_der(), identity.certificate()).unwrap()
}

async fn post(world: &World, content_type: &str, body: Vec<u8>) -> (StatusCode, String) {
    let response = world
        .admin_client()
        .send(OutgoingRequest::new(Method::POST, HOST, PATH).body(content_type, body))
        .await
        .unwrap();
    (
        response.status,
        String::from_utf8_lossy(&response.body).into_owned(),
    )
}

#[tokio::test]
async fn machine_info_must_be_signed_by_an_apple_device_identity() {
    let world = World::start(
        WorldOptions {
            seed: 9,
            start: START,
        },
        EntraState::new("t1", "contoso.example"),
        IntuneState::new("Contoso"),
    )
    .await
    .unwrap();
    let info = MachineInfo::new(
        "00008110-000A1B2C3D4E5F60",
        "F2LXK1ABCD12",
        "iPhone15,2",
        "21F79",
    );
    let plist = info.to_xml();
    let (from, to) = (START - Duration::days(1), START + Duration::days(365));
    let apple = world
        .pki
        .apple_device_identity(&info.udid, from, to)
        .unwrap();

    let (status, reason) = post(
        &world,
        "application/x-apple-aspen-deviceinfo",
        plist.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(reason.contains("must be CMS-signed"), "{reason}");

    let intune = world.pki.device_identity("not-apple", from, to).unwrap();
    let foreign = cms::sign(&signer(&intune), Some(&plist), true, Vec::new()).unwrap();
    let (status, reason) = post(&world, PKCS7_SIGNATURE, foreign).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        reason.contains("not signed by an Apple device identity"),
        "{reason}"
    );

    let mut tampered = cms::sign(&signer(&apple), Some(&plist), true, Vec::new()).unwrap();
    let at = tampered
        .windows(b"F2LXK1ABCD12".len())
        .position(|w| w == b"F2LXK1ABCD12")
        .expect("the serial is inside the attached content");
    tampered[at] = b'X';
    let (status, reason) = post(&world, PKCS7_SIGNATURE, tampered).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(reason.contains("MachineInfo signature"), "{reason}");

    // Properly signed, it gets past the signature to the next check (no such profile here).
    let signed = cms::sign(&signer(&apple), Some(&plist), true, Vec::new()).unwrap();
    let (status, reason) = post(&world, PKCS7_SIGNATURE, signed).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{reason}");
    world.shutdown().await;
}
