//! The simulated cloud services.
