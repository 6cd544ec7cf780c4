//! The simulated cloud services, one module per service.
//!
//! Each service keeps its state in plain data behind a mutex and answers HTTPS requests through
//! a thin [`crate::net::Handler`] (handler → service → state, as nanomdm layers it). Services that
//! talk to each other do it over HTTPS too (Intune → APNs, Intune → Apple's DEP API), except
//! where the real services share a directory (Intune reads users and licences from Entra ID).

pub mod apns;
pub mod apple_ade;
pub mod entra;
pub mod form;
pub mod intune;
