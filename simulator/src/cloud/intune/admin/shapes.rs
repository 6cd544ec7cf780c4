//! The tenant's records in Graph's shapes: what the admin API serves, and what the evidence
//! collection reads to write the bundle's tenant view. Pure functions of the state, so both
//! readers see the same thing.

use enrollsim_graph::{
    ApnsCertificateView, AppliedConditionalAccessPolicy, DepEnrollmentProfile,
    DepOnboardingSetting, DepSyncError, DepUploadError, DeviceLimitConfiguration,
    EnrollmentConfiguration, EnrollmentEvent, ImportedAppleDeviceIdentity,
    ImportedDeviceIdentityView, IosRestriction, LicenseDetails, LicenseView, ManagedDevice,
    PlatformRestrictionsConfiguration, PortalDevice, ServicePlanInfo, SignIn, SignInStatus, User,
};
use time::OffsetDateTime;

use crate::clock::rfc3339;
use crate::cloud::entra::{Cloud, EntraUser, License, SignInRecord};
use crate::cloud::intune::state::{
    self, ApnsCertificate, DeviceLimitRestriction, EnrollmentProgramToken, IntuneState,
    ManagementState, PlatformRestriction, TroubleshootingEvent,
};
use crate::cloud::intune::IntuneService;

/// Graph `managedDevice`.
pub fn managed_device(d: &state::ManagedDevice) -> ManagedDevice {
    ManagedDevice {
        id: d.id.clone(),
        device_name: d.name.clone(),
        user_principal_name: d.upn.clone(),
        serial_number: d.serial.clone(),
        operating_system: "iOS".into(),
        os_version: d.os_version.clone(),
        model: d.model.clone(),
        managed_device_owner_type: d.ownership.graph_name().into(),
        device_enrollment_type: d.enrollment_type.clone(),
        enrolled_date_time: rfc3339(d.enrolled_at),
        last_sync_date_time: rfc3339(d.last_contact),
        management_state: d.state.graph_name().into(),
        azure_ad_device_id: d.azure_ad_device_id.clone(),
        last_push_failure: d.last_push_failure.clone(),
    }
}

/// Graph `applePushNotificationCertificate` at `now` (its status depends on the time).
pub fn apns_certificate(c: &ApnsCertificate, now: OffsetDateTime) -> ApnsCertificateView {
    ApnsCertificateView {
        apple_identifier: Some(c.apple_id.clone()),
        topic_identifier: Some(c.topic.clone()),
        expiration_date_time: Some(rfc3339(c.expires_at)),
        last_modified_date_time: Some(rfc3339(c.uploaded_at)),
        certificate_upload_status: Some(c.status_at(now).into()),
    }
}

/// A cloud's name as Graph extensions write it (the serde name).
fn cloud_name(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Public => "public",
        Cloud::Government => "government",
    }
}

/// A device type restriction, shown as assigned to `groups`.
pub fn platform_configuration(
    r: &PlatformRestriction,
    groups: Vec<String>,
) -> EnrollmentConfiguration {
    let ios = &r.ios;
    EnrollmentConfiguration::PlatformRestrictions(PlatformRestrictionsConfiguration {
        id: r.id.clone(),
        display_name: r.name.clone(),
        priority: r.priority.into(),
        assigned_group_ids: groups,
        excluded_group_ids: r.excluded_groups.clone(),
        ios_restriction: Some(IosRestriction {
            platform_blocked: ios.platform_blocked,
            personal_device_enrollment_blocked: ios.personal_device_enrollment_blocked,
            os_minimum_version: ios.os_minimum_version.clone(),
            os_maximum_version: ios.os_maximum_version.clone(),
        }),
    })
}

/// A device limit restriction, shown as assigned to `groups`.
pub fn limit_configuration(
    r: &DeviceLimitRestriction,
    groups: Vec<String>,
) -> EnrollmentConfiguration {
    EnrollmentConfiguration::Limit(DeviceLimitConfiguration {
        id: r.id.clone(),
        display_name: r.name.clone(),
        priority: r.priority.into(),
        assigned_group_ids: groups,
        excluded_group_ids: r.excluded_groups.clone(),
        limit: r.limit,
    })
}

/// A licence with its enabled plans.
pub fn license(l: &License) -> LicenseView {
    LicenseView {
        sku_part_number: l.sku.clone(),
        service_plans: l.service_plans.clone(),
    }
}

/// Graph `licenseDetails`: every enabled plan is provisioned.
pub fn license_details(l: &License) -> LicenseDetails {
    LicenseDetails {
        sku_part_number: l.sku.clone(),
        service_plans: l
            .service_plans
            .iter()
            .map(|p| ServicePlanInfo {
                service_plan_name: p.clone(),
                provisioning_status: "Success".into(),
            })
            .collect(),
    }
}

/// A directory user as Graph lists them (with the documented extensions): nothing computed
/// from Intune's records, which an admin reads through their own resources.
pub fn user(u: &EntraUser) -> User {
    User {
        id: u.id.clone(),
        user_principal_name: u.upn.clone(),
        display_name: u.display_name.clone(),
        account_enabled: u.enabled,
        assigned_licenses: u.licenses.iter().map(license).collect(),
        member_of: u.groups.clone(),
        strong_authentication_required: u.mfa_required,
        home_cloud: cloud_name(u.home_cloud).into(),
    }
}

