//! Apple's ADE service over real TLS on loopback: the DEP API as Intune uses it through
//! `DepClient`, the OAuth 1.0a `/session` handshake, and the device-facing activation hop.

use std::sync::{Arc, Mutex};

use enrollsim_certs::LabPki;
use enrollsim_simulator::clock::VirtualClock;
use enrollsim_simulator::cloud::apple_ade::oauth::{
    hmac_sha1_signature, signature_base_string, OAuthParams, REALM, SIGNATURE_METHOD,
};
use enrollsim_simulator::cloud::apple_ade::{
    read_cloud_configuration, AbmDevice, AppleAdeService, AppleAdeState, DepClient, DepClientError,
    Organization, ServerToken, SharedAdeState, CLOUD_CONFIG_PATH, DEP_HOST, IPROFILES_HOST,
};
use enrollsim_simulator::net::client::{HttpsClient, IncomingResponse, OutgoingRequest};
use enrollsim_simulator::net::server::{serve, ServerHandle};
use enrollsim_simulator::net::tls::{client_config, server_config, ClientAuth, HttpVersion};
use enrollsim_simulator::net::{BoxFuture, Handler, HostMap, Request, Response};
use enrollsim_simulator::recorder::{Happening, Recorder};
use enrollsim_simulator::rng::SeededRng;
use enrollsim_simulator::wire::cloud_config::CloudConfigRequest;
use enrollsim_simulator::wire::dep::{DepErrorCode, DepProfile, DeviceStatus, ProfileStatus};
use hyper::Method;
use time::macros::datetime;
use time::Duration;

const SERIAL: &str = "F2LXQ1ABCD12";
const OTHER_SERIAL: &str = "DMPXQ9ZZZZ01";
const MDM_URL: &str = "https://fef.msub01.manage.microsoft.com/StatelessIOSEnrollmentService/DeviceEnrollment/deviceenroll";

/// The ADE service behind a handler that remembers every `Authorization` header it saw.
struct Capturing {
    inner: AppleAdeService,
    authorizations: Arc<Mutex<Vec<String>>>,
}

impl Handler for Capturing {
    fn handle(&self, request: Request) -> BoxFuture<'_, Response> {
        if let Some(a) = request.header("authorization") {
            self.authorizations
                .lock()
                .expect("lock")
                .push(a.to_string());
        }
        self.inner.handle(request)
    }
}

struct Lab {
    clock: VirtualClock,
    rng: SeededRng,
    state: SharedAdeState,
    server_uuid: String,
    other_server: String,
    token: ServerToken,
    http: HttpsClient,
    recorder: Recorder,
    authorizations: Arc<Mutex<Vec<String>>>,
    _server: ServerHandle,
}

impl Lab {
    async fn new() -> Lab {
        let start = datetime!(2026-11-26 10:00 UTC);
        let clock = VirtualClock::starting_at(start);
        let rng = SeededRng::new(42);
        let pki = LabPki::new(start).expect("pki");
        let identity = pki
            .server_identity(&[DEP_HOST, IPROFILES_HOST], start)
            .expect("identity");

        let mut state = AppleAdeState::new(Organization::new("Contoso", &rng));
        let server_uuid = state.add_mdm_server("Intune", &rng);
        let other_server = state.add_mdm_server("Other MDM", &rng);
        let token = state
            .issue_server_token(&server_uuid, &rng, start)
            .expect("token");
        let mut mine = AbmDevice::iphone(SERIAL);
        mine.mdm_server = Some(server_uuid.clone());
        state.add_device(mine, start);
        let mut theirs = AbmDevice::ipad(OTHER_SERIAL);
        theirs.mdm_server = Some(other_server.clone());
        state.add_device(theirs, start);
        let state = state.shared();

        let authorizations = Arc::new(Mutex::new(Vec::new()));
        let handler = Capturing {
            inner: AppleAdeService::new(state.clone(), clock.clone(), rng.fork()),
            authorizations: authorizations.clone(),
        };
        let tls = server_config(&identity, ClientAuth::None, &clock).expect("server tls");
        let server = serve(tls, Arc::new(handler)).await.expect("serve");
        let hosts = HostMap::new();
        hosts.insert(DEP_HOST, server.addr());
        hosts.insert(IPROFILES_HOST, server.addr());
        let trust = [pki.lab_root.certificate().clone()];
        let client_tls =
            client_config(&trust, None, HttpVersion::Http1, &clock).expect("client tls");
        let recorder = Recorder::new();
        let http = HttpsClient::new(
            hosts,
            client_tls,
            HttpVersion::Http1,
            recorder.clone(),
            clock.clone(),
            "Intune",
        );
        Lab {
            clock,
            rng,
            state,
            server_uuid,
            other_server,
            token,
            http,
            recorder,
            authorizations,
            _server: server,
        }
    }

