//! `enrollsim list`, and finding the scenarios other commands name: the built-in catalog, a
//! directory given with `--dir`, or a `.toml` path.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use enrollsim::{catalog, Scenario, Section};

/// Every scenario of `dir`, or of the built-in catalog.
pub fn scenarios(dir: Option<&Path>) -> Result<Vec<Scenario>> {
    Ok(match dir {
        Some(d) => catalog::load(d)?,
        None => catalog::builtin()?,
    })
}

/// The scenario `name` names: a `.toml` file, or an id of `dir` or the built-in catalog.
pub fn resolve(name: &str, dir: Option<&Path>) -> Result<Scenario> {
    let path = PathBuf::from(name);
    if name.ends_with(".toml") || path.is_file() {
        return Ok(Scenario::load(&path)?);
    }
    scenarios(dir)?
        .into_iter()
        .find(|s| s.id == name)
        .with_context(|| format!("no scenario with id {name:?} (try `enrollsim list`)"))
}

/// Prints the scenarios: a table, or JSON rows.
pub fn list(dir: Option<&Path>, json: bool) -> Result<ExitCode> {
    let list = scenarios(dir)?;
    if json {
        let rows: Vec<_> = list
            .iter()
            .map(|s| {
                serde_json::json!({
                    "id": s.id,
                    "title": s.title,
                    "section": s.section,
                    "current_section": s.section.map(Section::current_section),
                    "cause": s.cause,
                })
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        for s in list {
            outln!(
                "{:<42} {:<60} {}",
                s.id,
                s.title.chars().take(60).collect::<String>(),
                s.section
                    .map_or("(happy path)".to_string(), Section::anchors_label)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
