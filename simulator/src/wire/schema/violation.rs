//! What a schema check found wrong, and how a wrong value becomes a [`WireError`].

use std::fmt;

use super::PlistType;
use crate::wire::WireError;

/// One thing wrong with a plist, found by [`validate`](super::validate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolation {
    /// Where: key names joined by `.`, array items as `[i]` (e.g. `PayloadContent[0].Topic`);
    /// empty for the top level.
    pub path: String,
    /// What is wrong.
    pub problem: Problem,
}

/// The kinds of schema violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A key required on the target is absent.
    MissingKey,
    /// A key holds a value of the wrong type.
    WrongType {
        /// The type the schema asks for.
        expected: PlistType,
        /// The type found.
        found: PlistType,
    },
    /// A value outside the values Apple lists for the key.
    ValueNotAllowed {
        /// The value found.
        found: String,
        /// The values allowed.
        allowed: Vec<String>,
    },
    /// A key (or payload) the target does not support is present, e.g. `DeviceName` in an iOS
    /// Authenticate message.
    NotSupported {
        /// Why, e.g. "not supported on iOS" or "introduced in iOS 17.0".
        reason: String,
    },
    /// A `MessageType`, `RequestType` or error `code` the schema does not know.
    UnknownType {
        /// The unknown value.
        value: String,
    },
    /// A rule that spans keys, e.g. "CommandUUID is required unless Status is Idle".
    RuleBroken {
        /// The rule, in words.
        rule: String,
    },
}

impl SchemaViolation {
    pub(crate) fn new(path: impl Into<String>, problem: Problem) -> SchemaViolation {
        SchemaViolation {
            path: path.into(),
            problem,
        }
    }

    /// Whether the violation makes the value unusable as a typed model (wrong type, value not
    /// allowed, unknown type), as opposed to being incomplete or unusual for the target.
    pub fn is_structural(&self) -> bool {
        matches!(
            self.problem,
            Problem::WrongType { .. }
                | Problem::ValueNotAllowed { .. }
                | Problem::UnknownType { .. }
        )
    }

    /// The [`WireError`] a decoder reports for this violation; `what` names the message.
    pub fn into_wire_error(self, what: &'static str) -> WireError {
        let key = self.path;
        match self.problem {
            Problem::MissingKey => WireError::MissingKey { what, key },
            Problem::WrongType { expected, found } => WireError::WrongType {
                what,
                key,
                expected,
                found,
            },
            Problem::ValueNotAllowed { found, allowed } => WireError::ValueNotAllowed {
                what,
                key,
                found,
                allowed: allowed.join(", "),
            },
            Problem::NotSupported { reason } => WireError::Invalid {
                what,
                detail: format!("{key}: {reason}"),
            },
            Problem::UnknownType { value } => WireError::Invalid {
                what,
                detail: format!("{key}: unknown value `{value}`"),
            },
            Problem::RuleBroken { rule } => WireError::Invalid { what, detail: rule },
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::MissingKey => f.write_str("required key is missing"),
            Problem::WrongType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            Problem::ValueNotAllowed { found, allowed } => {
                write!(f, "value {found} is not one of {}", allowed.join(", "))
            }
            Problem::NotSupported { reason } => write!(f, "present but {reason}"),
            Problem::UnknownType { value } => write!(f, "unknown value `{value}`"),
            Problem::RuleBroken { rule } => f.write_str(rule),
        }
    }
}

impl fmt::Display for SchemaViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "(top level): {}", self.problem)
        } else {
            write!(f, "{}: {}", self.path, self.problem)
        }
    }
}