    fn client(&self) -> DepClient {
        self.client_with(self.token.clone())
    }

    fn client_with(&self, token: ServerToken) -> DepClient {
        DepClient::new(
            self.http.clone(),
            token,
            self.clock.clone(),
            self.rng.fork(),
        )
        .with_user_agent("Intune-DEP/1.0")
    }

    fn state(&self) -> std::sync::MutexGuard<'_, AppleAdeState> {
        self.state.lock().expect("state")
    }

    async fn raw(&self, request: OutgoingRequest) -> IncomingResponse {
        self.http.send(request).await.expect("an HTTP answer")
    }

    async fn activate(&self, serial: &str) -> IncomingResponse {
        let request = OutgoingRequest::new(Method::POST, IPROFILES_HOST, CLOUD_CONFIG_PATH)
            .json(&CloudConfigRequest::new(serial));
        self.raw(request).await
    }

    /// Statuses of every `/session` exchange so far.
    fn session_statuses(&self) -> Vec<Option<u16>> {
        self.recorder
            .entries()
            .into_iter()
            .filter_map(|e| match e.what {
                Happening::Http(x) if x.path == "/session" => Some(x.status),
                _ => None,
            })
            .collect()
    }
}

fn body_text(r: &IncomingResponse) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

fn api_code(err: &DepClientError) -> (u16, DepErrorCode) {
    (
        err.status().expect("an HTTP answer"),
        err.code().expect("an error code").clone(),
    )
}

#[tokio::test]
async fn happy_path_from_session_to_cloud_configuration() {
    let lab = Lab::new().await;
    let dep = lab.client();

    let account = dep.account().await.expect("account");
    assert_eq!(account.server_name, "Intune");
    assert_eq!(account.server_uuid, lab.server_uuid);
    assert_eq!(account.org_name, "Contoso");

    let page = dep.fetch_devices(None).await.expect("fetch");
    let serials: Vec<_> = page
        .devices
        .iter()
        .map(|d| d.serial_number.as_str())
        .collect();
    assert_eq!(serials, [SERIAL], "only this server's devices");
    assert!(!page.more_to_follow);
    assert_eq!(page.devices[0].profile_status, Some(ProfileStatus::Empty));

    let mut profile = DepProfile::new("Corporate iPhones", MDM_URL);
    profile.is_supervised = Some(true);
    profile.is_mandatory = Some(true);
    profile.is_mdm_removable = Some(false);
    profile.await_device_configured = Some(true);
    profile.department = Some("IT".to_string());
    profile.skip_setup_items = Some(vec!["Siri".to_string(), "Privacy".to_string()]);
    let uuid = dep.define_profile(&profile).await.expect("define");
    assert_eq!(dep.get_profile(&uuid).await.expect("get").url, MDM_URL);

    let assigned = dep
        .assign_profile(&uuid, &[SERIAL.to_string(), OTHER_SERIAL.to_string()])
        .await
        .expect("assign");
    assert_eq!(assigned.devices[SERIAL], DeviceStatus::Success);
    assert_eq!(assigned.devices[OTHER_SERIAL], DeviceStatus::NotAccessible);

    let answer = lab.activate(SERIAL).await;
    assert_eq!(answer.status.as_u16(), 200);
    assert_eq!(
        answer.header("content-type"),
        Some("application/x-apple-aspen-config")
    );
    let config = read_cloud_configuration(&answer.body)
        .expect("readable")
        .expect("a configuration");
    assert_eq!(config.configuration_url, MDM_URL);
    assert!(config.is_supervised && config.is_mandatory);
    assert!(config.is_mdm_unremovable && config.await_device_configured);
    assert_eq!(config.organization_name, "Contoso");
    assert_eq!(config.organization_department.as_deref(), Some("IT"));
    assert_eq!(
        config.skip_setup.as_deref(),
        Some(&["Siri".to_string(), "Privacy".to_string()][..])
    );

    let details = dep
        .device_details(&[SERIAL.to_string()])
        .await
        .expect("details");
    let record = &details.devices[SERIAL];
    assert_eq!(record.profile_status, Some(ProfileStatus::Pushed));
    assert_eq!(record.profile_uuid.as_deref(), Some(uuid.as_str()));
    assert!(record.profile_push_time.is_some());

    // The fetch's cursor, synced, reports what happened since: assigned, then pushed.
    let sync = dep.sync_devices(&page.cursor).await.expect("sync");
    let ops: Vec<_> = sync
        .devices
        .iter()
        .map(|d| (d.serial_number.as_str(), d.op_type))
        .collect();
    assert_eq!(ops.len(), 2);
    assert!(ops.iter().all(|(s, _)| *s == SERIAL));
    assert_eq!(
        lab.session_statuses(),
        [Some(200)],
        "one session served it all"
    );
}

