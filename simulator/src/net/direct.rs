//! Sending the simulated device's requests to a foreign server: one that is not part of a
//! world, such as nanomdm or a SCEP server run by hand or by a test.
//!
//! The world's transport resolves host names through its [`HostMap`](super::HostMap) and always
//! speaks TLS. A foreign server is named by its URL alone, so a [`DirectRoute`] connects to the
//! URL's own address and port instead. It keeps the simulated device's habits where they matter
//! for what a server sees: `https` is verified against the roots the device trusts (the client's
//! TLS configuration, judged on the device's clock), and plain `http` is refused unless the
//! route allows it, since iOS talks to MDM and SCEP servers over https only.
//!
//! Only loopback addresses and `localhost` are reached: enrollsim is a lab tool, and a device
//! that could be pointed at any address would be a way to send requests on a user's behalf to
//! servers they do not run. Every connection is new (a foreign enrollment makes a handful of
//! requests) and every wait is bounded, so a server that stalls fails the request instead of
//! hanging it.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::client::{
    collect, ClientError, IncomingResponse, OutgoingRequest, Transport, UrlScheme,
};
use super::BoxFuture;

/// How long a TCP connect and a TLS handshake may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole exchange may take once connected.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(60);

/// How a device reaches foreign servers: straight to each URL's loopback address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DirectRoute {
    /// Whether plain `http` URLs may be used. Off by default, as on a real device.
    pub allow_http: bool,
}

/// Where one request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Destination {
    addr: SocketAddr,
    /// What `Host` and TLS SNI carry: the URL's host (and explicit port, for `Host`).
    host: String,
    scheme: UrlScheme,
}

fn refused(request: &OutgoingRequest, reason: impl Into<String>) -> ClientError {
    ClientError::Refused {
        url: url_of(request),
        reason: reason.into(),
    }
}

/// The request's URL, as the error messages name it.
fn url_of(request: &OutgoingRequest) -> String {
    let host = if request.host.contains(':') {
        format!("[{}]", request.host)
    } else {
        request.host.clone()
    };
    match request.port {
        Some(port) => format!(
            "{}://{host}:{port}{}",
            request.scheme.as_str(),
            request.path
        ),
        None => format!("{}://{host}{}", request.scheme.as_str(), request.path),
    }
}

/// The loopback address `host` names, if it names one.
fn loopback_ip(host: &str) -> Option<IpAddr> {
    if host.eq_ignore_ascii_case("localhost") {
        return Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    host.parse::<IpAddr>().ok().filter(IpAddr::is_loopback)
}

impl DirectRoute {
    /// A route that refuses plain `http`.
    pub fn https_only() -> DirectRoute {
        DirectRoute { allow_http: false }
    }

    /// Where `request` goes, or why it may not go anywhere.
    fn destination(&self, request: &OutgoingRequest) -> Result<Destination, ClientError> {
        if request.scheme == UrlScheme::Http && !self.allow_http {
            return Err(refused(
                request,
                "plain http is not allowed: iOS talks to MDM and SCEP servers over https only \
                 (allow plain http explicitly to test a server without TLS)",
            ));
        }
        let ip = loopback_ip(&request.host).ok_or_else(|| {
            refused(
                request,
                format!(
                    "{} is not a loopback address: the simulated device only connects to \
                     127.0.0.1, ::1 or localhost",
                    request.host
                ),
            )
        })?;
        let port = request.port.unwrap_or(match request.scheme {
            UrlScheme::Https => 443,
            UrlScheme::Http => 80,
        });
        Ok(Destination {
            addr: SocketAddr::new(ip, port),
            host: request.host.clone(),
            scheme: request.scheme,
        })
    }

    /// Sends `request` on a new connection, over TLS with `tls` for `https`.
    async fn exchange(
        &self,
        tls: &Arc<ClientConfig>,
        request: &OutgoingRequest,
    ) -> Result<IncomingResponse, ClientError> {
        let destination = self.destination(request)?;
        let host = destination.host.clone();
        let tcp = within(CONNECT_TIMEOUT, TcpStream::connect(destination.addr))
            .await
            .and_then(|r| r.map_err(|e| e.to_string()))
            .map_err(|message| ClientError::Connect {
                host: host.clone(),
                message,
            })?;
        let _ = tcp.set_nodelay(true);
        let http_request = build(&destination, request)?;
        match destination.scheme {
            UrlScheme::Http => http1_exchange(&host, tcp, http_request).await,
            UrlScheme::Https => {
                let stream = handshake(tls, &host, tcp).await?;
                http1_exchange(&host, stream, http_request).await
            }
        }
    }
}

impl Transport for DirectRoute {
    fn send<'a>(
        &'a self,
        tls: &'a Arc<ClientConfig>,
        request: &'a OutgoingRequest,
    ) -> BoxFuture<'a, Result<IncomingResponse, ClientError>> {
        Box::pin(self.exchange(tls, request))
    }
}

