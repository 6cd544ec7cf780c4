//! The simulator's integration tests, one module per subject, in one test binary: each binary
//! links tokio, rustls and aws-lc, so one binary instead of nine makes a cold `cargo test`
//! much faster.

// A test reads best as one story from setup to the last assertion; the length limit is for
// the code under test.
#![allow(clippy::too_many_lines)]

mod ade_machine_info;
mod apple_ade;
mod byod_flow;
mod leaf_rotation;
mod mdm_signature;
mod prop_wire;
mod scep_service;
mod wire_apns;
mod wire_checkin;
mod wire_cloud_config;
mod wire_command;
mod wire_dep;
mod wire_garbage;
mod wire_profile;
