//! A world served to a client that is not part of it: print what a tool needs to reach the
//! simulated services (URLs, host names, the CA certificate, the admin API token), then make one
//! admin API call with a plain hyper + rustls client that trusts only that CA.
//!
//! Run it with `cargo run --example serve_external_client`. Pass `--wait` to keep the world
//! running until Enter is pressed and point another tool (curl, a Graph client, a log
//! collector) at it; the example writes the CA to a file and prints a curl command line.

use std::error::Error;
use std::sync::Arc;

use enrollsim::{Action, Outcome, Service, UserSpec, World, WorldSpec};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

/// `GET path` on `service`, trusting only `ca_pem`, as any outside client would.
async fn get(
    service: &Service,
    ca_pem: &str,
    token: &str,
    path: &str,
) -> Result<(u16, String), Box<dyn Error>> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert?)?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    // Connect to the loopback address; present the service's host name for SNI and Host.
    let tcp = tokio::net::TcpStream::connect(service.addr).await?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from(service.host.clone())?, tcp)
        .await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await?;
    tokio::spawn(connection);
    let request = hyper::Request::get(path)
        .header("host", &service.host)
        .header("authorization", format!("Bearer {token}"))
        .body(Empty::<Bytes>::new())?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let spec = WorldSpec::builder()
        .user(UserSpec::new("alex@contoso.example"))
        .build();
    // The client judges certificates by the system clock: start the world's clock now.
    let world = World::start_now(&spec).await?;

    println!("services (connect to the URL, send the host name as SNI and Host):");
    for s in world.services() {
        println!("  {:<38} {}", s.host, s.base_url());
    }
    println!("\nCA certificate to trust:\n{}", world.ca_certificate_pem());
    println!("admin API token: {}\n", world.admin_token());

    // Let the simulated iPhone enroll, so the admin API has a device to show.
    let outcome = world
        .enroll(&Action::company_portal("alex@contoso.example"))
        .await;
    assert!(matches!(outcome, Outcome::Enrolled { .. }), "{outcome:?}");

    let graph = world.admin_api().ok_or("no admin API")?;
    let path = "/v1.0/deviceManagement/managedDevices";
    let (status, body) = get(graph, world.ca_certificate_pem(), world.admin_token(), path).await?;
    println!("GET {}{path} -> {status}", graph.base_url());
    let json: serde_json::Value = serde_json::from_str(&body)?;
    for d in json["value"].as_array().into_iter().flatten() {
        println!(
            "  {}  {}  {}  {}",
            d["serialNumber"].as_str().unwrap_or("?"),
            d["deviceName"].as_str().unwrap_or("?"),
            d["userPrincipalName"].as_str().unwrap_or("?"),
            d["managementState"].as_str().unwrap_or("?"),
        );
    }
    assert_eq!(status, 200);

    if std::env::args().any(|a| a == "--wait") {
        let ca = std::env::temp_dir().join("enrollsim-ca.pem");
        std::fs::write(&ca, world.ca_certificate_pem())?;
        println!(
            "\ntry:\n  curl --cacert {} --resolve {host}:{port}:127.0.0.1 \\\n    -H 'Authorization: Bearer {}' \\\n    https://{host}:{port}{path}",
            ca.display(),
            world.admin_token(),
            host = graph.host,
            port = graph.port(),
        );
        println!("\nserving; press Enter to stop");
        tokio::task::spawn_blocking(|| std::io::stdin().read_line(&mut String::new())).await??;
    }
    world.shutdown().await;
    Ok(())
}
