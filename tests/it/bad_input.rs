//! Bad input gets the status a real service answers and a message that says what is wrong —
//! never a panic, a hang or a dead service.
//!
//! A world is started with one enrolled iPhone; raw HTTPS requests, built with the simulator's
//! own client and TLS configurations (trusting only the world's root, with or without a client
//! identity), then hit each service with malformed, mistyped, unauthenticated, oversized or
//! misrouted requests:
//!
//! - Intune's MDM endpoints (mutual TLS, XML plists): 400 naming the broken key or the
//!   unreadable plist, 415, 401 without or with an unknown identity, 413 over 1 MiB, 405, 404,
//!   and a failed handshake for a certificate from another CA;
//! - Entra ID's token endpoint: 400 with an AADSTS-shaped JSON error;
//! - the Graph admin API: 401 with Graph's error shape, 400 naming the line and column of
//!   malformed JSON, 400 for a device limit outside 1–15 (and the limit is left unchanged);
//! - APNs (HTTP/2, client-certificate TLS): failed handshakes, `BadDeviceToken`, 400 without
//!   `mdm`, 413 over 4 KiB, 405, 404.
//!
//! After every bad request the service must still serve a good one: the enrolled device's
//! command poll, a sign-in, an admin listing and a delivered push. Malformed scenario files must
//! give errors naming the file, the line and column and what was expected.

use enrollsim_certs::{Identity, LabPki};
use enrollsim_harness::lab::Lab;
use enrollsim_harness::scenario::{UserSpec, WorldSpec};
use enrollsim_simulator::cloud::apns::{Push, APNS_HOST};
use enrollsim_simulator::cloud::entra::PUBLIC_LOGIN_HOST;
use enrollsim_simulator::cloud::intune::{GRAPH_HOST, MDM_HOST};
use enrollsim_simulator::device::mdmclient::SessionEnd;
use enrollsim_simulator::net::client::{
    ClientError, HttpsClient, IncomingResponse, OutgoingRequest,
};
use enrollsim_simulator::net::server::MAX_BODY_BYTES;
use enrollsim_simulator::net::tls::{client_config, HttpVersion};
use enrollsim_simulator::wire::checkin::{Authenticate, CheckinMessage};
use enrollsim_simulator::wire::command::CommandReport;
use hyper::{Method, StatusCode};
use serde_json::Value;
use time::Duration;

const UPN: &str = "alex@contoso.example";
const PASSWORD: &str = "Passw0rd!";
const CHECKIN_PATH: &str = "/DeviceGatewayProxy/ios/checkin";
const COMMAND_PATH: &str = "/DeviceGatewayProxy/ios/command";
const CHECKIN_TYPE: &str = "application/x-apple-aspen-mdm-checkin";
const RESULT_TYPE: &str = "application/x-apple-aspen-mdm";

/// A world with one user whose iPhone is enrolled, and the tenant's push topic.
struct Fixture {
    lab: Lab,
    topic: String,
}

async fn fixture(seed: u64) -> Fixture {
    let spec = WorldSpec::builder()
        .seed(seed)
        .user(UserSpec::new(UPN))
        .build();
    let lab = Lab::start(&spec).await.expect("world starts");
    let outcome = lab
        .device
        .enroll_with_company_portal(&lab.credentials(UPN))
        .await;
    assert_eq!(outcome, enrollsim::Outcome::Enrolled { upn: UPN.into() });
    let topic = {
        let state = lab.world.intune.state();
        let state = state.lock().unwrap();
        state.apns.as_ref().expect("push certificate").topic.clone()
    };
    Fixture { lab, topic }
}

impl Fixture {
    /// A client of the test's own, presenting `identity` if given.
    fn client(&self, identity: Option<&Identity>, version: HttpVersion) -> HttpsClient {
        let world = &self.lab.world;
        let tls = client_config(&[world.trust_anchor()], identity, version, &world.clock)
            .expect("client TLS configuration");
        HttpsClient::new(
            world.hosts.clone(),
            tls,
            version,
            world.recorder.clone(),
            world.clock.clone(),
            "bad-input test",
        )
    }

    /// A device identity issued by Intune's device CA for no enrollment session.
    fn stray_device_identity(&self) -> Identity {
        let now = self.lab.world.clock.now();
        self.lab
            .world
            .pki
            .device_identity(
                "not-an-enrollment",
                now - Duration::minutes(5),
                now + Duration::days(30),
            )
            .expect("device identity")
    }

    /// A push certificate for the tenant's topic, from Apple's (the lab's) push CA.
    fn push_identity(&self) -> Identity {
        self.lab
            .world
            .apple_push_certificate(&self.topic)
            .expect("push certificate")
    }

    fn admin_token(&self) -> String {
        self.lab.world.admin_token()
    }

