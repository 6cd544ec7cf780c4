//! The enrollsim lab PKI.
//!
//! Every TLS hop in the simulated world uses real X.509 certificates made here with rcgen:
//!
//! - a **lab root** that issues the TLS server certificates of every service host name, and that
//!   every simulated client trusts;
//! - an **Apple push CA** that issues the tenant's APNs MDM push certificate (subject `UID` = the
//!   MDM topic), which the APNs service demands as its TLS client certificate;
//! - an **Intune device CA** that issues device identity certificates at enrollment, which the MDM
//!   check-in and command endpoints demand over mutual TLS.
//!
//! Validity periods come from the caller (the world's virtual clock), and rustls judges them
//! against that same clock, so a certificate can be made to expire by moving the clock.
//!
//! Key generation is the expensive part (an RSA-2048 key takes tens of milliseconds), so every
//! key is generated once per process and shared ([`keys`]); issuing a certificate with a shared
//! key costs tens of microseconds, which is what lets one process enroll thousands of devices.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod authority;
mod error;
mod identity;
pub mod inspect;
pub mod keys;

pub use authority::{Authority, LabPki};
pub use error::CertError;
pub use identity::Identity;
pub use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
pub use time::OffsetDateTime;
