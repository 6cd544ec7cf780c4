//! The page and its assets, embedded in the binary (no CDN, no network): one HTML page, a
//! style sheet and a small script of plain JavaScript.

use hyper::StatusCode;

use super::reply::Reply;

const PAGE: &str = include_str!("assets/index.html");
const STYLE: &str = include_str!("assets/lab.css");
const SCRIPT: &str = include_str!("assets/lab.js");

/// The page, with the lab's token where its links and script need it (the token is hex).
pub(super) fn page(token: &str) -> Reply {
    Reply::new(
        StatusCode::OK,
        "text/html; charset=utf-8",
        PAGE.replace("{{TOKEN}}", token),
    )
}

/// A static asset by its path.
pub(super) fn asset(path: &str) -> Reply {
    match path {
        "/assets/lab.css" => Reply::new(StatusCode::OK, "text/css; charset=utf-8", STYLE),
        "/assets/lab.js" => Reply::new(StatusCode::OK, "text/javascript; charset=utf-8", SCRIPT),
        _ => Reply::text(StatusCode::NOT_FOUND, "No such asset."),
    }
}
