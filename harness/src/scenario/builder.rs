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

use super::model::*;

/// Builds a [`WorldSpec`].
#[derive(Debug, Clone, Default)]
pub struct WorldBuilder {
    spec: WorldSpec,
}

impl WorldSpec {
    /// Starts a builder with defaults: Intune tenant "Contoso" with a valid push certificate,
    /// no users, an iPhone on iOS 17.5 with the current Company Portal.
    pub fn builder() -> WorldBuilder {
        WorldBuilder::default()
    }
}

impl WorldBuilder {
    /// The seed of every identifier.
    pub fn seed(mut self, seed: u64) -> Self {
        self.spec.seed = seed;
        self
    }
    /// The virtual start time (RFC 3339).
    pub fn start(mut self, rfc3339: &str) -> Self {
        self.spec.start = rfc3339.to_string();
        self
    }
    /// The tenant.
    pub fn tenant(mut self, tenant: TenantSpec) -> Self {
        self.spec.tenant = tenant;
        self
    }
    /// Adds a user.
    pub fn user(mut self, user: UserSpec) -> Self {
        self.spec.users.push(user);
        self
    }
    /// The device.
    pub fn device(mut self, device: DeviceSetup) -> Self {
        self.spec.device = device;
        self
    }
    /// Adds something that happened before the run.
    pub fn history(mut self, step: HistoryStep) -> Self {
        self.spec.history.push(step);
        self
    }
    /// The spec.
    pub fn build(self) -> WorldSpec {
        self.spec
    }
}

impl TenantSpec {
    /// A tenant named `name`, otherwise the defaults.
    pub fn new(name: &str) -> Self {
        TenantSpec {
            name: name.to_string(),
            ..TenantSpec::default()
        }
    }
    /// Sets the Default device limit (Intune allows 1–15; the default is 15).
    pub fn device_limit(mut self, limit: u32) -> Self {
        self.default_device_limit = limit;
        self
    }
    /// Blocks personally owned iOS/iPadOS devices in the Default device type restriction.
    pub fn block_personally_owned_devices(mut self) -> Self {
        self.default_restriction.personal_device_enrollment_blocked = true;
        self
    }
    /// Blocks the iOS/iPadOS platform in the Default device type restriction.
    pub fn block_ios_platform(mut self) -> Self {
        self.default_restriction.platform_blocked = true;
        self
    }
    /// No Apple MDM push certificate was ever uploaded.
    pub fn without_apns_certificate(mut self) -> Self {
        self.apns.uploaded = false;
        self
    }
    /// The push certificate expired `days` days before the start (past 30 days it is beyond
    /// Apple's renewal grace period).
    pub fn apns_expired_days_ago(mut self, days: i64) -> Self {
        self.apns.issued_days_ago = 365 + days;
        self.apns.expires_in_days = -days;
        self
    }
    /// Apple revoked the push certificate; Intune still shows it as valid.
    pub fn apns_revoked_by_apple(mut self) -> Self {
        self.apns.revoked_by_apple = true;
        self
    }
    /// The oldest Company Portal version the service accepts.
    pub fn min_company_portal_version(mut self, version: &str) -> Self {
        self.min_company_portal_version = Some(version.to_string());
        self
    }
    /// No MDM authority is set.
    pub fn without_mdm_authority(mut self) -> Self {
        self.mdm_authority = MdmAuthority::Unknown;
        self
    }
    /// Adds a device limit restriction assigned to `groups`.
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
            limit,
        });
        self
    }
}

impl UserSpec {
    /// A user holding an EMS licence (which includes Intune), password `Passw0rd!`.
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
    pub fn unlicensed(mut self) -> Self {
        self.licenses.clear();
        self
    }
    /// The user holds a licence whose plans do not include Intune (e.g. Exchange Online only).
    pub fn licensed_without_intune(mut self, sku: &str) -> Self {
        self.licenses = vec![LicenseSpec::WithPlans {
            sku: sku.into(),
            service_plans: vec!["EXCHANGE_S_STANDARD".into()],
        }];
        self
    }
    /// The user must pass MFA to sign in.
    pub fn mfa_required(mut self) -> Self {
        self.mfa_required = true;
        self
    }
    /// The user's tenant lives in the US Government cloud.
    pub fn government_cloud(mut self) -> Self {
        self.cloud = Cloud::Government;
        self
    }
    /// The user already enrolled `n` devices the admin center lists.
    pub fn enrolled_devices(mut self, n: u32) -> Self {
        self.enrolled_devices = n;
        self
    }
    /// The user has `n` device records only the Company Portal website shows.
    pub fn portal_only_devices(mut self, n: u32) -> Self {
        self.portal_only_devices = n;
        self
    }
    /// Adds the user to a group.
    pub fn group(mut self, group: &str) -> Self {
        self.groups.push(group.into());
        self
    }
}

impl DeviceSetup {
    /// An iPhone 14 Pro on iOS 17.5, English, with the current Company Portal.
    pub fn iphone() -> Self {
        DeviceSetup::default()
    }
    /// The device's language ("it-IT").
    pub fn locale(mut self, locale: &str) -> Self {
        self.locale = locale.into();
        self
    }
    /// The serial number.
    pub fn serial(mut self, serial: &str) -> Self {
        self.serial = Some(serial.into());
        self
    }
    /// The installed Company Portal's version.
    pub fn company_portal_version(mut self, version: &str) -> Self {
        self.company_portal.version = Some(version.into());
        self
    }
    /// The Company Portal install is damaged.
    pub fn damaged_company_portal(mut self) -> Self {
        self.company_portal.damaged = true;
        self
    }
    /// The Company Portal's Cloud setting.
    pub fn company_portal_cloud(mut self, cloud: CloudSetting) -> Self {
        self.company_portal.cloud = cloud;
        self
    }
    /// Another MDM's management profile is installed.
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
    pub fn safari_session(mut self, upn: &str) -> Self {
        self.safari_session = Some(upn.into());
        self
    }
    /// The device's network cannot reach `host`.
    pub fn block_host(mut self, host: &str) -> Self {
        self.blocked_hosts.push(host.into());
        self
    }
    /// The device has an unspecified configuration-store fault only a restore clears.
    pub fn damaged_configuration_store(mut self) -> Self {
        self.configuration_store_damaged = true;
        self
    }
}

impl Action {
    /// Enroll through the Company Portal app as `user`.
    pub fn company_portal(user: &str) -> Self {
        Action {
            enroll: EnrollVia::CompanyPortal,
            user: user.into(),
        }
    }
    /// Enroll through the Company Portal website in Safari as `user`.
    pub fn safari(user: &str) -> Self {
        Action {
            enroll: EnrollVia::Safari,
            user: user.into(),
        }
    }
    /// Turn on an ADE device and sign in as `user`.
    pub fn ade(user: &str) -> Self {
        Action {
            enroll: EnrollVia::Ade,
            user: user.into(),
        }
    }
}
