//! enrollsim's harness: scenarios in, runs, evidence and verdicts out.
//!
//! - [`scenario`]: the scenario model (TOML files and the in-code builder).
//! - [`lab`]: turns a world spec into a running simulated world with its device, and acts in
//!   it (enroll, apply resolution steps through the admin API and the device).
//! - [`evidence`]: collects what an admin could collect into an evidence bundle.
//! - [`har`]: the wire of a run as HAR 1.2, for Charles, Fiddler and browser devtools.
//! - [`serve`]: what an outside client needs to reach a running world's services.
//! - [`timeline`]: a stable, readable rendering of what happened, and the one redaction of
//!   seeded identifiers and ports for snapshots.
//! - [`run`]: replays a scenario: reproduce, diagnose blind, fix, re-enroll, judge.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod evidence;
pub mod har;
pub mod lab;
pub mod run;
pub mod scenario;
pub mod secrets;
pub mod serve;
pub mod timeline;
pub mod web;
