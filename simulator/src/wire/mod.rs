//! The wire formats as typed models. Apple's: configuration profiles, MDM check-in messages,
//! commands and results, the APNs push and error bodies, the DEP (Device Assignment) API
//! JSON, the ADE cloud configuration and `MachineInfo`, and MDM error bodies. Microsoft's:
//! Entra ID's token and device registration bodies ([`entra`]) and Intune's Company Portal
//! enrollment API ([`intune_enrollment`]).
//!
//! Every model uses its owner's exact key names and value types, so what crosses the simulated
//! TLS hops is what a real device and server exchange. Plist models have
//! `to_xml(&self) -> Vec<u8>` and `from_xml(&[u8]) -> Result<Self, WireError>`; JSON models
//! have `to_json` and `from_json`. Decoders never panic: they say which key is wrong and what
//! type was expected (see [`WireError`]). [`schema::validate`] checks any plist against
//! Apple's published schema, copied into the crate under `simulator/schema/`.
#![deny(missing_docs)]

pub mod apns;
pub mod checkin;
pub mod cloud_config;
pub mod cms;
pub mod command;
pub mod content_type;
pub mod dep;
pub mod entra;
mod error;
pub mod intune_enrollment;
mod json_io;
pub mod mdm_error;
pub mod mdm_signature;
mod plist_io;
pub mod profile;
pub mod scep;
pub mod schema;

pub use error::WireError;
pub use plist::{Data, Dictionary, Value};
pub use schema::{PlistType, SchemaKind, SchemaViolation};
