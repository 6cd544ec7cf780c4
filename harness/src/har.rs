//! The wire of a run as HAR 1.2 (HTTP Archive), the format Charles, Fiddler and browser
//! devtools open.
//!
//! The input is what the simulator's [`WireArchive`](enrollsim_simulator::recorder::WireArchive)
//! kept: every HTTP exchange a simulated party made, with headers and both bodies. Each world
//! (one recorder) becomes a HAR page, its exchanges the page's entries in the order they
//! started. Times are the world's virtual time, which is what the timelines show too; the
//! simulated exchanges take no virtual time, so `time` and the timings are 0. Bodies that are
//! text (JSON, XML plists, forms, text) are written as text, anything else (binary plists, DER,
//! PKCS#7) as base64 with `encoding: "base64"`. An exchange that got no HTTP response (refused
//! connection, TLS alert) has status 0 and the reason in `_error`, as browsers export it.

use base64::Engine;
use enrollsim_simulator::recorder::{ArchivedExchange, HttpExchange};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;

/// The HAR 1.2 document (`{"log": {...}}`) of `exchanges`, their secrets masked (bearer
/// tokens, cookies, passwords, SCEP challenges, PKCS#12 identities: see [`crate::secrets`]).
#[must_use]
pub fn har(exchanges: &[ArchivedExchange]) -> Value {
    let masked: Vec<ArchivedExchange> = exchanges
        .iter()
        .map(|x| ArchivedExchange {
            exchange: crate::secrets::masked(&x.exchange),
            ..x.clone()
        })
        .collect();
    har_with_secrets(&masked)
}

/// The HAR 1.2 document of `exchanges` exactly as they went over the wire, secrets included:
/// for whoever asks for them (a HAR written this way must not be shared).
#[must_use]
pub fn har_with_secrets(exchanges: &[ArchivedExchange]) -> Value {
    let mut ordered: Vec<&ArchivedExchange> = exchanges.iter().collect();
    ordered.sort_by_key(|x| (x.recorder, x.at));
    let mut pages: Vec<Value> = Vec::new();
    let mut entries = Vec::with_capacity(ordered.len());
    let mut page_of_recorder = None;
    for x in ordered {
        if page_of_recorder != Some(x.recorder) {
            page_of_recorder = Some(x.recorder);
            pages.push(json!({
                "startedDateTime": timestamp(x.at),
                "id": page_id(x.recorder),
                "title": format!("world {}", pages.len() + 1),
                "pageTimings": {},
            }));
        }
        entries.push(entry(x));
    }
    json!({
        "log": {
            "version": "1.2",
            "creator": { "name": "enrollsim", "version": env!("CARGO_PKG_VERSION") },
            "pages": pages,
            "entries": entries,
        }
    })
}

fn page_id(recorder: u64) -> String {
    format!("world_{recorder}")
}

fn timestamp(at: time::OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

fn entry(x: &ArchivedExchange) -> Value {
    let e = &x.exchange;
    let mut entry = json!({
        "pageref": page_id(x.recorder),
        "startedDateTime": timestamp(x.at),
        "time": 0,
        "request": request(e),
        "response": response(e),
        "cache": {},
        "timings": { "send": 0, "wait": 0, "receive": 0 },
        "comment": format!("from {}", e.from),
    });
    if let Some(device) = &x.device {
        entry["_device"] = json!(device);
    }
    entry
}

fn request(e: &HttpExchange) -> Value {
    let query = e.path.split_once('?').map_or("", |(_, q)| q);
    let query_string: Vec<Value> = form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| json!({ "name": name, "value": value }))
        .collect();
    let mut request = json!({
        "method": e.method,
        "url": format!("https://{}{}", e.host, e.path),
        "httpVersion": e.http_version,
        "cookies": [],
        "headers": headers(&e.request_headers),
        "queryString": query_string,
        "headersSize": -1,
        "bodySize": e.request_body.len(),
    });
    if !e.request_body.is_empty() {
        let mime = e.request_content_type.as_deref().unwrap_or("");
        let mut post = body(mime, &e.request_body);
        post["mimeType"] = json!(mime);
        request["postData"] = post;
    }
    request
}

fn response(e: &HttpExchange) -> Value {
    let mime = e.response_content_type.as_deref().unwrap_or("x-unknown");
    let mut content = body(mime, &e.response_body);
    content["size"] = json!(e.response_body.len());
    content["mimeType"] = json!(mime);
    let status = e.status.unwrap_or(0);
    let mut response = json!({
        "status": status,
        "statusText": hyper::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or(""),
        "httpVersion": e.http_version,
        "cookies": [],
        "headers": headers(&e.response_headers),
        "content": content,
        "redirectURL": location(&e.response_headers),
        "headersSize": -1,
        "bodySize": if e.status.is_some() { json!(e.response_body.len()) } else { json!(-1) },
    });
    if let Some(failure) = &e.failure {
        response["_error"] = json!(failure);
    }
    response
}

fn headers(pairs: &[(String, String)]) -> Vec<Value> {
    pairs
        .iter()
        .map(|(name, value)| json!({ "name": name, "value": value }))
        .collect()
}

fn location(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("location"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// `{"text": ...}` for a text body, `{"text": base64, "encoding": "base64"}` for any other.
fn body(mime: &str, bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return json!({ "text": "" });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if is_text(mime, bytes) => json!({ "text": text }),
        _ => json!({
            "text": base64::engine::general_purpose::STANDARD.encode(bytes),
            "encoding": "base64",
        }),
    }
}

/// Whether a body reads as text: a textual media type, or an XML plist sent under a generic
/// one (Apple's `application/x-apple-aspen-config` profiles are XML unless signed).
fn is_text(mime: &str, bytes: &[u8]) -> bool {
    let mime = mime.to_ascii_lowercase();
    mime.starts_with("text/")
        || ["json", "xml", "x-www-form-urlencoded", "javascript"]
            .iter()
            .any(|t| mime.contains(t))
        || bytes.starts_with(b"<?xml")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn exchange(body: &'static [u8], content_type: &str) -> ArchivedExchange {
        ArchivedExchange {
            recorder: 3,
            at: time::macros::datetime!(2025-01-02 03:04:05 UTC),
            device: Some("F2LX".into()),
            exchange: HttpExchange {
                from: "device".into(),
                host: "example.test".into(),
                method: "POST".into(),
                path: "/a?b=c%20d".into(),
                request_content_type: Some(content_type.into()),
                request_body: Bytes::from_static(body),
                status: Some(200),
                response_content_type: Some(content_type.into()),
                response_body: Bytes::from_static(body),
                failure: None,
                http_version: "HTTP/1.1",
                request_headers: vec![("content-type".into(), content_type.into())],
                response_headers: Vec::new(),
            },
        }
    }

    #[test]
    fn text_bodies_are_text_and_binary_ones_base64() {
        let doc = har(&[
            exchange(b"{\"a\":1}", "application/json"),
            exchange(b"bplist00\xff", "application/x-apple-aspen-config"),
        ]);
        let entries = doc["log"]["entries"].as_array().expect("entries");
        assert_eq!(entries[0]["request"]["postData"]["text"], "{\"a\":1}");
        assert!(entries[0]["response"]["content"].get("encoding").is_none());
        assert_eq!(entries[1]["response"]["content"]["encoding"], "base64");
        assert_eq!(entries[0]["request"]["queryString"][0]["value"], "c d");
        assert_eq!(entries[0]["startedDateTime"], "2025-01-02T03:04:05Z");
        assert_eq!(doc["log"]["pages"].as_array().map(Vec::len), Some(1));
    }
}
