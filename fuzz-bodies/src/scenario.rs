//! The scenario TOML loader: any text loads or gives a located error, and a loaded scenario
//! written back out loads again.

use enrollsim_harness::scenario::Scenario;

use crate::{with, Outcome};

/// A scenario file of any content.
pub fn scenario_toml(bytes: &[u8]) -> Outcome {
    with(bytes, |text: &str| {
        if let Ok(scenario) = Scenario::from_toml_str(text, "fuzz.toml") {
            let written = scenario.to_toml();
            if let Err(e) = Scenario::from_toml_str(&written, "again.toml") {
                panic!("a loaded scenario does not load again: {e}\n{written}");
            }
        }
    })
}
