//! One small hand-made bundle per cause: a healthy tenant and device broken in one place, with
//! the evidence an admin would collect. Each must name the right section and cause.

use crate::common::*;
use enrollsim_diagnostics::*;

const CONNECTION: &str =
    "Profile Installation Failed. Connection to the server could not be established.";

fn check(b: &EvidenceBundle, section: Section, cause: Cause) -> Diagnosis {
    let d = diagnose(b);
    assert_eq!(
        (d.section, d.cause),
        (Some(section), Some(cause)),
        "\n{}\n{}",
        d.render_text(),
        serde_json::to_string_pretty(&d).unwrap()
    );
    assert!(!d.resolution.is_empty());
    assert!(d.confidence.value() >= 0.5, "{}", d.render_text());
    // Renaming everything and moving every date by a year changes nothing that matters.
    let moved = diagnose(&disguise(b));
    assert_eq!(
        (moved.section, moved.cause, moved.confidence),
        (d.section, d.cause, d.confidence),
        "disguised:\n{}",
        moved.render_text()
    );
    d
}

fn has_evidence(d: &Diagnosis, source: &str, needle: &str) -> bool {
    d.evidence.iter().any(|e| {
        e.source == source
            && (e.text.as_deref().unwrap_or("").contains(needle)
                || e.fact.as_deref().unwrap_or("").contains(needle))
    })
}

#[test]
fn ios_unspecified_error() {
    let b = byod("Profile Installation Failed. A network error has occurred.", Location::Settings).with_device_log(
        "Nov 26 10:39:58 iPhone profiled[171] <Notice>: Beginning profile installation of \"Management Profile\"\n\
         Nov 26 10:40:01 iPhone profiled[171] <Error>: Profile installation failed. Error: The profile could not be installed. Domain: MCInstallationErrorDomain Code: 4001\n\
         Nov 26 10:40:01 iPhone profiled[171] <Error>:   Underlying error: Domain: NSOSStatusErrorDomain Code: -34018 The keychain could not store the identity.\n",
    );
    let d = check(&b, Section::NetworkError, Cause::IosUnspecifiedError);
    assert!(d.confidence.value() >= 0.9);
    assert!(d
        .evidence
        .iter()
        .any(|e| e.source == "device.log" && e.line == Some(2)));
    assert_eq!(d.resolution[0].anchor, Section::NetworkError);
}

#[test]
fn ios_unspecified_error_without_a_message() {
    let b = byod("", Location::Settings).with_device_log(
        "Nov 26 10:40:01 iPhone profiled[171] <Error>: Install failed: MCInstallationErrorDomain 4001\n\
         Nov 26 10:40:01 iPhone profiled[171] <Error>: underlying: errSecInteractionNotAllowed from the keychain\n",
    );
    check(&b, Section::NetworkError, Cause::IosUnspecifiedError);
}

#[test]
fn personal_devices_blocked() {
    let mut b = byod(CONNECTION, Location::Settings).with_enrollment_events(vec![event(
        FailureCategory::EnrollmentRestrictionsEnforced,
        "Enrollment of personally owned iOS/iPadOS devices is blocked by the enrollment restrictions that apply to the user.",
    )]);
    let personal_blocked = IosRestriction {
        personal_device_enrollment_blocked: true,
        ..Default::default()
    };
    tenant(&mut b)
        .device_enrollment_configurations
        .push(platform_restriction(1, &["group-sales"], personal_blocked));
    let d = check(
        &b,
        Section::ConnectionNotEstablished,
        Cause::PersonalDevicesBlocked,
    );
    assert!(has_evidence(&d, "tenant.json", "priority 1"));
    assert!(has_evidence(
        &d,
        "enrollment-events.json",
        "enrollmentRestrictionsEnforced"
    ));
}

#[test]
fn personal_devices_blocked_from_the_tenant_alone() {
    let mut b = byod(CONNECTION, Location::Settings);
    b.enrollment_events = None;
    let blocked = IosRestriction {
        personal_device_enrollment_blocked: true,
        ..Default::default()
    };
    tenant(&mut b).device_enrollment_configurations[0] =
        platform_restriction(0, &["all-users"], blocked);
    check(
        &b,
        Section::ConnectionNotEstablished,
        Cause::PersonalDevicesBlocked,
    );
}

