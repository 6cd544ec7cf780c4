//! Hand-made evidence for the integration tests: a healthy tenant and device, which each test
//! breaks in one place, and helpers to rename everything and move every date.
#![allow(dead_code)]

use enrollsim_diagnostics::*;

pub const COLLECTED: &str = "2026-11-26T10:40:00Z";
pub const UPN: &str = "alex@contoso.example";
pub const SERIAL: &str = "F2LXK1ABCD12";
pub const ADE_SERIAL: &str = "DMPZ9ADE0001";

pub fn licence(sku: &str, plans: &[&str]) -> LicenseView {
    LicenseView {
        sku_part_number: sku.into(),
        service_plans: plans.iter().map(|p| p.to_string()).collect(),
    }
}

pub fn platform_restriction(
    priority: i64,
    groups: &[&str],
    ios: IosRestriction,
) -> EnrollmentConfiguration {
    EnrollmentConfiguration::PlatformRestrictions(PlatformRestrictionsConfiguration {
        id: format!("restriction-{priority}"),
        display_name: if priority == 0 {
            "All users and all devices".into()
        } else {
            format!("Restriction {priority}")
        },
        priority,
        assigned_group_ids: groups.iter().map(|g| g.to_string()).collect(),
        excluded_group_ids: Vec::new(),
        ios_restriction: Some(ios),
    })
}

pub fn device_limit(priority: i64, groups: &[&str], limit: u32) -> EnrollmentConfiguration {
    EnrollmentConfiguration::Limit(DeviceLimitConfiguration {
        id: format!("limit-{priority}"),
        display_name: if priority == 0 {
            "All users and all devices".into()
        } else {
            format!("Limit {priority}")
        },
        priority,
        assigned_group_ids: groups.iter().map(|g| g.to_string()).collect(),
        excluded_group_ids: Vec::new(),
        limit,
    })
}

pub fn managed(serial: &str, upn: &str) -> ManagedDeviceView {
    ManagedDeviceView {
        id: format!("md-{serial}"),
        device_name: Some("iPhone".into()),
        serial_number: Some(serial.into()),
        user_principal_name: Some(upn.into()),
        operating_system: Some("iOS".into()),
        os_version: Some("17.5".into()),
        managed_device_owner_type: Some("personal".into()),
        enrolled_date_time: Some("2026-03-02T09:00:00Z".into()),
        management_state: Some("managed".into()),
        device_enrollment_type: Some("userEnrollment".into()),
    }
}