#[tokio::test]
async fn session_header_is_oauth1_hmac_sha1_for_realm_adm() {
    let lab = Lab::new().await;
    lab.client().authenticate().await.expect("session");
    let headers = lab.authorizations.lock().expect("lock").clone();
    assert_eq!(headers.len(), 1);
    let header = &headers[0];
    assert!(header.starts_with("OAuth "), "{header}");
    for param in [
        "realm=\"ADM\"",
        "oauth_signature_method=\"HMAC-SHA1\"",
        "oauth_version=\"1.0\"",
        &format!("oauth_consumer_key=\"{}\"", lab.token.consumer_key),
        &format!("oauth_token=\"{}\"", lab.token.access_token),
        "oauth_nonce=\"",
        "oauth_timestamp=\"",
        "oauth_signature=\"",
    ] {
        assert!(header.contains(param), "{param} missing from {header}");
    }
    let parsed = OAuthParams::parse(header).expect("parses");
    assert_eq!(parsed.realm.as_deref(), Some(REALM));
    assert_eq!(parsed.signature_method, SIGNATURE_METHOD);
    assert_eq!(
        parsed.timestamp,
        datetime!(2026-11-26 10:00 UTC).unix_timestamp().to_string()
    );
    // The signature is RFC 5849's, recomputed here from its parts.
    let base = signature_base_string(
        "GET",
        &format!("https://{DEP_HOST}/session"),
        &parsed.signed_params(&[]),
    );
    assert_eq!(
        parsed.signature,
        hmac_sha1_signature(&base, &lab.token.consumer_secret, &lab.token.access_secret)
    );
}