#[test]
fn a_lower_priority_restriction_does_not_apply() {
    // Default blocks personal devices, but the user's group restriction (priority 3) allows them.
    let mut b = byod(CONNECTION, Location::Settings);
    let blocked = IosRestriction {
        personal_device_enrollment_blocked: true,
        ..Default::default()
    };
    let t = tenant(&mut b);
    t.device_enrollment_configurations[0] = platform_restriction(0, &["all-users"], blocked);
    t.device_enrollment_configurations
        .push(platform_restriction(
            3,
            &["group-sales"],
            IosRestriction::default(),
        ));
    let d = diagnose(&b);
    assert_ne!(
        d.cause,
        Some(Cause::PersonalDevicesBlocked),
        "{}",
        d.render_text()
    );
}

#[test]
fn previous_user_not_removed() {
    let mut b = byod(CONNECTION, Location::Settings).with_enrollment_events(vec![event(
        FailureCategory::Authorization,
        "The device is already enrolled to another user.",
    )]);
    tenant(&mut b)
        .managed_devices
        .push(managed(SERIAL, "bob@contoso.example"));
    let d = check(
        &b,
        Section::ConnectionNotEstablished,
        Cause::PreviousUserNotRemoved,
    );
    assert!(has_evidence(&d, "tenant.json", "different user"));
}

#[test]
fn enrolled_in_other_mdm() {
    let b = byod(CONNECTION, Location::Settings).with_device_log(
        "Nov 26 10:39:58 iPhone profiled[171] <Notice>: Beginning profile installation of \"Management Profile\"\n\
         Nov 26 10:40:01 iPhone profiled[171] <Error>: Cannot install the MDM payload: an MDM payload from https://mdm.othervendor.example/checkin is already installed on this device.\n",
    );
    let d = check(
        &b,
        Section::ConnectionNotEstablished,
        Cause::EnrolledInOtherMdm,
    );
    assert!(has_evidence(&d, "device.log", "othervendor"));
}

#[test]
fn user_not_licensed_on_web_enrollment() {
    let mut b = byod(CONNECTION, Location::Safari).with_enrollment_events(vec![event(
        FailureCategory::UserValidation,
        "The user does not have a license for Microsoft Intune.",
    )]);
    user(&mut b).assigned_licenses = vec![licence("EXCHANGESTANDARD", &["EXCHANGE_S_STANDARD"])];
    check(
        &b,
        Section::ConnectionNotEstablished,
        Cause::UserNotLicensed,
    );
}

#[test]
fn user_license_type_invalid() {
    let mut b = byod("User License Type Invalid", Location::CompanyPortal).with_company_portal_log(
        "2026-11-26T10:39:40.000Z INFO  [App] Company Portal 5.2404.0 started\n\
         2026-11-26T10:39:52.000Z ERROR [Enrollment] Enrollment failed: UserLicenseTypeInvalid\n",
    );
    user(&mut b).assigned_licenses = vec![licence(
        "O365_BUSINESS",
        &["EXCHANGE_S_STANDARD", "INTUNE_O365"],
    )];
    let d = check(&b, Section::UserLicenseTypeInvalid, Cause::UserNotLicensed);
    assert!(d
        .evidence
        .iter()
        .any(|e| e.source == "company-portal.log" && e.line == Some(2)));
    assert!(d.collect.is_empty());
}

#[test]
fn user_name_not_recognized() {
    let mut b = byod("User Name Not Recognized", Location::CompanyPortal).with_company_portal_log(
        "2026-11-26T10:39:52.000Z ERROR [Enrollment] Enrollment failed: UserNameNotRecognized\n",
    );
    user(&mut b).assigned_licenses.clear();
    check(&b, Section::UserNameNotRecognized, Cause::UserNotLicensed);
}