/// Graph `depOnboardingSetting` with its profiles and imported devices.
pub fn dep_onboarding_setting(t: &EnrollmentProgramToken) -> DepOnboardingSetting {
    DepOnboardingSetting {
        id: t.id.clone(),
        token_name: t.name.clone(),
        apple_identifier: t.apple_id.clone(),
        token_expiration_date_time: rfc3339(t.expires_at),
        last_modified_date_time: rfc3339(t.uploaded_at),
        token_uploaded_date_time: rfc3339(t.uploaded_at),
        last_successful_sync_date_time: t.last_sync.map(rfc3339),
        last_sync_triggered_date_time: t.last_sync_triggered.map(rfc3339),
        last_sync_error_code: t
            .last_sync_error
            .as_ref()
            .map_or(0, |f| f.status.map_or(-1, i32::from)),
        synced_device_count: i32::try_from(t.devices.len()).unwrap_or(i32::MAX),
        last_sync_error: t.last_sync_error.as_ref().map(|f| DepSyncError {
            date_time: rfc3339(f.at),
            status: f.status,
            code: f.code.clone(),
            endpoint: f.endpoint.clone(),
        }),
        last_upload_error: t.last_upload_error.as_ref().map(|f| DepUploadError {
            date_time: rfc3339(f.at),
            message: f.message.clone(),
        }),
        enrollment_profiles: t
            .profiles
            .iter()
            .map(|p| DepEnrollmentProfile {
                id: p.id.clone(),
                display_name: p.name.clone(),
                created_date_time: rfc3339(p.created_at),
                last_modified_date_time: rfc3339(p.modified_at),
                requires_user_authentication: true,
                authentication_method: p.auth.graph_name().into(),
                is_default: t.default_profile.as_deref() == Some(p.id.as_str()),
                is_synced_to_apple: p.apple_uuid.is_some(),
                support_phone_number: p.support_phone.clone(),
                department: p.department.clone(),
            })
            .collect(),
        imported_apple_device_identities: t
            .devices
            .iter()
            .map(|d| ImportedAppleDeviceIdentity {
                serial_number: d.serial.clone(),
                requested_enrollment_profile_id: d.profile_id.clone(),
                enrollment_state: if d.assigned_at_apple {
                    "assigned"
                } else {
                    "notContacted"
                }
                .into(),
            })
            .collect(),
    }
}

/// Graph `signIn`.
pub fn sign_in(s: &SignInRecord) -> SignIn {
    SignIn {
        created_date_time: rfc3339(s.at),
        user_principal_name: s.upn.clone(),
        app_display_name: s.app_display_name.clone(),
        client_app_used: s.client_app_used.clone(),
        correlation_id: s.correlation_id.clone(),
        status: SignInStatus {
            error_code: s.status.error_code.into(),
            failure_reason: s.status.failure_reason.clone(),
        },
        conditional_access_status: Some(s.conditional_access_status.clone())
            .filter(|c| !c.is_empty()),
        applied_conditional_access_policies: s
            .applied_policies
            .iter()
            .map(|p| AppliedConditionalAccessPolicy {
                id: p.id.clone(),
                display_name: p.display_name.clone(),
                result: p.result.graph_name().into(),
                enforced_grant_controls: p
                    .enforced_grant_controls
                    .iter()
                    .map(|c| c.sign_in_log_name().into())
                    .collect(),
            })
            .collect(),
    }
}

/// Graph `enrollmentTroubleshootingEvent`, the shape the bundle's `enrollment-events.json` reads.
pub fn troubleshooting_event(e: &TroubleshootingEvent) -> EnrollmentEvent {
    EnrollmentEvent {
        id: e.id.clone(),
        event_date_time: Some(e.event_date_time.clone()),
        correlation_id: Some(e.correlation_id.clone()),
        user_id: e.user_id.clone(),
        device_id: e.device_id.clone(),
        managed_device_identifier: e.managed_device_identifier.clone(),
        operating_system: Some(e.operating_system.clone()),
        os_version: e.os_version.clone(),
        enrollment_type: Some(e.enrollment_type.clone()),
        failure_category: Some(e.failure_category),
        failure_reason: Some(e.failure_reason.clone()),
    }
}

/// Graph `importedDeviceIdentity` for a corporate serial number.
pub fn imported_device_identity(serial: &str) -> ImportedDeviceIdentityView {
    ImportedDeviceIdentityView {
        imported_device_identifier: serial.to_string(),
        imported_device_identity_type: Some("serialNumber".into()),
    }
}

/// The user's devices as the Company Portal website's Devices page lists them: every record of
/// theirs that counts toward the device limit, including those the admin center does not list.
/// This is the user's view, not the admin's; no Graph call returns it.
pub fn portal_devices(intune: &IntuneState, upn: &str) -> Vec<PortalDevice> {
    intune
        .devices
        .iter()
        .filter(|d| d.upn.eq_ignore_ascii_case(upn) && d.state != ManagementState::Enrolling)
        .map(|d| PortalDevice {
            device_name: d.name.clone(),
            model: Some(d.model.clone()),
            last_contacted: Some(rfc3339(d.last_contact)),
        })
        .collect()
}

/// The tenant's sign-in log as Graph's `signIn` resources (`auditLogs/signIns`).
pub fn sign_in_log(service: &IntuneService) -> Vec<SignIn> {
    service.directory().sign_ins.iter().map(sign_in).collect()
}

impl IntuneService {
    /// The tenant's ADE state as Graph's `depOnboardingSettings` (with enrollsim's
    /// extensions, see docs/evidence-bundle.md).
    pub fn dep_onboarding_settings(&self) -> Vec<DepOnboardingSetting> {
        self.lock()
            .ade_tokens
            .iter()
            .map(dep_onboarding_setting)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_names_are_the_serde_names() {
        for c in [Cloud::Public, Cloud::Government] {
            assert_eq!(serde_json::to_value(c).unwrap(), cloud_name(c));
        }
    }
}
