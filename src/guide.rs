//! # Guide: enrollsim in a `cargo test` suite
//!
//! This module holds no code, only documentation. Its chapters:
//!
//! 1. [Worlds and their faults](#1-worlds-and-their-faults)
//! 2. [Enrolling](#2-enrolling)
//! 3. [What happened and why](#3-what-happened-and-why)
//! 4. [Fixing and enrolling again](#4-fixing-and-enrolling-again)
//! 5. [Scenarios](#5-scenarios)
//! 6. [Snapshot tests](#6-snapshot-tests)
//! 7. [A world for your own client](#7-a-world-for-your-own-client)
//! 8. [Several users and devices in one world](#8-several-users-and-devices-in-one-world)
//! 9. [Runtime, cost and cleanup](#9-runtime-cost-and-cleanup)
//!
//! Add enrollsim and Tokio to the test crate:
//!
//! ```toml
//! [dev-dependencies]
//! enrollsim = "0.1"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! insta = "1"   # for snapshot tests
//! ```
//!
//! ## 1. Worlds and their faults
//!
//! A [`WorldSpec`](crate::WorldSpec) is the state of everything before the user acts: the
//! tenant, its users and their licences, the push certificate, the device and what is installed
//! on it, and what happened before (history). [`WorldSpec::builder`](crate::WorldSpec::builder) starts
//! from a healthy world — tenant "Contoso" with Intune as MDM authority, a push certificate
//! valid for another 335 days, a device limit of 15, an English iPhone on iOS 17.5 with the
//! current Company Portal — and every fault is a typed setting:
//!
//! ```
//! use enrollsim::{DeviceSetup, TenantSpec, UserSpec, World, WorldSpec};
//!
//! let spec = WorldSpec::builder()
//!     .seed(7) // every identifier the world makes up derives from it
//!     .tenant(TenantSpec::new("Contoso").device_limit(5).apns_expired_days_ago(10))
//!     .user(UserSpec::new("alex@contoso.example").enrolled_devices(2))
//!     .user(UserSpec::new("sam@contoso.example").licensed_without_intune("EXCHANGESTANDARD"))
//!     .device(DeviceSetup::iphone().locale("it-IT").company_portal_version("4.19.0"))
//!     .build();
//! assert_eq!(spec.tenant.default_device_limit, 5);
//! assert_eq!(spec.tenant.apns.expires_in_days, enrollsim::Span::days(-10));
//! ```
//!
//! Nothing names a failure: each party follows the protocol against this state and the failure
//! emerges. The settings that reproduce the article's failures:
//!
//! | the user sees (article section) | cause | world | user acts | documented fix |
//! |---|---|---|---|---|
//! | Device Cap Reached | `device-limit-reached` | [`UserSpec::enrolled_devices`](crate::UserSpec::enrolled_devices)`(15)`, or fewer with [`TenantSpec::device_limit`](crate::TenantSpec::device_limit) / [`TenantSpec::limit_restriction`](crate::TenantSpec::limit_restriction) | Company Portal | `DeleteStaleDevices` or `SetDeviceLimit` |
//! | Company Portal Temporarily Unavailable | `device-limit-reached` | `.enrolled_devices(11)` + [`UserSpec::portal_only_devices`](crate::UserSpec::portal_only_devices)`(4)` | Company Portal | `DeleteStaleDevices` |
//! | Company Portal Temporarily Unavailable | `company-portal-outdated` | [`DeviceSetup::company_portal_version`](crate::DeviceSetup::company_portal_version)`("4.19.0")` | Company Portal | `ReinstallCompanyPortal` |
//! | Workplace Join failed | `company-portal-outdated` | [`DeviceSetup::company_portal_registration_key`](crate::DeviceSetup::company_portal_registration_key) | Company Portal | `ReinstallCompanyPortal` |
//! | User License Type Invalid | `user-not-licensed` | [`UserSpec::licensed_without_intune`](crate::UserSpec::licensed_without_intune) | Company Portal | `AssignLicense` |
//! | User Name Not Recognized | `user-not-licensed` | [`UserSpec::unlicensed`](crate::UserSpec::unlicensed) | Company Portal | `AssignLicense` |
//! | Profile Installation Failed. Connection to the server could not be established. | `user-not-licensed` | `UserSpec::unlicensed` | Safari | `AssignLicense` |
//! | (same) | `personal-devices-blocked` | [`TenantSpec::block_personally_owned_devices`](crate::TenantSpec::block_personally_owned_devices) | Company Portal | `AllowPersonallyOwnedDevices` |
//! | (same) | `enrolled-in-other-mdm` | [`DeviceSetup::foreign_mdm_profile`](crate::DeviceSetup::foreign_mdm_profile) | Company Portal | `RemoveManagementProfile` |
//! | (same) | `previous-user-not-removed` | a second user, and [`HistoryStep::Enroll`](crate::HistoryStep::Enroll) through Safari as that user | Company Portal | `RemoveManagementProfile`, `ClearSafariCookies`, then enroll in Safari |
//! | This Service is not supported. No Enrollment Policy. | `apns-certificate-missing` | [`TenantSpec::without_apns_certificate`](crate::TenantSpec::without_apns_certificate) | Company Portal | `UploadApnsCertificate` |
//! | NoEnrollmentPolicy | `apns-certificate-invalid` | [`TenantSpec::apns_expired_days_ago`](crate::TenantSpec::apns_expired_days_ago)`(45)` (beyond the 30-day grace period) | Safari | `RenewApnsCertificate` |
//! | AccountNotOnboarded | `apns-certificate-needs-renewal` | `.apns_expired_days_ago(10)` | Company Portal | `RenewApnsCertificate` |
//! | Profile Installation Failed. The new MDM payload does not match the old payload. | `management-profile-present` | history: `Enroll`, then `ReplaceApnsCertificate` | Company Portal | `RemoveManagementProfile` |
//! | Profile Installation Failed. A network error has occurred. | `ios-unspecified-error` | [`DeviceSetup::keychain`](crate::DeviceSetup::keychain) | Company Portal | `RestoreAsNew` |
//! | AADSTS90038 at sign-in | `government-cloud-not-selected` | [`UserSpec::government_cloud`](crate::UserSpec::government_cloud) | Company Portal | `SetCompanyPortalCloud` |
//! | ADE enrollment doesn't start (nothing shown) | `ade-profile-predates-token` | `tenant.ade`: token uploaded 20 days ago, profile created 45 days ago | ADE | `EditEnrollmentProfile`, `SyncAdeToken` |
//! | XPC_TYPE_ERROR Connection invalid | `ade-service-unreachable` | `tenant.ade` + [`DeviceSetup::block_host`](crate::DeviceSetup::block_host)`("iprofiles.apple.com")` | ADE | `UseOtherNetwork` |
//! | ADE enrollment stuck at user login | `mfa-during-ade` | `tenant.ade` with a `SetupAssistantLegacy` profile + [`UserSpec::mfa_required`](crate::UserSpec::mfa_required) | ADE | `DisableMfa` |
//!
//! Every row is checked by the crate's tests; the built-in [`catalog`](crate::catalog) holds
//! the same failures as scenario files. Automated Device Enrollment runs with
//! [`Action::ade`](crate::Action::ade) (Setup Assistant) instead of the Company Portal.
//!
//! Settings without a builder method are public fields of the spec types (all in
//! [`scenario`](crate::scenario)), e.g. `spec.tenant.default_restriction.platform_blocked`, or
//! the tenant's ADE setup:
//!
//! ```
//! use enrollsim::scenario::{AdeAuthMethod, AdeProfileSpec, AdeSpec};
//! use enrollsim::{TenantSpec, UserSpec, World, WorldSpec};
//!
//! let mut tenant = TenantSpec::new("Contoso");
//! tenant.ade = Some(AdeSpec {
//!     token_uploaded_days_ago: enrollsim::Span::days(20),
//!     profiles: vec![AdeProfileSpec {
//!         authentication: AdeAuthMethod::SetupAssistantLegacy,
//!         ..AdeProfileSpec::default()
//!     }],
//!     ..AdeSpec::default()
//! });
//! let spec = WorldSpec::builder()
//!     .tenant(tenant)
//!     .user(UserSpec::new("alex@contoso.example").mfa_required())
//!     .build();
//! assert!(spec.tenant.ade.is_some());
//! ```
//!
//! ## 2. Enrolling
//!
//! [`World::start`](crate::World::start) starts the world: certificates, every service on its
//! own loopback port, the device, then the spec's history replayed through the real flows.
//! [`World::enroll`](crate::World::enroll) lets the user act — [`Action::company_portal`]
//! (the Company Portal app), [`Action::safari`] (the Company Portal website) or
//! [`Action::ade`] (Setup Assistant) — and runs the flow to its end. The
//! [`Outcome`](crate::Outcome) says how it ended:
//!
//! - `Enrolled { upn }`: the device is managed, for that user;
//! - `Failed { screen, message, text }`: the user saw an error — where
//!   ([`Screen`](crate::Screen)), which one ([`UserMessage`](crate::UserMessage)) and its text
//!   in the device's language;
//! - `Stuck { screen, detail }`: a screen hangs without an error;
//! - `NotManaged { detail }`: the flow ended without error but nothing manages the device.
//!
//! [`Action::company_portal`]: crate::Action::company_portal
//! [`Action::safari`]: crate::Action::safari
//! [`Action::ade`]: crate::Action::ade
//!
//! ```
//! use enrollsim::{Action, DeviceSetup, Outcome, Screen, UserMessage, UserSpec, World, WorldSpec};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let spec = WorldSpec::builder()
//!     .user(UserSpec::new("alex@contoso.example").unlicensed())
//!     .device(DeviceSetup::iphone().locale("it-IT"))
//!     .build();
//! let world = World::start(&spec).await.unwrap();
//! let outcome = world.enroll(&Action::company_portal("alex@contoso.example")).await;
//! match &outcome {
//!     Outcome::Failed { screen, message, text } => {
//!         assert_eq!(*screen, Screen::CompanyPortal);
//!         assert_eq!(*message, UserMessage::UserNameNotRecognized);
//!         assert!(text.starts_with("Nome utente non riconosciuto"));
//!     }
//!     other => panic!("expected a failure, got {other:?}"),
//! }
//! # });
//! ```
//!
//! ## 3. What happened and why
//!
//! - [`World::take_timeline`](crate::World::take_timeline) returns what happened since the
//!   start (or the previous call): every HTTPS exchange between the parties, what the user saw,
//!   what the services decided, on the virtual clock.
//! - [`World::evidence`](crate::World::evidence)`(..).await` collects what an admin could
//!   collect after the attempt: the message and where it appeared, the device's console log,
//!   the Company Portal log, the tenant's admin view, Intune's enrollment troubleshooting events
//!   and Entra ID's sign-in log (all read through the admin API over HTTPS, as a collection
//!   script would), and the user's device list from the Company Portal website. [`EvidenceBundle::write_dir`](crate::EvidenceBundle::write_dir) writes it in
//!   the documented on-disk format, for other tools.
//! - [`diagnose`](crate::diagnose()) reads a bundle — and nothing else: never the spec, never
//!   what the test expects — and names the article's [`Section`](crate::Section) and the
//!   [`Cause`](crate::Cause), with the evidence it relied on, the article's resolution steps,
//!   ranked alternatives and what to collect next when the evidence is too thin.
//!   [`World::diagnose`](crate::World::diagnose) is the shortcut for both.
//!
//! The diagnosis works on partial evidence too, for example only the message the user
//! reported:
//!
//! ```
//! use enrollsim::{diagnose, Cause, EvidenceBundle, Section};
//!
//! let diagnosis = diagnose(&EvidenceBundle::from_message("Numero massimo dispositivi raggiunto", "it-IT"));
//! assert_eq!(diagnosis.section, Some(Section::DeviceCapReached));
//! assert_eq!(diagnosis.cause, Some(Cause::DeviceLimitReached));
//! ```
//!
//! ## 4. Fixing and enrolling again
//!
//! A [`ResolutionStep`](crate::ResolutionStep) is one step of the article's fix, carried out
//! the way an admin or a technician would: admin steps are Microsoft Graph calls over HTTPS to
//! the admin API (assign a licence, change the restriction that applies to a user, delete
//! stale devices, renew or upload the push certificate, turn off per-user MFA); device steps
//! act on the iPhone (remove a management profile, reinstall the Company Portal, clear Safari's
//! cookies, restore as new, set the Company Portal's cloud, change networks).
//! [`World::apply`](crate::World::apply) carries out one, [`World::apply_all`](crate::World::apply_all)
//! several; then [`World::enroll`](crate::World::enroll) again:
//!
//! ```
//! use enrollsim::{Action, Outcome, ResolutionStep, TenantSpec, UserSpec, World, WorldSpec};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let spec = WorldSpec::builder()
//!     .tenant(TenantSpec::new("Contoso").block_personally_owned_devices())
//!     .user(UserSpec::new("alex@contoso.example"))
//!     .build();
//! let world = World::start(&spec).await.unwrap();
//! let alex = Action::company_portal("alex@contoso.example");
//! assert!(matches!(world.enroll(&alex).await, Outcome::Failed { .. }));
//!
//! world
//!     .apply_all(&[ResolutionStep::AllowPersonallyOwnedDevices { user: alex.user.clone() }])
//!     .await
//!     .unwrap();
//! assert_eq!(world.enroll(&alex).await, Outcome::Enrolled { upn: alex.user.clone() });
//! # });
//! ```
//!
//! Time passes only when a test says so: [`World::advance`](crate::World::advance) (a
//! [`Span`](crate::Span) such as `Span::hours(36)` or `"400d".parse()`) or
//! [`World::advance_days`](crate::World::advance_days) moves the virtual clock, so a push
//! certificate that was valid at the start can expire in the middle of a test.
//!
//! A world can hold several people and devices from the start: further devices, each with an
//! id ([`WorldBuilder::add_device`](crate::WorldBuilder::add_device),
//! [`DeviceSetup::with_id`](crate::DeviceSetup::with_id)), and actions that name the device
//! they act on ([`Action::on`](crate::Action::on)). Two users on one shared iPad, one without
//! a licence:
//!
//! ```
//! use enrollsim::{Action, DeviceSetup, Outcome, UserSpec, World, WorldSpec};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let spec = WorldSpec::builder()
//!     .user(UserSpec::new("alex@contoso.example"))
//!     .user(UserSpec::new("blake@contoso.example").unlicensed())
//!     .add_device(DeviceSetup::ipad().with_id("shared-ipad"))
//!     .build();
//! let world = World::start(&spec).await.unwrap();
//! let blake = Action::company_portal("blake@contoso.example").on("shared-ipad");
//! assert!(matches!(world.enroll(&blake).await, Outcome::Failed { .. }));
//! let alex = Action::company_portal("alex@contoso.example").on("shared-ipad");
//! assert_eq!(world.enroll(&alex).await, Outcome::Enrolled { upn: alex.user.clone() });
//! # });
//! ```
//!
//! A tenant as real ones are: Entra groups (nested ones too), licences through groups and
//! Conditional Access policies on groups, all typed in the builder. The Sales group's policy
//! requires MFA at Microsoft Intune Enrollment, and the ADE profile signs in with the legacy
//! Setup Assistant, which cannot do MFA: the article's "ADE enrollment stuck at user login".
//! The diagnosis reads it from the sign-in log (the policy that failed) and the profile; the
//! fix excludes the user from the policy:
//!
//! ```
//! use enrollsim::scenario::{AdeAuthMethod, AdeProfileSpec, AdeSpec};
//! use enrollsim::{
//!     diagnose, Action, Cause, ConditionalAccessSpec, GrantSpec, Outcome, ResolutionStep,
//!     Section, Span, TenantSpec, UserSpec, World, WorldSpec,
//! };
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let mut tenant = TenantSpec::new("Contoso")
//!     .group("sales", &["alex@contoso.example", "sales-emea"])
//!     .group("sales-emea", &["blake@contoso.example"])
//!     .conditional_access(
//!         ConditionalAccessSpec::new("Require MFA for Sales", &[GrantSpec::Mfa])
//!             .include_group("sales"),
//!     );
//! tenant.ade = Some(AdeSpec {
//!     token_uploaded_days_ago: Span::days(20),
//!     profiles: vec![AdeProfileSpec {
//!         authentication: AdeAuthMethod::SetupAssistantLegacy,
//!         ..AdeProfileSpec::default()
//!     }],
//!     ..AdeSpec::default()
//! });
//! let spec = WorldSpec::builder()
//!     .tenant(tenant)
//!     .user(UserSpec::new("alex@contoso.example"))
//!     .user(UserSpec::new("blake@contoso.example"))
//!     .build();
//! let world = World::start(&spec).await.unwrap();
//! let alex = Action::ade("alex@contoso.example");
//! let outcome = world.enroll(&alex).await;
//! assert!(matches!(outcome, Outcome::Stuck { .. }), "{outcome:?}");
//!
//! let diagnosis = diagnose(&world.evidence(&alex, &outcome).await);
//! assert_eq!(diagnosis.section, Some(Section::AdeStuckAtUserLogin));
//! assert_eq!(diagnosis.cause, Some(Cause::MfaDuringAde));
//!
//! world
//!     .apply(&ResolutionStep::ExcludeFromPolicy {
//!         policy: "Require MFA for Sales".into(),
//!         user: Some(alex.user.clone()),
//!         group: None,
//!     })
//!     .await
//!     .unwrap();
//! assert_eq!(world.enroll(&alex).await, Outcome::Enrolled { upn: alex.user.clone() });
//! # });
//! ```
//!
//! ## 5. Scenarios
//!
//! A [`Scenario`](crate::Scenario) bundles a world, the user's action, the expected outcome
//! ([`Expectation`](crate::Expectation)) and the documented fix, with the article section and
//! cause it belongs to. Load one from a file ([`Scenario::load`](crate::Scenario::load)) or a
//! string ([`Scenario::from_toml_str`](crate::Scenario::from_toml_str); errors name the line,
//! the column and what was expected), take one from the built-in
//! [`catalog`](crate::catalog), or build one in code. [`run_scenario`](crate::run_scenario)
//! replays it end to end — reproduce, collect, diagnose blind, fix, enroll again — and returns
//! a [`RunReport`](crate::RunReport) whose [`holds`](crate::RunReport::holds) says whether
//! every check passed:
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let scenario = enrollsim::catalog::find("user-license-type-invalid").unwrap().unwrap();
//! let report = enrollsim::run_scenario(&scenario).await.unwrap();
//! assert!(report.reproduced && report.fixed);
//! assert_eq!(report.diagnosed_cause(), Some(enrollsim::Cause::UserNotLicensed));
//! assert!(report.holds());
//! # });
//! ```
//!
//! ## 6. Snapshot tests
//!
//! The same spec gives the same timeline byte for byte: one virtual clock, one seeded RNG.
//! [`snapshot`](crate::snapshot) renders timelines, outcomes, diagnoses and whole run reports
//! as text with identifiers and loopback ports masked, ready for `insta`:
//!
//! ```ignore
//! #[tokio::test]
//! async fn device_cap_reached_report() {
//!     let scenario = enrollsim::catalog::find("device-cap-reached").unwrap().unwrap();
//!     let report = enrollsim::run_scenario(&scenario).await.unwrap();
//!     insta::assert_snapshot!(enrollsim::snapshot::timeline(&report.timeline));
//!     insta::assert_snapshot!(enrollsim::snapshot::diagnosis(report.diagnosis.as_ref().unwrap()));
//!     insta::assert_yaml_snapshot!(enrollsim::snapshot::value(&report.outcome));
//! }
//! ```
//!
//! ## 7. A world for your own client
//!
//! Every service of a [`World`](crate::World) listens on its own loopback port with a
//! certificate for its real host name, issued by the world's lab root. To point your own tool
//! at it (a Graph client, an MDM agent, a log collector):
//!
//! - start it with [`World::start_now`](crate::World::start_now): your client judges
//!   certificates by the system clock, so the world's clock should start at the current time;
//! - [`World::services`](crate::World::services) lists each host name with its address;
//!   connect to [`Service::base_url`](crate::Service::base_url) (`https://127.0.0.1:PORT`) and
//!   send [`Service::host`](crate::Service::host) as TLS SNI and `Host` header;
//! - trust [`World::ca_certificate_pem`](crate::World::ca_certificate_pem);
//! - call the admin API ([`ADMIN_API_HOST`](crate::ADMIN_API_HOST)) with
//!   `Authorization: Bearer` [`World::admin_token`](crate::World::admin_token).
//!
//! ```
//! use enrollsim::{UserSpec, World, WorldSpec, ADMIN_API_HOST};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let spec = WorldSpec::builder().user(UserSpec::new("alex@contoso.example")).build();
//! let world = World::start_now(&spec).await.unwrap();
//! let graph = world.admin_api().unwrap();
//! assert_eq!(graph.host, ADMIN_API_HOST);
//! assert!(graph.base_url().starts_with("https://127.0.0.1:"));
//! assert!(world.ca_certificate_pem().starts_with("-----BEGIN CERTIFICATE-----\n"));
//! assert!(!world.admin_token().is_empty());
//! for service in world.services() {
//!     println!("{:<40} {}", service.host, service.base_url());
//! }
//! # });
//! ```
//!
//! The repository's `examples/serve_external_client.rs` makes an admin call with a plain
//! hyper + rustls client.
//!
//! ## 8. Several users and devices in one world
//!
//! A world holds the spec's device and as many more as a test adds:
//! [`World::add_device`](crate::World::add_device) switches one on (a
//! [`DeviceSetup`](crate::DeviceSetup) as for the spec's device) and returns a
//! [`DeviceHandle`](crate::DeviceHandle). A handle is cheap to clone and `Send`: move it into a
//! tokio task and [`enroll`](crate::DeviceHandle::enroll) there, and the fleet's users act side
//! by side, each device on its own clock, so a thousand users waiting a minute each take a minute
//! of the world's time. [`World::enroll_on`](crate::World::enroll_on) instead lets one device act
//! after everything that happened before, as [`World::enroll`](crate::World::enroll) does for
//! the spec's device. A `World` is `Send + Sync`, so it can be shared in an `Arc` as well.
//!
//! ```ignore
//! let world = World::start(&spec).await?;
//! let mut tasks = Vec::new();
//! for i in 0..500 {
//!     let device = world.add_device(&DeviceSetup::iphone())?;
//!     let user = Action::company_portal(&format!("user{i:04}@contoso.example"));
//!     tasks.push(tokio::spawn(async move { device.enroll(&user).await }));
//! }
//! for task in tasks {
//!     assert!(matches!(task.await?, Outcome::Enrolled { .. }));
//! }
//! assert_eq!(world.apns_pushes_delivered(), 500);
//! assert_eq!(world.registered_device_count(), 500);
//! ```
//!
//! (The repository's `tests/it/fleet.rs` and `tests/it/ade_fleet.rs` run this with 500 Company
//! Portal and 200 ADE devices; [`World::admin_get`](crate::World::admin_get) reads what Intune's
//! admin API lists.)
//!
//! ## 9. Runtime, cost and cleanup
//!
//! A world runs on the Tokio runtime it is started in (current-thread or multi-thread; the
//! default `#[tokio::test]` works). Starting one issues a handful of certificates (keys are
//! generated once per process) and binds a few loopback listeners: milliseconds, so a test can
//! start as many as it likes, in parallel. Dropping a [`World`](crate::World) stops its
//! services and frees its ports; [`World::shutdown`](crate::World::shutdown) does the same and
//! returns once the listeners are closed.
