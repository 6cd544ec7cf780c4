//! The scenario model: every type a [`WorldSpec`], a [`Scenario`] and their settings are made
//! of.
//!
//! The most used ones are also at the crate root. The same types are the TOML file format
//! (`scenarios/*.toml`, unknown keys rejected) and what the in-code builder produces, so a
//! scenario written in Rust and one loaded from a file are the same thing:
//!
//! ```
//! use enrollsim::scenario::{LicenseSpec, Scenario};
//!
//! let scenario = Scenario::from_toml_str(
//!     r#"
//!     id = "exchange-only"
//!     title = "Alex's licence has Exchange but not Intune"
//!     section = "user-license-type-invalid"
//!     cause = "user-not-licensed"
//!
//!     [[world.users]]
//!     upn = "alex@contoso.example"
//!     licenses = [{ sku = "EXCHANGESTANDARD", service_plans = ["EXCHANGE_S_STANDARD"] }]
//!
//!     [action]
//!     enroll = "company-portal"
//!     user = "alex@contoso.example"
//!
//!     [expect]
//!     outcome = "failed"
//!     message = "user-license-type-invalid"
//!
//!     [[resolution]]
//!     do = "assign-license"
//!     user = "alex@contoso.example"
//!     sku = "EMS"
//!     "#,
//!     "<inline>",
//! )?;
//! assert!(matches!(&scenario.world.users[0].licenses[0], LicenseSpec::WithPlans { sku, .. } if sku == "EXCHANGESTANDARD"));
//! # Ok::<_, enrollsim::ScenarioError>(())
//! ```

pub use enrollsim_harness::scenario::*;