pub fn healthy_tenant() -> TenantView {
    TenantView {
        collected_date_time: Some(COLLECTED.into()),
        mdm_authority: Some("intune".into()),
        imported_device_identities: vec![],
        groups: vec![],
        conditional_access_policies: vec![],
        subscribed_skus: vec![],
        federated_domains: vec![],
        apple_push_notification_certificate: Some(ApnsCertificateView {
            apple_identifier: Some("mdm-admin@contoso.example".into()),
            topic_identifier: Some(
                "com.apple.mgmt.External.6f1c2d3e-0000-4000-8000-000000000001".into(),
            ),
            expiration_date_time: Some("2027-06-01T10:00:00Z".into()),
            last_modified_date_time: Some("2026-06-01T10:00:00Z".into()),
            certificate_upload_status: Some("active".into()),
        }),
        device_enrollment_configurations: vec![
            platform_restriction(0, &["all-users"], IosRestriction::default()),
            device_limit(0, &["all-users"], 15),
        ],
        users: vec![
            UserView {
                id: "user-1".into(),
                user_principal_name: UPN.into(),
                assigned_licenses: vec![licence("EMS", &["INTUNE_A", "AAD_PREMIUM"])],
                member_of: vec!["all-users".into(), "group-sales".into()],
                strong_authentication_required: false,
                home_cloud: Some("public".into()),
            },
            UserView {
                id: "user-2".into(),
                user_principal_name: "bob@contoso.example".into(),
                assigned_licenses: vec![licence("EMS", &["INTUNE_A"])],
                member_of: vec!["all-users".into()],
                home_cloud: Some("public".into()),
                ..Default::default()
            },
        ],
        managed_devices: vec![
            managed("C39XK0OTHER1", UPN),
            managed("C39XK0OTHER2", "bob@contoso.example"),
        ],
        dep_onboarding_settings: vec![DepOnboardingSettingView {
            id: "token-1".into(),
            token_name: Some("Contoso ADE".into()),
            apple_identifier: Some("abm-admin@contoso.example".into()),
            token_expiration_date_time: Some("2027-01-10T08:00:00Z".into()),
            last_modified_date_time: Some("2026-01-10T08:00:00Z".into()),
            token_uploaded_date_time: Some("2026-01-10T08:00:00Z".into()),
            last_successful_sync_date_time: Some("2026-11-26T08:00:00Z".into()),
            last_sync_triggered_date_time: Some("2026-11-26T08:00:00Z".into()),
            enrollment_profiles: vec![EnrollmentProfileView {
                id: "profile-1".into(),
                display_name: Some("Corporate iPhones".into()),
                created_date_time: Some("2026-02-01T08:00:00Z".into()),
                last_modified_date_time: Some("2026-02-01T08:00:00Z".into()),
                requires_user_authentication: true,
                authentication_method: Some("companyPortal".into()),
                is_synced_to_apple: Some(true),
                ..EnrollmentProfileView::default()
            }],
            imported_apple_device_identities: vec![ImportedDeviceView {
                serial_number: Some(ADE_SERIAL.into()),
                requested_enrollment_profile_id: Some("profile-1".into()),
                enrollment_state: Some("notContacted".into()),
                last_contacted_date_time: None,
            }],
            ..DepOnboardingSettingView::default()
        }],
    }
}

/// A BYOD attempt by the licensed user on a healthy tenant, with clean logs.
pub fn byod(message: &str, location: Location) -> EvidenceBundle {
    EvidenceBundle::from_message(message, "en-US")
        .with_location(location)
        .with_enrollment_type(EnrollmentType::Byod)
        .with_collected_at(COLLECTED)
        .with_device(DeviceFacts {
            platform: Some("iOS".into()),
            os_version: Some("17.5".into()),
            model: Some("iPhone15,2".into()),
            serial_number: Some(SERIAL.into()),
            company_portal_version: Some("5.2404.0".into()),
            user_principal_name: Some(UPN.into()),
        })
        .with_tenant(healthy_tenant())
        .with_enrollment_events(vec![])
        .with_sign_ins(vec![])
        .with_device_log(
            "Nov 26 10:39:50 iPhone profiled[171] <Notice>: Beginning profile installation\n\
             Nov 26 10:39:51 iPhone mdmclient[210] <Notice>: Checking in with the MDM server\n",
        )
        .with_company_portal_log(
            "2026-11-26T10:39:40.000Z INFO  [App] Company Portal 5.2404.0 started\n\
             2026-11-26T10:39:45.000Z INFO  [Auth] Signed in\n",
        )
}

/// An ADE attempt of the device assigned to the token's profile.
pub fn ade(message: &str, location: Location) -> EvidenceBundle {
    let mut b = byod(message, location).with_enrollment_type(EnrollmentType::Ade);
    if let Some(d) = b.manifest.device.as_mut() {
        d.serial_number = Some(ADE_SERIAL.into());
        d.company_portal_version = None;
    }
    b.company_portal_log = None;
    b
}

pub fn event(category: FailureCategory, reason: &str) -> EnrollmentEvent {
    EnrollmentEvent {
        id: "event-1".into(),
        event_date_time: Some("2026-11-26T10:39:55Z".into()),
        correlation_id: Some("corr-1".into()),
        user_id: Some("user-1".into()),
        operating_system: Some("iOS".into()),
        os_version: Some("17.5".into()),
        enrollment_type: Some("userEnrollment".into()),
        failure_category: Some(category),
        failure_reason: Some(reason.into()),
        ..Default::default()
    }
}