    /// Every service still serves a good request.
    async fn assert_healthy(&self, after: &str) {
        // Intune MDM: the enrolled device polls and is told there is nothing to do.
        let end = self.lab.device.command_session().await;
        assert!(
            matches!(end, SessionEnd::Done { .. }),
            "after {after}: the enrolled device's command poll ended {end:?}"
        );
        // Entra ID: a password sign-in.
        let r = send(
            &self.client(None, HttpVersion::Http1),
            token_request(&format!(
                "grant_type=password&client_id=c&username={}&password={}",
                UPN.replace('@', "%40"),
                PASSWORD.replace('!', "%21")
            )),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "after {after}: sign-in {r:?}");
        assert!(json(&r)["access_token"].as_str().is_some());
        // Graph: the admin lists the enrolled device.
        let r = send(
            &self.client(None, HttpVersion::Http1),
            OutgoingRequest::new(
                Method::GET,
                GRAPH_HOST,
                "/v1.0/deviceManagement/managedDevices",
            )
            .header("authorization", format!("Bearer {}", self.admin_token())),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "after {after}: Graph {r:?}");
        let serial = self.lab.device.serial();
        assert!(
            json(&r)["value"]
                .as_array()
                .is_some_and(|v| v.iter().any(|d| d["serialNumber"] == serial.as_str())),
            "after {after}: the enrolled device is not listed"
        );
        // APNs: a push to a freshly registered token is delivered.
        let (token, mut mailbox) = self
            .lab
            .world
            .apns
            .register(&self.topic, &self.lab.world.rng);
        let r = send(
            &self.client(Some(&self.push_identity()), HttpVersion::Http2),
            push_request(&hex(&token), &self.topic, br#"{"mdm":"health-check"}"#),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "after {after}: push {r:?}");
        assert_eq!(
            mailbox.try_recv().ok(),
            Some(Push {
                topic: self.topic.clone(),
                push_magic: "health-check".into()
            }),
            "after {after}: the push was not delivered"
        );
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sends a request that must get an HTTP answer.
async fn send(client: &HttpsClient, request: OutgoingRequest) -> IncomingResponse {
    let what = format!("{} {}{}", request.method, request.host, request.path);
    client
        .send(request)
        .await
        .unwrap_or_else(|e| panic!("{what}: no HTTP answer: {e}"))
}

fn text(r: &IncomingResponse) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

fn json(r: &IncomingResponse) -> Value {
    serde_json::from_slice(&r.body)
        .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", text(r)))
}

fn assert_status(r: &IncomingResponse, status: StatusCode, what: &str) {
    assert_eq!(
        r.status,
        status,
        "{what}: answered {:?}: {}",
        r.status,
        text(r)
    );
}

/// Asserts a plain-text MDM error: `status`, and a body naming every one of `words`.
fn assert_mdm_error(r: &IncomingResponse, status: StatusCode, words: &[&str], what: &str) {
    assert_status(r, status, what);
    let body = text(r);
    for w in words {
        assert!(
            body.contains(w),
            "{what}: the message does not name {w:?}: {body:?}"
        );
    }
}

fn checkin(body: impl Into<Vec<u8>>) -> OutgoingRequest {
    OutgoingRequest::new(Method::PUT, MDM_HOST, CHECKIN_PATH).body(CHECKIN_TYPE, body.into())
}

fn command(body: impl Into<Vec<u8>>) -> OutgoingRequest {
    OutgoingRequest::new(Method::PUT, MDM_HOST, COMMAND_PATH).body(RESULT_TYPE, body.into())
}

fn plist_xml(inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n{inner}\n</plist>\n"
    )
}

fn authenticate(topic: &str) -> Vec<u8> {
    CheckinMessage::Authenticate(Authenticate::ios(
        topic,
        "00008110-00000000DEADBEEF",
        "F00BADF00D12",
        "17.5",
        "21F79",
        "iPhone15,2",
    ))
    .to_xml()
}

fn token_request(form: &str) -> OutgoingRequest {
    OutgoingRequest::new(
        Method::POST,
        PUBLIC_LOGIN_HOST,
        "/organizations/oauth2/v2.0/token",
    )
    .header("client-request-id", "0f0e0d0c-0b0a-4908-8706-050403020100")
    .body("application/x-www-form-urlencoded", form.to_string())
}

fn push_request(token: &str, topic: &str, body: &[u8]) -> OutgoingRequest {
    OutgoingRequest::new(Method::POST, APNS_HOST, &format!("/3/device/{token}"))
        .header("apns-topic", topic)
        .header("apns-push-type", "mdm")
        .body("application/json", body.to_vec())
}

/// The failure when no HTTP answer may come: the handshake (or the first exchange after it,
/// where TLS 1.3 reports a rejected client certificate) fails.
fn assert_handshake_refused(result: Result<IncomingResponse, ClientError>, what: &str) {
    match result {
        Err(e @ (ClientError::Tls { .. } | ClientError::Http { .. })) => {
            let message = e.to_string().to_ascii_lowercase();
            assert!(
                message.contains("alert") || message.contains("certificate"),
                "{what}: the failure does not say why: {e}"
            );
        }
        Err(other) => panic!("{what}: failed before TLS: {other}"),
        Ok(r) => panic!(
            "{what}: the server answered HTTP {} instead of refusing the handshake: {}",
            r.status,
            text(&r)
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mdm_checkin_rejects_bad_input() {
    let fx = fixture(71).await;
    let id = fx.stray_device_identity();
    let mdm = fx.client(Some(&id), HttpVersion::Http1);

    let r = send(&mdm, checkin("this is not a property list")).await;
    assert_mdm_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["check-in", "property list"],
        "garbage",
    );
    fx.assert_healthy("a garbage check-in").await;

    let truncated = String::from_utf8(authenticate(&fx.topic)).unwrap();
    let truncated = &truncated[..truncated.len() / 2];
    let r = send(&mdm, checkin(truncated)).await;
    assert_mdm_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["property list"],
        "truncated plist",
    );
    fx.assert_healthy("a truncated check-in").await;

    let r = send(
        &mdm,
        checkin(plist_xml("<array><string>Authenticate</string></array>")),
    )
    .await;
    assert_mdm_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["<dictionary>"],
        "top-level array",
    );
    fx.assert_healthy("a top-level array").await;

    let no_udid = plist_xml(&format!(
        "<dict><key>MessageType</key><string>Authenticate</string><key>Topic</key><string>{}</string><key>SerialNumber</key><string>F00BADF00D12</string><key>OSVersion</key><string>17.5</string><key>BuildVersion</key><string>21F79</string><key>ProductName</key><string>iPhone15,2</string></dict>",
        fx.topic
    ));
    let r = send(&mdm, checkin(no_udid)).await;
    assert_mdm_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["UDID", "missing"],
        "Authenticate without UDID",
    );
    fx.assert_healthy("an Authenticate without UDID").await;

    let string_token = plist_xml(&format!(
        "<dict><key>MessageType</key><string>TokenUpdate</string><key>Topic</key><string>{}</string><key>UDID</key><string>u</string><key>Token</key><string>not data</string><key>PushMagic</key><string>m</string></dict>",
        fx.topic
    ));
    let r = send(&mdm, checkin(string_token)).await;
    assert_mdm_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["Token", "<data>"],
        "Token as a string",
    );
    fx.assert_healthy("a TokenUpdate with a string Token").await;

    let no_type = plist_xml("<dict><key>UDID</key><string>u</string></dict>");
    let r = send(&mdm, checkin(no_type)).await;
    assert_mdm_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["MessageType"],
        "no MessageType",
    );
    fx.assert_healthy("a check-in without MessageType").await;

