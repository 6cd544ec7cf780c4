//! The MDM command channel (`PUT` to the ServerURL): the server's command envelope
//! (`CommandUUID` + `Command` tagged by `RequestType`) and the device's result
//! ([`CommandReport`]: `Status`, `ErrorChain`, response keys).
//!
//! Request keys follow Apple's `mdm/commands/*.yaml`; the envelope and `Status` values are
//! described in Apple's prose documentation (see `enrollsim-schema.json`). A command whose
//! `RequestType` enrollsim does not implement decodes to
//! [`WireError::UnknownRequestType`] carrying the `CommandUUID`, so the device can answer
//! `Error` the way mdmclient does.

mod report;
mod responses;

use plist::{Data, Value};
use serde::{Deserialize, Serialize};

pub use report::{error_domain, CommandReport, CommandStatus, ErrorChainItem};
pub use responses::{
    CertificateListItem, ManagementStatus, PayloadSummary, ProfileListItem, SecurityInfo,
};

use super::plist_io::{check_structure, decode, optional_string, parse_dict, to_xml};
use super::schema::{PlistType, SchemaKind};
use super::WireError;

const WHAT: &str = "command";

/// A command as the server sends it: `{CommandUUID, Command}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandEnvelope {
    /// `CommandUUID`: echoed in the device's result.
    #[serde(rename = "CommandUUID")]
    pub command_uuid: String,
    /// `Command`: the request.
    #[serde(rename = "Command")]
    pub command: Command,
}

/// The `Command` dictionary, by `RequestType`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "RequestType")]
pub enum Command {
    /// `DeviceInformation`: answer `QueryResponses` for the listed `Queries`.
    DeviceInformation {
        /// `Queries`: names such as `UDID`, `OSVersion`, `IsSupervised`.
        #[serde(rename = "Queries")]
        queries: Vec<String>,
    },
    /// `SecurityInfo`: answer the `SecurityInfo` dictionary.
    SecurityInfo,
    /// `ProfileList`: answer the installed profiles.
    ProfileList {
        /// `ManagedOnly`: only profiles MDM installed (iOS 13+).
        #[serde(rename = "ManagedOnly", skip_serializing_if = "Option::is_none")]
        managed_only: Option<bool>,
    },
    /// `InstallProfile`: install the profile in `Payload`.
    InstallProfile {
        /// `Payload`: the profile bytes (plist, possibly signed).
        #[serde(rename = "Payload")]
        payload: Data,
    },
    /// `RemoveProfile`: remove the profile with `PayloadIdentifier` = `Identifier`.
    RemoveProfile {
        /// `Identifier` of the profile.
        #[serde(rename = "Identifier")]
        identifier: String,
    },
    /// `DeviceConfigured`: release an ADE device held in Setup Assistant.
    DeviceConfigured,
    /// `CertificateList`: answer the installed certificates.
    CertificateList {
        /// `ManagedOnly`: only certificates MDM installed (iOS 13+).
        #[serde(rename = "ManagedOnly", skip_serializing_if = "Option::is_none")]
        managed_only: Option<bool>,
    },
    /// `DeviceLock`: lock the screen now, optionally showing a message and a phone number.
    DeviceLock {
        /// `Message` for the Lock Screen (iOS 7+).
        #[serde(rename = "Message", skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// `PhoneNumber` for the Lock Screen (iOS 7+).
        #[serde(rename = "PhoneNumber", skip_serializing_if = "Option::is_none")]
        phone_number: Option<String>,
    },
    /// `EraseDevice`: erase all content and settings.
    EraseDevice {
        /// `PreserveDataPlan`: keep an eSIM's data plan (iOS 11+).
        #[serde(rename = "PreserveDataPlan", skip_serializing_if = "Option::is_none")]
        preserve_data_plan: Option<bool>,
        /// `DisallowProximitySetup`: skip Proximity Setup after the erase (iOS 11.3+).
        #[serde(
            rename = "DisallowProximitySetup",
            skip_serializing_if = "Option::is_none"
        )]
        disallow_proximity_setup: Option<bool>,
    },
}

impl Command {
    /// Every `RequestType` enrollsim implements.
    pub const REQUEST_TYPES: [&'static str; 9] = [
        "DeviceInformation",
        "SecurityInfo",
        "ProfileList",
        "InstallProfile",
        "RemoveProfile",
        "DeviceConfigured",
        "CertificateList",
        "DeviceLock",
        "EraseDevice",
    ];

    /// The `RequestType` value.
    pub fn request_type(&self) -> &'static str {
        match self {
            Command::DeviceInformation { .. } => "DeviceInformation",
            Command::SecurityInfo => "SecurityInfo",
            Command::ProfileList { .. } => "ProfileList",
            Command::InstallProfile { .. } => "InstallProfile",
            Command::RemoveProfile { .. } => "RemoveProfile",
            Command::DeviceConfigured => "DeviceConfigured",
            Command::CertificateList { .. } => "CertificateList",
            Command::DeviceLock { .. } => "DeviceLock",
            Command::EraseDevice { .. } => "EraseDevice",
        }
    }
}

impl CommandEnvelope {
    /// An envelope for `command`.
    pub fn new(command_uuid: impl Into<String>, command: Command) -> CommandEnvelope {
        CommandEnvelope {
            command_uuid: command_uuid.into(),
            command,
        }
    }

    /// The envelope as an XML plist.
    pub fn to_xml(&self) -> Vec<u8> {
        to_xml(WHAT, self)
    }

    /// Reads a command envelope. An unimplemented `RequestType` is
    /// [`WireError::UnknownRequestType`]; any other problem is a format error the device
    /// answers with `CommandFormatError` (use [`CommandEnvelope::peek_command_uuid`]).
    pub fn from_xml(bytes: &[u8]) -> Result<CommandEnvelope, WireError> {
        let dict = parse_dict(WHAT, bytes)?;
        let command_uuid = optional_string(WHAT, &dict, "CommandUUID")?.map(str::to_owned);
        let command = match dict.get("Command") {
            Some(Value::Dictionary(command)) => command,
            Some(other) => {
                return Err(WireError::WrongType {
                    what: WHAT,
                    key: "Command".to_owned(),
                    expected: PlistType::Dictionary,
                    found: PlistType::of(other),
                })
            }
            None => {
                return Err(WireError::MissingKey {
                    what: WHAT,
                    key: "Command".to_owned(),
                })
            }
        };
        let request_type = optional_string(WHAT, command, "RequestType")
            .map_err(|_| WireError::WrongType {
                what: WHAT,
                key: "Command.RequestType".to_owned(),
                expected: PlistType::String,
                found: command
                    .get("RequestType")
                    .map_or(PlistType::Other, PlistType::of),
            })?
            .ok_or_else(|| WireError::MissingKey {
                what: WHAT,
                key: "Command.RequestType".to_owned(),
            })?;
        if !Command::REQUEST_TYPES.contains(&request_type) {
            return Err(WireError::UnknownRequestType {
                request_type: request_type.to_owned(),
                command_uuid,
            });
        }
        let value = Value::Dictionary(dict);
        check_structure(WHAT, SchemaKind::CommandEnvelope, &value)?;
        decode(WHAT, "", &value)
    }

    /// The `CommandUUID` of a body that may not decode, so a device can still answer
    /// `CommandFormatError` for it.
    pub fn peek_command_uuid(bytes: &[u8]) -> Option<String> {
        let dict = parse_dict(WHAT, bytes).ok()?;
        optional_string(WHAT, &dict, "CommandUUID")
            .ok()
            .flatten()
            .map(str::to_owned)
    }
}
