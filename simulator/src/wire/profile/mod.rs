//! Configuration profiles (`.mobileconfig`): the enrollment profile Intune serves and the
//! device installs, with its MDM, root-certificate and identity payloads.
//!
//! The outer dictionary follows Apple's `TopLevel.yaml`; payloads are a [`Payload`] enum by
//! `PayloadType` with an `Other` catch-all. Served as
//! [`APPLE_ASPEN_CONFIG`](crate::wire::content_type::APPLE_ASPEN_CONFIG); signing (CMS) is
//! outside this module, which reads and writes the plain plist.

mod certificate;
mod mdm;
mod payload;
mod scep;

use plist::Value;
use serde::{Deserialize, Serialize};

pub use certificate::{Pkcs12Payload, RootCertificatePayload};
pub use mdm::MdmPayload;
pub use payload::Payload;
pub use scep::{ScepContent, ScepPayload};

use super::plist_io::{check_structure, decode, parse_dict, to_xml};
use super::schema::SchemaKind;
use super::WireError;

const WHAT: &str = "configuration profile";

/// A configuration profile (`PayloadType` = `Configuration`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigurationProfile {
    /// `PayloadType`: always `Configuration` (decoding rejects anything else).
    #[serde(rename = "PayloadType")]
    pub payload_type: String,
    /// `PayloadVersion`: always 1.
    #[serde(rename = "PayloadVersion")]
    pub payload_version: i64,
    /// `PayloadIdentifier`: reverse-DNS; the same identifier replaces an installed profile.
    #[serde(rename = "PayloadIdentifier")]
    pub payload_identifier: String,
    /// `PayloadUUID`.
    #[serde(rename = "PayloadUUID")]
    pub payload_uuid: String,
    /// `PayloadDisplayName`: what Settings shows.
    #[serde(rename = "PayloadDisplayName", skip_serializing_if = "Option::is_none")]
    pub payload_display_name: Option<String>,
    /// `PayloadOrganization`.
    #[serde(
        rename = "PayloadOrganization",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload_organization: Option<String>,
    /// `PayloadDescription`.
    #[serde(rename = "PayloadDescription", skip_serializing_if = "Option::is_none")]
    pub payload_description: Option<String>,
    /// `PayloadRemovalDisallowed` (honoured on supervised devices).
    #[serde(
        rename = "PayloadRemovalDisallowed",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload_removal_disallowed: Option<bool>,
    /// `PayloadContent`: the payloads.
    #[serde(rename = "PayloadContent")]
    pub payload_content: Vec<Payload>,
}

impl ConfigurationProfile {
    /// The outer `PayloadType`.
    pub const PAYLOAD_TYPE: &'static str = "Configuration";

    /// A profile holding `payloads`, with no optional key set.
    pub fn new(
        payload_identifier: impl Into<String>,
        payload_uuid: impl Into<String>,
        payloads: Vec<Payload>,
    ) -> ConfigurationProfile {
        ConfigurationProfile {
            payload_type: Self::PAYLOAD_TYPE.to_owned(),
            payload_version: 1,
            payload_identifier: payload_identifier.into(),
            payload_uuid: payload_uuid.into(),
            payload_display_name: None,
            payload_organization: None,
            payload_description: None,
            payload_removal_disallowed: None,
            payload_content: payloads,
        }
    }

    /// The profile as an XML plist.
    pub fn to_xml(&self) -> Vec<u8> {
        to_xml(WHAT, self)
    }

    /// Reads a profile from plist bytes (XML or binary). Fails on anything a device would
    /// refuse to parse: wrong types, `PayloadType` other than `Configuration`,
    /// `PayloadVersion` other than 1, a typed payload missing a required key.
    pub fn from_xml(bytes: &[u8]) -> Result<ConfigurationProfile, WireError> {
        let dict = parse_dict(WHAT, bytes)?;
        let value = Value::Dictionary(dict);
        check_structure(WHAT, SchemaKind::Profile, &value)?;
        if let Some(Value::Array(items)) =
            value.as_dictionary().and_then(|d| d.get("PayloadContent"))
        {
            for (i, item) in items.iter().enumerate() {
                Payload::from_value(&format!("PayloadContent[{i}]"), item)?;
            }
        }
        decode(WHAT, "", &value)
    }

    /// The MDM payloads (a valid enrollment profile has exactly one).
    pub fn mdm_payloads(&self) -> impl Iterator<Item = &MdmPayload> {
        self.payload_content.iter().filter_map(|p| match p {
            Payload::Mdm(mdm) => Some(mdm),
            _ => None,
        })
    }

    /// The first MDM payload.
    pub fn mdm_payload(&self) -> Option<&MdmPayload> {
        self.mdm_payloads().next()
    }

    /// The payload whose `PayloadUUID` is `uuid`.
    pub fn payload_by_uuid(&self, uuid: &str) -> Option<&Payload> {
        self.payload_content
            .iter()
            .find(|p| p.payload_uuid() == Some(uuid))
    }

    /// The identity payload the MDM payload's `IdentityCertificateUUID` points at, if the
    /// profile has both.
    pub fn identity_payload(&self) -> Option<&Payload> {
        let mdm = self.mdm_payload()?;
        self.payload_by_uuid(&mdm.identity_certificate_uuid)
    }

    /// The root certificates the profile installs.
    pub fn root_certificates(&self) -> impl Iterator<Item = &RootCertificatePayload> {
        self.payload_content.iter().filter_map(|p| match p {
            Payload::RootCertificate(root) => Some(root),
            _ => None,
        })
    }
}