#[test]
fn unlicensed_user_without_a_message_follows_the_portal_code() {
    let mut b = byod("", Location::CompanyPortal).with_company_portal_log(
        "2026-11-26T10:39:52.000Z ERROR [Enrollment] Enrollment failed: UserNameNotRecognized\n",
    );
    user(&mut b).assigned_licenses.clear();
    check(&b, Section::UserNameNotRecognized, Cause::UserNotLicensed);
}

#[test]
fn apns_certificate_missing() {
    let mut b = byod(
        "This Service is not supported. No Enrollment Policy.",
        Location::CompanyPortal,
    )
    .with_company_portal_log(
        "2026-11-26T10:39:52.000Z ERROR [Enrollment] Service returned NoEnrollmentPolicy\n",
    );
    tenant(&mut b).apple_push_notification_certificate = None;
    let d = check(
        &b,
        Section::ServiceNotSupported,
        Cause::ApnsCertificateMissing,
    );
    assert!(has_evidence(&d, "tenant.json", "not configured"));
}

#[test]
fn apns_certificate_missing_on_the_web_portal() {
    let mut b = byod("NoEnrollmentPolicy", Location::Safari);
    tenant(&mut b).apple_push_notification_certificate = None;
    check(
        &b,
        Section::NoEnrollmentPolicy,
        Cause::ApnsCertificateMissing,
    );
}

#[test]
fn apns_certificate_missing_seen_from_the_device() {
    // No tenant view: the device and the Company Portal tell it on their own.
    let mut b = byod("", Location::Settings)
        .with_device_log(
            "Nov 26 10:40:01 iPhone profiled[171] <Error>: Profile installation failed: The required field \u{201c}Topic\u{201d} is missing.\n",
        )
        .with_company_portal_log("2026-11-26T10:39:52.000Z ERROR [Enrollment] errorCode=NoEnrollmentPolicy\n");
    b.tenant = None;
    check(
        &b,
        Section::NoEnrollmentPolicy,
        Cause::ApnsCertificateMissing,
    );
}

#[test]
fn apns_certificate_invalid() {
    let mut b = byod("noenrollmentpolicy", Location::Safari).with_company_portal_log(
        "2026-11-26T10:39:52.000Z ERROR [Enrollment] NoEnrollmentPolicy\n",
    );
    let cert = tenant(&mut b)
        .apple_push_notification_certificate
        .as_mut()
        .unwrap();
    cert.expiration_date_time = Some("2026-10-12T10:00:00Z".into());
    cert.certificate_upload_status = Some("expired".into());
    let d = check(
        &b,
        Section::NoEnrollmentPolicy,
        Cause::ApnsCertificateInvalid,
    );
    assert!(
        has_evidence(&d, "tenant.json", "45 days before collection"),
        "{}",
        d.render_text()
    );
}

#[test]
fn apns_certificate_needs_renewal() {
    let mut b = byod("AccountNotOnboarded", Location::Safari).with_company_portal_log(
        "2026-11-26T10:39:52.000Z ERROR [Enrollment] Enrollment failed: AccountNotOnboarded\n",
    );
    let cert = tenant(&mut b)
        .apple_push_notification_certificate
        .as_mut()
        .unwrap();
    cert.expiration_date_time = Some("2026-11-16T10:00:00Z".into());
    cert.certificate_upload_status = Some("expired".into());
    let d = check(
        &b,
        Section::AccountNotOnboarded,
        Cause::ApnsCertificateNeedsRenewal,
    );
    assert!(has_evidence(
        &d,
        "tenant.json",
        "within the 30-day grace period"
    ));
}

#[test]
fn apns_rejected_by_apple_without_a_message() {
    let b = byod("", Location::Safari).with_enrollment_events(vec![event(
        FailureCategory::AccountValidation,
        "Push to APNs failed: TLS handshake failure (certificate rejected by api.push.apple.com); AccountNotOnboarded",
    )]);
    check(
        &b,
        Section::AccountNotOnboarded,
        Cause::ApnsCertificateNeedsRenewal,
    );
}

