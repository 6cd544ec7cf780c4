//! The built-in scenario catalog: one scenario per failure of Microsoft's iOS/iPadOS
//! enrollment troubleshooting article, plus the happy paths, embedded at build time.

use std::path::Path;

use enrollsim_harness::scenario::{load_dir, load_dir_tolerant, Scenario, ScenarioError};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/builtin_scenarios.rs"));
}
use embedded::BUILTIN_SCENARIOS;

/// Every built-in scenario, sorted by id.
pub fn builtin() -> Result<Vec<Scenario>, ScenarioError> {
    let mut all = BUILTIN_SCENARIOS
        .iter()
        .map(|(name, text)| Scenario::from_toml_str(text, Path::new("scenarios").join(name)))
        .collect::<Result<Vec<_>, _>>()?;
    all.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(all)
}

/// The built-in scenario with `id`.
pub fn find(id: &str) -> Result<Option<Scenario>, ScenarioError> {
    Ok(builtin()?.into_iter().find(|s| s.id == id))
}

/// Every scenario in a directory (`*.toml`), sorted by id.
pub fn load(dir: impl AsRef<Path>) -> Result<Vec<Scenario>, ScenarioError> {
    Ok(load_dir(dir)?.into_iter().map(|(_, s)| s).collect())
}

/// Every scenario in a directory (`*.toml`) that loads, sorted by id, and why each other file
/// did not load: one broken file does not keep the others from running. Fails only when the
/// directory cannot be read.
pub fn load_tolerant(
    dir: impl AsRef<Path>,
) -> Result<(Vec<Scenario>, Vec<ScenarioError>), ScenarioError> {
    let (loaded, errors) = load_dir_tolerant(dir)?;
    Ok((loaded.into_iter().map(|(_, s)| s).collect(), errors))
}
