//! The service-side records: Intune's enrollment troubleshooting events
//! (`enrollment-events.json`) and Entra ID sign-ins (`sign-ins.json`). The shapes are Graph's and
//! live in the `enrollsim-graph` leaf crate, shared with the admin API that serves them; this
//! module keeps their historical path.

pub use enrollsim_graph::events::{EnrollmentEvent, FailureCategory};
pub use enrollsim_graph::sign_in::{SignInRecord, SignInStatus};