#[test]
fn company_portal_outdated() {
    let mut b = byod(
        "Company Portal Temporarily Unavailable. The Company Portal app encountered a problem. If the problem persists, contact your system administrator.",
        Location::CompanyPortal,
    )
    .with_company_portal_log(
        "2026-11-26T10:39:40.000Z INFO  [App] Company Portal 5.2101.0 started\n\
         2026-11-26T10:39:41.000Z ERROR [Service] Client version 5.2101.0 is not supported; minimum supported version is 5.2404.0\n",
    );
    b.manifest.device.as_mut().unwrap().company_portal_version = Some("5.2101.0".into());
    let d = check(
        &b,
        Section::CompanyPortalUnavailable,
        Cause::CompanyPortalOutdated,
    );
    assert!(
        has_evidence(&d, "bundle.json", "below the minimum 5.2404.0"),
        "{}",
        d.render_text()
    );
}

#[test]
fn company_portal_outdated_in_the_services_words() {
    let mut b = byod("Company Portal Temporarily Unavailable", Location::CompanyPortal)
        .with_company_portal_log(
            "2026-11-26T10:39:41.000Z ERROR [Enrollment] Service refused the request: HTTP 400 errorCode=UnsupportedClientVersion correlationId=c1 message=Company Portal 5.2101.0 is older than the oldest supported version 5.2404.0.\n",
        )
        .with_enrollment_events(vec![event(
            FailureCategory::BadRequest,
            "Company Portal 5.2101.0 is older than the oldest supported version 5.2404.0.",
        )]);
    b.manifest.device.as_mut().unwrap().company_portal_version = Some("5.2101.0".into());
    let d = check(
        &b,
        Section::CompanyPortalUnavailable,
        Cause::CompanyPortalOutdated,
    );
    assert!(
        has_evidence(&d, "bundle.json", "below the minimum 5.2404.0"),
        "{}",
        d.render_text()
    );
}

#[test]
fn ios_unspecified_error_in_the_keychain_domain() {
    let b = byod("", Location::Settings).with_device_log(
        "Nov 26 10:40:01 iPhone profiled[171] <Error>: MCKeychainErrorDomain Code: 9002: The configuration store could not be written (errSecInteractionNotAllowed)\n\
         Nov 26 10:40:01 iPhone profiled[171] <Error>: Profile installation failed. Error: NSError: Desc: A network error has occurred. Underlying error: Domain: MCKeychainErrorDomain Code: 9002 Domain: MCInstallationErrorDomain Code: 4001\n",
    );
    check(&b, Section::NetworkError, Cause::IosUnspecifiedError);
}

#[test]
fn ios_unspecified_error_wrapping_a_keychain_osstatus() {
    // The one line profiled writes when a corrupted keychain refuses a certificate payload.
    let b = byod("", Location::Settings).with_device_log(
        "Nov 26 10:40:01 iPad profiled[171] <Error>: Profile installation failed. Error: NSError: Desc: A network error has occurred. Underlying error: Domain: NSOSStatusErrorDomain Code: -25295 Domain: MCInstallationErrorDomain Code: 4001\n",
    );
    check(&b, Section::NetworkError, Cause::IosUnspecifiedError);
}

#[test]
fn workplace_join_failed_for_a_registration_key_the_keychain_cannot_give() {
    let b = byod("Workplace Join failed", Location::CompanyPortal).with_company_portal_log(
        "2026-11-26T10:39:49.000Z WARN  [WorkplaceJoin] Workplace join key read failed: OSStatus -26275 (errSecDecode)\n\
         2026-11-26T10:39:50.000Z ERROR [WorkplaceJoin] Workplace join failed: HTTP 400 error_missing_transport_key (The registration request has no valid transport key.)\n",
    );
    let d = check(
        &b,
        Section::WorkplaceJoinFailed,
        Cause::CompanyPortalOutdated,
    );
    assert!(
        has_evidence(&d, "company-portal.log", "errSecDecode"),
        "{}",
        d.render_text()
    );
}

