//! Building worlds in code, with the catalog's faults as typed, documented settings.
//!
//! ```
//! use enrollsim_harness::scenario::{DeviceSetup, TenantSpec, UserSpec, WorldSpec};
//!
//! let world = WorldSpec::builder()
//!     .tenant(TenantSpec::new("Contoso").device_limit(5))
//!     .user(UserSpec::new("alex@contoso.example").enrolled_devices(5))
//!     .device(DeviceSetup::iphone().locale("it-IT"))
//!     .build();
//! assert_eq!(world.tenant.default_device_limit, 5);
//! ```

use time::OffsetDateTime;

use super::model::*;

/// Builds a [`WorldSpec`].
#[derive(Debug, Clone, Default)]
pub struct WorldBuilder {
    spec: WorldSpec,
}

impl WorldSpec {
    /// Starts a builder with defaults: Intune tenant "Contoso" with a valid push certificate,
    /// no users, an iPhone on iOS 17.5 with the current Company Portal.
    #[must_use]
    pub fn builder() -> WorldBuilder {
        WorldBuilder::default()
    }
}

impl WorldBuilder {
    /// The seed of every identifier.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.spec.seed = seed;
        self
    }
    /// The virtual start time (`time::macros::datetime!(2026-11-26 09:00 UTC)`).
    #[must_use]
    pub fn start(mut self, start: OffsetDateTime) -> Self {
        self.spec.start = start;
        self
    }
    /// The tenant.
    #[must_use]
    pub fn tenant(mut self, tenant: TenantSpec) -> Self {
        self.spec.tenant = tenant;
        self
    }
    /// Adds a user.
    #[must_use]
    pub fn user(mut self, user: UserSpec) -> Self {
        self.spec.users.push(user);
        self
    }
    /// The device.
    #[must_use]
    pub fn device(mut self, device: DeviceSetup) -> Self {
        self.spec.device = device;
        self
    }
    /// Adds a further device; give it an id ([`DeviceSetup::with_id`]) for actions to name.
    #[must_use]
    pub fn add_device(mut self, device: DeviceSetup) -> Self {
        self.spec.devices.push(device);
        self
    }
    /// Adds something that happened before the run.
    #[must_use]
    pub fn history(mut self, step: HistoryStep) -> Self {
        self.spec.history.push(step);
        self
    }
    /// Schedules a network fault (`FaultSpec::new(FaultKind::Reset, host).rate(0.05)`).
    #[must_use]
    pub fn fault(mut self, fault: super::FaultSpec) -> Self {
        self.spec.faults.push(fault);
        self
    }
    /// Time passes before the run (`Span::days(400)`, `"36h".parse()?`).
    #[must_use]
    pub fn advance(self, by: Span) -> Self {
        self.history(HistoryStep::Advance { by })
    }
    /// The spec.
    #[must_use]
    pub fn build(self) -> WorldSpec {
        self.spec
    }
}

