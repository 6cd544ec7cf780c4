//! The simulated device against a server it does not share a world with: a world served on
//! loopback stands in for a foreign MDM server (the interop target does the same against
//! nanomdm). The device reaches it only by the profile's `https://127.0.0.1:PORT` URLs,
//! trusts only the CA it is given, and its report says what the server saw.

use enrollsim::foreign::{enroll_device, CheckIns, ForeignOptions};
use enrollsim::{UserSpec, World, WorldSpec};

const USER: &str = "alex@contoso.example";

async fn served_world() -> World {
    let spec = WorldSpec::builder().user(UserSpec::new(USER)).build();
    World::start_now(&spec).await.expect("the world starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_enrolls_into_a_served_world_by_its_urls_and_answers_its_commands() {
    let world = served_world().await;
    let profile = world.enrollment_profile(USER).expect("a profile");
    let options = ForeignOptions {
        trust: ForeignOptions::trust_pem(world.ca_certificate_pem().as_bytes()).expect("PEM"),
        allow_http: false,
        seed: 3,
    };
    let checkins = CheckIns {
        rounds: 2,
        ..Default::default()
    };
    let report = enroll_device(&profile, &options, checkins)
        .await
        .expect("the device is set up");
    assert!(report.enrolled, "{report:#?}");
    assert_eq!(report.error, None, "{report:#?}");
    assert_eq!(report.checkins_ok, 2, "{report:#?}");
    assert!(!report.commands.is_empty(), "{report:#?}");
    assert!(
        report.commands.iter().all(|c| c.status == "Acknowledged"),
        "{report:#?}"
    );
    // The identity comes over SCEP first; the check-ins then go to the profile's address,
    // signed as the served profile asks.
    assert!(
        report.steps[0].starts_with("SCEP GetCACaps (GET 127.0.0.1/"),
        "{report:#?}"
    );
    assert!(
        report.steps.iter().any(|s| s.starts_with(
            "Authenticate check-in to 127.0.0.1/DeviceGatewayProxy/ios/checkin, signed with Mdm-Signature: HTTP 200"
        )),
        "{report:#?}"
    );
    let listed = world
        .admin_get("/v1.0/deviceManagement/managedDevices")
        .await
        .expect("the admin API answers");
    assert_eq!(world.managed_device_count(), 1, "{listed:#}");
    // The same seed makes the same device.
    let again = enroll_device(&profile, &options, CheckIns::default())
        .await
        .expect("the device is set up");
    assert_eq!((again.udid, again.serial), (report.udid, report.serial));
    world.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_servers_ca_the_device_does_not_trust_it() {
    let world = served_world().await;
    let profile = world.enrollment_profile(USER).expect("a profile");
    let report = enroll_device(&profile, &ForeignOptions::default(), CheckIns::default())
        .await
        .expect("the device is set up");
    assert!(!report.enrolled, "{report:#?}");
    let error = report.error.expect("an error");
    assert!(error.contains("UnknownIssuer"), "{error}");
    assert_eq!(world.managed_device_count(), 0);
    world.shutdown().await;
}

#[tokio::test]
async fn a_profile_naming_a_server_off_loopback_is_refused_before_any_connection() {
    let profile = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/enroll.mobileconfig"
    ))
    .expect("the interop profile")
    .replace("@SCEP_URL@", "https://scep.example.org/scep")
    .replace("@CHALLENGE@", "x")
    .replace("@SERVER_URL@", "https://mdm.example.org/mdm");
    let report = enroll_device(
        profile.as_bytes(),
        &ForeignOptions::default(),
        CheckIns::default(),
    )
    .await
    .expect("the device is set up");
    assert!(!report.enrolled);
    let error = report.error.expect("an error");
    assert!(error.contains("not a loopback address"), "{error}");
}
