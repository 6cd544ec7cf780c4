//! The lab's requests and answers as plain values, between the HTTP front (`http`) and
//! what answers them (the room, the sessions, the assets).

use std::collections::HashMap;

use bytes::Bytes;
use hyper::{Method, StatusCode};

/// A request as the room sees it: read whole, token already checked.
pub(super) struct Call {
    pub method: Method,
    pub path: String,
    pub query: HashMap<String, String>,
    pub session: Option<String>,
    pub body: Bytes,
}

/// What the room answers.
pub(super) struct Reply {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Bytes,
    /// A new session's id, set as the session cookie.
    pub new_session: Option<String>,
    /// A file name: the browser saves the body instead of showing it.
    pub download: Option<String>,
}

impl Reply {
    pub fn new(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
        Reply {
            status,
            content_type,
            body: body.into(),
            new_session: None,
            download: None,
        }
    }

    /// A plain-text refusal or error.
    pub fn text(status: StatusCode, text: impl Into<String>) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", text.into())
    }

    /// A JSON answer.
    pub fn json(status: StatusCode, value: &impl serde::Serialize) -> Reply {
        match serde_json::to_vec(value) {
            Ok(body) => Reply::new(status, "application/json", body),
            Err(e) => Reply::text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        }
    }
}
