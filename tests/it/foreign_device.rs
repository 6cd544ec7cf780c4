//! The simulated device against a server it does not share a world with: a world served on
//! loopback stands in for a foreign MDM server (the interop target does the same against
//! nanomdm), and a minimal MDM server of the test's own checks the device's answer to each
//! command. The device reaches them only by the profile's URLs, trusts only the CA it is
//! given, and its report says what the server saw.

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

/// A minimal MDM server of the test's own over plain HTTP: it accepts every check-in and hands
/// out `queue` one command at a time on the command channel, keeping every message it got.
mod fake_mdm {
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;
    use hyper_util::rt::TokioIo;
    use plist::{Dictionary, Value};

    #[derive(Default)]
    pub struct Seen {
        pub checkins: Vec<String>,
        pub reports: Vec<Dictionary>,
    }

    pub struct Server {
        pub url: String,
        pub seen: Arc<Mutex<Seen>>,
    }

    fn answer(body: &[u8], queue: &Mutex<VecDeque<Dictionary>>, seen: &Mutex<Seen>) -> Vec<u8> {
        let dict = Value::from_reader(std::io::Cursor::new(body))
            .ok()
            .and_then(Value::into_dictionary)
            .unwrap_or_default();
        let mut seen = seen.lock().unwrap();
        if let Some(kind) = dict.get("MessageType").and_then(Value::as_string) {
            seen.checkins.push(kind.to_string());
            return Vec::new();
        }
        seen.reports.push(dict);
        match queue.lock().unwrap().pop_front() {
            Some(command) => {
                let mut out = Vec::new();
                Value::Dictionary(command).to_writer_xml(&mut out).unwrap();
                out
            }
            None => Vec::new(),
        }
    }

    pub async fn start(queue: Vec<Dictionary>) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/mdm", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Seen::default()));
        let queue = Arc::new(Mutex::new(VecDeque::from(queue)));
        let (task_seen, task_queue) = (seen.clone(), queue.clone());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (seen, queue) = (task_seen.clone(), task_queue.clone());
                let service = hyper::service::service_fn(
                    move |request: hyper::Request<hyper::body::Incoming>| {
                        let (seen, queue) = (seen.clone(), queue.clone());
                        async move {
                            let body = request.into_body().collect().await?.to_bytes();
                            let out = answer(&body, &queue, &seen);
                            Ok::<_, hyper::Error>(hyper::Response::new(Full::new(Bytes::from(out))))
                        }
                    },
                );
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tcp), service),
                );
            }
        });
        Server { url, seen }
    }
}

fn command(uuid: &str, request_type: &str, keys: &[(&str, plist::Value)]) -> plist::Dictionary {
    let mut command = plist::Dictionary::new();
    command.insert("RequestType".into(), request_type.into());
    for (key, value) in keys {
        command.insert((*key).into(), value.clone());
    }
    let mut envelope = plist::Dictionary::new();
    envelope.insert("CommandUUID".into(), uuid.into());
    envelope.insert("Command".into(), plist::Value::Dictionary(command));
    envelope
}

fn payload(kind: &str, identifier: &str, uuid: &str) -> plist::Dictionary {
    let mut payload = plist::Dictionary::new();
    payload.insert("PayloadType".into(), kind.into());
    payload.insert("PayloadIdentifier".into(), identifier.into());
    payload.insert("PayloadUUID".into(), uuid.into());
    payload.insert("PayloadVersion".into(), 1.into());
    payload
}

fn profile_xml(identifier: &str, uuid: &str, content: Vec<plist::Dictionary>) -> Vec<u8> {
    let mut profile = payload("Configuration", identifier, uuid);
    profile.insert(
        "PayloadContent".into(),
        plist::Value::Array(content.into_iter().map(plist::Value::Dictionary).collect()),
    );
    let mut out = Vec::new();
    plist::Value::Dictionary(profile)
        .to_writer_xml(&mut out)
        .unwrap();
    out
}

