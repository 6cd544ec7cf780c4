//! The tenant's admin view (`tenant.json`): Microsoft Graph shapes (camelCase) for the APNs
//! certificate, enrollment restrictions, users and licences, managed devices and ADE tokens,
//! plus the few enrollsim extensions documented in `docs/evidence-bundle.md`.
//!
//! Dates stay strings (RFC 3339) so that a real admin's export reads without loss; the rules
//! parse them and only ever compare them with each other or with the collection time.

use serde::{Deserialize, Serialize};

pub use crate::licence::LicenseView;

/// The tenant's admin view.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantView {
    /// When this view was collected (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_date_time: Option<String>,
    /// The MDM authority (`intune`, `office365`, `unknown`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mdm_authority: Option<String>,
    /// The Apple MDM push certificate; `None` (null or absent) when none is configured.
    #[serde(default)]
    pub apple_push_notification_certificate: Option<ApnsCertificateView>,
    /// Enrollment restrictions: platform (device type) restrictions and device limits.
    #[serde(default)]
    pub device_enrollment_configurations: Vec<EnrollmentConfiguration>,
    /// Users, with licences and group memberships.
    #[serde(default)]
    pub users: Vec<UserView>,
    /// Devices Intune manages.
    #[serde(default)]
    pub managed_devices: Vec<ManagedDeviceView>,
    /// Apple Automated Device Enrollment tokens with their profiles and devices.
    #[serde(default)]
    pub dep_onboarding_settings: Vec<DepOnboardingSettingView>,
    /// Corporate device identifiers (Graph `importedDeviceIdentities`): a device whose serial
    /// number is listed enrolls as corporate-owned.
    #[serde(default)]
    pub imported_device_identities: Vec<ImportedDeviceIdentityView>,
    /// Entra groups with their direct members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<crate::directory::Group>,
    /// Conditional Access policies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditional_access_policies: Vec<crate::directory::ConditionalAccessPolicy>,
    /// The tenant's subscriptions with seat counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscribed_skus: Vec<crate::user::SubscribedSku>,
    /// Federated domains with their federation service's endpoints (enrollsim extension; see
    /// docs/evidence-bundle.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub federated_domains: Vec<FederatedDomainView>,
}

/// A federated domain as the admin collects it: realm discovery's answer for a user of the
/// domain (`login.microsoftonline.com/common/userrealm/{upn}`) and, when the admin can run it
/// on the federation server, `Get-AdfsEndpoint`'s list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FederatedDomainView {
    /// The domain.
    #[serde(default)]
    pub domain: String,
    /// Realm discovery's `NameSpaceType` (`Federated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_space_type: Option<String>,
    /// Realm discovery's `federation_metadata_url` (the MEX document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federation_metadata_url: Option<String>,
    /// Realm discovery's `federation_active_auth_url` (where non-interactive credentials go).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federation_active_auth_url: Option<String>,
    /// `Get-AdfsEndpoint` on the federation server; absent when not collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<FederationEndpointView>>,
}

/// One row of `Get-AdfsEndpoint`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FederationEndpointView {
    /// `AddressPath` (`/adfs/services/trust/13/usernamemixed`).
    #[serde(default)]
    pub address_path: String,
    /// `Protocol`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// `Enabled`.
    #[serde(default)]
    pub enabled: bool,
    /// `Proxy` (published through the Web Application Proxy).
    #[serde(default)]
    pub proxy: bool,
}

/// Graph `importedDeviceIdentity`: a corporate identifier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportedDeviceIdentityView {
    /// The identifier (a serial number or an IMEI).
    #[serde(default)]
    pub imported_device_identifier: String,
    /// `serialNumber` or `imei`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_device_identity_type: Option<String>,
}

/// Graph `applePushNotificationCertificate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApnsCertificateView {
    /// The Apple ID used to create the certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_identifier: Option<String>,
    /// The push topic (`com.apple.mgmt.External.<uuid>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_identifier: Option<String>,
    /// When the certificate expires (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date_time: Option<String>,
    /// When it was last uploaded or renewed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<String>,
    /// `active` or `expired` (enrollsim extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_upload_status: Option<String>,
}

/// One `deviceEnrollmentConfiguration`, told apart by `@odata.type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "@odata.type")]
pub enum EnrollmentConfiguration {
    /// `#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration`.
    #[serde(rename = "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration")]
    PlatformRestrictions(PlatformRestrictionsConfiguration),
    /// `#microsoft.graph.deviceEnrollmentLimitConfiguration`.
    #[serde(rename = "#microsoft.graph.deviceEnrollmentLimitConfiguration")]
    Limit(DeviceLimitConfiguration),
    /// Any other configuration type (ignored by the rules).
    #[serde(other)]
    Other,
}