pub fn sign_in(code: i64, reason: &str) -> SignInRecord {
    SignInRecord {
        created_date_time: Some("2026-11-26T10:39:30Z".into()),
        user_principal_name: Some(UPN.into()),
        app_display_name: Some("Microsoft Intune Enrollment".into()),
        client_app_used: Some("Mobile Apps and Desktop clients".into()),
        status: SignInStatus {
            error_code: code,
            failure_reason: Some(reason.into()),
        },
        conditional_access_status: None,
        applied_conditional_access_policies: vec![],
    }
}

pub fn tenant(b: &mut EvidenceBundle) -> &mut TenantView {
    b.tenant.as_mut().expect("tenant")
}

pub fn user(b: &mut EvidenceBundle) -> &mut UserView {
    &mut tenant(b).users[0]
}

/// Renames every user, serial, tenant and profile name, and moves every date one year later.
pub fn disguise(b: &EvidenceBundle) -> EvidenceBundle {
    let swaps: &[(&str, &str)] = &[
        ("alex@contoso.example", "kim.lee@fabrikam.test"),
        ("bob@contoso.example", "sam@fabrikam.test"),
        ("contoso.example", "fabrikam.test"),
        ("Contoso", "Fabrikam"),
        (SERIAL, "HX7QQ2ZZ9PLM"),
        (ADE_SERIAL, "GG0AADE77777"),
        ("C39XK0OTHER1", "AB12CD34EF56"),
        ("C39XK0OTHER2", "ZZ98YY76XX54"),
        ("Corporate iPhones", "Field tablets"),
        ("user-1", "5d0c-aaaa"),
        ("user-2", "5d0c-bbbb"),
        ("group-sales", "grp-77"),
        ("all-users", "everyone-grp"),
        ("2028-", "2029-"),
        ("2027-", "2028-"),
        ("2026-", "2027-"),
        ("2025-", "2026-"),
    ];
    let swaps: Vec<(String, String)> = swaps
        .iter()
        .map(|(from, to)| (from.to_string(), to.to_string()))
        .collect();
    swap_everywhere(b, &swaps)
}

/// Every occurrence of each `from` replaced by its `to`, in one pass (placeholders first, so
/// one swap never feeds another), in every part of the bundle.
pub fn swap_everywhere(b: &EvidenceBundle, swaps: &[(String, String)]) -> EvidenceBundle {
    let fix = |text: &str| -> String {
        let mut out = text.to_string();
        for (i, (from, _)) in swaps.iter().enumerate() {
            out = out.replace(from.as_str(), &format!("\u{1}{i}\u{2}"));
        }
        for (i, (_, to)) in swaps.iter().enumerate() {
            out = out.replace(&format!("\u{1}{i}\u{2}"), to);
        }
        out
    };
    fn via_json<T: serde::Serialize + serde::de::DeserializeOwned>(
        v: &T,
        fix: &dyn Fn(&str) -> String,
    ) -> T {
        serde_json::from_str(&fix(&serde_json::to_string(v).unwrap())).unwrap()
    }
    EvidenceBundle {
        manifest: via_json(&b.manifest, &fix),
        device_log: b.device_log.as_deref().map(fix),
        company_portal_log: b.company_portal_log.as_deref().map(fix),
        tenant: b.tenant.as_ref().map(|t| via_json(t, &fix)),
        enrollment_events: b.enrollment_events.as_ref().map(|e| via_json(e, &fix)),
        sign_ins: b.sign_ins.as_ref().map(|s| via_json(s, &fix)),
        company_portal_devices: b.company_portal_devices.as_ref().map(|d| via_json(d, &fix)),
    }
}
