//! Sending HTTPS requests to the simulated services by host name.
//!
//! A client belongs to one party (a device's Company Portal, its mdmclient, Intune talking to
//! APNs, an admin) and records every exchange it makes in the world's [`Recorder`]. Host names
//! resolve through the world's [`HostMap`] to loopback; a device's network can also refuse some
//! hosts ([`Reachability`]), which is how "the device cannot reach Apple" is modelled: the
//! connection fails before TLS, as it does behind a captive portal or a blocking firewall.
//!
//! HTTP/1.1 connections are kept alive and reused per host, as iOS's URL loading system does:
//! a full TLS handshake costs about 0.2 ms of CPU per side, which would otherwise dominate a
//! fleet of thousands of enrolling devices. HTTP/2 (APNs) opens a connection per request.

use std::collections::BTreeSet;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::HeaderMap;
use hyper::{Method, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::faults::{FaultTable, FaultVerb};
use super::tls::HttpVersion;
use super::HostMap;
use crate::clock::VirtualClock;
use crate::recorder::{Happening, HttpExchange, Recorder};

/// The hosts a device's current network cannot reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reachability {
    /// Host names (lower case) whose connections fail.
    pub blocked_hosts: BTreeSet<String>,
}

impl Reachability {
    /// Whether `host` can be reached.
    pub fn reaches(&self, host: &str) -> bool {
        !self.blocked_hosts.contains(&host.to_ascii_lowercase())
    }
}

/// The scheme a request was addressed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UrlScheme {
    /// `https` (the only one the world's services speak).
    #[default]
    Https,
    /// `http` (a foreign server without TLS).
    Http,
}

impl UrlScheme {
    /// `https` or `http`.
    pub fn as_str(self) -> &'static str {
        match self {
            UrlScheme::Https => "https",
            UrlScheme::Http => "http",
        }
    }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    /// Method.
    pub method: Method,
    /// The scheme it was addressed with. The world's transport resolves by host name and
    /// always speaks TLS; a transport to foreign servers reads it.
    pub scheme: UrlScheme,
    /// Host name.
    pub host: String,
    /// An explicit port from the URL, kept for a transport to foreign servers (the world's
    /// transport resolves the host name and ignores it).
    pub port: Option<u16>,
    /// Path and query.
    pub path: String,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Bytes,
}