    let unknown = plist_xml("<dict><key>MessageType</key><string>Bogus</string></dict>");
    let r = send(&mdm, checkin(unknown)).await;
    assert_mdm_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["Bogus"],
        "unknown MessageType",
    );
    fx.assert_healthy("an unknown MessageType").await;

    // A well-formed Authenticate with the wrong Content-Type.
    let r = send(
        &mdm,
        OutgoingRequest::new(Method::PUT, MDM_HOST, CHECKIN_PATH)
            .body("application/json", authenticate(&fx.topic)),
    )
    .await;
    assert_mdm_error(
        &r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        &[CHECKIN_TYPE, "application/json"],
        "wrong Content-Type",
    );
    fx.assert_healthy("a wrong Content-Type").await;

    // No Content-Type at all.
    let mut bare = OutgoingRequest::new(Method::PUT, MDM_HOST, CHECKIN_PATH);
    bare.body = authenticate(&fx.topic).into();
    let r = send(&mdm, bare).await;
    assert_mdm_error(
        &r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        &[CHECKIN_TYPE],
        "no Content-Type",
    );
    fx.assert_healthy("a missing Content-Type").await;

    // A valid Authenticate from an identity Intune's CA issued but no enrollment holds.
    let r = send(&mdm, checkin(authenticate(&fx.topic))).await;
    assert_mdm_error(
        &r,
        StatusCode::UNAUTHORIZED,
        &["identity"],
        "unknown identity",
    );
    fx.assert_healthy("an Authenticate from an unknown identity")
        .await;

    // Without a client certificate.
    let anonymous = fx.client(None, HttpVersion::Http1);
    let r = send(&anonymous, checkin(authenticate(&fx.topic))).await;
    assert_mdm_error(
        &r,
        StatusCode::UNAUTHORIZED,
        &["certificate"],
        "no client certificate",
    );
    fx.assert_healthy("a check-in without a client certificate")
        .await;

    // GET on a PUT-only endpoint (with and without an identity).
    for (client, who) in [(&mdm, "with identity"), (&anonymous, "anonymous")] {
        let r = send(
            client,
            OutgoingRequest::new(Method::GET, MDM_HOST, CHECKIN_PATH),
        )
        .await;
        assert_mdm_error(&r, StatusCode::METHOD_NOT_ALLOWED, &["PUT"], "GET check-in");
        assert_eq!(
            r.header("allow"),
            Some("PUT"),
            "GET check-in {who}: Allow header"
        );
    }
    fx.assert_healthy("a GET on the check-in endpoint").await;

    // An endpoint that does not exist.
    let r = send(
        &mdm,
        OutgoingRequest::new(Method::PUT, MDM_HOST, "/DeviceGatewayProxy/ios/enroll")
            .body(CHECKIN_TYPE, authenticate(&fx.topic)),
    )
    .await;
    assert_mdm_error(
        &r,
        StatusCode::NOT_FOUND,
        &["/DeviceGatewayProxy/ios/enroll"],
        "bad path",
    );
    fx.assert_healthy("a request to a missing MDM endpoint")
        .await;
    fx.lab.world.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mdm_command_endpoint_rejects_bad_input() {
    let fx = fixture(72).await;
    let id = fx.stray_device_identity();
    let mdm = fx.client(Some(&id), HttpVersion::Http1);

    let r = send(&mdm, command(vec![0xde, 0xad, 0xbe, 0xef, 0x00, 0xff])).await;
    assert_mdm_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["command result", "property list"],
        "garbage",
    );
    fx.assert_healthy("a garbage command result").await;

    let bad_status = plist_xml(
        "<dict><key>UDID</key><string>u</string><key>Status</key><string>Maybe</string></dict>",
    );
    let r = send(&mdm, command(bad_status)).await;
    assert_mdm_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["Status", "Maybe"],
        "Status not allowed",
    );
    fx.assert_healthy("a result with an unknown Status").await;

    let no_udid = plist_xml("<dict><key>Status</key><string>Idle</string></dict>");
    let r = send(&mdm, command(no_udid)).await;
    assert_mdm_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["UDID"],
        "result without UDID",
    );
    fx.assert_healthy("a result without UDID").await;

    // A well-formed Idle from a device Intune does not know.
    let r = send(
        &mdm,
        command(CommandReport::idle("00008110-0000000000000BAD").to_xml()),
    )
    .await;
    assert_mdm_error(
        &r,
        StatusCode::UNAUTHORIZED,
        &["unknown device"],
        "unknown device",
    );
    fx.assert_healthy("an Idle from an unknown device").await;

    // The enrolled device's UDID, but not its identity: still unknown.
    let udid = fx.lab.device.spec().udid;
    let r = send(&mdm, command(CommandReport::idle(&udid).to_xml())).await;
    assert_mdm_error(
        &r,
        StatusCode::UNAUTHORIZED,
        &["unknown device"],
        "borrowed UDID",
    );
    fx.assert_healthy("an Idle with a borrowed UDID").await;

    // No client certificate.
    let anonymous = fx.client(None, HttpVersion::Http1);
    let r = send(&anonymous, command(CommandReport::idle(&udid).to_xml())).await;
    assert_status(&r, StatusCode::UNAUTHORIZED, "command without certificate");
    fx.assert_healthy("a command poll without a client certificate")
        .await;

    let r = send(
        &mdm,
        OutgoingRequest::new(Method::POST, MDM_HOST, COMMAND_PATH),
    )
    .await;
    assert_mdm_error(&r, StatusCode::METHOD_NOT_ALLOWED, &["PUT"], "POST command");
    fx.assert_healthy("a POST on the command endpoint").await;
    fx.lab.world.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_one_mebibyte_gets_413() {
    let fx = fixture(73).await;
    let id = fx.stray_device_identity();
    let mdm = fx.client(Some(&id), HttpVersion::Http1);

    // At the limit the body is read (and is garbage): 400, not 413.
    let r = send(&mdm, checkin(vec![b'x'; MAX_BODY_BYTES])).await;
    assert_status(&r, StatusCode::BAD_REQUEST, "a body of exactly the limit");
    fx.assert_healthy("a body at the limit").await;

    let r = send(&mdm, checkin(vec![b'x'; MAX_BODY_BYTES + 1])).await;
    assert_mdm_error(
        &r,
        StatusCode::PAYLOAD_TOO_LARGE,
        &[&MAX_BODY_BYTES.to_string()],
        "a check-in one byte over the limit",
    );
    fx.assert_healthy("a check-in one byte over the limit")
        .await;

    // The same front end guards the other services.
    let r = send(
        &fx.client(None, HttpVersion::Http1),
        token_request(&"a".repeat(MAX_BODY_BYTES + 1)),
    )
    .await;
    assert_status(
        &r,
        StatusCode::PAYLOAD_TOO_LARGE,
        "an oversized token request",
    );
    fx.assert_healthy("an oversized token request").await;
    fx.lab.world.shutdown().await;
}

