//! The diagnosis crate's integration tests, in one binary: each former `tests/*.rs` file is a
//! module here, so a cold `cargo test` links one test executable instead of one per file
//! (linking dominates on small machines).

// A test reads best as one story from setup to the last assertion; the length limit is for
// the code under test.
#![allow(clippy::too_many_lines)]

mod common;

mod bundle_io;
mod languages;
mod message_only;
mod prop_invariance;
mod real_logs;
mod robustness;
mod rules;