#[test]
fn workplace_join_failed() {
    let b = byod("Workplace Join failed", Location::CompanyPortal).with_company_portal_log(
        "2026-11-26T10:39:50.000Z ERROR [WorkplaceJoin] Device registration failed: the registration component of the app is damaged\n",
    );
    let d = check(
        &b,
        Section::WorkplaceJoinFailed,
        Cause::CompanyPortalOutdated,
    );
    assert_eq!(d.resolution.len(), 3);
}

#[test]
fn device_cap_reached() {
    let mut b = byod("Device Cap Reached", Location::CompanyPortal).with_company_portal_log(
        "2026-11-26T10:39:52.000Z ERROR [Enrollment] Enrollment failed: DeviceCapReached\n",
    );
    let t = tenant(&mut b);
    for i in 0..13 {
        t.managed_devices
            .push(managed(&format!("C39XK0FLEET{i:02}"), UPN));
    }
    // The website lists the 14 managed devices and one the admin center does not show.
    let b = b.with_company_portal_devices(website_devices(15));
    let d = check(&b, Section::DeviceCapReached, Cause::DeviceLimitReached);
    assert!(
        has_evidence(&d, "tenant.json", "15 enrolled device(s)"),
        "{}",
        d.render_text()
    );
    assert!(d.confidence.value() >= 0.9);
}

#[test]
fn device_limit_behind_company_portal_unavailable() {
    // The article's note: "Company Portal Temporarily Unavailable" can be the device limit.
    let mut b = byod(
        "Company Portal Temporarily Unavailable",
        Location::CompanyPortal,
    )
    .with_company_portal_log("2026-11-26T10:39:52.000Z ERROR [Enrollment] DeviceCapReached\n");
    let t = tenant(&mut b);
    t.device_enrollment_configurations
        .push(device_limit(2, &["group-sales"], 2));
    t.managed_devices.push(managed("C39XK0FLEET01", UPN));
    let d = check(
        &b,
        Section::CompanyPortalUnavailable,
        Cause::DeviceLimitReached,
    );
    assert!(d
        .resolution
        .iter()
        .all(|s| s.anchor == Section::DeviceCapReached));
}

#[test]
fn device_limit_from_the_count_alone() {
    let mut b = byod(
        "Company Portal Temporarily Unavailable",
        Location::CompanyPortal,
    );
    let t = tenant(&mut b);
    t.device_enrollment_configurations[1] = device_limit(0, &["all-users"], 3);
    t.managed_devices.push(managed("C39XK0FLEET01", UPN));
    // The website lists the two managed devices and one the admin center does not show.
    let b = b.with_company_portal_devices(website_devices(3));
    check(
        &b,
        Section::CompanyPortalUnavailable,
        Cause::DeviceLimitReached,
    );
}

#[test]
fn management_profile_present() {
    let b = byod("Profile Installation Failed. The new MDM payload does not match the old payload.", Location::Settings)
        .with_device_log(
            "Nov 26 10:40:01 iPhone profiled[171] <Error>: Profile installation failed: the new MDM payload does not match the old payload. Topic com.apple.mgmt.External.0f0f differs from the installed com.apple.mgmt.External.6f1c\n",
        );
    check(
        &b,
        Section::MdmPayloadMismatch,
        Cause::ManagementProfilePresent,
    );
}

#[test]
fn management_profile_present_without_a_message() {
    let b = byod("", Location::Settings).with_device_log(
        "Nov 26 10:40:01 iPhone profiled[171] <Error>: Installation refused: the installed MDM payload's ServerURL differs from the new one\n",
    );
    check(
        &b,
        Section::MdmPayloadMismatch,
        Cause::ManagementProfilePresent,
    );
}

