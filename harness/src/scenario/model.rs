//! The scenario model: a world, an action, what should happen, and the documented fix.
//!
//! The same types are the TOML file format (`scenarios/*.toml`, unknown keys rejected) and the
//! in-code builder's output, so a scenario written in Rust and one loaded from a file are the
//! same thing. Faults are typed settings of the world — a device limit, an expired push
//! certificate, a foreign management profile — never a named failure: what fails, and how,
//! comes out of the parties following the protocol against this state.

use serde::{Deserialize, Serialize};
use time::macros::datetime;
use time::OffsetDateTime;

pub use super::span::{Span, SpanError};

pub use enrollsim_diagnostics::{Cause, Section};
pub use enrollsim_simulator::cloud::entra::Cloud;
pub use enrollsim_simulator::cloud::intune::state::{IosRestriction, MdmAuthority};
pub use enrollsim_simulator::device::messages::UserMessage;
pub use enrollsim_simulator::device::{CloudSetting, KeychainState, RegistrationKey};
pub use enrollsim_simulator::recorder::Screen;

/// A scenario: the world, what the user does, what should happen, and how to fix it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable id (the file name without `.toml`).
    pub id: String,
    /// One line saying what goes wrong.
    pub title: String,
    /// The article section the failure belongs to, written as its anchor id; `None` for a
    /// happy path. An id the catalog does not have is a load error.
    #[serde(default)]
    pub section: Option<Section>,
    /// The cause (DESIGN.md catalog), written as its id; `None` for a happy path.
    #[serde(default)]
    pub cause: Option<Cause>,
    /// The world before the user acts.
    #[serde(default)]
    pub world: WorldSpec,
    /// What the user does.
    pub action: Action,
    /// What should happen.
    pub expect: Expectation,
    /// Other people's attempts before the action (other users, other devices), each with
    /// what should happen to it. They answer the article's first question, "does it happen to
    /// all users or only some?", in the evidence of the action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<Attempt>,
    /// The article's resolution, as actions (of the first cause, when `expect.then` lists
    /// others; each of those carries its own).
    #[serde(default)]
    pub resolution: Vec<ResolutionStep>,
    /// How the user enrolls again after the resolution (defaults to `action`).
    #[serde(default)]
    pub reenroll: Option<Action>,
}

/// The state of the world before the user acts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorldSpec {
    /// Seed of every identifier the world makes up.
    pub seed: u64,
    /// Virtual start time, written in RFC 3339 (a string or a TOML offset date-time).
    #[serde(with = "super::rfc3339")]
    pub start: OffsetDateTime,
    /// The tenant.
    pub tenant: TenantSpec,
    /// Directory users.
    pub users: Vec<UserSpec>,
    /// The device (actions that name no device act on it).
    pub device: DeviceSetup,
    /// Further devices, each with the `id` actions name it by.
    pub devices: Vec<DeviceSetup>,
    /// What happened before (replayed through the real flows at start).
    pub history: Vec<HistoryStep>,
    /// Network faults scheduled from the start (`[[world.faults]]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<super::FaultSpec>,
}

impl Default for WorldSpec {
    fn default() -> Self {
        WorldSpec {
            seed: 1,
            start: datetime!(2026-11-26 09:00 UTC),
            tenant: TenantSpec::default(),
            users: Vec::new(),
            device: DeviceSetup::default(),
            devices: Vec::new(),
            history: Vec::new(),
            faults: Vec::new(),
        }
    }
}

/// The Intune/Entra tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TenantSpec {
    /// Display name.
    pub name: String,
    /// Verified domain.
    pub domain: String,
    /// MDM authority.
    pub mdm_authority: MdmAuthority,
    /// The Apple MDM push certificate.
    pub apns: ApnsSpec,
    /// The Default device type restriction's iOS settings.
    pub default_restriction: IosRestriction,
    /// The Default device limit.
    pub default_device_limit: u32,
    /// Further device type restrictions.
    pub platform_restrictions: Vec<PlatformRestrictionSpec>,
    /// Further device limit restrictions.
    pub limit_restrictions: Vec<LimitRestrictionSpec>,
    /// Serial numbers registered as corporate identifiers.
    pub corporate_identifiers: Vec<String>,
    /// Oldest Company Portal the service accepts (Intune's default when absent).
    pub min_company_portal_version: Option<String>,
    /// Entra's per-user device registration quota.
    pub device_registration_quota: u32,
    /// Automated Device Enrollment: the enrollment program token and its profiles.
    pub ade: Option<AdeSpec>,
    /// Entra groups with static membership (beside the ids users list in their `groups`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<super::GroupSpec>,
    /// Conditional Access policies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditional_access: Vec<super::ConditionalAccessSpec>,
    /// Subscriptions with seat counts (a SKU not listed has seats enough).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<super::SkuSpec>,
    /// The tenant's domain is federated with an AD FS-like federation service at
    /// `adfs.<domain>`; absent for a managed domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub federation: Option<FederationSpec>,
}

