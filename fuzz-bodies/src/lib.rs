//! What each fuzz target runs on one input, in one place for both callers: the cargo-fuzz
//! targets (`fuzz/fuzz_targets/<name>.rs`, nightly, libFuzzer's bytes) and the stable replay
//! of the committed inputs in the normal test suite (`harness/tests/it/fuzz_replay.rs`). A
//! body takes the raw bytes and decodes them the way libfuzzer-sys would for the target's
//! input type (text, or a structure built with `arbitrary`), so a file under
//! `fuzz/regressions/<name>/` or `fuzz/corpus/<name>/` runs the same code on stable as it did
//! under the fuzzer; a body panics when a check fails.

mod diagnosis;
mod scenario;
mod services;
mod wire;

use arbitrary::{Arbitrary, Unstructured};

pub use diagnosis::{bundle_read, device_log, message_recognize, Bundle};
pub use scenario::scenario_toml;
pub use services::{graph_filter, served, service_request, FuzzRequest, Served, Service};
pub use wire::{
    dep_json, oauth_header, plist_checkin, plist_command_report, plist_profile, scep_pki_message,
};

/// What became of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The body ran its checks on it.
    Ran,
    /// It did not decode into the target's input type (too short for the structure, or not
    /// text); libFuzzer is told not to keep such inputs, as libfuzzer-sys does.
    NotDecoded,
}

/// One fuzz target: its name (the cargo-fuzz binary and the folders of its inputs) and body.
pub type Target = (&'static str, fn(&[u8]) -> Outcome);

/// Every fuzz target, by name.
pub const TARGETS: &[Target] = &[
    ("bundle_read", bundle_read),
    ("dep_json", dep_json),
    ("device_log", device_log),
    ("graph_filter", graph_filter),
    ("message_recognize", message_recognize),
    ("oauth_header", oauth_header),
    ("plist_checkin", plist_checkin),
    ("plist_command_report", plist_command_report),
    ("plist_profile", plist_profile),
    ("scenario_toml", scenario_toml),
    ("scep_pki_message", scep_pki_message),
    ("service_request", service_request),
];

/// The body of the target called `name`.
pub fn target(name: &str) -> Option<fn(&[u8]) -> Outcome> {
    TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, body)| *body)
}

/// Decodes libFuzzer's bytes into a target's input as libfuzzer-sys's `fuzz_target!` does for
/// a typed input: too few bytes for the type's minimum are refused, the rest is taken whole.
fn decode<'a, T: Arbitrary<'a>>(bytes: &'a [u8]) -> Option<T> {
    if bytes.len() < T::size_hint(0).0 {
        return None;
    }
    T::arbitrary_take_rest(Unstructured::new(bytes)).ok()
}

/// Runs `body` on the input decoded as `T`.
fn with<'a, T: Arbitrary<'a>>(bytes: &'a [u8], body: impl FnOnce(T)) -> Outcome {
    match decode(bytes) {
        Some(input) => {
            body(input);
            Outcome::Ran
        }
        None => Outcome::NotDecoded,
    }
}
