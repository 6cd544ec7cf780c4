//! The harness's integration tests, in one binary: each module is one former test file. One
//! binary links tokio, rustls and aws-lc once instead of once per file.

mod ade_delta_sync;
mod ade_token;
mod admin_filter;
mod apns_renew_vs_replace;
mod government_cloud;
mod scenario_doc;