/// The federation service of a federated domain, as its administrator left it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FederationSpec {
    /// Whether the WS-Trust 1.3 Username/Mixed endpoint
    /// (`/adfs/services/trust/13/usernamemixed`) is enabled (AD FS enables it by default).
    pub ws_trust_13_enabled: bool,
}

impl Default for FederationSpec {
    fn default() -> Self {
        FederationSpec {
            ws_trust_13_enabled: true,
        }
    }
}

impl Default for TenantSpec {
    fn default() -> Self {
        TenantSpec {
            name: "Contoso".into(),
            domain: "contoso.example".into(),
            mdm_authority: MdmAuthority::Intune,
            apns: ApnsSpec::default(),
            default_restriction: IosRestriction::default(),
            default_device_limit: 15,
            platform_restrictions: Vec::new(),
            limit_restrictions: Vec::new(),
            corporate_identifiers: Vec::new(),
            min_company_portal_version: None,
            device_registration_quota: 50,
            ade: None,
            groups: Vec::new(),
            conditional_access: Vec::new(),
            skus: Vec::new(),
            federation: None,
        }
    }
}

/// The Apple MDM push certificate, with dates relative to the world's start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApnsSpec {
    /// Whether one was uploaded at all.
    pub uploaded: bool,
    /// The Apple ID it was created with.
    pub apple_id: String,
    /// Its topic (derived from the seed when absent).
    pub topic: Option<String>,
    /// How long before the start it was issued (a span: `30`, `"30d"`, `"36h"`).
    pub issued_days_ago: Span,
    /// How long after the start it expires (negative: already expired).
    pub expires_in_days: Span,
    /// Apple revoked it in the Push Certificates Portal (it still looks valid to Intune).
    pub revoked_by_apple: bool,
    /// With `uploaded = false`: the admin downloaded Intune's certificate signing request
    /// but never uploaded the certificate (the setup steps were not completed).
    pub request_downloaded: bool,
}

impl Default for ApnsSpec {
    fn default() -> Self {
        ApnsSpec {
            uploaded: true,
            apple_id: "mdm-admin@contoso.example".into(),
            topic: None,
            issued_days_ago: Span::days(30),
            expires_in_days: Span::days(335),
            revoked_by_apple: false,
            request_downloaded: false,
        }
    }
}

/// Automated Device Enrollment in the tenant: Apple Business Manager assigned the device to
/// Intune's MDM server, the admin uploaded the server token, and Intune has profiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdeSpec {
    /// The token's name in Intune.
    pub token_name: String,
    /// The Apple ID of the Apple Business Manager account.
    pub apple_id: String,
    /// How long before the start the server token was uploaded to Intune (a span).
    pub token_uploaded_days_ago: Span,
    /// Whether Apple Business Manager assigned the device's serial to Intune's MDM server.
    pub device_assigned: bool,
    /// Enrollment profiles; the first one marked `default` is assigned to new devices.
    pub profiles: Vec<AdeProfileSpec>,
    /// When Intune last synced the token before the start (a span). When set, that sync
    /// runs then (a full fetch) and the sync at the start asks Apple for the changes since
    /// its cursor; when absent, the sync at the start is the token's first.
    pub last_synced_days_ago: Option<Span>,
    /// Intune lost the cursor of its last sync (an Intune-side fault): the sync at the start
    /// asks Apple for changes without one.
    pub cursor_lost: bool,
    /// Apple Business Manager's and Apple's own state at the start.
    pub apple: AbmSpec,
}

