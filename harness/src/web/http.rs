//! The web lab's HTTP/1.1 front: accepts connections, reads each request whole (bodies are
//! capped), checks the lab's token and hands the request to the room. Nothing a browser sends
//! can panic a handler: every refusal is a 4xx with a plain-text reason.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::StatusCode;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::reply::{Call, Reply};
use super::room::Room;

/// The largest request body the lab reads (a Graph PATCH is a few hundred bytes).
pub(super) const MAX_BODY_BYTES: usize = 64 * 1024;

/// The session cookie's name.
pub(super) const SESSION_COOKIE: &str = "enrollsim_lab_session";

/// Serves `room` on `listener` until `stopped` turns true.
pub(super) async fn serve(
    listener: TcpListener,
    room: Arc<Room>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            _ = stopped.changed() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else { continue };
        let room = room.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let room = room.clone();
                async move { Ok::<_, Infallible>(answer(&room, request).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = stopped.changed() => {}
            }
        });
    }
}

/// Reads, checks and answers one request.
async fn answer(room: &Room, request: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
    let reply = match read(room, request).await {
        Ok(call) => room.handle(call).await,
        Err(refusal) => refusal,
    };
    render(reply)
}

/// The request read whole, or the refusal it earns.
async fn read(room: &Room, request: hyper::Request<Incoming>) -> Result<Call, Reply> {
    let (parts, body) = request.into_parts();
    let query: HashMap<String, String> =
        form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let token = query.get("token").map(String::as_str).or_else(|| {
        parts
            .headers
            .get("x-lab-token")
            .and_then(|v| v.to_str().ok())
    });
    if !token.is_some_and(|t| room.token_matches(t)) {
        return Err(Reply::text(
            StatusCode::FORBIDDEN,
            "This lab needs its token: open the address the lab printed, with ?token=...",
        ));
    }
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Err(Reply::text(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Request bodies are limited to {MAX_BODY_BYTES} bytes."),
            ))
        }
    };
    Ok(Call {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query,
        session: session_cookie(&parts.headers),
        body,
    })
}

/// The session id the browser's cookie carries.
fn session_cookie(headers: &hyper::HeaderMap) -> Option<String> {
    headers
        .get_all(hyper::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == SESSION_COOKIE).then(|| value.to_string())
        })
}

/// The reply as an HTTP response, with the headers every answer carries: nothing cached,
/// nothing framed or sniffed, no referrer (the token is in the address), scripts only from
/// the lab itself.
fn render(reply: Reply) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(reply.body));
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(reply.content_type));
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
        ),
    );
    if let Some(id) = reply.new_session {
        let cookie = format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.insert(hyper::header::SET_COOKIE, value);
        }
    }
    if let Some(name) = reply.download {
        let disposition = format!("attachment; filename=\"{name}\"");
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            headers.insert(hyper::header::CONTENT_DISPOSITION, value);
        }
    }
    response
}
