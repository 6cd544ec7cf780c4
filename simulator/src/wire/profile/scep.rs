//! The `com.apple.security.scep` payload: how the device obtains its identity from a SCEP
//! server (Intune names its payload `Microsoft.Profiles.SCEP`). [`ScepContent::certificate_request`]
//! turns the payload into what the device's SCEP client ([`crate::wire::scep::client`]) asks for.

use plist::{Data, Dictionary};
use serde::{Deserialize, Serialize};

use crate::wire::scep::client::CertificateRequest;

/// A `com.apple.security.scep` payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScepPayload {
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
    /// `PayloadContent`: the SCEP request settings.
    #[serde(rename = "PayloadContent")]
    pub payload_content: ScepContent,
}

/// The `PayloadContent` dictionary of a SCEP payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScepContent {
    /// `URL` of the SCEP server.
    #[serde(rename = "URL")]
    pub url: String,
    /// `Name`: which CA, when the server hosts several.
    #[serde(rename = "Name", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Subject`: X.500 name as `[[[oid, value]], ...]`.
    #[serde(rename = "Subject", skip_serializing_if = "Option::is_none")]
    pub subject: Option<Vec<Vec<Vec<String>>>>,
    /// `Challenge`: the pre-shared secret.
    #[serde(rename = "Challenge", skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// `Keysize` in bits (1024, 2048 or 4096).
    #[serde(rename = "Keysize", skip_serializing_if = "Option::is_none")]
    pub keysize: Option<i64>,
    /// `Key Type` (always `RSA`).
    #[serde(rename = "Key Type", skip_serializing_if = "Option::is_none")]
    pub key_type: Option<String>,
    /// `Key Usage`: 1 signing, 4 encryption.
    #[serde(rename = "Key Usage", skip_serializing_if = "Option::is_none")]
    pub key_usage: Option<i64>,
    /// `CAFingerprint` of the CA certificate.
    #[serde(rename = "CAFingerprint", skip_serializing_if = "Option::is_none")]
    pub ca_fingerprint: Option<Data>,
    /// `Retries` after a PENDING answer.
    #[serde(rename = "Retries", skip_serializing_if = "Option::is_none")]
    pub retries: Option<i64>,
    /// `RetryDelay` in seconds.
    #[serde(rename = "RetryDelay", skip_serializing_if = "Option::is_none")]
    pub retry_delay: Option<i64>,
    /// `SubjectAltName`: `rfc822Name`, `dNSName`, `uniformResourceIdentifier`,
    /// `ntPrincipalName`.
    #[serde(rename = "SubjectAltName", skip_serializing_if = "Option::is_none")]
    pub subject_alt_name: Option<Dictionary>,
    /// `KeyIsExtractable` (macOS).
    #[serde(rename = "KeyIsExtractable", skip_serializing_if = "Option::is_none")]
    pub key_is_extractable: Option<bool>,
    /// `AllowAllAppsAccess` (macOS).
    #[serde(rename = "AllowAllAppsAccess", skip_serializing_if = "Option::is_none")]
    pub allow_all_apps_access: Option<bool>,
}

impl ScepPayload {
    /// The `PayloadType` of this payload.
    pub const PAYLOAD_TYPE: &'static str = "com.apple.security.scep";
}

impl ScepContent {
    /// What the device asks the server for: the payload's `Subject` flattened into its relative
    /// names in order, its `Challenge`, and the pool key `key_index` as the device's new key
    /// (the payload's `Key Type` is RSA; the pool holds RSA-2048 keys).
    pub fn certificate_request(&self, key_index: usize) -> CertificateRequest {
        let subject = self
            .subject
            .iter()
            .flatten()
            .flatten()
            .filter_map(|pair| match pair.as_slice() {
                [kind, value] => Some((kind.clone(), value.clone())),
                _ => None,
            })
            .collect();
        CertificateRequest {
            subject,
            challenge: self.challenge.clone(),
            key_index,
        }
    }

    /// SCEP settings with only the server URL set.
    pub fn new(url: impl Into<String>) -> ScepContent {
        ScepContent {
            url: url.into(),
            name: None,
            subject: None,
            challenge: None,
            keysize: None,
            key_type: None,
            key_usage: None,
            ca_fingerprint: None,
            retries: None,
            retry_delay: None,
            subject_alt_name: None,
            key_is_extractable: None,
            allow_all_apps_access: None,
        }
    }
}
