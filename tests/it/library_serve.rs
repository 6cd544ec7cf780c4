//! A world served to a client of the test's own: a plain hyper + rustls client that trusts only
//! the world's CA (PEM) calls the admin API, and obtains its identity over SCEP from the
//! enrollment profile the world hands out; dropping or shutting down worlds frees their ports
//! and tasks.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use enrollsim::{Service, UserSpec, World, WorldSpec, ADMIN_API_HOST};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

/// The tests of this file bind and free ports; run them one at a time so one test's fresh
/// listeners never take a port another test expects to find free.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn spec() -> WorldSpec {
    WorldSpec::builder()
        .user(UserSpec::new("alex@contoso.example"))
        .build()
}

/// GET `path` from `service` over HTTPS, trusting only `ca_pem`, sending `service.host` as SNI
/// and Host. Returns the status and the body.
async fn get(service: &Service, ca_pem: &str, token: &str, path: &str) -> (u16, Vec<u8>) {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.expect("PEM parses")).expect("CA is usable");
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(service.addr)
        .await
        .expect("connects");
    let name = ServerName::try_from(service.host.clone()).expect("host name");
    let tls = connector
        .connect(name, tcp)
        .await
        .expect("TLS handshake against the world's CA");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .expect("HTTP/1.1 handshake");
    let driver = tokio::spawn(connection);
    let request = hyper::Request::get(path)
        .header("host", &service.host)
        .header("authorization", format!("Bearer {token}"))
        .header("accept", "application/json")
        .body(Empty::<Bytes>::new())
        .expect("request");
    let response = sender.send_request(request).await.expect("response");
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    drop(sender);
    let _ = driver.await;
    (status, body)
}

/// A request to `url` (`https://127.0.0.1:PORT/path?query`) by address only, as a client that
/// knows no simulated host name: it checks the certificate against the address and sends the
/// address as `Host`; with `identity` (certificate, PKCS#8 key) it presents a client
/// certificate. Returns the status, the content type and the body.
async fn by_address(
    url: &str,
    ca_pem: &str,
    identity: Option<(Vec<u8>, Vec<u8>)>,
    request: hyper::Request<Full<Bytes>>,
) -> (u16, String, Vec<u8>) {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.expect("PEM parses")).expect("CA is usable");
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots);
    let config = match identity {
        Some((cert, key)) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from(cert)],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.into()),
            )
            .expect("a usable client identity"),
        None => builder.with_no_client_auth(),
    };
    let rest = url.strip_prefix("https://").expect("an https URL");
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    let addr: std::net::SocketAddr = authority.parse().expect("an address");
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::IpAddress(addr.ip().into()), tcp)
        .await
        .expect("TLS handshake against the CA, by address");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .expect("HTTP/1.1 handshake");
    let driver = tokio::spawn(connection);
    let mut request = request;
    request
        .headers_mut()
        .insert("host", authority.parse().expect("a header value"));
    let response = sender.send_request(request).await.expect("response");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response.into_body().collect().await.expect("body");
    drop(sender);
    let _ = driver.await;
    (status, content_type, body.to_bytes().to_vec())
}