const XPC_LOG: &str = "Nov 26 10:30:02 iPhone mobileassetd[83] <Notice>: 0x1a49aebc0 Client connection: XPC_TYPE_ERROR Connection invalid <error: 0x1a49aebc0> { count = 1, transaction: 0, voucher = 0x0, contents = \"XPCErrorDescription\" => <string: 0x1a49aee18> { length = 18, contents = \"Connection invalid\" } }\n\
Nov 26 10:30:02 iPhone mobileassetd[83] <Notice>: Client connection invalid (Connection invalid); terminating connection\n\
Nov 26 10:30:05 iPhone cloudconfigurationd[301] <Error>: Could not retrieve the cloud configuration from https://iprofiles.apple.com/resource: NSURLErrorDomain -1004 (Could not connect to the server)\n";

#[test]
fn ade_service_unreachable() {
    let b = ade("", Location::SetupAssistant).with_device_log(XPC_LOG);
    let d = check(
        &b,
        Section::XpcConnectionInvalid,
        Cause::AdeServiceUnreachable,
    );
    assert!(has_evidence(&d, "device.log", "iprofiles.apple.com"));
}

#[test]
fn ade_service_unreachable_with_the_article_excerpt_as_message() {
    let b = ade(
        "XPC_TYPE_ERROR Connection invalid",
        Location::SetupAssistant,
    )
    .with_device_log(XPC_LOG);
    let d = check(
        &b,
        Section::XpcConnectionInvalid,
        Cause::AdeServiceUnreachable,
    );
    assert!(d.confidence.value() >= 0.9);
}

#[test]
fn ade_profile_predates_token() {
    let mut b = ade("", Location::SetupAssistant).with_device_log(
        "Nov 26 10:30:05 iPhone cloudconfigurationd[301] <Notice>: Fetched cloud configuration: no cloud configuration was found for this device\n\
         Nov 26 10:30:06 iPhone Setup[120] <Notice>: Skipping Remote Management\n",
    );
    let profile = &mut tenant(&mut b).dep_onboarding_settings[0].enrollment_profiles[0];
    profile.created_date_time = Some("2025-12-01T08:00:00Z".into());
    profile.last_modified_date_time = Some("2025-12-01T08:00:00Z".into());
    profile.is_synced_to_apple = Some(false);
    let d = check(
        &b,
        Section::AdeEnrollmentDoesntStart,
        Cause::AdeProfilePredatesToken,
    );
    assert!(
        has_evidence(
            &d,
            "tenant.json",
            "40 days before the ADE token was uploaded"
        ),
        "{}",
        d.render_text()
    );
}

#[test]
fn mfa_during_ade() {
    let mut b = ade("", Location::SetupAssistant).with_sign_ins(vec![sign_in(
        50076,
        "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication.",
    )]);
    user(&mut b).strong_authentication_required = true;
    tenant(&mut b).dep_onboarding_settings[0].enrollment_profiles[0].authentication_method =
        Some("setupAssistantLegacy".into());
    let d = check(&b, Section::AdeStuckAtUserLogin, Cause::MfaDuringAde);
    assert!(has_evidence(&d, "sign-ins.json", "AADSTS50076"));
}

#[test]
fn government_cloud_not_selected() {
    let mut b = byod("", Location::SignIn).with_company_portal_log(
        "2026-11-26T10:39:40.000Z INFO  [Auth] Cloud setting: Automatic\n\
         2026-11-26T10:39:41.000Z INFO  [Auth] Authority https://login.microsoftonline.com/common\n\
         2026-11-26T10:39:44.000Z ERROR [Auth] AADSTS90038: Tenant 'x' belongs to the National Cloud 'USGovernment'. Current cloud instance 'AzureCloud' does not federate with 'USGovernment'.\n",
    );
    user(&mut b).home_cloud = Some("government".into());
    let d = check(
        &b,
        Section::GovernmentCloudRedirect,
        Cause::GovernmentCloudNotSelected,
    );
    assert!(has_evidence(&d, "company-portal.log", "AADSTS90038"));
}

#[test]
fn a_healthy_bundle_names_nothing() {
    let d = diagnose(&byod("", Location::CompanyPortal));
    assert_eq!((d.section, d.cause), (None, None), "{}", d.render_text());
    assert!(!d.collect.is_empty());
}

