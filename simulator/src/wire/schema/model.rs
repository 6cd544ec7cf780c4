//! The shape of the embedded schema documents (`simulator/schema/*.json`) and of a value's
//! plist type.
//!
//! The JSON keeps, per key, what validation needs: the name, Apple's type token, presence,
//! the iOS version that introduced it (or `n/a`), the user-enrollment mode, allowed values
//! and nested keys. See `simulator/schema/README.md` for how it was derived.

use std::fmt;

use serde::Deserialize;

/// One of Apple's plist value types, spelled the way Apple's schema spells them
/// (`<string>`, `<integer>`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum PlistType {
    /// `<string>`
    #[serde(rename = "<string>")]
    String,
    /// `<integer>`
    #[serde(rename = "<integer>")]
    Integer,
    /// `<real>` (a value of type `<integer>` is accepted where `<real>` is expected)
    #[serde(rename = "<real>")]
    Real,
    /// `<boolean>`
    #[serde(rename = "<boolean>")]
    Boolean,
    /// `<date>`
    #[serde(rename = "<date>")]
    Date,
    /// `<data>`
    #[serde(rename = "<data>")]
    Data,
    /// `<array>`
    #[serde(rename = "<array>")]
    Array,
    /// `<dictionary>`
    #[serde(rename = "<dictionary>")]
    Dictionary,
    /// `<any>`: Apple's schema accepts every type here.
    #[serde(rename = "<any>")]
    Any,
    /// A plist value outside Apple's MDM vocabulary (a binary-plist UID).
    #[serde(rename = "<other>")]
    Other,
}

impl PlistType {
    /// The type of a plist value.
    pub fn of(value: &plist::Value) -> PlistType {
        match value {
            plist::Value::String(_) => PlistType::String,
            plist::Value::Integer(_) => PlistType::Integer,
            plist::Value::Real(_) => PlistType::Real,
            plist::Value::Boolean(_) => PlistType::Boolean,
            plist::Value::Date(_) => PlistType::Date,
            plist::Value::Data(_) => PlistType::Data,
            plist::Value::Array(_) => PlistType::Array,
            plist::Value::Dictionary(_) => PlistType::Dictionary,
            _ => PlistType::Other,
        }
    }

    /// Whether a value of type `found` is acceptable where the schema says `self`.
    pub fn accepts(self, found: PlistType) -> bool {
        self == PlistType::Any
            || self == found
            || (self == PlistType::Real && found == PlistType::Integer)
    }

    /// Apple's spelling, e.g. `<string>`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlistType::String => "<string>",
            PlistType::Integer => "<integer>",
            PlistType::Real => "<real>",
            PlistType::Boolean => "<boolean>",
            PlistType::Date => "<date>",
            PlistType::Data => "<data>",
            PlistType::Array => "<array>",
            PlistType::Dictionary => "<dictionary>",
            PlistType::Any => "<any>",
            PlistType::Other => "<other>",
        }
    }
}

impl fmt::Display for PlistType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a key must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    /// The key must be present (when it applies to the target).
    Required,
    /// The key may be absent.
    Optional,
}

/// One key of a schema document.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct KeySpec {
    /// The key name (`ANY` stands for every key of a dictionary).
    pub key: String,
    /// The value type.
    #[serde(rename = "type")]
    pub value_type: PlistType,
    /// Required or optional.
    pub presence: Presence,
    /// iOS version that introduced the key, or `n/a` when iOS does not support it.
    pub ios: String,
    /// iOS version that removed the key, if any.
    #[serde(default)]
    pub ios_removed: Option<String>,
    /// iOS user-enrollment mode: `required` (user enrollment only), `forbidden` (never in user
    /// enrollment), `allowed` or `ignored`.
    #[serde(default)]
    pub ios_user_enrollment: Option<String>,
    /// Allowed values, when Apple lists them.
    #[serde(default)]
    pub rangelist: Vec<serde_json::Value>,
    /// Nested keys of a dictionary, or the item description of an array.
    #[serde(default)]
    pub subkeys: Vec<KeySpec>,
}

/// One schema document: a payload type, check-in message, command, error body or other plist.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SchemaDoc {
    /// `profile`, `checkin`, `command`, `error`, `other` or `enrollsim`.
    pub group: String,
    /// The `PayloadType`, `MessageType`, `RequestType`, error `code` or plist name.
    pub name: String,
    /// Apple's title.
    pub title: String,
    /// The upstream YAML path, or `enrollsim` for documents we wrote.
    pub file: String,
    /// iOS version that introduced the whole document, or `n/a`.
    pub ios: String,
    /// The keys (request keys for a command).
    pub keys: Vec<KeySpec>,
    /// Response keys (commands only).
    #[serde(default)]
    pub response_keys: Vec<KeySpec>,
}

/// A schema file: its provenance and documents.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SchemaFile {
    /// Where the documents came from.
    pub source: serde_json::Map<String, serde_json::Value>,
    /// The documents.
    pub documents: Vec<SchemaDoc>,
}

/// The device a plist is validated for: iOS version and enrollment type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    /// The iOS version (e.g. `"17.4"`); `None` means "any version that has the key".
    pub ios_version: Option<String>,
    /// `true` for Apple's user enrollment (EnrollmentID instead of UDID); enrollsim's
    /// enrollments are device enrollments.
    pub user_enrollment: bool,
}

impl Target {
    /// A device enrollment on the given iOS version.
    pub fn ios(version: &str) -> Target {
        Target {
            ios_version: Some(version.to_owned()),
            user_enrollment: false,
        }
    }

    /// Why `spec` does not apply to this target, or `None` when it does.
    pub fn not_applicable(&self, spec: &KeySpec) -> Option<String> {
        if let Some(reason) = self.unavailable(&spec.ios, spec.ios_removed.as_deref()) {
            return Some(reason);
        }
        match (spec.ios_user_enrollment.as_deref(), self.user_enrollment) {
            (Some("forbidden"), true) => Some("forbidden in user enrollment".to_owned()),
            (Some("required"), false) => Some("used only in user enrollment".to_owned()),
            _ => None,
        }
    }

    /// Why a whole document (payload type, command, ...) does not apply to this target.
    pub fn doc_not_applicable(&self, doc: &SchemaDoc) -> Option<String> {
        self.unavailable(&doc.ios, None)
    }

    fn unavailable(&self, introduced: &str, removed: Option<&str>) -> Option<String> {
        if introduced == "n/a" {
            return Some("not supported on iOS".to_owned());
        }
        let version = self.ios_version.as_deref()?;
        if !version_at_least(version, introduced) {
            return Some(format!("introduced in iOS {introduced}"));
        }
        match removed {
            Some(removed) if version_at_least(version, removed) => {
                Some(format!("removed in iOS {removed}"))
            }
            _ => None,
        }
    }
}

/// `have >= need`, comparing dotted version numbers component by component
/// (missing components count as 0; non-numeric components as 0).
pub fn version_at_least(have: &str, need: &str) -> bool {
    let parse = |v: &str| -> Vec<u64> {
        v.split('.')
            .map(|part| part.trim().parse::<u64>().unwrap_or(0))
            .collect()
    };
    let (have, need) = (parse(have), parse(need));
    let len = have.len().max(need.len());
    for i in 0..len {
        let h = have.get(i).copied().unwrap_or(0);
        let n = need.get(i).copied().unwrap_or(0);
        if h != n {
            return h > n;
        }
    }
    true
}
