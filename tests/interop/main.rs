//! Interop tests: enrollsim against real, independent Apple MDM programs.
//!
//! enrollsim's device talks to enrollsim's services, and its services to its device; these
//! tests prove that each side also speaks Apple's protocol with software written by others:
//!
//! - [`device_into_nanomdm`]: `enrollsim device enroll` obtains its identity from micromdm's
//!   `scepserver` and enrolls into `nanomdm`, which logs its `Authenticate` and `TokenUpdate`
//!   and whose queued commands the device answers;
//! - [`mdmb_into_intune`]: `mdmb`, a simulated Apple device of someone else's, installs the
//!   enrollment profile `enrollsim serve` writes, enrolls into the simulated Intune (the
//!   device shows up in the admin API) and checks in.
//!
//! The peers are found in `ENROLLSIM_PEERS` (default `../shared/peers/bin` beside the
//! workspace). A missing peer fails the test: it never skips, so a CI run without peers cannot
//! pass by doing nothing. The target is built only with the `interop` feature:
//! `cargo test --features interop --test interop`.

mod device_into_nanomdm;
mod http;
mod mdmb_into_intune;
mod peers;