/// A body several MiB over the limit must get the same 413. It mostly gets no answer at all:
/// the server answers 413 after reading 1 MiB and closes the connection with the rest of the
/// body unread (`simulator/src/net/server.rs`, `read_request` and `serve_connection`), so the
/// client, still writing, fails with "error writing a body to connection: Broken pipe" and
/// never reads the 413 (a real front end drains or lingers before closing). A few attempts
/// make the failure show reliably.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]

async fn a_body_far_over_one_mebibyte_gets_413() {
    let fx = fixture(80).await;
    let id = fx.stray_device_identity();
    let mdm = fx.client(Some(&id), HttpVersion::Http1);
    for attempt in 1..=5 {
        let size = 8 * MAX_BODY_BYTES;
        let r = mdm
            .send(checkin(vec![b'x'; size]))
            .await
            .unwrap_or_else(|e| {
                panic!("attempt {attempt}: a {size}-byte check-in got no HTTP answer: {e}")
            });
        assert_mdm_error(
            &r,
            StatusCode::PAYLOAD_TOO_LARGE,
            &[&MAX_BODY_BYTES.to_string()],
            &format!("attempt {attempt}: a {size}-byte check-in"),
        );
        fx.assert_healthy(&format!("a {size}-byte check-in")).await;
    }
    fx.lab.world.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mdm_refuses_a_certificate_from_another_authority() {
    let fx = fixture(74).await;
    // A certificate from the world's push CA, which Intune's MDM endpoints do not trust for
    // client authentication.
    let push = fx.push_identity();
    let result = fx
        .client(Some(&push), HttpVersion::Http1)
        .send(checkin(authenticate(&fx.topic)))
        .await;
    assert_handshake_refused(result, "MDM check-in with a push certificate");
    fx.assert_healthy("a check-in with a foreign certificate")
        .await;
    fx.lab.world.shutdown().await;
}

/// A device identity from a separate lab PKI must not get past the TLS handshake.
///
/// It does: every `LabPki` in a process signs with the same process-wide keys
/// (`certs/src/keys.rs`) and gives its authorities the same names (`certs/src/authority.rs`,
/// `LabPki::new`), so another world's "Intune MDM Device CA" is indistinguishable from this
/// world's, and its certificates verify against this world's trust anchor. Intune then answers
/// 401 (unknown identity) instead of the handshake failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]

async fn mdm_refuses_an_identity_from_a_foreign_pki() {
    let fx = fixture(75).await;
    let now = fx.lab.world.clock.now();
    let foreign = LabPki::new(now).expect("foreign PKI");
    let id = foreign
        .device_identity(
            "foreign",
            now - Duration::minutes(5),
            now + Duration::days(30),
        )
        .expect("foreign identity");
    let result = fx
        .client(Some(&id), HttpVersion::Http1)
        .send(checkin(authenticate(&fx.topic)))
        .await;
    assert_handshake_refused(result, "MDM check-in with a foreign PKI's device identity");
    fx.assert_healthy("a check-in with a foreign PKI's identity")
        .await;
    fx.lab.world.shutdown().await;
}

/// Asserts Entra ID's error shape: `error`, `error_description` starting with `AADSTS<code>`,
/// `error_codes`, `timestamp`, `trace_id`, `correlation_id` (echoing `client-request-id`).
fn assert_aadsts(r: &IncomingResponse, error: &str, code: u64, what: &str) {
    assert_status(r, StatusCode::BAD_REQUEST, what);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{what}: content type {:?}",
        r.header("content-type")
    );
    let v = json(r);
    assert_eq!(v["error"], error, "{what}: {v}");
    let description = v["error_description"].as_str().unwrap_or_default();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{what}: error_description {description:?}"
    );
    assert!(
        description.len() > format!("AADSTS{code}: ").len() + 10,
        "{what}: {description:?}"
    );
    assert_eq!(v["error_codes"], serde_json::json!([code]), "{what}: {v}");
    for key in ["trace_id", "correlation_id", "timestamp"] {
        assert!(
            v[key].as_str().is_some_and(|s| !s.is_empty()),
            "{what}: {key} missing: {v}"
        );
    }
    assert_eq!(
        v["correlation_id"], "0f0e0d0c-0b0a-4908-8706-050403020100",
        "{what}: correlation_id does not echo client-request-id"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_token_endpoint_answers_aadsts_errors() {
    let fx = fixture(76).await;
    let client = fx.client(None, HttpVersion::Http1);

    let r = send(
        &client,
        token_request("grant_type=password&client_id=c&username=alex%40contoso.example"),
    )
    .await;
    assert_aadsts(&r, "invalid_request", 900144, "missing password");
    assert!(json(&r)["error_description"]
        .as_str()
        .unwrap_or("")
        .contains("password"));
    fx.assert_healthy("a token request without password").await;

    let r = send(&client, token_request("")).await;
    assert_aadsts(&r, "unsupported_grant_type", 70003, "empty body");
    fx.assert_healthy("an empty token request").await;

    let r = send(
        &client,
        token_request("grant_type=authorization_code&client_id=c&code=x"),
    )
    .await;
    assert_aadsts(&r, "unsupported_grant_type", 70003, "wrong grant");
    assert!(json(&r)["error_description"]
        .as_str()
        .unwrap_or("")
        .contains("authorization_code"));
    fx.assert_healthy("an authorization-code grant").await;

    // Client credentials are a grant the endpoint takes, for apps the directory holds.
    let r = send(
        &client,
        token_request("grant_type=client_credentials&client_id=c&client_secret=s"),
    )
    .await;
    assert_aadsts(&r, "unauthorized_client", 700016, "unknown app");
    fx.assert_healthy("a client-credentials grant of an unknown app")
        .await;

    let r = send(
        &client,
        OutgoingRequest::new(Method::POST, PUBLIC_LOGIN_HOST, "/organizations/oauth2/v2.0/token")
            .header("client-request-id", "0f0e0d0c-0b0a-4908-8706-050403020100")
            .json(&serde_json::json!({"grant_type": "password", "username": UPN, "password": PASSWORD, "client_id": "c"})),
    )
    .await;
    assert_aadsts(&r, "invalid_request", 900144, "JSON body");
    assert!(json(&r)["error_description"]
        .as_str()
        .unwrap_or("")
        .contains("x-www-form-urlencoded"));
    fx.assert_healthy("a JSON token request").await;

    let r = send(
        &client,
        token_request(
            "grant_type=password&client_id=c&username=alex%40contoso.example&password=wrong",
        ),
    )
    .await;
    assert_aadsts(&r, "invalid_grant", 50126, "wrong password");
    fx.assert_healthy("a wrong password").await;

    let r = send(&client, token_request("%%%=%%&&=&grant_type=%zz")).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "percent garbage: {}",
        text(&r)
    );
    assert!(json(&r)["error_description"]
        .as_str()
        .unwrap_or("")
        .starts_with("AADSTS"));
    fx.assert_healthy("a garbled form").await;

    let r = send(
        &client,
        OutgoingRequest::new(
            Method::GET,
            PUBLIC_LOGIN_HOST,
            "/organizations/oauth2/v2.0/token",
        ),
    )
    .await;
    assert_status(&r, StatusCode::METHOD_NOT_ALLOWED, "GET token");
    fx.assert_healthy("a GET on the token endpoint").await;
    fx.lab.world.shutdown().await;
}

