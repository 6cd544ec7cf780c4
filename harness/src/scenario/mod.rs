//! Scenarios: the model, TOML loading with precise errors, and the in-code builder.

mod builder;
mod faults;
mod load;
mod model;
mod rfc3339;
mod span;
mod tenant;

pub use builder::*;
pub use faults::{FaultKind, FaultSpec};
pub use load::{load_dir, load_dir_tolerant, ScenarioError};
pub use model::*;
pub use tenant::*;