#[test]
fn signature_matches_published_vectors() {
    // RFC 5849 §1.2 (photos.example.net), and OAuth Core 1.0 Appendix A.5 with oauth_version.
    let params = |nonce: &str, ts: &str, version: bool| {
        let mut p: Vec<(String, String)> = [
            ("file", "vacation.jpg"),
            ("size", "original"),
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", ts),
            ("oauth_nonce", nonce),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        if version {
            p.push(("oauth_version".to_string(), "1.0".to_string()));
        }
        p
    };
    let uri = "http://photos.example.net/photos";
    let rfc = signature_base_string("GET", uri, &params("chapoH", "137131202", false));
    assert_eq!(
        hmac_sha1_signature(&rfc, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
        "MdpQcU8iPSUjWoN/UDMsK2sui9I="
    );
    let core = signature_base_string("GET", uri, &params("kllo9940pd9333jh", "1191242096", true));
    assert_eq!(
        hmac_sha1_signature(&core, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
        "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
    );
    // An Apple-shaped request, worked out by hand with Python's hmac module.
    let apple: Vec<(String, String)> = [
        ("oauth_consumer_key", "CK_demo"),
        ("oauth_token", "AT_Odemo"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "1798279200"),
        ("oauth_nonce", "0123456789abcdef"),
        ("oauth_version", "1.0"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let base = signature_base_string("GET", "https://mdmenrollment.apple.com/session", &apple);
    assert_eq!(
        base,
        "GET&https%3A%2F%2Fmdmenrollment.apple.com%2Fsession&oauth_consumer_key%3DCK_demo\
         %26oauth_nonce%3D0123456789abcdef%26oauth_signature_method%3DHMAC-SHA1\
         %26oauth_timestamp%3D1798279200%26oauth_token%3DAT_Odemo%26oauth_version%3D1.0"
    );
    assert_eq!(
        hmac_sha1_signature(&base, "CS_demo", "AS_demo"),
        APPLE_VECTOR_SIGNATURE
    );
}

/// HMAC-SHA1 of the Apple-shaped base string above under `CS_demo&AS_demo`, computed with
/// Python (`base64.b64encode(hmac.new(b"CS_demo&AS_demo", base, hashlib.sha1).digest())`).
const APPLE_VECTOR_SIGNATURE: &str = "YrMVPmzsSHnnP3tKJRqDHA/hPZY=";

#[tokio::test]
async fn bad_signature_is_401() {
    let lab = Lab::new().await;
    let mut forged = lab.token.clone();
    forged.access_secret = "AS_not_the_secret".to_string();
    let err = lab
        .client_with(forged)
        .authenticate()
        .await
        .expect_err("401");
    assert_eq!(err.status(), Some(401));
    match err {
        DepClientError::Auth { problem, .. } => {
            assert_eq!(problem.as_deref(), Some("signature_invalid"))
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn replayed_nonce_is_401() {
    let lab = Lab::new().await;
    let header = lab.client().session_authorization();
    let send = || {
        OutgoingRequest::new(Method::GET, DEP_HOST, "/session")
            .header("authorization", header.clone())
            .header("user-agent", "replayer")
    };
    let first = lab.raw(send()).await;
    assert_eq!(first.status.as_u16(), 200, "{}", body_text(&first));
    let replay = lab.raw(send()).await;
    assert_eq!(replay.status.as_u16(), 401);
    assert!(body_text(&replay).contains("nonce_used"));
}

#[tokio::test]
async fn oauth_header_problems_are_400() {
    let lab = Lab::new().await;
    let no_header = lab
        .raw(OutgoingRequest::new(Method::GET, DEP_HOST, "/session"))
        .await;
    assert_eq!(no_header.status.as_u16(), 400);
    let plaintext = lab
        .client()
        .session_authorization()
        .replace("HMAC-SHA1", "PLAINTEXT");
    let r = lab
        .raw(
            OutgoingRequest::new(Method::GET, DEP_HOST, "/session")
                .header("authorization", plaintext),
        )
        .await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(body_text(&r).contains("signature_method_rejected"));
}

#[tokio::test]
async fn stale_session_gets_401_and_the_client_authenticates_again() {
    let lab = Lab::new().await;
    let dep = lab.client();
    dep.account().await.expect("account");
    let first = dep.session().expect("a session");

    lab.clock.advance(Duration::minutes(6));
    // Sent by hand, the stale session is refused the way Apple refuses it.
    let stale = lab
        .raw(
            OutgoingRequest::new(Method::GET, DEP_HOST, "/account")
                .header("X-ADM-Auth-Session", first.clone())
                .header("user-agent", "by-hand"),
        )
        .await;
    assert_eq!(stale.status.as_u16(), 401);
    assert_eq!(body_text(&stale), "UNAUTHORIZED");

    let account = dep.account().await.expect("re-authenticated");
    assert_eq!(account.server_uuid, lab.server_uuid);
    assert_ne!(dep.session().as_deref(), Some(first.as_str()));
    assert_eq!(lab.session_statuses(), [Some(200), Some(200)]);
}

#[tokio::test]
async fn client_retries_once_after_401() {
    let lab = Lab::new().await;
    let dep = lab.client();
    dep.account().await.expect("account");
    lab.clock.advance(Duration::minutes(6));
    dep.account().await.expect("account after re-auth");
    let account_statuses: Vec<_> = lab
        .recorder
        .entries()
        .into_iter()
        .filter_map(|e| match e.what {
            Happening::Http(x) => Some((x.path, x.status)),
            _ => None,
        })
        .collect();
    assert_eq!(
        account_statuses,
        [
            ("/session".to_string(), Some(200)),
            ("/account".to_string(), Some(200)),
            ("/account".to_string(), Some(401)),
            ("/session".to_string(), Some(200)),
            ("/account".to_string(), Some(200)),
        ]
    );
}

#[tokio::test]
async fn terms_not_signed_is_403() {
    let lab = Lab::new().await;
    lab.state().terms_accepted = false;
    let err = lab.client().account().await.expect_err("403");
    assert_eq!(api_code(&err), (403, DepErrorCode::TermsNotSigned));
    assert!(matches!(err, DepClientError::Auth { .. }));

    // Accepting the terms fixes it.
    lab.state().terms_accepted = true;
    lab.client().account().await.expect("account");
}

#[tokio::test]
async fn access_denied_is_403() {
    let lab = Lab::new().await;
    lab.state()
        .set_access_denied(&lab.server_uuid, true)
        .expect("server");
    let err = lab.client().account().await.expect_err("403");
    assert_eq!(api_code(&err), (403, DepErrorCode::AccessDenied));
}

#[tokio::test]
async fn cursor_older_than_seven_days_expires() {
    let lab = Lab::new().await;
    let dep = lab.client();
    let page = dep.fetch_devices(None).await.expect("fetch");
    lab.clock.advance(Duration::days(6));
    let fresh = dep
        .sync_devices(&page.cursor)
        .await
        .expect("6 days is fine");
    lab.clock.advance(Duration::days(8));
    let err = dep.sync_devices(&page.cursor).await.expect_err("expired");
    assert_eq!(api_code(&err), (400, DepErrorCode::ExpiredCursor));
    let err = dep
        .sync_devices(&fresh.cursor)
        .await
        .expect_err("expired too");
    assert_eq!(api_code(&err), (400, DepErrorCode::ExpiredCursor));
    let err = dep.sync_devices("NOT-A-CURSOR").await.expect_err("invalid");
    assert_eq!(api_code(&err), (400, DepErrorCode::InvalidCursor));
    let err = dep
        .fetch_devices(Some(&page.cursor))
        .await
        .expect_err("old");
    assert_eq!(api_code(&err), (400, DepErrorCode::ExpiredCursor));
}

#[tokio::test]
async fn fetch_pages_and_exhausts() {
    let lab = Lab::new().await;
    {
        let mut state = lab.state();
        let now = lab.clock.now();
        for i in 0..5 {
            let mut d = AbmDevice::iphone(&format!("SERIAL{i:06}"));
            d.mdm_server = Some(lab.server_uuid.clone());
            state.add_device(d, now);
        }
    }
    let dep = lab.client();
    let first = dep.fetch_devices_page(None, Some(4)).await.expect("page 1");
    assert_eq!(first.devices.len(), 4);
    assert!(first.more_to_follow);
    let second = dep
        .fetch_devices_page(Some(&first.cursor), Some(4))
        .await
        .expect("page 2");
    assert_eq!(second.devices.len(), 2);
    assert!(!second.more_to_follow);
    let err = dep
        .fetch_devices(Some(&second.cursor))
        .await
        .expect_err("exhausted");
    assert_eq!(api_code(&err), (400, DepErrorCode::ExhaustedCursor));
    let err = dep.sync_devices("").await.expect_err("cursor required");
    assert_eq!(api_code(&err), (400, DepErrorCode::CursorRequired));
}

#[tokio::test]
async fn unknown_or_foreign_serial_is_not_accessible() {
    let lab = Lab::new().await;
    let dep = lab.client();
    let details = dep
        .device_details(&[
            SERIAL.to_string(),
            OTHER_SERIAL.to_string(),
            "NOSUCHSERIAL".to_string(),
        ])
        .await
        .expect("details");
    assert_eq!(
        details.devices[SERIAL].response_status,
        Some(DeviceStatus::Success)
    );
    for s in [OTHER_SERIAL, "NOSUCHSERIAL"] {
        assert_eq!(
            details.devices[s].response_status,
            Some(DeviceStatus::NotAccessible)
        );
        assert_eq!(details.devices[s].model, None, "nothing leaks about {s}");
    }
    let err = dep.device_details(&[]).await.expect_err("empty");
    assert_eq!(api_code(&err), (400, DepErrorCode::DeviceIdRequired));
    let err = dep
        .assign_profile("NOSUCHPROFILE", &[SERIAL.to_string()])
        .await
        .expect_err("unknown profile");
    assert_eq!(api_code(&err), (404, DepErrorCode::NotFound));
    assert_eq!(lab.other_server.len(), 36);
}

#[tokio::test]
async fn malformed_json_is_400() {
    let lab = Lab::new().await;
    let session = lab.client().authenticate().await.expect("session");
    for (method, path, body) in [
        (Method::POST, "/server/devices", "{not json"),
        (Method::POST, "/devices", "[1,2,3]"),
        (
            Method::POST,
            "/profile",
            "{\"profile_name\": 7, \"url\": \"https://x\"}",
        ),
        (Method::PUT, "/profile/devices", "\u{0}\u{ff}"),
        (Method::POST, "/devices/sync", "{\"limit\": -4}"),
    ] {
        let r = lab
            .raw(
                OutgoingRequest::new(method.clone(), DEP_HOST, path)
                    .header("X-ADM-Auth-Session", session.clone())
                    .header("user-agent", "by-hand")
                    .body("application/json;charset=UTF8", body.as_bytes().to_vec()),
            )
            .await;
        assert_eq!(r.status.as_u16(), 400, "{method} {path}");
        assert_eq!(body_text(&r), "MALFORMED_REQUEST_BODY", "{method} {path}");
    }
    let no_agent = lab
        .raw(
            OutgoingRequest::new(Method::GET, DEP_HOST, "/account")
                .header("X-ADM-Auth-Session", session.clone()),
        )
        .await;
    assert_eq!(no_agent.status.as_u16(), 400);
    assert_eq!(body_text(&no_agent), "USER_AGENT_MISSING");
    let no_session = lab
        .raw(OutgoingRequest::new(Method::GET, DEP_HOST, "/account").header("user-agent", "x"))
        .await;
    assert_eq!(no_session.status.as_u16(), 401);
    assert_eq!(body_text(&no_session), "UNAUTHORIZED");
}

#[tokio::test]
async fn define_checks_apple_rules() {
    let lab = Lab::new().await;
    let dep = lab.client();
    let mut unremovable = DepProfile::new("Corp", MDM_URL);
    unremovable.is_mdm_removable = Some(false);
    let err = dep.define_profile(&unremovable).await.expect_err("flags");
    assert_eq!(api_code(&err), (400, DepErrorCode::FlagsInvalid));
    let err = dep
        .define_profile(&DepProfile::new("Corp", "http://insecure.example"))
        .await
        .expect_err("url");
    assert_eq!(api_code(&err), (400, DepErrorCode::ConfigUrlInvalid));
    let mut magic = DepProfile::new("Corp", MDM_URL);
    magic.org_magic = Some(String::new());
    let err = dep.define_profile(&magic).await.expect_err("magic");
    assert_eq!(api_code(&err), (400, DepErrorCode::MagicInvalid));
    let mut locale = DepProfile::new("Corp", MDM_URL);
    locale.language = Some("english".to_string());
    let err = dep.define_profile(&locale).await.expect_err("locale");
    assert_eq!(api_code(&err), (400, DepErrorCode::LocaleInvalid));
    // A profile may carry devices to assign at once.
    let mut with_devices = DepProfile::new("Corp", MDM_URL);
    with_devices.devices = Some(vec![SERIAL.to_string(), "NOSUCHSERIAL".to_string()]);
    let response = dep
        .define_profile_full(&with_devices)
        .await
        .expect("define");
    assert_eq!(response.devices[SERIAL], DeviceStatus::Success);
    assert_eq!(
        response.devices["NOSUCHSERIAL"],
        DeviceStatus::NotAccessible
    );
    let state = lab.state();
    let a = state.assignment(SERIAL).expect("assigned");
    assert_eq!(a.status, ProfileStatus::Assigned);
    assert_eq!(
        a.profile_uuid.as_deref(),
        Some(response.profile_uuid.as_str())
    );
}

#[tokio::test]
async fn no_profile_means_an_empty_configuration() {
    let lab = Lab::new().await;
    // In ABM, assigned to Intune, but no profile assigned.
    let r = lab.activate(SERIAL).await;
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(read_cloud_configuration(&r.body).expect("readable"), None);
    // Not in ABM at all.
    let r = lab.activate("NOTINABM0000").await;
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(read_cloud_configuration(&r.body).expect("readable"), None);
    // A removed profile is no profile.
    let dep = lab.client();
    let uuid = dep
        .define_profile(&DepProfile::new("Corp", MDM_URL))
        .await
        .expect("define");
    dep.assign_profile(&uuid, &[SERIAL.to_string()])
        .await
        .expect("assign");
    dep.remove_profile(&[SERIAL.to_string()])
        .await
        .expect("remove");
    let r = lab.activate(SERIAL).await;
    assert_eq!(read_cloud_configuration(&r.body).expect("readable"), None);
    assert_eq!(
        lab.state()
            .dep_device(SERIAL)
            .and_then(|d| d.profile_status),
        Some(ProfileStatus::Removed)
    );
    // Garbage is refused, not a crash.
    let junk = lab
        .raw(
            OutgoingRequest::new(Method::POST, IPROFILES_HOST, CLOUD_CONFIG_PATH)
                .body("application/json", b"\xff\xfe{".to_vec()),
        )
        .await;
    assert_eq!(junk.status.as_u16(), 400);
}

#[tokio::test]
async fn a_new_server_token_invalidates_the_old_one() {
    let lab = Lab::new().await;
    let old = lab.client();
    old.account().await.expect("works before");
    let renewed = {
        let mut state = lab.state();
        let now = lab.clock.now();
        state
            .issue_server_token(&lab.server_uuid, &lab.rng, now)
            .expect("download token")
    };
    // The session opened with the old token dies with it, and the old token cannot open
    // another one.
    let err = old.account().await.expect_err("old token refused");
    assert_eq!(api_code(&err), (401, DepErrorCode::Unauthorized));
    assert!(matches!(err, DepClientError::Auth { .. }));
    // The renewed token works; so does the same client once given it.
    lab.client_with(renewed.clone())
        .account()
        .await
        .expect("new token");
    old.set_token(ServerToken::from_token_file(&renewed.to_token_file()).expect("p7m text"));
    old.account().await.expect("renewed client");
}

#[tokio::test]
async fn expired_or_revoked_token_is_401() {
    let lab = Lab::new().await;
    // A token downloaded a year and a day ago (moving the clock that far would expire the
    // lab's TLS certificates first).
    let stale = {
        let mut state = lab.state();
        let long_ago = lab.clock.now() - Duration::days(366);
        state
            .issue_server_token(&lab.server_uuid, &lab.rng, long_ago)
            .expect("token")
    };
    let err = lab
        .client_with(stale)
        .authenticate()
        .await
        .expect_err("expired");
    assert!(matches!(
        err,
        DepClientError::Auth { status: 401, ref problem, .. } if problem.as_deref() == Some("token_expired")
    ));
    lab.state()
        .revoke_server_token(&lab.server_uuid)
        .expect("server");
    let err = lab.client().authenticate().await.expect_err("revoked");
    assert_eq!(err.status(), Some(401));
}

#[test]
fn junk_never_panics() {
    use bytes::Bytes;
    use hyper::header::{HeaderMap, HeaderName, HeaderValue};

    let clock = VirtualClock::starting_at(datetime!(2026-11-26 10:00 UTC));
    let rng = SeededRng::new(7);
    let mut state = AppleAdeState::new(Organization::new("", &rng));
    let server = state.add_mdm_server("Intune", &rng);
    let token = state
        .issue_server_token(&server, &rng, clock.now())
        .expect("token");
    let service = AppleAdeService::new(state.shared(), clock.clone(), rng.fork());
    let session = match service.answer(&Request {
        method: Method::GET,
        host: DEP_HOST.to_string(),
        path: "/session".to_string(),
        query: None,
        headers: {
            let mut h = HeaderMap::new();
            let dep = DepClient::new(
                HttpsClient::new(
                    HostMap::new(),
                    client_config(&[], None, HttpVersion::Http1, &clock).expect("tls"),
                    HttpVersion::Http1,
                    Recorder::new(),
                    clock.clone(),
                    "x",
                ),
                token,
                clock.clone(),
                rng.fork(),
            );
            h.insert(
                "authorization",
                HeaderValue::from_str(&dep.session_authorization()).expect("header"),
            );
            h
        },
        body: Bytes::new(),
        peer: None,
    }) {
        r if r.status.as_u16() == 200 => {
            let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
            v["auth_session_token"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        }
        r => panic!("no session: {r:?}"),
    };
    let bodies: [&[u8]; 9] = [
        b"",
        b"{",
        b"null",
        b"\"x\"",
        b"{\"cursor\": {\"a\": 1}, \"limit\": 99999999999}",
        b"{\"devices\": [null, 1, \"\"]}",
        b"{\"profile_uuid\": \"\", \"devices\": []}",
        b"{\"profile_name\": \"\", \"url\": \"\"}",
        b"\xff\xfe\x00",
    ];
    let methods = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
    ];
    let paths = [
        "/session",
        "/account",
        "/server/devices",
        "/devices/sync",
        "/devices",
        "/profile",
        "/profile/devices",
        "/macProfile",
        "/../../etc",
        "",
    ];
    let authorizations = [
        "",
        "OAuth",
        "OAuth realm=\"ADM\", oauth_nonce=\"%\"",
        "OAuth oauth_consumer_key=\"\u{e9}\"",
        "Bearer x",
    ];
    for host in [DEP_HOST, IPROFILES_HOST, "elsewhere.example"] {
        for method in &methods {
            for path in paths {
                for body in bodies {
                    for (i, auth) in authorizations.iter().enumerate() {
                        let mut headers = HeaderMap::new();
                        if let Ok(v) = HeaderValue::from_str(auth) {
                            headers.insert("authorization", v);
                        }
                        if i % 2 == 0 {
                            if let Ok(v) = HeaderValue::from_str(&session) {
                                headers.insert(HeaderName::from_static("x-adm-auth-session"), v);
                            }
                            headers.insert("user-agent", HeaderValue::from_static("junk"));
                        }
                        let response = service.answer(&Request {
                            method: method.clone(),
                            host: host.to_string(),
                            path: path.to_string(),
                            query: Some("profile_uuid=%zz&&=&a".to_string()),
                            headers,
                            body: Bytes::from_static(body),
                            peer: None,
                        });
                        assert!(response.status.as_u16() >= 200, "{method} {host}{path}");
                    }
                }
            }
        }
    }
}
