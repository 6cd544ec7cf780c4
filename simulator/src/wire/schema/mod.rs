//! Apple's schema for the plists enrollsim speaks, and a validator.
//!
//! The data is a compact JSON copy of Apple's Device Management Client Schema (YAML, MIT)
//! in `simulator/schema/apple-schema.json`, plus `enrollsim-schema.json` for what Apple
//! publishes no YAML for (command envelopes, cloud configuration). Both are embedded with
//! `include_str!`, so nothing outside the crate is read at run time. See
//! `simulator/schema/README.md` for provenance and how the JSON was derived.
//!
//! [`validate`] answers "would a real iOS device or server accept this plist's shape?":
//! required keys present, no key of the wrong type, values within Apple's lists, no key iOS
//! does not support. The `from_xml` decoders of the other `wire` modules use the same data to
//! name the key and expected type when a plist cannot be decoded.

mod check;
mod kinds;
mod model;
mod violation;

use std::sync::OnceLock;

use plist::Value;

pub use kinds::SchemaKind;
pub use model::{version_at_least, KeySpec, PlistType, Presence, SchemaDoc, SchemaFile, Target};
pub use violation::{Problem, SchemaViolation};

use check::{Checker, Mode};

const APPLE_SCHEMA_JSON: &str = include_str!("../../../schema/apple-schema.json");
const ENROLLSIM_SCHEMA_JSON: &str = include_str!("../../../schema/enrollsim-schema.json");

fn load(json: &str, name: &str) -> SchemaFile {
    match serde_json::from_str(json) {
        Ok(file) => file,
        // The files are part of the crate and a unit test parses them; reaching this is a
        // build defect, not an input error.
        Err(err) => panic!("embedded schema {name} does not parse: {err}"),
    }
}

/// Apple's schema documents (from `apple-schema.json`).
pub fn apple() -> &'static SchemaFile {
    static APPLE: OnceLock<SchemaFile> = OnceLock::new();
    APPLE.get_or_init(|| load(APPLE_SCHEMA_JSON, "apple-schema.json"))
}

/// enrollsim's own schema documents (from `enrollsim-schema.json`).
pub fn enrollsim() -> &'static SchemaFile {
    static ENROLLSIM: OnceLock<SchemaFile> = OnceLock::new();
    ENROLLSIM.get_or_init(|| load(ENROLLSIM_SCHEMA_JSON, "enrollsim-schema.json"))
}

/// Every schema document, Apple's first.
pub fn documents() -> impl Iterator<Item = &'static SchemaDoc> {
    apple().documents.iter().chain(enrollsim().documents.iter())
}

/// The document of `group` (`profile`, `checkin`, `command`, `error`, `other`, `enrollsim`)
/// named `name` (a `PayloadType`, `MessageType`, `RequestType`, error code or plist name).
pub fn document(group: &str, name: &str) -> Option<&'static SchemaDoc> {
    documents().find(|d| d.group == group && d.name == name)
}

/// The ADE skip keys (`skip_setup_items`) that apply to `target` on iOS.
pub fn skip_keys(target: &Target) -> Vec<&'static str> {
    document("other", "SkipKeys")
        .map(|doc| {
            doc.keys
                .iter()
                .filter(|k| target.not_applicable(k).is_none())
                .map(|k| k.key.as_str())
                .collect()
        })
        .unwrap_or_default()
}

/// Checks `value` as a plist of `kind` for the newest iOS, device enrollment.
pub fn validate(kind: SchemaKind, value: &Value) -> Vec<SchemaViolation> {
    validate_for(kind, value, &Target::default())
}

/// Checks `value` as a plist of `kind` for `target`: required keys present, no key of the
/// wrong type, values within Apple's lists, no key the target does not support, and the
/// cross-key rules of command results.
pub fn validate_for(kind: SchemaKind, value: &Value, target: &Target) -> Vec<SchemaViolation> {
    let mut checker = Checker::new(target, Mode::Full);
    kinds::check(kind, value, &mut checker);
    checker.violations
}

/// Only the violations that stop `value` from decoding into a typed model: wrong types and
/// values not allowed (see [`SchemaViolation::is_structural`]).
pub fn structural_violations(kind: SchemaKind, value: &Value) -> Vec<SchemaViolation> {
    let target = Target::default();
    let mut checker = Checker::new(&target, Mode::Structural);
    kinds::check(kind, value, &mut checker);
    checker.violations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schemas_parse_and_hold_every_document_we_speak() {
        for (group, name) in [
            ("profile", "TopLevel"),
            ("profile", "CommonPayloadKeys"),
            ("profile", "com.apple.mdm"),
            ("profile", "com.apple.security.root"),
            ("profile", "com.apple.security.pkcs12"),
            ("profile", "com.apple.security.scep"),
            ("checkin", "Authenticate"),
            ("checkin", "TokenUpdate"),
            ("checkin", "CheckOut"),
            ("command", "DeviceInformation"),
            ("command", "SecurityInfo"),
            ("command", "ProfileList"),
            ("command", "InstallProfile"),
            ("command", "RemoveProfile"),
            ("command", "DeviceConfigured"),
            ("command", "CertificateList"),
            ("error", "com.apple.unrecognized.device"),
            ("other", "MachineInfo"),
            ("other", "SkipKeys"),
            ("enrollsim", "CommandEnvelope"),
            ("enrollsim", "CommandReport"),
            ("enrollsim", "CloudConfiguration"),
        ] {
            assert!(document(group, name).is_some(), "{group}/{name} missing");
        }
    }

    #[test]
    fn device_name_is_not_sent_on_ios() {
        let doc = document("checkin", "Authenticate").unwrap();
        let spec = doc.keys.iter().find(|k| k.key == "DeviceName").unwrap();
        assert_eq!(spec.ios, "n/a");
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(version_at_least("17.4", "17.0"));
        assert!(version_at_least("17", "17.0"));
        assert!(!version_at_least("9.3.1", "9.3.2"));
        assert!(version_at_least("10.0", "9.3.2"));
    }

    #[test]
    fn skip_keys_follow_the_ios_version() {
        let old = skip_keys(&Target::ios("12.0"));
        let new = skip_keys(&Target::ios("17.0"));
        assert!(!old.contains(&"ActionButton"));
        assert!(new.contains(&"ActionButton"));
        assert!(!new.contains(&"FileVault"));
    }
}