impl TenantSpec {
    /// A tenant named `name`, otherwise the defaults.
    #[must_use]
    pub fn new(name: &str) -> Self {
        TenantSpec {
            name: name.to_string(),
            ..TenantSpec::default()
        }
    }
    /// Sets the Default device limit (Intune allows 1–15; the default is 15).
    #[must_use]
    pub fn device_limit(mut self, limit: u32) -> Self {
        self.default_device_limit = limit;
        self
    }
    /// Blocks personally owned iOS/iPadOS devices in the Default device type restriction.
    #[must_use]
    pub fn block_personally_owned_devices(mut self) -> Self {
        self.default_restriction.personal_device_enrollment_blocked = true;
        self
    }
    /// Blocks the iOS/iPadOS platform in the Default device type restriction.
    #[must_use]
    pub fn block_ios_platform(mut self) -> Self {
        self.default_restriction.platform_blocked = true;
        self
    }
    /// No Apple MDM push certificate was ever uploaded.
    #[must_use]
    pub fn without_apns_certificate(mut self) -> Self {
        self.apns.uploaded = false;
        self
    }
    /// The push certificate expired `days` days before the start (past 30 days it is beyond
    /// Apple's renewal grace period).
    #[must_use]
    pub fn apns_expired_days_ago(mut self, days: i64) -> Self {
        self.apns.issued_days_ago = Span::days(365 + days);
        self.apns.expires_in_days = Span::days(-days);
        self
    }
    /// Apple revoked the push certificate; Intune still shows it as valid.
    #[must_use]
    pub fn apns_revoked_by_apple(mut self) -> Self {
        self.apns.revoked_by_apple = true;
        self
    }
    /// The oldest Company Portal version the service accepts.
    #[must_use]
    pub fn min_company_portal_version(mut self, version: &str) -> Self {
        self.min_company_portal_version = Some(version.to_string());
        self
    }
    /// No MDM authority is set.
    #[must_use]
    pub fn without_mdm_authority(mut self) -> Self {
        self.mdm_authority = MdmAuthority::Unknown;
        self
    }
    /// Adds a device limit restriction assigned to `groups`.
    #[must_use]
    pub fn limit_restriction(
        mut self,
        name: &str,
        priority: u32,
        groups: &[&str],
        limit: u32,
    ) -> Self {
        self.limit_restrictions.push(LimitRestrictionSpec {
            name: name.into(),
            priority,
            groups: groups.iter().map(|g| g.to_string()).collect(),
            exclude_groups: Vec::new(),
            limit,
        });
        self
    }
    /// Excludes `groups` from the platform and device limit restrictions named `name` (their
    /// members fall through to the next priority, Default last).
    #[must_use]
    pub fn exclude_groups_from(mut self, name: &str, groups: &[&str]) -> Self {
        let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        for r in self
            .limit_restrictions
            .iter_mut()
            .filter(|r| r.name == name)
        {
            r.exclude_groups.extend(groups.iter().cloned());
        }
        for r in self
            .platform_restrictions
            .iter_mut()
            .filter(|r| r.name == name)
        {
            r.exclude_groups.extend(groups.iter().cloned());
        }
        self
    }
    /// Sets the MDM authority (Intune, Configuration Manager, or not set).
    #[must_use]
    pub fn mdm_authority(mut self, authority: MdmAuthority) -> Self {
        self.mdm_authority = authority;
        self
    }
    /// Adds an Entra group with static membership: `members` are UPNs and ids of other groups.
    #[must_use]
    pub fn group(mut self, id: &str, members: &[&str]) -> Self {
        self.groups.push(super::GroupSpec {
            id: id.into(),
            name: None,
            members: members.iter().map(|m| m.to_string()).collect(),
            licenses: Vec::new(),
        });
        self
    }
    /// Assigns `sku` to group `group` (group-based licensing); the group must have been added.
    #[must_use]
    pub fn group_license(mut self, group: &str, sku: &str, disabled_plans: &[&str]) -> Self {
        if let Some(g) = self.groups.iter_mut().find(|g| g.id == group) {
            g.licenses.push(super::GroupLicenseSpec::WithDisabledPlans {
                sku: sku.into(),
                disabled_plans: disabled_plans.iter().map(|p| p.to_string()).collect(),
            });
        }
        self
    }
    /// Buys `seats` seats of `sku`: assigning it beyond them fails.
    #[must_use]
    pub fn sku_seats(mut self, sku: &str, seats: u32) -> Self {
        self.skus.push(super::SkuSpec {
            sku: sku.into(),
            seats,
            service_plans: None,
        });
        self
    }
    /// Adds a Conditional Access policy (see [`super::ConditionalAccessSpec::new`]).
    #[must_use]
    pub fn conditional_access(mut self, policy: super::ConditionalAccessSpec) -> Self {
        self.conditional_access.push(policy);
        self
    }
}

impl super::ConditionalAccessSpec {
    /// Also covers the members of `group`.
    #[must_use]
    pub fn include_group(mut self, group: &str) -> Self {
        self.include_groups.push(group.into());
        self
    }
    /// Also covers `upn` (or every user, with `"All"`).
    #[must_use]
    pub fn include_user(mut self, upn: &str) -> Self {
        self.include_users.push(upn.into());
        self
    }
    /// Never covers `upn`.
    #[must_use]
    pub fn exclude_user(mut self, upn: &str) -> Self {
        self.exclude_users.push(upn.into());
        self
    }
    /// Never covers the members of `group`.
    #[must_use]
    pub fn exclude_group(mut self, group: &str) -> Self {
        self.exclude_groups.push(group.into());
        self
    }
    /// Targets `apps` instead of Microsoft Intune Enrollment.
    #[must_use]
    pub fn apps(mut self, apps: &[super::CloudAppSpec]) -> Self {
        self.apps = apps.to_vec();
        self
    }
}

