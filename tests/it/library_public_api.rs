//! The acceptance test of the public API: catalog failures built in code with nothing but
//! `enrollsim::` paths — reproduced, diagnosed blind, fixed and re-enrolled.

use enrollsim::scenario::{
    AdeAuthMethod, AdeProfileSpec, AdeSpec, EnrollVia, KeychainState, OutcomeKind, RegistrationKey,
};
use enrollsim::{
    diagnose, run_scenario, snapshot, Action, Cause, DeviceSetup, Expectation, HistoryStep,
    Outcome, ResolutionStep, Scenario, Screen, Section, TenantSpec, UserMessage, UserSpec, World,
    WorldSpec,
};

const ALEX: &str = "alex@contoso.example";

/// Reproduces the failure `spec` sets up, checks what the user saw, the blind diagnosis, then
/// applies `fix` and checks the device enrolls.
async fn reproduce_diagnose_fix(
    spec: &WorldSpec,
    action: &Action,
    seen: (Screen, UserMessage),
    diagnosed: (Section, Cause),
    fix: &[ResolutionStep],
) {
    let world = World::start(spec).await.expect("world starts");
    let outcome = world.enroll(action).await;
    match &outcome {
        Outcome::Failed {
            screen, message, ..
        } => assert_eq!((*screen, message.clone()), seen, "{outcome:?}"),
        other => panic!(
            "expected a failure, got {other:?}\n{}",
            world.take_timeline().render()
        ),
    }
    let timeline = world.take_timeline();
    assert!(
        timeline.lines.iter().any(|l| l.kind == "user"),
        "the timeline shows what the user saw:\n{}",
        timeline.render()
    );

    let evidence = world.evidence(action, &outcome).await;
    let diagnosis = diagnose(&evidence);
    assert_eq!(
        (diagnosis.section, diagnosis.cause),
        (Some(diagnosed.0), Some(diagnosed.1)),
        "{}",
        diagnosis.render_text()
    );
    assert!(!diagnosis.resolution.is_empty());
    assert_eq!(world.diagnose(action, &outcome).await, diagnosis);
    let report = snapshot::diagnosis(&diagnosis);
    assert!(report.contains(diagnosed.0.id()) && report.contains(diagnosed.1.id()));

    world.apply_all(fix).await.expect("the fix applies");
    let again = world.enroll(action).await;
    assert_eq!(
        again,
        Outcome::Enrolled {
            upn: action.user.clone()
        },
        "{}",
        world.take_timeline().render()
    );
    world.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_cap_reached() {
    let spec = WorldSpec::builder()
        .tenant(TenantSpec::new("Contoso").device_limit(15))
        .user(UserSpec::new(ALEX).enrolled_devices(15))
        .build();
    reproduce_diagnose_fix(
        &spec,
        &Action::company_portal(ALEX),
        (Screen::CompanyPortal, UserMessage::DeviceCapReached),
        (Section::DeviceCapReached, Cause::DeviceLimitReached),
        &[ResolutionStep::DeleteStaleDevices {
            user: ALEX.into(),
            count: Some(2),
        }],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_license_type_invalid() {
    let spec = WorldSpec::builder()
        .user(UserSpec::new(ALEX).licensed_without_intune("EXCHANGESTANDARD"))
        .build();
    reproduce_diagnose_fix(
        &spec,
        &Action::company_portal(ALEX),
        (Screen::CompanyPortal, UserMessage::UserLicenseTypeInvalid),
        (Section::UserLicenseTypeInvalid, Cause::UserNotLicensed),
        &[ResolutionStep::AssignLicense {
            user: ALEX.into(),
            sku: "EMS".into(),
        }],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_devices_blocked() {
    let spec = WorldSpec::builder()
        .tenant(TenantSpec::new("Contoso").block_personally_owned_devices())
        .user(UserSpec::new(ALEX))
        .build();
    reproduce_diagnose_fix(
        &spec,
        &Action::company_portal(ALEX),
        (Screen::Settings, UserMessage::ProfileServerUnreachable),
        (
            Section::ConnectionNotEstablished,
            Cause::PersonalDevicesBlocked,
        ),
        &[ResolutionStep::AllowPersonallyOwnedDevices { user: ALEX.into() }],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolled_in_other_mdm() {
    let spec = WorldSpec::builder()
        .user(UserSpec::new(ALEX))
        .device(DeviceSetup::iphone().foreign_mdm_profile("https://mdm.fabrikam.example/mdm"))
        .build();
    reproduce_diagnose_fix(
        &spec,
        &Action::company_portal(ALEX),
        (Screen::Settings, UserMessage::ProfileServerUnreachable),
        (Section::ConnectionNotEstablished, Cause::EnrolledInOtherMdm),
        &[ResolutionStep::RemoveManagementProfile],
    )
    .await;
}

/// A scenario built in code, in the shape every row of the guide's table takes.
fn scenario(
    id: &str,
    world: WorldSpec,
    action: Action,
    expected: (Section, Cause),
    resolution: Vec<ResolutionStep>,
) -> Scenario {
    Scenario {
        id: id.into(),
        title: id.into(),
        section: Some(expected.0),
        cause: Some(expected.1),
        world,
        action,
        expect: Expectation {
            outcome: OutcomeKind::Failed,
            screen: None,
            message: None,
            text_contains: None,
            enrolled_as: None,
            then: Vec::new(),
        },
        resolution,
        reenroll: None,
        attempts: Vec::new(),
    }
}

/// Every row of the guide's table of faults (`enrollsim::guide`) holds: the setting reproduces
/// the failure, the diagnosis names the row's section and cause, the row's fix works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_row_of_the_guides_table_holds() {
    let one = |user: UserSpec| WorldSpec::builder().user(user).build();
    let cp = || Action::company_portal(ALEX);
    let web = || Action::safari(ALEX);
    let rows = vec![
        scenario(
            "device-cap",
            one(UserSpec::new(ALEX).enrolled_devices(15)),
            cp(),
            (Section::DeviceCapReached, Cause::DeviceLimitReached),
            vec![ResolutionStep::DeleteStaleDevices {
                user: ALEX.into(),
                count: None,
            }],
        ),
        scenario(
            "device-cap-lower-limit",
            WorldSpec::builder()
                .tenant(TenantSpec::new("Contoso").device_limit(3))
                .user(UserSpec::new(ALEX).enrolled_devices(3))
                .build(),
            cp(),
            (Section::DeviceCapReached, Cause::DeviceLimitReached),
            vec![ResolutionStep::SetDeviceLimit {
                user: ALEX.into(),
                limit: 10,
            }],
        ),
        scenario(
            "device-cap-group-limit",
            WorldSpec::builder()
                .tenant(TenantSpec::new("Contoso").limit_restriction("Sales", 1, &["sales"], 5))
                .user(UserSpec::new(ALEX).group("sales").enrolled_devices(5))
                .build(),
            cp(),
            (Section::DeviceCapReached, Cause::DeviceLimitReached),
            vec![ResolutionStep::SetDeviceLimit {
                user: ALEX.into(),
                limit: 10,
            }],
        ),
        scenario(
            "portal-only-devices",
            one(UserSpec::new(ALEX)
                .enrolled_devices(11)
                .portal_only_devices(4)),
            cp(),
            (Section::CompanyPortalUnavailable, Cause::DeviceLimitReached),
            vec![ResolutionStep::DeleteStaleDevices {
                user: ALEX.into(),
                count: Some(3),
            }],
        ),
        scenario(
            "old-company-portal",
            WorldSpec::builder()
                .user(UserSpec::new(ALEX))
                .device(DeviceSetup::iphone().company_portal_version("4.19.0"))
                .build(),
            cp(),
            (
                Section::CompanyPortalUnavailable,
                Cause::CompanyPortalOutdated,
            ),
            vec![ResolutionStep::ReinstallCompanyPortal],
        ),
        scenario(
            "registration-key-missing",
            WorldSpec::builder()
                .user(UserSpec::new(ALEX))
                .device(
                    DeviceSetup::iphone().company_portal_registration_key(RegistrationKey::Missing),
                )
                .build(),
            cp(),
            (Section::WorkplaceJoinFailed, Cause::CompanyPortalOutdated),
            vec![ResolutionStep::ReinstallCompanyPortal],
        ),
        scenario(
            "licence-without-intune",
            one(UserSpec::new(ALEX).licensed_without_intune("EXCHANGESTANDARD")),
            cp(),
            (Section::UserLicenseTypeInvalid, Cause::UserNotLicensed),
            vec![ResolutionStep::AssignLicense {
                user: ALEX.into(),
                sku: "EMS".into(),
            }],
        ),
        scenario(
            "no-licence",
            one(UserSpec::new(ALEX).unlicensed()),
            cp(),
            (Section::UserNameNotRecognized, Cause::UserNotLicensed),
            vec![ResolutionStep::AssignLicense {
                user: ALEX.into(),
                sku: "EMS".into(),
            }],
        ),
        scenario(
            "no-licence-web",
            one(UserSpec::new(ALEX).unlicensed()),
            web(),
            (Section::ConnectionNotEstablished, Cause::UserNotLicensed),
            vec![ResolutionStep::AssignLicense {
                user: ALEX.into(),
                sku: "EMS".into(),
            }],
        ),
        scenario(
            "personal-blocked",
            WorldSpec::builder()
                .tenant(TenantSpec::new("Contoso").block_personally_owned_devices())
                .user(UserSpec::new(ALEX))
                .build(),
            cp(),
            (
                Section::ConnectionNotEstablished,
                Cause::PersonalDevicesBlocked,
            ),
            vec![ResolutionStep::AllowPersonallyOwnedDevices { user: ALEX.into() }],
        ),
        scenario(
            "other-mdm",
            WorldSpec::builder()
                .user(UserSpec::new(ALEX))
                .device(
                    DeviceSetup::iphone().foreign_mdm_profile("https://mdm.fabrikam.example/mdm"),
                )
                .build(),
            cp(),
            (Section::ConnectionNotEstablished, Cause::EnrolledInOtherMdm),
            vec![ResolutionStep::RemoveManagementProfile],
        ),
        scenario(
            "previous-user",
            WorldSpec::builder()
                .user(UserSpec::new("sam@contoso.example"))
                .user(UserSpec::new(ALEX))
                .history(HistoryStep::Enroll {
                    via: EnrollVia::Safari,
                    user: "sam@contoso.example".into(),
                    device: None,
                })
                .build(),
            cp(),
            (
                Section::ConnectionNotEstablished,
                Cause::PreviousUserNotRemoved,
            ),
            vec![
                ResolutionStep::RemoveManagementProfile,
                ResolutionStep::ClearSafariCookies,
            ],
        ),
        scenario(
            "no-push-certificate",
            WorldSpec::builder()
                .tenant(TenantSpec::new("Contoso").without_apns_certificate())
                .user(UserSpec::new(ALEX))
                .build(),
            cp(),
            (Section::ServiceNotSupported, Cause::ApnsCertificateMissing),
            vec![ResolutionStep::UploadApnsCertificate],
        ),
        scenario(
            "push-certificate-expired-long-ago",
            WorldSpec::builder()
                .tenant(TenantSpec::new("Contoso").apns_expired_days_ago(45))
                .user(UserSpec::new(ALEX))
                .build(),
            web(),
            (Section::NoEnrollmentPolicy, Cause::ApnsCertificateInvalid),
            vec![ResolutionStep::RenewApnsCertificate],
        ),
        scenario(
            "push-certificate-expired-recently",
            WorldSpec::builder()
                .tenant(TenantSpec::new("Contoso").apns_expired_days_ago(10))
                .user(UserSpec::new(ALEX))
                .build(),
            cp(),
            (
                Section::AccountNotOnboarded,
                Cause::ApnsCertificateNeedsRenewal,
            ),
            vec![ResolutionStep::RenewApnsCertificate],
        ),
        scenario(
            "topic-changed",
            WorldSpec::builder()
                .user(UserSpec::new(ALEX))
                .history(HistoryStep::Enroll {
                    via: EnrollVia::CompanyPortal,
                    user: ALEX.into(),
                    device: None,
                })
                .history(HistoryStep::ReplaceApnsCertificate)
                .build(),
            cp(),
            (Section::MdmPayloadMismatch, Cause::ManagementProfilePresent),
            vec![ResolutionStep::RemoveManagementProfile],
        ),
        scenario(
            "keychain-corrupted",
            WorldSpec::builder()
                .user(UserSpec::new(ALEX))
                .device(DeviceSetup::iphone().keychain(KeychainState::Corrupted))
                .build(),
            cp(),
            (Section::NetworkError, Cause::IosUnspecifiedError),
            vec![ResolutionStep::RestoreAsNew],
        ),
        scenario(
            "government-cloud",
            WorldSpec::builder()
                .user(UserSpec::new(ALEX).government_cloud())
                .build(),
            cp(),
            (
                Section::GovernmentCloudRedirect,
                Cause::GovernmentCloudNotSelected,
            ),
            vec![ResolutionStep::SetCompanyPortalCloud {
                cloud: enrollsim::scenario::CloudSetting::Government,
            }],
        ),
    ];
    let mut rows = rows;
    rows.extend(ade_rows());
    // After the fix, Alex enrolls again from the Company Portal website, as the article says.
    if let Some(previous_user) = rows.iter_mut().find(|s| s.id == "previous-user") {
        previous_user.reenroll = Some(web());
    }
    let mut failures = Vec::new();
    for s in &rows {
        let r = run_scenario(s).await.expect("world starts");
        if !r.holds() {
            failures.push(snapshot::report(&r));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A scenario from a string runs through the same path as one from the catalog.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenarios_load_from_strings_and_files() {
    let text = enrollsim::catalog::find("device-cap-reached")
        .expect("catalog loads")
        .expect("device-cap-reached is built in")
        .to_toml();
    let parsed = Scenario::from_toml_str(&text, "<string>").expect("round-trips");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("device-cap-reached.toml");
    std::fs::write(&file, &text).expect("write");
    let loaded = Scenario::load(&file).expect("loads");
    assert_eq!(parsed, loaded);
    let r = run_scenario(&loaded).await.expect("runs");
    assert!(r.holds(), "{}", snapshot::report(&r));

    let err = Scenario::from_toml_str("id = 3\n", "bad.toml").unwrap_err();
    assert!(err.to_string().starts_with("bad.toml:1:"), "{err}");
}

/// The guide's Automated Device Enrollment rows.
fn ade_rows() -> Vec<Scenario> {
    let ade = |profile: AdeProfileSpec| AdeSpec {
        token_uploaded_days_ago: enrollsim::Span::days(20),
        profiles: vec![profile],
        ..AdeSpec::default()
    };
    let with_ade = |tenant_ade: AdeSpec, user: UserSpec, device: DeviceSetup| {
        let mut tenant = TenantSpec::new("Contoso");
        tenant.ade = Some(tenant_ade);
        WorldSpec::builder()
            .tenant(tenant)
            .user(user)
            .device(device)
            .build()
    };
    let mut rows = vec![
        scenario(
            "ade-profile-older-than-token",
            with_ade(
                ade(AdeProfileSpec {
                    created_days_ago: enrollsim::Span::days(45),
                    ..AdeProfileSpec::default()
                }),
                UserSpec::new(ALEX),
                DeviceSetup::iphone(),
            ),
            Action::ade(ALEX),
            (
                Section::AdeEnrollmentDoesntStart,
                Cause::AdeProfilePredatesToken,
            ),
            vec![
                ResolutionStep::EditEnrollmentProfile {
                    profile: AdeProfileSpec::default().name,
                },
                ResolutionStep::SyncAdeToken,
            ],
        ),
        scenario(
            "ade-apple-unreachable",
            with_ade(
                AdeSpec::default(),
                UserSpec::new(ALEX),
                DeviceSetup::iphone().block_host("iprofiles.apple.com"),
            ),
            Action::ade(ALEX),
            (Section::XpcConnectionInvalid, Cause::AdeServiceUnreachable),
            vec![ResolutionStep::UseOtherNetwork],
        ),
        scenario(
            "ade-mfa-legacy-sign-in",
            with_ade(
                ade(AdeProfileSpec {
                    authentication: AdeAuthMethod::SetupAssistantLegacy,
                    ..AdeProfileSpec::default()
                }),
                UserSpec::new(ALEX).mfa_required(),
                DeviceSetup::iphone(),
            ),
            Action::ade(ALEX),
            (Section::AdeStuckAtUserLogin, Cause::MfaDuringAde),
            vec![ResolutionStep::DisableMfa { user: ALEX.into() }],
        ),
    ];
    rows[0].expect.outcome = OutcomeKind::NotManaged;
    rows[2].expect.outcome = OutcomeKind::Stuck;
    rows
}

/// A running world with Alex, whose push certificate expires five virtual days from the start.
async fn world_whose_push_certificate_expires_in_five_days() -> World {
    let mut tenant = TenantSpec::new("Contoso");
    tenant.apns.expires_in_days = enrollsim::Span::days(5);
    let spec = WorldSpec::builder()
        .tenant(tenant)
        .user(UserSpec::new(ALEX))
        .build();
    World::start(&spec).await.expect("world starts")
}

/// Time passes in a running world: a push certificate that was fine expires, and the
/// enrollment fails the way the article's AccountNotOnboarded entry describes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_certificate_expires_as_the_virtual_clock_advances() {
    let world = world_whose_push_certificate_expires_in_five_days().await;
    world.advance_days(12);
    reproduce_in(
        &world,
        &Action::company_portal(ALEX),
        (
            Section::AccountNotOnboarded,
            Cause::ApnsCertificateNeedsRenewal,
        ),
        &[ResolutionStep::RenewApnsCertificate],
    )
    .await;
}

/// Like [`reproduce_diagnose_fix`], in a world that is already running.
async fn reproduce_in(
    world: &World,
    action: &Action,
    diagnosed: (Section, Cause),
    fix: &[ResolutionStep],
) {
    let outcome = world.enroll(action).await;
    assert!(matches!(outcome, Outcome::Failed { .. }), "{outcome:?}");
    let diagnosis = world.diagnose(action, &outcome).await;
    assert_eq!(
        (diagnosis.section, diagnosis.cause),
        (Some(diagnosed.0), Some(diagnosed.1)),
        "{}",
        diagnosis.render_text()
    );
    world.apply_all(fix).await.expect("the fix applies");
    assert_eq!(
        world.enroll(action).await,
        Outcome::Enrolled {
            upn: action.user.clone()
        }
    );
}

/// A world can be shared between tasks, and its enrollments spawned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worlds_are_shareable_between_tasks() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<World>();
    let world = std::sync::Arc::new(
        World::start(&WorldSpec::builder().user(UserSpec::new(ALEX)).build())
            .await
            .expect("world starts"),
    );
    let w = world.clone();
    let outcome = tokio::spawn(async move { w.enroll(&Action::company_portal(ALEX)).await })
        .await
        .expect("task");
    assert_eq!(outcome, Outcome::Enrolled { upn: ALEX.into() });
}

/// A device enrolled while the push certificate was good; months later the certificate has
/// expired and Intune's next push is refused, even though Intune pushed over HTTP/2 before
/// and would otherwise have kept that connection: APNs judges the certificate at each
/// handshake, and a connection idle for months of virtual time is not the one a provider uses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_after_the_certificate_expired_is_refused_though_a_connection_was_open() {
    let world = world_whose_push_certificate_expires_in_five_days().await;
    let outcome = world.enroll(&Action::company_portal(ALEX)).await;
    assert!(matches!(outcome, Outcome::Enrolled { .. }), "{outcome:?}");
    let device = world.device();
    world
        .refresh_inventory(&device)
        .await
        .expect("the certificate is valid: the push goes through");
    world.advance_days(12);
    let refused = world.refresh_inventory(&device).await;
    assert!(
        matches!(refused, Err(enrollsim::InventoryError::Push { .. })),
        "{refused:?}"
    );
}
