//! Certificate payloads of an enrollment profile: the trusted root (`com.apple.security.root`)
//! and a password-protected identity (`com.apple.security.pkcs12`).

use plist::Data;
use serde::{Deserialize, Serialize};

/// A `com.apple.security.root` payload: one DER certificate the device trusts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RootCertificatePayload {
    /// `PayloadIdentifier`.
    #[serde(rename = "PayloadIdentifier")]
    pub payload_identifier: String,
    /// `PayloadUUID`.
    #[serde(rename = "PayloadUUID")]
    pub payload_uuid: String,
    /// `PayloadVersion` (1).
    #[serde(rename = "PayloadVersion")]
    pub payload_version: i64,
    /// `PayloadDisplayName`.
    #[serde(rename = "PayloadDisplayName", skip_serializing_if = "Option::is_none")]
    pub payload_display_name: Option<String>,
    /// `PayloadDescription`.
    #[serde(rename = "PayloadDescription", skip_serializing_if = "Option::is_none")]
    pub payload_description: Option<String>,
    /// `PayloadOrganization`.
    #[serde(
        rename = "PayloadOrganization",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload_organization: Option<String>,
    /// `PayloadCertificateFileName`.
    #[serde(
        rename = "PayloadCertificateFileName",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload_certificate_file_name: Option<String>,
    /// `PayloadContent`: the certificate, DER.
    #[serde(rename = "PayloadContent")]
    pub payload_content: Data,
}

impl RootCertificatePayload {
    /// The `PayloadType` of this payload.
    pub const PAYLOAD_TYPE: &'static str = "com.apple.security.root";

    /// A root payload holding `der`.
    pub fn new(
        payload_identifier: impl Into<String>,
        payload_uuid: impl Into<String>,
        der: Vec<u8>,
    ) -> RootCertificatePayload {
        RootCertificatePayload {
            payload_identifier: payload_identifier.into(),
            payload_uuid: payload_uuid.into(),
            payload_version: 1,
            payload_display_name: None,
            payload_description: None,
            payload_organization: None,
            payload_certificate_file_name: None,
            payload_content: Data::new(der),
        }
    }
}

/// A `com.apple.security.pkcs12` payload: an identity (certificate and private key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pkcs12Payload {
    /// `PayloadIdentifier`.
    #[serde(rename = "PayloadIdentifier")]
    pub payload_identifier: String,
    /// `PayloadUUID`: what `IdentityCertificateUUID` of the MDM payload points at.
    #[serde(rename = "PayloadUUID")]
    pub payload_uuid: String,
    /// `PayloadVersion` (1).
    #[serde(rename = "PayloadVersion")]
    pub payload_version: i64,
    /// `PayloadDisplayName`.
    #[serde(rename = "PayloadDisplayName", skip_serializing_if = "Option::is_none")]
    pub payload_display_name: Option<String>,
    /// `PayloadDescription`.
    #[serde(rename = "PayloadDescription", skip_serializing_if = "Option::is_none")]
    pub payload_description: Option<String>,
    /// `PayloadOrganization`.
    #[serde(
        rename = "PayloadOrganization",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload_organization: Option<String>,
    /// `PayloadCertificateFileName`.
    #[serde(
        rename = "PayloadCertificateFileName",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload_certificate_file_name: Option<String>,
    /// `PayloadContent`: the PKCS#12 (PFX) bytes.
    #[serde(rename = "PayloadContent")]
    pub payload_content: Data,
    /// `Password` of the PKCS#12.
    #[serde(rename = "Password", skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl Pkcs12Payload {
    /// The `PayloadType` of this payload.
    pub const PAYLOAD_TYPE: &'static str = "com.apple.security.pkcs12";

    /// A PKCS#12 payload holding `pfx`, protected by `password`.
    pub fn new(
        payload_identifier: impl Into<String>,
        payload_uuid: impl Into<String>,
        pfx: Vec<u8>,
        password: Option<String>,
    ) -> Pkcs12Payload {
        Pkcs12Payload {
            payload_identifier: payload_identifier.into(),
            payload_uuid: payload_uuid.into(),
            payload_version: 1,
            payload_display_name: None,
            payload_description: None,
            payload_organization: None,
            payload_certificate_file_name: None,
            payload_content: Data::new(pfx),
            password,
        }
    }
}