/// Apple's side of ADE at the start: Apple Business Manager as its administrator left it,
/// and Apple's DEP service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AbmSpec {
    /// Whether the organisation accepted Apple's latest terms and conditions.
    pub terms_accepted: bool,
    /// Intune's MDM server was removed from Apple Business Manager's server list.
    pub mdm_server_removed: bool,
    /// The server token Intune holds was revoked in Apple Business Manager.
    pub token_revoked: bool,
    /// How long Apple's DEP API answers every call with 500 from the start (a span).
    pub outage: Option<Span>,
    /// Apple no longer knows the cursors it issued before the start.
    pub cursors_lost: bool,
    /// Apple no longer knows the profiles Intune defined before the start.
    pub profiles_lost: bool,
    /// How long before the start Apple Business Manager assigned the device to Intune's
    /// MDM server (a span); from the beginning of the history when absent.
    pub device_assigned_days_ago: Option<Span>,
    /// How long before the start the public key of Intune's MDM server in Apple Business
    /// Manager was replaced by one Intune does not hold for the tenant's token (the `.pem` of
    /// another token, say, whose setup was abandoned) (a span). Tokens downloaded after that
    /// are encrypted to the other key, and Intune cannot open them; the token in use keeps
    /// working.
    pub public_key_replaced_days_ago: Option<Span>,
}

impl Default for AbmSpec {
    fn default() -> Self {
        AbmSpec {
            terms_accepted: true,
            mdm_server_removed: false,
            token_revoked: false,
            outage: None,
            cursors_lost: false,
            profiles_lost: false,
            device_assigned_days_ago: None,
            public_key_replaced_days_ago: None,
        }
    }
}

impl Default for AdeSpec {
    fn default() -> Self {
        AdeSpec {
            token_name: "Contoso ADE".into(),
            apple_id: "abm-admin@contoso.example".into(),
            token_uploaded_days_ago: Span::days(20),
            device_assigned: true,
            profiles: vec![AdeProfileSpec::default()],
            last_synced_days_ago: None,
            cursor_lost: false,
            apple: AbmSpec::default(),
        }
    }
}

/// How an ADE enrollment profile authenticates the user.
pub use enrollsim_simulator::cloud::intune::ade::AdeAuthMethod;

/// An ADE enrollment profile, with times relative to the world's start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdeProfileSpec {
    /// Display name.
    pub name: String,
    /// How long before the start it was created (a span).
    pub created_days_ago: Span,
    /// How long before the start it was last modified (its creation when absent).
    pub modified_days_ago: Option<Span>,
    /// How the user is authenticated.
    pub authentication: AdeAuthMethod,
    /// Whether new devices get this profile.
    pub default: bool,
    /// The support phone number Setup Assistant shows (Apple's `support_phone_number`).
    pub support_phone: Option<String>,
    /// The department Setup Assistant shows (Apple's `department`).
    pub department: Option<String>,
}

impl Default for AdeProfileSpec {
    fn default() -> Self {
        AdeProfileSpec {
            name: "Corporate iPhones".into(),
            created_days_ago: Span::days(10),
            modified_days_ago: None,
            authentication: AdeAuthMethod::SetupAssistantModern,
            default: true,
            support_phone: Some("+1 555 0100".into()),
            department: Some("IT".into()),
        }
    }
}

/// A device type restriction beyond the Default one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformRestrictionSpec {
    /// Display name.
    pub name: String,
    /// Priority (1 is the highest).
    pub priority: u32,
    /// Assigned groups.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Excluded groups: their members fall through to the next priority (Default last).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_groups: Vec<String>,
    /// iOS settings.
    #[serde(default)]
    pub ios: IosRestriction,
}

/// A device limit restriction beyond the Default one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitRestrictionSpec {
    /// Display name.
    pub name: String,
    /// Priority (1 is the highest).
    pub priority: u32,
    /// Assigned groups.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Excluded groups, as for [`PlatformRestrictionSpec::exclude_groups`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_groups: Vec<String>,
    /// The limit (1–15).
    pub limit: u32,
}

/// A licence: a SKU with its default plans, or a SKU with explicit enabled plans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LicenseSpec {
    /// A SKU part number with its default plans (`"EMS"`).
    Sku(String),
    /// A SKU with the enabled service plans spelled out.
    WithPlans {
        /// SKU part number.
        sku: String,
        /// Enabled service plans.
        service_plans: Vec<String>,
    },
}

