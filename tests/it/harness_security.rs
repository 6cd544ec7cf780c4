//! Security of the harness itself: every listener binds loopback; idle and half-open
//! connections (slowloris) do not starve other clients; no secret of the world (passwords,
//! private keys, the admin token, SCEP challenges) reaches a timeline or an evidence bundle.
//!
//! The admin API's refusals of a missing or wrong token (401 in Graph's error shape) are
//! checked in `bad_input::graph_admin_api_rejects_bad_input`; of expired, other-cloud and
//! unprivileged tokens in `admin_tokens`. The 2,000 idle connections beside 100
//! enrolling devices are `idle_connections`.

use std::sync::Arc;
use std::time::Duration;

use enrollsim::{Action, Outcome, UserSpec, World, WorldSpec};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const USER: &str = "alex@contoso.example";
const ENROLLMENT_HOST: &str = "enrollment.manage.microsoft.com";

/// Connections of each kind the slowloris test holds open.
const SLOW_CLIENTS: usize = 200;

fn spec() -> WorldSpec {
    WorldSpec::builder()
        .seed(4)
        .user(UserSpec::new(USER))
        .build()
}

#[tokio::test]
async fn every_listener_binds_loopback() {
    let world = World::start(&spec()).await.expect("world starts");
    assert!(!world.services().is_empty());
    for service in world.services() {
        assert!(
            service.addr.ip().is_loopback(),
            "{} listens on {}",
            service.host,
            service.addr
        );
    }
}

fn tls_connector(world: &World) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(world.ca_certificate_der()))
        .expect("the lab root");
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_half_open_connections_do_not_starve_an_enrollment() {
    let world = World::start_now(&spec()).await.expect("world starts");
    let service = world
        .service(ENROLLMENT_HOST)
        .expect("enrollment service")
        .clone();
    let connector = tls_connector(&world);

    // Half-open: TCP connected, TLS never begun.
    let opened = std::time::Instant::now();
    let mut half_open = Vec::with_capacity(SLOW_CLIENTS);
    for _ in 0..SLOW_CLIENTS {
        half_open.push(TcpStream::connect(service.addr).await.expect("connects"));
    }
    // Slowloris: TLS done, then the request's headers a byte every two seconds.
    let mut dribblers = tokio::task::JoinSet::new();
    for _ in 0..SLOW_CLIENTS {
        let tcp = TcpStream::connect(service.addr).await.expect("connects");
        let name = ServerName::try_from(ENROLLMENT_HOST).expect("a name");
        let mut tls = connector.connect(name, tcp).await.expect("handshake");
        dribblers.spawn(async move {
            let started = std::time::Instant::now();
            for byte in b"GET /enrollmentserver/ HTTP/1.1\r\nHost: x\r\n"
                .iter()
                .cycle()
            {
                if tls.write_all(&[*byte]).await.is_err() || tls.flush().await.is_err() {
                    // The server cut the connection off.
                    return Some(started.elapsed());
                }
                if started.elapsed() > Duration::from_secs(40) {
                    return None;
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            None
        });
    }

    // A normal enrollment goes through meanwhile.
    let outcome = tokio::time::timeout(
        Duration::from_secs(60),
        world.enroll(&Action::company_portal(USER)),
    )
    .await
    .expect("the enrollment finished while slow clients held connections");
    assert_eq!(outcome, Outcome::Enrolled { upn: USER.into() });

    // The dribblers were cut off by the header-read timeout, not left to hold their tasks.
    let mut cut = 0;
    while let Some(joined) = dribblers.join_next().await {
        if joined.expect("dribbler task").is_some() {
            cut += 1;
        }
    }
    assert_eq!(cut, SLOW_CLIENTS, "slowloris connections the server kept");
    // Once the handshake timeout has passed, the half-open connections are closed.
    let deadline = opened + Duration::from_secs(40);
    let mut closed = 0;
    for mut tcp in half_open {
        let mut byte = [0u8; 1];
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let read = tokio::time::timeout(left, tcp.read(&mut byte)).await;
        if matches!(read, Ok(Ok(0) | Err(_))) {
            closed += 1;
        }
    }
    assert_eq!(
        closed, SLOW_CLIENTS,
        "half-open connections the server kept"
    );
}

#[tokio::test]
async fn no_secret_reaches_a_timeline_or_an_evidence_bundle() {
    let scenario = enrollsim::catalog::find("device-cap-reached")
        .expect("catalog loads")
        .expect("the scenario exists");
    let world = World::start(&scenario.world).await.expect("world starts");
    let outcome = world.enroll(&scenario.action).await;
    let bundle = world.evidence(&scenario.action, &outcome).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    bundle.write_dir(dir.path()).expect("bundle written");
    let bundle = read_tree(dir.path());
    let timeline = world.take_timeline().render();

    let mut secrets: Vec<(String, String)> = scenario
        .world
        .users
        .iter()
        .map(|u| (format!("{}'s password", u.upn), u.password.clone()))
        .collect();
    secrets.push(("the admin token".into(), world.admin_token().to_string()));
    for (what, output) in [("timeline", &timeline), ("evidence bundle", &bundle)] {
        for (name, secret) in &secrets {
            assert!(!output.contains(secret.as_str()), "{name} is in the {what}");
        }
        for marker in [
            "PRIVATE KEY",
            "Bearer ey",
            "\"Challenge\"",
            "<key>Challenge</key>",
        ] {
            assert!(!output.contains(marker), "{marker:?} is in the {what}");
        }
    }
}

#[test]
fn a_har_file_keeps_no_secret() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let path = tmp.path().join("run.har");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_enrollsim"))
        .args(["run", "device-cap-reached", "--har"])
        .arg(&path)
        .env_remove("SSLKEYLOGFILE")
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let har = std::fs::read_to_string(&path).expect("the HAR is written");
    let scenario = enrollsim::catalog::find("device-cap-reached")
        .expect("catalog loads")
        .expect("the scenario exists");
    for user in &scenario.world.users {
        // Forms carry it percent-encoded.
        let encoded: String = form_encoded(&user.password);
        assert!(
            !har.contains(&user.password),
            "{}'s password is in the HAR",
            user.upn
        );
        assert!(
            !har.contains(&encoded),
            "{}'s password is in the HAR",
            user.upn
        );
    }
    for marker in ["Bearer ey", "Bearer admin.", "PRIVATE KEY"] {
        assert!(!har.contains(marker), "{marker:?} is in the HAR");
    }
    // The management profile's SCEP payload keeps its `Challenge` key, masked.
    let challenges: Vec<&str> = har.split("<key>Challenge</key>").skip(1).collect();
    assert!(
        !challenges.is_empty(),
        "the profile's SCEP payload is in the HAR"
    );
    for after in challenges {
        let value = after
            .split_once("<string>")
            .and_then(|(_, rest)| rest.split_once("</string>"))
            .map(|(value, _)| value);
        assert_eq!(value, Some("[redacted]"), "a SCEP challenge is in the HAR");
    }
    // The exchanges are all still there, with their masks.
    assert!(har.contains("Bearer [redacted]"));
    assert!(har.contains("password=%5Bredacted%5D"));
}

fn form_encoded(text: &str) -> String {
    url_encode(text)
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Every file under `dir`, concatenated (lossy UTF-8).
fn read_tree(dir: &std::path::Path) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.push_str(&read_tree(&path));
        } else {
            out.push_str(&String::from_utf8_lossy(
                &std::fs::read(&path).expect("readable"),
            ));
        }
    }
    out
}