impl EnrollmentConfiguration {
    /// Priority (0 is the Default restriction, which applies last) and assigned groups.
    pub fn priority_and_groups(&self) -> Option<(i64, &[String])> {
        match self {
            EnrollmentConfiguration::PlatformRestrictions(c) => {
                Some((c.priority, &c.assigned_group_ids))
            }
            EnrollmentConfiguration::Limit(c) => Some((c.priority, &c.assigned_group_ids)),
            EnrollmentConfiguration::Other => None,
        }
    }

    /// The groups the assignment excludes (none for Default, which applies to everyone).
    pub fn excluded_groups(&self) -> &[String] {
        match self {
            EnrollmentConfiguration::PlatformRestrictions(c) => &c.excluded_group_ids,
            EnrollmentConfiguration::Limit(c) => &c.excluded_group_ids,
            EnrollmentConfiguration::Other => &[],
        }
    }
}

/// A device type (platform) restriction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformRestrictionsConfiguration {
    /// Graph id.
    #[serde(default)]
    pub id: String,
    /// Name shown in the admin center.
    #[serde(default)]
    pub display_name: String,
    /// 0 for Default; otherwise a lower number wins.
    #[serde(default)]
    pub priority: i64,
    /// Groups the restriction is assigned to (enrollsim extension of Graph's assignments).
    #[serde(default)]
    pub assigned_group_ids: Vec<String>,
    /// Groups the assignment excludes (Graph's `exclusionGroupAssignmentTarget`s): their
    /// members are not subject to it, even when also in an assigned group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_group_ids: Vec<String>,
    /// The iOS/iPadOS part; absent means iOS is not restricted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ios_restriction: Option<IosRestriction>,
}

/// Graph `deviceEnrollmentPlatformRestriction` for iOS/iPadOS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IosRestriction {
    /// The whole platform is blocked.
    #[serde(default)]
    pub platform_blocked: bool,
    /// Personally owned devices are blocked.
    #[serde(default)]
    pub personal_device_enrollment_blocked: bool,
    /// Minimum OS version allowed (major.minor.rev).
    #[serde(default)]
    pub os_minimum_version: Option<String>,
    /// Maximum OS version allowed.
    #[serde(default)]
    pub os_maximum_version: Option<String>,
}

/// A device limit restriction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceLimitConfiguration {
    /// Graph id.
    #[serde(default)]
    pub id: String,
    /// Name shown in the admin center.
    #[serde(default)]
    pub display_name: String,
    /// 0 for Default; otherwise a lower number wins.
    #[serde(default)]
    pub priority: i64,
    /// Groups the restriction is assigned to.
    #[serde(default)]
    pub assigned_group_ids: Vec<String>,
    /// Groups the assignment excludes, as for
    /// [`PlatformRestrictionsConfiguration::excluded_group_ids`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_group_ids: Vec<String>,
    /// How many devices one user may enroll.
    #[serde(default)]
    pub limit: u32,
}

/// A user as the admin sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    /// Graph id (matches `userId` of events).
    #[serde(default)]
    pub id: String,
    /// The sign-in name.
    #[serde(default)]
    pub user_principal_name: String,
    /// Licences with their enabled service plans.
    #[serde(default)]
    pub assigned_licenses: Vec<LicenseView>,
    /// Ids of the groups the user is in.
    #[serde(default)]
    pub member_of: Vec<String>,
    /// The user must pass MFA to sign in (enrollsim extension).
    #[serde(default)]
    pub strong_authentication_required: bool,
    /// `public` or `government` (enrollsim extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_cloud: Option<String>,
}

/// Graph `managedDevice` (the fields used).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedDeviceView {
    /// Graph id.
    #[serde(default)]
    pub id: String,
    /// Device name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// Serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// The user the device is enrolled to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
    /// `iOS`, `iPadOS`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operating_system: Option<String>,
    /// OS version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// `personal` or `company`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_device_owner_type: Option<String>,
    /// When it enrolled (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolled_date_time: Option<String>,
    /// `managed`, `retirePending`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_state: Option<String>,
    /// `userEnrollment`, `appleBulkWithUser`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_enrollment_type: Option<String>,
}