impl UserSpec {
    /// A user holding an EMS licence (which includes Intune), password `Passw0rd!`.
    #[must_use]
    pub fn new(upn: &str) -> Self {
        UserSpec {
            upn: upn.into(),
            password: "Passw0rd!".into(),
            licenses: vec![LicenseSpec::Sku("EMS".into())],
            groups: Vec::new(),
            mfa_required: false,
            cloud: Cloud::Public,
            enrolled_devices: 0,
            portal_only_devices: 0,
        }
    }
    /// The user holds no licence at all.
    #[must_use]
    pub fn unlicensed(mut self) -> Self {
        self.licenses.clear();
        self
    }
    /// The user holds a licence whose plans do not include Intune (e.g. Exchange Online only).
    #[must_use]
    pub fn licensed_without_intune(mut self, sku: &str) -> Self {
        self.licenses = vec![LicenseSpec::WithPlans {
            sku: sku.into(),
            service_plans: vec!["EXCHANGE_S_STANDARD".into()],
        }];
        self
    }
    /// The user must pass MFA to sign in.
    #[must_use]
    pub fn mfa_required(mut self) -> Self {
        self.mfa_required = true;
        self
    }
    /// The user's tenant lives in the US Government cloud.
    #[must_use]
    pub fn government_cloud(mut self) -> Self {
        self.cloud = Cloud::Government;
        self
    }
    /// The user already enrolled `n` devices the admin center lists.
    #[must_use]
    pub fn enrolled_devices(mut self, n: u32) -> Self {
        self.enrolled_devices = n;
        self
    }
    /// The user has `n` device records only the Company Portal website shows.
    #[must_use]
    pub fn portal_only_devices(mut self, n: u32) -> Self {
        self.portal_only_devices = n;
        self
    }
    /// Adds the user to a group.
    #[must_use]
    pub fn group(mut self, group: &str) -> Self {
        self.groups.push(group.into());
        self
    }
}

impl DeviceSetup {
    /// An iPhone 14 Pro on iOS 17.5, English, with the current Company Portal.
    #[must_use]
    pub fn iphone() -> Self {
        DeviceSetup::default()
    }
    /// An iPad Air (5th generation, `iPad13,16`) on iPadOS 17.5, English, with the current
    /// Company Portal.
    #[must_use]
    pub fn ipad() -> Self {
        DeviceSetup {
            product: "iPad13,16".into(),
            ..DeviceSetup::default()
        }
    }
    /// The id actions name the device by ([`Action::on`]).
    #[must_use]
    pub fn with_id(mut self, id: &str) -> Self {
        self.id = Some(id.into());
        self
    }
    /// The device's language ("it-IT").
    #[must_use]
    pub fn locale(mut self, locale: &str) -> Self {
        self.locale = locale.into();
        self
    }
    /// The serial number.
    #[must_use]
    pub fn serial(mut self, serial: &str) -> Self {
        self.serial = Some(serial.into());
        self
    }
    /// The installed Company Portal's version.
    #[must_use]
    pub fn company_portal_version(mut self, version: &str) -> Self {
        self.company_portal.version = Some(version.into());
        self
    }
    /// The state of the Company Portal's device registration key in the keychain.
    #[must_use]
    pub fn company_portal_registration_key(mut self, key: RegistrationKey) -> Self {
        self.company_portal.registration_key = key;
        self
    }
    /// The Company Portal's Cloud setting.
    #[must_use]
    pub fn company_portal_cloud(mut self, cloud: CloudSetting) -> Self {
        self.company_portal.cloud = cloud;
        self
    }
    /// Another MDM's management profile is installed.
    #[must_use]
    pub fn foreign_mdm_profile(mut self, server_url: &str) -> Self {
        self.profiles.push(ProfileSpec {
            identifier: "com.example.othermdm.enrollment".into(),
            display_name: "MDM Profile".into(),
            organization: "Other MDM".into(),
            mdm: Some(MdmPayloadSpec {
                topic: "com.apple.mgmt.External.0a0b0c0d-0000-4000-8000-0000000000ff".into(),
                server_url: server_url.into(),
                check_in_url: None,
            }),
        });
        self
    }
    /// Safari keeps a signed-in session for `upn`.
    #[must_use]
    pub fn safari_session(mut self, upn: &str) -> Self {
        self.safari_session = Some(upn.into());
        self
    }
    /// The device's network cannot reach `host`.
    #[must_use]
    pub fn block_host(mut self, host: &str) -> Self {
        self.blocked_hosts.push(host.into());
        self
    }
    /// The state of the device's keychain.
    #[must_use]
    pub fn keychain(mut self, state: KeychainState) -> Self {
        self.keychain = state;
        self
    }
}

