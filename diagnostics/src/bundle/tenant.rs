//! The tenant's admin view (`tenant.json`). The shapes are Microsoft Graph's and live in the
//! `enrollsim-graph` leaf crate, shared with the simulated admin API and the evidence collection
//! so that writer and reader cannot drift apart; this module keeps their historical path.

pub use enrollsim_graph::tenant::*;