/// Graph `depOnboardingSetting`: one ADE token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepOnboardingSettingView {
    /// Graph id.
    #[serde(default)]
    pub id: String,
    /// Token name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_name: Option<String>,
    /// The Apple ID that manages the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_identifier: Option<String>,
    /// When the token expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expiration_date_time: Option<String>,
    /// When the token was last modified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<String>,
    /// When the token was uploaded to Intune (enrollsim extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_uploaded_date_time: Option<String>,
    /// Last successful sync with Apple.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_successful_sync_date_time: Option<String>,
    /// Last sync request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_triggered_date_time: Option<String>,
    /// Graph's `lastSyncErrorCode`: 0 when the last sync succeeded; otherwise enrollsim puts
    /// Apple's HTTP status there (Microsoft does not document its values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_error_code: Option<i32>,
    /// Graph's `syncedDeviceCount`: the devices the token has imported from Apple.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_device_count: Option<i32>,
    /// How the last sync failed, as Apple answered (enrollsim extension: the admin center
    /// shows it as the token's sync error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_error: Option<DepSyncError>,
    /// How the admin's last upload of a server token to this token failed (enrollsim
    /// extension: the error the admin center showed); absent once an upload succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_upload_error: Option<DepUploadError>,
    /// The token's enrollment profiles.
    #[serde(default)]
    pub enrollment_profiles: Vec<EnrollmentProfileView>,
    /// Devices Apple assigned to this token.
    #[serde(default)]
    pub imported_apple_device_identities: Vec<ImportedDeviceView>,
}

/// How a sync with Apple failed, as the admin center shows it on the token (enrollsim
/// extension of Graph): Apple's answer as Intune logged it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepSyncError {
    /// When the sync failed (RFC 3339).
    #[serde(default)]
    pub date_time: String,
    /// Apple's HTTP status; `null` when Apple could not be reached.
    #[serde(default)]
    pub status: Option<u16>,
    /// Apple's error token (`T_C_NOT_SIGNED`, `EXPIRED_CURSOR`...) or the OAuth problem of a
    /// refused `/session` (`token_expired`, `token_rejected`...).
    #[serde(default)]
    pub code: String,
    /// The DEP API endpoint that answered (`/session`, `/devices/sync`...).
    #[serde(default)]
    pub endpoint: String,
}

/// A refused upload of a server token (`uploadDepToken`), as the admin center showed it
/// (enrollsim extension of Graph).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepUploadError {
    /// When the upload was refused (RFC 3339).
    #[serde(default)]
    pub date_time: String,
    /// The admin center's error text.
    #[serde(default)]
    pub message: String,
}

/// Graph `depIOSEnrollmentProfile` (the fields used).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentProfileView {
    /// Graph id.
    #[serde(default)]
    pub id: String,
    /// Profile name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<String>,
    /// When it was last modified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<String>,
    /// The profile enrolls with user affinity.
    #[serde(default)]
    pub requires_user_authentication: bool,
    /// `companyPortal`, `setupAssistantLegacy` or `setupAssistantModern` (enrollsim extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_method: Option<String>,
    /// Whether Apple holds the profile (enrollsim extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_synced_to_apple: Option<bool>,
    /// The support phone number Setup Assistant shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_phone_number: Option<String>,
    /// The department Setup Assistant shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

/// Graph `importedAppleDeviceIdentity` (the fields used).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportedDeviceView {
    /// Serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// The enrollment profile assigned to the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_enrollment_profile_id: Option<String>,
    /// `notContacted`, `enrolled`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_state: Option<String>,
    /// When the device last contacted Intune.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_contacted_date_time: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configurations_are_told_apart_by_odata_type() {
        let json = r##"[
          {"@odata.type": "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration",
           "id": "a", "displayName": "Default", "priority": 0, "assignedGroupIds": ["all"],
           "iosRestriction": {"platformBlocked": false, "personalDeviceEnrollmentBlocked": true,
                              "osMinimumVersion": null, "osMaximumVersion": null}},
          {"@odata.type": "#microsoft.graph.deviceEnrollmentLimitConfiguration",
           "id": "b", "displayName": "Default", "priority": 0, "assignedGroupIds": [], "limit": 5},
          {"@odata.type": "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration", "id": "c"}
        ]"##;
        let configs: Vec<EnrollmentConfiguration> = serde_json::from_str(json).unwrap();
        match &configs[0] {
            EnrollmentConfiguration::PlatformRestrictions(c) => {
                assert!(
                    c.ios_restriction
                        .as_ref()
                        .unwrap()
                        .personal_device_enrollment_blocked
                )
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(&configs[1], EnrollmentConfiguration::Limit(c) if c.limit == 5));
        assert_eq!(configs[2], EnrollmentConfiguration::Other);
    }

    #[test]
    fn null_and_absent_certificate_are_both_none() {
        let a: TenantView =
            serde_json::from_str(r#"{"applePushNotificationCertificate": null}"#).unwrap();
        let b: TenantView = serde_json::from_str("{}").unwrap();
        assert!(a.apple_push_notification_certificate.is_none());
        assert!(b.apple_push_notification_certificate.is_none());
        let written = serde_json::to_value(&b).unwrap();
        assert!(written["applePushNotificationCertificate"].is_null());
    }
}
