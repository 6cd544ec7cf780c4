//! The body of an MDM server's 403 answer during enrollment or check-in (Apple's
//! `mdm/errors/*.yaml`), as JSON or plist with a matching `Content-Type`:
//! `com.apple.unrecognized.device` makes the device unenroll (iOS 17+, instead of 401);
//! `com.apple.softwareupdate.required` makes an ADE device update before enrolling.

use plist::Value;
use serde::{Deserialize, Serialize};

use super::json_io::json_body;
use super::plist_io::{check_structure, decode, parse_dict, to_xml};
use super::schema::SchemaKind;
use super::WireError;

/// An MDM error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MdmErrorBody {
    /// `code`, e.g. [`MdmErrorBody::UNRECOGNIZED_DEVICE`].
    pub code: String,
    /// `description`: logged by the device, never shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `message`: may be shown to the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `details`: code-specific data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<MdmErrorDetails>,
}

/// `details` of an MDM error body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MdmErrorDetails {
    /// `OSVersion` the device must update to (software update required).
    #[serde(rename = "OSVersion", default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// `BuildVersion` the device must update to.
    #[serde(
        rename = "BuildVersion",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub build_version: Option<String>,
    /// `RequireBetaProgram` (iOS 17.5+).
    #[serde(
        rename = "RequireBetaProgram",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub require_beta_program: Option<BetaProgram>,
    /// `security-token` (watch pairing token missing).
    #[serde(
        rename = "security-token",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub security_token: Option<String>,
}

/// `RequireBetaProgram` of a software-update-required body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BetaProgram {
    /// `Description`.
    #[serde(rename = "Description")]
    pub description: String,
    /// `Token`: the organisation's seeding service token.
    #[serde(rename = "Token")]
    pub token: String,
}

const WHAT: &str = "MDM error body";

impl MdmErrorBody {
    /// The device is not known: it unenrolls.
    pub const UNRECOGNIZED_DEVICE: &'static str = "com.apple.unrecognized.device";
    /// The device must update its OS before enrolling (ADE).
    pub const SOFTWARE_UPDATE_REQUIRED: &'static str = "com.apple.softwareupdate.required";
    /// Account-driven enrollment discovery failed.
    pub const WELL_KNOWN_FAILED: &'static str = "com.apple.well-known.failed";

    /// `{"code": "com.apple.unrecognized.device"}`.
    pub fn unrecognized_device() -> MdmErrorBody {
        MdmErrorBody {
            code: Self::UNRECOGNIZED_DEVICE.to_owned(),
            description: None,
            message: None,
            details: None,
        }
    }

    /// A software-update-required body asking for `os_version`.
    pub fn software_update_required(os_version: impl Into<String>) -> MdmErrorBody {
        MdmErrorBody {
            code: Self::SOFTWARE_UPDATE_REQUIRED.to_owned(),
            description: None,
            message: None,
            details: Some(MdmErrorDetails {
                os_version: Some(os_version.into()),
                ..MdmErrorDetails::default()
            }),
        }
    }

    /// The body as an XML plist.
    pub fn to_xml(&self) -> Vec<u8> {
        to_xml(WHAT, self)
    }

    /// Reads a plist body.
    pub fn from_xml(bytes: &[u8]) -> Result<MdmErrorBody, WireError> {
        let value = Value::Dictionary(parse_dict(WHAT, bytes)?);
        check_structure(WHAT, SchemaKind::MdmErrorBody, &value)?;
        decode(WHAT, "", &value)
    }
}

json_body!(MdmErrorBody, "MDM error body");