/// A directory user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// UPN.
    pub upn: String,
    /// Password.
    #[serde(default = "default_password")]
    pub password: String,
    /// Licences (Intune-bearing `EMS` when absent; `[]` for none).
    #[serde(default = "default_licenses")]
    pub licenses: Vec<LicenseSpec>,
    /// Group ids.
    #[serde(default)]
    pub groups: Vec<String>,
    /// MFA is required to sign in.
    #[serde(default)]
    pub mfa_required: bool,
    /// The user's cloud.
    #[serde(default)]
    pub cloud: Cloud,
    /// Devices already enrolled for this user, listed in the admin center.
    #[serde(default)]
    pub enrolled_devices: u32,
    /// Device records only the Company Portal website shows (they count toward the limit).
    #[serde(default)]
    pub portal_only_devices: u32,
}

fn default_password() -> String {
    "Passw0rd!".into()
}

fn default_licenses() -> Vec<LicenseSpec> {
    vec![LicenseSpec::Sku("EMS".into())]
}

/// The device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeviceSetup {
    /// The id actions name the device by ([`DEFAULT_DEVICE`] for `world.device` when absent;
    /// required in `world.devices`).
    pub id: Option<String>,
    /// Serial number (derived from the seed when absent).
    pub serial: Option<String>,
    /// UDID (derived from the seed when absent).
    pub udid: Option<String>,
    /// Product name.
    pub product: String,
    /// OS version.
    pub os_version: String,
    /// Build.
    pub build: String,
    /// Device name (the model the product names, "iPhone" or "iPad", when absent).
    pub name: Option<String>,
    /// Locale.
    pub locale: String,
    /// The Company Portal app.
    pub company_portal: CompanyPortalSpec,
    /// Configuration profiles installed before the run.
    pub profiles: Vec<ProfileSpec>,
    /// A sign-in session Safari keeps, for this UPN.
    pub safari_session: Option<String>,
    /// Hosts the device's network cannot reach.
    pub blocked_hosts: Vec<String>,
    /// The state of the keychain profiled writes certificates to (`corrupted`: only a
    /// restore clears it).
    pub keychain: KeychainState,
    /// The device's serial is registered as a corporate identifier.
    pub corporate_identifier: bool,
}

impl Default for DeviceSetup {
    fn default() -> Self {
        DeviceSetup {
            id: None,
            serial: None,
            udid: None,
            product: "iPhone15,2".into(),
            os_version: "17.5".into(),
            build: "21F79".into(),
            name: None,
            locale: "en-US".into(),
            company_portal: CompanyPortalSpec::default(),
            profiles: Vec::new(),
            safari_session: None,
            blocked_hosts: Vec::new(),
            keychain: KeychainState::Healthy,
            corporate_identifier: false,
        }
    }
}

/// The Company Portal app on the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CompanyPortalSpec {
    /// Whether it is installed.
    pub installed: bool,
    /// Its version (the App Store's current one when absent).
    pub version: Option<String>,
    /// Its device registration (workplace join) key in the keychain (`missing`, `unusable`:
    /// reinstalling the app clears it).
    pub registration_key: RegistrationKey,
    /// Its Cloud setting.
    pub cloud: CloudSetting,
}

impl Default for CompanyPortalSpec {
    fn default() -> Self {
        CompanyPortalSpec {
            installed: true,
            version: None,
            registration_key: RegistrationKey::Present,
            cloud: CloudSetting::Automatic,
        }
    }
}

/// A profile installed on the device before the run (for example another MDM's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// PayloadIdentifier.
    pub identifier: String,
    /// PayloadDisplayName.
    #[serde(default)]
    pub display_name: String,
    /// PayloadOrganization.
    #[serde(default)]
    pub organization: String,
    /// Its MDM payload, if it is a management profile.
    #[serde(default)]
    pub mdm: Option<MdmPayloadSpec>,
}

/// The MDM payload of a pre-installed profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MdmPayloadSpec {
    /// Topic.
    pub topic: String,
    /// ServerURL.
    pub server_url: String,
    /// CheckInURL (ServerURL when absent).
    #[serde(default)]
    pub check_in_url: Option<String>,
}

/// How a user enrolls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum EnrollVia {
    /// The Company Portal app (BYOD).
    CompanyPortal,
    /// The Company Portal website in Safari (BYOD).
    Safari,
    /// Automated Device Enrollment (Setup Assistant).
    Ade,
}

/// The id of `world.device` when it does not give one.
pub const DEFAULT_DEVICE: &str = "device";