impl OutgoingRequest {
    /// A request without headers or body.
    pub fn new(method: Method, host: &str, path: &str) -> Self {
        OutgoingRequest {
            method,
            scheme: UrlScheme::Https,
            host: host.to_string(),
            port: None,
            path: path.to_string(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// A request addressed by an absolute `http` or `https` URL (a profile's `ServerURL`, a
    /// SCEP payload's `URL`): scheme, host, explicit port, path and query are kept; a URL
    /// without a path asks for `/`.
    pub fn for_url(method: Method, url: &str) -> Result<OutgoingRequest, ClientError> {
        let invalid = |message: &str| ClientError::InvalidUrl {
            url: url.to_string(),
            message: message.to_string(),
        };
        let uri: hyper::Uri = url
            .parse()
            .map_err(|e: hyper::http::uri::InvalidUri| invalid(&e.to_string()))?;
        let scheme = match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("https") => UrlScheme::Https,
            Some(s) if s.eq_ignore_ascii_case("http") => UrlScheme::Http,
            Some(other) => return Err(invalid(&format!("unsupported scheme {other}"))),
            None => return Err(invalid("not an absolute URL")),
        };
        let authority = uri.authority().ok_or_else(|| invalid("no host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid("user information is not supported"));
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        if host.is_empty() {
            return Err(invalid("no host"));
        }
        let path = uri
            .path_and_query()
            .map(|p| p.as_str())
            .filter(|p| !p.is_empty())
            .unwrap_or("/");
        let mut request = OutgoingRequest::new(method, host, path);
        request.scheme = scheme;
        request.port = authority.port_u16();
        Ok(request)
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Sets the body and its content type.
    pub fn body(mut self, content_type: &str, body: impl Into<Bytes>) -> Self {
        self.headers
            .push(("content-type".to_string(), content_type.to_string()));
        self.body = body.into();
        self
    }

    /// Sets a JSON body.
    pub fn json(self, value: &impl serde::Serialize) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_default();
        self.body("application/json", body)
    }
}

/// A response received.
#[derive(Debug, Clone)]
pub struct IncomingResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl ClientError {
    /// Whether trying again later may succeed: the connection was refused, reset or timed
    /// out. A host the network blocks, a name that does not resolve, a refused handshake or a
    /// broken exchange are not retried (a TLS alert is final; a blocked host stays blocked).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ClientError::Connect { .. } | ClientError::Reset { .. } | ClientError::Timeout { .. }
        )
    }
}

impl IncomingResponse {
    /// Whether the server asked to be tried again later: `503` or `429`, with the
    /// `Retry-After` it gave in seconds (the HTTP-date form is not used by the services).
    pub fn retry_later(&self) -> Option<Option<u64>> {
        matches!(self.status.as_u16(), 503 | 429).then(|| {
            self.header("retry-after")
                .and_then(|v| v.trim().parse().ok())
        })
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

/// Why no HTTP response came back.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ClientError {
    /// The request's URL could not be read.
    #[error("{url}: not a usable URL: {message}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// The device would not send the request at all (a foreign server's URL that is not on
    /// loopback, or plain http where only https is allowed; see [`super::direct`]).
    #[error("{url}: {reason}")]
    Refused {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The host is not reachable from this network (or not served by the world at all).
    #[error("{host}: the server cannot be reached from this network")]
    Unreachable {
        /// The host.
        host: String,
    },
    /// The host name did not resolve.
    #[error("{host}: the host name could not be resolved")]
    Resolve {
        /// The host.
        host: String,
    },
    /// The connection was reset by the peer in the middle of a body.
    #[error("{host}: {message}")]
    Reset {
        /// The host.
        host: String,
        /// Which body was cut.
        message: String,
    },
    /// The request timed out (a TLS handshake that never completed).
    #[error("{host}: the request timed out: {message}")]
    Timeout {
        /// The host.
        host: String,
        /// What did not finish.
        message: String,
    },
    /// TCP connect failed.
    #[error("{host}: connection failed: {message}")]
    Connect {
        /// The host.
        host: String,
        /// The OS error.
        message: String,
    },
    /// The TLS handshake failed (certificate rejected, alert received...).
    #[error("{host}: TLS handshake failed: {message}")]
    Tls {
        /// The host.
        host: String,
        /// rustls's description.
        message: String,
    },
    /// The HTTP exchange failed after the handshake (a TLS alert sent after the handshake,
    /// a reset connection...).
    #[error("{host}: HTTP exchange failed: {message}")]
    Http {
        /// The host.
        host: String,
        /// hyper's description.
        message: String,
    },
}

type Http1Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// Idle HTTP/1.1 connections by host, with when each went idle, shared by a client and its
/// clones.
type Pool = Arc<
    std::sync::Mutex<std::collections::HashMap<String, Vec<(std::time::Instant, Http1Sender)>>>,
>;

/// How long an idle connection is reused: well under the servers' header-read timeout
/// (`server::HEADER_READ_TIMEOUT`), which also closes connections idle that long, so that a
/// request never goes out on a connection the server is closing (a client knows its servers'
/// keep-alive timeout and stays under it, as browsers and URLSession do). Wall time: it decides
/// only which socket carries a request, never what the request meets.
const IDLE_REUSE_LIMIT: std::time::Duration = std::time::Duration::from_secs(4);

type Http2Sender = hyper::client::conn::http2::SendRequest<Full<Bytes>>;

/// One multiplexed HTTP/2 connection per host (Apple asks providers to keep their APNs
/// connections open rather than connect per notification).
type Http2Pool = Arc<std::sync::Mutex<std::collections::HashMap<String, Http2Sender>>>;

/// A way to send requests other than the world's: it gets the client's TLS configuration
/// (trust, identity) and the request, and owns the connection. Defined here and implemented
/// elsewhere ([`super::direct`]) so that the client depends on no transport in particular.
pub trait Transport: Send + Sync {
    /// Sends `request`, over TLS with `tls` where the URL asks for https.
    fn send<'a>(
        &'a self,
        tls: &'a Arc<ClientConfig>,
        request: &'a OutgoingRequest,
    ) -> super::BoxFuture<'a, Result<IncomingResponse, ClientError>>;
}

/// A party's HTTPS client.
#[derive(Clone)]
pub struct HttpsClient {
    pool: Pool,
    h2: Http2Pool,
    hosts: HostMap,
    tls: Arc<ClientConfig>,
    version: HttpVersion,
    recorder: Recorder,
    clock: VirtualClock,
    actor: String,
    device: Option<String>,
    reachability: Reachability,
    /// Set for a device talking to foreign servers: requests go to their URL's own address.
    direct: Option<Arc<dyn Transport>>,
    faults: FaultTable,
}

impl std::fmt::Debug for HttpsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpsClient")
            .field("actor", &self.actor)
            .finish()
    }
}

impl HttpsClient {
    /// A client for `actor`, recording into `recorder`.
    pub fn new(
        hosts: HostMap,
        tls: Arc<ClientConfig>,
        version: HttpVersion,
        recorder: Recorder,
        clock: VirtualClock,
        actor: impl Into<String>,
    ) -> Self {
        HttpsClient {
            pool: Pool::default(),
            h2: Http2Pool::default(),
            hosts,
            tls,
            version,
            recorder,
            clock,
            actor: actor.into(),
            device: None,
            reachability: Reachability::default(),
            direct: None,
            faults: FaultTable::default(),
        }
    }

