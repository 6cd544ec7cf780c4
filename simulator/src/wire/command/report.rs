//! The device's answer on the command channel: `{UDID, Status, CommandUUID, ...}` with an
//! `ErrorChain` on failure and the response keys of the command it answers.

use plist::{Dictionary, Value};
use serde::{Deserialize, Serialize};

use super::responses::{CertificateListItem, ProfileListItem, SecurityInfo};
use crate::wire::plist_io::{check_structure, decode, parse_dict, to_xml, try_to_xml};
use crate::wire::schema::SchemaKind;
use crate::wire::WireError;

const WHAT: &str = "command result";

/// `Status` of a command result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CommandStatus {
    /// Ready for a command (first message of a session, no `CommandUUID`).
    Idle,
    /// The command succeeded.
    Acknowledged,
    /// The command failed; `ErrorChain` says why.
    Error,
    /// The command was malformed.
    CommandFormatError,
    /// The device cannot run it now (e.g. locked, in Setup Assistant); it will poll again.
    NotNow,
}

/// One entry of an `ErrorChain`. The first entry is the outermost error, later entries the
/// underlying causes (the last is the root cause; ordering observed on devices, not
/// documented by Apple).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorChainItem {
    /// `ErrorCode`.
    #[serde(rename = "ErrorCode")]
    pub error_code: i64,
    /// `ErrorDomain`, e.g. `MCInstallationErrorDomain`.
    #[serde(rename = "ErrorDomain")]
    pub error_domain: String,
    /// `LocalizedDescription`, in the device's language.
    #[serde(rename = "LocalizedDescription")]
    pub localized_description: String,
    /// `USEnglishDescription`.
    #[serde(
        rename = "USEnglishDescription",
        skip_serializing_if = "Option::is_none"
    )]
    pub us_english_description: Option<String>,
}

/// Error domains seen in real `ErrorChain`s. Codes from decompiled and third-party code are
/// plausible values, not a specification.
pub mod error_domain {
    /// MDM protocol errors (12021 unknown command, ...).
    pub const MC_MDM: &str = "MCMDMErrorDomain";
    /// Profile installation errors (4001 payload install failed, 4014 no identity, ...).
    pub const MC_INSTALLATION: &str = "MCInstallationErrorDomain";
    /// Profile format errors.
    pub const MC_PROFILE: &str = "MCProfileErrorDomain";
    /// SCEP errors.
    pub const MC_SCEP: &str = "MCSCEPErrorDomain";
    /// Cloud configuration (ADE) errors (33004, 33015, 33023).
    pub const MC_CLOUD_CONFIG: &str = "MCCloudConfigErrorDomain";
    /// Security framework status codes.
    pub const NS_OS_STATUS: &str = "NSOSStatusErrorDomain";
}

/// A command result (device to server).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandReport {
    /// `UDID`.
    #[serde(rename = "UDID")]
    pub udid: String,
    /// `Status`.
    #[serde(rename = "Status")]
    pub status: CommandStatus,
    /// `CommandUUID` of the command answered (absent when Idle).
    #[serde(rename = "CommandUUID", skip_serializing_if = "Option::is_none")]
    pub command_uuid: Option<String>,
    /// `RequestType` of the command answered.
    #[serde(rename = "RequestType", skip_serializing_if = "Option::is_none")]
    pub request_type: Option<String>,
    /// `ErrorChain` (with `Status` = `Error`).
    #[serde(rename = "ErrorChain", skip_serializing_if = "Option::is_none")]
    pub error_chain: Option<Vec<ErrorChainItem>>,
    /// `QueryResponses` (DeviceInformation): query name to value, types per Apple's schema.
    #[serde(rename = "QueryResponses", skip_serializing_if = "Option::is_none")]
    pub query_responses: Option<Dictionary>,
    /// `ProfileList` (ProfileList).
    #[serde(rename = "ProfileList", skip_serializing_if = "Option::is_none")]
    pub profile_list: Option<Vec<ProfileListItem>>,
    /// `SecurityInfo` (SecurityInfo).
    #[serde(rename = "SecurityInfo", skip_serializing_if = "Option::is_none")]
    pub security_info: Option<SecurityInfo>,
    /// `CertificateList` (CertificateList).
    #[serde(rename = "CertificateList", skip_serializing_if = "Option::is_none")]
    pub certificate_list: Option<Vec<CertificateListItem>>,
    /// `MessageResult` (DeviceLock with a message or phone number): `Success`,
    /// `DeviceInLostMode`, `NoPasscodeSet` or `Unknown`.
    #[serde(rename = "MessageResult", skip_serializing_if = "Option::is_none")]
    pub message_result: Option<String>,
}