/// The path of `url`, with `query` when it is not empty.
fn path_of(url: &str, query: &str) -> String {
    let rest = url.strip_prefix("https://").expect("an https URL");
    let path = &rest[rest.find('/').expect("a path")..];
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outside_client_obtains_its_identity_over_scep_and_authenticates_with_it() {
    use enrollsim_simulator::wire::checkin::{Authenticate, CheckinMessage};
    use enrollsim_simulator::wire::profile::{ConfigurationProfile, Payload};
    use enrollsim_simulator::wire::scep::client::{self, CertRepOutcome};

    let _serial = SERIAL.lock().await;
    let world = World::start_now(&spec()).await.expect("world starts");
    let ca = world.ca_certificate_pem().to_string();
    let bytes = world
        .enrollment_profile("alex@contoso.example")
        .expect("a profile");
    let profile = ConfigurationProfile::from_xml(&bytes).expect("the profile reads");
    let scep = profile
        .payload_content
        .iter()
        .find_map(|p| match p {
            Payload::Scep(s) => Some(s.clone()),
            _ => None,
        })
        .expect("a SCEP payload");
    let mdm = profile.mdm_payload().expect("an MDM payload").clone();
    assert_eq!(mdm.identity_certificate_uuid, scep.payload_uuid);
    let url = scep.payload_content.url.clone();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert!(scep.payload_content.challenge.is_some());

    let get = |query: &str| {
        hyper::Request::get(path_of(&url, query))
            .body(Full::new(Bytes::new()))
            .expect("request")
    };
    let (status, _, caps) = by_address(&url, &ca, None, get("operation=GetCACaps")).await;
    assert_eq!(status, 200);
    assert!(client::parse_ca_caps(&String::from_utf8_lossy(&caps))
        .contains(&"POSTPKIOperation".to_string()));
    let (status, content_type, ca_answer) =
        by_address(&url, &ca, None, get("operation=GetCACert")).await;
    assert_eq!(status, 200);
    let recipient = client::recipient_certificate(&ca_answer, &content_type).expect("RA");
    let request = scep.payload_content.certificate_request(1);
    let now = time::OffsetDateTime::now_utc();
    let (body, pending) = client::pkcs_req(&request, &recipient, [3; 16], now).expect("PKCSReq");
    let post = hyper::Request::post(path_of(&url, "operation=PKIOperation"))
        .header("content-type", "application/x-pki-message")
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    let (status, _, answer) = by_address(&url, &ca, None, post).await;
    assert_eq!(status, 200);
    let CertRepOutcome::Issued { certificate, .. } =
        client::read_cert_rep(&answer, &pending).expect("a CertRep")
    else {
        panic!("the challenge was refused");
    };

    // The identity authenticates at the profile's CheckInURL over mutual TLS.
    let check_in = mdm.effective_check_in_url().to_string();
    let message = CheckinMessage::Authenticate(Authenticate::ios(
        &mdm.topic,
        "00008110-000A1B2C3D4E5F60",
        "F2LXK1OUTSID",
        "17.5",
        "21F79",
        "iPhone15,2",
    ))
    .to_xml();
    let put = hyper::Request::put(path_of(&check_in, ""))
        .header("content-type", "application/x-apple-aspen-mdm-checkin")
        .body(Full::new(Bytes::from(message)))
        .expect("request");
    let identity = Some((certificate, pending.private_key.clone()));
    let (status, _, body) = by_address(&check_in, &ca, identity, put).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    world.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outside_client_lists_managed_devices_through_the_admin_api() {
    let _serial = SERIAL.lock().await;
    let world = World::start_now(&spec()).await.expect("world starts");
    let graph = world.admin_api().expect("the admin API is served").clone();
    assert_eq!(graph.host, ADMIN_API_HOST);
    assert_eq!(
        graph.base_url(),
        format!("https://127.0.0.1:{}", graph.port())
    );
    assert!(world
        .ca_certificate_pem()
        .starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert!(world.services().len() >= 4, "{:?}", world.services());

    let (status, body) = get(
        &graph,
        world.ca_certificate_pem(),
        world.admin_token(),
        "/v1.0/deviceManagement/managedDevices",
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert!(json["value"].is_array(), "{json}");

    // Without the token the admin API refuses.
    let (status, _) = get(
        &graph,
        world.ca_certificate_pem(),
        "wrong",
        "/v1.0/deviceManagement/managedDevices",
    )
    .await;
    assert_eq!(status, 401);

    // After the device enrolls, the outside client sees it.
    let alex = enrollsim::Action::company_portal("alex@contoso.example");
    assert!(matches!(
        world.enroll(&alex).await,
        enrollsim::Outcome::Enrolled { .. }
    ));
    let (status, body) = get(
        &graph,
        world.ca_certificate_pem(),
        world.admin_token(),
        "/v1.0/deviceManagement/managedDevices",
    )
    .await;
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    let serial = world.device_serial();
    assert!(
        json["value"]
            .as_array()
            .is_some_and(|v| v.iter().any(|d| d["serialNumber"] == serial.as_str())),
        "{json}"
    );
    world.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outside_client_trusts_a_world_whose_history_ran_400_days_ahead() {
    let _serial = SERIAL.lock().await;
    // The history leaves the virtual clock 400 days past the system clock, by which the
    // outside client judges the admin API's certificate (the admin renewed the year-long push
    // certificate on the way).
    let spec = WorldSpec::builder()
        .user(UserSpec::new("alex@contoso.example"))
        .history(enrollsim::HistoryStep::AdvanceDays { days: 300 })
        .history(enrollsim::HistoryStep::RenewApnsCertificate)
        .history(enrollsim::HistoryStep::AdvanceDays { days: 100 })
        .build();
    let world = World::start_now(&spec).await.expect("world starts");
    let graph = world.admin_api().expect("the admin API is served").clone();
    let (status, body) = get(
        &graph,
        world.ca_certificate_pem(),
        world.admin_token(),
        "/v1.0/deviceManagement/managedDevices",
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    // The simulated device, on the virtual clock, still enrolls.
    let alex = enrollsim::Action::company_portal("alex@contoso.example");
    assert!(matches!(
        world.enroll(&alex).await,
        enrollsim::Outcome::Enrolled { .. }
    ));
    world.shutdown().await;
}

/// Binds every port, retrying each for a short while: a dropped world's accept loops are
/// aborted, and the runtime drops their listeners asynchronously.
fn bind_all(ports: &[u16]) {
    for &port in ports {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(listener) => {
                    drop(listener);
                    break;
                }
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => panic!("port {port} is still in use: {e}"),
            }
        }
    }
}

async fn settle_tasks(baseline: usize) -> usize {
    let metrics = tokio::runtime::Handle::current().metrics();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let alive = metrics.num_alive_tasks();
        if alive <= baseline || Instant::now() > deadline {
            return alive;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_fifty_worlds_frees_their_ports_and_tasks() {
    let _serial = SERIAL.lock().await;
    let baseline = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let mut ports = Vec::new();
    for i in 0..50 {
        let world = World::start(&spec()).await.expect("world starts");
        ports.extend(world.ports());
        if i == 0 {
            // The check below means something: a running world's ports are taken.
            for port in world.ports() {
                assert!(
                    TcpListener::bind(("127.0.0.1", port)).is_err(),
                    "port {port} of a running world could be bound"
                );
            }
        }
        if i % 10 == 0 {
            // Some worlds have served connections when they are dropped.
            let alex = enrollsim::Action::company_portal("alex@contoso.example");
            assert!(matches!(
                world.enroll(&alex).await,
                enrollsim::Outcome::Enrolled { .. }
            ));
        }
        drop(world);
    }
    ports.sort_unstable();
    ports.dedup();
    assert!(ports.len() >= 4, "{ports:?}");
    let alive = settle_tasks(baseline).await;
    assert!(
        alive <= baseline,
        "{alive} tasks alive after dropping the worlds, {baseline} before"
    );
    bind_all(&ports);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutting_down_fifty_worlds_frees_their_ports_at_once() {
    let _serial = SERIAL.lock().await;
    let mut ports = Vec::new();
    for _ in 0..50 {
        let world = World::start(&spec()).await.expect("world starts");
        let mine = world.ports();
        world.shutdown().await;
        // `shutdown` returns once the listeners are closed: the ports are free right away.
        for &port in &mine {
            TcpListener::bind(("127.0.0.1", port))
                .unwrap_or_else(|e| panic!("port {port} still in use after shutdown: {e}"));
        }
        ports.extend(mine);
    }
    bind_all(&ports);
}

#[tokio::test]
async fn a_world_runs_and_drops_on_a_current_thread_runtime() {
    let _serial = SERIAL.lock().await;
    let world = World::start(&spec()).await.expect("world starts");
    let ports = world.ports();
    let alex = enrollsim::Action::company_portal("alex@contoso.example");
    assert!(matches!(
        world.enroll(&alex).await,
        enrollsim::Outcome::Enrolled { .. }
    ));
    drop(world);
    // Let the runtime drop the aborted accept loops.
    tokio::task::yield_now().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    bind_all(&ports);
}