/// Waits for `future` at most `limit`.
async fn within<T>(limit: Duration, future: impl Future<Output = T>) -> Result<T, String> {
    tokio::time::timeout(limit, future)
        .await
        .map_err(|_| format!("no answer within {} s", limit.as_secs()))
}

/// The TLS handshake with `host` as the server name (an IP address is checked against the
/// certificate's IP SANs, a name against its DNS names).
async fn handshake(
    tls: &Arc<ClientConfig>,
    host: &str,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ClientError> {
    let tls_error = |message: String| ClientError::Tls {
        host: host.to_string(),
        message,
    };
    let server_name =
        ServerName::try_from(host.to_string()).map_err(|e| tls_error(e.to_string()))?;
    within(
        CONNECT_TIMEOUT,
        TlsConnector::from(tls.clone()).connect(server_name, tcp),
    )
    .await
    .map_err(tls_error)?
    .map_err(|e| tls_error(e.to_string()))
}

fn build(
    destination: &Destination,
    request: &OutgoingRequest,
) -> Result<hyper::Request<Full<Bytes>>, ClientError> {
    let authority = match request.port {
        Some(port) if destination.host.contains(':') => format!("[{}]:{port}", destination.host),
        Some(port) => format!("{}:{port}", destination.host),
        None => destination.host.clone(),
    };
    let mut builder = hyper::Request::builder()
        .method(request.method.clone())
        .uri(request.path.as_str())
        .header("host", authority);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(Full::new(request.body.clone()))
        .map_err(|e| ClientError::Http {
            host: destination.host.clone(),
            message: e.to_string(),
        })
}

/// One HTTP/1.1 exchange on `io`, which is closed after it.
async fn http1_exchange<S>(
    host: &str,
    io: S,
    request: hyper::Request<Full<Bytes>>,
) -> Result<IncomingResponse, ClientError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let http_error = |message: String| ClientError::Http {
        host: host.to_string(),
        message,
    };
    let work = async {
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .map_err(|e| e.to_string())?;
        let driver = tokio::spawn(connection);
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let out = collect(response).await.map_err(|e| e.to_string());
        driver.abort();
        out
    };
    within(EXCHANGE_TIMEOUT, work)
        .await
        .map_err(http_error)?
        .map_err(http_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::Method;

    fn request(url: &str) -> OutgoingRequest {
        OutgoingRequest::for_url(Method::PUT, url).unwrap()
    }

    #[test]
    fn loopback_urls_go_to_their_own_address_and_port() {
        let route = DirectRoute { allow_http: true };
        let d = route
            .destination(&request("http://127.0.0.1:19000/mdm"))
            .unwrap();
        assert_eq!(d.addr, "127.0.0.1:19000".parse().unwrap());
        let d = route
            .destination(&request("https://localhost/mdm"))
            .unwrap();
        assert_eq!(d.addr, "127.0.0.1:443".parse().unwrap());
        assert_eq!(d.host, "localhost");
        let d = route.destination(&request("https://[::1]:8443/")).unwrap();
        assert_eq!(d.addr, "[::1]:8443".parse().unwrap());
    }

    #[test]
    fn other_hosts_are_refused_with_the_reason() {
        let route = DirectRoute { allow_http: true };
        for url in [
            "https://mdm.example.org/mdm",
            "https://192.0.2.10:8443/mdm",
            "http://10.0.0.1/scep",
        ] {
            let error = route.destination(&request(url)).unwrap_err();
            assert!(
                matches!(&error, ClientError::Refused { reason, .. } if reason.contains("not a loopback address")),
                "{url}: {error}"
            );
        }
    }

    #[test]
    fn plain_http_is_refused_unless_allowed_and_the_error_says_why() {
        let error = DirectRoute::https_only()
            .destination(&request("http://127.0.0.1:18080/scep"))
            .unwrap_err();
        let text = error.to_string();
        assert!(text.contains("http://127.0.0.1:18080/scep"), "{text}");
        assert!(text.contains("https only"), "{text}");
        assert!(DirectRoute { allow_http: true }
            .destination(&request("http://127.0.0.1:18080/scep"))
            .is_ok());
    }
}