impl ErrorChainItem {
    /// An error entry; `USEnglishDescription` is left out.
    pub fn new(
        error_code: i64,
        error_domain: impl Into<String>,
        localized_description: impl Into<String>,
    ) -> ErrorChainItem {
        ErrorChainItem {
            error_code,
            error_domain: error_domain.into(),
            localized_description: localized_description.into(),
            us_english_description: None,
        }
    }

    /// The same entry with `USEnglishDescription` set.
    pub fn with_us_english(mut self, text: impl Into<String>) -> ErrorChainItem {
        self.us_english_description = Some(text.into());
        self
    }
}

impl CommandReport {
    fn bare(udid: String, status: CommandStatus, command_uuid: Option<String>) -> CommandReport {
        CommandReport {
            udid,
            status,
            command_uuid,
            request_type: None,
            error_chain: None,
            query_responses: None,
            profile_list: None,
            security_info: None,
            certificate_list: None,
            message_result: None,
        }
    }

    /// `{UDID, Status: Idle}`: the device asks for a command.
    pub fn idle(udid: impl Into<String>) -> CommandReport {
        Self::bare(udid.into(), CommandStatus::Idle, None)
    }

    /// `Status: Acknowledged` for `command_uuid`; add response keys with the `with_*` methods.
    pub fn acknowledged(udid: impl Into<String>, command_uuid: impl Into<String>) -> CommandReport {
        Self::bare(
            udid.into(),
            CommandStatus::Acknowledged,
            Some(command_uuid.into()),
        )
    }

    /// `Status: Error` with its `ErrorChain` (outermost error first).
    pub fn error(
        udid: impl Into<String>,
        command_uuid: impl Into<String>,
        chain: Vec<ErrorChainItem>,
    ) -> CommandReport {
        let mut report = Self::bare(udid.into(), CommandStatus::Error, Some(command_uuid.into()));
        report.error_chain = Some(chain);
        report
    }

    /// `Status: NotNow`.
    pub fn not_now(udid: impl Into<String>, command_uuid: impl Into<String>) -> CommandReport {
        Self::bare(
            udid.into(),
            CommandStatus::NotNow,
            Some(command_uuid.into()),
        )
    }

    /// `Status: CommandFormatError`.
    pub fn command_format_error(
        udid: impl Into<String>,
        command_uuid: impl Into<String>,
    ) -> CommandReport {
        Self::bare(
            udid.into(),
            CommandStatus::CommandFormatError,
            Some(command_uuid.into()),
        )
    }

    /// Sets `RequestType`.
    pub fn with_request_type(mut self, request_type: impl Into<String>) -> CommandReport {
        self.request_type = Some(request_type.into());
        self
    }

    /// Sets `QueryResponses`.
    pub fn with_query_responses(mut self, responses: Dictionary) -> CommandReport {
        self.query_responses = Some(responses);
        self
    }

    /// Sets `ProfileList`.
    pub fn with_profile_list(mut self, profiles: Vec<ProfileListItem>) -> CommandReport {
        self.profile_list = Some(profiles);
        self
    }

    /// Sets `SecurityInfo`.
    pub fn with_security_info(mut self, info: SecurityInfo) -> CommandReport {
        self.security_info = Some(info);
        self
    }

    /// Sets `CertificateList`.
    pub fn with_certificate_list(
        mut self,
        certificates: Vec<CertificateListItem>,
    ) -> CommandReport {
        self.certificate_list = Some(certificates);
        self
    }

    /// The report with `MessageResult` (a `DeviceLock` that asked for a message).
    pub fn with_message_result(mut self, result: impl Into<String>) -> CommandReport {
        self.message_result = Some(result.into());
        self
    }

    /// The root cause: the last `ErrorChain` entry.
    pub fn root_cause(&self) -> Option<&ErrorChainItem> {
        self.error_chain.as_ref().and_then(|chain| chain.last())
    }

    /// One query response from `QueryResponses`.
    pub fn query_response(&self, query: &str) -> Option<&Value> {
        self.query_responses.as_ref().and_then(|r| r.get(query))
    }

    /// The result as an XML plist.
    ///
    /// # Panics
    ///
    /// Only if `QueryResponses` holds a plist UID, which XML cannot express; use
    /// [`CommandReport::try_to_xml`] for untrusted dictionaries.
    pub fn to_xml(&self) -> Vec<u8> {
        to_xml(WHAT, self)
    }

    /// The result as an XML plist, failing on values XML cannot express.
    pub fn try_to_xml(&self) -> Result<Vec<u8>, WireError> {
        try_to_xml(WHAT, self)
    }

    /// Reads a command result. Response keys are checked against Apple's types (e.g.
    /// `QueryResponses.IsSupervised` must be a boolean).
    pub fn from_xml(bytes: &[u8]) -> Result<CommandReport, WireError> {
        let value = Value::Dictionary(parse_dict(WHAT, bytes)?);
        check_structure(WHAT, SchemaKind::CommandReport, &value)?;
        decode(WHAT, "", &value)
    }
}
