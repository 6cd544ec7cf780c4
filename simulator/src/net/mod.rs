//! HTTPS on loopback: the requests and responses the services handle, and the plumbing under
//! them.
//!
//! A service is a [`Handler`]: a function from a [`Request`] (with the TLS client identity, if
//! the client presented one) to a [`Response`]. [`server`] runs handlers behind rustls and hyper
//! on `127.0.0.1`; [`client`] sends requests to the services by host name, resolving the names
//! to loopback through a [`HostMap`] the world fills in, so SNI and certificates carry the real
//! host names while no packet leaves the machine; [`direct`] sends a device's requests to a
//! foreign server on loopback by its URL instead.

pub mod client;
pub mod direct;
pub mod faults;
pub mod server;
pub mod tls;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, StatusCode};
use rustls::pki_types::CertificateDer;

/// A boxed future, as handlers return them.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The TLS client certificate a request came with.
#[derive(Debug, Clone)]
pub struct PeerIdentity {
    /// The client's leaf certificate.
    pub certificate: CertificateDer<'static>,
}

/// An HTTP request as a service sees it, body already read (and size-limited).
#[derive(Debug, Clone)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The host name the client asked for (SNI / `Host`).
    pub host: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, without `?`.
    pub query: Option<String>,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The TLS client identity, when one was presented and verified.
    pub peer: Option<PeerIdentity>,
}

impl Request {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The media type of the body (the `Content-Type` without parameters), lower case.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// A query parameter's value, percent-decoded (the first, when the name repeats).
    pub fn query_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_deref()?.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// An HTTP response a service gives.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Response {
    /// A response with `status`, no headers and an empty body.
    pub fn empty(status: StatusCode) -> Self {
        Response {
            status,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// A response with `status`, a `Content-Type` and a body.
    pub fn with_body(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Self {
        let mut r = Response::empty(status);
        r.set_header("content-type", content_type);
        r.body = body.into();
        r
    }

    /// A JSON response.
    pub fn json(status: StatusCode, value: &impl serde::Serialize) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Response::with_body(status, "application/json; charset=utf-8", body)
    }

    /// A plain-text response, for the few places real services answer in text.
    pub fn text(status: StatusCode, text: impl Into<String>) -> Self {
        Response::with_body(status, "text/plain; charset=utf-8", text.into())
    }

    /// Sets a header (ignored if the name or value is not valid HTTP).
    pub fn set_header(&mut self, name: &str, value: &str) {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            self.headers.insert(n, v);
        }
    }

    /// Builder form of [`Response::set_header`].
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.set_header(name, value);
        self
    }
}

/// A service: answers requests.
pub trait Handler: Send + Sync + 'static {
    /// Answers one request.
    fn handle(&self, request: Request) -> BoxFuture<'_, Response>;

    /// What the service answers while a fault makes it unavailable: `503` with `Retry-After`
    /// (RFC 9110, 15.6.4 and 10.2.3). A service whose real error body has a shape of its own
    /// (APNs's JSON `reason`) answers in it.
    fn unavailable(&self, retry_after_secs: u64) -> Response {
        Response::text(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
            .header("retry-after", &retry_after_secs.to_string())
    }
}

/// Where each service host name listens on loopback.
#[derive(Debug, Clone, Default)]
pub struct HostMap {
    inner: Arc<RwLock<HashMap<String, SocketAddr>>>,
}

impl HostMap {
    /// An empty map.
    pub fn new() -> Self {
        HostMap::default()
    }

    /// Records that `host` listens at `addr`.
    pub fn insert(&self, host: &str, addr: SocketAddr) {
        self.inner
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(host.to_ascii_lowercase(), addr);
    }

    /// Where `host` listens.
    pub fn resolve(&self, host: &str) -> Option<SocketAddr> {
        self.inner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&host.to_ascii_lowercase())
            .copied()
    }

    /// Every host and its address, sorted by host.
    pub fn all(&self) -> Vec<(String, SocketAddr)> {
        let mut v: Vec<_> = self
            .inner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(h, a)| (h.clone(), *a))
            .collect();
        v.sort();
        v
    }
}
