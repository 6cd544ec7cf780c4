//! Checks a plist dictionary against a list of key specs, recursively.
//!
//! Two modes: `Full` reports everything [`validate`](super::validate) promises (missing
//! required keys, keys the target does not support, wrong types, values not allowed);
//! `Structural` reports only what stops a value from being decoded into a typed model
//! (wrong types and values not allowed), which is what the `from_xml` decoders use.

use plist::{Dictionary, Value};

use super::{KeySpec, PlistType, Presence, Problem, SchemaViolation, Target};

/// How much a [`Checker`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Everything: presence, target support, types, allowed values, cross-key rules.
    Full,
    /// Only wrong types and values not allowed.
    Structural,
}

/// Collects violations while walking a value.
pub(crate) struct Checker<'t> {
    pub(crate) target: &'t Target,
    pub(crate) mode: Mode,
    pub(crate) violations: Vec<SchemaViolation>,
}

/// `path.key`, or `key` at the top level.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Payload-specific specs override common ones with the same key name.
pub(crate) fn merge<'a>(common: &'a [KeySpec], specific: &'a [KeySpec]) -> Vec<&'a KeySpec> {
    let mut merged: Vec<&KeySpec> = common
        .iter()
        .filter(|c| !specific.iter().any(|s| s.key == c.key))
        .collect();
    merged.extend(specific.iter());
    merged
}

impl<'t> Checker<'t> {
    pub(crate) fn new(target: &'t Target, mode: Mode) -> Checker<'t> {
        Checker {
            target,
            mode,
            violations: Vec::new(),
        }
    }

    pub(crate) fn full(&self) -> bool {
        self.mode == Mode::Full
    }

    pub(crate) fn push(&mut self, path: impl Into<String>, problem: Problem) {
        let violation = SchemaViolation::new(path, problem);
        if self.full() || violation.is_structural() {
            self.violations.push(violation);
        }
    }

    /// Checks every spec against `dict`; keys the specs do not name are ignored unless a spec
    /// named `ANY` describes them.
    pub(crate) fn check_dict(&mut self, path: &str, dict: &Dictionary, specs: &[&KeySpec]) {
        let any = specs.iter().find(|s| s.key == "ANY");
        for spec in specs.iter().filter(|s| s.key != "ANY") {
            self.check_key(path, dict, spec, true);
        }
        if let Some(any) = any {
            for (key, value) in dict {
                if !specs.iter().any(|s| &s.key == key) {
                    self.check_value(&join(path, key), value, any);
                }
            }
        }
    }

    /// Checks one key of `dict`: support on the target, presence (when `enforce_presence`)
    /// and the value.
    pub(crate) fn check_key(
        &mut self,
        path: &str,
        dict: &Dictionary,
        spec: &KeySpec,
        enforce_presence: bool,
    ) {
        let key_path = join(path, &spec.key);
        let not_applicable = self.target.not_applicable(spec);
        match dict.get(&spec.key) {
            Some(value) => {
                if let Some(reason) = not_applicable {
                    self.push(key_path.clone(), Problem::NotSupported { reason });
                }
                self.check_value(&key_path, value, spec);
            }
            None => {
                if enforce_presence
                    && spec.presence == Presence::Required
                    && not_applicable.is_none()
                {
                    self.push(key_path, Problem::MissingKey);
                }
            }
        }
    }

    /// Checks a value's type, allowed values and nested keys or items.
    pub(crate) fn check_value(&mut self, path: &str, value: &Value, spec: &KeySpec) {
        let found = PlistType::of(value);
        if !spec.value_type.accepts(found) {
            self.push(
                path,
                Problem::WrongType {
                    expected: spec.value_type,
                    found,
                },
            );
            return;
        }
        if !spec.rangelist.is_empty() && !in_rangelist(value, &spec.rangelist) {
            let allowed = spec.rangelist.iter().map(json_to_text).collect();
            self.push(
                path,
                Problem::ValueNotAllowed {
                    found: value_to_text(value),
                    allowed,
                },
            );
        }
        match value {
            Value::Dictionary(dict) if !spec.subkeys.is_empty() => {
                let specs: Vec<&KeySpec> = spec.subkeys.iter().collect();
                self.check_dict(path, dict, &specs);
            }
            Value::Array(items) => {
                if let Some(item_spec) = spec.subkeys.first() {
                    for (i, item) in items.iter().enumerate() {
                        self.check_value(&format!("{path}[{i}]"), item, item_spec);
                    }
                }
            }
            _ => {}
        }
    }
}

fn in_rangelist(value: &Value, rangelist: &[serde_json::Value]) -> bool {
    match value {
        Value::String(s) => rangelist.iter().any(|r| r.as_str() == Some(s.as_str())),
        Value::Integer(i) => rangelist.iter().any(|r| {
            (i.as_signed().is_some() && r.as_i64() == i.as_signed())
                || (i.as_unsigned().is_some() && r.as_u64() == i.as_unsigned())
        }),
        // Apple lists only strings and integers; other types are not constrained.
        _ => true,
    }
}

fn json_to_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn value_to_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        other => PlistType::of(other).to_string(),
    }
}
