//! The tests' own HTTP client, for the peers' and the served world's admin APIs: hyper over a
//! plain or a TLS connection, each call bounded in time.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};

/// How long one call may take.
const LIMIT: Duration = Duration::from_secs(20);

/// A request: method, path, headers and body.
pub struct Call<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub headers: Vec<(&'a str, String)>,
    pub body: Vec<u8>,
}

/// `Authorization: Basic` for `user` and `password`.
pub fn basic(user: &str, password: &str) -> String {
    let pair = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(async {
            tokio::time::timeout(LIMIT, future)
                .await
                .expect("the call answered in time")
        })
}

async fn exchange<S>(io: S, authority: &str, call: Call<'_>) -> (u16, Vec<u8>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .expect("HTTP/1.1 handshake");
    let driver = tokio::spawn(connection);
    let mut request = hyper::Request::builder()
        .method(call.method)
        .uri(call.path)
        .header("host", authority);
    for (name, value) in call.headers {
        request = request.header(name, value);
    }
    let request = request
        .body(Full::new(Bytes::from(call.body)))
        .expect("a request");
    let response = sender.send_request(request).await.expect("a response");
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.expect("a body");
    driver.abort();
    (status, body.to_bytes().to_vec())
}

/// `call` over plain HTTP to `addr`.
pub fn plain(addr: SocketAddr, call: Call<'_>) -> (u16, Vec<u8>) {
    block_on(async move {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .expect("connects");
        exchange(tcp, &addr.to_string(), call).await
    })
}

/// `call` over TLS to `addr`, sending `host` as SNI and `Host`, trusting only `ca_pem`.
pub fn tls(addr: SocketAddr, host: &str, ca_pem: &[u8], call: Call<'_>) -> (u16, Vec<u8>) {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(ca_pem) {
        roots
            .add(certificate.expect("PEM parses"))
            .expect("the CA is usable");
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_string()).expect("a host name");
    let host = host.to_string();
    block_on(async move {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .expect("connects");
        let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .expect("TLS handshake against the CA");
        exchange(stream, &host, call).await
    })
}
