//! Graph's Automated Device Enrollment resources as the admin API serves them:
//! `depOnboardingSetting` (an enrollment program token), its enrollment profiles and the
//! devices Apple assigned to it. They convert into the bundle's views in [`crate::tenant`].

use serde::{Deserialize, Serialize};

use crate::tenant::{
    DepOnboardingSettingView, DepSyncError, DepUploadError, EnrollmentProfileView,
    ImportedDeviceView,
};

/// Graph `depOnboardingSetting` with its profiles and imported devices (enrollsim extensions
/// of Graph, see docs/evidence-bundle.md). Unset times are `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepOnboardingSetting {
    /// Graph id.
    #[serde(default)]
    pub id: String,
    /// Token name.
    #[serde(default)]
    pub token_name: String,
    /// The Apple ID of the Apple Business Manager account.
    #[serde(default)]
    pub apple_identifier: String,
    /// When the token expires (RFC 3339).
    #[serde(default)]
    pub token_expiration_date_time: String,
    /// When the token was last modified.
    #[serde(default)]
    pub last_modified_date_time: String,
    /// When the token was uploaded (enrollsim extension).
    #[serde(default)]
    pub token_uploaded_date_time: String,
    /// Last successful sync with Apple.
    #[serde(default)]
    pub last_successful_sync_date_time: Option<String>,
    /// Last "Sync now".
    #[serde(default)]
    pub last_sync_triggered_date_time: Option<String>,
    /// 0 when the last sync succeeded, else Apple's HTTP status (Graph's `lastSyncErrorCode`;
    /// Microsoft does not document its values, so enrollsim chose these).
    #[serde(default)]
    pub last_sync_error_code: i32,
    /// How many devices the token imported from Apple.
    #[serde(default)]
    pub synced_device_count: i32,
    /// How the last sync failed (enrollsim extension); `null` after a successful sync.
    #[serde(default)]
    pub last_sync_error: Option<DepSyncError>,
    /// How the last upload of a server token failed (enrollsim extension); absent after a
    /// successful upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_upload_error: Option<DepUploadError>,
    /// The token's enrollment profiles.
    #[serde(default)]
    pub enrollment_profiles: Vec<DepEnrollmentProfile>,
    /// Devices Apple assigned to the token.
    #[serde(default)]
    pub imported_apple_device_identities: Vec<ImportedAppleDeviceIdentity>,
}

/// Graph `depIOSEnrollmentProfile` (the fields the lab keeps).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepEnrollmentProfile {
    /// Graph id.
    #[serde(default)]
    pub id: String,
    /// Profile name.
    #[serde(default)]
    pub display_name: String,
    /// When it was created.
    #[serde(default)]
    pub created_date_time: String,
    /// When it was last modified.
    #[serde(default)]
    pub last_modified_date_time: String,
    /// The profile enrolls with user affinity.
    #[serde(default)]
    pub requires_user_authentication: bool,
    /// `companyPortal`, `setupAssistantLegacy` or `setupAssistantModern` (enrollsim extension).
    #[serde(default)]
    pub authentication_method: String,
    /// New devices get this profile.
    #[serde(default)]
    pub is_default: bool,
    /// Whether Apple holds the profile (enrollsim extension).
    #[serde(default)]
    pub is_synced_to_apple: bool,
    /// The support phone number Setup Assistant shows.
    #[serde(default)]
    pub support_phone_number: Option<String>,
    /// The department Setup Assistant shows.
    #[serde(default)]
    pub department: Option<String>,
}

/// Graph `importedAppleDeviceIdentity` (the fields the lab keeps).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportedAppleDeviceIdentity {
    /// Serial number.
    #[serde(default)]
    pub serial_number: String,
    /// The enrollment profile assigned to the device; `null` when none.
    #[serde(default)]
    pub requested_enrollment_profile_id: Option<String>,
    /// `notContacted` or `assigned`.
    #[serde(default)]
    pub enrollment_state: String,
}

impl From<DepOnboardingSetting> for DepOnboardingSettingView {
    fn from(t: DepOnboardingSetting) -> Self {
        DepOnboardingSettingView {
            id: t.id,
            token_name: Some(t.token_name),
            apple_identifier: Some(t.apple_identifier),
            token_expiration_date_time: Some(t.token_expiration_date_time),
            last_modified_date_time: Some(t.last_modified_date_time),
            token_uploaded_date_time: Some(t.token_uploaded_date_time),
            last_successful_sync_date_time: t.last_successful_sync_date_time,
            last_sync_triggered_date_time: t.last_sync_triggered_date_time,
            last_sync_error_code: Some(t.last_sync_error_code),
            synced_device_count: Some(t.synced_device_count),
            last_sync_error: t.last_sync_error,
            last_upload_error: t.last_upload_error,
            enrollment_profiles: t.enrollment_profiles.into_iter().map(Into::into).collect(),
            imported_apple_device_identities: t
                .imported_apple_device_identities
                .into_iter()
                .map(Into::into)
                .collect(),
        }
    }
}

impl From<DepEnrollmentProfile> for EnrollmentProfileView {
    fn from(p: DepEnrollmentProfile) -> Self {
        EnrollmentProfileView {
            id: p.id,
            display_name: Some(p.display_name),
            created_date_time: Some(p.created_date_time),
            last_modified_date_time: Some(p.last_modified_date_time),
            requires_user_authentication: p.requires_user_authentication,
            authentication_method: Some(p.authentication_method),
            is_synced_to_apple: Some(p.is_synced_to_apple),
            support_phone_number: p.support_phone_number,
            department: p.department,
        }
    }
}

impl From<ImportedAppleDeviceIdentity> for ImportedDeviceView {
    fn from(d: ImportedAppleDeviceIdentity) -> Self {
        ImportedDeviceView {
            serial_number: Some(d.serial_number),
            requested_enrollment_profile_id: d.requested_enrollment_profile_id,
            enrollment_state: Some(d.enrollment_state),
            last_contacted_date_time: None,
        }
    }
}
