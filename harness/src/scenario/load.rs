//! Reading scenario files: TOML in, a [`Scenario`] or an error that names the file, the line and
//! what was expected.

use std::path::{Path, PathBuf};

use super::model::Scenario;

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed, has an unknown key, or a value of the wrong type.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// The file (or `<string>`).
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The file parsed but says something impossible.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        file: PathBuf,
        /// 1-based line of the offending key (1 when it cannot be located).
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Two scenarios share an id.
    #[error("{file}: scenario id {id:?} is already used by {other}")]
    DuplicateId {
        /// The file.
        file: PathBuf,
        /// The id.
        id: String,
        /// The other file.
        other: PathBuf,
    },
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, column)
}

impl Scenario {
    /// Parses a scenario from TOML text; `origin` names it in errors.
    pub fn from_toml_str(text: &str, origin: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let file = origin.as_ref().to_path_buf();
        let scenario: Scenario = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            ScenarioError::Parse {
                file: file.clone(),
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        scenario.validate().map_err(|(message, key, value)| {
            let (line, column) = locate(text, key, &value);
            ScenarioError::Invalid {
                file,
                line,
                column,
                message,
            }
        })?;
        Ok(scenario)
    }

    /// Loads a scenario file.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            file: path.to_path_buf(),
            source,
        })?;
        Scenario::from_toml_str(&text, path)
    }

    /// The scenario as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Checks what the TOML types cannot say; an error carries the message and the key and
    /// value to point at.
    fn validate(&self) -> Result<(), (String, &'static str, String)> {
        let valid_id = |id: &str| {
            !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        if !valid_id(&self.id) {
            let m = format!(
                "id {:?} must be non-empty and use only letters, digits, '-' and '_'",
                self.id
            );
            return Err((m, "id", self.id.clone()));
        }
        let known = |upn: &str| {
            self.world
                .users
                .iter()
                .any(|u| u.upn.eq_ignore_ascii_case(upn))
        };
        for (what, action) in [
            ("action", Some(&self.action)),
            ("reenroll", self.reenroll.as_ref()),
        ] {
            if let Some(a) = action.filter(|a| !known(&a.user)) {
                let m = format!("{what}.user {:?} is not one of world.users", a.user);
                return Err((m, "user", a.user.clone()));
            }
        }
        for (i, l) in self.world.tenant.limit_restrictions.iter().enumerate() {
            if !(1..=15).contains(&l.limit) {
                let m = format!(
                    "world.tenant.limit_restrictions[{i}].limit is {}; Intune allows 1 to 15",
                    l.limit
                );
                return Err((m, "limit", l.limit.to_string()));
            }
        }
        let limit = self.world.tenant.default_device_limit;
        if !(1..=15).contains(&limit) {
            let m = format!("world.tenant.default_device_limit is {limit}; Intune allows 1 to 15");
            return Err((m, "default_device_limit", limit.to_string()));
        }
        if enrollsim_simulator::clock::parse_rfc3339(&self.world.start).is_none() {
            let m = format!(
                "world.start {:?} is not an RFC 3339 time such as 2026-11-26T09:00:00Z",
                self.world.start
            );
            return Err((m, "start", self.world.start.clone()));
        }
        Ok(())
    }
}

/// The line and column of the first `key = ...value...` in `text` (1:1 when absent).
fn locate(text: &str, key: &str, value: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix(key) else {
            continue;
        };
        if rest.trim_start().starts_with('=') && rest.contains(value) {
            return (i + 1, line.len() - trimmed.len() + 1);
        }
    }
    (1, 1)
}

/// Loads every `*.toml` in `dir`, sorted by id; ids must be unique.
pub fn load_dir(dir: impl AsRef<Path>) -> Result<Vec<(PathBuf, Scenario)>, ScenarioError> {
    let (loaded, errors) = load_dir_tolerant(dir)?;
    match errors.into_iter().next() {
        Some(first) => Err(first),
        None => Ok(loaded),
    }
}

/// Loads every `*.toml` in `dir` that can be loaded, sorted by id, and says why each other file
/// could not (in file name order), so that one broken file does not keep the others out. A file
/// reusing an id already loaded is one of the errors. Fails only when `dir` cannot be read.
#[allow(clippy::type_complexity)]
pub fn load_dir_tolerant(
    dir: impl AsRef<Path>,
) -> Result<(Vec<(PathBuf, Scenario)>, Vec<ScenarioError>), ScenarioError> {
    let dir = dir.as_ref();
    let entries = std::fs::read_dir(dir).map_err(|source| ScenarioError::Read {
        file: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut loaded: Vec<(PathBuf, Scenario)> = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let s = match Scenario::load(&p) {
            Ok(s) => s,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match loaded.iter().find(|(_, o)| o.id == s.id) {
            Some((other, _)) => errors.push(ScenarioError::DuplicateId {
                file: p.clone(),
                id: s.id.clone(),
                other: other.clone(),
            }),
            None => loaded.push((p, s)),
        }
    }
    loaded.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    Ok((loaded, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_file_line_and_expected_keys() {
        let text = "id = \"x\"\ntitle = \"t\"\ncolour = 3\n[action]\nenroll = \"company-portal\"\nuser = \"a@b\"\n[expect]\noutcome = \"enrolled\"\n";
        let err = Scenario::from_toml_str(text, "scenarios/x.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("scenarios/x.toml:3:1: unknown field `colour`"),
            "{err}"
        );
        assert!(err.contains("expected one of"), "{err}");
    }

    #[test]
    fn wrong_type_and_unknown_user_are_reported() {
        let text = "id = \"x\"\ntitle = 5\n";
        let err = Scenario::from_toml_str(text, "s.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("s.toml:2:9:"), "{err}");
        let text = "id = \"x\"\ntitle = \"t\"\n[action]\nenroll = \"company-portal\"\nuser = \"ghost@b\"\n[expect]\noutcome = \"enrolled\"\n";
        let err = Scenario::from_toml_str(text, "s.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("ghost@b"), "{err}");
    }
}
