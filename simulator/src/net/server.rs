//! Serving a [`Handler`] over HTTPS on a loopback port.
//!
//! One accept loop per listener; each connection is a task that finishes the TLS handshake,
//! reads the client certificate (if any) and serves HTTP/1.1 or HTTP/2 with hyper-util's
//! automatic builder. Request bodies are read whole but capped: a body over the limit gets 413
//! before the handler sees it, as a real front end would answer. Idle and half-open clients
//! are cut by timeouts (handshake, first byte, headers), so that thousands of them cannot hold
//! the service's tasks. Dropping the [`ServerHandle`] stops the loop and every connection, which
//! frees the port.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::StatusCode;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tracing::Instrument;

use super::faults::{FaultTable, FaultVerb};
use super::{Handler, PeerIdentity, Request, Response};
use crate::clock::VirtualClock;

/// How long a client may take to finish the TLS handshake before the server drops it (wall
/// time: a half-open connection must not hold a task for ever). Generous, because a debug
/// build handshaking with hundreds of devices at once on two cores is slow.
pub const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// How long a client may take to send a request's headers (hyper's `header_read_timeout`):
/// a slowloris client dribbling a byte every few seconds is cut off.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a client that finished the TLS handshake may stay silent before its first byte.
/// hyper's header timeout does not cover that moment: hyper-util's automatic builder first
/// reads the start of the stream to tell HTTP/2's preface from HTTP/1.1, with no deadline, so
/// a client that handshakes and then says nothing would hold its task for ever.
pub const FIRST_BYTE_TIMEOUT: std::time::Duration = HEADER_READ_TIMEOUT;

/// The world's faults and the clock their windows are read by, as a listener consults them.
#[derive(Debug, Clone)]
pub struct ServerFaults {
    /// The fault table.
    pub table: FaultTable,
    /// The service's clock.
    pub clock: VirtualClock,
}

/// How many connections the kernel queues for a listener before it accepts them (capped by
/// `net.core.somaxconn`, 4096 on current Linux). tokio's default, 1024, overflows when a
/// burst of thousands of clients connects while the runtime is busy handshaking: the kernel
/// then drops the client's final ACK, and a client that waits for the server to speak (a TLS
/// client never does first, but an idle one does) is left with a connection the server never
/// saw.
const LISTEN_BACKLOG: u32 = 4096;

/// The largest request body any simulated service reads (1 MiB); larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How much of an oversized body is read and thrown away before answering 413 anyway.
const DRAIN_LIMIT_BYTES: usize = 64 * 1024 * 1024;

/// A running server. Dropping it stops the server and frees its port.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// The loopback address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server and waits until the listener is closed.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Starts serving `handler` on `127.0.0.1` at an ephemeral port.
pub async fn serve(
    tls: Arc<ServerConfig>,
    handler: Arc<dyn Handler>,
) -> std::io::Result<ServerHandle> {
    serve_as(tls, handler, None).await
}

/// Starts serving `handler` like [`serve`]; a request that names no host (a client that
/// connected to `https://127.0.0.1:PORT` sends no SNI and an address as `Host`) is taken as
/// one for `default_host`, the listener's first name, so that an outside client reaches the
/// service by address.
pub async fn serve_as(
    tls: Arc<ServerConfig>,
    handler: Arc<dyn Handler>,
    default_host: Option<String>,
) -> std::io::Result<ServerHandle> {
    serve_with_faults(tls, handler, default_host, None).await
}

/// Starts serving like [`serve_as`], consulting `faults` before each request reaches the
/// handler.
pub async fn serve_with_faults(
    tls: Arc<ServerConfig>,
    handler: Arc<dyn Handler>,
    default_host: Option<String>,
    faults: Option<ServerFaults>,
) -> std::io::Result<ServerHandle> {
    let default_host: Option<Arc<str>> = default_host.map(Arc::from);
    let listener = bind_loopback()?;
    let addr = listener.local_addr()?;
    let (stop, mut stopped) = watch::channel(false);
    let acceptor = TlsAcceptor::from(tls);
    let conn_stop = stop.subscribe();
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((tcp, _)) = accepted else { continue };
                    let _ = tcp.set_nodelay(true);
                    let acceptor = acceptor.clone();
                    let handler = handler.clone();
                    let default_host = default_host.clone();
                    let faults = faults.clone();
                    let mut stop = conn_stop.clone();
                    tokio::spawn(async move {
                        let connection = Connection { handler, default_host, faults };
                        tokio::select! {
                            _ = serve_connection(acceptor, tcp, connection) => {}
                            _ = stop.changed() => {}
                        }
                    });
                }
                _ = stopped.changed() => break,
            }
        }
    });
    Ok(ServerHandle {
        addr,
        stop,
        task: Some(task),
    })
}

/// A listener on `127.0.0.1` at an ephemeral port, with [`LISTEN_BACKLOG`].
fn bind_loopback() -> std::io::Result<TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    // As `TcpListener::bind` does: a port whose world was dropped, with connections still in
    // TIME_WAIT, can be bound again at once.
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0)))?;
    socket.listen(LISTEN_BACKLOG)
}

/// What a connection's requests are served with.
struct Connection {
    handler: Arc<dyn Handler>,
    default_host: Option<Arc<str>>,
    faults: Option<ServerFaults>,
}

