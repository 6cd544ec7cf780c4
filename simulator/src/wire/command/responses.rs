//! Response keys of the commands enrollsim implements: `ProfileList`, `SecurityInfo` and
//! `CertificateList` items (Apple's `responsekeys` in `mdm/commands/*.yaml`).
//! `QueryResponses` stays a plist dictionary: its ~100 keys are typed by the schema.

use plist::Data;
use serde::{Deserialize, Serialize};

use crate::wire::profile::ConfigurationProfile;

/// One installed profile in a `ProfileList` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileListItem {
    /// `PayloadIdentifier` of the profile.
    #[serde(rename = "PayloadIdentifier")]
    pub payload_identifier: String,
    /// `PayloadUUID` of the profile.
    #[serde(rename = "PayloadUUID")]
    pub payload_uuid: String,
    /// `PayloadVersion`.
    #[serde(rename = "PayloadVersion", skip_serializing_if = "Option::is_none")]
    pub payload_version: Option<i64>,
    /// `PayloadDisplayName`.
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
    /// `PayloadRemovalDisallowed`.
    #[serde(
        rename = "PayloadRemovalDisallowed",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload_removal_disallowed: Option<bool>,
    /// `HasRemovalPasscode`.
    #[serde(rename = "HasRemovalPasscode", skip_serializing_if = "Option::is_none")]
    pub has_removal_passcode: Option<bool>,
    /// `IsEncrypted`.
    #[serde(rename = "IsEncrypted", skip_serializing_if = "Option::is_none")]
    pub is_encrypted: Option<bool>,
    /// `IsManaged`: installed by the current MDM service.
    #[serde(rename = "IsManaged", skip_serializing_if = "Option::is_none")]
    pub is_managed: Option<bool>,
    /// `SignerCertificates`: DER certificates that signed the profile.
    #[serde(rename = "SignerCertificates", skip_serializing_if = "Option::is_none")]
    pub signer_certificates: Option<Vec<Data>>,
    /// `PayloadContent`: a summary per payload.
    #[serde(rename = "PayloadContent", skip_serializing_if = "Option::is_none")]
    pub payload_content: Option<Vec<PayloadSummary>>,
}

/// A payload summary inside a [`ProfileListItem`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PayloadSummary {
    /// `PayloadType`.
    #[serde(rename = "PayloadType")]
    pub payload_type: String,
    /// `PayloadVersion`.
    #[serde(rename = "PayloadVersion")]
    pub payload_version: i64,
    /// `PayloadIdentifier`.
    #[serde(rename = "PayloadIdentifier")]
    pub payload_identifier: String,
    /// `PayloadUUID` (iOS 17+).
    #[serde(rename = "PayloadUUID", skip_serializing_if = "Option::is_none")]
    pub payload_uuid: Option<String>,
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
}

impl ProfileListItem {
    /// The entry a device reports for an installed `profile`; `is_managed` says whether the
    /// current MDM installed it.
    pub fn from_profile(profile: &ConfigurationProfile, is_managed: bool) -> ProfileListItem {
        let payloads = profile
            .payload_content
            .iter()
            .map(|p| PayloadSummary {
                payload_type: p.payload_type().to_owned(),
                payload_version: p.payload_version(),
                payload_identifier: p.payload_identifier().unwrap_or_default().to_owned(),
                payload_uuid: p.payload_uuid().map(str::to_owned),
                payload_display_name: p.payload_display_name().map(str::to_owned),
                payload_description: None,
                payload_organization: None,
            })
            .collect();
        ProfileListItem {
            payload_identifier: profile.payload_identifier.clone(),
            payload_uuid: profile.payload_uuid.clone(),
            payload_version: Some(profile.payload_version),
            payload_display_name: profile.payload_display_name.clone(),
            payload_organization: profile.payload_organization.clone(),
            payload_description: profile.payload_description.clone(),
            payload_removal_disallowed: profile.payload_removal_disallowed,
            has_removal_passcode: None,
            is_encrypted: Some(false),
            is_managed: Some(is_managed),
            signer_certificates: None,
            payload_content: Some(payloads),
        }
    }
}

/// The `SecurityInfo` response dictionary (iOS keys).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityInfo {
    /// `HardwareEncryptionCaps`: 1 block, 2 file, 3 both.
    #[serde(
        rename = "HardwareEncryptionCaps",
        skip_serializing_if = "Option::is_none"
    )]
    pub hardware_encryption_caps: Option<i64>,
    /// `PasscodePresent`.
    #[serde(rename = "PasscodePresent", skip_serializing_if = "Option::is_none")]
    pub passcode_present: Option<bool>,
    /// `PasscodeCompliant`: compliant with every requirement (accounts included).
    #[serde(rename = "PasscodeCompliant", skip_serializing_if = "Option::is_none")]
    pub passcode_compliant: Option<bool>,
    /// `PasscodeCompliantWithProfiles`: compliant with profile requirements.
    #[serde(
        rename = "PasscodeCompliantWithProfiles",
        skip_serializing_if = "Option::is_none"
    )]
    pub passcode_compliant_with_profiles: Option<bool>,
    /// `PasscodeLockGracePeriodEnforced` in seconds (Shared iPad).
    #[serde(
        rename = "PasscodeLockGracePeriodEnforced",
        skip_serializing_if = "Option::is_none"
    )]
    pub passcode_lock_grace_period_enforced: Option<i64>,
    /// `ManagementStatus` (iOS 13+).
    #[serde(rename = "ManagementStatus", skip_serializing_if = "Option::is_none")]
    pub management_status: Option<ManagementStatus>,
}

/// The `ManagementStatus` dictionary of `SecurityInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagementStatus {
    /// `EnrolledViaDEP`: macOS only per Apple's schema; an iOS device leaves it out.
    #[serde(rename = "EnrolledViaDEP", skip_serializing_if = "Option::is_none")]
    pub enrolled_via_dep: Option<bool>,
    /// `UserApprovedEnrollment`: macOS only.
    #[serde(
        rename = "UserApprovedEnrollment",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_approved_enrollment: Option<bool>,
    /// `IsUserEnrollment` (iOS 13+).
    #[serde(rename = "IsUserEnrollment", skip_serializing_if = "Option::is_none")]
    pub is_user_enrollment: Option<bool>,
}

/// One certificate in a `CertificateList` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateListItem {
    /// `CommonName`.
    #[serde(rename = "CommonName")]
    pub common_name: String,
    /// `IsIdentity`: the device holds the private key.
    #[serde(rename = "IsIdentity")]
    pub is_identity: bool,
    /// `Data`: the certificate, DER.
    #[serde(rename = "Data")]
    pub data: Data,
}