    /// Sends every request through `transport` (straight to its URL's address, say: see
    /// [`super::direct`]) instead of resolving host names through the world.
    pub fn direct(mut self, transport: Arc<dyn Transport>) -> Self {
        self.direct = Some(transport);
        self
    }

    /// Tags the client's exchanges with a device (its serial number) and its network.
    pub fn for_device(mut self, serial: &str, reachability: Reachability) -> Self {
        self.device = Some(serial.to_string());
        self.reachability = reachability;
        self
    }

    /// Makes the client's network subject to the world's `faults`.
    pub fn with_faults(mut self, faults: FaultTable) -> Self {
        self.faults = faults;
        self
    }

    /// Closes the connections the client keeps open between requests, as a device's
    /// networking does once it has been idle a while: a fleet of idle devices then holds no
    /// sockets or TLS buffers on either side. The next request connects again.
    pub fn close_idle(&self) {
        self.pool.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.h2.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Sends `request` and records the exchange.
    #[tracing::instrument(
        name = "https_client",
        skip_all,
        fields(actor = %self.actor, method = %request.method, host = %request.host, path = %request.path)
    )]
    pub async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, ClientError> {
        // The exchange takes its place in the timeline when it starts.
        let slot = self
            .recorder
            .reserve(self.clock.tick(40), self.device.clone());
        let result = self.exchange(&request).await;
        match &result {
            Ok(r) => tracing::debug!(status = r.status.as_u16(), "response received"),
            Err(e) => tracing::debug!(error = %e, "no response"),
        }
        let content_type = |headers: &[(String, String)]| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.clone())
        };
        let exchange = HttpExchange {
            from: self.actor.clone(),
            host: request.host.clone(),
            method: request.method.to_string(),
            path: request.path.clone(),
            request_content_type: content_type(&request.headers),
            request_body: request.body.clone(),
            status: result.as_ref().ok().map(|r| r.status.as_u16()),
            response_content_type: result
                .as_ref()
                .ok()
                .and_then(|r| r.header("content-type").map(str::to_string)),
            response_body: result.as_ref().map(|r| r.body.clone()).unwrap_or_default(),
            failure: result.as_ref().err().map(|e| e.to_string()),
            http_version: match self.version {
                HttpVersion::Http1 => "HTTP/1.1",
                HttpVersion::Http2 => "HTTP/2",
            },
            request_headers: self.sent_headers(&request),
            response_headers: result
                .as_ref()
                .map(|r| header_pairs(&r.headers))
                .unwrap_or_default(),
        };
        self.recorder
            .fill(&slot, Happening::Http(Box::new(exchange)));
        result
    }

    /// The headers as they go on the wire: [`HttpsClient::build`] adds `host` first on
    /// HTTP/1.1 (HTTP/2 carries it as the `:authority` pseudo-header instead).
    fn sent_headers(&self, request: &OutgoingRequest) -> Vec<(String, String)> {
        let mut headers = Vec::with_capacity(request.headers.len() + 1);
        if self.version == HttpVersion::Http1 {
            headers.push(("host".to_string(), request.host.to_ascii_lowercase()));
        }
        headers.extend(request.headers.iter().cloned());
        headers
    }

    fn take_idle(&self, host: &str) -> Option<Http1Sender> {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        let idle = pool.get_mut(host)?;
        while let Some((since, sender)) = idle.pop() {
            if !sender.is_closed() && since.elapsed() < IDLE_REUSE_LIMIT {
                return Some(sender);
            }
        }
        None
    }

    fn put_idle(&self, host: &str, sender: Http1Sender) {
        if !sender.is_closed() {
            let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
            pool.entry(host.to_string())
                .or_default()
                .push((std::time::Instant::now(), sender));
        }
    }

    fn build(
        &self,
        host: &str,
        request: &OutgoingRequest,
    ) -> Result<hyper::Request<Full<Bytes>>, ClientError> {
        let mut builder = hyper::Request::builder()
            .method(request.method.clone())
            .uri(format!("https://{}{}", host, request.path));
        if self.version == HttpVersion::Http1 {
            builder = builder.header("host", host);
        }
        for (k, v) in &request.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        builder
            .body(Full::new(request.body.clone()))
            .map_err(|e| ClientError::Http {
                host: host.to_string(),
                message: e.to_string(),
            })
    }

    async fn exchange(&self, request: &OutgoingRequest) -> Result<IncomingResponse, ClientError> {
        if let Some(transport) = &self.direct {
            return transport.send(&self.tls, request).await;
        }
        let host = request.host.to_ascii_lowercase();
        let addr = match self.hosts.resolve(&host) {
            Some(addr) if self.reachability.reaches(&host) => addr,
            _ => return Err(ClientError::Unreachable { host }),
        };
        let reset_after = self.network_faults(&host)?;
        let result = self.exchange_at(&host, addr, request).await;
        if reset_after && result.is_ok() {
            // The server acted; its answer is lost with the connection.
            self.forget_connections(&host);
            return Err(ClientError::Reset {
                host,
                message: "connection reset by peer while reading the response body".into(),
            });
        }
        result
    }

    /// Applies what the fault table's network does to this request before it is sent: added
    /// latency (virtual), a refusal, a name that does not resolve, a handshake that times out,
    /// or a reset while the request body goes out. `Ok(true)` when the connection is to be
    /// reset later, while the response body comes back.
    fn network_faults(&self, host: &str) -> Result<bool, ClientError> {
        let host_owned = || host.to_string();
        let mut reset_after = false;
        for hit in self
            .faults
            .client_faults(&self.actor, host, self.clock.now())
        {
            match hit.verb {
                FaultVerb::Slow { latency_ms } => self
                    .clock
                    .advance(time::Duration::milliseconds(latency_ms as i64)),
                FaultVerb::Down => {
                    return Err(ClientError::Connect {
                        host: host_owned(),
                        message: "Connection refused (os error 111)".into(),
                    })
                }
                FaultVerb::Unresolvable => return Err(ClientError::Resolve { host: host_owned() }),
                FaultVerb::TlsHandshakeTimeout => {
                    // URLSession's default request timeout is 60 seconds.
                    self.clock.advance(time::Duration::seconds(60));
                    self.forget_connections(host);
                    return Err(ClientError::Timeout {
                        host: host_owned(),
                        message: "the TLS handshake did not complete".into(),
                    });
                }
                FaultVerb::ResetMidBody if hit.draw & 1 == 0 => {
                    self.forget_connections(host);
                    return Err(ClientError::Reset {
                        host: host_owned(),
                        message: "connection reset by peer while sending the request body".into(),
                    });
                }
                FaultVerb::ResetMidBody => reset_after = true,
                // Not network faults: a server answers the one, a device keeps the other.
                FaultVerb::Unavailable { .. } | FaultVerb::ClockSkew { .. } => {}
            }
        }
        Ok(reset_after)
    }

    /// Drops the open connections to `host` (they were reset).
    fn forget_connections(&self, host: &str) {
        self.pool
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(host);
        self.h2
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(host);
    }

    async fn exchange_at(
        &self,
        host: &str,
        addr: std::net::SocketAddr,
        request: &OutgoingRequest,
    ) -> Result<IncomingResponse, ClientError> {
        let host = host.to_string();
        let reused = match self.version {
            HttpVersion::Http2 => self.send_on_open_h2(&host, request).await,
            HttpVersion::Http1 => self.send_on_idle_h1(&host, request).await,
        };
        if let Some(result) = reused {
            tracing::trace!("sent on an open connection");
            return result;
        }
        tracing::trace!(%addr, "opening a connection");
        let io = TokioIo::new(self.connect_tls(&host, addr).await?);
        let req = self.build(&host, request)?;
        match self.version {
            HttpVersion::Http1 => self.send_on_new_h1(&host, io, req).await,
            HttpVersion::Http2 => self.send_on_new_h2(&host, io, req).await,
        }
    }

    /// Sends on the host's open HTTP/2 connection; `None` when there is none, or it went away
    /// between requests and a new one must be opened.
    async fn send_on_open_h2(
        &self,
        host: &str,
        request: &OutgoingRequest,
    ) -> Option<Result<IncomingResponse, ClientError>> {
        let open = {
            let pool = self.h2.lock().unwrap_or_else(|p| p.into_inner());
            pool.get(host).filter(|s| !s.is_closed()).cloned()
        };
        let mut sender = open?;
        sender.ready().await.ok()?;
        let req = match self.build(host, request) {
            Ok(req) => req,
            Err(e) => return Some(Err(e)),
        };
        match sender.send_request(req).await {
            Ok(r) => Some(collect(r).await.map_err(|e| http_error(host, e))),
            Err(e) if e.is_canceled() || e.is_closed() => None,
            Err(e) => Some(Err(http_error(host, e))),
        }
    }

    /// Sends on an idle HTTP/1.1 connection the server kept open; `None` when none is left. A
    /// connection the server closed in between fails before anything was sent, so the next
    /// one is tried.
    async fn send_on_idle_h1(
        &self,
        host: &str,
        request: &OutgoingRequest,
    ) -> Option<Result<IncomingResponse, ClientError>> {
        while let Some(mut sender) = self.take_idle(host) {
            if sender.ready().await.is_err() {
                continue;
            }
            let req = match self.build(host, request) {
                Ok(req) => req,
                Err(e) => return Some(Err(e)),
            };
            match sender.send_request(req).await {
                Ok(r) => {
                    let out = collect(r).await.map_err(|e| http_error(host, e));
                    if out.is_ok() {
                        self.put_idle(host, sender);
                    }
                    return Some(out);
                }
                // The server closed the idle connection as the request went out (its
                // header-read timeout ran while the connection waited in the pool): it read
                // nothing, so the request goes out again on another connection.
                Err(e) if e.is_canceled() || e.is_closed() || e.is_incomplete_message() => continue,
                Err(e) => return Some(Err(http_error(host, e))),
            }
        }
        None
    }

    /// TCP, then the TLS handshake as `host`.
    async fn connect_tls(
        &self,
        host: &str,
        addr: std::net::SocketAddr,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ClientError> {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(|e| ClientError::Connect {
                host: host.to_string(),
                message: e.to_string(),
            })?;
        let _ = tcp.set_nodelay(true);
        let server_name = ServerName::try_from(host.to_string()).map_err(|e| ClientError::Tls {
            host: host.to_string(),
            message: e.to_string(),
        })?;
        let tls = TlsConnector::from(self.tls.clone())
            .connect(server_name, tcp)
            .await
            .map_err(|e| ClientError::Tls {
                host: host.to_string(),
                message: e.to_string(),
            })?;
        // Which handshakes were full and which resumed (`RUST_LOG=enrollsim_simulator=debug`):
        // what the cost of a run is made of.
        tracing::debug!(kind = ?tls.get_ref().1.handshake_kind(), "TLS handshake");
        Ok(tls)
    }

    /// Sends the first request of a new HTTP/1.1 connection, which then waits in the pool.
    async fn send_on_new_h1(
        &self,
        host: &str,
        io: TlsIo,
        req: hyper::Request<Full<Bytes>>,
    ) -> Result<IncomingResponse, ClientError> {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
            .await
            .map_err(|e| http_error(host, e))?;
        // The driver ends by itself when the sender is dropped or the server closes.
        let driver = tokio::spawn(conn);
        let r = match sender.send_request(req).await {
            Ok(r) => r,
            Err(e) => return Err(http_error(host, connection_cause(driver, e).await)),
        };
        let out = collect(r).await.map_err(|e| http_error(host, e))?;
        self.put_idle(host, sender);
        Ok(out)
    }

    /// Sends the first request of a new HTTP/2 connection, which is kept for the next request;
    /// its driver ends when the last sender is dropped or the server goes away.
    async fn send_on_new_h2(
        &self,
        host: &str,
        io: TlsIo,
        req: hyper::Request<Full<Bytes>>,
    ) -> Result<IncomingResponse, ClientError> {
        let (mut sender, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
            .await
            .map_err(|e| http_error(host, e))?;
        let driver = tokio::spawn(conn);
        let r = match sender.send_request(req).await {
            Ok(r) => r,
            Err(e) => return Err(http_error(host, connection_cause(driver, e).await)),
        };
        self.h2
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(host.to_string(), sender);
        collect(r).await.map_err(|e| http_error(host, e))
    }
}

/// A TLS connection as hyper reads and writes it.
type TlsIo = TokioIo<tokio_rustls::client::TlsStream<TcpStream>>;

/// An HTTP failure with the whole chain of its causes, which is where the useful part (a TLS
/// alert, say) usually is.
fn http_error(host: &str, e: hyper::Error) -> ClientError {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message = format!("{message}: {s}");
        source = s.source();
    }
    ClientError::Http {
        host: host.to_string(),
        message,
    }
}