/// Asserts Graph's error shape: `{"error": {"code", "message", "innerError": {"request-id",
/// "date"}}}`; returns the message.
fn assert_graph_error(r: &IncomingResponse, status: StatusCode, code: &str, what: &str) -> String {
    assert_status(r, status, what);
    let v = json(r);
    assert_eq!(v["error"]["code"], code, "{what}: {v}");
    let message = v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!message.is_empty(), "{what}: no message: {v}");
    for key in ["request-id", "date"] {
        assert!(
            v["error"]["innerError"][key]
                .as_str()
                .is_some_and(|s| !s.is_empty()),
            "{what}: innerError.{key} missing: {v}"
        );
    }
    message
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_admin_api_rejects_bad_input() {
    let fx = fixture(77).await;
    let client = fx.client(None, HttpVersion::Http1);
    let bearer = format!("Bearer {}", fx.admin_token());
    let devices = "/v1.0/deviceManagement/managedDevices";

    let r = send(
        &client,
        OutgoingRequest::new(Method::GET, GRAPH_HOST, devices),
    )
    .await;
    assert_graph_error(
        &r,
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        "no token",
    );
    fx.assert_healthy("a Graph call without token").await;

    let r = send(
        &client,
        OutgoingRequest::new(Method::GET, GRAPH_HOST, devices)
            .header("authorization", "Bearer not-the-token"),
    )
    .await;
    assert_graph_error(
        &r,
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        "wrong token",
    );
    fx.assert_healthy("a Graph call with a wrong token").await;

    // The Default device limit restriction, and its limit before anything is tried.
    let configurations = "/v1.0/deviceManagement/deviceEnrollmentConfigurations";
    let list_limits = || async {
        let r = send(
            &client,
            OutgoingRequest::new(Method::GET, GRAPH_HOST, configurations)
                .header("authorization", bearer.clone()),
        )
        .await;
        assert_status(&r, StatusCode::OK, "list configurations");
        json(&r)["value"]
            .as_array()
            .expect("value")
            .iter()
            .filter(|c| c["@odata.type"] == "#microsoft.graph.deviceEnrollmentLimitConfiguration")
            .map(|c| {
                (
                    c["id"].as_str().unwrap_or("").to_string(),
                    c["limit"].as_u64().unwrap_or(0),
                )
            })
            .collect::<Vec<_>>()
    };
    let before = list_limits().await;
    assert!(!before.is_empty(), "no device limit restriction");
    let (id, _) = before[0].clone();
    let patch = |body: &str| {
        OutgoingRequest::new(Method::PATCH, GRAPH_HOST, &format!("{configurations}/{id}"))
            .header("authorization", bearer.clone())
            .body("application/json", body.to_string())
    };

    let r = send(&client, patch("{\"limit\": 5,\n  \"x\": }")).await;
    let message = assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest", "malformed JSON");
    assert!(
        message.contains("line 2") && message.contains("column 8"),
        "malformed JSON: the message does not name line 2, column 8: {message}"
    );
    fx.assert_healthy("a malformed JSON PATCH").await;

    for bad in ["0", "16", "-1", "4294967301", "5.5", "\"five\"", "null"] {
        let r = send(&client, patch(&format!("{{\"limit\": {bad}}}"))).await;
        let message = assert_graph_error(
            &r,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!("limit {bad}"),
        );
        assert!(
            message.contains("limit") && message.contains('1') && message.contains("15"),
            "limit {bad}: the message does not say the allowed range: {message}"
        );
        fx.assert_healthy(&format!("a device limit of {bad}")).await;
    }
    assert_eq!(
        list_limits().await,
        before,
        "a rejected PATCH changed a limit"
    );

    // An accepted value at each end of the range does change it.
    for good in [1u64, 15] {
        let r = send(&client, patch(&format!("{{\"limit\": {good}}}"))).await;
        assert!(
            r.status.is_success(),
            "limit {good}: {:?} {}",
            r.status,
            text(&r)
        );
        assert_eq!(list_limits().await[0], (id.clone(), good));
    }

    let r = send(
        &client,
        OutgoingRequest::new(
            Method::GET,
            GRAPH_HOST,
            "/v1.0/deviceManagement/nothingHere",
        )
        .header("authorization", bearer.clone()),
    )
    .await;
    assert_graph_error(
        &r,
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        "unknown resource",
    );
    fx.assert_healthy("an unknown Graph resource").await;
    fx.lab.world.shutdown().await;
}

