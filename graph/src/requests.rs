//! Bodies the admin API accepts (PATCH and POST), and the small answers to creations.
//!
//! Members a client may leave out are `Option`s left out when `None`, so one type serves the
//! client that writes the body and the service that reads it; the service says which are
//! required. A few members stay raw JSON ([`RawMember`]) because the service answers a wrong
//! value with what is allowed (and the value it got) rather than with a parser's message.

use serde::{Deserialize, Deserializer, Serialize};

/// A member kept as raw JSON: `None` when absent, `Some(Value::Null)` when sent as `null`
/// (which the service refuses, so it must not read as "absent").
pub type RawMember = Option<serde_json::Value>;

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<RawMember, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// `PATCH deviceManagement/deviceEnrollmentConfigurations/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentConfigurationPatch {
    /// Which kind of configuration the client means.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// A device limit restriction's new limit (1–15).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub limit: RawMember,
    /// A device type restriction's new iOS/iPadOS settings (a whole
    /// [`IosRestriction`](crate::IosRestriction)).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub ios_restriction: RawMember,
}

/// `PATCH deviceManagement/applePushNotificationCertificate`: the certificate Apple's portal
/// issued, as base64 DER, with the Apple ID that made it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApnsCertificateUpload {
    /// The Apple ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_identifier: Option<String>,
    /// The certificate (base64 DER).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

/// `POST users/{id}/assignLicense`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignLicense {
    /// Licences to add (required, possibly empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_licenses: Option<Vec<AddLicense>>,
    /// SKUs to remove.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_licenses: Option<Vec<String>>,
}

/// One licence of [`AssignLicense::add_licenses`]. Graph names SKUs by GUID; the lab takes the
/// SKU part number, and, as an extension, the enabled plans.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddLicense {
    /// The SKU (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku_id: Option<String>,
    /// The enabled plans; the SKU's defaults when absent (enrollsim extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_plans: Option<Vec<String>>,
    /// Plans of the SKU turned off for this assignment (Graph's `disabledPlans`; Graph takes
    /// plan GUIDs, the lab plan names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_plans: Option<Vec<String>>,
}

/// `PATCH users/{id}/authentication/requirements`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationRequirements {
    /// `disabled`, `enabled` or `enforced`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_user_mfa_state: Option<String>,
}

/// `POST depOnboardingSettings` (name and Apple ID) and its answer (with the new id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewDepOnboardingSetting {
    /// The new token's id (answer only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Token name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_name: Option<String>,
    /// The Apple ID of the Apple Business Manager account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_identifier: Option<String>,
}

/// `POST depOnboardingSettings/{id}/uploadDepToken`: the server token file's text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadDepToken {
    /// The Apple ID (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_id: Option<String>,
    /// The decrypted `.p7m` text (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dep_token: Option<String>,
}

/// `POST depOnboardingSettings/{id}/enrollmentProfiles` and its answer (with the new id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewEnrollmentProfile {
    /// The new profile's id (answer only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Profile name (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `companyPortal` (default), `setupAssistantLegacy` or `setupAssistantModern`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub authentication_method: RawMember,
    /// New devices get this profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// The support phone number Setup Assistant shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_phone_number: Option<String>,
    /// The department Setup Assistant shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

/// `PATCH depOnboardingSettings/{id}/enrollmentProfiles/{id}`. Any edit, even of the
/// description alone, gives the profile a new modification time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentProfilePatch {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New support phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_phone_number: Option<String>,
    /// New department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// New authentication method.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub authentication_method: RawMember,
}

/// `POST .../enrollmentProfiles/{id}/updateDeviceProfileAssignment`: serial numbers to assign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateDeviceProfileAssignment {
    /// The serial numbers (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_ids: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_null_raw_member_is_present() {
        let p: EnrollmentConfigurationPatch = serde_json::from_str(r#"{"limit": null}"#).unwrap();
        assert_eq!(p.limit, Some(serde_json::Value::Null));
        let p: EnrollmentConfigurationPatch = serde_json::from_str("{}").unwrap();
        assert_eq!(p.limit, None);
    }
}

/// `organization/{id}/setMobileDeviceManagementAuthority`. Graph's action has no body (it makes
/// Intune the authority); the lab accepts the authority to set, as an extension, so a history
/// can replay an authority set from the Configuration Manager console.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetMdmAuthority {
    /// `intune`, `configurationManager` or `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_device_management_authority: Option<String>,
}