/// When a request fails because its connection died, the request only learns that it was
/// canceled; the connection task holds the cause (a TLS alert, say). Prefer that, so the same
/// failure is always reported the same way.
async fn connection_cause(
    driver: tokio::task::JoinHandle<Result<(), hyper::Error>>,
    request_error: hyper::Error,
) -> hyper::Error {
    if !(request_error.is_canceled() || request_error.is_closed()) {
        return request_error;
    }
    match tokio::time::timeout(std::time::Duration::from_secs(2), driver).await {
        Ok(Ok(Err(cause))) => cause,
        _ => request_error,
    }
}

/// A header map as name/value pairs, in the map's order (values that are not text are kept as
/// their lossy UTF-8 reading, which only HAR export sees).
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Reads a whole response (shared with the direct transport).
pub(super) async fn collect(
    response: hyper::Response<hyper::body::Incoming>,
) -> Result<IncomingResponse, hyper::Error> {
    let (parts, body) = response.into_parts();
    let body = body.collect().await?.to_bytes();
    Ok(IncomingResponse {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_keeps_scheme_host_port_path_and_query() {
        let r = OutgoingRequest::for_url(
            Method::GET,
            "http://127.0.0.1:8080/scep?operation=GetCACaps&message=x",
        )
        .unwrap();
        assert_eq!(r.scheme, UrlScheme::Http);
        assert_eq!(r.host, "127.0.0.1");
        assert_eq!(r.port, Some(8080));
        assert_eq!(r.path, "/scep?operation=GetCACaps&message=x");

        let r = OutgoingRequest::for_url(Method::PUT, "HTTPS://i.manage.microsoft.com").unwrap();
        assert_eq!(
            (r.scheme, r.host.as_str(), r.port, r.path.as_str()),
            (UrlScheme::Https, "i.manage.microsoft.com", None, "/")
        );
        let r = OutgoingRequest::for_url(Method::GET, "https://[::1]:8443/a").unwrap();
        assert_eq!((r.host.as_str(), r.port), ("::1", Some(8443)));
    }

    #[test]
    fn a_url_that_is_not_http_is_refused() {
        for url in [
            "ftp://example.com/",
            "/relative/path",
            "https://",
            "not a url",
            "https://user:pw@example.com/",
        ] {
            assert!(
                matches!(
                    OutgoingRequest::for_url(Method::GET, url),
                    Err(ClientError::InvalidUrl { .. })
                ),
                "{url}"
            );
        }
    }
}