/// An enrollment profile with a PKCS#12 identity and an MDM payload for `server_url`.
fn pkcs12_enrollment_profile(server_url: &str) -> Vec<u8> {
    let now = time::OffsetDateTime::now_utc();
    let pki = enrollsim_certs::LabPki::new(now).expect("a PKI");
    let identity = pki
        .device_identity("interop device", now, now + time::Duration::days(1))
        .expect("an identity");
    let p12_uuid = "0F1E2D3C-4B5A-4697-8877-665544332211";
    let mut p12 = payload("com.apple.security.pkcs12", "test.identity", p12_uuid);
    p12.insert(
        "PayloadContent".into(),
        plist::Value::Data(identity.to_pkcs12("secret").expect("PKCS#12")),
    );
    p12.insert("Password".into(), "secret".into());
    let mut mdm = payload(
        "com.apple.mdm",
        "test.mdm",
        "1A2B3C4D-5E6F-4A0B-9C1D-2E3F4A5B6C7D",
    );
    mdm.insert("IdentityCertificateUUID".into(), p12_uuid.into());
    mdm.insert("ServerURL".into(), server_url.into());
    mdm.insert("Topic".into(), "com.apple.mgmt.External.test".into());
    mdm.insert("AccessRights".into(), 8191.into());
    mdm.insert("SignMessage".into(), false.into());
    profile_xml(
        "test.enrollment",
        "2B3C4D5E-6F70-4A1B-8C2D-3E4F5A6B7C8D",
        vec![p12, mdm],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_answers_each_command_of_a_foreign_server_as_ios_does() {
    let settings = profile_xml(
        "test.settings",
        "3C4D5E6F-7081-4B2C-9D3E-4F5A6B7C8D9E",
        Vec::new(),
    );
    let queue = vec![
        command(
            "c1",
            "DeviceInformation",
            &[(
                "Queries",
                plist::Value::Array(vec!["UDID".into(), "SerialNumber".into()]),
            )],
        ),
        command(
            "c2",
            "InstallProfile",
            &[("Payload", plist::Value::Data(settings))],
        ),
        command(
            "c3",
            "RemoveProfile",
            &[("Identifier", "test.settings".into())],
        ),
        command(
            "c4",
            "RemoveProfile",
            &[("Identifier", "test.settings".into())],
        ),
        command("c5", "DeviceLock", &[("Message", "Return to IT".into())]),
        command("c6", "ShutDownDevice", &[]),
        command("c7", "EraseDevice", &[]),
        command("c8", "SecurityInfo", &[]),
    ];
    let server = fake_mdm::start(queue).await;
    let profile = pkcs12_enrollment_profile(&server.url);
    let options = ForeignOptions {
        allow_http: true,
        seed: 5,
        ..Default::default()
    };
    let checkins = CheckIns {
        rounds: 3,
        ..Default::default()
    };
    let report = enroll_device(&profile, &options, checkins)
        .await
        .expect("the device is set up");
    assert!(report.enrolled, "{report:#?}");
    assert!(report.erased, "{report:#?}");
    assert_eq!(
        report.checkins_ok, 1,
        "the erase ends the rounds: {report:#?}"
    );
    let statuses: Vec<(&str, &str, &str)> = report
        .commands
        .iter()
        .map(|c| {
            (
                c.command_uuid.as_str(),
                c.request_type.as_str(),
                c.status.as_str(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("c1", "DeviceInformation", "Acknowledged"),
            ("c2", "InstallProfile", "Acknowledged"),
            ("c3", "RemoveProfile", "Acknowledged"),
            ("c4", "RemoveProfile", "Error"),
            ("c5", "DeviceLock", "Acknowledged"),
            ("c6", "ShutDownDevice", "Error"),
            ("c7", "EraseDevice", "Acknowledged"),
            // Sent in return for the erase's acknowledgement, to a device that is gone.
            ("c8", "SecurityInfo", "Unanswered"),
        ],
        "{report:#?}"
    );
    assert!(report.commands[5]
        .error
        .as_deref()
        .is_some_and(|e| e.starts_with("MCMDMErrorDomain 12021")));

    let seen = server.seen.lock().unwrap();
    assert_eq!(seen.checkins, ["Authenticate", "TokenUpdate"]);
    let lock = seen
        .reports
        .iter()
        .find(|r| r.get("CommandUUID").and_then(plist::Value::as_string) == Some("c5"))
        .expect("the DeviceLock answer");
    assert_eq!(
        lock.get("MessageResult").and_then(plist::Value::as_string),
        Some("Success")
    );
    // Nothing follows the EraseDevice acknowledgement: SecurityInfo was never answered.
    let last = seen.reports.last().expect("reports");
    assert_eq!(
        last.get("CommandUUID").and_then(plist::Value::as_string),
        Some("c7")
    );
}
