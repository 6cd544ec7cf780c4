//! Which schema documents apply to each kind of plist, and the rules that span keys.
//!
//! A configuration profile is checked against `TopLevel` and each payload against
//! `CommonPayloadKeys` plus its own `PayloadType` document; a check-in message by its
//! `MessageType`; a command by the envelope and its `RequestType`; a command result by the
//! result envelope plus the response keys of every command we speak.

use plist::{Dictionary, Value};

use super::check::{join, merge, Checker};
use super::{document, documents, KeySpec, PlistType, Problem, SchemaDoc};

/// The kinds of plist [`validate`](super::validate) knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaKind {
    /// A configuration profile (`PayloadType` = `Configuration`) and its payloads.
    Profile,
    /// One payload dictionary, by its `PayloadType`.
    Payload,
    /// A check-in message, by its `MessageType`.
    CheckinMessage,
    /// A server-to-device command envelope, by `Command.RequestType`.
    CommandEnvelope,
    /// A device-to-server command result (`Status`, `ErrorChain`, response keys).
    CommandReport,
    /// The `MachineInfo` plist an ADE device sends to the profile URL.
    MachineInfo,
    /// The ADE cloud configuration Apple gives the device (enrollsim's schema).
    CloudConfiguration,
    /// An MDM server's 403 error body (`code`, `description`, `message`, `details`).
    MdmErrorBody,
}

/// Runs the checks for `kind` on a top-level value.
pub(crate) fn check(kind: SchemaKind, value: &Value, checker: &mut Checker<'_>) {
    let Some(dict) = value.as_dictionary() else {
        checker.push(
            "",
            Problem::WrongType {
                expected: PlistType::Dictionary,
                found: PlistType::of(value),
            },
        );
        return;
    };
    match kind {
        SchemaKind::Profile => check_profile(dict, checker),
        SchemaKind::Payload => check_payload("", dict, checker),
        SchemaKind::CheckinMessage => check_tagged(dict, "checkin", "MessageType", checker),
        SchemaKind::CommandEnvelope => check_command(dict, checker),
        SchemaKind::CommandReport => check_report(dict, checker),
        SchemaKind::MachineInfo => check_doc(dict, document("other", "MachineInfo"), checker),
        SchemaKind::CloudConfiguration => {
            check_doc(dict, document("enrollsim", "CloudConfiguration"), checker)
        }
        SchemaKind::MdmErrorBody => check_tagged(dict, "error", "code", checker),
    }
}

fn refs(keys: &[KeySpec]) -> Vec<&KeySpec> {
    keys.iter().collect()
}

fn check_doc(dict: &Dictionary, doc: Option<&SchemaDoc>, checker: &mut Checker<'_>) {
    if let Some(doc) = doc {
        checker.check_dict("", dict, &refs(&doc.keys));
    }
}

fn check_profile(dict: &Dictionary, checker: &mut Checker<'_>) {
    check_doc(dict, document("profile", "TopLevel"), checker);
    if let Some(Value::Array(items)) = dict.get("PayloadContent") {
        for (i, item) in items.iter().enumerate() {
            if let Value::Dictionary(payload) = item {
                check_payload(&format!("PayloadContent[{i}]"), payload, checker);
            }
        }
    }
}

fn check_payload(path: &str, dict: &Dictionary, checker: &mut Checker<'_>) {
    let Some(common) = document("profile", "CommonPayloadKeys") else {
        return;
    };
    let specific = dict
        .get("PayloadType")
        .and_then(Value::as_string)
        .filter(|t| *t != "TopLevel" && *t != "CommonPayloadKeys")
        .and_then(|t| document("profile", t));
    if let Some(doc) = specific {
        if let Some(reason) = checker.target.doc_not_applicable(doc) {
            checker.push(path, Problem::NotSupported { reason });
        }
    }
    let specific_keys = specific.map(|d| d.keys.as_slice()).unwrap_or(&[]);
    checker.check_dict(path, dict, &merge(&common.keys, specific_keys));
}

/// Reads the string under `tag`, reporting it missing or mistyped.
fn read_tag<'v>(
    dict: &'v Dictionary,
    tag: &str,
    path: &str,
    checker: &mut Checker<'_>,
) -> Option<&'v str> {
    match dict.get(tag) {
        None => {
            checker.push(join(path, tag), Problem::MissingKey);
            None
        }
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            checker.push(
                join(path, tag),
                Problem::WrongType {
                    expected: PlistType::String,
                    found: PlistType::of(other),
                },
            );
            None
        }
    }
}

fn check_tagged(dict: &Dictionary, group: &str, tag: &str, checker: &mut Checker<'_>) {
    let Some(name) = read_tag(dict, tag, "", checker) else {
        return;
    };
    match document(group, name) {
        Some(doc) => {
            if let Some(reason) = checker.target.doc_not_applicable(doc) {
                checker.push(tag, Problem::NotSupported { reason });
            }
            checker.check_dict("", dict, &refs(&doc.keys));
        }
        None => checker.push(
            tag,
            Problem::UnknownType {
                value: name.to_owned(),
            },
        ),
    }
}

fn check_command(dict: &Dictionary, checker: &mut Checker<'_>) {
    check_doc(dict, document("enrollsim", "CommandEnvelope"), checker);
    let Some(Value::Dictionary(command)) = dict.get("Command") else {
        return;
    };
    let Some(Value::String(request_type)) = command.get("RequestType") else {
        return;
    };
    match document("command", request_type) {
        Some(doc) => {
            if let Some(reason) = checker.target.doc_not_applicable(doc) {
                checker.push("Command.RequestType", Problem::NotSupported { reason });
            }
            checker.check_dict("Command", command, &refs(&doc.keys));
        }
        None => checker.push(
            "Command.RequestType",
            Problem::UnknownType {
                value: request_type.clone(),
            },
        ),
    }
}

fn check_report(dict: &Dictionary, checker: &mut Checker<'_>) {
    check_doc(dict, document("enrollsim", "CommandReport"), checker);
    let status = dict.get("Status").and_then(Value::as_string);
    let request_type = dict.get("RequestType").and_then(Value::as_string);
    for doc in documents().filter(|d| d.group == "command") {
        // Response keys are required only in an Acknowledged answer to that command.
        let answering = status == Some("Acknowledged") && request_type == Some(doc.name.as_str());
        for spec in &doc.response_keys {
            checker.check_key("", dict, spec, answering);
        }
    }
    if !checker.full() {
        return;
    }
    if matches!(status, Some(s) if s != "Idle") && !dict.contains_key("CommandUUID") {
        checker.push(
            "CommandUUID",
            Problem::RuleBroken {
                rule: "CommandUUID is required unless Status is Idle".to_owned(),
            },
        );
    }
    if status == Some("Error") && !dict.contains_key("ErrorChain") {
        checker.push(
            "ErrorChain",
            Problem::RuleBroken {
                rule: "a Status of Error carries an ErrorChain".to_owned(),
            },
        );
    }
}