impl Action {
    /// The same action on the device with id `device` (see [`DeviceSetup::with_id`]).
    #[must_use]
    pub fn on(mut self, device: &str) -> Self {
        self.device = Some(device.into());
        self
    }

    /// The same action, the user leaving the downloaded management profile for `span` before
    /// installing it.
    #[must_use]
    pub fn installing_profile_after(mut self, span: Span) -> Self {
        self.install_profile_after = Some(span);
        self
    }

    /// Enroll through the Company Portal app as `user`.
    #[must_use]
    pub fn company_portal(user: &str) -> Self {
        Action {
            enroll: EnrollVia::CompanyPortal,
            user: user.into(),
            device: None,
            install_profile_after: None,
        }
    }
    /// Enroll through the Company Portal website in Safari as `user`.
    #[must_use]
    pub fn safari(user: &str) -> Self {
        Action {
            enroll: EnrollVia::Safari,
            user: user.into(),
            device: None,
            install_profile_after: None,
        }
    }
    /// Turn on an ADE device and sign in as `user`.
    #[must_use]
    pub fn ade(user: &str) -> Self {
        Action {
            enroll: EnrollVia::Ade,
            user: user.into(),
            device: None,
            install_profile_after: None,
        }
    }
}

impl FollowOnStage {
    /// A failure with this catalog pair that follows once the causes before it are fixed.
    #[must_use]
    pub fn new(section: Section, cause: Cause) -> Self {
        FollowOnStage {
            section,
            cause,
            outcome: OutcomeKind::Failed,
            screen: None,
            message: None,
            text_contains: None,
            resolution: Vec::new(),
        }
    }

    /// The message the user sees at this stage.
    #[must_use]
    pub fn message(mut self, message: UserMessage) -> Self {
        self.message = Some(message);
        self
    }

    /// One step of this stage's fix.
    #[must_use]
    pub fn fix(mut self, step: ResolutionStep) -> Self {
        self.resolution.push(step);
        self
    }
}

impl Expectation {
    /// The attempt ends with the device enrolled.
    #[must_use]
    pub fn enrolled() -> Self {
        Expectation::outcome(OutcomeKind::Enrolled)
    }

    /// The attempt ends with an error shown.
    #[must_use]
    pub fn failed() -> Self {
        Expectation::outcome(OutcomeKind::Failed)
    }

    /// The attempt ends as `outcome` says; nothing else is checked until added.
    #[must_use]
    pub fn outcome(outcome: OutcomeKind) -> Self {
        Expectation {
            outcome,
            screen: None,
            message: None,
            text_contains: None,
            enrolled_as: None,
            then: Vec::new(),
        }
    }

    /// The message the user sees.
    #[must_use]
    pub fn message(mut self, message: UserMessage) -> Self {
        self.message = Some(message);
        self
    }

    /// The user (UPN) the device ends up enrolled for.
    #[must_use]
    pub fn enrolled_as(mut self, upn: &str) -> Self {
        self.enrolled_as = Some(upn.into());
        self
    }
}

impl Attempt {
    /// Someone else's `action` before the scenario's, expected to end as `expect` says.
    #[must_use]
    pub fn new(action: Action, expect: Expectation) -> Self {
        Attempt {
            enroll: action.enroll,
            user: action.user,
            device: action.device,
            expect,
        }
    }
}

#[cfg(test)]
mod people_tests {
    use super::*;

    #[test]
    fn the_builder_names_devices_and_users_typed() {
        let spec = WorldSpec::builder()
            .user(UserSpec::new("alex@contoso.example"))
            .add_device(DeviceSetup::ipad().with_id("shared-ipad"))
            .advance(Span::hours(36))
            .build();
        assert_eq!(spec.devices[0].id.as_deref(), Some("shared-ipad"));
        assert_eq!(
            spec.history,
            vec![HistoryStep::Advance {
                by: Span::hours(36)
            }]
        );
        let attempt = Attempt::new(
            Action::company_portal("alex@contoso.example").on("shared-ipad"),
            Expectation::enrolled().enrolled_as("alex@contoso.example"),
        );
        assert_eq!(attempt.action().device.as_deref(), Some("shared-ipad"));
        assert_eq!(attempt.expect.outcome, OutcomeKind::Enrolled);
    }
}
