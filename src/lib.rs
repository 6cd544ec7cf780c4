//! # enrollsim
//!
//! Reproduce Microsoft Intune iOS/iPadOS enrollment failures on demand, diagnose them blind,
//! apply the documented fix and prove the device enrolls again.
//!
//! enrollsim runs a simulated Entra ID + Intune tenant, Apple's push service and an iOS device
//! that talk HTTPS on loopback with real Apple plists. A failure is never scripted: it comes out
//! of the *state* of the world (an expired push certificate, a device limit, a foreign
//! management profile...) as the parties follow the protocol.
//!
//! (The guide with a complete example lands with the library work; see the README.)
#![deny(missing_docs)]

pub mod catalog;

pub use enrollsim_diagnostics::{diagnose, Cause, Diagnosis, EvidenceBundle, Section};
pub use enrollsim_harness::lab::{Lab, LabError};
pub use enrollsim_harness::run::{run_scenario, RunReport};
pub use enrollsim_harness::scenario::{
    Action, DeviceSetup, Expectation, HistoryStep, ResolutionStep, Scenario, ScenarioError,
    TenantSpec, UserSpec, WorldSpec,
};
pub use enrollsim_harness::timeline::Timeline;
pub use enrollsim_simulator::device::Outcome;