/// What the user does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// How.
    pub enroll: EnrollVia,
    /// Who (UPN).
    pub user: String,
    /// On which device, by id (`world.device` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// How long the user leaves the downloaded management profile before installing it
    /// (absent: installs it straight away).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_profile_after: Option<Span>,
}

/// Someone else's attempt before the scenario's action, with what should happen to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attempt {
    /// How.
    pub enroll: EnrollVia,
    /// Who (UPN).
    pub user: String,
    /// On which device, by id (`world.device` when absent).
    #[serde(default)]
    pub device: Option<String>,
    /// What should happen.
    pub expect: Expectation,
}

impl Attempt {
    /// The attempt as an [`Action`].
    #[must_use]
    pub fn action(&self) -> Action {
        Action {
            enroll: self.enroll,
            user: self.user.clone(),
            device: self.device.clone(),
            install_profile_after: None,
        }
    }
}

/// Something that happened before the run, replayed through the real flows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "do", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum HistoryStep {
    /// The device was enrolled by `user`.
    Enroll {
        /// How.
        via: EnrollVia,
        /// Who.
        user: String,
        /// Which device, by id (`world.device` when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device: Option<String>,
    },
    /// The admin renewed the push certificate (same topic).
    RenewApnsCertificate,
    /// The admin replaced the push certificate (new topic).
    ReplaceApnsCertificate,
    /// The admin downloaded a new server token from Apple Business Manager and uploaded it to
    /// the tenant's ADE token (Apple's tokens last a year).
    RenewAdeToken,
    /// The admin tried to renew the tenant's ADE token as `renew-ade-token` does, and the
    /// admin center may have refused the upload (its upload error is then what the admin saw,
    /// and the token keeps its old server token).
    TryRenewAdeToken,
    /// Time passed, in whole days (the form before units; `advance` says it in real units).
    AdvanceDays {
        /// How many days.
        days: i64,
    },
    /// Time passed: `by = "90m"`, `"36h"`, `"400d"` (a bare integer is days).
    Advance {
        /// How long.
        by: Span,
    },
    /// Time passed until an instant: `at = "2027-12-01T09:00:00Z"` (RFC 3339, quoted or a
    /// TOML date-time); it must not be earlier than the history has reached.
    AdvanceTo {
        /// When.
        #[serde(with = "super::rfc3339::instant")]
        at: OffsetDateTime,
    },
    /// The user removed the management profile in Settings (the device checks out, as the
    /// profile asks, so Intune releases the record).
    RemoveManagementProfile {
        /// Which device, by id (`world.device` when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device: Option<String>,
    },
    /// The user unenrolled the device: the management profile removed on the device, then
    /// the device's record deleted from Intune, as "Remove device" in the Company Portal does.
    Unenroll {
        /// Which device, by id (`world.device` when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device: Option<String>,
    },
    /// The admin retired the device in the admin center; the device dropped its management
    /// profile when it next checked in.
    Retire {
        /// Which device, by id (`world.device` when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device: Option<String>,
    },
    /// The admin wiped the device: restored to factory settings, its record deleted.
    Wipe {
        /// Which device, by id (`world.device` when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device: Option<String>,
    },
    /// The admin deleted the device's record in the admin center (the device keeps its
    /// profile).
    DeleteDeviceRecord {
        /// Which device, by id (`world.device` when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device: Option<String>,
    },
    /// The admin deleted a user from the directory.
    DeleteUser {
        /// UPN.
        user: String,
    },
    /// The admin downloaded a server token from another Apple Business Manager MDM server and
    /// uploaded it in place of the tenant's.
    ReplaceAdeToken,
    /// The admin added a user to a group.
    AddToGroup {
        /// UPN.
        user: String,
        /// The group's id.
        group: String,
    },
    /// The admin removed a user from a group.
    RemoveFromGroup {
        /// UPN.
        user: String,
        /// The group's id.
        group: String,
    },
    /// The admin assigned a licence to a user.
    AssignLicense {
        /// UPN.
        user: String,
        /// SKU part number.
        sku: String,
    },
    /// The admin removed a licence from a user.
    RemoveLicense {
        /// UPN.
        user: String,
        /// SKU part number.
        sku: String,
    },
    /// The admin removed a licence from a group (group-based licensing): its members lose it
    /// unless they hold it another way.
    RemoveGroupLicense {
        /// The group's id.
        group: String,
        /// SKU part number.
        sku: String,
    },
    /// The admin changed the tenant's MDM authority.
    SetMdmAuthority {
        /// The new authority.
        authority: MdmAuthority,
    },
}

