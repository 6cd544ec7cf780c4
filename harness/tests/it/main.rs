//! The harness's integration tests, in one binary: each module is one former test file. One
//! binary links tokio, rustls and aws-lc once instead of once per file.

// A test reads best as one story from setup to the last assertion; the length limit is for
// the code under test.
#![allow(clippy::too_many_lines)]

mod ade_delta_sync;
mod ade_token;
mod admin_collection;
mod admin_filter;
mod apns_renew_vs_replace;
mod fuzz_replay;
mod fuzz_seeds;
mod government_cloud;
mod long_history;
mod prop_filter;
mod scenario_doc;
mod web_lab;
