//! The enrollsim world: the parties of an Intune iOS/iPadOS enrollment and the wire between them.
//!
//! Data flows through the modules in this order:
//!
//! - [`clock`] and [`rng`]: one virtual clock and one seeded RNG per world, so the same scenario
//!   gives the same timeline byte for byte.
//! - [`net`]: HTTPS on loopback. Every service is a hyper server behind rustls; every client
//!   resolves the services' real host names to loopback itself and checks their certificates
//!   against the lab root, judged at the virtual time.
//! - [`wire`]: Apple's formats (configuration profiles, check-in messages, commands, the DEP API,
//!   the cloud configuration) as typed plists and JSON.
//! - [`cloud`]: the services — Entra ID, Intune (enrollment, MDM, admin API), Apple's ADE service
//!   and APNs — each an HTTP handler over its own state.
//! - [`device`]: the iOS device: the Company Portal flow, Setup Assistant, profiled and mdmclient,
//!   with the console log they write and the messages the user sees.
//! - [`recorder`]: the evidence a run leaves behind.
//! - [`world`]: starts the services on loopback ports, wires them together and hands out devices.
//!
//! Nothing here knows about scenarios: a failure happens because the state of the world makes a
//! party answer the way the real one would.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod clock;
pub mod cloud;
pub mod device;
pub mod index;
pub mod net;
pub mod recorder;
pub mod rng;
pub mod wire;
pub mod world;