/// The outcome kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum OutcomeKind {
    /// Enrolled.
    Enrolled,
    /// An error was shown.
    Failed,
    /// A screen hung.
    Stuck,
    /// Not managed, without error.
    NotManaged,
}

/// What should happen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The outcome.
    pub outcome: OutcomeKind,
    /// Where the user sees it.
    #[serde(default)]
    pub screen: Option<Screen>,
    /// Which message.
    #[serde(default)]
    pub message: Option<UserMessage>,
    /// A fragment the shown text must contain.
    #[serde(default)]
    pub text_contains: Option<String>,
    /// The user (UPN) the device ends up enrolled for, when the outcome is `enrolled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolled_as: Option<String>,
    /// The failures that follow, in order, once each earlier cause is fixed: the first stage
    /// comes after the scenario's own `resolution`, each further one after the stage before
    /// it. Empty for a single fault. After the last stage's fix the device enrolls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub then: Vec<FollowOnStage>,
}

/// A failure the user meets only once the causes before it are fixed (a combined fault): its
/// catalog pair, what the user sees, and its own fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowOnStage {
    /// The article section of this failure, written as its anchor id.
    pub section: Section,
    /// Its cause, written as its id.
    pub cause: Cause,
    /// How the attempt ends (`failed` when absent).
    #[serde(default = "failed")]
    pub outcome: OutcomeKind,
    /// Where the user sees it.
    #[serde(default)]
    pub screen: Option<Screen>,
    /// Which message.
    #[serde(default)]
    pub message: Option<UserMessage>,
    /// A fragment the shown text must contain.
    #[serde(default)]
    pub text_contains: Option<String>,
    /// This cause's fix, carried out before the next attempt.
    #[serde(default)]
    pub resolution: Vec<ResolutionStep>,
}

fn failed() -> OutcomeKind {
    OutcomeKind::Failed
}

impl FollowOnStage {
    /// What this stage expects of the attempt, in the shape [`Expectation`] has.
    #[must_use]
    pub fn expectation(&self) -> Expectation {
        Expectation {
            outcome: self.outcome,
            screen: self.screen,
            message: self.message.clone(),
            text_contains: self.text_contains.clone(),
            enrolled_as: None,
            then: Vec::new(),
        }
    }
}