/// The user's device list as the Company Portal website shows it, `n` devices long.
fn website_devices(n: usize) -> Vec<PortalDevice> {
    (0..n)
        .map(|i| PortalDevice {
            device_name: format!("iPhone {i}"),
            model: Some("iPhone".into()),
            last_contacted: Some("2026-10-01T08:00:00Z".into()),
        })
        .collect()
}

/// A federated domain as realm discovery and `Get-AdfsEndpoint` show it.
fn federated(ws_trust_13_enabled: bool) -> FederatedDomainView {
    let endpoint = |path: &str, enabled: bool| FederationEndpointView {
        address_path: path.into(),
        protocol: Some("WS-Trust".into()),
        enabled,
        proxy: enabled,
    };
    FederatedDomainView {
        domain: "contoso.example".into(),
        name_space_type: Some("Federated".into()),
        federation_metadata_url: Some(
            "https://adfs.contoso.example/adfs/services/trust/mex".into(),
        ),
        federation_active_auth_url: Some(
            "https://adfs.contoso.example/adfs/services/trust/13/usernamemixed".into(),
        ),
        endpoints: Some(vec![
            endpoint("/adfs/services/trust/2005/usernamemixed", true),
            endpoint("/adfs/services/trust/13/usernamemixed", ws_trust_13_enabled),
        ]),
    }
}

/// Legacy Setup Assistant sign-in of a federated user, refused with AADSTS50126.
fn federated_sign_in_refused(ws_trust_13_enabled: bool) -> EvidenceBundle {
    let mut b = ade("", Location::SetupAssistant).with_sign_ins(vec![sign_in(
        50126,
        "Error validating credentials due to invalid username or password.",
    )]);
    tenant(&mut b).dep_onboarding_settings[0].enrollment_profiles[0].authentication_method =
        Some("setupAssistantLegacy".into());
    tenant(&mut b).federated_domains = vec![federated(ws_trust_13_enabled)];
    b
}

#[test]
fn ws_trust_13_endpoint_disabled() {
    let b = federated_sign_in_refused(false);
    let d = check(
        &b,
        Section::VerifyWsTrust13Enabled,
        Cause::WsTrust13EndpointDisabled,
    );
    assert!(has_evidence(&d, "sign-ins.json", "AADSTS50126"));
    assert!(has_evidence(&d, "tenant.json", "is disabled"));
}

#[test]
fn a_federated_users_refused_password_with_ws_trust_enabled_is_not_the_endpoint() {
    let d = diagnose(&federated_sign_in_refused(true));
    assert_ne!(
        d.cause,
        Some(Cause::WsTrust13EndpointDisabled),
        "{}",
        d.render_text()
    );
    assert_ne!(
        d.section,
        Some(Section::VerifyWsTrust13Enabled),
        "{}",
        d.render_text()
    );
}

/// Without `Get-AdfsEndpoint`, a federated user's 50126 could be a mistyped password: the
/// endpoint is only a tentative answer, below the confidence that names a cause with
/// certainty, and the diagnosis asks for the list.
#[test]
fn without_the_endpoint_list_a_federated_users_refusal_asks_for_it() {
    let mut b = federated_sign_in_refused(false);
    tenant(&mut b).federated_domains[0].endpoints = None;
    let d = diagnose(&b);
    assert!(d.confidence.value() < 0.5, "{}", d.render_text());
    let wanted = serde_json::to_string(&d).unwrap();
    assert!(wanted.contains("Get-AdfsEndpoint"), "{}", d.render_text());
}

#[test]
fn ade_token_upload_failed() {
    let mut b = ade("", Location::NotShown);
    let token = &mut tenant(&mut b).dep_onboarding_settings[0];
    token.last_upload_error = Some(DepUploadError {
        date_time: "2026-11-26T10:30:00Z".into(),
        message: "An error occurred while uploading the Enrollment Program token. Request ID: AjaxError: ajaxExtended call failed".into(),
    });
    let d = check(
        &b,
        Section::AdeTokenUploadError,
        Cause::AdeTokenUploadFailed,
    );
    assert!(has_evidence(&d, "tenant.json", "AjaxError"));
}