async fn serve_connection(
    acceptor: TlsAcceptor,
    tcp: tokio::net::TcpStream,
    connection: Connection,
) {
    let Connection {
        handler,
        default_host,
        faults,
    } = connection;
    // A failed handshake (bad or expired client certificate, unknown CA...) ends here: rustls
    // has written the alert. The client may already have sent its first request bytes (in TLS
    // 1.3 it finishes before the server judges its certificate); closing with them unread
    // would reset the connection and the client could see the reset instead of the alert. So
    // the server stops writing and reads what is left for a moment first — a lingering close —
    // and every client reports the same alert.
    let accepted =
        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp).into_fallible()).await;
    let tls = match accepted {
        Err(_) => return,
        Ok(Ok(tls)) => tls,
        Ok(Err((_, mut tcp))) => {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let _ = tcp.shutdown().await;
            let mut sink = [0u8; 4096];
            let drain = async { while matches!(tcp.read(&mut sink).await, Ok(n) if n > 0) {} };
            let _ = tokio::time::timeout(std::time::Duration::from_millis(250), drain).await;
            return;
        }
    };
    let (_, session) = tls.get_ref();
    let sni = session.server_name().map(str::to_string);
    let peer = session
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| PeerIdentity {
            certificate: c.clone().into_owned(),
        });
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let handler = handler.clone();
        let sni = sni.clone();
        let default_host = default_host.clone();
        let peer = peer.clone();
        let faults = faults.clone();
        async move {
            let response = match read_request(req, sni, peer, default_host.as_deref()).await {
                Ok(request) => match unavailable(faults.as_ref(), &request.host) {
                    Some(retry_after) => handler.unavailable(retry_after),
                    None => handle_traced(handler.as_ref(), request).await,
                },
                Err(rejection) => rejection,
            };
            Ok::<_, Infallible>(into_hyper(response))
        }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let tls = FirstByteDeadline::new(tls, FIRST_BYTE_TIMEOUT);
    let _ = builder.serve_connection(TokioIo::new(tls), service).await;
}

/// A stream whose reads fail with `TimedOut` if no byte has arrived by a deadline; once one
/// has, it reads like the stream it wraps.
struct FirstByteDeadline<T> {
    io: T,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<T> FirstByteDeadline<T> {
    fn new(io: T, within: std::time::Duration) -> Self {
        FirstByteDeadline {
            io,
            deadline: Some(Box::pin(tokio::time::sleep(within))),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for FirstByteDeadline<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(read) => {
                if buf.filled().len() > before {
                    this.deadline = None;
                }
                Poll::Ready(read)
            }
            Poll::Pending => {
                let expired = this
                    .deadline
                    .as_mut()
                    .is_some_and(|deadline| deadline.as_mut().poll(cx).is_ready());
                if expired {
                    Poll::Ready(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "no request began within the first-byte timeout",
                    )))
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for FirstByteDeadline<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// The `Retry-After` of a fault that makes the service at `host` unavailable now.
fn unavailable(faults: Option<&ServerFaults>, host: &str) -> Option<u64> {
    let faults = faults?;
    match faults.table.server_fault(host, faults.clock.now())? {
        FaultVerb::Unavailable { retry_after_secs } => Some(retry_after_secs),
        _ => None,
    }
}

/// Runs the handler inside the request's developer-log span (host, method, path, status).
async fn handle_traced(handler: &dyn Handler, request: Request) -> Response {
    let span = tracing::debug_span!(
        "http_server",
        host = %request.host,
        method = %request.method,
        path = %request.path,
        status = tracing::field::Empty,
    );
    let response = handler.handle(request).instrument(span.clone()).await;
    span.record("status", response.status.as_u16());
    tracing::debug!(parent: &span, "request served");
    response
}

async fn read_request(
    req: hyper::Request<Incoming>,
    sni: Option<String>,
    peer: Option<PeerIdentity>,
    default_host: Option<&str>,
) -> Result<Request, Response> {
    let (parts, mut body) = req.into_parts();
    // The body is read to its end even past the limit (up to a hard cap), and only then
    // refused: answering 413 and closing while the client is still sending would reset the
    // connection, and the client would see a broken pipe instead of the 413.
    let mut kept = bytes::BytesMut::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    total += data.len();
                    if total <= MAX_BODY_BYTES {
                        kept.extend_from_slice(&data);
                    } else if total > DRAIN_LIMIT_BYTES {
                        break;
                    }
                }
            }
            Err(e) => {
                return Err(Response::text(
                    StatusCode::BAD_REQUEST,
                    format!("cannot read request body: {e}"),
                ))
            }
        }
    }
    if total > MAX_BODY_BYTES {
        return Err(Response::text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body exceeds {MAX_BODY_BYTES} bytes"),
        ));
    }
    let body = kept.freeze();
    let host = sni
        .or_else(|| parts.uri.host().map(str::to_string))
        .or_else(|| {
            parts
                .headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .map(|h| h.split(':').next().unwrap_or(h).to_string())
        })
        .filter(|h| !h.is_empty() && h.parse::<std::net::IpAddr>().is_err())
        .or_else(|| default_host.map(str::to_string))
        .unwrap_or_default()
        .to_ascii_lowercase();
    Ok(Request {
        method: parts.method,
        host,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body,
        peer,
    })
}

fn into_hyper(response: Response) -> hyper::Response<Full<Bytes>> {
    let mut out = hyper::Response::new(Full::new(response.body));
    *out.status_mut() = response.status;
    *out.headers_mut() = response.headers;
    out
}