/// One step of the documented fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "do", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ResolutionStep {
    /// Admin: assign a licence.
    AssignLicense {
        /// UPN.
        user: String,
        /// SKU part number.
        sku: String,
    },
    /// Admin: allow personally owned iOS devices in the restriction that applies to `user`.
    AllowPersonallyOwnedDevices {
        /// UPN whose effective restriction is changed.
        user: String,
    },
    /// Admin: allow the iOS/iPadOS platform in the restriction that applies to `user`.
    AllowIosPlatform {
        /// UPN.
        user: String,
    },
    /// Admin: set the device limit of the restriction that applies to `user`.
    SetDeviceLimit {
        /// UPN.
        user: String,
        /// New limit (1–15).
        limit: u32,
    },
    /// Admin: delete `user`'s devices that are not this one (the stale ones), oldest first.
    DeleteStaleDevices {
        /// UPN.
        user: String,
        /// How many (all when absent).
        #[serde(default)]
        count: Option<u32>,
    },
    /// Admin: renew the push certificate in Apple's portal and upload it (same topic).
    RenewApnsCertificate,
    /// Admin: create a new push certificate and upload it (new topic).
    ReplaceApnsCertificate,
    /// Admin: create and upload a push certificate where there was none.
    UploadApnsCertificate,
    /// Admin: turn off per-user MFA for `user`.
    DisableMfa {
        /// UPN.
        user: String,
    },
    /// Device: remove every management profile.
    RemoveManagementProfile,
    /// Device: delete the Company Portal and install it from the App Store.
    ReinstallCompanyPortal,
    /// Device: clear Safari's history and website data.
    ClearSafariCookies,
    /// Device: restore in recovery mode and set up as new, then install the Company Portal.
    RestoreAsNew,
    /// Device: set the Company Portal's Cloud setting.
    SetCompanyPortalCloud {
        /// The value.
        cloud: CloudSetting,
    },
    /// Device: join another network.
    UseOtherNetwork,
    /// Device: update iOS/iPadOS (Settings > General > Software Update), or, for a device too
    /// old to update that far, give the user one that runs this version.
    UpdateOs {
        /// The version after the update (`17.5`).
        version: String,
        /// Its build (`21F79`).
        build: String,
    },
    /// Admin: edit an ADE enrollment profile (any change gives it a new modification time).
    EditEnrollmentProfile {
        /// The profile's name.
        profile: String,
    },
    /// Admin: change how an ADE enrollment profile authenticates the user.
    SetEnrollmentProfileAuthentication {
        /// The profile's name.
        profile: String,
        /// The new method.
        method: AdeAuthMethod,
    },
    /// Admin: "Sync now" on the enrollment program token.
    SyncAdeToken,
    /// Admin (Apple Business Manager administrator): accept Apple's new terms and conditions.
    AcceptAbmTerms,
    /// Admin: add Intune's MDM server back to Apple Business Manager's MDM server list (after
    /// it was removed); its token, devices and profiles are as before.
    ReaddMdmServer,
    /// Admin: download a new server token for Intune's MDM server in Apple Business Manager
    /// and upload it to the enrollment program token in Intune ("Renew token").
    RenewAdeToken,
    /// Admin (federation service administrator): enable the WS-Trust 1.3 Username/Mixed
    /// endpoint (`Enable-AdfsEndpoint -TargetAddressPath /adfs/services/trust/13/UsernameMixed`,
    /// then restart the service).
    EnableWsTrustEndpoint,
    /// Admin: read Intune's public key for the enrollment program token (Graph's
    /// `getEncryptionPublicKey`), save it as a `.pem` and upload it to Intune's MDM server in
    /// Apple Business Manager (MDM Server Settings); then `renew-ade-token`.
    UploadPublicKeyToAbm,
    /// Admin: change fields of an ADE enrollment profile (then `sync-ade-token`).
    SetEnrollmentProfileFields {
        /// The profile's current name.
        profile: String,
        /// A new name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// A new support phone number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        support_phone: Option<String>,
        /// A new department.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        department: Option<String>,
    },
    /// Admin: create a new ADE enrollment profile and assign every device of the token to it
    /// (then `sync-ade-token`).
    CreateEnrollmentProfile {
        /// Its name.
        name: String,
    },
    /// Admin: contact Intune support, who retry the token's sync from the Intune service
    /// (dropping the stored cursor and starting with a full fetch). The article sends the
    /// admin to support for the cursor errors and the internal server error; enrollsim
    /// models that contact as this retry.
    RequestSupportSyncRetry,
    /// Anyone: wait; Intune's automatic delta sync (every 12 hours) runs when it is due.
    WaitHours {
        /// How long.
        hours: i64,
    },
    /// Anyone: wait, in real units (`by = "90m"`, `"36h"`, `"2d"`), as `wait-hours` does.
    Wait {
        /// How long.
        by: Span,
    },
    /// Admin: add `user` to a group (Entra, Groups, Members, Add members).
    AddToGroup {
        /// UPN.
        user: String,
        /// Group id.
        group: String,
    },
    /// Admin: remove `user` from a group.
    RemoveFromGroup {
        /// UPN.
        user: String,
        /// Group id.
        group: String,
    },
    /// Admin: exclude a user or a group from a Conditional Access policy.
    ExcludeFromPolicy {
        /// The policy's name.
        policy: String,
        /// UPN to exclude.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
        /// Group id to exclude.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<String>,
    },
    /// Admin: change what a Conditional Access policy requires.
    SetPolicyGrant {
        /// The policy's name.
        policy: String,
        /// The new controls.
        grant: Vec<super::GrantSpec>,
    },
    /// Admin: turn a Conditional Access policy on, off or to report-only.
    SetPolicyState {
        /// The policy's name.
        policy: String,
        /// The new state.
        state: super::PolicyStateSpec,
    },
    /// Admin: set the MDM authority to Intune (Tenant administration, the authority prompt).
    SetMdmAuthority,
    /// Admin: assign a licence to a group (group-based licensing).
    AssignGroupLicense {
        /// Group id.
        group: String,
        /// SKU part number.
        sku: String,
    },
    /// Admin: turn on a service plan of a licence a user holds directly, or of a group's
    /// licence.
    EnableServicePlan {
        /// UPN (the user's own licence).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
        /// Group id (the group's licence).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<String>,
        /// SKU part number.
        sku: String,
        /// The plan (`INTUNE_A`...).
        plan: String,
    },
}
