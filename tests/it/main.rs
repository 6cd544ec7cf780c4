//! enrollsim's integration tests, in one binary: each module is one former test file. One
//! binary links tokio, rustls and aws-lc once instead of once per file.
//!
//! Snapshots stay in `tests/snapshots/` under their old names: the modules that take them set
//! insta's snapshot path to `../snapshots` and name each snapshot with its former file's prefix
//! (see `snapshot_settings`).

// A test reads best as one story from setup to the last assertion; the length limit is for
// the code under test.
#![allow(clippy::too_many_lines)]

mod ablation;
mod ade_fleet;
mod admin_tokens;
mod bad_input;
mod batch_rows;
mod bundle_keys;
mod catalog_replay;
mod cli_diagnose;
mod cli_export_score;
mod cli_flags;
mod clock_skew;
mod combined;
mod determinism;
mod device_logs;
mod diagnosis_snapshots;
mod faults;
mod fleet;
mod foreign_device;
mod harness_security;
mod idle_connections;
mod ipad_naming;
mod languages;
mod library_public_api;
mod library_serve;
mod library_snapshots;
mod module_cycles;
mod people;
mod people_snapshots;
mod readme_example;
mod rename_reorder;
mod steady_state;
mod tenant;
mod variants;
mod wire;
mod wire_conformance;

/// insta settings for the modules that take snapshots: the files live in `tests/snapshots/`
/// and are named exactly as the assertion names them, without the binary's module path (each
/// module names its snapshots `<former file>__<name>`, as they were named when each file was
/// its own test binary).
pub fn snapshot_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}