fn assert_apns_reason(r: &IncomingResponse, status: StatusCode, reason: &str, what: &str) {
    assert_status(r, status, what);
    assert_eq!(json(r)["reason"], reason, "{what}: {}", text(r));
    assert!(r.header("apns-id").is_some(), "{what}: no apns-id header");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apns_rejects_bad_input() {
    let fx = fixture(78).await;
    let push = fx.push_identity();
    let apns = fx.client(Some(&push), HttpVersion::Http2);
    let unknown_token = "ab".repeat(32);

    let r = send(
        &apns,
        push_request(&unknown_token, &fx.topic, br#"{"mdm":"x"}"#),
    )
    .await;
    assert_apns_reason(
        &r,
        StatusCode::BAD_REQUEST,
        "BadDeviceToken",
        "unknown token",
    );
    fx.assert_healthy("a push to an unknown token").await;

    let r = send(&apns, push_request("not-hex", &fx.topic, br#"{"mdm":"x"}"#)).await;
    assert_apns_reason(
        &r,
        StatusCode::BAD_REQUEST,
        "BadDeviceToken",
        "malformed token",
    );
    fx.assert_healthy("a push to a malformed token").await;

    let r = send(
        &apns,
        push_request(&unknown_token, &fx.topic, br#"{"aps":{}}"#),
    )
    .await;
    assert_status(&r, StatusCode::BAD_REQUEST, "no mdm key");
    assert!(
        json(&r)["reason"].as_str().is_some_and(|s| !s.is_empty()),
        "no mdm key: {}",
        text(&r)
    );
    fx.assert_healthy("a push without mdm").await;

    let r = send(&apns, push_request(&unknown_token, &fx.topic, b"{not json")).await;
    assert_status(&r, StatusCode::BAD_REQUEST, "not JSON");
    fx.assert_healthy("a push that is not JSON").await;

    let big = format!("{{\"mdm\":\"{}\"}}", "x".repeat(5000));
    let r = send(
        &apns,
        push_request(&unknown_token, &fx.topic, big.as_bytes()),
    )
    .await;
    assert_apns_reason(
        &r,
        StatusCode::PAYLOAD_TOO_LARGE,
        "PayloadTooLarge",
        "5 KB payload",
    );
    fx.assert_healthy("an oversized push").await;

    let r = send(
        &apns,
        push_request(
            &unknown_token,
            "com.apple.mgmt.External.other",
            br#"{"mdm":"x"}"#,
        ),
    )
    .await;
    assert_apns_reason(
        &r,
        StatusCode::BAD_REQUEST,
        "TopicDisallowed",
        "another topic",
    );
    fx.assert_healthy("a push on another topic").await;

    let r = send(
        &apns,
        OutgoingRequest::new(
            Method::GET,
            APNS_HOST,
            &format!("/3/device/{unknown_token}"),
        ),
    )
    .await;
    assert_apns_reason(
        &r,
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "GET",
    );
    fx.assert_healthy("a GET to APNs").await;

    let r = send(
        &apns,
        OutgoingRequest::new(Method::POST, APNS_HOST, "/4/notify")
            .body("application/json", b"{}".to_vec()),
    )
    .await;
    assert_apns_reason(&r, StatusCode::NOT_FOUND, "BadPath", "bad path");
    fx.assert_healthy("a push to a bad path").await;

    // No client certificate: APNs requires one, the handshake fails.
    let result = fx
        .client(None, HttpVersion::Http2)
        .send(push_request(&unknown_token, &fx.topic, br#"{"mdm":"x"}"#))
        .await;
    assert_handshake_refused(result, "APNs without a client certificate");
    fx.assert_healthy("a push without a client certificate")
        .await;

    // A certificate Apple's push CA did not issue (Intune's device CA did).
    let device = fx.stray_device_identity();
    let result = fx
        .client(Some(&device), HttpVersion::Http2)
        .send(push_request(&unknown_token, &fx.topic, br#"{"mdm":"x"}"#))
        .await;
    assert_handshake_refused(result, "APNs with a device certificate");
    fx.assert_healthy("a push with a foreign certificate").await;
    fx.lab.world.shutdown().await;
}

/// A push certificate from a separate lab PKI must fail APNs's handshake. It does not, for the
/// same reason as [`mdm_refuses_an_identity_from_a_foreign_pki`]: the process-wide CA keys and
/// names make every lab's "Apple" push CA the same CA.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]

async fn apns_refuses_a_push_certificate_from_a_foreign_pki() {
    let fx = fixture(79).await;
    let now = fx.lab.world.clock.now();
    let foreign = LabPki::new(now).expect("foreign PKI");
    let cert = foreign
        .push_certificate(
            &fx.topic,
            now - Duration::minutes(1),
            now + Duration::days(30),
        )
        .expect("foreign push certificate");
    let result = fx
        .client(Some(&cert), HttpVersion::Http2)
        .send(push_request(&"ab".repeat(32), &fx.topic, br#"{"mdm":"x"}"#))
        .await;
    assert_handshake_refused(result, "APNs with a foreign PKI's push certificate");
    fx.assert_healthy("a push with a foreign PKI's certificate")
        .await;
    fx.lab.world.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Scenario files
// ---------------------------------------------------------------------------------------------

const FILE: &str = "scenarios/broken.toml";

/// A valid scenario file with `world_lines` added to its `[world]` table.
fn scenario_text(world_lines: &str) -> String {
    format!(
        "id = \"broken\"\ntitle = \"A broken scenario\"\n\n[world]\nseed = 3\n{world_lines}\n[[world.users]]\nupn = \"alex@contoso.example\"\n\n[action]\nenroll = \"company-portal\"\nuser = \"alex@contoso.example\"\n\n[expect]\noutcome = \"enrolled\"\n"
    )
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the text"))
        + 1
}

/// Parses `text`, expects an error that starts with `FILE:<line>:` (the line holding `at`) and
/// names every one of `words`.
fn assert_scenario_error(text: &str, at: &str, words: &[&str]) {
    let err = match enrollsim::Scenario::from_toml_str(text, FILE) {
        Ok(s) => panic!("accepted a broken scenario: {s:?}\n{text}"),
        Err(e) => e.to_string(),
    };
    let line = line_of(text, at);
    let prefix = format!("{FILE}:{line}:");
    assert!(
        err.starts_with(&prefix),
        "the error does not start with {prefix}<column>: {err}\n--- file ---\n{text}"
    );
    let column = err[prefix.len()..].split(':').next().unwrap_or("");
    assert!(
        column.parse::<usize>().is_ok_and(|c| c >= 1),
        "no column after {prefix}: {err}"
    );
    for w in words {
        assert!(err.contains(w), "the error does not name {w:?}: {err}");
    }
}

#[test]
fn malformed_scenario_files_name_file_line_column_and_what_was_expected() {
    // An unknown key.
    let text = scenario_text("colour = \"blue\"");
    assert_scenario_error(
        &text,
        "colour",
        &["unknown field `colour`", "expected one of", "seed"],
    );

    // An unknown key deeper down.
    let text = scenario_text("[world.tenant]\ndefault_device_limt = 5");
    assert_scenario_error(
        &text,
        "default_device_limt",
        &["default_device_limt", "default_device_limit"],
    );

    // A value of the wrong type.
    let text = scenario_text("").replace("seed = 3", "seed = \"three\"");
    assert_scenario_error(&text, "seed = ", &["invalid type", "expected"]);

    // A value not in the enumeration.
    let text = scenario_text("").replace("enroll = \"company-portal\"", "enroll = \"usb\"");
    assert_scenario_error(&text, "enroll = ", &["usb", "company-portal"]);

    // Not TOML at all.
    let text = scenario_text("").replace("[action]", "[action");
    assert_scenario_error(&text, "[action", &[]);

    // A missing required table.
    let text = scenario_text("").replace("[expect]\noutcome = \"enrolled\"\n", "");
    let err = enrollsim::Scenario::from_toml_str(&text, FILE)
        .expect_err("a scenario without [expect]")
        .to_string();
    assert!(
        err.starts_with(&format!("{FILE}:")) && err.contains("expect"),
        "{err}"
    );
}

/// Semantic errors (a user the world does not have, a device limit Intune does not allow, a
/// start time that is not RFC 3339) must also name the line and column they are on, as the
/// syntax errors do. They do not: `Scenario::validate` runs after deserialization and
/// `ScenarioError::Invalid` carries only the file (`harness/src/scenario/load.rs`, `validate`
/// and `from_toml_str`), e.g. `scenarios/broken.toml: action.user "ghost@contoso.example" is
/// not one of world.users`.
#[test]

fn semantic_scenario_errors_name_file_line_and_column() {
    let ghost = scenario_text("").replace(
        "user = \"alex@contoso.example\"",
        "user = \"ghost@contoso.example\"",
    );
    assert_scenario_error(&ghost, "ghost@", &["ghost@contoso.example", "world.users"]);

    for limit in ["0", "16"] {
        let text = scenario_text(&format!("[world.tenant]\ndefault_device_limit = {limit}"));
        assert_scenario_error(&text, "default_device_limit", &[limit, "1", "15"]);

        let text = scenario_text(&format!(
            "[[world.tenant.limit_restrictions]]\nname = \"Sales\"\npriority = 1\nlimit = {limit}"
        ));
        assert_scenario_error(&text, "limit = ", &[limit, "1", "15"]);
    }

    let text = scenario_text("start = \"26/11/2026 09:00\"");
    assert_scenario_error(&text, "start = ", &["26/11/2026 09:00", "RFC 3339"]);
}

/// What the semantic errors do say today: the file and what was expected (this half holds).
#[test]
fn semantic_scenario_errors_name_the_file_and_what_was_expected() {
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            scenario_text("").replace(
                "user = \"alex@contoso.example\"",
                "user = \"ghost@contoso.example\"",
            ),
            vec!["ghost@contoso.example", "world.users"],
        ),
        (
            scenario_text("[world.tenant]\ndefault_device_limit = 0"),
            vec!["default_device_limit", "0", "1 to 15"],
        ),
        (
            scenario_text("[world.tenant]\ndefault_device_limit = 16"),
            vec!["default_device_limit", "16", "1 to 15"],
        ),
        (
            scenario_text(
                "[[world.tenant.limit_restrictions]]\nname = \"Sales\"\npriority = 1\nlimit = 16",
            ),
            vec!["limit_restrictions[0].limit", "16", "1 to 15"],
        ),
        (
            scenario_text("start = \"26/11/2026 09:00\""),
            vec!["world.start", "26/11/2026 09:00", "RFC 3339"],
        ),
    ];
    for (text, words) in cases {
        let err = match enrollsim::Scenario::from_toml_str(&text, FILE) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        };
        assert!(
            err.starts_with(FILE),
            "the error does not name the file: {err}"
        );
        for w in words {
            assert!(err.contains(w), "the error does not name {w:?}: {err}");
        }
    }
}
